//! Callbacks from transformers to the driver (reference §7): progress reporting and early stop.
//!
//! A transformer declares a `Callback` parameter (or `Option<Callback>` when it can run
//! without one); whoever runs it supplies a handler on the driver. On the engines of one machine
//! the handler runs on the calling thread, calls from one partition arrive in order, and an
//! error returned by the handler fails the run.
//!
//! `cargo run --example callbacks`

use fugue::prelude::*;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// One sensor reading.
#[derive(Schema, Debug, Clone)]
struct Reading {
    sensor: i64,
    value: f64,
}

/// A reading flagged as an anomaly.
#[derive(Schema, Debug, Clone)]
struct Anomaly {
    sensor: i64,
    value: f64,
}

/// Scan a partition lazily, report progress every 10,000 readings, and stop as soon as the
/// driver says that enough anomalies were found overall.
#[transformer]
fn find_anomalies(readings: impl Iterator<Item = Reading>, driver: Callback) -> Vec<Anomaly> {
    const EVERY: i64 = 10_000;
    let mut found = Vec::new();
    for (i, r) in readings.enumerate() {
        if r.value > 0.999 {
            found.push(Anomaly {
                sensor: r.sensor,
                value: r.value,
            });
        }
        if (i as i64 + 1) % EVERY == 0 {
            // Report the last `EVERY` readings; the answer is `true` when the driver wants the
            // scan to stop. If the driver cannot be reached, stop too.
            let report = Value::from(vec![
                ("seen", Value::from(EVERY)),
                ("found", Value::from(found.len() as i64)),
            ]);
            let stop = driver
                .call(report)
                .map_or(true, |v| v.as_bool() == Some(true));
            if stop {
                break;
            }
        }
    }
    found
}

fn readings(n: i64) -> Vec<Reading> {
    let mut state: u64 = 42;
    (0..n)
        .map(|i| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            Reading {
                sensor: i % 16,
                value: (state >> 11) as f64 / (1u64 << 53) as f64,
            }
        })
        .collect()
}

fn main() -> Result<(), FugueError> {
    let data = readings(400_000);

    // Progress reporting: the handler adds up what every partition reports.
    let progress = Arc::new(Mutex::new((0_i64, 0_i64)));
    let seen_by_driver = progress.clone();
    let out = fugue::Transform::new(data.clone(), find_anomalies)
        .partition("num=4")
        .engine("local")
        .callback(move |report: Value| {
            let mut p = seen_by_driver
                .lock()
                .map_err(|_| FugueError::Internal("lock".into()))?;
            p.0 += report.field("seen").and_then(Value::as_i64).unwrap_or(0);
            if p.0 % 100_000 == 0 {
                println!("progress: {} readings scanned", p.0);
            }
            Ok(Value::from(false))
        })
        .run()?;
    println!(
        "found {} anomalies in {} readings\n",
        out.count()?,
        progress.lock().map(|p| p.0).unwrap_or(0)
    );

    // Early stop: the driver answers `true` once 100,000 readings were scanned in all.
    let scanned = Arc::new(AtomicI64::new(0));
    let counter = scanned.clone();
    let out = fugue::Transform::new(data, find_anomalies)
        .partition("num=4")
        .engine("local")
        .callback(move |report: Value| {
            let total = counter.fetch_add(
                report.field("seen").and_then(Value::as_i64).unwrap_or(0),
                Ordering::SeqCst,
            );
            Ok(Value::from(total >= 100_000))
        })
        .run()?;
    println!(
        "stopped early: {} readings scanned before the stop, {} anomalies kept",
        scanned.load(Ordering::SeqCst),
        out.count()?
    );

    // A required callback with no handler is an error before any data moves.
    let err = fugue::transform(readings(10), find_anomalies, (), "native").unwrap_err();
    println!("\nwithout a handler: {err}");
    Ok(())
}
