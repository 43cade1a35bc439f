//! # fugue-runtime
//!
//! Dataframes and records over Apache Arrow (and, later, the engines and the executor).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod record;

pub use fugue_core;
