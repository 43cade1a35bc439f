//! The operations of a workflow, one module per operation, mirroring `workflow!`'s verbs
//! (`fugue-macros/src/workflow/verbs/<verb>.rs`).
//!
//! Each module holds everything about its operation: the builder methods that declare it
//! (`impl Workflow` / `impl WorkflowFrame` blocks), its typed arguments (options are fugue-core's
//! enums, parsed once when the step is declared, never re-parsed later), its output schema for
//! the planner (from fugue-core's shared rules, the ones `workflow!` evaluates in const
//! evaluation), its text forms for `explain` and deterministic checkpoint keys, and its
//! execution.
//!
//! Execution goes only through the [`ExecutionEngine`] trait, the relational layer: an operation
//! says *what* to compute (`engine.join(a, b, how, on)`), the engine decides how (eager
//! DataFusion statements on `local`, Ballista jobs on a cluster, plans appended to lazily).
//! Replacing what is under the operations does not touch these files.
//!
//! Adding an operation: a module here implementing [`Operation`] with its builder methods, the
//! macro's verb file, and tests.

mod aggregate;
mod alter_columns;
mod assert_eq;
mod assign;
mod cotransform;
mod create;
mod distinct;
mod drop;
mod dropna;
mod fillna;
mod filter;
mod join;
mod load;
mod output;
mod process;
mod rename;
mod sample;
mod save;
mod select;
mod set;
mod show;
mod sql;
mod take;
mod transform;

pub use cotransform::ZippedFrames;
pub use transform::FunctionCall;

use crate::engine::ExecutionEngine;
use crate::frame::{ArrowFrame, DataFrame, DataFrames};
use crate::function::{Callback, Params, PartitionFunction};
use crate::ignore::{IgnoreErrors, SkippedPartition};
use crate::transformer::CodeIdentity;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::options::FileFormat;
use fugue_core::rules::Step;
use fugue_core::{FugueError, PartitionSpec, Result, Schema};
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// What the planner knows when it resolves a step: its inputs' schemas (when known before
/// running), their step names, the step itself (for messages) and its partition spec.
pub struct PlanContext<'a> {
    /// The input schemas, in order; `None` where known at run time only.
    pub inputs: &'a [Option<&'a Schema>],
    /// The inputs' step names, in order.
    pub names: &'a [&'a str],
    /// The step (its name and call), as rule messages name it.
    pub step: &'a Step<'a>,
    /// The partition spec of the input (empty when none was given).
    pub spec: &'a PartitionSpec,
}

impl PlanContext<'_> {
    /// The name of input `i` (`?` when there is none).
    pub fn name(&self, i: usize) -> &str {
        self.names.get(i).copied().unwrap_or("?")
    }

    /// The first input's schema, when known.
    pub fn first(&self) -> Option<Schema> {
        self.inputs.first().copied().flatten().cloned()
    }

    /// Every input schema, when all are known.
    pub fn all_known(&self) -> Option<Vec<Schema>> {
        self.inputs.iter().map(|s| s.cloned()).collect()
    }

    /// An error unless the step has exactly `n` inputs.
    pub fn expect_inputs(&self, op: &str, n: usize) -> Result<()> {
        if self.inputs.len() == n {
            Ok(())
        } else {
            Err(FugueError::invalid_argument(
                op,
                format!("takes {n} input(s), got {}", self.inputs.len()),
            ))
        }
    }
}

/// What an operation runs with: the engine (the relational layer), the step's partition spec,
/// and the run's cancel flag.
pub struct RunContext<'a> {
    /// The engine.
    pub engine: &'a dyn ExecutionEngine,
    /// The partition spec given to the step's input, if any.
    pub spec: Option<&'a PartitionSpec>,
    /// Set once another step of the run has failed.
    pub cancel: &'a std::sync::Arc<AtomicBool>,
    /// The step's name.
    pub step: &'a str,
    /// The run's skipped partitions (`ignore_errors`), for its result.
    pub skipped: &'a Mutex<Vec<SkippedPartition>>,
    /// The logical partitions the step's function has been called for (progress).
    pub partitions: &'a std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// A load's files, when they were resolved for its checkpoint key: the load reads them.
    pub files: Option<&'a crate::engine::LoadFiles>,
}

impl RunContext<'_> {
    /// The spec, or an empty one.
    pub fn spec_or_empty(&self) -> &PartitionSpec {
        static EMPTY: std::sync::OnceLock<PartitionSpec> = std::sync::OnceLock::new();
        self.spec
            .unwrap_or_else(|| EMPTY.get_or_init(PartitionSpec::new))
    }
}

