//! `aggregate`: SQL aggregates per the partition keys.

use super::{Op, Operation, PlanContext, RunContext, check_pairs, one, owned_pairs};
use super::{pairs_text, str_pairs};
use crate::engine::planned;
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::rules::eval;
use fugue_core::{Result, Schema};

/// Aggregates `(name, SQL aggregate)` per the partition keys.
#[derive(Clone)]
pub(crate) struct Aggregate {
    columns: Vec<(String, String)>,
}

impl Operation for Aggregate {
    fn name(&self) -> &'static str {
        "aggregate"
    }

    fn args(&self) -> String {
        pairs_text(&self.columns)
    }

    fn key_args(&self) -> String {
        format!("{:?}", self.columns)
    }

    /// The aggregation keys must be columns of a known input (the compile-time check's rule and
    /// sentence); the output schema is planned by the code that runs the step
    /// ([`crate::engine::planned`]).
    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        check_pairs(self.name(), &self.columns)?;
        let Some(schema) = cx.first() else {
            return Ok(None);
        };
        for key in cx.spec.keys() {
            eval::check_column(&schema, "aggregation key", key, cx.name(0), cx.step)?;
        }
        let keys: Vec<&str> = cx.spec.keys().iter().map(String::as_str).collect();
        planned::aggregate(&schema, &keys, &str_pairs(&self.columns))
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let keys: Vec<&str> = cx
            .spec_or_empty()
            .keys()
            .iter()
            .map(String::as_str)
            .collect();
        Ok(Some(cx.engine.aggregate(
            one(inputs, self.name())?,
            &keys,
            &str_pairs(&self.columns),
        )?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Aggregates `(name, SQL aggregate)` grouped by the keys of
    /// [`partition`](Self::partition) (none: one row).
    #[track_caller]
    pub fn aggregate(&self, columns: &[(&str, &str)]) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Aggregate {
                columns: owned_pairs(columns),
            }),
            SourceLocation::caller(),
        )
    }
}
