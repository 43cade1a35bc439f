//! Micro-benchmark of the parallel executor against the single-threaded reference map.
//!
//! `cargo bench -p fugue-runtime --bench executor` prints the best of 3 runs of each case:
//! a keyed map (1,000 keys over 1M rows, a CPU-bound function per key), the same through
//! `run_map`, and a streaming map over 1,000 batches of 8,192 rows.

use arrow::array::{Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
use fugue_runtime::executor::{ExecutorOptions, parallel_map, parallel_map_into};
use fugue_runtime::fugue_core::{PartitionSpec, Result, Schema};
use fugue_runtime::function::{
    BatchStream, Params, PartitionContext, PartitionFunction, run_map, stream_of,
};
use fugue_runtime::{ArrowFrame, DataFrame, StreamFrame};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sums a mix of every `v` of its partition (a little CPU work per row) into one row.
struct Mix;

impl PartitionFunction for Mix {
    fn name(&self) -> &str {
        "mix"
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Schema::parse("v:long")
    }

    fn call<'a>(
        &'a self,
        _: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        let mut acc = 0_i64;
        for stream in inputs {
            for batch in stream {
                let batch = batch?;
                let column = batch.column(batch.num_columns() - 1);
                if let Some(values) = column.as_any().downcast_ref::<Int64Array>() {
                    for v in values.values() {
                        let mut x = *v as u64;
                        for _ in 0..16 {
                            x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17);
                        }
                        acc = acc.wrapping_add(x as i64);
                    }
                }
            }
        }
        Ok(stream_of(vec![long_batch(vec![acc])]))
    }
}

fn long_batch(values: Vec<i64>) -> RecordBatch {
    let schema = Arc::new(ArrowSchema::new(vec![Field::new(
        "v",
        DataType::Int64,
        true,
    )]));
    RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(values))]).expect("a batch")
}

fn keyed(rows: i64, keys: i64) -> DataFrame {
    let schema = Arc::new(ArrowSchema::new(vec![
        Field::new("k", DataType::Int64, true),
        Field::new("v", DataType::Int64, true),
    ]));
    let batches = (0..rows)
        .step_by(8192)
        .map(|start| {
            let end = (start + 8192).min(rows);
            let k = Int64Array::from((start..end).map(|i| i % keys).collect::<Vec<_>>());
            let v = Int64Array::from((start..end).collect::<Vec<_>>());
            RecordBatch::try_new(schema.clone(), vec![Arc::new(k), Arc::new(v)]).expect("a batch")
        })
        .collect();
    DataFrame::from(ArrowFrame::new("k:long,v:long", batches).expect("a frame"))
}

fn best_of_3(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let spec = PartitionSpec::parse("by=k").expect("a spec");
    let params = Arc::new(Params::new());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("keyed map, 1M rows, 1000 keys ({cores} cores):");
    let t = best_of_3(|| {
        run_map(
            keyed(1_000_000, 1_000),
            &Mix,
            &spec,
            params.clone(),
            None,
            1,
        )
        .expect("run_map");
    });
    println!(
        "  run_map (reference)        {:>8.1} ms",
        t.as_secs_f64() * 1e3
    );
    for workers in [1, 2, 4] {
        let options = ExecutorOptions::with_workers(workers);
        let t = best_of_3(|| {
            parallel_map(
                keyed(1_000_000, 1_000),
                Arc::new(Mix),
                &spec,
                params.clone(),
                None,
                &options,
            )
            .expect("parallel_map");
        });
        println!(
            "  parallel_map, {workers} worker(s)  {:>8.1} ms",
            t.as_secs_f64() * 1e3
        );
    }
    println!("streaming map, 1000 batches of 8192 rows, one call per batch:");
    for workers in [1, 2, 4] {
        let options = ExecutorOptions {
            workers,
            stream_chunk_rows: 1,
            ..ExecutorOptions::default()
        };
        let t = best_of_3(|| {
            let source = (0..1_000_i64).map(|b| long_batch((b * 8192..(b + 1) * 8192).collect()));
            let df =
                DataFrame::from(StreamFrame::from_batches("v:long", source).expect("a stream"));
            let mut n = 0;
            parallel_map_into(
                df,
                Arc::new(Mix),
                &PartitionSpec::new(),
                params.clone(),
                None,
                &options,
                &mut |_| {
                    n += 1;
                    Ok(())
                },
            )
            .expect("parallel_map_into");
            assert_eq!(n, 1_000);
        });
        println!(
            "  {workers} worker(s)                {:>8.1} ms",
            t.as_secs_f64() * 1e3
        );
    }
}
