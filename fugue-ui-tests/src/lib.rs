//! The compile-fail (trybuild) tests of the Fugue for Rust macros live in `tests/ui/`: one file
//! per diagnostic, named after it, with the reviewed compiler output beside it. This crate has
//! no code of its own.
