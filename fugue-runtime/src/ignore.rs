//! `ignore_errors` (reference §9.4): a logical partition whose call fails with one of the listed
//! errors contributes no rows, and is reported instead of failing the step.
//!
//! [`IgnoreErrors`] lists what is ignored: error types, matched by downcast anywhere in the
//! error's source chain (the function's own error type is the source of the error the macros
//! wrap it in), error kinds, matched against the root cause's [`FugueError::kind`], and panics,
//! which are never ignored unless [`IgnoreErrors::panics`] is listed (a kind matches no panic).
//!
//! [`run_skipping`] applies a list to a function: it wraps it in a [`PartitionFunction`] like
//! any other, so every engine of one machine runs it the same way (the workflow builder's
//! [`ignore_errors`](crate::workflow::WorkflowFrame::ignore_errors) and `fugue::Transform`'s use
//! it). The wrapper reads each call's output to its end before passing it on, so that a failing
//! partition contributes no row at all: with errors to ignore, a partition's output is held in
//! memory (Fugue materialises it too).

use crate::frame::DataFrame;
use crate::function::{
    BatchStream, PanicError, Params, PartitionContext, PartitionCursor, PartitionFunction,
    PartitionState, PhysicalPartition, stream_of,
};
use crate::transformer::CodeIdentity;
use crate::value::Value;
use arrow::array::RecordBatch;
use fugue_core::{ErrorKind, FugueError, PartitionSpec, Result, Schema};
use std::error::Error;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex};

/// One kind of error to ignore.
#[derive(Clone)]
enum Matcher {
    /// An error type, by downcast.
    Type {
        name: &'static str,
        is: fn(&(dyn Error + 'static)) -> bool,
    },
    /// An error kind of the root cause.
    Kind(ErrorKind),
    /// A panic.
    Panics,
}

/// The errors whose logical partitions are skipped instead of failing the step (Fugue's
/// `ignore_errors`).
///
/// ```
/// use fugue_runtime::fugue_core::{ErrorKind, FugueError};
/// use fugue_runtime::ignore::IgnoreErrors;
///
/// let ignore = IgnoreErrors::new().error::<std::num::ParseIntError>().kind(ErrorKind::Conversion);
/// let parse = "x".parse::<i64>().unwrap_err();
/// assert!(ignore.matches(&FugueError::external("`f` returned an error", parse)));
/// assert!(!ignore.matches(&FugueError::invalid_argument("a", "no")));
/// assert_eq!(ignore.to_string(), "core::num::error::ParseIntError, kind Conversion");
/// ```
#[derive(Clone, Default)]
pub struct IgnoreErrors {
    matchers: Vec<Matcher>,
}

impl IgnoreErrors {
    /// Nothing ignored.
    pub fn new() -> Self {
        IgnoreErrors::default()
    }

    /// Also ignore errors of type `E` (the function's error type, or any error in the chain of
    /// sources of the call's error).
    pub fn error<E: Error + 'static>(mut self) -> Self {
        fn is<E: Error + 'static>(e: &(dyn Error + 'static)) -> bool {
            e.is::<E>()
        }
        self.matchers.push(Matcher::Type {
            name: std::any::type_name::<E>(),
            is: is::<E>,
        });
        self
    }

    /// Also ignore errors whose root cause ([`FugueError::root`]) has this kind (a panic
    /// excepted).
    pub fn kind(mut self, kind: ErrorKind) -> Self {
        self.matchers.push(Matcher::Kind(kind));
        self
    }

    /// Also ignore panics of the function (never ignored otherwise).
    pub fn panics(mut self) -> Self {
        self.matchers.push(Matcher::Panics);
        self
    }

    /// Whether nothing is ignored.
    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    /// Whether a call failing with `error` is skipped. A panic (an error whose chain holds a
    /// [`PanicError`]) is skipped only when [`panics`](Self::panics) is listed.
    pub fn matches(&self, error: &FugueError) -> bool {
        let chain = || {
            std::iter::successors(Some(error as &(dyn Error + 'static)), |e| {
                let e: &(dyn Error + 'static) = *e;
                e.source()
            })
        };
        if chain().any(|e| e.is::<PanicError>()) {
            return self.ignores_panics();
        }
        self.matchers.iter().any(|m| match m {
            Matcher::Type { is, .. } => chain().any(is),
            Matcher::Kind(kind) => error.root().kind() == *kind,
            Matcher::Panics => false,
        })
    }

    fn ignores_panics(&self) -> bool {
        self.matchers.iter().any(|m| matches!(m, Matcher::Panics))
    }
}

impl fmt::Display for IgnoreErrors {
    /// `std::io::error::Error, kind Conversion, panics` (in `explain` and checkpoint keys).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .matchers
            .iter()
            .map(|m| match m {
                Matcher::Type { name, .. } => (*name).to_string(),
                Matcher::Kind(kind) => format!("kind {kind}"),
                Matcher::Panics => "panics".to_string(),
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

impl fmt::Debug for IgnoreErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IgnoreErrors({self})")
    }
}

/// A logical partition skipped because its call failed with an ignored error.
#[derive(Debug)]
pub struct SkippedPartition {
    step: String,
    cursor: PartitionCursor,
    error: FugueError,
}

impl Clone for SkippedPartition {
    fn clone(&self) -> Self {
        SkippedPartition {
            step: self.step.clone(),
            cursor: self.cursor.clone(),
            error: self.error.duplicate(),
        }
    }
}

impl SkippedPartition {
    /// The step (or, outside a workflow, the function) whose partition was skipped.
    pub fn step(&self) -> &str {
        &self.step
    }

    /// The partition's cursor: its keys ([`PartitionCursor::key_names`],
    /// [`PartitionCursor::key_values`]) and numbers.
    pub fn cursor(&self) -> &PartitionCursor {
        &self.cursor
    }

    /// The partition's keys, `(name, value)` in the spec's order (empty without keys).
    pub fn keys(&self) -> Vec<(&str, &Value)> {
        self.cursor
            .key_names()
            .iter()
            .map(String::as_str)
            .zip(self.cursor.key_values())
            .collect()
    }

    /// The error the call failed with.
    pub fn error(&self) -> &FugueError {
        &self.error
    }
}

impl fmt::Display for SkippedPartition {
    /// `` step `priced` skipped city="Paris": `price` returned an error: no price ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step `{}` skipped {}: {}",
            self.step, self.cursor, self.error
        )
    }
}

