//! Running a workflow: configuration, engine, deterministic checkpoints to reuse, the scheduler,
//! step outputs shared by their consumers, checkpoints, yields, tracing and progress.

use super::ProgressReport;
use super::builder::Workflow;
use super::checkpoint::{self, CHECKPOINT_PATH_KEY, FileHashes, RunDir, StepKeys, missing_path};
use super::ops::RunContext;
use super::plan::{Plan, resolve};
use super::schedule::run_dag;
use super::step::{CheckpointKind, Node, StepId, StepInfo, YieldKind, step_failed};
use crate::engine::{ExecutionEngine, IntoEngine, make_engine};
use crate::frame::{ArrowFrame, DataFrame};
use crate::ignore::SkippedPartition;
use fugue_core::config::{ConfigOverrides, FugueConfig, IntoConfigOverrides};
use fugue_core::{FugueError, Result, Schema};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a run did with one step's deterministic checkpoint
/// ([`WorkflowResult::checkpoints`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointReport {
    /// The step.
    pub step: StepId,
    /// The step's name.
    pub name: String,
    /// The checkpoint's key (hex BLAKE3), when it could be computed.
    pub key: Option<String>,
    /// Reused or computed, and why.
    pub outcome: CheckpointOutcome,
}

/// Whether a deterministic checkpoint was reused, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointOutcome {
    /// Read from its file: the step, and the steps only it needed, did not run.
    Reused,
    /// The step ran.
    Computed {
        /// Why no checkpoint was reused: `no checkpoint with this key`, with what changed since
        /// the last checkpoint written for a step of this name when there is one (`input file
        /// `d/a.csv` changed (step `load`)`, `a new file .. is loaded`, `the code of `m::f`
        /// changed`, ...), or a checkpoint that was corrupt or of another schema, or a key
        /// that could not be computed.
        reason: String,
        /// Why the result was not saved under its key, when it was not (an input file changed
        /// during the run, or the key could not be computed).
        not_saved: Option<String>,
    },
}

