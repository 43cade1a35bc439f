//! Prompt failure, step time limits (`workflow.step_timeout`) and cancel
//! ([`Workflow::canceller`](fugue::Workflow::canceller)) on every engine:
//! `native`, `local` and, with the `cluster` feature, an in-process Ballista cluster.
//!
//! Each test's transformer blocks until the test releases it, so that a run that waited for
//! the call would never return before the release: the run must fail first, naming the step,
//! and the detached call must still end once released.

use fugue::ErrorKind;
use fugue::IntoDataFrame;
use fugue::make_engine;
use fugue::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Schema, Debug, Clone, PartialEq)]
struct Row {
    k: i64,
    v: i64,
}

/// A gate a blocked call waits at while it is closed: open it to let the call end.
struct Gate {
    open: AtomicBool,
    entered: AtomicUsize,
    ended: AtomicUsize,
}

impl Gate {
    const fn new() -> Self {
        Gate {
            open: AtomicBool::new(false),
            entered: AtomicUsize::new(0),
            ended: AtomicUsize::new(0),
        }
    }

    /// Called by the transformer: wait until the gate opens (at most a minute).
    fn pass(&self) {
        self.entered.fetch_add(1, Ordering::SeqCst);
        let start = Instant::now();
        while !self.open.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.ended.fetch_add(1, Ordering::SeqCst);
    }

    /// Wait until `n` calls have entered (at most a minute).
    fn wait_entered(&self, n: usize) {
        let start = Instant::now();
        while self.entered.load(Ordering::SeqCst) < n && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Close the gate: calls block at it from now on.
    fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
    }

    /// Open the gate (calls pass it from now on) and wait until the blocked calls have ended.
    fn release(&self) {
        self.open.store(true, Ordering::SeqCst);
        let start = Instant::now();
        while self.ended.load(Ordering::SeqCst) < self.entered.load(Ordering::SeqCst)
            && start.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            self.ended.load(Ordering::SeqCst),
            self.entered.load(Ordering::SeqCst),
            "a detached call did not end once released"
        );
    }
}

static TIMEOUT_GATE: Gate = Gate::new();
static CANCEL_GATE: Gate = Gate::new();
static FAILURE_GATE: Gate = Gate::new();

#[transformer(partitionby_has = "k")]
fn stuck_for_timeout(rows: Vec<Row>) -> Vec<Row> {
    TIMEOUT_GATE.pass();
    rows
}

#[transformer(partitionby_has = "k")]
fn stuck_for_cancel(rows: Vec<Row>) -> Vec<Row> {
    CANCEL_GATE.pass();
    rows
}

#[transformer]
fn stuck_for_failure(rows: Vec<Row>) -> Vec<Row> {
    FAILURE_GATE.pass();
    rows
}

#[transformer]
fn fails_at_once(rows: Vec<Row>) -> Result<Vec<Row>, FugueError> {
    let _ = rows;
    Err(FugueError::invalid_argument(
        "rows",
        "this step always fails",
    ))
}

fn rows() -> Vec<Row> {
    (0..6).map(|i| Row { k: i % 2, v: i }).collect()
}

/// `native`, `local` (2 workers) and, with the cluster feature, Ballista standalone.
fn engines() -> Vec<(&'static str, Arc<dyn ExecutionEngine>)> {
    #[allow(unused_mut)]
    let mut out = vec![
        ("native", make_engine("native", ()).expect("native")),
        (
            "local",
            make_engine("local", [(fugue::config::LOCAL_WORKERS, "2")]).expect("local"),
        ),
    ];
    #[cfg(feature = "cluster")]
    {
        fugue::cluster::install();
        out.push((
            "ballista",
            make_engine(
                "ballista://standalone",
                [("fugue.ballista.partitions", "2")],
            )
            .expect("standalone cluster"),
        ));
    }
    out
}

