//! The parallel executor of the local engine: runs a [`PartitionFunction`] over the partitions
//! of Arrow data on every core (reference §2.6 map, §2.7 comap, §5 partitioning, §7 callbacks).
//!
//! [`parallel_map`] gives the same multiset of calls, and the same multiset of output rows, as
//! the single-threaded reference [`crate::function::run_map`] for every bounded input (the only
//! documented differences are the cursor's partition numbers, `coarse` with more than one
//! physical partition, and the streaming mode below). [`parallel_comap`] is the co-transformer
//! substrate; [`run_comap`] is its single-threaded reference.
//!
//! # Threads and channels
//!
//! One run is a feeder thread, `workers` worker threads, and the caller's own thread acting as
//! the driver. The threads own what they use (the function is an `Arc`), so the driver can
//! return without waiting for a call that does not return.
//!
//! ```text
//!            feeder thread                    worker threads                driver = caller's thread
//!  input ──► physical partitioning ──calls──► (shared, bounded) ──┐
//!            (hash / rand / even by key,   └─routes─► (one bounded  ├─► call the function ──outputs──► sink / collect
//!             or whole logical partitions)     channel per worker) ─┘   (bounded)         ▲
//!                                                  │ Callback::call ──requests (bounded)──►│ runs the handler
//!                                                  ◄──────────────── reply (bounded(1)) ───┘
//! ```
//!
//! * The feeder reads the input batch by batch. With partition keys it computes each row's
//!   physical partition (hash of the [`arrow::row`] encoding of the keys with a fixed-seed hasher;
//!   `rand` = the same with the run's seed; `even` = distinct keys numbered by first appearance,
//!   `index % P`) and sends each worker the rows of the physical partitions it owns (partition
//!   `p` belongs to worker `p % workers`). When the input ends, each worker splits each of its
//!   physical partitions into logical ones with [`crate::partitioning::logical_partitions`], the
//!   code the reference uses, and calls the function once per logical partition.
//! * Without keys there is nothing to route: the feeder computes the logical partitions (one
//!   call with everything, `num` contiguous chunks, or, for `coarse`, one call per contiguous
//!   range of rows) and sends them whole on a shared channel that any idle worker reads.
//! * Streams: without keys, presort and `num` (see [`ExecutorOptions::stream_chunk_rows`]), a
//!   [`StreamFrame`](crate::frame::StreamFrame) is never materialised: consecutive batches are
//!   grouped into chunks of about `stream_chunk_rows` rows, and each chunk is one call. A
//!   stream that is one frame's rows (a plan's) is one call, as the frame would be, and that
//!   call reads the stream itself: a function that reads its input as it comes (an iterator)
//!   runs over a plan in bounded memory.
//! * Callbacks ([`Handler`]) run on the driver thread, one at a time, so a handler may be a
//!   plain `FnMut` that is neither `Send` nor `Sync`. The driver waits on the output channel and
//!   the callback channel at once (`select!`).
//!
//! # Invariants
//!
//! * **No thread outlives its call**: a run that succeeds joins every thread before it returns.
//!   A run that fails returns at once (see below); a thread still inside a user call is then
//!   detached and ends when the call returns, and every other thread ends at its next look at
//!   the cancel flag or channel. A detached call's outputs and callbacks are refused (their
//!   channels are closed), and so is a [`crate::function::Callback`] kept by a function after
//!   its run.
//! * **Bounded memory for streams**: every channel is bounded ([`ExecutorOptions::channel_capacity`]),
//!   so the feeder blocks when workers fall behind and workers block when the driver does. In
//!   streaming mode at most about `channel_capacity + workers + 1` chunks are alive at once (plus
//!   the outputs waiting in the output channel). With keys, workers hold their physical
//!   partitions until the input ends (a group must be complete before its call).
//! * **First error wins**: the first failure (a function's `Err`, a panic, a bad output schema,
//!   a failing input, a failing callback handler or sink) is recorded, a shared cancel flag is
//!   raised and every other error is dropped, and the driver returns the error at once. Workers
//!   check the flag between partitions and between batches (the input streams a function reads
//!   end with an error once the run is cancelled), the feeder stops reading and sending.
//! * **Time limits and cancel**: under a step's [`control`](crate::control) (a workflow step:
//!   `workflow.step_timeout`, the workflow's canceller, the failure of another step) the
//!   driver looks at it every 10 ms and fails the run with its error the same way.
//!   A function's error names the function, the partition's key values and the cause
//!   ([`crate::function::in_partition`]); a panic's payload becomes the cause's message.
//! * A callback handler's error is the run's error as the handler returned it (the function
//!   that called it receives an error saying the handler failed).

