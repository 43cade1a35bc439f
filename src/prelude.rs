//! The names most programs need: `use fugue::prelude::*;`.

pub use crate::Schema;
pub use fugue_runtime::record::Record;
