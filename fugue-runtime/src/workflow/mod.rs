//! Workflows: lazy DAGs of steps, resolved into a plan and run on an engine.

mod builder;
mod functions;
mod step;

pub use builder::{IntoPartitionSpec, Workflow, WorkflowFrame, ZippedFrames};
pub use functions::{CreateFn, NamedFn, OutputFn, ProcessFn, named};
pub use step::{
    CheckpointKind, FillArg, FunctionCall, LoadColumnsArg, Op, SetOp, SourceLocation, StepId,
    StepInfo, YieldKind, step_failed,
};
