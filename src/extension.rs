//! For authors of engines and of function kinds: the traits the macros implement, the
//! registry of engines by name, and the pieces an engine is built from. Programs that only
//! use Fugue need none of it. The internal crates (`fugue-core`, `fugue-runtime`,
//! `fugue-cluster`) hold the rest, for extensions that depend on them directly.
//!
//! ```
//! use fugue::extension::{Kind, Transformer};
//! use fugue::prelude::*;
//!
//! #[derive(Schema)]
//! struct Row { k: i64 }
//!
//! #[transformer]
//! fn keep(rows: Vec<Row>) -> Vec<Row> { rows }
//!
//! assert_eq!(<keep as Transformer>::NAME, "keep");
//! assert_eq!(<keep as Transformer>::KIND, Kind::Transformer);
//! ```

pub use fugue_runtime::engine::{
    EngineContext, EngineFactory, NamedEngineFactory, clear_global_engine, current_conf,
    current_engine, engine_context, install_engine_scheme, register_engine, registered_engines,
    set_global_engine, unregister_engine, unsupported,
};
pub use fugue_runtime::function::{
    CallbackTransport, FromValue, PartitionContext, PartitionState, stream_of,
};
pub use fugue_runtime::transformer::{
    CallbackUse, Creator, InputShape, Kind, OutputShape, Outputter, Processor, Transformer,
};