mod callback;
mod comap;
mod pool;
mod route;

pub use callback::Handler;
pub use comap::{
    ZipHow, parallel_comap, parallel_comap_into, run_comap, run_comap_on_partition, zip_keys,
};

use crate::frame::{ArrowFrame, DataFrame};
use crate::function::{BatchStream, Cursors, Params, PartitionFunction, stream_of};
use crate::partitioning::{even_chunks, logical_partitions};
use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use arrow::datatypes::SchemaRef;
use fugue_core::{FugueError, PartitionAlgo, PartitionSpec, Result, Schema};
use pool::{Call, Feeder, Job};
use route::{Placement, Router};
use std::sync::Arc;

/// How a parallel run is executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutorOptions {
    /// Worker threads (at least 1; default: the machine's available parallelism). It is also
    /// the value of `CONCURRENCY` in a spec's `num` expression, and the number of physical
    /// partitions when `num <= 0`.
    pub workers: usize,
    /// Capacity of every channel, in messages (at least 1; default 4): the backpressure bound.
    pub channel_capacity: usize,
    /// Streaming mode only: a chunk (one call) ends with the first batch that brings it to at
    /// least this many rows (at least 1; default 65,536). With 1, every batch is its own call.
    pub stream_chunk_rows: usize,
    /// Seed of the `rand` algorithm (default 0): the same seed places the same keys in the same
    /// physical partitions.
    pub seed: u64,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        ExecutorOptions {
            workers: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(1),
            channel_capacity: 4,
            stream_chunk_rows: 65_536,
            seed: 0,
        }
    }
}

impl ExecutorOptions {
    /// The defaults with this many workers.
    pub fn with_workers(workers: usize) -> Self {
        ExecutorOptions {
            workers,
            ..ExecutorOptions::default()
        }
    }

    /// The number of workers, at least 1.
    pub fn worker_count(&self) -> usize {
        self.workers.max(1)
    }

    fn capacity(&self) -> usize {
        self.channel_capacity.max(1)
    }
}

/// The parallel map primitive: split `df` into the partitions of `spec`, call `function` once
/// per logical partition on `options.workers` threads, check every output batch against the
/// function's output schema and concatenate them (an empty result is an empty frame of the
/// output schema).
///
/// Calls are the same as [`crate::function::run_map`]'s, with two documented exceptions; their
/// order across partitions is not deterministic, the rows of one call keep the function's order.
///
/// * **Streaming mode**: when `df` is a [`StreamFrame`](crate::frame::StreamFrame) and the spec
///   has no keys, no presort, `num <= 0` and is not `coarse`, Fugue's local engines would pass
///   the whole stream to one call. Here consecutive batches are grouped into chunks of at least
///   [`ExecutorOptions::stream_chunk_rows`] rows (the last one may be smaller; batches are not
///   concatenated), each chunk is one call (cursor: logical and physical number = chunk
///   number), and the chunks run in parallel: memory stays bounded by about
///   `channel_capacity + workers + 1` chunks whatever the stream's length. A stream with no row
///   is one call with an empty input. A stream that is one frame's rows (a plan read as a
///   stream) is not chunked: it is one call, as the frame is, and the call reads the stream as
///   it comes (never materialised first). Every other spec materialises a stream first
///   (`ROWCOUNT` in `num` included), except that keyed routing reads it batch by batch.
/// * **`coarse`** is one call per physical partition: the same as the reference when there is
///   one physical partition (`num = 1`, or one worker and `num <= 0`).
///
/// `handler`, when given, answers the function's [`crate::function::Callback`] on the calling
/// thread (see [`Handler`]).
///
/// ```
/// use fugue_runtime::executor::{ExecutorOptions, parallel_map};
/// use fugue_runtime::function::{BatchStream, PartitionContext, PartitionFunction, Params};
/// use fugue_runtime::{DataFrame, IntoDataFrame, Value};
/// use fugue_runtime::fugue_core::{PartitionSpec, Result, Schema};
/// use std::sync::Arc;
///
/// struct Identity;
/// impl PartitionFunction for Identity {
///     fn name(&self) -> &str { "identity" }
///     fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> { Ok(inputs[0].clone()) }
///     fn call<'a>(&'a self, _: PartitionContext, mut inputs: Vec<BatchStream<'a>>) -> Result<BatchStream<'a>> {
///         Ok(inputs.remove(0))
///     }
/// }
///
/// let rows = (0..100).map(|i| vec![Value::from(i % 7), Value::from(i)]).collect::<Vec<_>>();
/// let df: DataFrame = (rows, "k:long,v:long").into_dataframe()?;
/// let spec = PartitionSpec::parse("by=k")?;
/// let out = parallel_map(df, Arc::new(Identity), &spec, Arc::new(Params::new()), None, &ExecutorOptions::with_workers(4))?;
/// assert_eq!(out.count()?, 100);
/// # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
/// ```
pub fn parallel_map(
    df: DataFrame,
    function: Arc<dyn PartitionFunction>,
    spec: &PartitionSpec,
    params: Arc<Params>,
    handler: Option<Handler<'_>>,
    options: &ExecutorOptions,
) -> Result<DataFrame> {
    let mut out = Vec::new();
    let schema = parallel_map_into(df, function, spec, params, handler, options, &mut |b| {
        out.push(b);
        Ok(())
    })?;
    Ok(DataFrame::from(ArrowFrame::new(schema, out)?))
}

