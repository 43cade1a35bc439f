//! The parallel executor: map semantics (cases README, `map` op), equality with the reference
//! `run_map`, partitioning guarantees, streaming in bounded memory, callbacks and failures.

use arrow::array::{Array, Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
use fugue_runtime::executor::{
    ExecutorOptions, Handler, ZipHow, parallel_comap, parallel_map, parallel_map_into, run_comap,
};
use fugue_runtime::fugue_core::{ErrorKind, FugueError, PartitionSpec, Result, Schema};
use fugue_runtime::function::{
    BatchStream, Callback, Params, PartitionContext, PartitionFunction, run_map, stream_of,
};
use fugue_runtime::{ArrowFrame, DataFrame, StreamFrame, Value};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Helpers

/// One recorded call: key values, physical partition, rows in the order received.
#[derive(Debug, Clone, PartialEq)]
struct Recorded {
    keys: Vec<Value>,
    physical: usize,
    rows: Vec<Vec<Value>>,
}

/// The identity function of the `map` cases: records the rows of each call and returns them.
#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<Recorded>>,
}

fn rows_of(batches: &[RecordBatch]) -> Vec<Vec<Value>> {
    match batches.first() {
        None => Vec::new(),
        Some(b) => ArrowFrame::new(b.schema(), batches.to_vec())
            .unwrap()
            .to_rows()
            .unwrap(),
    }
}

impl PartitionFunction for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }

    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        Ok(inputs[0].clone())
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        let mut batches = Vec::new();
        for stream in inputs {
            for batch in stream {
                batches.push(batch?);
            }
        }
        self.calls.lock().unwrap().push(Recorded {
            keys: ctx.cursor.key_values().to_vec(),
            physical: ctx.cursor.physical_partition_no(),
            rows: rows_of(&batches),
        });
        Ok(stream_of(batches))
    }
}

impl Recorder {
    /// The calls' rows, as a sorted multiset (rows inside a call keep their order).
    fn call_multiset(&self) -> Vec<String> {
        let mut calls: Vec<String> = self
            .calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| format!("{:?}", c.rows))
            .collect();
        calls.sort();
        calls
    }

    fn recorded(&self) -> Vec<Recorded> {
        self.calls.lock().unwrap().clone()
    }
}

/// A function defined by a closure over the materialised input of a call.
struct FnFunction<F> {
    name: &'static str,
    schema: Schema,
    f: F,
}

impl<F> PartitionFunction for FnFunction<F>
where
    F: Fn(&PartitionContext, Vec<RecordBatch>) -> Result<Vec<RecordBatch>> + Send + Sync,
{
    fn name(&self) -> &str {
        self.name
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Ok(self.schema.clone())
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        let mut batches = Vec::new();
        for stream in inputs {
            for batch in stream {
                batches.push(batch?);
            }
        }
        Ok(stream_of((self.f)(&ctx, batches)?))
    }
}

fn function<F>(name: &'static str, schema: &str, f: F) -> FnFunction<F>
where
    F: Fn(&PartitionContext, Vec<RecordBatch>) -> Result<Vec<RecordBatch>> + Send + Sync,
{
    FnFunction {
        name,
        schema: Schema::parse(schema).unwrap(),
        f,
    }
}

fn spec(text: &str) -> PartitionSpec {
    PartitionSpec::parse(text).unwrap()
}

fn params() -> Arc<Params> {
    Arc::new(Params::new())
}

fn workers(n: usize) -> ExecutorOptions {
    ExecutorOptions::with_workers(n)
}

fn sorted_rows(df: &mut DataFrame) -> Vec<String> {
    let mut rows: Vec<String> = df
        .as_rows()
        .unwrap()
        .iter()
        .map(|r| format!("{r:?}"))
        .collect();
    rows.sort();
    rows
}

fn long_frame(schema: &str, rows: Vec<Vec<i64>>) -> DataFrame {
    let rows: Vec<Vec<Value>> = rows
        .into_iter()
        .map(|r| r.into_iter().map(Value::from).collect())
        .collect();
    DataFrame::from(ArrowFrame::from_rows(schema, &rows).unwrap())
}

/// A one-column `v:long` batch.
fn long_batch(values: Vec<i64>) -> RecordBatch {
    let schema = Arc::new(ArrowSchema::new(vec![Field::new(
        "v",
        DataType::Int64,
        true,
    )]));
    RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(values))]).unwrap()
}

fn count_batch(count: usize) -> RecordBatch {
    long_batch(vec![count as i64])
}

// ---------------------------------------------------------------------------------------------
// The `map` cases of cases/README.md (`e_engine_ops.json`), on 1 and 4 workers

fn case_input() -> DataFrame {
    let row = |a: Option<f64>, b: i32| vec![Value::from(a), Value::from(b)];
    let rows = vec![
        row(Some(1.0), 5),
        row(None, 2),
        row(Some(1.0), 3),
        row(Some(2.0), 1),
        row(None, 9),
    ];
    DataFrame::from(ArrowFrame::from_rows("a:double,b:int", &rows).unwrap())
}

/// `(a, b)` rows of the case table.
fn ab(rows: &[(Option<f64>, i32)]) -> Vec<Vec<Value>> {
    rows.iter()
        .map(|(a, b)| vec![Value::from(*a), Value::from(*b)])
        .collect()
}

fn check_case(input: impl Fn() -> DataFrame, spec_text: &str, expected: Vec<Vec<Vec<Value>>>) {
    for n in [1, 4] {
        let recorder = Arc::new(Recorder::default());
        let mut out = parallel_map(
            input(),
            recorder.clone(),
            &spec(spec_text),
            params(),
            None,
            &workers(n),
        )
        .unwrap();
        let mut want: Vec<String> = expected.iter().map(|c| format!("{c:?}")).collect();
        want.sort();
        assert_eq!(
            recorder.call_multiset(),
            want,
            "spec `{spec_text}`, {n} workers"
        );
        // The output is the concatenation of the calls, with the input schema.
        assert_eq!(out.schema(), input().schema());
        let mut want_rows: Vec<String> = expected
            .iter()
            .flatten()
            .map(|r| format!("{r:?}"))
            .collect();
        want_rows.sort();
        assert_eq!(sorted_rows(&mut out), want_rows);
    }
}