/// The function a step runs, as checkpoint keys, `explain` and messages see it.
pub struct FunctionInfo<'a> {
    /// The name in messages.
    pub name: String,
    /// The full path (or registered name, or name) keys use.
    pub path: String,
    /// The code identity, for functions declared with the macros.
    pub identity: Option<CodeIdentity>,
    /// The parameters.
    pub params: &'a Arc<Params>,
    /// Whether the step has a callback handler (`None`: the kind takes no callback).
    pub callback: Option<bool>,
}

/// What a step reads from outside the workflow, hashed into deterministic checkpoint keys.
pub enum KeySource<'a> {
    /// Nothing.
    None,
    /// Data given in memory.
    Data(&'a ArrowFrame),
    /// Files: the paths as given and the format, expanded as the load expands them.
    Files {
        /// The paths, folders or globs.
        paths: &'a [String],
        /// The format, if given.
        format: Option<FileFormat>,
    },
}

/// A change to a declared step made by a modifier of [`WorkflowFrame`](super::WorkflowFrame)
/// (`params`, `callback`, `format`, ...); an operation accepts the ones that apply to it.
pub enum Modifier {
    /// The function's parameters.
    Params(Arc<Params>),
    /// The driver-side callback handler.
    Callback(Callback),
    /// A load's file format.
    Format(FileFormat),
    /// A load's columns (names to keep).
    Columns(Vec<String>),
    /// A load's declared schema.
    Schema(Schema),
    /// A load's format option `(key, value)`.
    Option(String, String),
    /// The errors whose partitions a partition function step skips.
    IgnoreErrors(IgnoreErrors),
}

impl Modifier {
    /// The refusal of an operation the modifier does not apply to.
    pub fn refused(&self, op: &'static str) -> FugueError {
        let reason = match self {
            Modifier::Params(_) => format!("`{op}` takes no parameters"),
            Modifier::Callback(_) => format!("`{op}` takes no callback"),
            Modifier::Format(_) => format!("`{op}` has no format"),
            Modifier::Columns(_) => format!("`{op}` has no columns argument"),
            Modifier::Schema(_) => format!("`{op}` has no schema argument"),
            Modifier::Option(..) => format!("`{op}` has no options"),
            Modifier::IgnoreErrors(_) => format!(
                "`{op}` ignores no errors: only `transform`, `out_transform`, `cotransform` and \
                 `out_cotransform` skip the partitions whose call fails"
            ),
        };
        FugueError::invalid_argument(op, reason)
    }
}

/// One operation of a workflow, with its typed arguments.
pub trait Operation: OperationClone + Send + Sync + 'static {
    /// The operation's name (`"join"`, ...), what [`StepInfo::op`](super::StepInfo::op) holds.
    fn name(&self) -> &'static str;

    /// Whether the step produces a frame (false for save, show, output, out_transform).
    fn has_output(&self) -> bool {
        true
    }

    /// The function the step runs, for the kinds that run one.
    fn function(&self) -> Option<FunctionInfo<'_>> {
        None
    }

    /// The arguments in a stable text form, printed by `explain`.
    fn args(&self) -> String;

    /// The arguments in an unambiguous text form for deterministic checkpoint keys (every
    /// string quoted and escaped); functions, parameters and data are keyed separately.
    fn key_args(&self) -> String;

    /// What the step reads from outside the workflow.
    fn key_source(&self) -> KeySource<'_> {
        KeySource::None
    }

    /// Check the arguments against what the planner knows, and give the output schema when it
    /// is known before running.
    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>>;

    /// Run the step; `None` for the steps without output.
    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>>;

    /// Apply a modifier, or say why it does not apply.
    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        Err(modifier.refused(self.name()))
    }
}

/// Cloning of boxed operations (implemented for every `Operation + Clone`).
pub trait OperationClone {
    /// A boxed copy.
    fn clone_box(&self) -> Box<dyn Operation>;
}

impl<T: Operation + Clone> OperationClone for T {
    fn clone_box(&self) -> Box<dyn Operation> {
        Box::new(self.clone())
    }
}

/// The operation of a step.
pub struct Op(Box<dyn Operation>);

impl Clone for Op {
    fn clone(&self) -> Self {
        Op(self.0.clone_box())
    }
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.0.name(), self.0.args())
    }
}

impl Op {
    /// Wrap an operation.
    pub fn new(op: impl Operation) -> Self {
        Op(Box::new(op))
    }

