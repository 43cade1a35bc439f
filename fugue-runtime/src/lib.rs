//! # fugue-runtime
//!
//! Dataframes and records over Apache Arrow (and, later, the engines and the executor).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use fugue_core;

pub mod frame;
pub mod like;
pub mod value;

pub use frame::{ArrowFrame, DataFrame, Metadata, RowFrame, RowMap, StreamFrame};
pub use like::{IntoDataFrame, IntoSchema};
pub use value::Value;
