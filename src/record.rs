#![doc = include_str!("../fugue-runtime/src/record/types.md")]

pub use fugue_runtime::record::{
    ArrowField, ArrowStr, Bytes, ConvertError, DEFAULT_PRECISION, DEFAULT_SCALE, Record,
    RecordBatches, RecordIter,
};
