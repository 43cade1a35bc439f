//! The lazy DAG builder: [`Workflow`] owns the graph, [`WorkflowFrame`] is a `Copy` handle on
//! one step's output with fluent methods (Fugue's `FugueWorkflow` and `WorkflowDataFrame`,
//! reference §10.1–10.2).
//!
//! Declaring a step never touches data and never fails: a problem found while declaring (a bad
//! partition spec, a modifier the step does not accept, a handle of another workflow) is kept
//! on the step and reported by [`Workflow::plan`] / [`Workflow::run`], naming the step and
//! where it was declared.

use super::functions::{CreateFn, OutputFn, ProcessFn};
use super::step::{
    CheckpointKind, FillArg, FunctionCall, LoadColumnsArg, Node, Op, SetOp, SourceLocation, StepId,
    StepInfo, YieldKind,
};
use crate::engine::{DropHow, JoinHow, NaPosition, SaveMode, ZipHow};
use crate::function::{Callback, Params, PartitionFunction};
use crate::like::{IntoDataFrame, IntoPartitionSpec, IntoSchema};
use crate::value::Value;
use fugue_core::config::{ConfigOverrides, IntoConfigOverrides};
use fugue_core::{PartitionSpec, Result};
use std::cell::RefCell;
use std::sync::Arc;

/// A choice among names: the engine's enums ([`JoinHow`], [`SaveMode`], [`ZipHow`],
/// [`DropHow`], [`NaPosition`]) or their names as text (`"left_outer"`, `"overwrite"`, ...;
/// text is checked when the workflow is planned).
pub trait Choice {
    /// The name, as the engine parses it.
    fn choice(self) -> String;
}

impl Choice for &str {
    fn choice(self) -> String {
        self.to_string()
    }
}

impl Choice for String {
    fn choice(self) -> String {
        self
    }
}

impl Choice for JoinHow {
    fn choice(self) -> String {
        self.name().to_string()
    }
}

impl Choice for SaveMode {
    fn choice(self) -> String {
        match self {
            SaveMode::Overwrite => "overwrite",
            SaveMode::Append => "append",
            SaveMode::Error => "error",
        }
        .to_string()
    }
}

impl Choice for ZipHow {
    fn choice(self) -> String {
        match self {
            ZipHow::Inner => "inner",
            ZipHow::LeftOuter => "left_outer",
            ZipHow::RightOuter => "right_outer",
            ZipHow::FullOuter => "full_outer",
            ZipHow::Cross => "cross",
        }
        .to_string()
    }
}

impl Choice for DropHow {
    fn choice(self) -> String {
        match self {
            DropHow::Any => "any",
            DropHow::All => "all",
        }
        .to_string()
    }
}

