//! # fugue-core
//!
//! The light foundation of Fugue for Rust: the schema expression language, the supported types,
//! the schema algebra, and the one error type. The proc-macro crate links this crate at compile
//! time, so it depends on nothing heavier than `arrow-schema`.
//!
//! The schema rules live here, once: the macros (at compile time) and the runtime call them.
//!
//! ```
//! use fugue_core::{ColumnItem, ErrorKind, Schema};
//!
//! // Parse a schema expression: aliases and whitespace are accepted, the printed form is
//! // canonical, and unusual names are backtick-quoted.
//! let schema = Schema::parse("id:long, `unit price`:double, tags:[string]")?;
//! assert_eq!(schema.to_string(), "id:long,`unit price`:double,tags:[str]");
//!
//! // Apply an output-schema hint, then a strict removal.
//! let output = schema.transform("*,total:double")?;
//! assert_eq!(output.to_string(), "id:long,`unit price`:double,tags:[str],total:double");
//! let slim = output.remove(&ColumnItem::parse_list("tags,`unit price`")?)?;
//! assert_eq!(slim.to_string(), "id:long,total:double");
//!
//! // Errors carry a kind from a closed vocabulary and say what to fix.
//! let err = schema.transform("*-tag").unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::ColumnNotFound);
//! assert!(err.to_string().contains("did you mean `tags`?"));
//! # Ok::<(), fugue_core::FugueError>(())
//! ```
//!
//! ## Modules
//!
//! - [`schema`]: [`Schema`] and [`Column`], parsing, canonical printing ([`quote_name`]), Arrow
//!   conversion, structural equality.
//! - [`types`]: the supported types, type expressions, canonical Arrow types, Arrow spelling.
//! - [`algebra`]: [`ColumnItem`] and the schema operations with their option structs.
//! - [`transform`]: the output-schema hint language (`*,c:int`, `*-a`, ...).
//! - [`convert`]: the "schema-like" conversions (`TryFrom<&str>`, Arrow schemas, field lists).
//! - [`const_schema`]: schemas as `const` data, emitted by the macros.
//! - [`config`]: the typed `fugue.*` configuration tree ([`FugueConfig`]) and its layers.
//! - [`rules`]: every schema rule once, as `const fn`s evaluated at compile time and at run
//!   time.
//! - [`const_check`]: checks of that data in const evaluation (compile-time errors).
//! - [`error`]: [`FugueError`] and [`ErrorKind`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod algebra;
pub mod config;
pub mod const_check;
pub mod const_schema;
pub mod convert;
pub mod error;
pub mod extension;
pub mod options;
mod parse;
pub mod partition;
pub mod rules;
pub mod schema;
pub mod transform;
pub mod types;
pub mod validation;

pub use algebra::{
    ColumnItem, ExcludeOptions, ExtractOptions, IntersectOptions, RenameOptions, UnionOptions,
};
pub use config::{ConfigOverrides, FugueConfig, IntoConfigOverrides};
pub use const_schema::{ConstColumn, ConstType};
pub use error::{ErrorKind, FugueError, Result};
pub use partition::{PartitionAlgo, PartitionSpec, SortKey};
pub use schema::{Column, Schema, quote_name};
