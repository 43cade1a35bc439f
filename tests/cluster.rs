//! The Ballista engine on a loopback cluster of separate processes: one scheduler and two
//! executors, all of them *this test binary* (`harness = false`), exactly as a user's
//! program runs with `fugue::cluster::main`: the same binary is the driver, the scheduler and
//! the executors, so that the executors find every transformer by name.
//!
//! Checks: a `workflow!` with a transformer, a join and an aggregation gives the local
//! engine's result and its transformer ran in both executor processes; a transformer's
//! callbacks reach the driver over the network; keys, presort columns and parameters with
//! names a text form would split or unquote (`a;b`, backticks, quotes, spaces, unicode) give
//! the local engine's result; cursors carry the local engine's first row and schemas, and
//! `on_init` runs once per task, not per key group; an executor killed in the middle of a run neither hangs the run
//! nor leaves a wrong or partial result; a scan → transformer → aggregate → save workflow over
//! 20M rows of parquet runs in the executors, with a driver (a fresh process) whose peak memory
//! stays far below the data's size, and gives the local engine's result; on `local`, a scan →
//! transformer without keys → save over the same rows runs in memory that does not grow with
//! them (the step is a node of the scan's plan; its one call reads the scan as a stream).

use fugue::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

#[derive(Schema, Debug, Clone, PartialEq)]
struct Sale {
    k: i64,
    v: f64,
    city: String,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Ranked {
    k: i64,
    v: f64,
    city: String,
    rank: i64,
    pid: i64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct City {
    city: String,
    region: String,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Report {
    region: String,
    n: i64,
    firsts: i64,
    total: f64,
}

/// Rank the rows of a key by `v` (presorted by the engine) and tag them with the process
/// that ran the call.
#[transformer(partitionby_has = "k", presort_is = "v desc")]
fn rank(rows: Vec<Sale>) -> Vec<Ranked> {
    let pid = i64::from(std::process::id());
    rows.into_iter()
        .enumerate()
        .map(|(i, s)| Ranked {
            k: s.k,
            v: s.v,
            city: s.city,
            rank: i as i64 + 1,
            pid,
        })
        .collect()
}

/// Slow on purpose (for the killed-executor run).
#[transformer(partitionby_has = "k")]
fn slow(rows: Vec<Sale>) -> Vec<Sale> {
    std::thread::sleep(Duration::from_millis(150));
    rows
}

/// Report each key group's size to the driver.
#[transformer(partitionby_has = "k")]
fn report_size(rows: Vec<Sale>, driver: Callback) -> Result<Vec<Sale>, FugueError> {
    driver.call(rows.len() as i64)?;
    Ok(rows)
}

const CITIES: [(&str, &str); 4] = [
    ("Paris", "Europe"),
    ("Oslo", "Europe"),
    ("Lima", "Americas"),
    ("Osaka", "Asia"),
];

fn sales(n: i64, keys: i64) -> Vec<Sale> {
    (0..n)
        .map(|i| Sale {
            k: i % keys,
            v: ((i * 7919) % 1000) as f64 / 10.0,
            city: CITIES[(i % 5 % 4) as usize].0.to_string(),
        })
        .collect()
}

fn cities() -> Vec<City> {
    CITIES
        .iter()
        .map(|(c, r)| City {
            city: c.to_string(),
            region: r.to_string(),
        })
        .collect()
}

/// The rows of the large run: `k` in 0..1000, `v` and `u` in [0, 100), `city` one of
/// [`CITIES`].
const LARGE_ROWS: usize = 20_000_000;

/// Per key: `v` doubled as `w` (columnar, so the large run spends its time in the engine).
#[transformer(partitionby_has = "k", schema = "*,w:double")]
fn doubled(batch: RecordBatch) -> Result<RecordBatch, FugueError> {
    with_w(batch)
}

/// The batch with `w = 2 v` appended.
fn with_w(batch: RecordBatch) -> Result<RecordBatch, FugueError> {
    use arrow::array::{Array, Float64Array};
    let v = batch
        .column_by_name("v")
        .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
        .ok_or_else(|| FugueError::InvalidOperation("no double column `v`".into()))?;
    let w: Float64Array = v.unary(|x| 2.0 * x);
    let mut fields: Vec<arrow::datatypes::FieldRef> = batch.schema().fields().to_vec();
    fields.push(Arc::new(arrow::datatypes::Field::new(
        "w",
        arrow::datatypes::DataType::Float64,
        true,
    )));
    let mut columns = batch.columns().to_vec();
    columns.push(Arc::new(w));
    RecordBatch::try_new(Arc::new(arrow::datatypes::Schema::new(fields)), columns)
        .map_err(|e| FugueError::InvalidOperation(e.to_string()))
}

/// The large run's result rows.
#[derive(Schema, Debug, Clone, PartialEq)]
struct CityTotal {
    city: String,
    n: i64,
    total: f64,
}

/// Write the large run's input: `rows` rows of parquet, generated batch by batch.
fn write_large_input(path: &str, rows: usize) -> Result<(), FugueError> {
    use arrow::array::{Float64Array, Int64Array, StringArray};
    const BATCH: usize = 1 << 20;
    let batches = (0..rows.div_ceil(BATCH)).map(move |b| {
        let range = b * BATCH..((b + 1) * BATCH).min(rows);
        let k: Int64Array = range.clone().map(|i| (i % 1000) as i64).collect();
        let v: Float64Array = range
            .clone()
            .map(|i| ((i * 7919) % 1000) as f64 / 10.0)
            .collect();
        let u: Float64Array = range.clone().map(|i| (i % 977) as f64 / 9.77).collect();
        let city: StringArray = range.map(|i| Some(CITIES[i % 5 % 4].0)).collect();
        RecordBatch::try_from_iter([
            ("k", Arc::new(k) as arrow::array::ArrayRef),
            ("v", Arc::new(v) as _),
            ("u", Arc::new(u) as _),
            ("city", Arc::new(city) as _),
        ])
        .expect("a batch of the large input")
    });
    let frame = fugue::StreamFrame::from_batches("k:long,v:double,u:double,city:str", batches)?;
    fugue::LocalEngine::native(Default::default())?.save(
        frame.into(),
        path,
        &fugue::SaveOptions::default(),
    )
}

/// A value of this process's `/proc/self/status` in kB (`VmHWM`: peak resident memory).
fn memory_kb(key: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {key} in /proc/self/status"))
}

/// The large run (in a fresh driver process: `large-driver ENGINE INPUT OUTPUT`): prints the
/// driver's resident memory before the run and its peak (`VmHWM`), in kB, on its last line.
fn large_driver(engine: &str, input: &str, output: &str) -> Result<(u64, u64), String> {
    let before = memory_kb("VmRSS")?;
    let (input, output) = (input.to_string(), output.to_string());
    let wf = workflow! {
        facts = load(input);
        scaled = transform(facts, doubled, partition(by: k));
        totals = aggregate(scaled, by: [city], n = "COUNT(*)", total = "SUM(w)");
        save(totals, output.clone());
    };
    wf.run(engine, [("fugue.ballista.partitions", "8")])
        .map_err(|e| e.to_string())?;
    Ok((before, memory_kb("VmHWM")?))
}

/// `w = 2 v` on every batch as it comes (no keys: one call over the whole input, reading it as
/// a stream).
#[transformer(schema = "*,w:double")]
fn doubled_stream(batches: impl Iterator<Item = RecordBatch>) -> impl Iterator<Item = RecordBatch> {
    batches.map(|b| with_w(b).expect("a batch with a double column `v`"))
}

/// The streaming run (in a fresh process: `stream-driver ENGINE INPUT OUTPUT`): scan, a
/// transformer without keys over batch iterators, save; prints the resident memory before
/// the run and its peak, in kB.
fn stream_driver(engine: &str, input: &str, output: &str) -> Result<(u64, u64), String> {
    let before = memory_kb("VmRSS")?;
    let (input, output) = (input.to_string(), output.to_string());
    let wf = workflow! {
        facts = load(input);
        scaled = transform(facts, doubled_stream);
        save(scaled, output.clone());
    };
    wf.run(engine, ()).map_err(|e| e.to_string())?;
    Ok((before, memory_kb("VmHWM")?))
}

/// The large run's result, sorted by city.
fn city_totals(path: &str) -> Result<Vec<CityTotal>, String> {
    let engine = fugue::LocalEngine::native(Default::default()).map_err(|e| e.to_string())?;
    let frame = engine
        .load(&[path], &Default::default())
        .map_err(|e| e.to_string())?;
    let mut rows: Vec<CityTotal> = fugue::records(frame).map_err(|e| e.to_string())?;
    rows.sort_by(|a, b| a.city.cmp(&b.city));
    Ok(rows)
}

fn a_large_scan_runs_in_the_executors(cluster: &Cluster) -> Check {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let (input, remote_out, local_out) = (
        path("facts.parquet"),
        path("remote.parquet"),
        path("local.parquet"),
    );
    let (small_input, small_out) = (path("small.parquet"), path("small_out.parquet"));
    let started = Instant::now();
    write_large_input(&input, LARGE_ROWS).map_err(|e| e.to_string())?;
    let written = started.elapsed();
    write_large_input(&small_input, LARGE_ROWS / 10).map_err(|e| e.to_string())?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let run_as = |role: &str,
                  engine: &str,
                  input: &str,
                  out: &str|
     -> Result<(u64, u64, Duration), String> {
        let started = Instant::now();
        let done = Command::new(&me)
            .args([role, engine, input, out])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| e.to_string())?;
        let stdout = String::from_utf8_lossy(&done.stdout);
        if !done.status.success() {
            return Err(format!("the driver on {engine} failed: {stdout}"));
        }
        let figures: Vec<u64> = stdout
            .lines()
            .last()
            .map(|l| l.split(' ').filter_map(|n| n.parse().ok()).collect())
            .unwrap_or_default();
        match figures[..] {
            [before, peak] => Ok((before, peak, started.elapsed())),
            _ => Err(format!("the driver printed no memory figures: {stdout}")),
        }
    };
    let run = |engine: &str, input: &str, out: &str| run_as("large-driver", engine, input, out);
    let (remote_before, remote_peak, remote_time) = run(&cluster.engine(), &input, &remote_out)?;
    let (_, small_peak, _) = run(&cluster.engine(), &small_input, &small_out)?;
    let (_, local_peak, local_time) = run("local", &input, &local_out)?;
    let (remote, local) = (city_totals(&remote_out)?, city_totals(&local_out)?);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    let same = remote.len() == local.len()
        && remote
            .iter()
            .zip(&local)
            .all(|(r, l)| r.city == l.city && r.n == l.n && close(r.total, l.total));
    if !same || remote.len() != 4 {
        return Err(format!(
            "the cluster's result {remote:?} differs from the local engine's {local:?}"
        ));
    }
    // The input's Arrow size: an i64, two f64 and a string of 4-5 bytes with its offset.
    let arrow_kb = (LARGE_ROWS * (8 + 8 + 8 + 4 + 4)) as u64 / 1024;
    let limit_kb = (300 * 1024).min(arrow_kb / 4);
    println!(
        "large run: {LARGE_ROWS} rows written in {written:.1?}; ballista driver peak {} MB ({} \
         MB before the run; {} MB over a tenth of the rows) in {remote_time:.1?}; local \
         process peak {} MB in {local_time:.1?} (limit {} MB; input {} MB as Arrow)",
        remote_peak / 1024,
        remote_before / 1024,
        small_peak / 1024,
        local_peak / 1024,
        limit_kb / 1024,
        arrow_kb / 1024
    );
    // scan -> transformer without keys over batch iterators -> save on `local`: the step is
    // a node of the scan's plan and its one call reads the scan as a stream, so the process's
    // peak does not grow with the input.
    let (stream_out, small_stream_out) = (path("stream.parquet"), path("small_stream.parquet"));
    let (_, stream_peak, stream_time) = run_as("stream-driver", "local", &input, &stream_out)?;
    let (_, small_stream_peak, _) =
        run_as("stream-driver", "local", &small_input, &small_stream_out)?;
    let written = fugue::LocalEngine::native(Default::default())
        .and_then(|e| e.load(&[stream_out.as_str()], &Default::default()))
        .and_then(|df| df.count())
        .map_err(|e| e.to_string())?;
    println!(
        "streaming run (local: scan, transformer without keys, save): peak {} MB over {} rows \
         in {stream_time:.1?}, {} MB over a tenth of the rows",
        stream_peak / 1024,
        LARGE_ROWS,
        small_stream_peak / 1024
    );
    if written != LARGE_ROWS {
        return Err(format!(
            "the streaming run wrote {written} rows of {LARGE_ROWS}"
        ));
    }
    if stream_peak > limit_kb || stream_peak > small_stream_peak + 48 * 1024 {
        return Err(format!(
            "the streaming run's peak memory grew with the input: {} MB over {} rows, {} MB \
             over {} (limit {} MB)",
            small_stream_peak / 1024,
            LARGE_ROWS / 10,
            stream_peak / 1024,
            LARGE_ROWS,
            limit_kb / 1024
        ));
    }
    if remote_peak > limit_kb {
        return Err(format!(
            "the driver's peak memory was {} MB, over {} MB: the data passed through it",
            remote_peak / 1024,
            limit_kb / 1024
        ));
    }
    // Flat: ten times the rows, about the same peak.
    if remote_peak > small_peak + 24 * 1024 {
        return Err(format!(
            "the driver's peak memory grew with the input: {} MB over {} rows, {} MB over {}",
            small_peak / 1024,
            LARGE_ROWS / 10,
            remote_peak / 1024,
            LARGE_ROWS
        ));
    }
    Ok(())
}

// ---- the loopback cluster ------------------------------------------------------------------

/// A free TCP port of the loopback interface.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A scheduler and two executors, stopped when dropped.
struct Cluster {
    scheduler: Child,
    executors: Vec<Child>,
    port: u16,
    _work: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Cluster {
        let me = std::env::current_exe().expect("the test binary");
        let work = tempfile::tempdir().expect("a temporary folder");
        let port = free_port();
        let quiet = || {
            if std::env::var_os("FUGUE_CLUSTER_TEST_LOGS").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            }
        };
        let scheduler = Command::new(&me)
            .args(["scheduler", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--executor-timeout", "6"])
            .stdout(quiet())
            .stderr(quiet())
            .spawn()
            .expect("start the scheduler");
        wait_for_port(port, "the scheduler");
        let executors = (0..2)
            .map(|i| {
                let (flight, grpc) = (free_port(), free_port());
                let dir = work.path().join(format!("executor-{i}"));
                std::fs::create_dir_all(&dir).expect("a work folder");
                let child = Command::new(&me)
                    .args(["executor", "--scheduler", &format!("127.0.0.1:{port}")])
                    .args(["--port", &flight.to_string()])
                    .args(["--grpc-port", &grpc.to_string()])
                    .args(["--cores", "2", "--heartbeat", "1"])
                    .args(["--work-dir", &dir.to_string_lossy()])
                    .stdout(quiet())
                    .stderr(quiet())
                    .spawn()
                    .expect("start an executor");
                wait_for_port(flight, "an executor");
                child
            })
            .collect();
        let cluster = Cluster {
            scheduler,
            executors,
            port,
            _work: work,
        };
        cluster.wait_until_both_executors_run_tasks();
        cluster
    }

    /// Readiness: run a small keyed step until both executors have run a part of it (an
    /// executor registers with the scheduler a moment after its port opens).
    fn wait_until_both_executors_run_tasks(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ran_in: BTreeSet<i64> =
                fugue::make_engine(self.engine(), [("fugue.ballista.partitions", "8")])
                    .and_then(|engine| {
                        fugue::transform(sales(400, 40), rank, "by=k; presort=v desc", engine)
                    })
                    .and_then(fugue::records::<Ranked>)
                    .map(|rows| rows.iter().map(|r| r.pid).collect())
                    .unwrap_or_default();
            if ran_in == self.executor_pids() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the executors {:?} did not both run tasks within 60 s (last: {ran_in:?})",
                self.executor_pids()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    fn engine(&self) -> String {
        format!("ballista://127.0.0.1:{}", self.port)
    }

    fn executor_pids(&self) -> BTreeSet<i64> {
        self.executors.iter().map(|c| i64::from(c.id())).collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.executors.iter_mut().chain([&mut self.scheduler]) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---- the checks ---------------------------------------------------------------------------

type Check = Result<(), String>;

fn workflow_matches_the_local_engine(cluster: &Cluster) -> Check {
    let data = sales(20_000, 50);
    let wf = workflow! {
        sales  = create(data) as Sale;
        cities = create(cities()) as City;
        ranked = transform(sales, rank, partition(by: k, presort: v desc));
        joined = join(ranked, cities, how: inner, on: [city]);
        report = aggregate(joined, by: [region], n = "count(*)",
                           firsts = "sum(case when rank = 1 then 1 else 0 end)",
                           total = "sum(v)");
        yield ranked;
        yield report;
    };
    let conf = [("fugue.ballista.partitions", "8")];
    let local = wf.run("local", ()).map_err(|e| e.to_string())?;
    let remote = wf.run(cluster.engine(), conf).map_err(|e| e.to_string())?;

    let reports = |r: &fugue::WorkflowResult| -> Result<Vec<Report>, String> {
        let mut rows: Vec<Report> = fugue::records(r.get("report").map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        rows.sort_by(|a, b| a.region.cmp(&b.region));
        Ok(rows)
    };
    let ranked = |r: &fugue::WorkflowResult| -> Result<Vec<Ranked>, String> {
        let rows: Vec<Ranked> = fugue::records(r.get("ranked").map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        Ok(rows)
    };
    let (want, got) = (reports(&local)?, reports(&remote)?);
    if want.len() != got.len()
        || want.iter().zip(&got).any(|(a, b)| {
            a.region != b.region
                || a.n != b.n
                || a.firsts != b.firsts
                || (a.total - b.total).abs() > 1e-6 * a.total.abs().max(1.0)
        })
    {
        return Err(format!("report differs: local {want:?}, cluster {got:?}"));
    }
    let key = |r: &Ranked| (r.k, r.rank, r.v.to_bits(), r.city.clone());
    let mut local_ranked: Vec<_> = ranked(&local)?.iter().map(key).collect();
    let remote_rows = ranked(&remote)?;
    let mut remote_ranked: Vec<_> = remote_rows.iter().map(key).collect();
    local_ranked.sort();
    remote_ranked.sort();
    if local_ranked != remote_ranked {
        return Err("the transformer's rows differ from the local engine's".into());
    }
    let pids: BTreeSet<i64> = remote_rows.iter().map(|r| r.pid).collect();
    if pids != cluster.executor_pids() {
        return Err(format!(
            "the transformer ran in processes {pids:?}, not in both executors {:?}",
            cluster.executor_pids()
        ));
    }
    println!(
        "ok: workflow (transform, join, aggregate) equals the local engine; rank ran in \
         executor processes {pids:?}"
    );
    Ok(())
}

fn checkpoints_and_yields_work(cluster: &Cluster) -> Check {
    let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = folder.path().to_string_lossy().to_string();
    let wf = workflow! {
        sales  = create(sales(2_000, 20)) as Sale;
        ranked = transform(sales, rank, partition(by: k, presort: v desc));
        checkpoint(ranked, deterministic);
        firsts = filter(ranked, "rank = 1");
        yield firsts;
    };
    let conf = [("fugue.workflow.checkpoint.path", path.as_str())];
    let first = wf.run(cluster.engine(), conf).map_err(|e| e.to_string())?;
    let second = wf.run(cluster.engine(), conf).map_err(|e| e.to_string())?;
    if !first.reused().is_empty() || second.reused().len() != 1 {
        return Err(format!(
            "the deterministic checkpoint was reused {:?} then {:?} (expected never, then once)",
            first.reused(),
            second.reused()
        ));
    }
    for result in [&first, &second] {
        let firsts: Vec<Ranked> = fugue::records(result.get("firsts").map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        if firsts.len() != 20 {
            return Err(format!("{} first rows, expected 20", firsts.len()));
        }
    }
    println!("ok: a deterministic checkpoint written on the cluster run was reused by the next");
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct PerKey {
    k: i64,
    sales: i64,
    cities: i64,
    pid: i64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct KeyCity {
    k: i64,
    city: String,
}

/// Count the rows of both zipped frames for one key, tagged with the running process.
#[cotransformer]
fn per_key(sales: Vec<Sale>, cities: Vec<KeyCity>) -> Vec<PerKey> {
    let k = sales
        .first()
        .map(|s| s.k)
        .or_else(|| cities.first().map(|c| c.k))
        .unwrap_or_default();
    vec![PerKey {
        k,
        sales: sales.len() as i64,
        cities: cities.len() as i64,
        pid: i64::from(std::process::id()),
    }]
}

fn cotransformers_zip_by_key(cluster: &Cluster) -> Check {
    let key_cities: Vec<KeyCity> = (0..60)
        .filter(|k| k % 4 != 0)
        .flat_map(|k| {
            (0..(k % 3 + 1)).map(move |i| KeyCity {
                k,
                city: CITIES[(i % 4) as usize].0.to_string(),
            })
        })
        .collect();
    let wf = workflow! {
        sales   = create(sales(3_000, 50)) as Sale;
        cities  = create(key_cities) as KeyCity;
        outer   = cotransform([sales, cities], per_key, partition(by: k), how: full_outer);
        inner   = cotransform([sales, cities], per_key, partition(by: k));
        yield outer;
        yield inner;
    };
    let conf = [("fugue.ballista.partitions", "8")];
    let local = wf.run("local", ()).map_err(|e| e.to_string())?;
    let remote = wf.run(cluster.engine(), conf).map_err(|e| e.to_string())?;
    let mut pids = BTreeSet::new();
    for name in ["outer", "inner"] {
        let rows = |r: &fugue::WorkflowResult| -> Result<Vec<PerKey>, String> {
            let mut rows: Vec<PerKey> = fugue::records(r.get(name).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
            rows.sort_by_key(|r| r.k);
            Ok(rows)
        };
        let (want, got) = (rows(&local)?, rows(&remote)?);
        pids.extend(got.iter().map(|r| r.pid));
        let strip = |v: &[PerKey]| {
            v.iter()
                .map(|r| (r.k, r.sales, r.cities))
                .collect::<Vec<_>>()
        };
        if strip(&want) != strip(&got) {
            return Err(format!(
                "`{name}` zip differs: local {:?}, cluster {:?}",
                strip(&want),
                strip(&got)
            ));
        }
    }
    if !pids.is_subset(&cluster.executor_pids()) {
        return Err(format!(
            "the cotransformer ran in {pids:?}, not in the executors"
        ));
    }
    println!("ok: cotransformers (inner and full outer zips) equal the local engine's");
    Ok(())
}

/// A name that holds a backtick, both quotes, spaces, a `,` and unicode.
const ODD: &str = "it's `x`, \"q\" é日🦀";

#[derive(Schema, Debug, Clone, PartialEq)]
struct Odd {
    #[fugue(rename = "a;b")]
    ab: i64,
    #[fugue(rename = "it's `x`, \"q\" é日🦀")]
    odd: i64,
    v: f64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct OddRanked {
    #[fugue(rename = "a;b")]
    ab: i64,
    #[fugue(rename = "it's `x`, \"q\" é日🦀")]
    odd: i64,
    v: f64,
    rank: i64,
    group: i64,
    tag: String,
}

/// Number the rows of one group in the order the engine presorted them, with the group's
/// size and the step's `tag` parameter.
#[transformer]
fn rank_odd(rows: Vec<Odd>, tag: String) -> Vec<OddRanked> {
    let group = rows.len() as i64;
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| OddRanked {
            ab: r.ab,
            odd: r.odd,
            v: r.v,
            rank: i as i64 + 1,
            group,
            tag: tag.clone(),
        })
        .collect()
}

fn hostile_names_match_the_local_engine(cluster: &Cluster) -> Check {
    use fugue_core::{PartitionSpec, SortKey};
    let data: Vec<Odd> = (0..2_000_i64)
        .map(|i| Odd {
            ab: i % 23,
            odd: i % 7,
            v: ((i * 7919) % 1000) as f64,
        })
        .collect();
    let sort = |name: &str, descending: bool, nulls_first: bool| SortKey {
        name: name.to_string(),
        descending,
        nulls_first,
    };
    let specs = [
        PartitionSpec::builder()
            .by(["a;b"])
            .presort_keys([sort("v", true, false)])
            .build(),
        PartitionSpec::builder()
            .by([ODD])
            .presort_keys([sort("a;b", false, true), sort("v", false, false)])
            .build(),
        PartitionSpec::builder()
            .by([ODD, "a;b"])
            .presort_keys([sort("v", true, true)])
            .num(5)
            .build(),
        PartitionSpec::builder()
            .by(["a;b"])
            .presort_keys([sort(ODD, true, false), sort("v", false, false)])
            .algo("even")
            .build(),
    ];
    let tag = "a;b, `x` 'q' \"q\" é";
    let run = |spec: &PartitionSpec, engine: String| -> Result<Vec<OddRanked>, String> {
        let out = fugue::make_engine(engine, [("fugue.ballista.partitions", "4")])
            .and_then(|engine| {
                fugue::Transform::new(data.clone(), rank_odd)
                    .partition(spec)
                    .param("tag", tag)
                    .engine(engine)
                    .run()
            })
            .and_then(fugue::records::<OddRanked>)
            .map_err(|e| format!("`{spec}`: {e}"))?;
        let mut rows = out;
        rows.sort_by_key(|r| (r.ab, r.odd, r.v.to_bits(), r.rank));
        Ok(rows)
    };
    for spec in specs {
        let spec = spec.map_err(|e| e.to_string())?;
        let want = run(&spec, "local".to_string())?;
        let got = run(&spec, cluster.engine())?;
        if want != got {
            return Err(format!(
                "`{spec}`: the cluster's rows differ from the local engine's"
            ));
        }
        let groups = got.iter().filter(|r| r.rank == 1).count();
        let expected = match spec.keys().len() {
            2 => 23 * 7,
            _ if spec.keys()[0] == "a;b" => 23,
            _ => 7,
        };
        if groups != expected || got.len() != data.len() || got.iter().any(|r| r.tag != tag) {
            return Err(format!(
                "`{spec}`: {groups} groups (expected {expected}), {} rows, tags {:?}",
                got.len(),
                got.first().map(|r| &r.tag)
            ));
        }
    }
    println!(
        "ok: keys and presort columns named `a;b` and `{ODD}`, and a parameter `{tag}`, give \
         the local engine's result"
    );
    Ok(())
}

/// A function that no transformer macro declared: not in the registry.
struct Unregistered;

impl fugue::PartitionFunction for Unregistered {
    fn name(&self) -> &str {
        "unregistered"
    }

    fn output_schema(&self, inputs: &[fugue::Schema]) -> fugue::Result<fugue::Schema> {
        Ok(inputs[0].clone())
    }

    fn call<'a>(
        &'a self,
        _: fugue_runtime::function::PartitionContext,
        mut inputs: Vec<fugue::BatchStream<'a>>,
    ) -> fugue::Result<fugue::BatchStream<'a>> {
        Ok(inputs.remove(0))
    }
}

fn unregistered_functions_fail_before_any_job(cluster: &Cluster) -> Check {
    let e = fugue::transform(sales(10, 2), Unregistered, "by=k", cluster.engine())
        .err()
        .ok_or("a function outside the registry ran on the cluster")?;
    let message = e.to_string();
    if !message.contains("`unregistered` cannot run on the Ballista engine") {
        return Err(format!("unexpected error: {message}"));
    }
    println!("ok: an unregistered function is refused on the driver: {message}");
    Ok(())
}

/// Refuses every key group of more than one row.
#[transformer(partitionby_has = "k")]
fn refuse_groups(rows: Vec<Sale>) -> Result<Vec<Sale>, FugueError> {
    if rows.len() > 1 {
        let reason = format!("{} rows in one group", rows.len());
        return Err(FugueError::invalid_argument("rows", reason));
    }
    Ok(rows)
}

/// An error raised in an executor reaches the driver with the kind and the messages it has
/// on the local engine, without Ballista's job, stage and task wrappers.
fn executor_errors_keep_their_kind_and_messages(cluster: &Cluster) -> Check {
    let fail = |engine: &str| {
        fugue::transform(sales(40, 1), refuse_groups, "by=k", engine)
            .err()
            .ok_or_else(|| format!("`refuse_groups` did not fail on {engine}"))
    };
    let (local, remote) = (fail("local")?, fail(&cluster.engine())?);
    if remote.kind() != local.kind() || remote.root().kind() != local.root().kind() {
        return Err(format!(
            "kinds differ: {:?} / {:?} on the cluster, {:?} / {:?} locally",
            remote.kind(),
            remote.root().kind(),
            local.kind(),
            local.root().kind()
        ));
    }
    let (remote_text, local_messages) = (remote.to_string(), local.messages());
    let tail = &local_messages[local_messages.len().saturating_sub(3)..];
    if !remote.messages().ends_with(tail) {
        return Err(format!(
            "the cluster's messages {:?} do not end with the local engine's {tail:?}",
            remote.messages()
        ));
    }
    for noise in ["Job ", "stage", "DataFusionError", "fugue-error"] {
        if remote_text.contains(noise) {
            return Err(format!("`{noise}` in the cluster's error: {remote_text}"));
        }
    }
    println!("ok: an executor's error keeps its kind and messages: {remote_text}");
    Ok(())
}

/// One `on_init` per task of the executors: which process, and which of its inits.
struct TaskModel {
    pid: i64,
    init: i64,
}

static INITS_IN_THIS_PROCESS: AtomicI64 = AtomicI64::new(0);

fn load_task_model(_: &PhysicalPartition) -> TaskModel {
    TaskModel {
        pid: i64::from(std::process::id()),
        init: INITS_IN_THIS_PROCESS.fetch_add(1, Ordering::SeqCst),
    }
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Seen {
    k: i64,
    first_v: f64,
    row_schema: String,
    key_schema: String,
    pid: i64,
    init: i64,
    physical: i64,
}

/// What a call's cursor and its task's `on_init` state say.
#[transformer(on_init = load_task_model, partitionby_has = "k", presort_is = "v desc")]
fn seen_by_task(
    rows: Vec<Sale>,
    model: &TaskModel,
    cursor: &PartitionCursor,
) -> Result<Seen, FugueError> {
    let row = cursor.row()?.unwrap_or_default();
    Ok(Seen {
        k: rows.first().map_or(-1, |r| r.k),
        first_v: row.get(1).and_then(Value::as_f64).unwrap_or(f64::NAN),
        row_schema: cursor.row_schema().to_string(),
        key_schema: cursor.key_schema().to_string(),
        pid: model.pid,
        init: model.init,
        physical: cursor.physical_partition_no() as i64,
    })
}

fn cursors_and_on_init_match_the_local_engine(cluster: &Cluster) -> Check {
    let run = |engine: &str| -> Result<Vec<Seen>, String> {
        let out = fugue::transform(sales(200, 20), seen_by_task, "by=k; presort=v desc", engine)
            .map_err(|e| e.to_string())?;
        let mut rows: Vec<Seen> = fugue::records(out).map_err(|e| e.to_string())?;
        rows.sort_by_key(|r| r.k);
        Ok(rows)
    };
    let cluster_rows = run(&cluster.engine())?;
    let local_rows = run("local")?;
    let view = |rows: &[Seen]| -> Vec<(i64, f64, String, String)> {
        rows.iter()
            .map(|r| (r.k, r.first_v, r.row_schema.clone(), r.key_schema.clone()))
            .collect()
    };
    if view(&cluster_rows) != view(&local_rows) || cluster_rows.len() != 20 {
        return Err(format!(
            "the cursors differ from the local engine's: {:?} vs {:?}",
            view(&cluster_rows),
            view(&local_rows)
        ));
    }
    if cluster_rows[0].row_schema != "k:long,v:double,city:str"
        || cluster_rows[0].key_schema != "k:long"
    {
        return Err(format!("unexpected schemas: {:?}", cluster_rows[0]));
    }
    // `on_init` ran once per task, not once per key group: fewer inits than groups.
    let inits: BTreeSet<(i64, i64)> = cluster_rows.iter().map(|r| (r.pid, r.init)).collect();
    if inits.len() >= cluster_rows.len() {
        return Err(format!(
            "{} inits for {} key groups",
            inits.len(),
            cluster_rows.len()
        ));
    }
    // The physical partition number is the task's: one per task (its calls and its `on_init`
    // share it), and the tasks are numbered apart.
    let mut physical_of: BTreeMap<(i64, i64), BTreeSet<i64>> = BTreeMap::new();
    for r in &cluster_rows {
        physical_of
            .entry((r.pid, r.init))
            .or_default()
            .insert(r.physical);
    }
    let numbers: BTreeSet<i64> = cluster_rows.iter().map(|r| r.physical).collect();
    if physical_of.values().any(|n| n.len() != 1) || numbers.len() < 2 {
        return Err(format!(
            "physical partition numbers by task: {physical_of:?} (every task's own, several)"
        ));
    }
    // A step with `ignore_errors` is refused before any job.
    let e = fugue::Transform::new(sales(10, 2), rank)
        .partition("by=k; presort=v desc")
        .ignore_errors(fugue::IgnoreErrors::new().panics())
        .engine(cluster.engine())
        .run()
        .err()
        .ok_or("a step with `ignore_errors` ran on the cluster")?;
    if !e
        .to_string()
        .contains("a step with `ignore_errors` runs only on the engines of one machine")
    {
        return Err(format!("unexpected error: {e}"));
    }
    println!(
        "ok: cursors match the local engine's; {} inits for {} key groups; ignore_errors refused",
        inits.len(),
        cluster_rows.len()
    );
    Ok(())
}

fn callbacks_reach_the_driver(cluster: &Cluster) -> Check {
    let total = Arc::new(AtomicI64::new(0));
    let calls = Arc::new(AtomicI64::new(0));
    let (t, c) = (total.clone(), calls.clone());
    let out = fugue::Transform::new(sales(3_000, 30), report_size)
        .partition("by=k")
        .engine(cluster.engine())
        .callback(move |n: Value| {
            t.fetch_add(n.as_i64().unwrap_or(0), Ordering::SeqCst);
            c.fetch_add(1, Ordering::SeqCst);
            Ok(Value::Null)
        })
        .run()
        .map_err(|e| e.to_string())?;
    let rows = out.count().map_err(|e| e.to_string())?;
    let (total, calls) = (total.load(Ordering::SeqCst), calls.load(Ordering::SeqCst));
    if rows != 3_000 || total != 3_000 || calls != 30 {
        return Err(format!(
            "{rows} rows, {calls} callback calls adding up to {total}; expected 3000, 30, 3000"
        ));
    }
    println!("ok: {calls} callbacks from the executors reached the driver");
    Ok(())
}

fn a_killed_executor_neither_hangs_nor_corrupts(mut cluster: Cluster) -> Check {
    let data = sales(4_000, 40);
    let expected = {
        let out =
            fugue::transform(data.clone(), slow, "by=k", "local").map_err(|e| e.to_string())?;
        let mut rows: Vec<Sale> = fugue::records(out).map_err(|e| e.to_string())?;
        rows.sort_by_key(|a| (a.k, a.v.to_bits()));
        rows
    };
    let engine = cluster.engine();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        let out = fugue::make_engine(engine, [("fugue.ballista.partitions", "8")])
            .and_then(|engine| {
                fugue::Transform::new(data, slow)
                    .partition("by=k")
                    .engine(engine)
                    .run()
            })
            .and_then(fugue::records::<Sale>);
        let _ = tx.send((out, started.elapsed()));
    });
    std::thread::sleep(Duration::from_millis(1500));
    let victim = cluster.executors.remove(1);
    let victim_pid = victim.id();
    let mut victim = victim;
    victim.kill().map_err(|e| e.to_string())?;
    let _ = victim.wait();
    let (out, elapsed) = rx
        .recv_timeout(Duration::from_secs(180))
        .map_err(|_| "the run hung after an executor was killed".to_string())?;
    match out {
        Ok(mut rows) => {
            rows.sort_by_key(|a| (a.k, a.v.to_bits()));
            if rows != expected {
                let mut counts = std::collections::BTreeMap::new();
                for r in &rows {
                    *counts.entry(r.k).or_insert(0) += 1;
                }
                counts.retain(|_, n| *n != 100);
                return Err(format!(
                    "after the kill the run returned {} rows that differ from the local engine's (keys with other counts: {counts:?})",
                    rows.len()
                ));
            }
            println!(
                "ok: executor {victim_pid} killed mid-run; its work was redone on the executor left and the run \
                 finished with the right result in {elapsed:.1?}"
            );
        }
        Err(e) => {
            let message = e.to_string();
            if !message.to_ascii_lowercase().contains("executor") {
                return Err(format!(
                    "the run failed without naming the lost executor: {message}"
                ));
            }
            println!("ok: executor {victim_pid} killed mid-run; the run failed cleanly: {message}");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(
        args.first().map(String::as_str),
        Some("scheduler" | "executor")
    ) {
        // A node of the cluster: the same program, another role.
        return fugue::cluster::main(|_| Ok(()));
    }
    if let [role, engine, input, output] = args.as_slice()
        && (role == "large-driver" || role == "stream-driver")
    {
        fugue::cluster::install();
        let run = if role == "large-driver" {
            large_driver
        } else {
            stream_driver
        };
        return match run(engine, input, output) {
            Ok((before_kb, peak_kb)) => {
                println!("{before_kb} {peak_kb}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                println!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    fugue::cluster::install();
    // `cargo test --test cluster -- NAME` runs the checks whose name contains NAME.
    let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let started = Instant::now();
    let mut failures = Vec::new();
    {
        let cluster = Cluster::start();
        for (name, check) in [
            (
                "workflow_matches_the_local_engine",
                workflow_matches_the_local_engine as fn(&Cluster) -> Check,
            ),
            ("callbacks_reach_the_driver", callbacks_reach_the_driver),
            ("checkpoints_and_yields_work", checkpoints_and_yields_work),
            ("cotransformers_zip_by_key", cotransformers_zip_by_key),
            (
                "hostile_names_match_the_local_engine",
                hostile_names_match_the_local_engine,
            ),
            (
                "unregistered_functions_fail_before_any_job",
                unregistered_functions_fail_before_any_job,
            ),
            (
                "cursors_and_on_init_match_the_local_engine",
                cursors_and_on_init_match_the_local_engine,
            ),
            (
                "executor_errors_keep_their_kind_and_messages",
                executor_errors_keep_their_kind_and_messages,
            ),
            (
                "a_large_scan_runs_in_the_executors",
                a_large_scan_runs_in_the_executors,
            ),
        ] {
            if wanted(name)
                && let Err(e) = check(&cluster)
            {
                failures.push(format!("{name}: {e}"));
            }
        }
        let name = "a_killed_executor_neither_hangs_nor_corrupts";
        if wanted(name)
            && let Err(e) = a_killed_executor_neither_hangs_nor_corrupts(cluster)
        {
            failures.push(format!("{name}: {e}"));
        }
    }
    println!("cluster tests ran in {:.1?}", started.elapsed());
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        for f in &failures {
            eprintln!("FAILED {f}");
        }
        ExitCode::FAILURE
    }
}
