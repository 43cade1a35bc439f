//! The steps of a workflow: what each one is ([`Op`]), where it was declared
//! ([`SourceLocation`]), and what is attached to it (partition spec, checkpoint, yields).

use super::functions::{CreateFn, OutputFn, ProcessFn};
use crate::frame::ArrowFrame;
use crate::function::{Callback, Params, PartitionFunction};
use crate::transformer::CodeIdentity;
use crate::value::Value;
use fugue_core::{FugueError, PartitionSpec, Schema};
use std::fmt;
use std::sync::Arc;

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
    /// The user-visible name: set with [`super::WorkflowFrame::named`], `_<id>` otherwise (as
    /// Fugue names tasks).
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

/// The set operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    /// `UNION`.
    Union,
    /// `EXCEPT`.
    Subtract,
    /// `INTERSECT`.
    Intersect,
}

impl SetOp {
    /// `union`, `subtract` or `intersect`.
    pub fn name(self) -> &'static str {
        match self {
            SetOp::Union => "union",
            SetOp::Subtract => "subtract",
            SetOp::Intersect => "intersect",
        }
    }
}

/// What a partition function step runs: the function, its parameters, its callback handler.
#[derive(Clone)]
pub struct FunctionCall {
    /// The function.
    pub function: Arc<dyn PartitionFunction>,
    /// Its parameters.
    pub params: Arc<Params>,
    /// The driver-side handler of its callback, when given.
    pub callback: Option<Callback>,
}

/// The operation of a step, with its arguments (kept as given; engines parse them).
#[derive(Clone)]
pub enum Op {
    /// Data given in memory (materialised when the step is declared).
    Create(ArrowFrame),
    /// A creator function.
    CreateWith(Arc<dyn CreateFn>, Arc<Params>),
    /// Files read by the engine.
    Load {
        /// Paths (files, folders or globs).
        paths: Vec<String>,
        /// The format (`parquet`, `csv`, `json`), or from the extension when `None`.
        format: Option<String>,
        /// The columns: names to keep, or a schema (declared: known before running).
        columns: Option<LoadColumnsArg>,
        /// Format options (`header=true`, ...).
        options: Vec<(String, String)>,
    },
    /// The map primitive.
    Transform(FunctionCall),
    /// The map primitive, output discarded.
    OutTransform(FunctionCall),
    /// Zip the inputs by key and call the function once per key group.
    CoTransform {
        /// The function.
        call: FunctionCall,
        /// `inner`, `left_outer`, `right_outer`, `full_outer` or `cross`.
        how: String,
        /// Whether the output is discarded.
        out: bool,
    },
    /// A whole-frame function.
    Process(Arc<dyn ProcessFn>, Arc<Params>),
    /// A whole-frame function with no output.
    Output(Arc<dyn OutputFn>, Arc<Params>),
    /// Join two frames.
    Join {
        /// The join kind as given (`inner`, `left_outer`, `semi`, ...).
        how: String,
        /// The keys; empty = the common columns.
        on: Vec<String>,
    },
    /// A set operation.
    Set {
        /// Which one.
        op: SetOp,
        /// Distinct (true) or all (false).
        distinct: bool,
    },
    /// Full-row dedupe.
    Distinct,
    /// Drop rows with NULLs.
    DropNa {
        /// `any` or `all`.
        how: String,
        /// Keep rows with at least this many non-NULL values.
        thresh: Option<usize>,
        /// The columns considered.
        subset: Option<Vec<String>>,
    },
    /// Fill NULLs.
    FillNa {
        /// One value for every column, or a value per column.
        value: FillArg,
        /// The columns filled.
        subset: Option<Vec<String>>,
    },
    /// Random rows.
    Sample {
        /// A number of rows.
        n: Option<usize>,
        /// A fraction of the rows.
        frac: Option<f64>,
        /// With replacement.
        replace: bool,
        /// The seed.
        seed: Option<u64>,
    },
    /// The first rows, overall or per partition.
    Take {
        /// How many.
        n: usize,
        /// The presort expression (empty = the partition spec's presort).
        presort: String,
        /// `first` or `last`.
        na_position: String,
    },
    /// A SQL select.
    Select {
        /// Column expressions.
        columns: Vec<String>,
        /// `WHERE`.
        filter: Option<String>,
        /// `HAVING`.
        having: Option<String>,
        /// `SELECT DISTINCT`.
        distinct: bool,
    },
    /// Rows where a SQL condition holds.
    Filter(String),
    /// Columns computed by SQL expressions.
    Assign(Vec<(String, String)>),
    /// Aggregates per the partition keys.
    Aggregate(Vec<(String, String)>),
    /// Rename columns.
    Rename(Vec<(String, String)>),
    /// Drop columns.
    DropColumns(Vec<String>),
    /// Cast columns.
    AlterColumns(Schema),
    /// Save to a file.
    Save {
        /// The path.
        path: String,
        /// `overwrite`, `append` or `error`.
        mode: String,
        /// The format, or from the extension.
        format: Option<String>,
    },
    /// Print the first rows.
    Show {
        /// How many rows.
        n: usize,
        /// A title.
        title: Option<String>,
    },
}

