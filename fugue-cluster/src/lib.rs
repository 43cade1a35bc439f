//! # fugue-cluster
//!
//! Fugue workflows on an Apache DataFusion Ballista cluster: the engine
//! ([`BallistaEngine`], named by `"ballista://host:port"`), the plan node that runs
//! transformers inside Ballista's executors, the codecs that carry it, the callback server
//! executors call back to, and [`main`], which makes the user's program the cluster's
//! scheduler, executors and driver at once (executors find transformers by name in their
//! own binary: every node must run the same binary).
//!
//! ```no_run
//! use fugue_runtime::engine::make_engine;
//!
//! fugue_cluster::install(); // `fugue_cluster::main` does it for you
//! // A scheduler and an executor inside this process; a real cluster is
//! // `ballista://scheduler-host:50050`.
//! let engine = make_engine("ballista://standalone", ())?;
//! assert_eq!(engine.name(), "ballista");
//! # Ok::<(), fugue_core::FugueError>(())
//! ```

mod callback;
pub mod cli;
mod codec;
mod engine;
mod exactly_once;
mod node;
mod remote;
mod session;
mod wire;

pub use callback::{CALLBACK_ACTION, CallbackClient, CallbackServer};
pub use cli::main;
pub use codec::{FugueLogicalCodec, FuguePhysicalCodec};
pub use engine::{BallistaEngine, ENGINE_NAME, STANDALONE, jobs_cancelled};
pub use node::{FugueExtensionPlanner, FugueQueryPlanner, FugueStepExec, FugueStepNode};
pub use wire::{CallbackAddress, StepPayload, WireAlgo, WireSortKey, WireSpec};

/// Install the Ballista engine, so that `"ballista://host:port"` (and
/// `"ballista://standalone"`) name it wherever an engine-like is accepted. Idempotent.
pub fn install() {
    fugue_runtime::engine::install_engine_scheme("ballista", engine::from_engine_like);
}
