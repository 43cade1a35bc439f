//! The lazy DAG builder: [`Workflow`] owns the graph, [`WorkflowFrame`] is a `Copy` handle on
//! one step's output with fluent methods (Fugue's `FugueWorkflow` and `WorkflowDataFrame`,
//! reference §10.1–10.2).
//!
//! Declaring a step never touches data and never fails: a problem found while declaring (a bad
//! partition spec, a modifier the step does not accept, a handle of another workflow) is kept
//! on the step and reported by [`Workflow::plan`] / [`Workflow::run`], naming the step and
//! where it was declared.

use super::ops::{Invalid, Modifier, Op};
use super::step::{CheckpointKind, DeclError, Node, SourceLocation, StepId, StepInfo, YieldKind};
use crate::frame::DataFrame;
use crate::function::{Callback, Params};
use crate::ignore::IgnoreErrors;
use crate::like::{IntoPartitionSpec, IntoSchema};
use fugue_core::config::{ConfigOverrides, IntoConfigOverrides};
use fugue_core::options::FileFormat;
use fugue_core::{FugueError, PartitionSpec, Result};
use std::cell::RefCell;
use std::sync::Arc;

/// The graph: steps in declaration order.
#[derive(Default, Clone)]
pub(crate) struct Graph {
    pub nodes: Vec<Node>,
}

/// A lazy workflow: steps are declared through [`WorkflowFrame`] handles and run by
/// [`Workflow::run`].
///
/// The workflow's own configuration (Fugue's compile conf) is one layer of the run's config:
/// defaults < engine < workflow < per-call (see [`Workflow::run`]).
///
/// `workflow!` expands into this builder; written by hand, it serves schemas known only at run
/// time:
///
/// ```
/// use fugue_runtime::workflow::Workflow;
/// use fugue_runtime::{RowFrame, Value};
///
/// let trips = RowFrame::new(
///     "city:str,fare:double",
///     vec![
///         vec![Value::from("Paris"), Value::from(30.0)],
///         vec![Value::from("Oslo"), Value::from(7.0)],
///     ],
/// )?;
/// let wf = Workflow::new();
/// wf.create(trips).named("trips").yield_as("trips");
/// let result = wf.run_on("native")?;
/// assert_eq!(result.get("trips")?.count()?, 2);
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
pub struct Workflow {
    pub(crate) graph: RefCell<Graph>,
    /// Partition specs given to [`WorkflowFrame::partition`], indexed by handles.
    pub(crate) specs: RefCell<Vec<Result<PartitionSpec, DeclError>>>,
    pub(crate) conf: ConfigOverrides,
    /// The reader of run progress besides the terminal bar.
    pub(crate) progress: RefCell<Option<std::sync::Arc<dyn super::ProgressReport>>>,
    /// Cancels this workflow's runs in progress.
    pub(crate) canceller: crate::control::Canceller,
}

impl Default for Workflow {
    fn default() -> Self {
        Workflow::new()
    }
}

impl std::fmt::Debug for Workflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workflow")
            .field("steps", &self.graph.borrow().nodes.len())
            .field("conf", &self.conf)
            .finish()
    }
}

impl Workflow {
    /// An empty workflow with no configuration of its own.
    pub fn new() -> Self {
        Workflow {
            graph: RefCell::new(Graph::default()),
            specs: RefCell::new(Vec::new()),
            conf: ConfigOverrides::new(),
            progress: RefCell::new(None),
            canceller: crate::control::Canceller::new(),
        }
    }

    /// An empty workflow with its own configuration (any config-like: pairs, maps, a
    /// [`fugue_core::config::FugueConfig`], ...). A bad key or value is an error here.
    pub fn with_conf(conf: impl IntoConfigOverrides) -> Result<Self> {
        Ok(Workflow {
            graph: RefCell::new(Graph::default()),
            specs: RefCell::new(Vec::new()),
            conf: conf.into_overrides()?,
            progress: RefCell::new(None),
            canceller: crate::control::Canceller::new(),
        })
    }

