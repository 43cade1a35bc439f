//! # fugue-core
//!
//! The light foundation of Fugue for Rust: the schema expression language, the supported types,
//! the schema algebra, and the one error type. The proc-macro crate links this crate at compile
//! time, so it depends on nothing heavier than `arrow-schema`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod const_schema;
pub mod error;
mod parse;
pub mod schema;
pub mod types;

pub use const_schema::{ConstColumn, ConstType};
pub use error::{ErrorKind, FugueError, Result};
pub use schema::{Column, Schema, quote_name};
