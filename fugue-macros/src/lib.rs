//! # fugue-macros
//!
//! The procedural macros of Fugue for Rust. Users reach them through the `fugue` crate.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
