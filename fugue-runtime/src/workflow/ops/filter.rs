//! `filter`: the rows where a SQL condition holds.

use super::{Op, Operation, PlanContext, RunContext, one};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::{Result, Schema};

/// Rows where a SQL condition holds.
#[derive(Clone)]
pub(crate) struct Filter {
    condition: String,
}

impl Operation for Filter {
    fn name(&self) -> &'static str {
        "filter"
    }

    fn args(&self) -> String {
        self.condition.clone()
    }

    fn key_args(&self) -> String {
        format!("{:?}", self.condition)
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(cx.first())
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(
            cx.engine
                .filter(one(inputs, self.name())?, &self.condition)?,
        ))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// The rows where a SQL condition holds.
    #[track_caller]
    pub fn filter(&self, condition: &str) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Filter {
                condition: condition.to_string(),
            }),
            SourceLocation::caller(),
        )
    }
}
