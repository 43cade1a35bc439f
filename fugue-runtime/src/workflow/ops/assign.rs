//! `assign`: columns computed by SQL expressions.

use super::{Op, Operation, PlanContext, RunContext, check_pairs, one, owned_pairs};
use super::{pairs_text, str_pairs};
use crate::engine::planned;
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::{Result, Schema};

/// Columns computed by SQL expressions, `(name, expression)`.
#[derive(Clone)]
pub(crate) struct Assign {
    columns: Vec<(String, String)>,
}

impl Operation for Assign {
    fn name(&self) -> &'static str {
        "assign"
    }

    fn args(&self) -> String {
        pairs_text(&self.columns)
    }

    fn key_args(&self) -> String {
        format!("{:?}", self.columns)
    }

    /// The output schema is planned by the code that runs the step
    /// ([`crate::engine::planned`]).
    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        check_pairs(self.name(), &self.columns)?;
        match cx.first() {
            Some(schema) if !self.columns.is_empty() => {
                planned::assign(&schema, &str_pairs(&self.columns))
            }
            other => Ok(other),
        }
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(cx.engine.assign(
            one(inputs, self.name())?,
            &str_pairs(&self.columns),
        )?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Columns computed by SQL expressions, `(name, expression)`; same-named columns are
    /// replaced in place.
    #[track_caller]
    pub fn assign(&self, columns: &[(&str, &str)]) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Assign {
                columns: owned_pairs(columns),
            }),
            SourceLocation::caller(),
        )
    }
}