    /// The operation.
    pub fn operation(&self) -> &dyn Operation {
        self.0.as_ref()
    }

    /// The operation's name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Whether the step produces a frame.
    pub fn has_output(&self) -> bool {
        self.0.has_output()
    }

    /// Whether running the step has an effect outside the workflow (writes, prints, calls an
    /// outputter), so it always runs.
    pub fn has_effect(&self) -> bool {
        !self.has_output()
    }

    /// The function's name, for steps that run one.
    pub fn function_name(&self) -> Option<String> {
        self.0.function().map(|f| f.name)
    }

    /// The step's function for deterministic checkpoint keys: its full path (or name) and its
    /// [`CodeIdentity`], when it has one.
    pub fn function_identity(&self) -> Option<(String, Option<CodeIdentity>)> {
        self.0.function().map(|f| (f.path, f.identity))
    }

    /// How the step's function enters deterministic checkpoint keys, for steps that run one.
    pub fn keyed_by(&self) -> Option<super::KeyedBy> {
        self.function_identity()
            .map(|(path, identity)| match identity {
                Some(_) => super::KeyedBy::FunctionTokens { path },
                None => super::KeyedBy::NameAndVersion { name: path },
            })
    }

    /// The parameters, for steps that take them.
    pub fn params(&self) -> Option<Arc<Params>> {
        self.0.function().map(|f| f.params.clone())
    }

    /// The arguments in a stable text form (`explain`).
    pub fn args(&self) -> String {
        self.0.args()
    }

    /// The arguments for deterministic checkpoint keys.
    pub(crate) fn key_args(&self) -> String {
        self.0.key_args()
    }

    pub(crate) fn modify(&mut self, modifier: Modifier) -> Result<()> {
        self.0.modify(modifier)
    }
}

/// A choice of one of fugue-core's option enums ([`JoinHow`](crate::engine::JoinHow),
/// [`SaveMode`], [`ZipHow`](fugue_core::options::ZipHow), [`DropHow`], [`NaPosition`],
/// [`FileFormat`]): the value itself, or its name as text (`"left_outer"`, `"overwrite"`, any
/// case). Text is parsed once, when the step is declared; a word that names no value is
/// reported by [`Workflow::plan`](super::Workflow::plan) / [`Workflow::run`](super::Workflow::run),
/// naming the step and listing the accepted values.
///
/// [`SaveMode`]: fugue_core::options::SaveMode
/// [`DropHow`]: fugue_core::options::DropHow
/// [`NaPosition`]: fugue_core::options::NaPosition
pub trait Choice<T> {
    /// The value, or the error naming the accepted values.
    fn choice(self) -> Result<T>;
}

macro_rules! choices {
    ($($t:ty),* $(,)?) => {
        $(
            impl Choice<$t> for $t {
                fn choice(self) -> Result<$t> {
                    Ok(self)
                }
            }

            impl Choice<$t> for &str {
                fn choice(self) -> Result<$t> {
                    self.parse()
                }
            }

            impl Choice<$t> for String {
                fn choice(self) -> Result<$t> {
                    self.parse()
                }
            }

            impl Choice<$t> for &String {
                fn choice(self) -> Result<$t> {
                    self.parse()
                }
            }
        )*
    };
}

choices!(
    crate::engine::JoinHow,
    fugue_core::options::SaveMode,
    fugue_core::options::ZipHow,
    fugue_core::options::DropHow,
    fugue_core::options::NaPosition,
    fugue_core::options::FileFormat,
);

/// The chosen value, or `fallback` and the error to note on the step.
fn chosen<T>(choice: impl Choice<T>, fallback: T) -> (T, Option<FugueError>) {
    match choice.choice() {
        Ok(value) => (value, None),
        Err(e) => (fallback, Some(e)),
    }
}

/// The one input of a single-input operation.
fn one(mut inputs: Vec<DataFrame>, op: &str) -> Result<DataFrame> {
    if inputs.len() != 1 {
        return Err(FugueError::Internal(format!(
            "{op} got {} inputs instead of 1",
            inputs.len()
        )));
    }
    Ok(inputs.remove(0))
}

/// The two inputs of a two-input operation.
fn two(mut inputs: Vec<DataFrame>, op: &str) -> Result<(DataFrame, DataFrame)> {
    if inputs.len() != 2 {
        return Err(FugueError::Internal(format!(
            "{op} got {} inputs instead of 2",
            inputs.len()
        )));
    }
    let b = inputs.remove(1);
    let a = inputs.remove(0);
    Ok((a, b))
}

