//! Workflows: lazy DAGs of steps, resolved into a plan and run on an engine (reference §10).
//!
//! A [`Workflow`] owns the graph; each step returns a [`WorkflowFrame`], a `Copy` handle with
//! fluent methods (Fugue's `WorkflowDataFrame`). Declaring a step touches no data and never
//! fails: problems are reported by [`Workflow::plan`] and [`Workflow::run`], naming the step,
//! its operation and where it was declared (builder methods are `#[track_caller]`, so the
//! location is the user's line; [`WorkflowFrame::at`] sets it explicitly).
//!
//! ```
//! use fugue_runtime::function::Params;
//! use fugue_runtime::workflow::{Workflow, named};
//! use fugue_runtime::{DataFrame, Value};
//!
//! let wf = Workflow::with_conf([("fugue.workflow.concurrency", "2")])?;
//! let trips = wf
//!     .create((
//!         vec![
//!             vec![Value::from("Paris"), Value::from(12.5_f64)],
//!             vec![Value::from("Rome"), Value::from(8.0_f64)],
//!         ],
//!         "city:str,fare:double",
//!     ))
//!     .named("trips");
//! // A whole-frame function (a closure); `named` gives it a name for messages and keys.
//! let expensive = trips
//!     .process(named("expensive", |mut dfs: Vec<DataFrame>, _: &Params| {
//!         let rows: Vec<Vec<Value>> = dfs.remove(0).as_rows()?
//!             .into_iter()
//!             .filter(|r| r[1].as_f64().unwrap_or(0.0) > 10.0)
//!             .collect();
//!         fugue_runtime::IntoDataFrame::into_dataframe((rows, "city:str,fare:double"))
//!     }))
//!     .named("expensive");
//! expensive.rename(&[("fare", "price")]).yield_as("top");
//!
//! // The plan, before anything runs: the processor's output is known at run time only (`?`),
//! // so is the rename that reads it.
//! let plan = wf.explain()?;
//! assert!(plan.starts_with("workflow: 3 steps\n#0 trips: create(schema=city:str,fare:double, rows=2)"));
//! assert!(plan.contains("#2 rename(expensive): rename(fare=price) <- #1"));
//!
//! let result = wf.run_on("native")?;
//! let mut top = result.get("top")?;
//! assert_eq!(top.schema().to_string(), "city:str,price:double");
//! assert_eq!(top.as_rows()?, vec![vec![Value::from("Paris"), Value::from(12.5_f64)]]);
//! // An unknown name lists the yielded ones.
//! assert!(result.get("tops").unwrap_err().to_string().contains("yielded: `top`"));
//! # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
//! ```
//!
//! ## Steps
//!
//! * sources: [`Workflow::create`] (any [`IntoDataFrame`](crate::IntoDataFrame), materialised
//!   when declared), [`Workflow::create_with`] (a [`CreateFn`]), [`Workflow::load`] (with
//!   [`WorkflowFrame::format`], [`columns`](WorkflowFrame::columns),
//!   [`schema`](WorkflowFrame::schema), [`option`](WorkflowFrame::option));
//! * functions: [`transform`](WorkflowFrame::transform) and
//!   [`out_transform`](WorkflowFrame::out_transform) (a
//!   [`PartitionFunction`](crate::function::PartitionFunction) per logical partition),
//!   [`zip`](WorkflowFrame::zip) then [`ZippedFrames::transform`] (co-transformation),
//!   [`process`](WorkflowFrame::process) / [`output`](WorkflowFrame::output) (whole frames:
//!   closures, [`named`] closures, or `#[processor]`/`#[creator]`/`#[outputter]` functions
//!   through [`Ext`]), with [`params`](WorkflowFrame::params),
//!   [`callback`](WorkflowFrame::callback) and [`version`](WorkflowFrame::version);
//! * relational (run by the engine; DataFusion behind the `datafusion` feature): joins of every
//!   kind ([`WorkflowFrame::join`], [`Workflow::join`] folds left), union / subtract /
//!   intersect, distinct, dropna, fillna, sample, take, select / filter / assign / aggregate
//!   (SQL expression strings), rename / drop / alter_columns;
//! * [`partition`](WorkflowFrame::partition) applies to the next step only (reference §5.5);
//! * outputs: [`save`](WorkflowFrame::save), [`show`](WorkflowFrame::show),
//!   [`yield_as`](WorkflowFrame::yield_as), [`yield_file_as`](WorkflowFrame::yield_file_as);
//! * physical: [`persist`](WorkflowFrame::persist) (weak checkpoint),
//!   [`checkpoint`](WorkflowFrame::checkpoint) (strong),
//!   [`checkpoint_deterministic`](WorkflowFrame::checkpoint_deterministic),
//!   [`broadcast`](WorkflowFrame::broadcast).
//!
//! ## Running
//!
//! [`Workflow::run`] layers the config (defaults < engine < workflow < per-call, never
//! mutating the engine), resolves the [`Plan`] (schemas, argument checks, partition functions'
//! `check`), reuses intact deterministic checkpoints (keys cover the function's tokens and
//! the content of the input data and files: see [`checkpoint`]; the result's
//! [`WorkflowResult::explain`] says which were reused and why the others were not), then runs
//! the steps on scoped threads, up to
//! `fugue.workflow.concurrency` at a time; the first failure cancels the steps not started.
//! Each step runs in a `tracing` span `workflow_step` (fields `step`, `name`, `op`) inside
//! `workflow_run`; a progress bar appears on stderr when it is a terminal and the run has
//! lasted a second.

mod builder;
pub mod checkpoint;
mod functions;
mod ops;
mod plan;
mod progress;
mod run;
mod schedule;
mod step;

pub use crate::like::IntoPartitionSpec;
pub use builder::{Workflow, WorkflowFrame};
pub use fugue_core::options::SetOp;
pub use functions::{CreateFn, Ext, NamedFn, OutputFn, ProcessFn, WithEngine, named, with_engine};
pub use ops::{
    Choice, FunctionCall, FunctionInfo, KeySource, Modifier, Op, Operation, OperationClone,
    PlanContext, RunContext, ZippedFrames,
};
pub use plan::{Plan, PlannedStep, step_invalid};
pub use progress::ProgressReport;
pub use run::{
    CHECKPOINT_PATH, CheckpointOutcome, CheckpointReport, EXPLAIN_PLANS, WorkflowResult,
};
pub use step::{CheckpointKind, KeyedBy, SourceLocation, StepId, StepInfo, YieldKind, step_failed};
