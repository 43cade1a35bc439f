//! Workflows: lazy DAGs of steps, resolved into a plan and run on an engine.

mod builder;
pub mod checkpoint;
mod exec;
mod functions;
mod plan;
mod run;
mod schedule;
mod step;

pub use builder::{IntoPartitionSpec, Workflow, WorkflowFrame, ZippedFrames};
pub use functions::{CreateFn, NamedFn, OutputFn, ProcessFn, named};
pub use plan::{Plan, PlannedStep, step_invalid};
pub use run::{CHECKPOINT_PATH, WorkflowResult};
pub use step::{
    CheckpointKind, FillArg, FunctionCall, LoadColumnsArg, Op, SetOp, SourceLocation, StepId,
    StepInfo, YieldKind, step_failed,
};
