//! The names most programs need: `use fugue::prelude::*;`.

pub use crate::Schema;
pub use crate::extension::{Creator, Outputter, Processor, Transformer};
pub use crate::{
    ArrowFrame, Callback, DataFrame, DataFrames, ErrorKind, ExecutionEngine, FugueError,
    IntoDataFrame, JoinHow, LoadOptions, Params, PartitionCursor, PartitionFunction, PartitionSpec,
    PhysicalPartition, Record, RelationalEngine, RowFrame, SaveMode, SaveOptions, StreamFrame,
    Value, Workflow, WorkflowResult,
};
pub use crate::{
    cotransformer, creator, output_cotransformer, output_transformer, outputter, processor,
    transformer, workflow,
};
pub use arrow::array::RecordBatch;
