//! # Fugue for Rust
//!
//! Write data-processing logic once in plain Rust, with schemas checked at compile time.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use fugue_core as core;
pub use fugue_runtime as runtime;