/// The inputs of a driver-side step as the function receives them: named when the step was
/// declared with names (`process_named`, `output_named`), else positional.
fn frames_of(names: Option<&[String]>, inputs: Vec<DataFrame>) -> Result<DataFrames> {
    DataFrames::with_names(inputs, names)
}

/// The input names of a driver-side step in its arguments (and so in its checkpoint key).
fn names_text(names: Option<&[String]>) -> String {
    match names {
        Some(names) => format!(" inputs {}", names.join(", ")),
        None => String::new(),
    }
}

/// Declare a driver-side step over named inputs: the step, with a malformed name list noted on
/// it.
fn add_named<'w>(
    wf: &'w Workflow,
    inputs: &[(&str, WorkflowFrame<'_>)],
    op: impl FnOnce(Vec<String>) -> Op,
    source: SourceLocation,
) -> WorkflowFrame<'w> {
    let names: Vec<String> = inputs.iter().map(|(n, _)| n.to_string()).collect();
    let frames: Vec<WorkflowFrame<'_>> = inputs.iter().map(|(_, f)| *f).collect();
    let partition = frames.first().and_then(|f| f.partition_arg());
    let checked = crate::frame::check_input_names(&names);
    let frame = wf.add_checked(op(names), &frames, partition, source);
    if let Err(e) = checked {
        wf.note(frame.id, e);
    }
    frame
}

fn strs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

fn str_pairs(items: &[(String, String)]) -> Vec<(&str, &str)> {
    items
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn owned_pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The `(name, expression)` list of assign and aggregate, checked non-empty.
fn check_pairs(op: &str, pairs: &[(String, String)]) -> Result<()> {
    if pairs.is_empty() {
        return Err(FugueError::invalid_argument(
            "columns",
            format!("{op} needs at least one (name, expression)"),
        ));
    }
    Ok(())
}

/// `name=value, ...` of pairs (explain).
fn pairs_text(items: &[(String, String)]) -> String {
    items
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A schema in the unambiguous form of checkpoint keys (text and nullability), quoted.
fn schema_key(s: &Schema) -> String {
    format!("{:?}", super::checkpoint::keys::schema_text(s))
}

/// `, params(a=1, ...)` of a function step (explain).
fn params_text(params: &Params) -> String {
    let items: Vec<String> = params
        .names()
        .filter_map(|n| params.value(n).map(|v| format!("{n}={v:?}")))
        .collect();
    if items.is_empty() {
        String::new()
    } else {
        format!(", params({})", items.join(", "))
    }
}

/// The [`FunctionInfo`] of a whole-frame function (creator, processor, outputter): keyed by its
/// code identity's path, else its name; no callback.
fn whole_frame_info<'a>(
    name: &str,
    identity: Option<CodeIdentity>,
    params: &'a Arc<Params>,
) -> FunctionInfo<'a> {
    let path = identity.map(|i| i.path).unwrap_or(name);
    FunctionInfo {
        name: name.to_string(),
        path: path.to_string(),
        identity,
        params,
        callback: None,
    }
}

/// The modifiers of a whole-frame function step: parameters only.
fn modify_params(params: &mut Arc<Params>, op: &'static str, modifier: Modifier) -> Result<()> {
    match modifier {
        Modifier::Params(p) => {
            *params = p;
            Ok(())
        }
        other => Err(other.refused(op)),
    }
}

/// The [`FunctionInfo`] of a partition function.
fn partition_function_info<'a>(
    function: &Arc<dyn PartitionFunction>,
    params: &'a Arc<Params>,
    callback: bool,
) -> FunctionInfo<'a> {
    let identity = function.code_identity();
    let path = identity
        .map(|i| i.path)
        .or_else(|| function.registered_name())
        .unwrap_or_else(|| function.name());
    FunctionInfo {
        name: function.name().to_string(),
        path: path.to_string(),
        identity,
        params,
        callback: Some(callback),
    }
}

/// The operation of a step that could not be declared (named after the operation it was
/// meant to be): its errors are reported at plan time, before anything runs, so it never runs.
#[derive(Clone)]
pub(crate) struct Invalid(pub &'static str);

impl Operation for Invalid {
    fn name(&self) -> &'static str {
        self.0
    }

    fn args(&self) -> String {
        String::new()
    }

    fn key_args(&self) -> String {
        String::new()
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(None)
    }

    fn run(&self, _: &RunContext<'_>, _: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Err(FugueError::Internal(
            "a step declared with errors ran".into(),
        ))
    }
}
