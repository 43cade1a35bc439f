//! Time limits and cancellation: [`STEP_TIMEOUT`] and [`Canceller`].
//!
//! A workflow run gives each step a [`Control`]: the run's cancel flag (raised by a
//! [`Canceller`] from any thread) and the step's deadline. The step's code finds it with
//! [`current`], a thread-local set while the step runs on its thread, so every place where a
//! step waits (the executor's driver, a DataFusion plan, a Ballista job, a `native` call run on
//! a helper thread) stops waiting when the run is cancelled or the step's time is up, and
//! returns [`FugueError::Cancelled`] or [`FugueError::TimedOut`]; the run reports it under the
//! step's name.
//!
//! A user call cannot be interrupted: a call still running when its run stops is detached. It
//! owns its inputs, its output and its callbacks are refused, and its thread ends when the call
//! returns (no thread outlives its call).
//!
//! ```
//! use fugue_runtime::control::Canceller;
//!
//! let canceller = Canceller::new();
//! // Nothing runs under it yet: cancelling stops no run.
//! assert_eq!(canceller.cancel(), 0);
//! ```

use crossbeam_channel::{Receiver, RecvTimeoutError};
use fugue_core::{FugueError, Result};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The config key of a workflow step's time limit: a duration (`30s`, `500ms`, `2 min`, a
/// number of seconds; what `fugue.*` duration keys take), read when a run starts from the
/// run's merged config (engine, workflow, per call). Unset or empty: no limit. A step past it
/// fails the run at once with [`FugueError::TimedOut`], naming the step. It is outside the
/// `fugue.*` contract, as the engine-specific keys are (Fugue has no such key).
pub const STEP_TIMEOUT: &str = "workflow.step_timeout";

/// The step time limit of a run's config ([`STEP_TIMEOUT`]); a value that is not a duration is
/// [`FugueError::Config`] naming the key and the accepted forms.
pub(crate) fn step_timeout(conf: &fugue_core::FugueConfig) -> Result<Option<Duration>> {
    match conf.get(STEP_TIMEOUT) {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => fugue_core::config::parse_duration(&text)
            .map(Some)
            .map_err(|reason| FugueError::Config {
                key: STEP_TIMEOUT.to_string(),
                reason,
            }),
    }
}

/// How often a wait looks at its control (cancel flag and deadline).
pub(crate) const POLL: Duration = Duration::from_millis(10);

/// Cancels, from any thread, the runs in progress that were started under it (a workflow's
/// runs: [`Workflow::canceller`](crate::workflow::Workflow::canceller)). Cheap to
/// clone; every clone cancels the same runs.
///
/// A cancelled run fails at once with [`FugueError::Cancelled`], naming the step that was
/// running (or about to start); a run started after the call is not affected.
#[derive(Debug, Clone, Default)]
pub struct Canceller {
    runs: Arc<Mutex<Vec<Arc<AtomicBool>>>>,
}

impl Canceller {
    /// A canceller with no run under it.
    pub fn new() -> Self {
        Canceller::default()
    }

    /// Cancel every run in progress under this canceller; returns how many there were.
    pub fn cancel(&self) -> usize {
        let runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        for flag in runs.iter() {
            flag.store(true, Ordering::SeqCst);
        }
        runs.len()
    }

    /// Register a run: its cancel flag, raised by [`cancel`](Self::cancel) until the returned
    /// guard is dropped (when the run ends).
    pub(crate) fn register(&self) -> (Arc<AtomicBool>, Registered) {
        let flag = Arc::new(AtomicBool::new(false));
        self.runs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(flag.clone());
        let guard = Registered {
            runs: self.runs.clone(),
            flag: flag.clone(),
        };
        (flag, guard)
    }
}

/// A run registered with a [`Canceller`]; dropping it unregisters the run.
#[derive(Debug)]
pub(crate) struct Registered {
    runs: Arc<Mutex<Vec<Arc<AtomicBool>>>>,
    flag: Arc<AtomicBool>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        runs.retain(|f| !Arc::ptr_eq(f, &self.flag));
    }
}

/// What bounds one step (see [`current`]): the run's cancel flag (its canceller), the run's
/// failure flag (another step failed) and the step's deadline.
#[derive(Debug, Clone)]
pub struct Control {
    cancelled: Arc<AtomicBool>,
    failed: Arc<AtomicBool>,
    deadline: Option<(Instant, Duration)>,
}

impl Control {
    /// A step starting now under the run's `cancelled` and `failed` flags, with at most
    /// `timeout` to run.
    pub(crate) fn new(
        cancelled: Arc<AtomicBool>,
        failed: Arc<AtomicBool>,
        timeout: Option<Duration>,
    ) -> Self {
        Control {
            cancelled,
            failed,
            deadline: timeout.map(|t| (Instant::now() + t, t)),
        }
    }

    /// This control without its deadline: the run's flags only. A step's function that runs
    /// inside a plan (read by a later step) is bounded by the reading step's limit, which
    /// its reader enforces, not by the limit of the step that declared it.
    pub(crate) fn without_deadline(&self) -> Control {
        Control {
            deadline: None,
            ..self.clone()
        }
    }

    /// `Ok` while the step may go on; the error that stops it otherwise
    /// ([`FugueError::Cancelled`], [`FugueError::TimedOut`], or
    /// [`FugueError::InvalidOperation`] when another step of the run failed: the run reports
    /// that step's error).
    pub fn check(&self) -> Result<()> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(FugueError::Cancelled {
                reason: "the run was cancelled by its canceller".to_string(),
            });
        }
        if self.failed.load(Ordering::SeqCst) {
            return Err(FugueError::InvalidOperation(
                "cancelled: another step of the workflow failed".to_string(),
            ));
        }
        match self.deadline {
            Some((at, limit)) if Instant::now() >= at => Err(FugueError::TimedOut {
                limit,
                key: STEP_TIMEOUT,
            }),
            _ => Ok(()),
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Control>> = const { RefCell::new(None) };
}

