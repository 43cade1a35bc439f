//! `alter_columns`: cast columns to new types.

use super::{Invalid, Op, Operation, PlanContext, RunContext, one, schema_key};
use crate::frame::{ArrowFrame, DataFrame};
use crate::like::IntoSchema;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::rules::eval;
use fugue_core::{Result, Schema};

/// Cast columns (a schema of the changed columns).
#[derive(Clone)]
pub(crate) struct AlterColumns {
    changes: Schema,
}

impl Operation for AlterColumns {
    fn name(&self) -> &'static str {
        "alter_columns"
    }

    fn args(&self) -> String {
        self.changes.to_string()
    }

    fn key_args(&self) -> String {
        schema_key(&self.changes)
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(match cx.first() {
            Some(s) => {
                // The rule `workflow!` checks at compile time, with its words; then whether
                // each type converts (the engines' cast rule).
                let out = eval::alter(&s, &self.changes, cx.name(0), cx.step)?;
                ArrowFrame::empty(s)?.alter_columns(&self.changes)?;
                Some(out)
            }
            None => None,
        })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(
            cx.engine
                .alter_columns(one(inputs, self.name())?, &self.changes)?,
        ))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Cast columns (a schema-like of the changed columns).
    #[track_caller]
    pub fn alter_columns(&self, changes: impl IntoSchema) -> WorkflowFrame<'w> {
        let source = SourceLocation::caller();
        match changes.into_schema() {
            Ok(changes) => self.then(Op::new(AlterColumns { changes }), source),
            Err(e) => {
                let frame = self.then(Op::new(Invalid("alter_columns")), source);
                self.wf.note(frame.id, &e);
                frame
            }
        }
    }
}
