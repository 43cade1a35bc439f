//! `distinct`: full-row dedupe.

use super::{Op, Operation, PlanContext, RunContext, one};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::{Result, Schema};

/// Full-row dedupe.
#[derive(Clone)]
pub(crate) struct Distinct;

impl Operation for Distinct {
    fn name(&self) -> &'static str {
        "distinct"
    }

    fn args(&self) -> String {
        String::new()
    }

    fn key_args(&self) -> String {
        String::new()
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(cx.first())
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(cx.engine.distinct(one(inputs, self.name())?)?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Full-row dedupe.
    #[track_caller]
    pub fn distinct(&self) -> WorkflowFrame<'w> {
        self.then(Op::new(Distinct), SourceLocation::caller())
    }
}
