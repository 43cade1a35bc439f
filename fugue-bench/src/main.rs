//! The benchmark binary of Fugue for Rust: the workloads W1-W5 of `../shared/bench/WORKLOADS.md`,
//! timed the way `bench.py` times the Python peers, one JSON line per run.
//!
//! ```text
//! cargo run --profile bench-fast -p fugue-bench -- --workload W1 --rows 1000000 --data DIR \
//!     [--engine local|native|ballista://HOST:PORT] [--variant rows|rows_str|batch]
//!     [--out results.jsonl]   (`--help` lists every option)
//!
//! With the `cluster` feature, `fugue-bench scheduler ...` and `fugue-bench executor ...` run
//! the nodes of a Ballista cluster (see `bench/cluster.sh`).
//! ```
//!
//! Loading `DIR/fact_N.parquet` and `DIR/dim.parquet` is set-up (not timed), except for W5,
//! which reads the file inside the timed run. Then one warm-up run and five timed runs (three
//! when the warm-up takes over 2 s, one when over 30 s); every result is fully materialised in
//! memory (an Arrow frame) or written (W4, W5). The checksums are
//! computed from the warm-up's result, outside the timings, exactly as `bench.py` computes them.

mod workloads;

use clap::{CommandFactory, Parser};
use fugue::{ExecutionEngine, make_engine};
use serde_json::{Value as Json, json};
use std::sync::Arc;
use std::time::Instant;

/// The command line, as clap reads it (`fugue-bench --help`).
#[derive(Parser)]
#[command(
    name = "fugue-bench",
    about = "Times a workload of shared/bench/WORKLOADS.md; prints one JSON line per run"
)]
struct Line {
    /// The workload.
    #[arg(long, ignore_case = true, value_parser = ["W1", "W2", "W3", "W4", "W5"])]
    workload: String,
    /// The input's rows (`1000000`, `1_000_000`): it reads `DIR/fact_N.parquet`.
    #[arg(long, value_name = "N", value_parser = count)]
    rows: usize,
    /// The folder of the generated data.
    #[arg(long, value_name = "DIR")]
    data: String,
    /// The engine: `local`, `native`, or `ballista://HOST:PORT` (with the `cluster` feature).
    #[arg(long, default_value = "local", value_parser = engine_name)]
    engine: String,
    /// The transformer's shape (W1 and W2 only; default `rows`).
    #[arg(long, value_parser = ["rows", "rows_str", "batch"])]
    variant: Option<String>,
    /// Append the JSON lines to this file too.
    #[arg(long, value_name = "FILE.jsonl")]
    out: Option<String>,
    /// The folder W4 and W5 write to (default: `DIR/scratch-rs`).
    #[arg(long, value_name = "DIR")]
    scratch: Option<String>,
}

/// A row count, with optional `_` separators.
fn count(text: &str) -> Result<usize, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("`{text}` is not a count"))
}

/// An engine this binary can run on.
fn engine_name(text: &str) -> Result<String, String> {
    let ballista = text.starts_with("ballista://");
    if ["local", "native"].contains(&text) || (cfg!(feature = "cluster") && ballista) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "unknown engine `{text}` (local, native, or ballista://HOST:PORT with the `cluster` \
             feature)"
        ))
    }
}

/// The parsed command line, defaults resolved.
struct Args {
    workload: String,
    rows: usize,
    data: String,
    engine: String,
    variant: String,
    out: Option<String>,
    scratch: String,
}

fn parse_args() -> Args {
    let line = Line::parse();
    let workload = line.workload.to_uppercase();
    let variant = match workload.as_str() {
        "W1" | "W2" => line.variant.unwrap_or_else(|| "rows".to_string()),
        _ => {
            if let Some(v) = line.variant {
                Line::command()
                    .error(
                        clap::error::ErrorKind::ArgumentConflict,
                        format!("`--variant {v}` applies to W1 and W2 only"),
                    )
                    .exit()
            }
            "engine".to_string()
        }
    };
    let scratch = line
        .scratch
        .unwrap_or_else(|| format!("{}/scratch-rs", line.data));
    Args {
        workload,
        rows: line.rows,
        data: line.data,
        engine: line.engine,
        variant,
        out: line.out,
        scratch,
    }
}

/// The process's peak resident set (VmHWM), in MB.
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb.div_ceil(1024))
}

/// Reset the peak RSS to the current RSS (Linux: `5` to `clear_refs`), so that loading the
/// input's parquet does not count; the input itself stays resident and counts, as in bench.py.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn median(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn round(x: f64, digits: i32) -> f64 {
    (x * 10f64.powi(digits)).round() / 10f64.powi(digits)
}

fn main() {
    // With the `cluster` feature this binary is also a Ballista scheduler or executor (the
    // executors must have the workloads' transformers: they run this same binary).
    #[cfg(feature = "cluster")]
    {
        let argv: Vec<String> = std::env::args().skip(1).collect();
        if matches!(
            argv.first().map(String::as_str),
            Some("scheduler" | "executor")
        ) {
            if let Err(e) = fugue_cluster::cli::dispatch(&argv, |_| Ok(())) {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
            return;
        }
        fugue::cluster::install();
    }
    let args = parse_args();
    let engine: Arc<dyn ExecutionEngine> =
        make_engine(args.engine.as_str(), ()).unwrap_or_else(|e| {
            eprintln!("error: cannot make the engine: {e}");
            std::process::exit(1)
        });
    let t0 = Instant::now();
    let mut case = workloads::setup(&args, &engine).unwrap_or_else(|e| {
        eprintln!("error: set-up failed: {e}");
        std::process::exit(1)
    });
    let setup_s = t0.elapsed().as_secs_f64();
    reset_peak_rss();

    let t0 = Instant::now();
    let result = case.run().unwrap_or_else(|e| {
        eprintln!("error: the warm-up run failed: {e}");
        std::process::exit(1)
    });
    let warm = t0.elapsed().as_secs_f64();
    let check = case.check(result).unwrap_or_else(|e| {
        eprintln!("error: the checksum failed: {e}");
        std::process::exit(1)
    });
    let runs = if warm > 30.0 {
        1
    } else if warm > 2.0 {
        3
    } else {
        5
    };
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t0 = Instant::now();
        let result = case.run().unwrap_or_else(|e| {
            eprintln!("error: a timed run failed: {e}");
            std::process::exit(1)
        });
        times.push(t0.elapsed().as_secs_f64());
        drop(result);
    }
    let record = json!({
        "workload": args.workload,
        "system": format!("fugue_rs_{}", engine.name()),
        "variant": args.variant,
        "n": args.rows,
        "median_s": round(median(&times), 4),
        "min_s": round(times.iter().copied().fold(f64::INFINITY, f64::min), 4),
        "peak_rss_mb": peak_rss_mb(),
        "check": check,
        "setup_s": round(setup_s, 3),
        "warmup_s": round(warm, 4),
        "times_s": times.iter().map(|t| round(*t, 4)).collect::<Vec<_>>(),
        "loadavg": load_average(),
    });
    let line = record.to_string();
    println!("{line}");
    if let Some(out) = &args.out {
        use std::io::Write;
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .and_then(|mut f| writeln!(f, "{line}"));
        if let Err(e) = written {
            eprintln!("error: cannot append to {out}: {e}");
            std::process::exit(1);
        }
    }
}

/// A checksum value as `bench.py` prints it: integers as integers, rounded floats as floats.
fn checksum(pairs: Vec<(&str, Json)>) -> Json {
    Json::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