/// Ballista jobs the scheduler accepted to cancel so far (0 without the cluster feature).
fn cancelled_jobs() -> u64 {
    #[cfg(feature = "cluster")]
    return fugue_cluster::jobs_cancelled();
    #[cfg(not(feature = "cluster"))]
    0
}

/// The tests that count cancelled jobs run one at a time (the count is the process's).
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A stopped step's Ballista job is cancelled through the scheduler (which accepts it while
/// the job's task is still blocked at the gate): the count grows past `before`.
fn assert_job_cancelled(name: &str, before: u64) {
    let start = Instant::now();
    while cancelled_jobs() <= before && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        cancelled_jobs() > before,
        "{name}: the job was not cancelled through the scheduler"
    );
}

#[test]
fn a_step_past_its_time_limit_fails_the_run_naming_the_step() -> fugue::Result<()> {
    let _serial = one_at_a_time();
    for (name, engine) in engines() {
        let data = rows().into_dataframe()?;
        let wf = workflow! {
            input = create(data);
            slow = transform(input, stuck_for_timeout, partition(by: k));
            yield slow;
        };
        TIMEOUT_GATE.close();
        let before = TIMEOUT_GATE.entered.load(Ordering::SeqCst);
        let cancelled = cancelled_jobs();
        let e = wf
            .run(engine.clone(), [("workflow.step_timeout", "2s")])
            .unwrap_err();
        // Returned while the call still waits at the gate.
        let blocked =
            TIMEOUT_GATE.ended.load(Ordering::SeqCst) < TIMEOUT_GATE.entered.load(Ordering::SeqCst);
        assert_eq!(e.kind(), ErrorKind::TimedOut, "{name}: {e}");
        let text = e.to_string();
        assert!(text.contains("step `slow`"), "{name}: {text}");
        assert!(text.contains("workflow.step_timeout"), "{name}: {text}");
        assert!(text.contains("after 2s"), "{name}: {text}");
        assert!(blocked, "{name}: the run waited for the call");
        TIMEOUT_GATE.wait_entered(before + 1);
        if name == "ballista" {
            assert_job_cancelled(name, cancelled);
        }
        TIMEOUT_GATE.release();
        // Without the limit the same workflow runs to its end.
        let ok = wf.run_on(engine.clone())?;
        assert_eq!(ok.get("slow")?.count()?, 6, "{name}");
    }
    Ok(())
}

#[test]
fn a_canceller_stops_a_running_workflow_from_another_thread() -> fugue::Result<()> {
    let _serial = one_at_a_time();
    for (name, engine) in engines() {
        let data = rows().into_dataframe()?;
        let wf = workflow! {
            input = create(data);
            slow = transform(input, stuck_for_cancel, partition(by: k));
            yield slow;
        };
        CANCEL_GATE.close();
        let before = CANCEL_GATE.entered.load(Ordering::SeqCst);
        let cancelled_before = cancelled_jobs();
        let canceller = wf.canceller();
        let cancelled = std::thread::spawn(move || {
            CANCEL_GATE.wait_entered(before + 1);
            canceller.cancel()
        });
        let e = wf.run_on(engine.clone()).unwrap_err();
        let blocked =
            CANCEL_GATE.ended.load(Ordering::SeqCst) < CANCEL_GATE.entered.load(Ordering::SeqCst);
        assert_eq!(cancelled.join().expect("canceller thread"), 1, "{name}");
        assert_eq!(e.kind(), ErrorKind::Cancelled, "{name}: {e}");
        assert!(e.to_string().contains("step `slow`"), "{name}: {e}");
        assert!(blocked, "{name}: the run waited for the call");
        if name == "ballista" {
            assert_job_cancelled(name, cancelled_before);
        }
        CANCEL_GATE.release();
        // A later run is not cancelled.
        let ok = wf.run_on(engine.clone())?;
        assert_eq!(ok.get("slow")?.count()?, 6, "{name}");
    }
    Ok(())
}