/// The columns argument of a load.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadColumnsArg {
    /// Column names to keep (the schema is known only when read).
    Names(Vec<String>),
    /// A declared schema: the schema of the step is known before running.
    Schema(Schema),
}

/// The value argument of a fillna.
#[derive(Debug, Clone, PartialEq)]
pub enum FillArg {
    /// One value for every column.
    All(Value),
    /// A value per column.
    PerColumn(Vec<(String, Value)>),
}

impl Op {
    /// The operation's name (what [`StepInfo::op`] holds).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Create(_) => "create",
            Op::CreateWith(..) => "create",
            Op::Load { .. } => "load",
            Op::Transform(_) => "transform",
            Op::OutTransform(_) => "out_transform",
            Op::CoTransform { out: false, .. } => "cotransform",
            Op::CoTransform { out: true, .. } => "out_cotransform",
            Op::Process(..) => "process",
            Op::Output(..) => "output",
            Op::Join { .. } => "join",
            Op::Set { op, .. } => op.name(),
            Op::Distinct => "distinct",
            Op::DropNa { .. } => "dropna",
            Op::FillNa { .. } => "fillna",
            Op::Sample { .. } => "sample",
            Op::Take { .. } => "take",
            Op::Select { .. } => "select",
            Op::Filter(_) => "filter",
            Op::Assign(_) => "assign",
            Op::Aggregate(_) => "aggregate",
            Op::Rename(_) => "rename",
            Op::DropColumns(_) => "drop",
            Op::AlterColumns(_) => "alter_columns",
            Op::Save { .. } => "save",
            Op::Show { .. } => "show",
        }
    }

    /// The function's name, for steps that run one.
    pub fn function_name(&self) -> Option<String> {
        match self {
            Op::Transform(c) | Op::OutTransform(c) | Op::CoTransform { call: c, .. } => {
                Some(c.function.name().to_string())
            }
            Op::CreateWith(f, _) => Some(f.name().to_string()),
            Op::Process(f, _) => Some(f.name().to_string()),
            Op::Output(f, _) => Some(f.name().to_string()),
            _ => None,
        }
    }

    /// The step's function for deterministic checkpoint keys, for steps that run one: its full
    /// path (or name) and its [`CodeIdentity`], when it has one.
    pub fn function_identity(&self) -> Option<(String, Option<CodeIdentity>)> {
        match self {
            Op::Transform(c) | Op::OutTransform(c) | Op::CoTransform { call: c, .. } => {
                let f = &c.function;
                let identity = f.code_identity();
                let path = identity
                    .map(|i| i.path)
                    .or_else(|| f.registered_name())
                    .unwrap_or_else(|| f.name());
                Some((path.to_string(), identity))
            }
            Op::CreateWith(f, _) => Some(named_identity(f.name(), f.code_identity())),
            Op::Process(f, _) => Some(named_identity(f.name(), f.code_identity())),
            Op::Output(f, _) => Some(named_identity(f.name(), f.code_identity())),
            _ => None,
        }
    }

    /// How the step's function enters deterministic checkpoint keys, for steps that run one.
    pub fn keyed_by(&self) -> Option<KeyedBy> {
        self.function_identity()
            .map(|(path, identity)| match identity {
                Some(_) => KeyedBy::FunctionTokens { path },
                None => KeyedBy::NameAndVersion { name: path },
            })
    }

    /// The arguments in an unambiguous text form for deterministic checkpoint keys (every
    /// string quoted and escaped); functions, parameters and data are keyed separately.
    pub(crate) fn key_args(&self) -> String {
        fn schema(s: &Schema) -> String {
            let nullable: String = s
                .columns()
                .iter()
                .map(|c| if c.is_nullable() { '1' } else { '0' })
                .collect();
            format!("{:?}", format!("{s}|{nullable}"))
        }
        match self {
            Op::Create(_)
            | Op::CreateWith(..)
            | Op::Transform(_)
            | Op::OutTransform(_)
            | Op::Process(..)
            | Op::Output(..)
            | Op::Distinct => String::new(),
            Op::Load {
                paths,
                format,
                columns,
                options,
            } => {
                let columns = match columns {
                    None => "none".to_string(),
                    Some(LoadColumnsArg::Names(n)) => format!("names {n:?}"),
                    Some(LoadColumnsArg::Schema(s)) => format!("schema {}", schema(s)),
                };
                format!(
                    "paths={paths:?}; format={format:?}; columns={columns}; options={options:?}"
                )
            }
            Op::CoTransform { how, out, .. } => format!("how={how:?}; out={out}"),
            Op::Join { how, on } => format!("how={how:?}; on={on:?}"),
            Op::Set { op, distinct } => format!("op={op:?}; distinct={distinct}"),
            Op::DropNa {
                how,
                thresh,
                subset,
            } => format!("how={how:?}; thresh={thresh:?}; subset={subset:?}"),
            Op::FillNa { value, subset } => format!("value={value:?}; subset={subset:?}"),
            Op::Sample {
                n,
                frac,
                replace,
                seed,
            } => format!("n={n:?}; frac={frac:?}; replace={replace}; seed={seed:?}"),
            Op::Take {
                n,
                presort,
                na_position,
            } => format!("n={n}; presort={presort:?}; na_position={na_position:?}"),
            Op::Select {
                columns,
                filter,
                having,
                distinct,
            } => format!(
                "columns={columns:?}; filter={filter:?}; having={having:?}; distinct={distinct}"
            ),
            Op::Filter(c) => format!("{c:?}"),
            Op::Assign(c) | Op::Aggregate(c) | Op::Rename(c) => format!("{c:?}"),
            Op::DropColumns(c) => format!("{c:?}"),
            Op::AlterColumns(s) => schema(s),
            Op::Save { path, mode, format } => {
                format!("path={path:?}; mode={mode:?}; format={format:?}")
            }
            Op::Show { n, title } => format!("n={n}; title={title:?}"),
        }
    }

    /// Whether the step produces a frame (false for save, show, output, out_transform).
    pub fn has_output(&self) -> bool {
        !matches!(
            self,
            Op::OutTransform(_)
                | Op::CoTransform { out: true, .. }
                | Op::Output(..)
                | Op::Save { .. }
                | Op::Show { .. }
        )
    }

    /// Whether running the step has an effect outside the workflow (writes, prints, calls an
    /// outputter), so it always runs.
    pub fn has_effect(&self) -> bool {
        !self.has_output()
    }

    /// The parameters, for steps that take them.
    pub fn params(&self) -> Option<&Arc<Params>> {
        match self {
            Op::Transform(c) | Op::OutTransform(c) | Op::CoTransform { call: c, .. } => {
                Some(&c.params)
            }
            Op::CreateWith(_, p) | Op::Process(_, p) | Op::Output(_, p) => Some(p),
            _ => None,
        }
    }

    /// The arguments in a stable text form: printed by `explain` and hashed into
    /// deterministic checkpoint keys.
    pub fn args(&self) -> String {
        fn list(items: &[String]) -> String {
            items.join(",")
        }
        fn pairs(items: &[(String, String)]) -> String {
            items
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
        fn opt<T: fmt::Display>(v: &Option<T>) -> String {
            v.as_ref().map(|v| v.to_string()).unwrap_or_default()
        }
        match self {
            Op::Create(frame) => format!("schema={}, rows={}", frame.schema(), frame.count()),
            Op::CreateWith(f, p) => format!("`{}`{}", f.name(), params_text(p)),
            Op::Load {
                paths,
                format,
                columns,
                options,
            } => {
                let mut s = format!("{:?}", paths.join(","));
                if let Some(f) = format {
                    s.push_str(&format!(", format={f}"));
                }
                match columns {
                    Some(LoadColumnsArg::Names(n)) => s.push_str(&format!(", columns={}", list(n))),
                    Some(LoadColumnsArg::Schema(sc)) => s.push_str(&format!(", schema={sc}")),
                    None => {}
                }
                if !options.is_empty() {
                    s.push_str(&format!(", {}", pairs(options)));
                }
                s
            }
            Op::Transform(c) | Op::OutTransform(c) => {
                format!(
                    "`{}`{}{}",
                    c.function.name(),
                    params_text(&c.params),
                    callback_text(&c.callback)
                )
            }
            Op::CoTransform { call, how, .. } => format!(
                "`{}`, how={how}{}{}",
                call.function.name(),
                params_text(&call.params),
                callback_text(&call.callback)
            ),
            Op::Process(f, p) => format!("`{}`{}", f.name(), params_text(p)),
            Op::Output(f, p) => format!("`{}`{}", f.name(), params_text(p)),
            Op::Join { how, on } => format!("how={how}, on={}", list(on)),
            Op::Set { distinct, .. } => format!("distinct={distinct}"),
            Op::Distinct => String::new(),
            Op::DropNa {
                how,
                thresh,
                subset,
            } => format!(
                "how={how}, thresh={}, subset={}",
                opt(thresh),
                subset.as_deref().map(list).unwrap_or_default()
            ),
            Op::FillNa { value, subset } => {
                let v = match value {
                    FillArg::All(v) => format!("{v:?}"),
                    FillArg::PerColumn(p) => format!("{p:?}"),
                };
                format!(
                    "value={v}, subset={}",
                    subset.as_deref().map(list).unwrap_or_default()
                )
            }
            Op::Sample {
                n,
                frac,
                replace,
                seed,
            } => format!(
                "n={}, frac={}, replace={replace}, seed={}",
                opt(n),
                opt(frac),
                opt(seed)
            ),
            Op::Take {
                n,
                presort,
                na_position,
            } => format!("n={n}, presort={presort:?}, na_position={na_position}"),
            Op::Select {
                columns,
                filter,
                having,
                distinct,
            } => {
                let mut s = columns.join(", ");
                if *distinct {
                    s = format!("DISTINCT {s}");
                }
                if let Some(w) = filter {
                    s.push_str(&format!(" WHERE {w}"));
                }
                if let Some(h) = having {
                    s.push_str(&format!(" HAVING {h}"));
                }
                s
            }
            Op::Filter(c) => c.clone(),
            Op::Assign(c) | Op::Aggregate(c) => pairs(c),
            Op::Rename(p) => pairs(p),
            Op::DropColumns(c) => list(c),
            Op::AlterColumns(s) => s.to_string(),
            Op::Save { path, mode, format } => {
                let mut s = format!("{path:?}, mode={mode}");
                if let Some(f) = format {
                    s.push_str(&format!(", format={f}"));
                }
                s
            }
            Op::Show { n, title } => match title {
                Some(t) => format!("n={n}, title={t:?}"),
                None => format!("n={n}"),
            },
        }
    }
}

fn named_identity(name: &str, identity: Option<CodeIdentity>) -> (String, Option<CodeIdentity>) {
    let path = identity.map(|i| i.path).unwrap_or(name);
    (path.to_string(), identity)
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

fn callback_text(callback: &Option<Callback>) -> &'static str {
    if callback.is_some() { ", callback" } else { "" }
}

/// One step of the graph.
#[derive(Clone)]
pub(crate) struct Node {
    pub info: StepInfo,
    pub op: Op,
    pub inputs: Vec<StepId>,
    /// The partition spec given with `partition(...)` on the input handle (or by `zip`).
    pub partition: Option<Result<PartitionSpec, String>>,
    pub checkpoint: CheckpointKind,
    pub broadcast: bool,
    pub yields: Vec<(String, YieldKind)>,
    /// The user-set version of the step's function (mixed into deterministic keys).
    pub version: Option<String>,
    /// Problems found while declaring the step, reported when the workflow is planned.
    pub errors: Vec<String>,
}

impl Node {
    pub fn partition_spec(&self) -> Option<&PartitionSpec> {
        match &self.partition {
            Some(Ok(spec)) => Some(spec),
            _ => None,
        }
    }
}
