//! `take`: the first rows after a presort, overall or per partition-key group.

use super::{Choice, Op, Operation, PlanContext, RunContext, chosen, one};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::options::NaPosition;
use fugue_core::rules::eval;
use fugue_core::{Result, Schema, SortKey};

/// The first rows, overall or per partition.
#[derive(Clone)]
pub(crate) struct Take {
    n: usize,
    /// The presort as written (explain, keys).
    presort: String,
    /// The presort, parsed when declared (empty = the partition spec's presort).
    sorts: Vec<SortKey>,
    na_position: NaPosition,
}

impl Operation for Take {
    fn name(&self) -> &'static str {
        "take"
    }

    fn args(&self) -> String {
        format!(
            "n={}, presort={:?}, na_position={}",
            self.n, self.presort, self.na_position
        )
    }

    fn key_args(&self) -> String {
        format!(
            "n={}; presort={:?}; na_position={:?}",
            self.n,
            self.presort,
            self.na_position.name()
        )
    }

    /// The partition keys and presort columns must be columns of a known input (the
    /// compile-time check's rule and sentence).
    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        if let Some(schema) = cx.first() {
            for key in cx.spec.keys() {
                eval::check_column(&schema, "partition key", key, cx.name(0), cx.step)?;
            }
            let sorts = if self.sorts.is_empty() {
                cx.spec.presort()
            } else {
                &self.sorts
            };
            for key in sorts {
                eval::check_column(&schema, "presort column", &key.name, cx.name(0), cx.step)?;
            }
        }
        Ok(cx.first())
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(cx.engine.take(
            one(inputs, self.name())?,
            self.n,
            &self.sorts,
            self.na_position,
            cx.spec,
        )?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// The first `n` rows after sorting by `presort` (empty = the partition spec's presort),
    /// per partition-key group when [`partition`](Self::partition) was given; NULLs last.
    #[track_caller]
    pub fn take(&self, n: usize, presort: &str) -> WorkflowFrame<'w> {
        self.take_at(n, presort, NaPosition::Last, SourceLocation::caller())
    }

    /// [`take`](Self::take) with NULLs placed `first` or `last` (a [`NaPosition`] or its
    /// name).
    #[track_caller]
    pub fn take_na(
        &self,
        n: usize,
        presort: &str,
        na_position: impl Choice<NaPosition>,
    ) -> WorkflowFrame<'w> {
        let (na_position, error) = chosen(na_position, NaPosition::Last);
        let frame = self.take_at(n, presort, na_position, SourceLocation::caller());
        if let Some(e) = error {
            self.wf.note(frame.id, &e);
        }
        frame
    }

    fn take_at(
        &self,
        n: usize,
        presort: &str,
        na_position: NaPosition,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        let (sorts, error) = if presort.trim().is_empty() {
            (Vec::new(), None)
        } else {
            match fugue_core::partition::parse_presort(presort) {
                Ok(sorts) => (sorts, None),
                Err(e) => (Vec::new(), Some(e)),
            }
        };
        let frame = self.then(
            Op::new(Take {
                n,
                presort: presort.to_string(),
                sorts,
                na_position,
            }),
            source,
        );
        if let Some(e) = error {
            self.wf.note(frame.id, e);
        }
        frame
    }
}
