//! `rename`: rename columns, `(old, new)`.

use super::{Op, Operation, PlanContext, RunContext, one, owned_pairs, pairs_text, str_pairs};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::rules::eval;
use fugue_core::{Result, Schema};

/// Rename columns.
#[derive(Clone)]
pub(crate) struct Rename {
    pairs: Vec<(String, String)>,
}

impl Operation for Rename {
    fn name(&self) -> &'static str {
        "rename"
    }

    fn args(&self) -> String {
        pairs_text(&self.pairs)
    }

    fn key_args(&self) -> String {
        format!("{:?}", self.pairs)
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(match cx.first() {
            Some(s) => Some(eval::rename(
                &s,
                &str_pairs(&self.pairs),
                cx.name(0),
                cx.step,
            )?),
            None => None,
        })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(cx.engine.rename(
            one(inputs, self.name())?,
            &str_pairs(&self.pairs),
        )?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Rename columns `(old, new)`.
    #[track_caller]
    pub fn rename(&self, pairs: &[(&str, &str)]) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Rename {
                pairs: owned_pairs(pairs),
            }),
            SourceLocation::caller(),
        )
    }
}
