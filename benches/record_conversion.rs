//! Row <-> Arrow conversion throughput: `#[derive(Schema)]` against serde_arrow.
//!
//! 10,000,000 rows `{ id: i64, score: f64, name: String (8 chars), extra: Option<i32> }`, to one
//! record batch and back; median of 5 runs per direction and library, printed as rows/s. Both
//! libraries produce the same Arrow types (serde_arrow is given our fields), and the results
//! are checked equal once, outside the timing.
//!
//! Run with `cargo bench --bench record_conversion` (release build).

use arrow::array::RecordBatch;
use arrow::datatypes::FieldRef;
use fugue::prelude::*;
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ROWS: usize = 10_000_000;
const RUNS: usize = 5;

#[derive(Schema, Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Row {
    id: i64,
    score: f64,
    name: String,
    extra: Option<i32>,
}

fn rows() -> Vec<Row> {
    (0..ROWS)
        .map(|i| Row {
            id: i as i64,
            score: i as f64 * 0.5,
            name: format!("n{:07}", i % 10_000_000),
            extra: (i % 3 != 0).then_some(i as i32),
        })
        .collect()
}

/// The median duration of `RUNS` runs of `f` (each result is dropped outside the timing).
fn median<T>(mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let out = black_box(f());
            let elapsed = start.elapsed();
            drop(out);
            elapsed
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn report(what: &str, ours: Duration, serde: Duration) {
    let rate = |d: Duration| ROWS as f64 / d.as_secs_f64();
    println!(
        "{what:<22} fugue {:>7.1} ms {:>12.0} rows/s | serde_arrow {:>7.1} ms {:>12.0} rows/s | fugue/serde_arrow speed {:.2}x",
        ours.as_secs_f64() * 1e3,
        rate(ours),
        serde.as_secs_f64() * 1e3,
        rate(serde),
        serde.as_secs_f64() / ours.as_secs_f64(),
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows = rows();
    let fields: Vec<FieldRef> = Row::arrow_schema()?.fields().iter().cloned().collect();

    // Equality, once, outside the timing.
    let ours: RecordBatch = Row::to_record_batch(&rows)?;
    let theirs: RecordBatch = serde_arrow::to_record_batch(&fields, &rows)?;
    assert_eq!(ours, theirs, "both libraries must build the same batch");
    assert!(Row::from_record_batch(&ours)? == rows, "fugue round trip");
    let back: Vec<Row> = serde_arrow::from_record_batch(&theirs)?;
    assert!(back == rows, "serde_arrow round trip");
    drop(back);
    drop(theirs);

    println!("{ROWS} rows, median of {RUNS} runs");
    let to_ours = median(|| Row::to_record_batch(&rows));
    let to_serde = median(|| serde_arrow::to_record_batch(&fields, &rows));
    report("Vec -> RecordBatch", to_ours, to_serde);
    let from_ours = median(|| Row::from_record_batch(&ours));
    let from_serde = median(|| serde_arrow::from_record_batch::<Vec<Row>>(&ours));
    report("RecordBatch -> Vec", from_ours, from_serde);
    Ok(())
}
