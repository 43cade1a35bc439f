//! The registry of partition functions linked into this binary, by name.
//!
//! A distributed engine cannot ship closures: its executors run the *same binary* as the
//! driver and look every transformer up by name. `#[transformer]` (and the other kinds that run
//! per partition) registers the function it declares here, under
//! `module_path::function_name` (its [`PartitionFunction::registered_name`]).
//!
//! ```
//! use fugue_runtime::registry;
//!
//! // Nothing registers `no::such::fn`, so it is not found.
//! assert!(registry::lookup("no::such::fn").is_err());
//! ```

use crate::function::PartitionFunction;
use fugue_core::{FugueError, Result};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One registered function: what `#[transformer]` submits for the function it declares.
pub struct RegisteredFunction {
    /// The unique name (`module_path::function_name`).
    pub name: &'static str,
    /// The function.
    pub function: &'static dyn PartitionFunction,
}

impl RegisteredFunction {
    /// A registration (used by the macros' expansion).
    pub const fn new(name: &'static str, function: &'static dyn PartitionFunction) -> Self {
        RegisteredFunction { name, function }
    }
}

inventory::collect!(RegisteredFunction);

/// The registered functions by name; a name registered twice maps to `None` (ambiguous).
fn table() -> &'static BTreeMap<&'static str, Option<&'static dyn PartitionFunction>> {
    static TABLE: OnceLock<BTreeMap<&'static str, Option<&'static dyn PartitionFunction>>> =
        OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = BTreeMap::new();
        for entry in inventory::iter::<RegisteredFunction> {
            table
                .entry(entry.name)
                .and_modify(|slot| *slot = None)
                .or_insert(Some(entry.function));
        }
        table
    })
}

/// The function registered as `name`. Not found (the binary running this does not contain
/// it) or registered twice is [`FugueError::InvalidArgument`] that says so.
pub fn lookup(name: &str) -> Result<&'static dyn PartitionFunction> {
    match table().get(name) {
        Some(Some(function)) => Ok(*function),
        Some(None) => Err(FugueError::invalid_argument(
            "transformer",
            format!(
                "`{name}` is registered twice in this binary; give one of the functions another name"
            ),
        )),
        None => Err(FugueError::invalid_argument(
            "transformer",
            format!(
                "no transformer `{name}` is registered in this binary ({} registered); \
                 every node of a cluster must run the same binary as the driver",
                table().len()
            ),
        )),
    }
}

/// The names of every registered function, sorted.
pub fn names() -> Vec<&'static str> {
    table().keys().copied().collect()
}
