//! `show`: print the first rows.

use super::{Op, Operation, PlanContext, RunContext, one};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::{Result, Schema};

/// Print the first rows.
#[derive(Clone)]
pub(crate) struct Show {
    n: usize,
    title: Option<String>,
}

impl Operation for Show {
    fn name(&self) -> &'static str {
        "show"
    }

    fn has_output(&self) -> bool {
        false
    }

    fn args(&self) -> String {
        match &self.title {
            Some(t) => format!("n={}, title={t:?}", self.n),
            None => format!("n={}", self.n),
        }
    }

    fn key_args(&self) -> String {
        format!("n={}; title={:?}", self.n, self.title)
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(None)
    }

    fn run(&self, _: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let mut df = one(inputs, self.name())?;
        print!("{}", df.show_string(self.n, self.title.as_deref())?);
        Ok(None)
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Print the first `n` rows.
    #[track_caller]
    pub fn show(&self, n: usize, title: Option<&str>) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Show {
                n,
                title: title.map(str::to_string),
            }),
            SourceLocation::caller(),
        )
    }
}
