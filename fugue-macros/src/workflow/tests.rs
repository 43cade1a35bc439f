//! Unit tests of `workflow!` on tokens.
