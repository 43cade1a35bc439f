//! The scheduler: runs the steps of a DAG on at most `concurrency` threads, each step once,
//! when its inputs are done.
//!
//! Threads are scoped (`std::thread::scope`): none outlives [`run_dag`]. With concurrency 1 no
//! thread is spawned and steps run in declaration order. The first failure (an error or a
//! panic, caught) sets the cancel flag: no new step starts, running steps finish (or observe the
//! flag), and that failure is returned.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// The outcome of one step as the scheduler sees it.
pub(crate) type StepResult<E> = std::result::Result<(), E>;

struct State<E> {
    /// Steps whose inputs are all done, by number (the lowest runs first).
    ready: BTreeSet<usize>,
    /// Inputs not yet done, per step.
    waiting: Vec<usize>,
    running: usize,
    done: usize,
    /// The first failure.
    failure: Option<(usize, E)>,
}

/// Run `steps` steps whose inputs are `deps[i]`, calling `execute(i)` once per step, at most
/// `concurrency` at a time. `skip[i]` steps are not run (treated as done at once). Returns
/// the first failure with its step number.
pub(crate) fn run_dag<E: Send>(
    deps: &[Vec<usize>],
    skip: &[bool],
    concurrency: usize,
    cancel: &AtomicBool,
    execute: &(dyn Fn(usize) -> StepResult<E> + Sync),
    panicked: &(dyn Fn(usize, String) -> E + Sync),
) -> Result<(), (usize, E)> {
    let n = deps.len();
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, d) in deps.iter().enumerate() {
        for &j in d {
            if j < n {
                consumers[j].push(i);
            }
        }
    }
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut ready = BTreeSet::new();
    let mut done = 0;
    // Skipped steps are done before anything starts.
    let mut stack: Vec<usize> = (0..n).filter(|&i| skip.get(i) == Some(&true)).collect();
    let mut skipped_done = vec![false; n];
    while let Some(i) = stack.pop() {
        if skipped_done[i] {
            continue;
        }
        skipped_done[i] = true;
        done += 1;
        for &c in &consumers[i] {
            waiting[c] = waiting[c].saturating_sub(1);
        }
    }
    for i in 0..n {
        if !skipped_done[i] && waiting[i] == 0 {
            ready.insert(i);
        }
    }
    let state = Mutex::new(State {
        ready,
        waiting,
        running: 0,
        done,
        failure: None,
    });
    let wake = Condvar::new();

    let worker = || {
        loop {
            let step = {
                let mut s = lock(&state);
                loop {
                    let finished = s.done == n;
                    let cancelled = cancel.load(Ordering::SeqCst) || s.failure.is_some();
                    if finished || (cancelled) {
                        wake.notify_all();
                        return;
                    }
                    if let Some(i) = s.ready.pop_first() {
                        s.running += 1;
                        break i;
                    }
                    if s.running == 0 {
                        // Nothing ready, nothing running, not finished: a cycle (cannot be
                        // built) or steps blocked by a failure; stop.
                        wake.notify_all();
                        return;
                    }
                    s = wake
                        .wait(s)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| execute(step)))
                .unwrap_or_else(|payload| Err(panicked(step, panic_message(payload.as_ref()))));
            let mut s = lock(&state);
            s.running -= 1;
            match outcome {
                Ok(()) => {
                    s.done += 1;
                    for &c in &consumers[step] {
                        s.waiting[c] = s.waiting[c].saturating_sub(1);
                        if s.waiting[c] == 0 && !skipped_done[c] {
                            s.ready.insert(c);
                        }
                    }
                }
                Err(e) => {
                    cancel.store(true, Ordering::SeqCst);
                    if s.failure.is_none() {
                        s.failure = Some((step, e));
                    }
                }
            }
            wake.notify_all();
        }
    };

    let threads = concurrency.max(1).min(n.max(1));
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(worker);
        }
        worker();
    });
    let s = state.into_inner().unwrap_or_else(|p| p.into_inner());
    match s.failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-text payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::{Duration, Instant};

    #[test]
    fn steps_run_after_their_inputs_in_order_with_one_thread() {
        let order = Mutex::new(Vec::new());
        let deps = vec![vec![], vec![0], vec![], vec![1, 2]];
        let cancel = AtomicBool::new(false);
        run_dag::<String>(
            &deps,
            &[false; 4],
            1,
            &cancel,
            &|i| {
                order.lock().unwrap().push(i);
                Ok(())
            },
            &|_, m| m,
        )
        .unwrap();
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn independent_steps_overlap_with_two_threads() {
        let deps = vec![vec![], vec![]];
        let cancel = AtomicBool::new(false);
        let start = Instant::now();
        run_dag::<String>(
            &deps,
            &[false; 2],
            2,
            &cancel,
            &|_| {
                std::thread::sleep(Duration::from_millis(300));
                Ok(())
            },
            &|_, m| m,
        )
        .unwrap();
        assert!(start.elapsed() < Duration::from_millis(550));
    }

    #[test]
    fn a_failure_stops_new_steps_and_panics_are_caught() {
        let started = AtomicUsize::new(0);
        // 0 fails; 1..5 is a chain after 0.
        let deps = vec![vec![], vec![0], vec![1], vec![2]];
        let cancel = AtomicBool::new(false);
        let e = run_dag::<String>(
            &deps,
            &[false; 4],
            2,
            &cancel,
            &|i| {
                started.fetch_add(1, Ordering::SeqCst);
                if i == 0 {
                    panic!("boom");
                }
                Ok(())
            },
            &|i, m| format!("step {i} panicked: {m}"),
        )
        .unwrap_err();
        assert_eq!(e, (0, "step 0 panicked: boom".to_string()));
        assert_eq!(started.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn skipped_steps_count_as_done() {
        let ran = Mutex::new(Vec::new());
        let deps = vec![vec![], vec![0], vec![1]];
        let cancel = AtomicBool::new(false);
        run_dag::<String>(
            &deps,
            &[true, true, false],
            1,
            &cancel,
            &|i| {
                ran.lock().unwrap().push(i);
                Ok(())
            },
            &|_, m| m,
        )
        .unwrap();
        assert_eq!(*ran.lock().unwrap(), vec![2]);
    }
}
