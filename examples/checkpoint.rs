//! Checkpoints and yields (reference §6): weak (in memory), strong (a file removed after the
//! run) and deterministic (a file reused across runs, keyed by the steps, their parameters, the
//! transformer's full path, a hash of its tokens and its version, and the content of the input
//! data: unlike Fugue, changed data or an edited transformer is never served from a stale
//! checkpoint).
//!
//! `cargo run --example checkpoint`

use fugue::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

static CALLS: AtomicUsize = AtomicUsize::new(0);

#[derive(Schema, Debug, Clone)]
struct Reading {
    sensor: i64,
    value: f64,
}

#[derive(Schema, Debug, Clone)]
struct Summary {
    sensor: i64,
    mean: f64,
}

/// An expensive summary per sensor (it counts its calls).
#[transformer(partitionby_has = "sensor")]
fn summarize(readings: Vec<Reading>) -> Summary {
    CALLS.fetch_add(1, Ordering::SeqCst);
    let mean = readings.iter().map(|r| r.value).sum::<f64>() / readings.len().max(1) as f64;
    Summary {
        sensor: readings.first().map_or(0, |r| r.sensor),
        mean,
    }
}

fn run(folder: &std::path::Path, data: Vec<Reading>, version: &str) -> Result<(), FugueError> {
    let wf = Workflow::with_conf([(
        "fugue.workflow.checkpoint.path",
        folder.to_string_lossy().as_ref(),
    )])?;
    let summary = wf
        .create(data)
        .partition("by=sensor")
        .transform(summarize)
        .version(version)
        .checkpoint_deterministic();
    summary.filter("mean > 0").yield_as("positive");
    let before = CALLS.load(Ordering::SeqCst);
    let result = wf.run("native", ())?;
    println!(
        "version {version}: transformer calls {:>2}, steps reused {:?}, {} positive sensors",
        CALLS.load(Ordering::SeqCst) - before,
        result.reused(),
        result.get("positive")?.count()?
    );
    // Which checkpoints were reused, and why the others were not.
    print!("{}", result.explain());
    Ok(())
}

fn main() -> Result<(), FugueError> {
    let folder =
        std::env::temp_dir().join(format!("fugue-checkpoint-example-{}", std::process::id()));
    let data: Vec<Reading> = (0..1000)
        .map(|i| Reading {
            sensor: i % 10,
            value: (i % 7) as f64 - 2.0,
        })
        .collect();

    run(&folder, data.clone(), "1")?; // computed and written
    run(&folder, data.clone(), "1")?; // reused: same steps, data and version
    run(&folder, data.clone(), "2")?; // recomputed: the transformer's version changed
    let mut changed = data;
    changed[0].value = 100.0;
    run(&folder, changed, "2")?; // recomputed: the data changed

    // A file checkpoint needs a folder: the error names the key to set.
    let wf = Workflow::new();
    wf.create(vec![Reading {
        sensor: 1,
        value: 1.0,
    }])
    .checkpoint()
    .yield_as("x");
    if let Err(e) = wf.run("native", ()) {
        println!("{e}");
    }
    std::fs::remove_dir_all(&folder).ok();
    Ok(())
}