/// The control of the step running on this thread, if any: engines look at it wherever they
/// wait.
pub fn current() -> Option<Control> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Run `f` with `control` as this thread's current control (the previous one is restored
/// afterwards, even when `f` panics).
pub(crate) fn under<R>(control: Control, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Control>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.borrow_mut().replace(control));
    let _restore = Restore(previous);
    f()
}

/// Run `future` until it ends or `control` stops the step (looked at every 10 ms); the
/// future is then dropped, which stops a DataFusion query's tasks.
#[cfg(feature = "datafusion")]
pub async fn until_stopped<T, F>(control: Option<Control>, future: F) -> Result<T>
where
    F: std::future::Future<Output = Result<T>>,
{
    let Some(control) = control else {
        return future.await;
    };
    let mut future = std::pin::pin!(future);
    loop {
        control.check()?;
        let tick = std::pin::pin!(tokio::time::sleep(POLL));
        match futures::future::select(future.as_mut(), tick).await {
            futures::future::Either::Left((out, _)) => return out,
            futures::future::Either::Right(((), _)) => {}
        }
    }
}

/// Wait for the one message of `rx` (a result sent by a helper thread), giving up when
/// `control` stops the step. A closed channel is `Ok(None)`.
pub(crate) fn wait<T>(rx: &Receiver<T>, control: Option<&Control>) -> Result<Option<T>> {
    let Some(control) = control else {
        return Ok(rx.recv().ok());
    };
    loop {
        control.check()?;
        match rx.recv_timeout(POLL) {
            Ok(message) => return Ok(Some(message)),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fugue_core::ErrorKind;

    #[test]
    fn a_canceller_stops_only_the_runs_registered_under_it() {
        let canceller = Canceller::new();
        let (flag, guard) = canceller.register();
        let control = Control::new(flag, Arc::default(), None);
        assert!(control.check().is_ok());
        assert_eq!(canceller.clone().cancel(), 1);
        let e = control.check().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Cancelled);
        drop(guard);
        assert_eq!(canceller.cancel(), 0);
        // A run registered later starts uncancelled.
        let (flag, _guard) = canceller.register();
        assert!(Control::new(flag, Arc::default(), None).check().is_ok());
    }

    #[test]
    fn a_deadline_names_its_key_and_limit() {
        let control = Control::new(Arc::default(), Arc::default(), Some(Duration::ZERO));
        let e = control.check().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TimedOut);
        assert!(e.to_string().contains(STEP_TIMEOUT), "{e}");
        let control = Control::new(
            Arc::default(),
            Arc::default(),
            Some(Duration::from_secs(3600)),
        );
        assert!(control.check().is_ok());
    }

    #[test]
    fn the_current_control_is_restored_after_a_panic() {
        assert!(current().is_none());
        let caught = std::panic::catch_unwind(|| {
            under(Control::new(Arc::default(), Arc::default(), None), || {
                assert!(current().is_some());
                panic!("boom");
            })
        });
        assert!(caught.is_err());
        assert!(current().is_none());
    }

    #[cfg(feature = "datafusion")]
    #[test]
    fn a_query_future_is_dropped_when_the_step_is_stopped() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // A query that never ends stops at the deadline; the future is dropped.
        let dropped = Arc::new(AtomicBool::new(false));
        struct OnDrop(Arc<AtomicBool>);
        impl Drop for OnDrop {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let guard = OnDrop(dropped.clone());
        let never = async move {
            let _guard = guard;
            std::future::pending::<Result<u8>>().await
        };
        let control = Control::new(
            Arc::default(),
            Arc::default(),
            Some(Duration::from_millis(30)),
        );
        let e = runtime
            .block_on(until_stopped(Some(control), never))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TimedOut);
        assert!(dropped.load(Ordering::SeqCst));
        // A cancel from another thread stops it too; a query that ends returns its result.
        let cancelled = Arc::new(AtomicBool::new(false));
        let control = Control::new(cancelled.clone(), Arc::default(), None);
        let flag = cancelled.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            flag.store(true, Ordering::SeqCst);
        });
        let e = runtime
            .block_on(until_stopped(
                Some(control.clone()),
                std::future::pending::<Result<u8>>(),
            ))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Cancelled);
        let open = Control::new(Arc::default(), Arc::default(), None);
        let done = runtime.block_on(until_stopped(Some(open), async { Ok(5_u8) }));
        assert_eq!(done.unwrap(), 5);
        assert_eq!(
            runtime
                .block_on(until_stopped(None, async { Ok(6_u8) }))
                .unwrap(),
            6
        );
    }

    #[test]
    fn a_wait_gives_up_when_the_step_is_stopped() {
        let (_tx, rx) = crossbeam_channel::bounded::<u8>(1);
        let control = Control::new(
            Arc::default(),
            Arc::default(),
            Some(Duration::from_millis(30)),
        );
        let e = wait(&rx, Some(&control)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TimedOut);
        let (tx, rx) = crossbeam_channel::bounded::<u8>(1);
        tx.send(7).unwrap();
        let open = Control::new(
            Arc::default(),
            Arc::default(),
            Some(Duration::from_secs(3600)),
        );
        assert_eq!(wait(&rx, Some(&open)).unwrap(), Some(7));
        drop(tx);
        assert_eq!(wait(&rx, Some(&open)).unwrap(), None);
    }
}