    /// Report the progress of this workflow's runs to `report` too (besides the terminal bar):
    /// steps starting and finishing, and the logical partitions each step has called its
    /// function for ([`super::ProgressReport`]). A later call replaces the reader.
    pub fn report_progress_to(&self, report: impl super::ProgressReport + 'static) {
        *self.progress.borrow_mut() = Some(std::sync::Arc::new(report));
    }

    /// What cancels this workflow's runs in progress from another thread: a cancelled run
    /// fails at once with [`fugue_core::ErrorKind::Cancelled`], naming the step that was
    /// running (a user call still running is detached, its output refused). Runs started
    /// later are not affected. The limit of one step's time is the config key
    /// `workflow.step_timeout`.
    ///
    /// ```
    /// use fugue_runtime::workflow::Workflow;
    ///
    /// let workflow = Workflow::new();
    /// let canceller = workflow.canceller();
    /// std::thread::spawn(move || canceller.cancel()).join().unwrap();
    /// ```
    pub fn canceller(&self) -> crate::control::Canceller {
        self.canceller.clone()
    }

    /// The workflow's own configuration layer.
    pub fn conf(&self) -> &ConfigOverrides {
        &self.conf
    }

    /// The number of steps declared.
    pub fn len(&self) -> usize {
        self.graph.borrow().nodes.len()
    }

    /// Whether no step was declared.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The identity of every step, in declaration order.
    pub fn steps(&self) -> Vec<StepInfo> {
        self.graph
            .borrow()
            .nodes
            .iter()
            .map(|n| n.info.clone())
            .collect()
    }

    pub(crate) fn add(
        &self,
        op: Op,
        inputs: Vec<StepId>,
        partition: Option<Result<PartitionSpec, DeclError>>,
        source: SourceLocation,
    ) -> WorkflowFrame<'_> {
        let mut graph = self.graph.borrow_mut();
        let id = StepId(graph.nodes.len());
        let info = StepInfo {
            id,
            name: default_name(&graph.nodes, op.name(), &inputs),
            op: op.name(),
            function: op.function_name(),
            source: Some(source),
            call: None,
        };
        graph.nodes.push(Node {
            info,
            op,
            inputs,
            partition,
            checkpoint: CheckpointKind::None,
            broadcast: false,
            yields: Vec::new(),
            version: None,
            errors: Vec::new(),
            named: false,
        });
        WorkflowFrame {
            wf: self,
            id,
            partition: None,
        }
    }

    fn add_spec(&self, spec: Result<PartitionSpec, DeclError>) -> usize {
        let mut specs = self.specs.borrow_mut();
        specs.push(spec);
        specs.len() - 1
    }

    /// Keep a problem found while declaring step `id`, reported when the workflow is planned.
    pub(crate) fn note(&self, id: StepId, error: impl Into<DeclError>) {
        if let Some(node) = self.graph.borrow_mut().nodes.get_mut(id.0) {
            node.errors.push(error.into());
        }
    }

    fn own(&self, frame: &WorkflowFrame<'_>) -> bool {
        std::ptr::eq(self, frame.wf)
    }

    /// Inputs of a step, checked to belong to this workflow (a handle of another workflow is
    /// reported on the new step).
    fn inputs(&self, frames: &[WorkflowFrame<'_>]) -> (Vec<StepId>, Vec<String>) {
        let mut ids = Vec::new();
        let mut errors = Vec::new();
        for f in frames {
            if self.own(f) {
                ids.push(f.id);
            } else {
                errors.push(format!(
                    "input {} does not belong to this workflow (a handle of another workflow)",
                    f.id
                ));
            }
        }
        (ids, errors)
    }

    pub(crate) fn add_checked(
        &self,
        op: Op,
        frames: &[WorkflowFrame<'_>],
        partition: Option<Result<PartitionSpec, DeclError>>,
        source: SourceLocation,
    ) -> WorkflowFrame<'_> {
        let (ids, errors) = self.inputs(frames);
        let frame = self.add(op, ids, partition, source);
        for e in errors {
            self.note(frame.id, e);
        }
        frame
    }

    pub(crate) fn fold<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        what: &'static str,
        source: SourceLocation,
        mut step: impl FnMut(WorkflowFrame<'w>, WorkflowFrame<'w>) -> WorkflowFrame<'w>,
    ) -> WorkflowFrame<'w> {
        match inputs {
            [] | [_] => {
                // Nothing to fold: a step that fails when planned, naming the call.
                let frame = self.add_checked(Op::new(Invalid(what)), inputs, None, source);
                self.note(
                    frame.id,
                    format!("{what} needs at least two frames, got {}", inputs.len()),
                );
                frame
            }
            [first, rest @ ..] => rest.iter().fold(*first, |acc, next| step(acc, *next)),
        }
    }
}