impl fmt::Display for CheckpointReport {
    /// `` step `top` (#3): reused `` or `` step `top` (#3): computed: <reason> ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step `{}` ({}): ", self.name, self.step)?;
        match &self.outcome {
            CheckpointOutcome::Reused => f.write_str("reused"),
            CheckpointOutcome::Computed { reason, not_saved } => {
                write!(f, "computed: {reason}")?;
                match not_saved {
                    Some(why) => write!(f, "; not saved: {why}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// What a run hands back: the yielded frames and files by name, which steps ran, and what
/// happened to each deterministic checkpoint.
#[derive(Debug, Clone, Default)]
pub struct WorkflowResult {
    frames: BTreeMap<String, ArrowFrame>,
    files: BTreeMap<String, PathBuf>,
    executed: Vec<StepId>,
    reused: Vec<StepId>,
    /// Every step's name, by number.
    names: Vec<String>,
    checkpoints: Vec<CheckpointReport>,
    skipped: Vec<SkippedPartition>,
    run_id: String,
    /// With [`EXPLAIN_PLANS`]: the plan of each step whose output was a plan.
    plans: Vec<StepPlan>,
}

/// The config key that makes a run record the query plan of every step whose output is a
/// plan (the `local` engine's loads and relational steps), for
/// [`WorkflowResult::explain_plans`]: `true` or `false` (default). Recording costs the
/// physical planning of those steps, not their execution. Outside the `fugue.*` contract, as
/// the engine-specific keys are.
pub const EXPLAIN_PLANS: &str = "workflow.explain_plans";

/// One step's recorded plan.
#[derive(Debug, Clone)]
struct StepPlan {
    step: StepId,
    name: String,
    /// The logical plan, then the physical plan (what runs), as DataFusion prints them.
    text: String,
}

impl WorkflowResult {
    fn unknown(&self, name: &str, what: &str) -> FugueError {
        let known = self.frames.keys().chain(self.files.keys());
        let known = fugue_core::error::names_for(name, known.map(String::as_str), "nothing");
        FugueError::invalid_argument(
            "name",
            format!("no {what} was yielded as `{name}`; yielded: {known}"),
        )
    }

    /// A yielded frame, as a [`DataFrame`] (cheap: batches share their buffers). An unknown
    /// name is [`FugueError::InvalidArgument`] listing the yielded names.
    pub fn get(&self, name: &str) -> Result<DataFrame> {
        self.frame(name).map(|f| DataFrame::from(f.clone()))
    }

    /// A yielded frame read as rows of a `#[derive(Schema)]` type: the typed sibling of
    /// [`get`](Self::get), read as [`records`](crate::like::records) reads (columns matched by
    /// name; a missing column, another type, or a NULL in a field that is not an `Option` is an
    /// error naming the column, the row and the yield). In `workflow!`, `yield top: Best;`
    /// checks at compile time that the step's schema can be read as `Best`.
    pub fn records<T: crate::record::Record>(&self, name: &str) -> Result<Vec<T>> {
        let frame = self.frame(name)?;
        let record = std::any::type_name::<T>();
        // The columns and types by the rule `yield top: Best;` checks at compile time (the
        // same sentence); NULLs row by row as the record is read.
        let what = format!("records::<{record}>(\"{name}\")");
        fugue_core::rules::eval::check_input_types(
            &what,
            (record, &T::schema()),
            (name, frame.schema()),
            &fugue_core::rules::Step::NONE,
        )?;
        let mut out = Vec::new();
        for batch in frame.batches() {
            let rows = T::from_record_batch_at(batch, out.len()).map_err(|e| {
                e.context(format!(
                    "the frame yielded as `{name}` cannot be read as `{record}`"
                ))
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// A yielded frame.
    pub fn frame(&self, name: &str) -> Result<&ArrowFrame> {
        self.frames
            .get(name)
            .ok_or_else(|| self.unknown(name, "frame"))
    }

    /// The path of a frame yielded as a file.
    pub fn file(&self, name: &str) -> Result<&Path> {
        self.files
            .get(name)
            .map(PathBuf::as_path)
            .ok_or_else(|| self.unknown(name, "file"))
    }

    /// The names of the yielded frames.
    pub fn frame_names(&self) -> impl Iterator<Item = &str> {
        self.frames.keys().map(String::as_str)
    }

    /// The names of the yielded files.
    pub fn file_names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    fn names_of(&self, steps: &[StepId]) -> Vec<&str> {
        steps
            .iter()
            .map(|id| self.names.get(id.0).map_or("?", String::as_str))
            .collect()
    }

    /// The names of the steps that ran, in the order they finished (a step not named by the
    /// user is named after its operation and inputs: `filter(trips)`).
    pub fn executed(&self) -> Vec<&str> {
        self.names_of(&self.executed)
    }

    /// The steps that ran, in the order they finished, by number.
    pub fn executed_steps(&self) -> &[StepId] {
        &self.executed
    }

    /// The names of the steps whose output was read from a deterministic checkpoint instead
    /// of computed, in declaration order.
    pub fn reused(&self) -> Vec<&str> {
        self.names_of(&self.reused)
    }

    /// The steps whose output was read from a deterministic checkpoint, by number.
    pub fn reused_steps(&self) -> &[StepId] {
        &self.reused
    }

    /// Every step with a deterministic checkpoint, in declaration order: reused, or computed
    /// and why.
    pub fn checkpoints(&self) -> &[CheckpointReport] {
        &self.checkpoints
    }

    /// The report of the step named `name`'s deterministic checkpoint.
    pub fn checkpoint(&self, name: &str) -> Option<&CheckpointReport> {
        self.checkpoints.iter().find(|c| c.name == name)
    }

    /// What happened to the deterministic checkpoints, one line per step:
    ///
    /// ```text
    /// deterministic checkpoints: 1 reused, 1 computed
    ///   step `scored` (#1): reused
    ///   step `top` (#3): computed: no checkpoint with this key; since the last checkpoint of
    ///     step `top`: input file `d/part1/in.csv` changed (step `load`)
    /// ```
    pub fn explain(&self) -> String {
        let reused = self.reused.len();
        let mut out = format!(
            "deterministic checkpoints: {reused} reused, {} computed\n",
            self.checkpoints.len() - reused
        );
        for report in &self.checkpoints {
            out.push_str(&format!("  {report}\n"));
        }
        out
    }

    /// The logical partitions skipped because their call failed with an error the step
    /// ignores ([`ignore_errors`](super::WorkflowFrame::ignore_errors)): each with its step,
    /// its keys and its error, by step in the order the steps finished, then by partition.
    pub fn skipped(&self) -> &[SkippedPartition] {
        &self.skipped
    }

    /// The fused query plan of every step whose output was a plan, in the order the steps
    /// finished: the logical plan (each step's plan contains the plans it extends, so the last
    /// step of a chain shows the whole fused query) and the physical plan DataFusion runs.
    /// Recorded only when the run's config sets [`EXPLAIN_PLANS`] to `true`; otherwise (and on
    /// engines whose steps run eagerly, `native` and Ballista) it says there is none.
    ///
    /// ```text
    /// step `kept` (#2):
    ///   Projection: ...
    ///     Filter: ...
    ///   ...
    /// ```
    pub fn explain_plans(&self) -> String {
        if self.plans.is_empty() {
            return format!(
                "no plan was recorded (set `{EXPLAIN_PLANS}` to `true`; the `local` engine's \
                 loads and relational steps are plans)\n"
            );
        }
        let mut out = String::new();
        for plan in &self.plans {
            out.push_str(&format!("step `{}` ({}):\n", plan.name, plan.step));
            for line in plan.text.lines() {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// The run's id (the name of its temporary checkpoint folder).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }
}

/// A step's output, waiting for its consumers.
enum Slot {
    Empty,
    /// Bounded, cloned for each consumer (batches share buffers).
    Shared(ArrowFrame, usize),
    /// Taken by the one consumer (a stream passes through unread).
    Once(DataFrame),
}

/// The configuration of a run: defaults < engine < workflow < per-call.
pub(crate) fn merged_conf(
    engine: &dyn ExecutionEngine,
    workflow: &ConfigOverrides,
    per_call: &ConfigOverrides,
) -> FugueConfig {
    let engine_layer = ConfigOverrides::all_of(engine.conf());
    FugueConfig::layered([&engine_layer, workflow, per_call])
}

struct Progress {
    bar: ProgressBar,
    start: Instant,
    shown: AtomicBool,
    terminal: bool,
    /// The reader given with [`Workflow::report_progress_to`].
    report: Option<Arc<dyn ProgressReport>>,
    total: usize,
    done: AtomicUsize,
    /// Per step: the logical partitions called so far, and whether it is running.
    partitions: Vec<Arc<AtomicU64>>,
    running: Vec<AtomicBool>,
    names: Vec<String>,
}

impl Progress {
    /// Hidden until the run has lasted a second, and only on a terminal; `len` steps run,
    /// `names` are every step's.
    fn new(len: usize, names: Vec<String>, report: Option<Arc<dyn ProgressReport>>) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:30} {pos}/{len} steps {elapsed} {msg}")
        {
            bar.set_style(style);
        }
        Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
            terminal: std::io::stderr().is_terminal(),
            report,
            total: len,
            done: AtomicUsize::new(0),
            partitions: names.iter().map(|_| Arc::new(AtomicU64::new(0))).collect(),
            running: names.iter().map(|_| AtomicBool::new(false)).collect(),
            names,
        }
    }

    /// Whether something reads the progress while steps run (a ticker is needed).
    fn watched(&self) -> bool {
        self.terminal || self.report.is_some()
    }

    /// The partition counter of step `i`.
    fn counter(&self, i: usize) -> &Arc<AtomicU64> {
        &self.partitions[i]
    }

    /// Every running step's partitions so far: on the bar's message and to the reader.
    fn tick(&self) {
        let mut message = Vec::new();
        for (i, running) in self.running.iter().enumerate() {
            if running.load(Ordering::SeqCst) {
                let n = self.partitions[i].load(Ordering::Relaxed);
                if let Some(report) = &self.report {
                    report.step_progress(&self.names[i], n);
                }
                message.push(if n > 0 {
                    format!("{} ({n} partitions)", self.names[i])
                } else {
                    self.names[i].clone()
                });
            }
        }
        if self.terminal {
            self.bar.set_message(message.join(", "));
            self.reveal();
            self.bar.tick();
        }
    }

    fn reveal(&self) {
        if self.terminal
            && self.start.elapsed() >= Duration::from_secs(1)
            && !self.shown.swap(true, Ordering::SeqCst)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn started(&self, i: usize) {
        self.running[i].store(true, Ordering::SeqCst);
        if let Some(report) = &self.report {
            report.step_started(&self.names[i], self.done.load(Ordering::SeqCst), self.total);
        }
        self.bar.set_message(self.names[i].clone());
        self.reveal();
    }

    fn finished(&self, i: usize) {
        self.running[i].store(false, Ordering::SeqCst);
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(report) = &self.report {
            let n = self.partitions[i].load(Ordering::Relaxed);
            report.step_finished(&self.names[i], n, done, self.total);
        }
        self.bar.inc(1);
        self.reveal();
    }
}

fn check_planned(planned: &Schema, actual: &Schema) -> Result<()> {
    fugue_core::rules::eval::same_schema(
        "the step's output",
        ("the planned output", planned),
        ("the actual output", actual),
        &fugue_core::rules::Step::NONE,
    )
}

impl Workflow {
    /// Resolve the workflow into a [`Plan`] without running it: every declaration and argument
    /// checked, schemas propagated, partition functions checked where their inputs are known.
    pub fn plan(&self) -> Result<Plan> {
        resolve(&self.graph.borrow())
    }

    /// The plan in its text form ([`Plan::explain`]).
    pub fn explain(&self) -> Result<String> {
        Ok(self.plan()?.explain())
    }

    /// [`run`](Self::run) with no per-call configuration.
    pub fn run_on(&self, engine: impl IntoEngine) -> Result<WorkflowResult> {
        self.run(engine, ConfigOverrides::new())
    }

    /// Run the workflow on an engine (any engine-like: `"native"`, `"local"`, `""`, an
    /// engine) with a per-call configuration (any config-like, `()` for none).
    ///
    /// * **Config**: defaults < the engine's conf < the workflow's conf < `conf`; the engine
    ///   passed in is never changed (a new engine is layered when the workflow or the call set
    ///   keys). `fugue.workflow.concurrency`, `fugue.workflow.auto_persist` and
    ///   `fugue.workflow.checkpoint.path` are read from the merged config.
    /// * **Checks first**: the plan is resolved (see [`Workflow::plan`]) before any step runs.
    /// * **Files**: a strong or deterministic checkpoint, or a yield as a file, without
    ///   `fugue.workflow.checkpoint.path` fails before any step runs, naming the key. Strong
    ///   checkpoints live in `<path>/<run id>/`, removed when the run ends; deterministic ones
    ///   and yielded files in `<path>/<key>.arrow` (Arrow IPC with a `.blake3` checksum).
    /// * **Deterministic checkpoints** whose file exists and is intact are read instead of
    ///   computing their step, and the steps only they need are not run; a corrupt file is
    ///   removed, reported with `tracing::warn!` and recomputed. The key covers the steps
    ///   upstream, their arguments, parameters, partition specs and schemas, each function's
    ///   full path and, for functions declared with the transformer macros, a hash of their
    ///   tokens ([`Plan::explain`] marks each function step "keyed by: function tokens" or, for
    ///   closures and hand-written impls, "name and version only"), and the data: data given
    ///   in memory, and the content of every file a load reads (globs and folders expanded as
    ///   the load expands them). The token hash does not see a helper the function calls:
    ///   bump the step's [`version`](super::WorkflowFrame::version) after editing one. A
    ///   result is not saved under its key when a file it was computed from changed during
    ///   the run. [`WorkflowResult::checkpoints`] and [`WorkflowResult::explain`] say which
    ///   checkpoints were reused and why the others were not. See [`super::checkpoint`].
    /// * **Scheduling**: independent steps run in parallel, up to the concurrency, each once;
    ///   an output read by several steps is materialised once and shared.
    /// * **Failure**: the first failing step stops the run (no new step starts) and its error
    ///   is returned as `` step `name` (op `function`, file:line) failed: <cause> ``; a panic
    ///   in a step is caught and reported the same way. The run's temporary checkpoint folder
    ///   is removed in every case.
    pub fn run(
        &self,
        engine: impl IntoEngine,
        conf: impl IntoConfigOverrides,
    ) -> Result<WorkflowResult> {
        let per_call = conf.into_overrides()?;
        let base = make_engine(engine, ConfigOverrides::new())?;
        let conf = merged_conf(base.as_ref(), &self.conf, &per_call);
        // The engine sees the workflow's and the call's keys too, on a new instance.
        let over = self.conf.merge(&per_call);
        let engine = if over.is_empty() {
            base
        } else {
            base.with_conf(&over)?
        };
        let nodes: Vec<Node> = self.graph.borrow().nodes.clone();
        let plan = self.plan()?;
        let progress = self.progress.borrow().clone();
        run_nodes(engine, &conf, nodes, plan, progress, &self.canceller)
    }
}

struct Run<'a> {
    engine: &'a dyn ExecutionEngine,
    nodes: &'a [Node],
    plan: &'a Plan,
    keys: StepKeys,
    root: Option<PathBuf>,
    run_id: &'a str,
    /// Why a step's result was not saved under its key, by step.
    not_saved: Mutex<BTreeMap<usize, String>>,
    run_dir: RunDir,
    auto_persist: bool,
    /// How many times each step's output is read by steps that run.
    uses: Vec<usize>,
    slots: Vec<Mutex<Slot>>,
    frames: Mutex<BTreeMap<String, ArrowFrame>>,
    files: Mutex<BTreeMap<String, PathBuf>>,
    executed: Mutex<Vec<StepId>>,
    skipped: Mutex<Vec<SkippedPartition>>,
    progress: Progress,
    span: tracing::Span,
    /// Set by the first failure: no new step starts, partition functions stop calling.
    cancel: Arc<AtomicBool>,
    /// Set by the workflow's canceller.
    stopped: Arc<AtomicBool>,
    /// `workflow.step_timeout`.
    step_timeout: Option<Duration>,
    /// [`EXPLAIN_PLANS`]: record the steps' plans here.
    plans: Option<Mutex<Vec<StepPlan>>>,
}

/// `fugue.workflow.auto_persist_value`, the storage level of auto-persisted outputs: the
/// engines persist in memory, their one level, so `memory` (or no value) is accepted and any
/// other level is an error before the run starts, never silently ignored.
fn check_persist_level(conf: &FugueConfig) -> Result<()> {
    let level = conf
        .fugue
        .workflow
        .auto_persist_value
        .as_deref()
        .map(str::trim);
    match level {
        None | Some("") => Ok(()),
        Some(l) if l.eq_ignore_ascii_case("memory") => Ok(()),
        Some(l) => Err(FugueError::Config {
            key: "fugue.workflow.auto_persist_value".to_string(),
            reason: format!(
                "the engines persist in memory, their only storage level; `{}` is not one \
                 (set `memory` or leave the key unset)",
                fugue_core::error::excerpt(l)
            ),
        }),
    }
}

fn run_nodes(
    engine: Arc<dyn ExecutionEngine>,
    conf: &FugueConfig,
    nodes: Vec<Node>,
    plan: Plan,
    progress: Option<Arc<dyn ProgressReport>>,
    canceller: &crate::control::Canceller,
) -> Result<WorkflowResult> {
    let n = nodes.len();
    // Cancelled from another thread while registered (until the run ends).
    let (stopped, _registered) = canceller.register();
    let step_timeout = crate::control::step_timeout(conf)?;
    let explain_plans =
        match conf.get(EXPLAIN_PLANS) {
            None => false,
            // An empty value unsets the key, as for every key.
            Some(text) if text.trim().is_empty() => false,
            Some(text) => <bool as fugue_core::config::ConfigValue>::parse_config(&text).map_err(
                |reason| FugueError::Config {
                    key: EXPLAIN_PLANS.to_string(),
                    reason,
                },
            )?,
        };
    check_persist_level(conf)?;
    let run_id = checkpoint::run_id();
    let root = conf.fugue.workflow.checkpoint.path.clone();
    let concurrency = conf.fugue.workflow.concurrency.max(1);
    // Keys for the steps whose files are named by them, and the steps upstream of those.
    let mut needed = vec![false; n];
    for (i, node) in nodes.iter().enumerate() {
        if matches!(node.checkpoint, CheckpointKind::Deterministic { .. })
            || node.yields.iter().any(|(_, k)| *k == YieldKind::File)
        {
            for j in checkpoint::upstream(&nodes, i) {
                needed[j] = true;
            }
        }
    }
    let keys = if needed.contains(&true) {
        let hashes = FileHashes::open(root.as_deref());
        let keys = checkpoint::step_keys(&nodes, &plan, &needed, &hashes);
        hashes.save();
        keys
    } else {
        Vec::new()
    };

    // Files need the checkpoint root: checked before anything runs.
    if root.is_none() {
        for node in &nodes {
            if node.checkpoint == CheckpointKind::Strong {
                return Err(step_failed(&node.info, missing_path("a strong checkpoint")));
            }
            if let Some((name, _)) = node.yields.iter().find(|(_, k)| *k == YieldKind::File) {
                return Err(step_failed(
                    &node.info,
                    missing_path(&format!("yielding `{name}` as a file")),
                ));
            }
        }
    }

    // Deterministic checkpoints to reuse, checked before anything is scheduled.
    let mut reused: Vec<Option<ArrowFrame>> = vec![None; n];
    let mut reasons: Vec<Option<String>> = vec![None; n];
    for (i, node) in nodes.iter().enumerate() {
        if !matches!(node.checkpoint, CheckpointKind::Deterministic { .. }) {
            continue;
        }
        let Some(root) = &root else {
            return Err(step_failed(
                &node.info,
                missing_path("a deterministic checkpoint"),
            ));
        };
        let key = match &keys[i] {
            Ok(key) => key,
            Err(e) => {
                tracing::warn!(step = %node.info.name, reason = %e, "no deterministic checkpoint key");
                reasons[i] = Some(format!("its key cannot be computed: {e}"));
                continue;
            }
        };
        let path = root.join(format!("{}.{}", key.key, checkpoint::SUFFIX));
        let planned = plan.schema(StepId(i));
        match checkpoint::read(&path) {
            Ok(Some(frame))
                if planned.is_some_and(|p| check_planned(p, frame.schema()).is_err()) =>
            {
                tracing::warn!(
                    step = %node.info.name,
                    path = %path.display(),
                    "deterministic checkpoint has another schema than planned; recomputing"
                );
                checkpoint::remove(&path);
                reasons[i] =
                    Some("the checkpoint with this key has another schema than planned".into());
            }
            Ok(Some(frame)) => {
                tracing::info!(step = %node.info.name, path = %path.display(), "reusing deterministic checkpoint");
                reused[i] = Some(frame);
            }
            Ok(None) => {
                let why = checkpoint::why_missing(root, &nodes, &keys, i);
                tracing::info!(step = %node.info.name, reason = %why, "computing deterministic checkpoint");
                reasons[i] = Some(why);
            }
            Err(e) => {
                tracing::warn!(
                    step = %node.info.name,
                    path = %path.display(),
                    error = %e,
                    "corrupt deterministic checkpoint; recomputing"
                );
                checkpoint::remove(&path);
                reasons[i] = Some(format!("the checkpoint with this key is corrupt: {e}"));
            }
        }
    }

    // Steps not needed: no effect of their own, and every reader is reused or not needed.
    let mut skip = vec![false; n];
    for i in (0..n).rev() {
        let step = &plan.steps()[i];
        let node = &nodes[i];
        skip[i] = reused[i].is_some()
            || (!node.op.has_effect()
                && node.yields.is_empty()
                && !node.checkpoint.is_file()
                && !step.consumers.is_empty()
                && step
                    .consumers
                    .iter()
                    .all(|c| reused[c.0].is_some() || skip[c.0]));
    }
    let mut uses = vec![0usize; n];
    for (i, node) in nodes.iter().enumerate() {
        if !skip[i] {
            for input in &node.inputs {
                uses[input.0] += 1;
            }
        }
    }

    let span = tracing::info_span!("workflow_run", run_id = %run_id, steps = n, concurrency);
    let to_run = skip.iter().filter(|s| !**s).count();
    let run = Run {
        engine: engine.as_ref(),
        nodes: &nodes,
        plan: &plan,
        keys,
        run_dir: RunDir::new(root.as_deref(), &run_id),
        root,
        run_id: &run_id,
        not_saved: Mutex::new(BTreeMap::new()),
        auto_persist: conf.fugue.workflow.auto_persist,
        uses,
        slots: (0..n).map(|_| Mutex::new(Slot::Empty)).collect(),
        frames: Mutex::new(BTreeMap::new()),
        files: Mutex::new(BTreeMap::new()),
        executed: Mutex::new(Vec::new()),
        skipped: Mutex::new(Vec::new()),
        progress: Progress::new(
            to_run,
            nodes.iter().map(|n| n.info.name.clone()).collect(),
            progress,
        ),
        span,
        cancel: Arc::new(AtomicBool::new(false)),
        stopped,
        step_timeout,
        plans: explain_plans.then(|| Mutex::new(Vec::new())),
    };
    let mut reused_ids = Vec::new();
    for (i, frame) in reused.into_iter().enumerate() {
        if let Some(frame) = frame {
            reused_ids.push(StepId(i));
            let path = run
                .key_path(i)
                .map_err(|e| step_failed(&nodes[i].info, FugueError::Internal(e)))?;
            run.publish(i, DataFrame::from(frame), Some(path))?;
        }
    }

    let deps: Vec<Vec<usize>> = nodes
        .iter()
        .map(|node| node.inputs.iter().map(|s| s.0).collect())
        .collect();
    // Worker threads report to the caller's subscriber, even a thread-local one.
    let dispatch = tracing::dispatcher::get_default(|d| d.clone());
    let finished = (Mutex::new(false), std::sync::Condvar::new());
    let outcome = std::thread::scope(|scope| {
        if run.progress.watched() {
            // Reveals the bar after a second and reports the partitions of running steps even
            // while one long step runs; scoped, so it ends with the run.
            scope.spawn(|| {
                let mut done = Run::lock(&finished.0);
                while !*done {
                    done = match finished.1.wait_timeout(done, Duration::from_millis(200)) {
                        Ok((guard, _)) => guard,
                        Err(poisoned) => poisoned.into_inner().0,
                    };
                    run.progress.tick();
                }
            });
        }
        let outcome = run_dag(
            &deps,
            &skip,
            concurrency,
            &run.cancel,
            &|i| tracing::dispatcher::with_default(&dispatch, || run.step(i)),
            &|i, message| {
                step_failed(
                    &nodes[i].info,
                    FugueError::external("the step panicked", message),
                )
            },
        );
        *Run::lock(&finished.0) = true;
        finished.1.notify_all();
        outcome
    });
    run.progress.bar.finish_and_clear();
    if let Err((_, error)) = outcome {
        return Err(error);
    }
    let take =
        |m: Mutex<BTreeMap<String, ArrowFrame>>| m.into_inner().unwrap_or_else(|p| p.into_inner());
    let Run {
        frames,
        files,
        executed,
        skipped,
        run_dir,
        keys,
        not_saved,
        plans,
        ..
    } = run;
    drop(run_dir);
    let mut not_saved = not_saved.into_inner().unwrap_or_else(|p| p.into_inner());
    let checkpoints = nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| matches!(node.checkpoint, CheckpointKind::Deterministic { .. }))
        .map(|(i, node)| CheckpointReport {
            step: StepId(i),
            name: node.info.name.clone(),
            key: keys
                .get(i)
                .and_then(|k| k.as_ref().ok())
                .map(|k| k.key.clone()),
            outcome: if reused_ids.contains(&StepId(i)) {
                CheckpointOutcome::Reused
            } else {
                CheckpointOutcome::Computed {
                    reason: reasons[i].take().unwrap_or_default(),
                    not_saved: not_saved.remove(&i),
                }
            },
        })
        .collect();
    Ok(WorkflowResult {
        frames: take(frames),
        files: files.into_inner().unwrap_or_else(|p| p.into_inner()),
        executed: executed.into_inner().unwrap_or_else(|p| p.into_inner()),
        reused: reused_ids,
        names: nodes.iter().map(|n| n.info.name.clone()).collect(),
        checkpoints,
        skipped: skipped.into_inner().unwrap_or_else(|p| p.into_inner()),
        run_id,
        plans: plans
            .map(|p| p.into_inner().unwrap_or_else(|p| p.into_inner()))
            .unwrap_or_default(),
    })
}

impl Run<'_> {
    fn lock<'m, T>(m: &'m Mutex<T>) -> std::sync::MutexGuard<'m, T> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The file named by step `i`'s key, when its key is known; else why not.
    fn key_path(&self, i: usize) -> std::result::Result<PathBuf, String> {
        let root = self
            .root
            .as_ref()
            .ok_or_else(|| missing_path("a deterministic checkpoint").to_string())?;
        match self.keys.get(i) {
            Some(Ok(key)) => Ok(root.join(format!("{}.{}", key.key, checkpoint::SUFFIX))),
            Some(Err(e)) => Err(format!("its key cannot be computed: {e}")),
            None => Err("its key was not computed".to_string()),
        }
    }

    /// Where to save step `i`'s result under its key: [`Self::key_path`], when the files the
    /// key was computed from are unchanged; else why not.
    fn keyed_path(&self, i: usize) -> std::result::Result<PathBuf, String> {
        let path = self.key_path(i)?;
        checkpoint::verify_inputs(self.nodes, &self.keys, i)?;
        Ok(path)
    }

    /// Take one input of a step from its producer's slot.
    fn input(&self, producer: usize) -> Result<DataFrame> {
        let mut slot = Self::lock(&self.slots[producer]);
        match std::mem::replace(&mut *slot, Slot::Empty) {
            Slot::Shared(frame, left) => {
                if left > 1 {
                    *slot = Slot::Shared(frame.clone(), left - 1);
                }
                Ok(DataFrame::from(frame))
            }
            Slot::Once(df) => Ok(df),
            Slot::Empty => Err(FugueError::Internal(format!(
                "the output of step #{producer} is not available"
            ))),
        }
    }

    fn step(&self, i: usize) -> Result<()> {
        let node = &self.nodes[i];
        let info: &StepInfo = &node.info;
        let span = tracing::info_span!(
            parent: &self.span,
            "workflow_step",
            step = i,
            name = %info.name,
            op = info.op,
        );
        let _entered = span.enter();
        let started = Instant::now();
        self.progress.started(i);
        tracing::debug!("step started");
        let control = crate::control::Control::new(
            self.stopped.clone(),
            self.cancel.clone(),
            self.step_timeout,
        );
        let result = crate::control::under(control.clone(), || {
            control.check()?;
            self.compute(i)
        })
        .map_err(|e| step_failed(info, e));
        match &result {
            Ok(()) => {
                tracing::debug!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "step finished"
                );
                Self::lock(&self.executed).push(StepId(i));
            }
            Err(e) => tracing::error!(error = %e, "step failed"),
        }
        self.progress.finished(i);
        result
    }

    fn compute(&self, i: usize) -> Result<()> {
        let node = &self.nodes[i];
        let inputs = node
            .inputs
            .iter()
            .map(|p| self.input(p.0))
            .collect::<Result<Vec<_>>>()?;
        let cx = RunContext {
            engine: self.engine,
            spec: node.partition_spec(),
            cancel: &self.cancel,
            step: &node.info.name,
            skipped: &self.skipped,
            partitions: self.progress.counter(i),
            files: match self.keys.get(i) {
                Some(Ok(key)) => key.resolved.as_ref(),
                _ => None,
            },
        };
        let output = node.op.operation().run(&cx, inputs)?;
        let Some(mut df) = output else {
            return Ok(());
        };
        if let Some(planned) = self.plan.schema(StepId(i)) {
            check_planned(planned, df.schema())?;
        }
        if let (Some(plans), DataFrame::Plan(plan)) = (&self.plans, &df) {
            let text = plan.explain(true)?;
            Self::lock(plans).push(StepPlan {
                step: StepId(i),
                name: node.info.name.clone(),
                text,
            });
        }
        if node.checkpoint == CheckpointKind::Weak || (self.auto_persist && self.uses[i] > 1) {
            df = self.engine.persist(df)?;
        }
        let mut file = None;
        match &node.checkpoint {
            CheckpointKind::Strong => {
                let dir = self.run_dir.get("a strong checkpoint")?;
                let path = dir.join(format!("{i}.{}", checkpoint::SUFFIX));
                checkpoint::write(&path, &df.to_arrow_frame()?)?;
                df = DataFrame::from(reread(&path)?);
            }
            CheckpointKind::Deterministic { .. } => match self.keyed_path(i) {
                Ok(path) => {
                    checkpoint::write(&path, &df.to_arrow_frame()?)?;
                    df = DataFrame::from(reread(&path)?);
                    if let Some(root) = &self.root {
                        checkpoint::write_manifest(root, self.nodes, &self.keys, i);
                    }
                    file = Some(path);
                }
                Err(why) => {
                    tracing::warn!(reason = %why, "result not saved under its key");
                    Self::lock(&self.not_saved).insert(i, why);
                }
            },
            CheckpointKind::None | CheckpointKind::Weak => {}
        }
        if node.broadcast {
            df = self.engine.broadcast(df)?;
        }
        self.publish(i, df, file)
    }

    /// Hand a step's output to its yields and its consumers.
    fn publish(&self, i: usize, df: DataFrame, file: Option<PathBuf>) -> Result<()> {
        let node = &self.nodes[i];
        let uses = self.uses[i];
        let mut df = df;
        if !node.yields.is_empty() {
            let frame = df.to_arrow_frame()?;
            for (name, kind) in &node.yields {
                match kind {
                    YieldKind::Frame => {
                        Self::lock(&self.frames).insert(name.clone(), frame.clone());
                    }
                    YieldKind::File => {
                        let path = match &file {
                            Some(p) => p.clone(),
                            None => {
                                let root = self.root.as_ref().ok_or_else(|| {
                                    missing_path(&format!("yielding `{name}` as a file"))
                                })?;
                                // Named by the key when it is sound, else by the run.
                                let path = self.keyed_path(i).unwrap_or_else(|_| {
                                    root.join(format!(
                                        "unkeyed-{}-{i}.{}",
                                        self.run_id,
                                        checkpoint::SUFFIX
                                    ))
                                });
                                checkpoint::write(&path, &frame)?;
                                path
                            }
                        };
                        Self::lock(&self.files).insert(name.clone(), path);
                    }
                }
            }
            df = DataFrame::from(frame);
        }
        let slot = match uses {
            0 => {
                // Nobody reads it: make sure a lazy output (a stream, a plan) is computed, then
                // drop it.
                if df.is_lazy() {
                    df.into_batches()?;
                }
                Slot::Empty
            }
            1 => Slot::Once(df),
            n => Slot::Shared(df.to_arrow_frame()?, n),
        };
        *Self::lock(&self.slots[i]) = slot;
        Ok(())
    }
}

/// Read back a checkpoint just written (a file that cannot be read back fails the step).
fn reread(path: &Path) -> Result<ArrowFrame> {
    checkpoint::read(path)?.ok_or_else(|| FugueError::Io {
        action: "reading",
        path: path.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "checkpoint vanished"),
    })
}

/// The key of the checkpoint root (re-exported for messages and docs).
pub const CHECKPOINT_PATH: &str = CHECKPOINT_PATH_KEY;
