//! The names most programs need: `use fugue::prelude::*;`.

pub use crate::Schema;
pub use crate::{
    cotransformer, creator, output_cotransformer, output_transformer, outputter, processor,
    transformer, workflow,
};
pub use arrow::array::RecordBatch;
pub use fugue_core::{FugueError, PartitionSpec};
pub use fugue_runtime::engine::{ExecutionEngine, RelationalEngine};
pub use fugue_runtime::function::{
    Callback, Params, PartitionCursor, PartitionFunction, PhysicalPartition,
};
pub use fugue_runtime::record::Record;
pub use fugue_runtime::transformer::{Creator, Outputter, Processor, Transformer};
pub use fugue_runtime::{DataFrame, DataFrames, IntoDataFrame, Value};