#[test]
fn a_failing_step_stops_the_run_at_once_while_another_step_runs() -> fugue::Result<()> {
    for (name, engine) in engines() {
        let (left, right) = (rows().into_dataframe()?, rows().into_dataframe()?);
        let wf = workflow! {
            a = create(left);
            b = create(right);
            slow = transform(a, stuck_for_failure);
            failing = transform(b, fails_at_once);
            yield slow;
            yield failing;
        };
        FAILURE_GATE.close();
        let before = FAILURE_GATE.entered.load(Ordering::SeqCst);
        let e = wf
            .run(engine.clone(), [("fugue.workflow.concurrency", "2")])
            .unwrap_err();
        let entered = FAILURE_GATE.entered.load(Ordering::SeqCst);
        let blocked = FAILURE_GATE.ended.load(Ordering::SeqCst) < entered;
        let text = e.to_string();
        assert!(text.contains("step `failing`"), "{name}: {text}");
        assert!(text.contains("this step always fails"), "{name}: {text}");
        // The slow step either had not started or was left running.
        assert!(
            entered == before || blocked,
            "{name}: the run waited for `slow`"
        );
        FAILURE_GATE.release();
    }
    Ok(())
}

/// The step timeout is an ordinary config key: a bad value is an error naming it.
#[test]
fn a_bad_step_timeout_is_an_error_naming_the_key() {
    let data = rows().into_dataframe().expect("frame");
    let wf = workflow! {
        input = create(data);
        yield input;
    };
    let e = wf
        .run("native", [("workflow.step_timeout", "soon")])
        .unwrap_err();
    assert!(e.to_string().contains("workflow.step_timeout"), "{e}");
}

static PLAN_GATE: Gate = Gate::new();

#[transformer(partitionby_has = "k")]
fn stuck_in_a_plan(rows: Vec<Row>) -> Vec<Row> {
    PLAN_GATE.pass();
    rows
}

/// On `local` and on Ballista a step over a scan is a node of the scan's plan, which runs when
/// a later read needs its rows (here the yield): a read past the step's time limit fails
/// naming the step while the call still waits, the plan stops (on Ballista its job is
/// cancelled through the scheduler) and the same workflow without the limit runs to its end.
#[test]
fn a_plan_read_past_its_time_limit_is_stopped() -> fugue::Result<()> {
    use fugue::SaveOptions;
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir
        .path()
        .join("rows.parquet")
        .to_string_lossy()
        .into_owned();
    make_engine("native", ())?.save(rows().into_dataframe()?, &path, &SaveOptions::default())?;
    let wf = workflow! {
        input = load(path.clone()) as Row;
        slow = transform(input, stuck_in_a_plan, partition(by: k));
        yield slow;
    };
    for (name, engine) in engines().into_iter().filter(|(name, _)| *name != "native") {
        PLAN_GATE.close();
        let before = PLAN_GATE.entered.load(Ordering::SeqCst);
        let cancelled = cancelled_jobs();
        let e = wf
            .run(engine.clone(), [("workflow.step_timeout", "2s")])
            .unwrap_err();
        let blocked =
            PLAN_GATE.ended.load(Ordering::SeqCst) < PLAN_GATE.entered.load(Ordering::SeqCst);
        assert_eq!(e.kind(), ErrorKind::TimedOut, "{name}: {e}");
        assert!(e.to_string().contains("step `slow`"), "{name}: {e}");
        assert!(blocked, "{name}: the run waited for the call");
        PLAN_GATE.wait_entered(before + 1);
        if name == "ballista" {
            assert_job_cancelled("ballista plan", cancelled);
        }
        // The detached call ends once released (`release` waits for it).
        PLAN_GATE.release();
        let ok = wf.run_on(engine)?;
        assert_eq!(ok.get("slow")?.count()?, 6, "{name}");
    }
    Ok(())
}
