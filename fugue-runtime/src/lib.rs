//! # fugue-runtime
//!
//! Dataframes and records over Apache Arrow (and, later, the engines and the executor).
//!
//! ```
//! use fugue_runtime::{DataFrame, IntoDataFrame, Value};
//!
//! // Rows plus a schema expression make a dataframe (any `IntoDataFrame` does).
//! let rows = vec![
//!     vec![Value::from(1_i64), Value::from("apple"), Value::from(0.5_f64)],
//!     vec![Value::from(2_i64), Value::Null, Value::from(f64::NAN)],
//! ];
//! let df: DataFrame = (rows, "id:long,name:str,price:double").into_dataframe()?;
//!
//! // Columns are selected by name, in the order given.
//! let mut df = df.select(&["name", "id"])?;
//! assert_eq!(df.schema().to_string(), "name:str,id:long");
//! assert_eq!(df.count()?, 2);
//! assert_eq!(df.peek_row()?, vec![Value::from("apple"), Value::Int64(1)]);
//!
//! // `show` prints the table under its schema; `show_string` returns the text.
//! assert_eq!(
//!     df.show_string(10, None)?,
//!     "RowFrame\n\
//!      +----------+---------+\n\
//!      | name:str | id:long |\n\
//!      +----------+---------+\n\
//!      | apple    | 1       |\n\
//!      | NULL     | 2       |\n\
//!      +----------+---------+\n\
//!      Total count: 2\n"
//! );
//!
//! // A missing column is an error that suggests the closest name.
//! let err = df.select(&["nme"]).unwrap_err();
//! assert_eq!(err.to_string(), "column `nme` not found in select (schema `name:str,id:long`); did you mean `name`?");
//! # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
//! ```
//!
//! ## Modules
//!
//! * [`value`]: [`Value`], one dynamically typed cell, and the lossless conversion between
//!   Arrow arrays and values.
//! * [`frame`]: the frames [`ArrowFrame`] (bounded, Arrow batches), [`RowFrame`] (bounded,
//!   rows of values), [`StreamFrame`] (unbounded, single pass), [`PlanFrame`] (lazy: a
//!   DataFusion plan, what the `local` engine's loads and SQL steps return) and [`DataFrame`],
//!   the one type every API takes.
//! * [`config_toml`]: configs from TOML files ([`config_toml::TomlConfig`]).
//! * [`like`]: what converts into a schema ([`IntoSchema`]) or a dataframe
//!   ([`IntoDataFrame`]).
//! * [`transformer`]: what the transformer macros generate code against.
//! * [`engine`]: the engines ([`engine::ExecutionEngine`]: the map primitive, and the
//!   relational layer [`engine::RelationalEngine`]); [`executor`]: the `local` engine's worker
//!   pool; [`workflow`]: the DAG `workflow!` expands into; [`control`]: step time limits and
//!   cancel.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod record;

pub use fugue_core;

pub mod config_toml;
pub mod control;
pub mod engine;
pub mod executor;
pub mod frame;
pub mod function;
pub mod ignore;
pub mod like;
pub mod partitioning;
pub mod registry;
pub mod transformer;
pub mod value;
pub mod workflow;

pub use frame::{
    ArrowFrame, DataFrame, DataFrames, Metadata, PlanFrame, RowFrame, RowMap, StreamFrame,
};
pub use like::{IntoDataFrame, IntoSchema};
pub use value::Value;