impl Choice for NaPosition {
    fn choice(self) -> String {
        match self {
            NaPosition::First => "first",
            NaPosition::Last => "last",
        }
        .to_string()
    }
}

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
pub struct Workflow {
    pub(crate) graph: RefCell<Graph>,
    /// Partition specs given to [`WorkflowFrame::partition`], indexed by handles.
    pub(crate) specs: RefCell<Vec<Result<PartitionSpec, String>>>,
    pub(crate) conf: ConfigOverrides,
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
        }
    }

    /// An empty workflow with its own configuration (any config-like: pairs, maps, a
    /// [`fugue_core::config::FugueConfig`], ...). A bad key or value is an error here.
    pub fn with_conf(conf: impl IntoConfigOverrides) -> Result<Self> {
        Ok(Workflow {
            graph: RefCell::new(Graph::default()),
            specs: RefCell::new(Vec::new()),
            conf: conf.into_overrides()?,
        })
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
        partition: Option<Result<PartitionSpec, String>>,
        source: SourceLocation,
    ) -> WorkflowFrame<'_> {
        let mut graph = self.graph.borrow_mut();
        let id = StepId(graph.nodes.len());
        let info = StepInfo {
            id,
            name: format!("_{}", id.0),
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
        });
        WorkflowFrame {
            wf: self,
            id,
            partition: None,
        }
    }

    fn add_spec(&self, spec: Result<PartitionSpec, String>) -> usize {
        let mut specs = self.specs.borrow_mut();
        specs.push(spec);
        specs.len() - 1
    }

    fn note(&self, id: StepId, message: String) {
        if let Some(node) = self.graph.borrow_mut().nodes.get_mut(id.0) {
            node.errors.push(message);
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

    fn add_checked(
        &self,
        op: Op,
        frames: &[WorkflowFrame<'_>],
        partition: Option<Result<PartitionSpec, String>>,
        source: SourceLocation,
    ) -> WorkflowFrame<'_> {
        let (ids, errors) = self.inputs(frames);
        let frame = self.add(op, ids, partition, source);
        for e in errors {
            self.note(frame.id, e);
        }
        frame
    }

    // ---- sources ------------------------------------------------------------------------------

    /// A step whose output is this data (any [`IntoDataFrame`]); the data is materialised now
    /// (a stream is read), and its content hash is part of deterministic checkpoint keys.
    #[track_caller]
    pub fn create(&self, data: impl IntoDataFrame) -> WorkflowFrame<'_> {
        let source = SourceLocation::caller();
        match data.into_dataframe().and_then(|df| df.to_arrow_frame()) {
            Ok(frame) => self.add(Op::Create(frame), vec![], None, source),
            Err(e) => {
                let frame = self.add(placeholder(), vec![], None, source);
                self.note(frame.id, format!("the data is not a dataframe: {e}"));
                frame
            }
        }
    }

    /// A step whose output a creator function makes.
    #[track_caller]
    pub fn create_with(&self, creator: impl CreateFn + 'static) -> WorkflowFrame<'_> {
        self.add(
            Op::CreateWith(Arc::new(creator), Arc::new(Params::new())),
            vec![],
            None,
            SourceLocation::caller(),
        )
    }

    /// Load files (a path, a folder or a glob), in the format of their extension (see
    /// [`WorkflowFrame::format`] and [`WorkflowFrame::columns`] to be explicit).
    #[track_caller]
    pub fn load(&self, path: impl Into<String>) -> WorkflowFrame<'_> {
        self.load_many([path.into()])
    }

    /// Load several paths as one frame.
    #[track_caller]
    pub fn load_many<I, S>(&self, paths: I) -> WorkflowFrame<'_>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add(
            Op::Load {
                paths: paths.into_iter().map(Into::into).collect(),
                format: None,
                columns: None,
                options: Vec::new(),
            },
            vec![],
            None,
            SourceLocation::caller(),
        )
    }

    // ---- multi-input steps ----------------------------------------------------------------

    /// A processor over several frames.
    #[track_caller]
    pub fn process(
        &self,
        inputs: &[WorkflowFrame<'_>],
        processor: impl ProcessFn + 'static,
    ) -> WorkflowFrame<'_> {
        let partition = inputs.first().and_then(|f| f.partition_arg());
        self.add_checked(
            Op::Process(Arc::new(processor), Arc::new(Params::new())),
            inputs,
            partition,
            SourceLocation::caller(),
        )
    }

    /// An outputter over several frames.
    #[track_caller]
    pub fn output(&self, inputs: &[WorkflowFrame<'_>], outputter: impl OutputFn + 'static) {
        let partition = inputs.first().and_then(|f| f.partition_arg());
        self.add_checked(
            Op::Output(Arc::new(outputter), Arc::new(Params::new())),
            inputs,
            partition,
            SourceLocation::caller(),
        );
    }

    /// Zip frames by key for a co-transformation (`how`: `inner`, `left_outer`, `right_outer`,
    /// `full_outer`, `cross`); the keys are those of the spec given with
    /// [`ZippedFrames::partition`], or the first frame's `partition(...)`.
    #[track_caller]
    pub fn zip<'w>(&'w self, inputs: &[WorkflowFrame<'w>], how: impl Choice) -> ZippedFrames<'w> {
        let partition = inputs.first().and_then(|f| f.partition_arg());
        ZippedFrames {
            wf: self,
            inputs: inputs.to_vec(),
            how: how.choice(),
            partition,
        }
    }

    /// Join frames, folding left (`how` as [`WorkflowFrame::join`]).
    #[track_caller]
    pub fn join<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        how: impl Choice,
        on: &[&str],
    ) -> WorkflowFrame<'w> {
        let source = SourceLocation::caller();
        let how = how.choice();
        self.fold(inputs, "join", source, |a, b| {
            self.add_checked(
                Op::Join {
                    how: how.to_string(),
                    on: on.iter().map(|s| s.to_string()).collect(),
                },
                &[a, b],
                None,
                source,
            )
        })
    }

    /// Union of frames with identical schemas, folding left.
    #[track_caller]
    pub fn union<'w>(&'w self, inputs: &[WorkflowFrame<'w>], distinct: bool) -> WorkflowFrame<'w> {
        self.set_op(inputs, SetOp::Union, distinct, SourceLocation::caller())
    }

    /// Rows of the first frame not in the others, folding left.
    #[track_caller]
    pub fn subtract<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        distinct: bool,
    ) -> WorkflowFrame<'w> {
        self.set_op(inputs, SetOp::Subtract, distinct, SourceLocation::caller())
    }

    /// Rows in every frame, folding left.
    #[track_caller]
    pub fn intersect<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        distinct: bool,
    ) -> WorkflowFrame<'w> {
        self.set_op(inputs, SetOp::Intersect, distinct, SourceLocation::caller())
    }

    fn set_op<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        op: SetOp,
        distinct: bool,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        self.fold(inputs, op.name(), source, |a, b| {
            self.add_checked(Op::Set { op, distinct }, &[a, b], None, source)
        })
    }

    fn fold<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        what: &str,
        source: SourceLocation,
        mut step: impl FnMut(WorkflowFrame<'w>, WorkflowFrame<'w>) -> WorkflowFrame<'w>,
    ) -> WorkflowFrame<'w> {
        match inputs {
            [] | [_] => {
                // Nothing to fold: a step that fails when planned, naming the call.
                let frame = self.add_checked(placeholder(), inputs, None, source);
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

    fn partition_arg(&self) -> Option<Result<PartitionSpec, String>> {
        let index = self.partition?;
        self.wf.specs.borrow().get(index).cloned()
    }

    fn edit(&self, f: impl FnOnce(&mut Node) -> std::result::Result<(), String>) -> Self {
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

    fn then(&self, op: Op, source: SourceLocation) -> WorkflowFrame<'w> {
        self.wf
            .add_checked(op, &[*self], self.partition_arg(), source)
    }

    fn then_with(
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
    pub fn named(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.edit(|n| {
            n.info.name = name;
            Ok(())
        })
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

    /// Parameters of the step's function (transform, process, output, create_with).
    pub fn params(self, params: Params) -> Self {
        self.edit(|n| {
            let params = Arc::new(params);
            match &mut n.op {
                Op::Transform(c) | Op::OutTransform(c) | Op::CoTransform { call: c, .. } => {
                    c.params = params
                }
                Op::CreateWith(_, p) | Op::Process(_, p) | Op::Output(_, p) => *p = params,
                other => return Err(format!("`{}` takes no parameters", other.name())),
            }
            Ok(())
        })
    }

    /// The driver-side handler of the step's callback (transform, out_transform,
    /// cotransform).
    pub fn callback(self, handler: Callback) -> Self {
        self.edit(|n| match &mut n.op {
            Op::Transform(c) | Op::OutTransform(c) | Op::CoTransform { call: c, .. } => {
                c.callback = Some(handler);
                Ok(())
            }
            other => Err(format!("`{}` takes no callback", other.name())),
        })
    }

    /// The file format of a load (`parquet`, `csv`, `json`).
    pub fn format(self, format: impl Into<String>) -> Self {
        let format = format.into();
        self.edit(|n| match &mut n.op {
            Op::Load { format: f, .. } => {
                *f = Some(format);
                Ok(())
            }
            other => Err(format!("`{}` has no format", other.name())),
        })
    }

    /// The columns of a load: names to keep.
    pub fn columns(self, columns: &[&str]) -> Self {
        let names = columns.iter().map(|s| s.to_string()).collect();
        self.edit(|n| match &mut n.op {
            Op::Load { columns: c, .. } => {
                *c = Some(LoadColumnsArg::Names(names));
                Ok(())
            }
            other => Err(format!("`{}` has no columns argument", other.name())),
        })
    }

    /// The declared schema of a load (the plan knows it before running; the data converts to
    /// it when read only where no value can change, and a column that is not nullable is
    /// checked for NULLs).
    pub fn schema(self, schema: impl IntoSchema) -> Self {
        let schema = schema.into_schema();
        self.edit(|n| match (&mut n.op, schema) {
            (Op::Load { columns: c, .. }, Ok(s)) => {
                *c = Some(LoadColumnsArg::Schema(s));
                Ok(())
            }
            (Op::Load { .. }, Err(e)) => Err(e.to_string()),
            (other, _) => Err(format!("`{}` has no schema argument", other.name())),
        })
    }

    /// A format option of a load (`header`, `delimiter`, ...).
    pub fn option(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.edit(|n| match &mut n.op {
            Op::Load { options, .. } => {
                options.push((key, value));
                Ok(())
            }
            other => Err(format!("`{}` has no options", other.name())),
        })
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
                return Err(format!("`{}` has no output to checkpoint", n.op.name()));
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

    /// Write the output under `fugue.workflow.checkpoint.path` and hand back its path by name
    /// ([`super::WorkflowResult::file`]).
    pub fn yield_file_as(self, name: impl Into<String>) -> Self {
        self.add_yield(name.into(), YieldKind::File)
    }

    fn add_yield(self, name: String, kind: YieldKind) -> Self {
        self.edit(|n| {
            if !n.op.has_output() {
                return Err(format!("`{}` has no output to yield", n.op.name()));
            }
            if n.checkpoint == CheckpointKind::Strong && kind == YieldKind::File {
                return Err("yield as a file is not allowed after a strong (temporary) \
                            checkpoint; use a deterministic checkpoint"
                    .to_string());
            }
            n.yields.push((name, kind));
            Ok(())
        })
    }

    /// Partition the input of the next step only (reference §5.5): `"by=city; presort=fare
    /// desc"` or a [`PartitionSpec`]. A malformed spec is reported on the next step.
    pub fn partition(self, spec: impl IntoPartitionSpec) -> Self {
        let spec = spec.into_partition_spec().map_err(|e| e.to_string());
        let index = self.wf.add_spec(spec);
        WorkflowFrame {
            partition: Some(index),
            ..self
        }
    }

    /// Partition the next step's input by these keys.
    pub fn partition_by(self, keys: &[&str]) -> Self {
        let spec = if keys.is_empty() {
            Err("partition keys can't be empty".to_string())
        } else {
            PartitionSpec::by(keys.iter().copied()).map_err(|e| e.to_string())
        };
        let index = self.wf.add_spec(spec);
        WorkflowFrame {
            partition: Some(index),
            ..self
        }
    }

    // ---- functions ---------------------------------------------------------------------------

    /// Run a partition function once per logical partition (the map primitive; the partition
    /// spec is the one given with [`partition`](Self::partition)).
    #[track_caller]
    pub fn transform<F: PartitionFunction + 'static>(&self, function: F) -> WorkflowFrame<'w> {
        self.transform_arc(Arc::new(function))
    }

    /// [`transform`](Self::transform) with a shared function.
    #[track_caller]
    pub fn transform_arc(&self, function: Arc<dyn PartitionFunction>) -> WorkflowFrame<'w> {
        self.then(
            Op::Transform(FunctionCall {
                function,
                params: Arc::new(Params::new()),
                callback: None,
            }),
            SourceLocation::caller(),
        )
    }

    /// Like [`transform`](Self::transform), for the function's effects only (no output).
    #[track_caller]
    pub fn out_transform<F: PartitionFunction + 'static>(&self, function: F) -> WorkflowFrame<'w> {
        self.then(
            Op::OutTransform(FunctionCall {
                function: Arc::new(function),
                params: Arc::new(Params::new()),
                callback: None,
            }),
            SourceLocation::caller(),
        )
    }

    /// A processor over this frame (whole frames, not partitions).
    #[track_caller]
    pub fn process(&self, processor: impl ProcessFn + 'static) -> WorkflowFrame<'w> {
        self.then(
            Op::Process(Arc::new(processor), Arc::new(Params::new())),
            SourceLocation::caller(),
        )
    }

    /// An outputter over this frame.
    #[track_caller]
    pub fn output(&self, outputter: impl OutputFn + 'static) -> WorkflowFrame<'w> {
        self.then(
            Op::Output(Arc::new(outputter), Arc::new(Params::new())),
            SourceLocation::caller(),
        )
    }

    /// Zip with other frames for a co-transformation (see [`Workflow::zip`]).
    #[track_caller]
    pub fn zip(&self, others: &[WorkflowFrame<'w>], how: impl Choice) -> ZippedFrames<'w> {
        let mut inputs = vec![*self];
        inputs.extend_from_slice(others);
        ZippedFrames {
            wf: self.wf,
            inputs,
            how: how.choice(),
            partition: self.partition_arg(),
        }
    }

    // ---- relational steps ------------------------------------------------------------------------

    /// Join with `other` (`how`: `inner`, `left_outer`, `right_outer`, `full_outer`, `semi`,
    /// `anti`, `cross`, with Fugue's aliases); `on` empty = the common columns.
    #[track_caller]
    pub fn join(
        &self,
        other: WorkflowFrame<'w>,
        how: impl Choice,
        on: &[&str],
    ) -> WorkflowFrame<'w> {
        self.then_with(
            Op::Join {
                how: how.choice(),
                on: on.iter().map(|s| s.to_string()).collect(),
            },
            &[other],
            SourceLocation::caller(),
        )
    }

    /// Inner join.
    #[track_caller]
    pub fn inner_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, "inner", on)
    }

    /// Left outer join.
    #[track_caller]
    pub fn left_outer_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, "left_outer", on)
    }

    /// Right outer join.
    #[track_caller]
    pub fn right_outer_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, "right_outer", on)
    }

    /// Full outer join.
    #[track_caller]
    pub fn full_outer_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, "full_outer", on)
    }

    /// Left semi join.
    #[track_caller]
    pub fn semi_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, "semi", on)
    }

    /// Left anti join.
    #[track_caller]
    pub fn anti_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, "anti", on)
    }

    /// Cross join.
    #[track_caller]
    pub fn cross_join(&self, other: WorkflowFrame<'w>) -> WorkflowFrame<'w> {
        self.join_kind(other, "cross", &[])
    }

    #[track_caller]
    fn join_kind(&self, other: WorkflowFrame<'w>, how: &str, on: &[&str]) -> WorkflowFrame<'w> {
        self.then_with(
            Op::Join {
                how: how.to_string(),
                on: on.iter().map(|s| s.to_string()).collect(),
            },
            &[other],
            SourceLocation::caller(),
        )
    }

    /// Union with `other` (same schema); `distinct` removes duplicates.
    #[track_caller]
    pub fn union(&self, other: WorkflowFrame<'w>, distinct: bool) -> WorkflowFrame<'w> {
        self.set_op(other, SetOp::Union, distinct)
    }

    /// Rows not in `other`.
    #[track_caller]
    pub fn subtract(&self, other: WorkflowFrame<'w>, distinct: bool) -> WorkflowFrame<'w> {
        self.set_op(other, SetOp::Subtract, distinct)
    }

    /// Rows also in `other`.
    #[track_caller]
    pub fn intersect(&self, other: WorkflowFrame<'w>, distinct: bool) -> WorkflowFrame<'w> {
        self.set_op(other, SetOp::Intersect, distinct)
    }

    #[track_caller]
    fn set_op(&self, other: WorkflowFrame<'w>, op: SetOp, distinct: bool) -> WorkflowFrame<'w> {
        self.then_with(Op::Set { op, distinct }, &[other], SourceLocation::caller())
    }

    /// Full-row dedupe.
    #[track_caller]
    pub fn distinct(&self) -> WorkflowFrame<'w> {
        self.then(Op::Distinct, SourceLocation::caller())
    }

    /// Drop rows with NULLs (`how`: `any` or `all`; `thresh` overrides it; `subset` limits
    /// the columns considered).
    #[track_caller]
    pub fn dropna(
        &self,
        how: impl Choice,
        thresh: Option<usize>,
        subset: Option<&[&str]>,
    ) -> WorkflowFrame<'w> {
        self.then(
            Op::DropNa {
                how: how.choice(),
                thresh,
                subset: subset.map(|s| s.iter().map(|c| c.to_string()).collect()),
            },
            SourceLocation::caller(),
        )
    }

    /// Replace NULLs by one value.
    #[track_caller]
    pub fn fillna(&self, value: impl Into<Value>, subset: Option<&[&str]>) -> WorkflowFrame<'w> {
        self.then(
            Op::FillNa {
                value: FillArg::All(value.into()),
                subset: subset.map(|s| s.iter().map(|c| c.to_string()).collect()),
            },
            SourceLocation::caller(),
        )
    }

    /// Replace NULLs by a value per column.
    #[track_caller]
    pub fn fillna_columns(&self, values: Vec<(&str, Value)>) -> WorkflowFrame<'w> {
        self.then(
            Op::FillNa {
                value: FillArg::PerColumn(
                    values
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                ),
                subset: None,
            },
            SourceLocation::caller(),
        )
    }

    /// `n` random rows.
    #[track_caller]
    pub fn sample_n(&self, n: usize, replace: bool, seed: Option<u64>) -> WorkflowFrame<'w> {
        self.then(
            Op::Sample {
                n: Some(n),
                frac: None,
                replace,
                seed,
            },
            SourceLocation::caller(),
        )
    }

    /// A random fraction of the rows.
    #[track_caller]
    pub fn sample_frac(&self, frac: f64, replace: bool, seed: Option<u64>) -> WorkflowFrame<'w> {
        self.then(
            Op::Sample {
                n: None,
                frac: Some(frac),
                replace,
                seed,
            },
            SourceLocation::caller(),
        )
    }

    /// The first `n` rows after sorting by `presort` (empty = the partition spec's presort),
    /// per partition-key group when [`partition`](Self::partition) was given; NULLs last.
    #[track_caller]
    pub fn take(&self, n: usize, presort: &str) -> WorkflowFrame<'w> {
        self.take_na(n, presort, "last")
    }

    /// [`take`](Self::take) with NULLs placed `first` or `last`.
    #[track_caller]
    pub fn take_na(&self, n: usize, presort: &str, na_position: impl Choice) -> WorkflowFrame<'w> {
        self.then(
            Op::Take {
                n,
                presort: presort.to_string(),
                na_position: na_position.choice(),
            },
            SourceLocation::caller(),
        )
    }

    /// A SQL select of column expressions (`"a"`, `"b * 2 AS c"`, `"SUM(x) AS s"`).
    #[track_caller]
    pub fn select(&self, columns: &[&str]) -> WorkflowFrame<'w> {
        self.select_where(columns, None, None, false)
    }

    /// A SQL select with `WHERE`, `HAVING` and `DISTINCT`.
    #[track_caller]
    pub fn select_where(
        &self,
        columns: &[&str],
        filter: Option<&str>,
        having: Option<&str>,
        distinct: bool,
    ) -> WorkflowFrame<'w> {
        self.then(
            Op::Select {
                columns: columns.iter().map(|s| s.to_string()).collect(),
                filter: filter.map(str::to_string),
                having: having.map(str::to_string),
                distinct,
            },
            SourceLocation::caller(),
        )
    }

    /// The rows where a SQL condition holds.
    #[track_caller]
    pub fn filter(&self, condition: &str) -> WorkflowFrame<'w> {
        self.then(Op::Filter(condition.to_string()), SourceLocation::caller())
    }

    /// Columns computed by SQL expressions, `(name, expression)`; same-named columns are
    /// replaced in place.
    #[track_caller]
    pub fn assign(&self, columns: &[(&str, &str)]) -> WorkflowFrame<'w> {
        self.then(Op::Assign(pairs(columns)), SourceLocation::caller())
    }

    /// Aggregates `(name, SQL aggregate)` grouped by the keys of
    /// [`partition`](Self::partition) (none: one row).
    #[track_caller]
    pub fn aggregate(&self, columns: &[(&str, &str)]) -> WorkflowFrame<'w> {
        self.then(Op::Aggregate(pairs(columns)), SourceLocation::caller())
    }

    /// Rename columns `(old, new)`.
    #[track_caller]
    pub fn rename(&self, pairs_: &[(&str, &str)]) -> WorkflowFrame<'w> {
        self.then(Op::Rename(pairs(pairs_)), SourceLocation::caller())
    }

    /// Drop columns.
    #[track_caller]
    pub fn drop(&self, columns: &[&str]) -> WorkflowFrame<'w> {
        self.then(
            Op::DropColumns(columns.iter().map(|s| s.to_string()).collect()),
            SourceLocation::caller(),
        )
    }

    /// Cast columns (a schema-like of the changed columns).
    #[track_caller]
    pub fn alter_columns(&self, changes: impl IntoSchema) -> WorkflowFrame<'w> {
        let source = SourceLocation::caller();
        match changes.into_schema() {
            Ok(s) => self.then(Op::AlterColumns(s), source),
            Err(e) => {
                let f = self.then(placeholder(), source);
                f.edit(|_| Err(e.to_string()))
            }
        }
    }

    // ---- outputs ---------------------------------------------------------------------------------

    /// Save to a file (`mode`: `overwrite`, `append`, `error`), in the format of the
    /// extension.
    #[track_caller]
    pub fn save(&self, path: impl Into<String>, mode: impl Choice) -> WorkflowFrame<'w> {
        self.then(
            Op::Save {
                path: path.into(),
                mode: mode.choice(),
                format: None,
            },
            SourceLocation::caller(),
        )
    }

    /// Save in an explicit format.
    #[track_caller]
    pub fn save_as(
        &self,
        path: impl Into<String>,
        mode: impl Choice,
        format: &str,
    ) -> WorkflowFrame<'w> {
        self.then(
            Op::Save {
                path: path.into(),
                mode: mode.choice(),
                format: Some(format.to_string()),
            },
            SourceLocation::caller(),
        )
    }

    /// Print the first `n` rows.
    #[track_caller]
    pub fn show(&self, n: usize, title: Option<&str>) -> WorkflowFrame<'w> {
        self.then(
            Op::Show {
                n,
                title: title.map(str::to_string),
            },
            SourceLocation::caller(),
        )
    }
}

