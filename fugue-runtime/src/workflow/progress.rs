//! What a workflow run reports while it goes: each step starting and finishing, and within a
//! step the logical partitions its function has been called for so far. The terminal bar is one
//! reader of these reports (drawn on a terminal after a second); a program or a test can give
//! its own [`ProgressReport`] with [`Workflow::report_progress_to`](super::Workflow::report_progress_to).

/// A reader of a run's progress. Every method has an empty default, so a reader implements
/// what it needs. Calls come from the run's threads (several steps may run at once).
///
/// ```
/// use fugue_runtime::workflow::{ProgressReport, Workflow};
/// use fugue_runtime::RowFrame;
/// use std::sync::{Arc, Mutex};
///
/// #[derive(Default)]
/// struct Log(Mutex<Vec<String>>);
///
/// impl ProgressReport for Log {
///     fn step_finished(&self, step: &str, partitions: u64, done: usize, total: usize) {
///         self.0.lock().unwrap().push(format!("{step}: {partitions} partitions ({done}/{total})"));
///     }
/// }
///
/// let log = Arc::new(Log::default());
/// let wf = Workflow::new();
/// let rows = vec![vec![1.into()], vec![2.into()]];
/// wf.create(RowFrame::new("a:int", rows)?).rename(&[("a", "b")]).yield_as("d");
/// wf.report_progress_to(log.clone());
/// wf.run_on("native")?;
/// assert_eq!(*log.0.lock().unwrap(), ["create: 0 partitions (1/2)", "rename(create): 0 partitions (2/2)"]);
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
pub trait ProgressReport: Send + Sync {
    /// Step `step` starts; `done` of the run's `total` steps have finished.
    fn step_started(&self, step: &str, done: usize, total: usize) {
        let _ = (step, done, total);
    }

    /// While `step` runs, about five times a second: the logical partitions its function has
    /// been called for so far (0 for a relational step).
    fn step_progress(&self, step: &str, partitions: u64) {
        let _ = (step, partitions);
    }

    /// Step `step` ended (successfully or not) after calling its function for `partitions`
    /// logical partitions; `done` of `total` steps have finished.
    fn step_finished(&self, step: &str, partitions: u64, done: usize, total: usize) {
        let _ = (step, partitions, done, total);
    }
}

impl<T: ProgressReport + ?Sized> ProgressReport for std::sync::Arc<T> {
    fn step_started(&self, step: &str, done: usize, total: usize) {
        (**self).step_started(step, done, total)
    }

    fn step_progress(&self, step: &str, partitions: u64) {
        (**self).step_progress(step, partitions)
    }

    fn step_finished(&self, step: &str, partitions: u64, done: usize, total: usize) {
        (**self).step_finished(step, partitions, done, total)
    }
}
