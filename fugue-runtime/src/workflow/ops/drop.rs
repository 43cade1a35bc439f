//! `drop`: drop columns.

use super::{Op, Operation, PlanContext, RunContext, one, owned, strs};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::rules::eval;
use fugue_core::{Result, Schema};

/// Drop columns.
#[derive(Clone)]
pub(crate) struct DropColumns {
    columns: Vec<String>,
}

impl Operation for DropColumns {
    fn name(&self) -> &'static str {
        "drop"
    }

    fn args(&self) -> String {
        self.columns.join(",")
    }

    fn key_args(&self) -> String {
        format!("{:?}", self.columns)
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(match cx.first() {
            Some(s) => Some(eval::drop_columns(
                &s,
                &strs(&self.columns),
                cx.name(0),
                cx.step,
            )?),
            None => None,
        })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(cx.engine.drop_columns(
            one(inputs, self.name())?,
            &strs(&self.columns),
        )?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Drop columns.
    #[track_caller]
    pub fn drop(&self, columns: &[&str]) -> WorkflowFrame<'w> {
        self.then(
            Op::new(DropColumns {
                columns: owned(columns),
            }),
            SourceLocation::caller(),
        )
    }
}