/// The operation of a step that could not be declared (its errors are reported at plan time,
/// before anything runs).
fn placeholder() -> Op {
    Op::Process(
        Arc::new(|_: Vec<crate::DataFrame>, _: &Params| {
            Err(fugue_core::FugueError::Internal(
                "a step declared with errors ran".into(),
            ))
        }),
        Arc::new(Params::new()),
    )
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Frames zipped by key, waiting for the co-transformer that consumes them.
#[derive(Clone)]
pub struct ZippedFrames<'w> {
    wf: &'w Workflow,
    inputs: Vec<WorkflowFrame<'w>>,
    how: String,
    partition: Option<Result<PartitionSpec, String>>,
}

impl<'w> ZippedFrames<'w> {
    /// The zip keys (and presort) as a partition spec.
    pub fn partition(mut self, spec: impl IntoPartitionSpec) -> Self {
        self.partition = Some(spec.into_partition_spec().map_err(|e| e.to_string()));
        self
    }

    /// Call `function` once per key group with one input per zipped frame.
    #[track_caller]
    pub fn transform<F: PartitionFunction + 'static>(self, function: F) -> WorkflowFrame<'w> {
        self.co(Arc::new(function), false, SourceLocation::caller())
    }

    /// Like [`transform`](Self::transform), output discarded.
    #[track_caller]
    pub fn out_transform<F: PartitionFunction + 'static>(self, function: F) -> WorkflowFrame<'w> {
        self.co(Arc::new(function), true, SourceLocation::caller())
    }

    fn co(
        self,
        function: Arc<dyn PartitionFunction>,
        out: bool,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        self.wf.add_checked(
            Op::CoTransform {
                call: FunctionCall {
                    function,
                    params: Arc::new(Params::new()),
                    callback: None,
                },
                how: self.how,
                out,
            },
            &self.inputs,
            self.partition,
            source,
        )
    }
}
