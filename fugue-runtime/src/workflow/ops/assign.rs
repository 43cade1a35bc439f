//! `assign`: columns computed by SQL expressions.

use super::{Op, Operation, PlanContext, RunContext, check_pairs, one, owned_pairs};
use super::{pairs_text, str_pairs};
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

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        check_pairs(self.name(), &self.columns)?;
        Ok(None)
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