/// [`parallel_map`] that hands every output batch to `sink` (on the calling thread) instead of
/// collecting them, and returns the output schema: with a streaming input and a sink that does
/// not keep the batches, the whole run is in bounded memory. An error of `sink` fails the run.
pub fn parallel_map_into(
    df: DataFrame,
    function: Arc<dyn PartitionFunction>,
    spec: &PartitionSpec,
    params: Arc<Params>,
    handler: Option<Handler<'_>>,
    options: &ExecutorOptions,
    sink: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> Result<Schema> {
    let input_schema = df.schema().clone();
    let inputs = std::slice::from_ref(&input_schema);
    function.check(spec, inputs, &params, handler.is_some())?;
    let output_schema = function.output_schema(inputs)?;
    // Every key and presort column must exist before any data moves.
    spec.sorts(&input_schema, true)?;
    let arrow_schema: SchemaRef = Arc::new(input_schema.to_arrow());
    let cursors = Arc::new(Cursors::new(&input_schema, spec.keys())?);
    let workers = options.worker_count();
    let (df, row_count) = count_if_needed(df, spec)?;
    let num = spec.num_partitions(row_count, workers as u64)?;
    let has_keys = !spec.keys().is_empty();
    let coarse = spec.algo() == PartitionAlgo::Coarse;

    let owned_spec = Arc::new(spec.clone());
    let split = {
        let (schema, spec, cursors) = (arrow_schema.clone(), owned_spec.clone(), cursors.clone());
        move |physical_no: usize, mut inputs: Vec<Vec<RecordBatch>>| -> Result<Vec<Call>> {
            let batches = inputs.pop().unwrap_or_default();
            logical_calls(&schema, &batches, &spec, &cursors, workers, physical_no)
        }
    };
    let job = Job {
        function,
        output_schema: output_schema.clone(),
        params,
        inputs: 1,
        routed: has_keys,
        split: Box::new(split),
    };

    if has_keys {
        let placement = placement(spec.algo(), num, workers, options.seed);
        let key_indices = key_indices(&arrow_schema, spec.keys())?;
        let key_types = key_indices
            .iter()
            .map(|i| arrow_schema.field(*i).data_type().clone())
            .collect();
        let mut router = Router::new(key_types, placement)?;
        let feed = move |feeder: &Feeder| -> Result<()> {
            for batch in into_stream(df)? {
                if feeder.cancelled() {
                    return Ok(());
                }
                if !router.route(feeder, 0, &batch?, &key_indices)? {
                    return Ok(());
                }
            }
            Ok(())
        };
        pool::run(job, feed, handler, sink, options)?;
        return Ok(output_schema);
    }

    // A stream that is one frame's rows (a plan's) is one frame, as in Fugue: no chunks.
    let streaming = matches!(&df, DataFrame::Stream(s) if !s.is_one_frame())
        && !coarse
        && spec.presort().is_empty()
        && num <= 0;
    if streaming {
        let chunk_rows = options.stream_chunk_rows.max(1);
        let feed = move |feeder: &Feeder| -> Result<()> {
            let mut chunk: Vec<RecordBatch> = Vec::new();
            let (mut rows, mut sent) = (0, 0);
            for batch in into_stream(df)? {
                if feeder.cancelled() {
                    return Ok(());
                }
                let batch = batch?;
                if batch.num_rows() == 0 {
                    continue;
                }
                rows += batch.num_rows();
                chunk.push(batch);
                if rows >= chunk_rows {
                    if !feeder.call(chunk_call(&cursors, std::mem::take(&mut chunk), sent)?) {
                        return Ok(());
                    }
                    rows = 0;
                    sent += 1;
                }
            }
            if !chunk.is_empty() || sent == 0 {
                // The tail, or one call with an empty input when the stream had no row.
                feeder.call(chunk_call(&cursors, chunk, sent)?);
            }
            Ok(())
        };
        pool::run(job, feed, handler, sink, options)?;
        return Ok(output_schema);
    }

    // One call over a frame read as a stream (a plan's rows): the call reads the stream
    // itself, so a function that reads its input as it comes (an iterator) and the steps
    // after it run in bounded memory. An empty stream takes the path below (one call with an
    // empty batch, as for any empty frame).
    let single = !coarse && spec.presort().is_empty() && num <= 0;
    let mut df = match df {
        #[cfg(feature = "datafusion")]
        DataFrame::Plan(plan) if single => DataFrame::Stream(plan.into_stream()?),
        other => other,
    };
    let streamed = single
        && match &mut df {
            DataFrame::Stream(stream) => stream.peek_batch()?.is_some(),
            _ => false,
        };
    match df {
        DataFrame::Stream(mut stream) if streamed => {
            let cursor = cursors.cursor(None, stream.peek_batch()?, 0, 0)?;
            let feed = move |feeder: &Feeder| -> Result<()> {
                feeder.call(Call {
                    inputs: vec![Box::new(stream)],
                    cursor,
                });
                Ok(())
            };
            pool::run(job, feed, handler, sink, options)?;
        }
        df => {
            // Everything in memory: one call with everything, `num` contiguous chunks, or
            // `coarse` ranges.
            let (frame_schema, spec) = (arrow_schema, owned_spec);
            let feed = move |feeder: &Feeder| -> Result<()> {
                let batches = df.into_batches()?;
                let calls = if coarse {
                    coarse_ranges(&frame_schema, &batches, &spec, &cursors, workers, num)?
                } else {
                    logical_calls(&frame_schema, &batches, &spec, &cursors, workers, 0)?
                        .into_iter()
                        .enumerate()
                        .map(|(i, mut call)| {
                            // Each chunk is its own physical partition.
                            call.cursor = call.cursor.with_physical_partition_no(i);
                            call
                        })
                        .collect()
                };
                drop(batches);
                for call in calls {
                    if feeder.cancelled() || !feeder.call(call) {
                        return Ok(());
                    }
                }
                Ok(())
            };
            pool::run(job, feed, handler, sink, options)?;
        }
    }
    Ok(output_schema)
}

/// The frame, and its row count when the spec's `num` needs `ROWCOUNT` (0 otherwise): a stream
/// or a plan is then materialised.
fn count_if_needed(df: DataFrame, spec: &PartitionSpec) -> Result<(DataFrame, u64)> {
    if !spec.num().text().contains("ROWCOUNT") {
        return Ok((df, 0));
    }
    // Computed once: a stream cannot be counted, a plan would run twice.
    let df = df.materialize()?;
    let count = df.count()? as u64;
    Ok((df, count))
}

/// Where rows go, for a spec with keys.
fn placement(algo: PartitionAlgo, num: i64, workers: usize, seed: u64) -> Placement {
    let fixed = usize::try_from(num).ok().filter(|n| *n > 0);
    match algo {
        PartitionAlgo::Even => Placement::Even { partitions: fixed },
        PartitionAlgo::Rand => Placement::Hash {
            partitions: fixed.unwrap_or(workers),
            // Any fixed salt distinguishes `rand` from `hash`; the seed makes it reproducible.
            seed: seed ^ 0x9e37_79b9_7f4a_7c15,
        },
        _ => Placement::Hash {
            partitions: fixed.unwrap_or(workers),
            seed: 0,
        },
    }
}

/// The column indices of `keys` in `schema` ([`FugueError::ColumnNotFound`] for a missing one).
fn key_indices(schema: &SchemaRef, keys: &[String]) -> Result<Vec<usize>> {
    keys.iter()
        .map(|k| {
            schema.index_of(k).map_err(|_| {
                FugueError::column_not_found(
                    k,
                    "the partition keys",
                    "",
                    schema.fields().iter().map(|f| f.name().as_str()),
                )
            })
        })
        .collect()
}

/// The frame's batches as a single-pass stream (a stream or a plan is not materialised).
fn into_stream(df: DataFrame) -> Result<BatchStream<'static>> {
    Ok(match df {
        DataFrame::Stream(s) => Box::new(s),
        DataFrame::Arrow(f) => stream_of(f.into_batches()),
        DataFrame::Rows(f) => stream_of(f.to_arrow_frame()?.into_batches()),
        DataFrame::Plan(f) => Box::new(f.into_stream()?),
    })
}

