//! `load` and `save` of the engines of one machine: formats, modes, atomicity, error messages.
#![cfg(feature = "datafusion")]
//!
//! Every case runs twice: on `native`, whose loads read every file into memory and whose saves
//! write computed rows, and on `local`, whose parquet loads are lazy scans and whose saves
//! write from the plan's stream. Both must keep the same guarantees (nothing converted
//! silently, every bad file named, no partial output).

mod common;

/// The eager path.
mod native {
    fn engine() -> LocalEngine {
        LocalEngine::native(Default::default()).expect("native engine")
    }

    include!("engine_io/cases.rs");
}

/// The lazy path.
mod local {
    fn engine() -> LocalEngine {
        let conf = fugue_runtime::fugue_core::FugueConfig::new()
            .with(fugue_runtime::engine::LOCAL_WORKERS, "2")
            .expect("conf");
        LocalEngine::local(conf).expect("local engine")
    }

    include!("engine_io/cases.rs");
}
