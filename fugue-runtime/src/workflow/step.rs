//! The steps of a workflow: what each one is ([`Op`], one module per operation in `ops/`), where
//! it was declared ([`SourceLocation`]), and what is attached to it (partition spec, checkpoint,
//! yields).

use super::ops::Op;
use fugue_core::{FugueError, PartitionSpec};
use std::fmt;

/// The number of a step inside its workflow: steps are numbered from 0 in the order they are
/// declared (which is always a valid execution order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepId(pub usize);

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Where a step was declared in the user's source: captured with `#[track_caller]` by every
/// builder method, or set explicitly with [`super::WorkflowFrame::at`] (what `workflow!`
/// expansions do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceLocation {
    /// The file, as `file!()` spells it.
    pub file: &'static str,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

impl SourceLocation {
    /// The location of the caller of the `#[track_caller]` function that calls this.
    #[track_caller]
    pub fn caller() -> Self {
        let l = std::panic::Location::caller();
        SourceLocation {
            file: l.file(),
            line: l.line(),
            column: l.column(),
        }
    }
}

impl fmt::Display for SourceLocation {
    /// `file:line` (the column is left out of messages; it is kept for tools).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What identifies a step to users: its number, its name, its operation and where it was
/// declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInfo {
    /// The step's number.
    pub id: StepId,
    /// The user-visible name: set with [`super::WorkflowFrame::named`] (`workflow!` names a
    /// step after the name it is bound to), otherwise its operation and its inputs' names
    /// (`filter(trips)`; Fugue's `_<id>`).
    pub name: String,
    /// The operation (`"load"`, `"transform"`, `"join"`, ...).
    pub op: &'static str,
    /// The function a `transform`, `process`, ... step runs, when there is one.
    pub function: Option<String>,
    /// Where the step was declared.
    pub source: Option<SourceLocation>,
    /// Its call as `workflow!` wrote it, shortened (`join(trips, cities, ..)`), when the step
    /// came from `workflow!`: rule errors then say the same sentence as the compile-time check.
    pub call: Option<String>,
}

impl StepInfo {
    /// The call as messages show it: `workflow!`'s text, else the operation and the inputs'
    /// names (`join(trips, cities)`).
    pub fn call_text(&self, inputs: &[&str]) -> String {
        match &self.call {
            Some(call) => call.clone(),
            None => format!("{}({})", self.op, inputs.join(", ")),
        }
    }

    /// `` step `ranked` (transform `rank`, examples/quickstart.rs:42) ``: how messages name a
    /// step.
    pub fn describe(&self) -> String {
        let mut inner = self.op.to_string();
        if let Some(function) = &self.function {
            inner.push_str(&format!(" `{function}`"));
        }
        if let Some(source) = &self.source {
            inner.push_str(&format!(", {source}"));
        }
        format!("step `{}` ({inner})", self.name)
    }
}

/// The error of a step: `` step `x` (op, file:line) failed: <cause> ``. The cause stays
/// reachable through [`std::error::Error::source`].
pub fn step_failed(info: &StepInfo, error: FugueError) -> FugueError {
    error.context(format!("{} failed", info.describe()))
}

/// Which kind of checkpoint a step has (reference §6.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CheckpointKind {
    /// None.
    #[default]
    None,
    /// Kept in memory by the engine (`persist`): computed once, shared by the consumers.
    Weak,
    /// Written to a file under the run's temporary folder, re-read by the consumers, removed
    /// when the run ends.
    Strong,
    /// Written under `fugue.workflow.checkpoint.path` with a name derived from the step's
    /// content key, and reused by later runs whose key is the same.
    Deterministic {
        /// Extra text mixed into the key (Fugue's `namespace`).
        namespace: Option<String>,
    },
}

impl CheckpointKind {
    /// `none`, `weak`, `strong` or `deterministic`.
    pub fn name(&self) -> &'static str {
        match self {
            CheckpointKind::None => "none",
            CheckpointKind::Weak => "weak",
            CheckpointKind::Strong => "strong",
            CheckpointKind::Deterministic { .. } => "deterministic",
        }
    }

    /// Whether the checkpoint is a file.
    pub fn is_file(&self) -> bool {
        matches!(
            self,
            CheckpointKind::Strong | CheckpointKind::Deterministic { .. }
        )
    }
}

/// How a step's result is handed back by [`super::WorkflowResult`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YieldKind {
    /// The frame, in memory.
    Frame,
    /// The path of a file written under `fugue.workflow.checkpoint.path`.
    File,
}

/// How a step's function enters its deterministic checkpoint key (printed by
/// [`super::Plan::explain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyedBy {
    /// The function was declared with one of the transformer macros: the key covers its full
    /// path and a hash of its tokens, so editing the function invalidates its checkpoints
    /// (editing a helper it calls does not: bump the step's version then).
    FunctionTokens {
        /// The full path, `module_path::name`.
        path: String,
    },
    /// A closure or a hand-written impl: the key covers the function's name and the step's
    /// version only, so bump the version when its logic changes.
    NameAndVersion {
        /// The function's name.
        name: String,
    },
}

impl fmt::Display for KeyedBy {
    /// `` function tokens (`crate::m::score`) `` or `` name and version only (`closure`) ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyedBy::FunctionTokens { path } => write!(f, "function tokens (`{path}`)"),
            KeyedBy::NameAndVersion { name } => write!(f, "name and version only (`{name}`)"),
        }
    }
}

/// One step of the graph.
#[derive(Clone)]
pub(crate) struct Node {
    pub info: StepInfo,
    pub op: Op,
    pub inputs: Vec<StepId>,
    /// The partition spec given with `partition(...)` on the input handle (or by `zip`).
    pub partition: Option<Result<PartitionSpec, DeclError>>,
    pub checkpoint: CheckpointKind,
    pub broadcast: bool,
    pub yields: Vec<(String, YieldKind)>,
    /// The user-set version of the step's function (mixed into deterministic keys).
    pub version: Option<String>,
    /// Problems found while declaring the step, reported when the workflow is planned.
    pub errors: Vec<DeclError>,
    /// Whether the user named the step (otherwise its name follows its inputs').
    pub named: bool,
}

impl Node {
    pub fn partition_spec(&self) -> Option<&PartitionSpec> {
        match &self.partition {
            Some(Ok(spec)) => Some(spec),
            _ => None,
        }
    }
}

/// A problem found while declaring a step, reported when the workflow is planned (declaring
/// never fails).
#[derive(Debug)]
pub(crate) enum DeclError {
    /// A typed error (a bad option word, a malformed presort, ...), reported as it is.
    Error(FugueError),
    /// A message about the step's operation, reported as an invalid argument of it.
    Text(String),
}

impl DeclError {
    /// The error to report for the step `info`.
    pub fn to_error(&self, info: &StepInfo) -> FugueError {
        match self {
            DeclError::Error(e) => e.duplicate(),
            DeclError::Text(message) => FugueError::invalid_argument(info.op, message.clone()),
        }
    }
}

impl Clone for DeclError {
    fn clone(&self) -> Self {
        match self {
            DeclError::Error(e) => DeclError::Error(e.duplicate()),
            DeclError::Text(t) => DeclError::Text(t.clone()),
        }
    }
}

impl From<String> for DeclError {
    fn from(message: String) -> Self {
        DeclError::Text(message)
    }
}

impl From<&FugueError> for DeclError {
    fn from(error: &FugueError) -> Self {
        DeclError::Error(error.duplicate())
    }
}

impl From<FugueError> for DeclError {
    fn from(error: FugueError) -> Self {
        DeclError::Error(error)
    }
}