#[test]
fn map_cases_hold_on_every_worker_count() {
    let n = None;
    check_case(
        case_input,
        "",
        vec![ab(&[
            (Some(1.0), 5),
            (n, 2),
            (Some(1.0), 3),
            (Some(2.0), 1),
            (n, 9),
        ])],
    );
    check_case(
        case_input,
        "by=a",
        vec![
            ab(&[(Some(1.0), 5), (Some(1.0), 3)]),
            ab(&[(Some(2.0), 1)]),
            ab(&[(n, 2), (n, 9)]),
        ],
    );
    check_case(
        case_input,
        "presort=b",
        vec![ab(&[
            (Some(2.0), 1),
            (n, 2),
            (Some(1.0), 3),
            (Some(1.0), 5),
            (n, 9),
        ])],
    );
    check_case(
        case_input,
        "num=2",
        vec![
            ab(&[(Some(1.0), 5), (n, 2), (Some(1.0), 3)]),
            ab(&[(Some(2.0), 1), (n, 9)]),
        ],
    );
    check_case(
        case_input,
        "by=a; presort=b; num=1; algo=coarse",
        vec![ab(&[
            (Some(1.0), 3),
            (Some(1.0), 5),
            (Some(2.0), 1),
            (n, 2),
            (n, 9),
        ])],
    );
    let empty = || long_frame("a:long", vec![]);
    check_case(empty, "", vec![vec![]]);
    check_case(empty, "by=a", vec![]);
    check_case(empty, "num=2", vec![]);
}

#[test]
fn presort_is_honoured_inside_key_groups() {
    check_case(
        case_input,
        "by=a; presort=b desc",
        vec![
            ab(&[(Some(1.0), 5), (Some(1.0), 3)]),
            ab(&[(Some(2.0), 1)]),
            ab(&[(None, 9), (None, 2)]),
        ],
    );
}

#[test]
fn an_empty_stream_without_keys_is_one_call_with_no_row() {
    let recorder = Arc::new(Recorder::default());
    let stream = StreamFrame::from_batches("v:long", Vec::<RecordBatch>::new()).unwrap();
    let mut out = parallel_map(
        DataFrame::from(stream),
        recorder.clone(),
        &spec(""),
        params(),
        None,
        &workers(3),
    )
    .unwrap();
    assert_eq!(recorder.call_multiset(), vec!["[]".to_string()]);
    assert_eq!(out.as_rows().unwrap().len(), 0);
    assert_eq!(out.schema().to_string(), "v:long");
}

// ---------------------------------------------------------------------------------------------
// parallel_map equals run_map (proptest)

/// A random table `k1:int,k2:str,f:double,v:long` (v = row id) cut into random batches.
fn table() -> impl Strategy<Value = (Vec<Vec<Value>>, Vec<usize>)> {
    let row = (
        prop::option::of(0_i32..4),
        prop::option::of(prop::sample::select(vec!["x", "y", "z"])),
        prop::option::of(prop::sample::select(vec![-1.5_f64, 0.0, 2.5, f64::NAN])),
    );
    (
        prop::collection::vec(row, 0..40),
        prop::collection::vec(1_usize..8, 0..6),
    )
        .prop_map(|(rows, cuts)| {
            let rows = rows
                .into_iter()
                .enumerate()
                .map(|(i, (k1, k2, f))| {
                    vec![
                        Value::from(k1),
                        Value::from(k2),
                        Value::from(f),
                        Value::from(i as i64),
                    ]
                })
                .collect();
            (rows, cuts)
        })
}

fn random_spec() -> impl Strategy<Value = String> {
    let columns = ["k1", "k2", "f"];
    (
        prop::sample::subsequence(columns.to_vec(), 0..=2),
        prop::option::of((prop::sample::select(columns.to_vec()), any::<bool>())),
        prop::sample::select(vec!["", "0", "1", "2", "3", "ROWCOUNT", "CONCURRENCY"]),
        prop::sample::select(vec!["", "hash", "rand", "even", "coarse"]),
    )
        .prop_map(|(keys, presort, num, algo)| {
            let mut parts = Vec::new();
            if !keys.is_empty() {
                parts.push(format!("by={}", keys.join(",")));
            }
            if let Some((column, desc)) = presort
                && !keys.contains(&column)
            {
                parts.push(format!(
                    "presort={column}{}",
                    if desc { " desc" } else { "" }
                ));
                // `v` breaks ties, so the order inside a call is fully determined.
            }
            if algo == "coarse" {
                // With more than one physical partition, coarse calls differ by design.
                parts.push("num=1".into());
            } else if !num.is_empty() {
                parts.push(format!("num={num}"));
            }
            if !algo.is_empty() {
                parts.push(format!("algo={algo}"));
            }
            parts.join("; ")
        })
}

