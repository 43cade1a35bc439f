//! The conversions between one logical partition's Arrow data and the shapes a transformer
//! declares, used by the generated code.
//!
//! Inputs: [`rows`] (`Vec<T>`, and `&[T]` borrowed from it), [`row_iter`]
//! (`impl Iterator<Item = T>`, lazy: at most one input batch of rows is held at a time),
//! [`batch`] (`RecordBatch`, the concatenated partition), [`batch_iter`]
//! (`impl Iterator<Item = RecordBatch>`, the stream itself); for the driver-side kinds,
//! [`frame_rows`] and [`frame_batch`] (a `DataFrame` is passed as is).
//!
//! Outputs: [`from_rows`], [`from_row`], [`from_row_iter`] (lazy, in chunks of
//! [`OUTPUT_BATCH_ROWS`] rows), [`from_batch`], [`from_batch_iter`],
//! [`from_result_batch_iter`], [`from_frame`], [`nothing`].
//!
//! An iterator input cannot return an error to the function; a failure while reading one (a bad
//! batch, a NULL in a non-`Option` field) ends the iteration and is parked in an [`ErrorSlot`],
//! which [`finish`] turns into the call's error. [`finish`] also turns a panic of a lazy output
//! into an error naming the function.

use crate::frame::{DataFrame, DataFrames};
use crate::function::{BatchStream, PanicError, PartitionState, PhysicalPartition};
use crate::record::Record;
use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use fugue_core::{FugueError, Result};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

/// The number of rows per output batch of an iterator of rows.
pub const OUTPUT_BATCH_ROWS: usize = 1024;

/// A compile-time check, spanned at the user's type, that it is a record type.
pub struct IsRecord<T: Record>(std::marker::PhantomData<fn() -> T>);

impl<T: Record> IsRecord<T> {
    /// The value.
    pub const OK: Self = IsRecord(std::marker::PhantomData);
}

/// A compile-time check, spanned at the user's error type, that it can be wrapped.
pub struct IsError<E: std::error::Error + Send + Sync + 'static>(
    std::marker::PhantomData<fn() -> E>,
);

impl<E: std::error::Error + Send + Sync + 'static> IsError<E> {
    /// The value.
    pub const OK: Self = IsError(std::marker::PhantomData);
}

/// The first error met while an iterator input was read (see the module docs).
#[derive(Clone, Default)]
pub struct ErrorSlot(Arc<Mutex<Option<FugueError>>>);

impl ErrorSlot {
    /// An empty slot.
    pub fn new() -> Self {
        ErrorSlot::default()
    }

    /// Keep `error` unless an earlier one is kept.
    pub fn set(&self, error: FugueError) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(error);
        }
    }

    /// Take the kept error.
    pub fn take(&self) -> Option<FugueError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// The input streams of one call, handed out in order.
pub struct Inputs<'a> {
    streams: std::vec::IntoIter<BatchStream<'a>>,
}

impl<'a> Inputs<'a> {
    /// The next input (an empty stream when an engine passed fewer).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> BatchStream<'a> {
        self.streams
            .next()
            .unwrap_or_else(|| Box::new(std::iter::empty()))
    }
}

/// The inputs of a call of `function`, which takes `expected` of them.
pub fn inputs<'a>(
    function: &str,
    streams: Vec<BatchStream<'a>>,
    expected: usize,
) -> Result<Inputs<'a>> {
    if streams.len() != expected {
        return Err(wrong_input_count(function, expected, streams.len()));
    }
    Ok(Inputs {
        streams: streams.into_iter(),
    })
}

/// The error for a call with the wrong number of inputs.
pub fn wrong_input_count(function: &str, expected: usize, got: usize) -> FugueError {
    FugueError::invalid_argument(
        "inputs",
        format!("`{function}` takes {expected} input(s), got {got}"),
    )
}

/// The error for a missing required callback.
pub fn missing_callback(function: &str) -> FugueError {
    FugueError::invalid_argument(
        "callback",
        format!("`{function}` requires a callback, but the step was given none"),
    )
}

/// An error the user's function returned, with the function's name.
pub fn user_error<E: std::error::Error + Send + Sync + 'static>(
    function: &str,
    error: E,
) -> FugueError {
    FugueError::external(format!("`{function}` returned an error"), error)
}

/// A panic of the user's function, as an error naming the function and the panic message.
pub fn panicked(function: &str, payload: Box<dyn Any + Send>) -> FugueError {
    FugueError::external(
        format!("`{function}` panicked"),
        PanicError::from_payload(payload.as_ref()),
    )
}

