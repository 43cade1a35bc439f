//! `dropna`: drop rows with NULLs.

use super::{Choice, Op, Operation, PlanContext, RunContext, chosen, one, owned, strs};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::options::DropHow;
use fugue_core::rules::{dropna_leaves_no_null, eval};
use fugue_core::{Result, Schema};

/// Drop rows with NULLs.
#[derive(Clone)]
pub(crate) struct DropNa {
    how: DropHow,
    /// Keep rows with at least this many non-NULL values.
    thresh: Option<usize>,
    /// The columns considered (all when `None`).
    subset: Option<Vec<String>>,
}

impl Operation for DropNa {
    fn name(&self) -> &'static str {
        "dropna"
    }

    fn args(&self) -> String {
        format!(
            "how={}, thresh={}, subset={}",
            self.how,
            self.thresh.map(|t| t.to_string()).unwrap_or_default(),
            self.subset
                .as_ref()
                .map(|s| s.join(","))
                .unwrap_or_default()
        )
    }

    fn key_args(&self) -> String {
        format!(
            "how={:?}; thresh={:?}; subset={:?}",
            self.how.name(),
            self.thresh,
            self.subset
        )
    }

    /// The input's schema; the checked columns become non-nullable when the rule says no NULL
    /// is left in them (the rule `workflow!` applies too).
    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        let Some(s) = cx.first() else {
            return Ok(None);
        };
        let subset = self.subset.as_deref().map(strs);
        Ok(Some(
            if dropna_leaves_no_null(self.how, self.thresh, subset.as_ref().map(Vec::len)) {
                eval::fill_nulls(&s, subset.as_deref(), cx.name(0), cx.step)?
            } else {
                if let Some(cols) = &subset {
                    // The columns are checked even when nullability is unchanged.
                    eval::fill_nulls(&s, Some(cols), cx.name(0), cx.step)?;
                }
                s
            },
        ))
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let subset = self.subset.as_deref().map(strs);
        Ok(Some(cx.engine.dropna(
            one(inputs, self.name())?,
            self.how,
            self.thresh,
            subset.as_deref(),
        )?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Drop rows with NULLs (`how`: a [`DropHow`] or its name, `any` or `all`; `thresh`
    /// overrides it; `subset` limits the columns considered).
    #[track_caller]
    pub fn dropna(
        &self,
        how: impl Choice<DropHow>,
        thresh: Option<usize>,
        subset: Option<&[&str]>,
    ) -> WorkflowFrame<'w> {
        let (how, error) = chosen(how, DropHow::default());
        let frame = self.then(
            Op::new(DropNa {
                how,
                thresh,
                subset: subset.map(owned),
            }),
            SourceLocation::caller(),
        );
        if let Some(e) = error {
            self.wf.note(frame.id, &e);
        }
        frame
    }
}