fn frame_of(rows: &[Vec<Value>], cuts: &[usize]) -> DataFrame {
    let all = ArrowFrame::from_rows("k1:int,k2:str,f:double,v:long", rows).unwrap();
    let batch = arrow::compute::concat_batches(all.arrow_schema(), all.batches()).unwrap();
    let mut batches = Vec::new();
    let mut offset = 0;
    for cut in cuts {
        let len = (*cut).min(batch.num_rows() - offset);
        batches.push(batch.slice(offset, len));
        offset += len;
    }
    batches.push(batch.slice(offset, batch.num_rows() - offset));
    DataFrame::from(ArrowFrame::new(all.schema().clone(), batches).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn parallel_map_equals_run_map(
        (rows, cuts) in table(),
        spec_text in random_spec(),
        n in 1_usize..5,
        capacity in 1_usize..4,
    ) {
        let spec = spec(&spec_text);
        let reference = Recorder::default();
        let mut expected = run_map(frame_of(&rows, &cuts), &reference, &spec, params(), None, n).unwrap();
        let parallel = Arc::new(Recorder::default());
        let options = ExecutorOptions { workers: n, channel_capacity: capacity, ..ExecutorOptions::default() };
        let mut got = parallel_map(frame_of(&rows, &cuts), parallel.clone(), &spec, params(), None, &options).unwrap();
        prop_assert_eq!(parallel.call_multiset(), reference.call_multiset(), "spec `{}`", spec_text);
        prop_assert_eq!(sorted_rows(&mut got), sorted_rows(&mut expected));
        // Every call of a keyed spec sees exactly one key group, with its key values.
        if !spec.keys().is_empty() && !spec_text.contains("coarse") {
            for call in parallel.recorded() {
                prop_assert_eq!(call.keys.len(), spec.keys().len());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Partitioning guarantees

fn keyed_frame(keys: i64, per_key: i64) -> DataFrame {
    long_frame(
        "k:long,v:long",
        (0..keys * per_key).map(|i| vec![i % keys, i]).collect(),
    )
}

/// The physical partition of each key, from the recorded calls.
fn placement(recorder: &Recorder) -> BTreeMap<String, usize> {
    recorder
        .recorded()
        .into_iter()
        .map(|c| (format!("{:?}", c.keys), c.physical))
        .collect()
}

#[test]
fn even_balances_key_counts_within_one() {
    for (num, n) in [(3, 2), (4, 4), (7, 3)] {
        let recorder = Arc::new(Recorder::default());
        parallel_map(
            keyed_frame(10, 3),
            recorder.clone(),
            &spec(&format!("by=k; num={num}; algo=even")),
            params(),
            None,
            &workers(n),
        )
        .unwrap();
        let mut per_partition: HashMap<usize, usize> = HashMap::new();
        for physical in placement(&recorder).values() {
            *per_partition.entry(*physical).or_default() += 1;
        }
        assert_eq!(per_partition.len(), num, "every partition gets keys");
        let (min, max) = (
            per_partition.values().min().unwrap(),
            per_partition.values().max().unwrap(),
        );
        assert!(max - min <= 1, "num={num}: {per_partition:?}");
    }
}

#[test]
fn even_without_num_puts_each_key_in_its_own_partition() {
    let recorder = Arc::new(Recorder::default());
    parallel_map(
        keyed_frame(9, 2),
        recorder.clone(),
        &spec("by=k; algo=even"),
        params(),
        None,
        &workers(4),
    )
    .unwrap();
    let placed = placement(&recorder);
    assert_eq!(placed.len(), 9);
    let mut physical: Vec<usize> = placed.values().copied().collect();
    physical.sort();
    physical.dedup();
    assert_eq!(physical.len(), 9, "{placed:?}");
}

#[test]
fn hash_partitioning_is_deterministic() {
    let run = |n: usize| {
        let recorder = Arc::new(Recorder::default());
        parallel_map(
            keyed_frame(50, 2),
            recorder.clone(),
            &spec("by=k; num=4"),
            params(),
            None,
            &workers(n),
        )
        .unwrap();
        placement(&recorder)
    };
    let first = run(3);
    assert_eq!(first.len(), 50);
    assert_eq!(run(3), first);
    // With a fixed `num`, the placement does not depend on the number of workers either.
    assert_eq!(run(2), first);
    // And the keys are spread over the 4 partitions.
    let used: std::collections::BTreeSet<usize> = first.values().copied().collect();
    assert_eq!(used.len(), 4, "{first:?}");
}

#[test]
fn rand_is_reproducible_with_its_seed_and_keeps_groups_together() {
    let run = |seed: u64| {
        let recorder = Arc::new(Recorder::default());
        let options = ExecutorOptions {
            workers: 3,
            seed,
            ..ExecutorOptions::default()
        };
        parallel_map(
            keyed_frame(40, 3),
            recorder.clone(),
            &spec("by=k; num=5; algo=rand"),
            params(),
            None,
            &options,
        )
        .unwrap();
        // One call per key: a group is never split.
        assert_eq!(recorder.recorded().len(), 40);
        placement(&recorder)
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

// ---------------------------------------------------------------------------------------------
// Streaming in bounded memory

/// Counts batches made by the source and batches the function has finished with.
#[derive(Default)]
struct Flow {
    produced: AtomicUsize,
    finished: AtomicUsize,
    max_alive: AtomicUsize,
}

fn counted_stream(flow: Arc<Flow>, batches: usize, rows: i64) -> DataFrame {
    let source = (0..batches).map(move |i| {
        let produced = flow.produced.fetch_add(1, Ordering::SeqCst) + 1;
        let alive = produced - flow.finished.load(Ordering::SeqCst);
        flow.max_alive.fetch_max(alive, Ordering::SeqCst);
        let start = i as i64 * rows;
        long_batch((start..start + rows).collect())
    });
    DataFrame::from(StreamFrame::from_batches("v:long", source).unwrap())
}

/// An iterator transformer: one output row (the row count) per input batch, read lazily.
struct CountPerBatch {
    flow: Arc<Flow>,
}

impl PartitionFunction for CountPerBatch {
    fn name(&self) -> &str {
        "count_per_batch"
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Schema::parse("v:long")
    }

    fn call<'a>(
        &'a self,
        _: PartitionContext,
        mut inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        let input = inputs.remove(0);
        Ok(Box::new(input.map(move |batch| {
            let count = batch?.num_rows();
            // The input batch is dropped here.
            self.flow.finished.fetch_add(1, Ordering::SeqCst);
            Ok(count_batch(count))
        })))
    }
}

#[test]
fn a_stream_without_keys_runs_in_bounded_memory() {
    let flow = Arc::new(Flow::default());
    let options = ExecutorOptions {
        workers: 3,
        channel_capacity: 2,
        stream_chunk_rows: 1,
        seed: 0,
    };
    let (mut outputs, mut total) = (0, 0);
    let schema = parallel_map_into(
        counted_stream(flow.clone(), 2_000, 100),
        Arc::new(CountPerBatch { flow: flow.clone() }),
        &spec(""),
        params(),
        None,
        &options,
        &mut |batch| {
            outputs += 1;
            let column = batch
                .column(0)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap();
            total += column.value(0);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(schema.to_string(), "v:long");
    assert_eq!(outputs, 2_000);
    assert_eq!(total, 200_000);
    assert_eq!(flow.produced.load(Ordering::SeqCst), 2_000);
    // The feeder's batch, the work channel and one batch per worker: never the whole stream.
    let bound = options.channel_capacity + options.workers + 2;
    let max_alive = flow.max_alive.load(Ordering::SeqCst);
    assert!(
        max_alive <= bound,
        "{max_alive} batches alive at once, bound {bound}"
    );
}

#[test]
fn stream_chunks_group_consecutive_batches() {
    let recorder = Arc::new(Recorder::default());
    let batches: Vec<RecordBatch> = (0..10)
        .map(|i| long_batch(vec![i * 2, i * 2 + 1]))
        .collect();
    let df = DataFrame::from(StreamFrame::from_batches("v:long", batches).unwrap());
    let options = ExecutorOptions {
        workers: 2,
        stream_chunk_rows: 5,
        ..ExecutorOptions::default()
    };
    let mut out = parallel_map(df, recorder.clone(), &spec(""), params(), None, &options).unwrap();
    // 2-row batches: a chunk closes at 6 rows (3 batches); 20 rows = 3 + 3 + 3 + 1 batches.
    let mut sizes: Vec<usize> = recorder.recorded().iter().map(|c| c.rows.len()).collect();
    sizes.sort();
    assert_eq!(sizes, vec![2, 6, 6, 6]);
    assert_eq!(out.as_rows().unwrap().len(), 20);
    // Each call gets consecutive rows, in order.
    for call in recorder.recorded() {
        let v: Vec<i64> = call.rows.iter().map(|r| r[0].as_i64().unwrap()).collect();
        assert!(v.windows(2).all(|w| w[1] == w[0] + 1), "{v:?}");
    }
}

#[test]
fn a_stream_with_keys_is_partitioned_as_it_is_read() {
    let stream = |_: ()| {
        let batches: Vec<RecordBatch> =
            (0..20).map(|i| long_batch(vec![i % 3, i % 5, i])).collect();
        DataFrame::from(StreamFrame::from_batches("v:long", batches).unwrap())
    };
    let recorder = Arc::new(Recorder::default());
    parallel_map(
        stream(()),
        recorder.clone(),
        &spec("by=v"),
        params(),
        None,
        &workers(3),
    )
    .unwrap();
    let reference = Recorder::default();
    run_map(stream(()), &reference, &spec("by=v"), params(), None, 3).unwrap();
    assert_eq!(recorder.call_multiset(), reference.call_multiset());
}

// ---------------------------------------------------------------------------------------------
// Callbacks

#[test]
fn callbacks_report_progress_to_a_non_send_handler_on_the_driver() {
    let progress = Arc::new(function("progress", "k:long,v:long", |ctx, batches| {
        let callback = ctx.callback.as_ref().expect("a callback is given");
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let key = ctx.cursor.key("k").cloned().unwrap_or(Value::Null);
        callback.call(Value::List(vec![key, Value::from(rows as i64)]))?;
        Ok(batches)
    }));
    let driver = std::thread::current().id();
    // Rc<RefCell<..>> is neither Send nor Sync: the handler runs on this thread.
    let seen: Rc<RefCell<BTreeMap<i64, i64>>> = Rc::default();
    let handler = {
        let seen = seen.clone();
        Handler::new(move |value: Value| {
            assert_eq!(std::thread::current().id(), driver);
            if let Value::List(items) = value {
                let key = items[0].as_i64().unwrap_or(-1);
                *seen.borrow_mut().entry(key).or_default() += items[1].as_i64().unwrap_or(0);
            }
            Ok(Value::Null)
        })
    };
    let out = parallel_map(
        keyed_frame(6, 5),
        progress.clone(),
        &spec("by=k"),
        params(),
        Some(handler),
        &workers(4),
    )
    .unwrap();
    assert_eq!(out.count().unwrap(), 30);
    let seen = seen.borrow();
    assert_eq!(seen.len(), 6);
    assert!(seen.values().all(|rows| *rows == 5), "{seen:?}");
}

/// Reads its input batch by batch and asks the driver before keeping each one.
struct AskBeforeEachBatch;

impl PartitionFunction for AskBeforeEachBatch {
    fn name(&self) -> &str {
        "ask"
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Schema::parse("v:long")
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        mut inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        let callback = ctx.callback.expect("a callback is given");
        let mut input = inputs.remove(0);
        let mut stopped = false;
        Ok(Box::new(std::iter::from_fn(move || {
            if stopped {
                return None;
            }
            let batch = match input.next()? {
                Ok(batch) => batch,
                Err(e) => return Some(Err(e)),
            };
            match callback.call(batch.num_rows() as i64) {
                Ok(answer) if answer.as_str() == Some("stop") => {
                    // Early stop: the rest of the input is never read.
                    stopped = true;
                    None
                }
                Ok(_) => Some(Ok(batch)),
                Err(e) => Some(Err(e)),
            }
        })))
    }
}

#[test]
fn a_handler_can_stop_the_transformers_early() {
    let batches: Vec<RecordBatch> = (0..40)
        .map(|i| long_batch((i * 100..(i + 1) * 100).collect()))
        .collect();
    let df = DataFrame::from(StreamFrame::from_batches("v:long", batches).unwrap());
    let mut approved = 0;
    let mut asked = 0;
    let handler = Handler::new(|_: Value| {
        asked += 1;
        if approved < 5 {
            approved += 1;
            Ok(Value::from("go"))
        } else {
            Ok(Value::from("stop"))
        }
    });
    let options = ExecutorOptions {
        workers: 3,
        stream_chunk_rows: 1_000,
        ..ExecutorOptions::default()
    };
    let out = parallel_map(
        df,
        Arc::new(AskBeforeEachBatch),
        &spec(""),
        params(),
        Some(handler),
        &options,
    )
    .unwrap();
    // Exactly the 5 approved batches are kept; 4 calls of 10 batches each asked once they
    // were told to stop, so far fewer than 40 questions were asked.
    assert_eq!(out.count().unwrap(), 500);
    assert!(asked < 40, "{asked} questions");
}

#[test]
fn a_failing_handler_fails_the_run_with_its_error() {
    let progress = Arc::new(function("progress", "k:long,v:long", |ctx, batches| {
        ctx.callback.as_ref().expect("a callback").call(1_i64)?;
        Ok(batches)
    }));
    let mut calls = 0;
    let handler = Handler::new(|_: Value| {
        calls += 1;
        if calls == 3 {
            Err(FugueError::invalid_argument(
                "progress",
                "the progress bar is gone",
            ))
        } else {
            Ok(Value::Null)
        }
    });
    let e = parallel_map(
        keyed_frame(8, 2),
        progress.clone(),
        &spec("by=k"),
        params(),
        Some(handler),
        &workers(3),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument `progress`: the progress bar is gone"
    );
}

#[test]
fn a_panicking_handler_fails_the_run() {
    let progress = Arc::new(function("progress", "k:long,v:long", |ctx, batches| {
        ctx.callback.as_ref().expect("a callback").call(1_i64)?;
        Ok(batches)
    }));
    let handler = Handler::new(|_: Value| -> Result<Value> { panic!("handler exploded") });
    let e = parallel_map(
        keyed_frame(4, 2),
        progress.clone(),
        &spec("by=k"),
        params(),
        Some(handler),
        &workers(2),
    )
    .unwrap_err();
    assert!(e.to_string().contains("handler exploded"), "{e}");
}

#[test]
fn a_callback_kept_after_its_run_fails_cleanly() {
    let kept: Arc<Mutex<Option<Callback>>> = Arc::default();
    let keeper = {
        let kept = kept.clone();
        Arc::new(function("keeper", "k:long,v:long", move |ctx, batches| {
            *kept.lock().unwrap() = ctx.callback.clone();
            Ok(batches)
        }))
    };
    parallel_map(
        keyed_frame(2, 2),
        keeper.clone(),
        &spec("by=k"),
        params(),
        Some(Handler::new(Ok)),
        &workers(2),
    )
    .unwrap();
    let callback = kept
        .lock()
        .unwrap()
        .take()
        .expect("the function saw a callback");
    let e = callback.call(1_i64).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidOperation);
    assert!(e.to_string().contains("after its run ended"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Failures

fn fail_on_three() -> FnFunction<
    impl Fn(&PartitionContext, Vec<RecordBatch>) -> Result<Vec<RecordBatch>> + Send + Sync,
> {
    function("picky", "k:long,v:long", |ctx, batches| {
        if ctx.cursor.key("k").and_then(Value::as_i64) == Some(3) {
            return Err(FugueError::invalid_argument("k", "three is not allowed"));
        }
        Ok(batches)
    })
}

#[test]
fn an_error_names_the_function_the_keys_and_the_cause() {
    for n in [1, 4] {
        let e = parallel_map(
            keyed_frame(8, 3),
            Arc::new(fail_on_three()),
            &spec("by=k"),
            params(),
            None,
            &workers(n),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`picky` failed on k=3: invalid argument `k`: three is not allowed"
        );
    }
}

#[test]
fn a_panic_fails_the_run_with_its_message() {
    let panicky = Arc::new(function("panicky", "k:long,v:long", |ctx, batches| {
        if ctx.cursor.key("k").and_then(Value::as_i64) == Some(2) {
            panic!("boom at two");
        }
        Ok(batches)
    }));
    let e = parallel_map(
        keyed_frame(6, 2),
        panicky.clone(),
        &spec("by=k"),
        params(),
        None,
        &workers(3),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "`panicky` failed on k=2: the function panicked: boom at two"
    );
}

#[test]
fn a_wrong_output_schema_fails_the_run() {
    let wrong = Arc::new(function("wrong", "k:long,v:long", |_, _| {
        Ok(vec![long_batch(vec![1])])
    }));
    let e = parallel_map(
        keyed_frame(3, 2),
        wrong.clone(),
        &spec("by=k"),
        params(),
        None,
        &workers(2),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SchemaMismatch);
    assert!(e.to_string().contains("`wrong`"), "{e}");
}

#[test]
fn a_missing_key_column_fails_before_any_call() {
    let recorder = Arc::new(Recorder::default());
    let e = parallel_map(
        keyed_frame(3, 2),
        recorder.clone(),
        &spec("by=x"),
        params(),
        None,
        &workers(2),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
    assert!(recorder.recorded().is_empty());
}

/// Key 0 produces 1,000 slow output batches; key 1 fails after a short while.
struct SlowAndFailing {
    slow_batches: AtomicUsize,
}

impl PartitionFunction for SlowAndFailing {
    fn name(&self) -> &str {
        "slow_and_failing"
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Schema::parse("v:long")
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        _: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        match ctx.cursor.key("k").and_then(Value::as_i64) {
            Some(0) => Ok(Box::new((0..1_000).map(move |i| {
                std::thread::sleep(Duration::from_millis(5));
                self.slow_batches.fetch_add(1, Ordering::SeqCst);
                Ok(long_batch(vec![i]))
            }))),
            Some(1) => {
                std::thread::sleep(Duration::from_millis(50));
                Err(FugueError::invalid_argument("k", "one fails"))
            }
            _ => Ok(stream_of(Vec::new())),
        }
    }
}

#[test]
fn a_failure_cancels_the_other_workers_promptly() {
    let function = Arc::new(SlowAndFailing {
        slow_batches: AtomicUsize::new(0),
    });
    let start = Instant::now();
    // `even` without `num`: key 0 on worker 0, key 1 on worker 1.
    let e = parallel_map(
        keyed_frame(4, 2),
        function.clone(),
        &spec("by=k; algo=even"),
        params(),
        None,
        &workers(4),
    )
    .unwrap_err();
    let elapsed = start.elapsed();
    assert_eq!(
        e.to_string(),
        "`slow_and_failing` failed on k=1: invalid argument `k`: one fails"
    );
    // The slow partition alone needs 5 s; it is stopped at its next batch after the failure.
    let slow = function.slow_batches.load(Ordering::SeqCst);
    assert!(slow < 1_000, "the slow partition ran to its end");
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
}

/// Key 0's call blocks until the test releases it (at most a minute); key 1's call fails at
/// once. Records whether the blocked call ended, and whether its output was refused.
struct StuckAndFailing {
    release: crossbeam_channel::Receiver<()>,
    ended: crossbeam_channel::Sender<&'static str>,
    callback_after_run: Mutex<Option<String>>,
}

impl PartitionFunction for StuckAndFailing {
    fn name(&self) -> &str {
        "stuck_and_failing"
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Schema::parse("v:long")
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        _: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        match ctx.cursor.key("k").and_then(Value::as_i64) {
            Some(0) => {
                let released = self.release.recv_timeout(Duration::from_secs(60)).is_ok();
                // The run is over: a callback is refused.
                if let Some(callback) = &ctx.callback {
                    let answer = callback.call(1_i64);
                    *self.callback_after_run.lock().unwrap() = answer.err().map(|e| e.to_string());
                }
                let _ = self
                    .ended
                    .send(if released { "released" } else { "timed out" });
                Ok(stream_of(vec![long_batch(vec![1, 2, 3])]))
            }
            Some(1) => Err(FugueError::invalid_argument("k", "one fails")),
            _ => Ok(stream_of(Vec::new())),
        }
    }
}

#[test]
fn a_failure_returns_at_once_while_another_call_is_still_running() {
    let (release, released) = crossbeam_channel::bounded(1);
    let (ended_tx, ended) = crossbeam_channel::bounded(1);
    let function = Arc::new(StuckAndFailing {
        release: released,
        ended: ended_tx,
        callback_after_run: Mutex::new(None),
    });
    // `even` without `num`: key 0 on worker 0, key 1 on worker 1.
    let e = parallel_map(
        keyed_frame(2, 2),
        function.clone(),
        &spec("by=k; algo=even"),
        params(),
        Some(Handler::new(Ok)),
        &workers(2),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "`stuck_and_failing` failed on k=1: invalid argument `k`: one fails"
    );
    // The run returned while key 0's call still waits: it has not ended.
    assert!(
        ended.try_recv().is_err(),
        "the run waited for the stuck call"
    );
    // Released, the detached call ends; its callback and its output are refused.
    release.send(()).unwrap();
    assert_eq!(
        ended.recv_timeout(Duration::from_secs(60)).unwrap(),
        "released"
    );
    let refused = function.callback_after_run.lock().unwrap().clone();
    assert!(
        refused.is_some_and(|e| e.contains("after its run ended") || e.contains("cancelled")),
        "a detached call's callback was answered"
    );
}

// ---------------------------------------------------------------------------------------------
// Comap

/// A comap function that outputs nothing (for the error cases).
fn counter() -> FnFunction<
    impl Fn(&PartitionContext, Vec<RecordBatch>) -> Result<Vec<RecordBatch>> + Send + Sync,
> {
    function("counter", "v:long", |_, _| Ok(Vec::new()))
}

/// A comap function that outputs one row per call: the key and the row count of each input.
struct ZipCounter;

impl PartitionFunction for ZipCounter {
    fn name(&self) -> &str {
        "zip_counter"
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Schema::parse("a:long,n1:long,n2:long")
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        assert_eq!(inputs.len(), 2, "one stream per input, even when empty");
        let mut counts = Vec::new();
        for stream in inputs {
            let mut n = 0;
            for batch in stream {
                n += batch?.num_rows() as i64;
            }
            counts.push(n);
        }
        let key = ctx.cursor.key("a").and_then(Value::as_i64);
        let row = vec![
            Value::from(key),
            Value::from(counts[0]),
            Value::from(counts[1]),
        ];
        let frame = ArrowFrame::from_rows("a:long,n1:long,n2:long", &[row])?;
        Ok(stream_of(frame.into_batches()))
    }
}

fn zip_inputs() -> Vec<DataFrame> {
    vec![
        long_frame("a:long,b:long", vec![vec![1, 2], vec![3, 4], vec![1, 5]]),
        long_frame("c:long,a:long", vec![vec![6, 1], vec![2, 7]]),
    ]
}

#[test]
fn comap_calls_follow_the_zip_type() {
    let cases = [
        ("inner", vec!["[1, 2, 1]"]),
        ("left_outer", vec!["[1, 2, 1]", "[3, 1, 0]"]),
        ("right_outer", vec!["[1, 2, 1]", "[7, 0, 1]"]),
        ("full_outer", vec!["[1, 2, 1]", "[3, 1, 0]", "[7, 0, 1]"]),
    ];
    for (how, expected) in cases {
        let how = how.parse::<ZipHow>().unwrap();
        let show = |mut df: DataFrame| -> Vec<String> {
            let mut rows: Vec<String> = df
                .as_rows()
                .unwrap()
                .iter()
                .map(|r| {
                    format!(
                        "[{}]",
                        r.iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            rows.sort();
            rows
        };
        let reference =
            run_comap(zip_inputs(), &ZipCounter, &spec(""), how, params(), None).unwrap();
        assert_eq!(show(reference), expected, "{how}");
        for n in [1, 3] {
            let got = parallel_comap(
                zip_inputs(),
                Arc::new(ZipCounter),
                &spec(""),
                how,
                params(),
                None,
                &workers(n),
            )
            .unwrap();
            assert_eq!(show(got), expected, "{how}, {n} workers");
        }
    }
}

#[test]
fn a_cross_comap_is_one_call_with_every_input() {
    let inputs = || {
        vec![
            long_frame("a:long", vec![vec![1], vec![2]]),
            long_frame("b:long", vec![vec![3]]),
        ]
    };
    let calls = Arc::new(Mutex::new(Vec::new()));
    let record = {
        let calls = calls.clone();
        Arc::new(function("record", "v:long", move |ctx, batches| {
            calls
                .lock()
                .unwrap()
                .push((ctx.cursor.key_names().len(), batches.len()));
            Ok(Vec::new())
        }))
    };
    parallel_comap(
        inputs(),
        record.clone(),
        &spec(""),
        ZipHow::Cross,
        params(),
        None,
        &workers(3),
    )
    .unwrap();
    assert_eq!(*calls.lock().unwrap(), vec![(0, 2)]);
    let e = parallel_comap(
        inputs(),
        record.clone(),
        &spec("by=a"),
        ZipHow::Cross,
        params(),
        None,
        &workers(2),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn comap_rejects_bad_zips() {
    let e = "outer".parse::<ZipHow>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let disjoint = vec![
        long_frame("a:long", vec![vec![1]]),
        long_frame("b:long", vec![vec![1]]),
    ];
    let e = parallel_comap(
        disjoint,
        Arc::new(counter()),
        &spec(""),
        ZipHow::Inner,
        params(),
        None,
        &workers(2),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let mistyped = vec![
        long_frame("a:long", vec![vec![1]]),
        DataFrame::from(ArrowFrame::from_rows("a:str", &[vec![Value::from("x")]]).unwrap()),
    ];
    let e = parallel_comap(
        mistyped,
        Arc::new(counter()),
        &spec(""),
        ZipHow::Inner,
        params(),
        None,
        &workers(2),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TypeMismatch);
}

/// A comap function that records each call: the key values and the rows of each input.
fn recording(
    calls: &Arc<Mutex<Vec<String>>>,
) -> FnFunction<
    impl Fn(&PartitionContext, Vec<RecordBatch>) -> Result<Vec<RecordBatch>> + Send + Sync + 'static,
> {
    let calls = calls.clone();
    function("record", "v:long", move |ctx, batches| {
        let rows: Vec<_> = batches
            .iter()
            .map(|b| rows_of(std::slice::from_ref(b)))
            .collect();
        calls
            .lock()
            .unwrap()
            .push(format!("{:?} {:?}", ctx.cursor.key_values(), rows));
        Ok(Vec::new())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn parallel_comap_equals_run_comap(
        left in prop::collection::vec((prop::option::of(0_i64..5), 0_i64..100), 0..20),
        right in prop::collection::vec((prop::option::of(0_i64..5), 0_i64..100), 0..20),
        how in prop::sample::select(vec!["inner", "left_outer", "right_outer", "full_outer"]),
        n in 1_usize..4,
        algo in prop::sample::select(vec!["", "; algo=even", "; num=3", "; algo=rand"]),
    ) {
        let frame = |rows: &[(Option<i64>, i64)], schema: &str| {
            let rows: Vec<Vec<Value>> = rows.iter().map(|(k, v)| vec![Value::from(*k), Value::from(*v)]).collect();
            DataFrame::from(ArrowFrame::from_rows(schema, &rows).unwrap())
        };
        let inputs = || vec![frame(&left, "a:long,x:long"), frame(&right, "a:long,y:long")];
        let how = how.parse::<ZipHow>().unwrap();
        let spec = spec(&format!("presort=x desc{algo}"));
        let reference_calls = Arc::new(Mutex::new(Vec::new()));
        run_comap(inputs(), &recording(&reference_calls), &spec, how, params(), None).unwrap();
        let parallel_calls = Arc::new(Mutex::new(Vec::new()));
        parallel_comap(inputs(), Arc::new(recording(&parallel_calls)), &spec, how, params(), None, &workers(n)).unwrap();
        let mut a = reference_calls.lock().unwrap().clone();
        let mut b = parallel_calls.lock().unwrap().clone();
        if n == 1 && algo.is_empty() {
            // One worker, one physical partition: the same calls in the same order.
            prop_assert_eq!(&a, &b);
        }
        a.sort();
        b.sort();
        prop_assert_eq!(a, b);
    }
}

#[test]
fn values_are_sorted_within_key_groups_by_the_presort_of_each_input() {
    let inputs = vec![
        long_frame("a:long,x:long", vec![vec![1, 1], vec![1, 3], vec![1, 2]]),
        long_frame("a:long,y:long", vec![vec![1, 9]]),
    ];
    let seen = Mutex::new(Vec::new());
    let record = function("record", "v:long", |_, batches| {
        seen.lock().unwrap().push(rows_of(&batches[..1]));
        Ok(Vec::new())
    });
    run_comap(
        inputs,
        &record,
        &spec("presort=x desc"),
        ZipHow::Inner,
        params(),
        None,
    )
    .unwrap();
    let seen = seen.into_inner().unwrap();
    let x: Vec<i64> = seen[0].iter().map(|r| r[1].as_i64().unwrap()).collect();
    assert_eq!(x, vec![3, 2, 1]);
}

// ---------------------------------------------------------------------------------------------
// More plans: failing inputs, ROWCOUNT on a stream, coarse without keys

#[test]
fn a_failing_input_stream_fails_the_run_with_its_error() {
    for spec_text in ["", "by=v"] {
        let source = (0..10).map(|i| {
            if i == 6 {
                Err(FugueError::InvalidOperation("the source broke".into()))
            } else {
                Ok(long_batch(vec![i]))
            }
        });
        let df = DataFrame::from(StreamFrame::try_from_batches("v:long", source).unwrap());
        let options = ExecutorOptions {
            workers: 2,
            stream_chunk_rows: 1,
            ..ExecutorOptions::default()
        };
        let e = parallel_map(
            df,
            Arc::new(Recorder::default()),
            &spec(spec_text),
            params(),
            None,
            &options,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid operation: the source broke",
            "`{spec_text}`"
        );
    }
}

#[test]
fn rowcount_on_a_stream_materialises_it() {
    let batches: Vec<RecordBatch> = (0..4).map(|i| long_batch(vec![i * 2, i * 2 + 1])).collect();
    let df = DataFrame::from(StreamFrame::from_batches("v:long", batches).unwrap());
    let recorder = Arc::new(Recorder::default());
    parallel_map(
        df,
        recorder.clone(),
        &spec("num=ROWCOUNT"),
        params(),
        None,
        &workers(3),
    )
    .unwrap();
    // One call per row, as `per_row` asks.
    let calls = recorder.recorded();
    assert_eq!(calls.len(), 8);
    assert!(calls.iter().all(|c| c.rows.len() == 1));
}

#[test]
fn coarse_without_keys_is_one_sorted_call_per_contiguous_range() {
    let df = long_frame("v:long", (0..10).rev().map(|i| vec![i]).collect());
    let recorder = Arc::new(Recorder::default());
    parallel_map(
        df,
        recorder.clone(),
        &spec("presort=v; num=3; algo=coarse"),
        params(),
        None,
        &workers(2),
    )
    .unwrap();
    let mut calls: Vec<Vec<i64>> = recorder
        .recorded()
        .iter()
        .map(|c| c.rows.iter().map(|r| r[0].as_i64().unwrap()).collect())
        .collect();
    calls.sort();
    // Rows 9..0 cut into 4 + 3 + 3, each range sorted by the presort.
    assert_eq!(calls, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8, 9]]);
}

#[test]
fn a_failing_or_panicking_sink_fails_the_run() {
    let options = workers(2);
    let e = parallel_map_into(
        keyed_frame(5, 2),
        Arc::new(Recorder::default()),
        &spec("by=k"),
        params(),
        None,
        &options,
        &mut |_| Err(FugueError::InvalidOperation("the sink is full".into())),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "invalid operation: the sink is full");
    let e = parallel_map_into(
        keyed_frame(5, 2),
        Arc::new(Recorder::default()),
        &spec("by=k"),
        params(),
        None,
        &options,
        &mut |_| panic!("sink exploded"),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "the output sink panicked: sink exploded");
}

// ---------------------------------------------------------------------------------------------
// `on_init`: once per physical partition, on every path

/// Counts its `init`s (one per physical partition) and checks that every call receives the
/// state of its own physical partition; returns nothing.
#[derive(Default)]
struct Initialised {
    inits: Mutex<Vec<usize>>,
    calls: AtomicUsize,
}

impl PartitionFunction for Initialised {
    fn name(&self) -> &str {
        "initialised"
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Schema::parse("v:long")
    }

    fn init(
        &self,
        partition: &fugue_runtime::function::PhysicalPartition,
    ) -> Result<Option<fugue_runtime::function::PartitionState>> {
        self.inits
            .lock()
            .unwrap()
            .push(partition.physical_partition_no());
        Ok(Some(Arc::new(partition.physical_partition_no())))
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let state = ctx.state.as_ref().and_then(|s| s.downcast_ref::<usize>());
        if state != Some(&ctx.cursor.physical_partition_no()) {
            return Err(FugueError::Internal(format!(
                "the state {state:?} is not the one of partition {}",
                ctx.cursor.physical_partition_no()
            )));
        }
        for input in inputs {
            input.for_each(drop);
        }
        Ok(stream_of(Vec::new()))
    }
}

/// The physical partitions `init` ran for, sorted, with the number of calls.
fn inits(f: &Initialised) -> (Vec<usize>, usize) {
    let mut inits = f.inits.lock().unwrap().clone();
    let n = inits.len();
    inits.sort_unstable();
    inits.dedup();
    assert_eq!(
        inits.len(),
        n,
        "`init` ran twice for one physical partition"
    );
    (inits, f.calls.load(Ordering::SeqCst))
}

#[test]
fn init_runs_once_per_physical_partition_on_every_path() {
    let keyed = || long_frame("k:long,v:long", (0..40).map(|i| vec![i % 10, i]).collect());
    // The reference map: one physical partition.
    let f = Initialised::default();
    run_map(keyed(), &f, &spec("by=k"), params(), None, 1).unwrap();
    assert_eq!(inits(&f), (vec![0], 10));
    // The parallel map: one `init` per physical partition with calls.
    let f = Arc::new(Initialised::default());
    parallel_map(
        keyed(),
        f.clone(),
        &spec("num=4; by=k"),
        params(),
        None,
        &workers(2),
    )
    .unwrap();
    let (partitions, calls) = inits(&f);
    assert_eq!(calls, 10);
    assert!(
        partitions.len() > 1 && partitions.iter().all(|p| *p < 4),
        "{partitions:?}"
    );
    // Without keys, each `num` chunk is its own physical partition.
    let f = Arc::new(Initialised::default());
    parallel_map(
        keyed(),
        f.clone(),
        &spec("num=3"),
        params(),
        None,
        &workers(2),
    )
    .unwrap();
    assert_eq!(inits(&f), (vec![0, 1, 2], 3));
    // Comap, reference and parallel.
    let f = Initialised::default();
    run_comap(
        zip_inputs(),
        &f,
        &spec(""),
        ZipHow::FullOuter,
        params(),
        None,
    )
    .unwrap();
    assert_eq!(inits(&f), (vec![0], 3));
    let f = Arc::new(Initialised::default());
    parallel_comap(
        zip_inputs(),
        f.clone(),
        &spec(""),
        ZipHow::FullOuter,
        params(),
        None,
        &workers(1),
    )
    .unwrap();
    let (partitions, calls) = inits(&f);
    assert_eq!(calls, 3);
    assert!(
        !partitions.is_empty() && partitions.len() <= 3,
        "{partitions:?}"
    );
}

#[test]
fn an_init_error_names_the_function_and_the_physical_partition() {
    struct Failing;
    impl PartitionFunction for Failing {
        fn name(&self) -> &str {
            "failing"
        }
        fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
            Ok(inputs[0].clone())
        }
        fn init(
            &self,
            _: &fugue_runtime::function::PhysicalPartition,
        ) -> Result<Option<fugue_runtime::function::PartitionState>> {
            Err(FugueError::invalid_argument("model", "no model"))
        }
        fn call<'a>(
            &'a self,
            _: PartitionContext,
            mut inputs: Vec<BatchStream<'a>>,
        ) -> Result<BatchStream<'a>> {
            Ok(inputs.remove(0))
        }
    }
    let df = || long_frame("k:long", vec![vec![1]]);
    let expected = "`failing` failed in `on_init` for physical partition 0: invalid argument \
                    `model`: no model";
    let e = run_map(df(), &Failing, &spec("by=k"), params(), None, 1).unwrap_err();
    assert_eq!(e.to_string(), expected);
    let e = parallel_map(
        df(),
        Arc::new(Failing),
        &spec("num=1; by=k"),
        params(),
        None,
        &workers(2),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), expected);
    assert_eq!(e.kind(), ErrorKind::External);
}