/// What an `on_init` function may return for the state `S` its transformer takes: `S`
/// itself, or `Result<S, E>` whose error fails the step.
#[diagnostic::on_unimplemented(
    message = "`on_init` returns `{Self}`, but the function takes the state `{S}`",
    label = "this `on_init` does not make the state the function takes",
    note = "an `on_init` function is `fn(&PhysicalPartition) -> S` or `fn(&PhysicalPartition) -> Result<S, E>`, where the transformer takes `&S` or `Arc<S>` (no state parameter: `S` is `()`)"
)]
pub trait IntoState<S> {
    /// The state, or the `on_init` function's error (named `init`).
    fn into_state(self, init: &str) -> Result<S>;
}

impl<S> IntoState<S> for S {
    fn into_state(self, _: &str) -> Result<S> {
        Ok(self)
    }
}

impl<S, E: std::error::Error + Send + Sync + 'static> IntoState<S> for Result<S, E> {
    fn into_state(self, init: &str) -> Result<S> {
        self.map_err(|e| user_error(init, e))
    }
}

/// Run the `on_init` function `init` (named `name`) on `partition`, panics caught, and share
/// the state it makes.
pub fn init<S, R>(
    name: &str,
    init: impl FnOnce(&PhysicalPartition) -> R,
    partition: &PhysicalPartition,
) -> Result<Option<PartitionState>>
where
    R: IntoState<S>,
    S: Any + Send + Sync,
{
    let state = guard(name, || init(partition))?.into_state(name)?;
    Ok(Some(Arc::new(state)))
}

/// The state of `function`'s physical partition, as the `Arc<S>` it takes.
pub fn shared_state<S: Any + Send + Sync>(
    function: &str,
    state: Option<&PartitionState>,
) -> Result<Arc<S>> {
    let state = state.cloned().ok_or_else(|| no_state(function))?;
    state.downcast::<S>().map_err(|_| {
        FugueError::Internal(format!(
            "the state of `{function}`'s `on_init` is not a `{}`",
            std::any::type_name::<S>()
        ))
    })
}

/// The state of `function`'s physical partition, as the `&S` it takes.
pub fn state<'s, S: Any + Send + Sync>(
    function: &str,
    state: Option<&'s PartitionState>,
) -> Result<&'s S> {
    let state = state.ok_or_else(|| no_state(function))?;
    state.downcast_ref::<S>().ok_or_else(|| {
        FugueError::Internal(format!(
            "the state of `{function}`'s `on_init` is not a `{}`",
            std::any::type_name::<S>()
        ))
    })
}

fn no_state(function: &str) -> FugueError {
    FugueError::InvalidOperation(format!(
        "`{function}` takes the state of its `on_init`, but its partition was not initialised \
         (the engine, or a hand-made `PartitionContext`, did not call `PartitionFunction::init`)"
    ))
}

/// Run `f` (the user's function), turning a panic into [`panicked`].
pub fn guard<R>(function: &str, f: impl FnOnce() -> R) -> Result<R> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| panicked(function, p))
}

/// The input frames of a driver-side function, handed out in order.
pub struct FrameInputs {
    frames: std::vec::IntoIter<DataFrame>,
}

impl FrameInputs {
    /// The next frame ([`frames`] checked that there are enough).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<DataFrame> {
        self.frames
            .next()
            .ok_or_else(|| FugueError::Internal("fewer input frames than checked".to_string()))
    }
}

/// The input frames of `function`, which takes `expected` of them.
pub fn frames(function: &str, frames: DataFrames, expected: usize) -> Result<FrameInputs> {
    if frames.len() != expected {
        return Err(wrong_input_count(function, expected, frames.len()));
    }
    Ok(FrameInputs {
        frames: frames.into_vec().into_iter(),
    })
}

/// All rows of an input.
pub fn rows<T: Record>(stream: BatchStream<'_>) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for batch in stream {
        out.extend(T::from_record_batch(&batch?)?);
    }
    Ok(out)
}

/// The rows of an input, read lazily (see [`RowIter`]).
pub fn row_iter<'a, T: Record>(stream: BatchStream<'a>, slot: &ErrorSlot) -> RowIter<'a, T> {
    RowIter {
        stream,
        current: Vec::new().into_iter(),
        slot: slot.clone(),
        done: false,
    }
}

/// The rows of an input stream, converted one batch at a time.
pub struct RowIter<'a, T> {
    stream: BatchStream<'a>,
    current: std::vec::IntoIter<T>,
    slot: ErrorSlot,
    done: bool,
}

impl<T: Record> Iterator for RowIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        loop {
            if let Some(row) = self.current.next() {
                return Some(row);
            }
            if self.done {
                return None;
            }
            let converted = match self.stream.next() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(batch) => batch.and_then(|b| T::from_record_batch(&b)),
            };
            match converted {
                Ok(rows) => self.current = rows.into_iter(),
                Err(e) => {
                    self.slot.set(e);
                    self.done = true;
                    return None;
                }
            }
        }
    }
}

/// The batches of an input, as they come (see [`BatchIter`]).
pub fn batch_iter<'a>(stream: BatchStream<'a>, slot: &ErrorSlot) -> BatchIter<'a> {
    BatchIter {
        stream,
        slot: slot.clone(),
        done: false,
    }
}