/// A handle on one step's output (Fugue's `WorkflowDataFrame`): `Copy`, tied to its workflow.
///
/// Methods that declare a new step return a new handle; modifiers ([`named`](Self::named),
/// [`checkpoint`](Self::checkpoint), [`persist`](Self::persist), [`params`](Self::params),
/// [`yield_as`](Self::yield_as), ...) change the step this handle points at and return the
/// same handle.
#[derive(Clone, Copy)]
pub struct WorkflowFrame<'w> {
    pub(crate) wf: &'w Workflow,
    pub(crate) id: StepId,
    /// The partition spec for the next step (set by [`WorkflowFrame::partition`]).
    pub(crate) partition: Option<usize>,
}

impl std::fmt::Debug for WorkflowFrame<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let info = self.info();
        f.debug_struct("WorkflowFrame")
            .field("id", &self.id)
            .field("name", &info.name)
            .field("op", &info.op)
            .finish()
    }
}

impl<'w> WorkflowFrame<'w> {
    /// The step's number.
    pub fn id(&self) -> StepId {
        self.id
    }

    /// The step's identity (number, name, operation, source).
    pub fn info(&self) -> StepInfo {
        self.wf.graph.borrow().nodes[self.id.0].info.clone()
    }

    /// The workflow.
    pub fn workflow(&self) -> &'w Workflow {
        self.wf
    }

    pub(crate) fn partition_arg(&self) -> Option<Result<PartitionSpec, DeclError>> {
        let index = self.partition?;
        self.wf.specs.borrow().get(index).cloned()
    }

    fn edit(&self, f: impl FnOnce(&mut Node) -> std::result::Result<(), DeclError>) -> Self {
        let mut graph = self.wf.graph.borrow_mut();
        if let Some(node) = graph.nodes.get_mut(self.id.0)
            && let Err(e) = f(node)
        {
            node.errors.push(e);
        }
        WorkflowFrame {
            partition: None,
            ..*self
        }
    }

    pub(crate) fn then(&self, op: Op, source: SourceLocation) -> WorkflowFrame<'w> {
        self.wf
            .add_checked(op, &[*self], self.partition_arg(), source)
    }

    pub(crate) fn then_with(
        &self,
        op: Op,
        others: &[WorkflowFrame<'w>],
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        let mut all = vec![*self];
        all.extend_from_slice(others);
        self.wf.add_checked(op, &all, self.partition_arg(), source)
    }

    // ---- modifiers -------------------------------------------------------------------------

    /// Name the step (messages, `explain`, the progress bar and tracing use it).
    ///
    /// An unnamed step is named after its operation and its inputs' names (`filter(trips)`,
    /// `join(top, cities)`; a step without inputs, after its operation: `create`, `load`), so
    /// naming a step also renames the unnamed steps that use it.
    pub fn named(self, name: impl Into<String>) -> Self {
        let name = name.into();
        let this = self.edit(|n| {
            n.info.name = name;
            n.named = true;
            Ok(())
        });
        let mut graph = self.wf.graph.borrow_mut();
        for i in self.id.0 + 1..graph.nodes.len() {
            if !graph.nodes[i].named {
                let node = &graph.nodes[i];
                let name = default_name(&graph.nodes[..i], node.op.name(), &node.inputs);
                graph.nodes[i].info.name = name;
            }
        }
        this
    }

    /// Set where the step was declared (what `workflow!` expansions do; builder methods
    /// capture their caller's location themselves).
    pub fn at(self, file: &'static str, line: u32, column: u32) -> Self {
        self.edit(|n| {
            n.info.source = Some(SourceLocation { file, line, column });
            Ok(())
        })
    }

    /// Set the step's call as messages show it (what `workflow!` expansions do, with the call
    /// as the user wrote it), so that a rule's run-time error is the compile-time sentence.
    pub fn call_text(self, call: impl Into<String>) -> Self {
        let call = call.into();
        self.edit(|n| {
            n.info.call = Some(call);
            Ok(())
        })
    }

    /// The version of the step's function, part of deterministic checkpoint keys (an extra
    /// salt). Functions declared with the transformer macros are keyed by their tokens as well,
    /// so editing one invalidates its checkpoints by itself; bump the version when code the
    /// function calls changes (a helper, a constant, a dependency), which the token hash does
    /// not see, and when the logic of a closure or a hand-written impl changes (those are keyed
    /// by name and version only).
    pub fn version(self, version: impl Into<String>) -> Self {
        let version = version.into();
        self.edit(|n| {
            n.version = Some(version);
            Ok(())
        })
    }

    fn modify(self, modifier: Modifier) -> Self {
        self.edit(|n| n.op.modify(modifier).map_err(DeclError::from))
    }

    /// Parameters of the step's function (transform, process, output, create_with).
    pub fn params(self, params: Params) -> Self {
        self.modify(Modifier::Params(Arc::new(params)))
    }

    /// The driver-side handler of the step's callback (transform, out_transform,
    /// cotransform).
    pub fn callback(self, handler: Callback) -> Self {
        self.modify(Modifier::Callback(handler))
    }

    /// Skip the logical partitions whose call fails with one of these errors instead of
    /// failing the step (Fugue's `ignore_errors`; transform, out_transform, cotransform): such
    /// a partition contributes no rows, and [`WorkflowResult::skipped`] lists it with its keys
    /// and error. Errors are matched by type (downcast: the function's error type) or by the
    /// kind of their root cause; panics only when [`IgnoreErrors::panics`] is listed. Each
    /// partition's output is held in memory until its call ends. The engines of one machine
    /// only: the Ballista engine refuses the step.
    ///
    /// [`WorkflowResult::skipped`]: super::WorkflowResult::skipped
    pub fn ignore_errors(self, ignore: IgnoreErrors) -> Self {
        self.modify(Modifier::IgnoreErrors(ignore))
    }

    /// The file format of a load (a [`FileFormat`] or its name: `parquet`, `csv`, `json`,
    /// `arrow`).
    pub fn format(self, format: impl super::ops::Choice<FileFormat>) -> Self {
        match format.choice() {
            Ok(format) => self.modify(Modifier::Format(format)),
            Err(e) => self.edit(|_| Err(DeclError::from(e))),
        }
    }

    /// The columns of a load: names to keep.
    pub fn columns(self, columns: &[&str]) -> Self {
        self.modify(Modifier::Columns(
            columns.iter().map(|s| s.to_string()).collect(),
        ))
    }

    /// The declared schema of a load (the plan knows it before running; the data converts to
    /// it when read only where no value can change, and a column that is not nullable is
    /// checked for NULLs).
    pub fn schema(self, schema: impl IntoSchema) -> Self {
        match schema.into_schema() {
            Ok(s) => self.modify(Modifier::Schema(s)),
            Err(e) => self.edit(|_| Err(DeclError::from(e))),
        }
    }

    /// A format option of a load (`header`, `delimiter`, `infer_schema`, `null`: the text
    /// that reads as NULL) or of a save (`header`, `delimiter`, `compression`). CSV reads and
    /// writes a header unless `header` is `false`.
    pub fn option(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.modify(Modifier::Option(key.into(), value.into()))
    }

    /// Keep the step's output in memory, computed once (a weak checkpoint).
    pub fn persist(self) -> Self {
        self.set_checkpoint(CheckpointKind::Weak)
    }

    /// A weak checkpoint (same as [`persist`](Self::persist)).
    pub fn weak_checkpoint(self) -> Self {
        self.set_checkpoint(CheckpointKind::Weak)
    }

    /// A strong checkpoint: the output is written under `fugue.workflow.checkpoint.path` (in
    /// the run's temporary folder, removed when the run ends) and re-read by the consumers.
    pub fn checkpoint(self) -> Self {
        self.set_checkpoint(CheckpointKind::Strong)
    }

    /// Same as [`checkpoint`](Self::checkpoint).
    pub fn strong_checkpoint(self) -> Self {
        self.set_checkpoint(CheckpointKind::Strong)
    }

    /// A deterministic checkpoint: the output is written under
    /// `fugue.workflow.checkpoint.path` with a name derived from the step's content key, and a
    /// later run with the same key reads the file instead of computing the step and the steps
    /// only it needs.
    ///
    /// The key covers the step and every step upstream: operations and arguments, parameters,
    /// partition specs, planned schemas, versions, each function's full path
    /// (`module_path::name`) and, for functions declared with the transformer macros, a hash
    /// of their tokens and their records' columns; data given in memory; and for loads the
    /// files read (globs and folders expanded at run time, as the load expands them) with a
    /// hash of their content. What it cannot see: code a function calls (a helper edited
    /// leaves the token hash unchanged: bump [`version`](Self::version)), state a closure
    /// captures, and what a function reads by itself. `explain()` marks each function step
    /// "keyed by: function tokens" or "name and version only"; the run's
    /// [`WorkflowResult::explain`](super::WorkflowResult::explain) says which checkpoints were
    /// reused and why the others were not.
    pub fn checkpoint_deterministic(self) -> Self {
        self.set_checkpoint(CheckpointKind::Deterministic { namespace: None })
    }

    /// A deterministic checkpoint with a namespace mixed into its key.
    pub fn checkpoint_deterministic_in(self, namespace: impl Into<String>) -> Self {
        self.set_checkpoint(CheckpointKind::Deterministic {
            namespace: Some(namespace.into()),
        })
    }

    fn set_checkpoint(self, kind: CheckpointKind) -> Self {
        self.edit(|n| {
            if !n.op.has_output() {
                return Err(format!("`{}` has no output to checkpoint", n.op.name()).into());
            }
            n.checkpoint = kind;
            Ok(())
        })
    }

    /// Mark the output for broadcast (engines of one machine ignore it).
    pub fn broadcast(self) -> Self {
        self.edit(|n| {
            n.broadcast = true;
            Ok(())
        })
    }

    /// Hand the output back by name in [`super::WorkflowResult`] (as a frame).
    pub fn yield_as(self, name: impl Into<String>) -> Self {
        self.add_yield(name.into(), YieldKind::Frame)
    }

    /// [`yield_as`](Self::yield_as) under Fugue's name for yielding a table: the engines here
    /// have no tables, so the frame is handed back in memory.
    pub fn yield_table_as(self, name: impl Into<String>) -> Self {
        self.yield_as(name)
    }

    /// Run the workflow on `engine` (any engine-like) and return this frame's data (Fugue's
    /// `compute`): the steps it needs and every other step run, as in
    /// [`Workflow::run_on`](super::Workflow::run_on); the workflow is unchanged.
    pub fn compute(&self, engine: impl crate::engine::IntoEngine) -> Result<DataFrame> {
        let name = format!("\u{0}compute-{}", self.id.0);
        {
            let mut graph = self.wf.graph.borrow_mut();
            let Some(node) = graph.nodes.get_mut(self.id.0) else {
                return Err(FugueError::Internal(
                    "compute on an unknown step".to_string(),
                ));
            };
            if !node.op.has_output() {
                return Err(FugueError::invalid_argument(
                    "compute",
                    format!("`{}` has no output to compute", node.op.name()),
                ));
            }
            node.yields.push((name.clone(), YieldKind::Frame));
        }
        let result = self.wf.run_on(engine);
        if let Some(node) = self.wf.graph.borrow_mut().nodes.get_mut(self.id.0) {
            node.yields.retain(|(n, _)| n != &name);
        }
        result?.get(&name)
    }

    /// Write the output under `fugue.workflow.checkpoint.path` and hand back its path by name
    /// ([`super::WorkflowResult::file`]).
    pub fn yield_file_as(self, name: impl Into<String>) -> Self {
        self.add_yield(name.into(), YieldKind::File)
    }

    fn add_yield(self, name: String, kind: YieldKind) -> Self {
        self.edit(|n| {
            if !n.op.has_output() {
                return Err(format!("`{}` has no output to yield", n.op.name()).into());
            }
            if n.checkpoint == CheckpointKind::Strong && kind == YieldKind::File {
                return Err("yield as a file is not allowed after a strong (temporary) \
                            checkpoint; use a deterministic checkpoint"
                    .to_string()
                    .into());
            }
            n.yields.push((name, kind));
            Ok(())
        })
    }

    /// Partition the input of the next step only (reference §5.5): `"by=city; presort=fare
    /// desc"` or a [`PartitionSpec`]. A malformed spec is reported on the next step.
    pub fn partition(self, spec: impl IntoPartitionSpec) -> Self {
        let spec = spec.into_partition_spec().map_err(DeclError::Error);
        let index = self.wf.add_spec(spec);
        WorkflowFrame {
            partition: Some(index),
            ..self
        }
    }

    /// One row per physical partition for the next step (Fugue's `per_row`, see
    /// [`PartitionSpec::per_row`]).
    pub fn per_row(self) -> Self {
        self.partition(PartitionSpec::per_row())
    }

    /// Exactly one key per physical partition for the next step (Fugue's `per_partition_by`,
    /// see [`PartitionSpec::per_partition_by`]); empty keys are reported on the next step.
    pub fn per_partition_by(self, keys: &[&str]) -> Self {
        let spec = PartitionSpec::per_partition_by(keys.iter().copied()).map_err(DeclError::Error);
        let index = self.wf.add_spec(spec);
        WorkflowFrame {
            partition: Some(index),
            ..self
        }
    }

    /// Partition the next step's input by these keys.
    pub fn partition_by(self, keys: &[&str]) -> Self {
        let spec = if keys.is_empty() {
            Err(DeclError::Error(FugueError::InvalidPartitionSpec {
                spec: String::new(),
                reason: "partition keys can't be empty".to_string(),
            }))
        } else {
            PartitionSpec::by(keys.iter().copied()).map_err(DeclError::Error)
        };
        let index = self.wf.add_spec(spec);
        WorkflowFrame {
            partition: Some(index),
            ..self
        }
    }
}

/// The name of a step not named by the user: its operation and its inputs' names
/// (`filter(trips)`, `join(top, cities)`), or the operation alone for a step without inputs.
/// `earlier` holds the steps before it (its inputs among them).
fn default_name(earlier: &[Node], op: &str, inputs: &[StepId]) -> String {
    if inputs.is_empty() {
        return op.to_string();
    }
    let names: Vec<&str> = inputs
        .iter()
        .map(|i| earlier.get(i.0).map_or("?", |n| n.info.name.as_str()))
        .collect();
    format!("{op}({})", names.join(", "))
}