/// One call per logical partition of one physical partition.
fn logical_calls(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    spec: &PartitionSpec,
    cursors: &Cursors,
    concurrency: usize,
    physical_no: usize,
) -> Result<Vec<Call>> {
    logical_partitions(schema, batches, spec, concurrency)?
        .into_iter()
        .map(|part| {
            let cursor = cursors.for_partition(&part, physical_no)?;
            Ok(Call {
                inputs: vec![stream_of(vec![part.batch])],
                cursor,
            })
        })
        .collect()
}

/// `coarse` without keys: `P` contiguous ranges of rows (`num`, or one per worker), each one
/// call sorted by the presort; an empty input is one call with no row.
fn coarse_ranges(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    spec: &PartitionSpec,
    cursors: &Cursors,
    workers: usize,
    num: i64,
) -> Result<Vec<Call>> {
    let all = concat_batches(schema, batches)?;
    let rows = all.num_rows();
    if rows == 0 {
        return logical_calls(schema, &[all], spec, cursors, workers, 0);
    }
    let partitions = usize::try_from(num)
        .ok()
        .filter(|n| *n > 0)
        .unwrap_or(workers);
    let mut calls = Vec::new();
    for (physical_no, (offset, len)) in even_chunks(rows, partitions)
        .into_iter()
        .filter(|(_, len)| *len > 0)
        .enumerate()
    {
        calls.extend(logical_calls(
            schema,
            &[all.slice(offset, len)],
            spec,
            cursors,
            workers,
            physical_no,
        )?);
    }
    Ok(calls)
}