/// Run `map` (an engine's map or comap of `function`) with the errors of `ignore` skipped, and
/// return its output with the partitions skipped, reported under `step`, ordered by physical
/// then logical partition number. With nothing to ignore, `map` runs `function` itself;
/// otherwise it runs a wrapper whose calls that fail with an ignored error return no rows, and
/// the output is read to its end before the skipped partitions are collected.
pub fn run_skipping(
    function: Arc<dyn PartitionFunction>,
    ignore: &IgnoreErrors,
    step: &str,
    map: impl FnOnce(Arc<dyn PartitionFunction>) -> Result<DataFrame>,
) -> Result<(DataFrame, Vec<SkippedPartition>)> {
    if ignore.is_empty() {
        return Ok((map(function)?, Vec::new()));
    }
    let skipping = Arc::new(SkipErrors::new(function, ignore.clone()));
    let df = map(skipping.clone())?;
    let df = DataFrame::from(df.to_arrow_frame()?);
    Ok((df, skipping.skipped(step)))
}

/// `function` with the errors of `ignore` skipped: a call failing with one of them returns no
/// rows and is recorded (see the [module docs](self)). Hand-written functions that panic are
/// caught here too; a panic not ignored resumes, for the engine to report.
struct SkipErrors {
    inner: Arc<dyn PartitionFunction>,
    ignore: IgnoreErrors,
    skipped: Mutex<Vec<(PartitionCursor, FugueError)>>,
}

impl SkipErrors {
    /// Skip the errors `ignore` lists in the calls of `inner`.
    fn new(inner: Arc<dyn PartitionFunction>, ignore: IgnoreErrors) -> Self {
        SkipErrors {
            inner,
            ignore,
            skipped: Mutex::new(Vec::new()),
        }
    }

    /// The partitions skipped so far, as reported by `step`, ordered by physical then logical
    /// partition number.
    fn skipped(&self, step: &str) -> Vec<SkippedPartition> {
        let skipped = self.skipped.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<SkippedPartition> = skipped
            .iter()
            .map(|(cursor, error)| SkippedPartition {
                step: step.to_string(),
                cursor: cursor.clone(),
                error: error.duplicate(),
            })
            .collect();
        out.sort_by_key(|s| (s.cursor.physical_partition_no(), s.cursor.partition_no()));
        out
    }

    fn skip(&self, cursor: PartitionCursor, error: FugueError) {
        self.skipped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((cursor, error));
    }
}

impl PartitionFunction for SkipErrors {
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// `None`: the error filter runs where the calls run, so the function cannot be shipped to
    /// a distributed engine's executors by name.
    fn registered_name(&self) -> Option<&str> {
        None
    }

    fn code_identity(&self) -> Option<CodeIdentity> {
        self.inner.code_identity()
    }

    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        self.inner.output_schema(inputs)
    }

    fn typed_inputs(&self) -> Vec<Option<(&'static str, Schema)>> {
        self.inner.typed_inputs()
    }

    fn declaration(&self) -> Option<crate::transformer::Declaration> {
        self.inner.declaration()
    }

    fn check(
        &self,
        spec: &PartitionSpec,
        inputs: &[Schema],
        params: &Params,
        has_callback: bool,
    ) -> Result<()> {
        self.inner.check(spec, inputs, params, has_callback)
    }

    fn init(&self, partition: &PhysicalPartition) -> Result<Option<PartitionState>> {
        self.inner.init(partition)
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        let cursor = ctx.cursor.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Vec<RecordBatch>> {
            self.inner.call(ctx, inputs)?.collect()
        }));
        let error = match outcome {
            Ok(Ok(batches)) => return Ok(stream_of(batches)),
            Ok(Err(error)) => error,
            Err(payload) if self.ignore.ignores_panics() => FugueError::external(
                format!("`{}` panicked", self.inner.name()),
                PanicError::from_payload(payload.as_ref()),
            ),
            Err(payload) => resume_unwind(payload),
        };
        if self.ignore.matches(&error) {
            self.skip(cursor, error);
            Ok(stream_of(Vec::new()))
        } else {
            Err(error)
        }
    }
}
