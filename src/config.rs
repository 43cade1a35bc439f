//! Configuration: the engine's [`FugueConfig`] (every `fugue.*` key, typed), the layers that
//! override it ([`ConfigOverrides`]), the process-wide layer ([`register_global_conf`]), TOML
//! files ([`TomlConfig`]) and the keys' names. Every key is listed in `docs/configs.md`
//! ([`entries`] gives the same list at run time).
//!
//! ```
//! use fugue::config::{ConfigOverrides, FugueConfig, LOCAL_WORKERS};
//!
//! let layer = ConfigOverrides::new().with(LOCAL_WORKERS, "3")?;
//! let conf = FugueConfig::default().merge(&layer);
//! assert_eq!(conf.get(LOCAL_WORKERS).as_deref(), Some("3"));
//! # Ok::<(), fugue::FugueError>(())
//! ```

pub use fugue_core::config::{
    ConfigEntry, ConfigOverrides, ConfigScope, ConfigType, FugueConfig, IntoConfigOverrides,
    clear_global_conf, entries, entry, env_var_name, global_conf, keys, register_global_conf,
    try_register_global_conf,
};
pub use fugue_runtime::config_toml::{TomlConfig, overrides_from_toml_str};
pub use fugue_runtime::engine::{LOCAL_MEMORY_LIMIT, LOCAL_SPILL_DIR, LOCAL_WORKERS};
pub use fugue_runtime::workflow::{CHECKPOINT_PATH, EXPLAIN_PLANS};