/// The batches of an input stream; a failed batch ends it (the error goes to the slot).
pub struct BatchIter<'a> {
    stream: BatchStream<'a>,
    slot: ErrorSlot,
    done: bool,
}

impl Iterator for BatchIter<'_> {
    type Item = RecordBatch;

    fn next(&mut self) -> Option<RecordBatch> {
        if self.done {
            return None;
        }
        match self.stream.next() {
            Some(Ok(batch)) => Some(batch),
            Some(Err(e)) => {
                self.slot.set(e);
                self.done = true;
                None
            }
            None => {
                self.done = true;
                None
            }
        }
    }
}

/// The whole input as one batch (an empty input without any batch is a batch with no column).
pub fn batch(stream: BatchStream<'_>) -> Result<RecordBatch> {
    let batches = stream.collect::<Result<Vec<_>>>()?;
    match batches.as_slice() {
        [] => Ok(RecordBatch::new_empty(Arc::new(
            arrow::datatypes::Schema::empty(),
        ))),
        [one] => Ok(one.clone()),
        [first, ..] => Ok(concat_batches(&first.schema(), &batches)?),
    }
}

/// A frame's rows (processors and outputters).
pub fn frame_rows<T: Record>(df: DataFrame) -> Result<Vec<T>> {
    rows(crate::function::stream_of(df.into_batches()?))
}

/// A frame as one batch (processors and outputters).
pub fn frame_batch(df: DataFrame) -> Result<RecordBatch> {
    let frame = df.to_arrow_frame()?;
    Ok(concat_batches(frame.arrow_schema(), frame.batches())?)
}

/// Rows as an output.
pub fn from_rows<T: Record>(rows: Vec<T>) -> Result<BatchStream<'static>> {
    if rows.is_empty() {
        return Ok(nothing());
    }
    Ok(crate::function::stream_of(vec![T::to_record_batch(&rows)?]))
}

/// One row as an output.
pub fn from_row<T: Record>(row: T) -> Result<BatchStream<'static>> {
    Ok(crate::function::stream_of(vec![T::to_record_batch(
        std::slice::from_ref(&row),
    )?]))
}

/// An iterator of rows as an output, converted lazily in chunks of [`OUTPUT_BATCH_ROWS`].
pub fn from_row_iter<'a, T, I>(rows: I) -> BatchStream<'a>
where
    T: Record + 'a,
    I: Iterator<Item = T> + Send + 'a,
{
    Box::new(T::batches_from_iter(rows, OUTPUT_BATCH_ROWS))
}

/// One batch as an output.
pub fn from_batch(batch: RecordBatch) -> BatchStream<'static> {
    crate::function::stream_of(vec![batch])
}

/// An iterator of batches as an output.
pub fn from_batch_iter<'a, I>(batches: I) -> BatchStream<'a>
where
    I: Iterator<Item = RecordBatch> + Send + 'a,
{
    Box::new(batches.map(Ok))
}

/// An iterator of fallible batches as an output; an error names the function.
pub fn from_result_batch_iter<'a, E, I>(function: &'static str, batches: I) -> BatchStream<'a>
where
    E: std::error::Error + Send + Sync + 'static,
    I: Iterator<Item = std::result::Result<RecordBatch, E>> + Send + 'a,
{
    Box::new(batches.map(move |b| b.map_err(|e| user_error(function, e))))
}

/// A frame as an output.
pub fn from_frame(df: DataFrame) -> Result<BatchStream<'static>> {
    Ok(crate::function::stream_of(df.into_batches()?))
}

/// No output.
pub fn nothing() -> BatchStream<'static> {
    Box::new(std::iter::empty())
}

/// The output stream of a call: reports an error parked while an iterator input was read, and
/// turns a panic while the output is produced into an error naming the function.
pub fn finish<'a>(
    function: &'static str,
    output: BatchStream<'a>,
    slot: ErrorSlot,
) -> BatchStream<'a> {
    Box::new(Finish {
        function,
        output,
        slot,
        done: false,
    })
}

struct Finish<'a> {
    function: &'static str,
    output: BatchStream<'a>,
    slot: ErrorSlot,
    done: bool,
}

impl Iterator for Finish<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Result<RecordBatch>> {
        if self.done {
            return None;
        }
        let next = catch_unwind(AssertUnwindSafe(|| self.output.next()));
        // An input error makes the output wrong: report it instead of what was produced.
        if let Some(e) = self.slot.take() {
            self.done = true;
            return Some(Err(e));
        }
        match next {
            Ok(Some(Ok(batch))) => Some(Ok(batch)),
            Ok(Some(Err(e))) => {
                self.done = true;
                Some(Err(e))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(payload) => {
                self.done = true;
                Some(Err(panicked(self.function, payload)))
            }
        }
    }
}
