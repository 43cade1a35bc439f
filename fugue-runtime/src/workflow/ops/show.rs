//! `show`: print the first rows.

use super::{Op, Operation, PlanContext, RunContext, one};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::{Result, Schema};

/// Print the first rows.
#[derive(Clone)]
pub(crate) struct Show {
    n: usize,
    with_count: bool,
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
        let count = if self.with_count { ", with_count" } else { "" };
        match &self.title {
            Some(t) => format!("n={}{count}, title={t:?}", self.n),
            None => format!("n={}{count}", self.n),
        }
    }

    fn key_args(&self) -> String {
        format!(
            "n={}; with_count={}; title={:?}",
            self.n, self.with_count, self.title
        )
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(None)
    }

    fn run(&self, _: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let mut df = one(inputs, self.name())?;
        let title = self.title.as_deref();
        let text = if self.with_count {
            df.show_string_with_count(self.n, title)?
        } else {
            df.show_string(self.n, title)?
        };
        print!("{text}");
        Ok(None)
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Print the first `n` rows, then `Total count: N` when every row was printed
    /// ([`DataFrame::show_string`]).
    #[track_caller]
    pub fn show(&self, n: usize, title: Option<&str>) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Show {
                n,
                with_count: false,
                title: title.map(str::to_string),
            }),
            SourceLocation::caller(),
        )
    }

    /// Print the first `n` rows, then always `Total count: N` (Fugue's `with_count=True`,
    /// [`DataFrame::show_string_with_count`]).
    #[track_caller]
    pub fn show_with_count(&self, n: usize, title: Option<&str>) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Show {
                n,
                with_count: true,
                title: title.map(str::to_string),
            }),
            SourceLocation::caller(),
        )
    }
}
