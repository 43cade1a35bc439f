//! `sample`: random rows, a number or a fraction.

use super::{Op, Operation, PlanContext, RunContext, one};
use crate::engine::SampleSize;
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::{Result, Schema};

/// Random rows.
#[derive(Clone)]
pub(crate) struct Sample {
    size: SampleSize,
    replace: bool,
    seed: Option<u64>,
}

impl Operation for Sample {
    fn name(&self) -> &'static str {
        "sample"
    }

    fn args(&self) -> String {
        let (n, frac) = match self.size {
            SampleSize::Rows(n) => (n.to_string(), String::new()),
            SampleSize::Fraction(f) => (String::new(), f.to_string()),
        };
        let seed = self.seed.map(|v| v.to_string()).unwrap_or_default();
        format!("n={n}, frac={frac}, replace={}, seed={seed}", self.replace)
    }

    fn key_args(&self) -> String {
        format!(
            "size={:?}; replace={}; seed={:?}",
            self.size, self.replace, self.seed
        )
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(cx.first())
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(cx.engine.sample(
            one(inputs, self.name())?,
            self.size,
            self.replace,
            self.seed,
        )?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// `n` random rows.
    #[track_caller]
    pub fn sample_n(&self, n: usize, replace: bool, seed: Option<u64>) -> WorkflowFrame<'w> {
        self.sample(Some(n), None, replace, seed, SourceLocation::caller())
    }

    /// A random fraction of the rows (finite and non-negative).
    #[track_caller]
    pub fn sample_frac(&self, frac: f64, replace: bool, seed: Option<u64>) -> WorkflowFrame<'w> {
        self.sample(None, Some(frac), replace, seed, SourceLocation::caller())
    }

    fn sample(
        &self,
        n: Option<usize>,
        frac: Option<f64>,
        replace: bool,
        seed: Option<u64>,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        let (size, error) = match SampleSize::from_options(n, frac) {
            Ok(size) => (size, None),
            Err(e) => (SampleSize::Rows(0), Some(e)),
        };
        let frame = self.then(
            Op::new(Sample {
                size,
                replace,
                seed,
            }),
            source,
        );
        if let Some(e) = error {
            self.wf.note(frame.id, &e);
        }
        frame
    }
}