/// A streaming chunk: its own logical and physical partition number `no`.
fn chunk_call(cursors: &Cursors, batches: Vec<RecordBatch>, no: usize) -> Result<Call> {
    let cursor = cursors.cursor(None, batches.first(), no, no)?;
    Ok(Call {
        inputs: vec![stream_of(batches)],
        cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::StreamFrame;
    use crate::function::PartitionContext;
    use arrow::array::Int64Array;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Passes its input on, batch by batch, recording how many batches the source had made
    /// when the call saw its first one.
    struct Watch {
        made: Arc<AtomicUsize>,
        at_first: Arc<AtomicUsize>,
        calls: AtomicUsize,
    }

    impl PartitionFunction for Watch {
        fn name(&self) -> &str {
            "watch"
        }

        fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
            Ok(inputs[0].clone())
        }

        fn call<'a>(
            &'a self,
            _: PartitionContext,
            mut inputs: Vec<BatchStream<'a>>,
        ) -> Result<BatchStream<'a>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let mut first = true;
            let input = inputs.remove(0);
            Ok(Box::new(input.inspect(move |_| {
                if std::mem::take(&mut first) {
                    self.at_first
                        .store(self.made.load(Ordering::SeqCst), Ordering::SeqCst);
                }
            })))
        }
    }

    /// A frame read as a stream (a plan's rows) is one call that reads the stream as it
    /// comes: the source has made only the batches read so far when the call gets its first.
    #[test]
    fn one_call_over_a_one_frame_stream_reads_it_as_it_comes() {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = made.clone();
        let schema = Schema::parse("v:long").unwrap();
        let arrow_schema = Arc::new(schema.to_arrow());
        let batches = (0..200_i64).map(move |i| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(RecordBatch::try_new(
                arrow_schema.clone(),
                vec![Arc::new(Int64Array::from(vec![i; 100]))],
            )?)
        });
        let stream = StreamFrame::try_from_batches(schema, batches)
            .unwrap()
            .into_one_frame();
        let watch = Arc::new(Watch {
            made: made.clone(),
            at_first: Arc::default(),
            calls: AtomicUsize::new(0),
        });
        let mut rows = 0;
        parallel_map_into(
            DataFrame::Stream(stream),
            watch.clone(),
            &PartitionSpec::new(),
            Arc::new(Params::new()),
            None,
            &ExecutorOptions::with_workers(2),
            &mut |b| {
                rows += b.num_rows();
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(rows, 20_000);
        assert_eq!(watch.calls.load(Ordering::SeqCst), 1);
        assert_eq!(made.load(Ordering::SeqCst), 200);
        assert!(watch.at_first.load(Ordering::SeqCst) <= 2);
    }
}
