//! The process-wide default configuration (Fugue's `register_global_conf`), and the layering of
//! an engine named by an engine-like: `defaults < global < FUGUE_* environment < the conf given
//! with the engine-like` ([`engine_conf`]).
//!
//! The global layer is a set of overrides behind a lock, registered by the program (usually once,
//! at start-up). It is read when an engine is created by name (`make_engine("local", ..)`,
//! `"native"`, `ballista://..`) and so reaches every workflow run on such an engine. An engine
//! instance created before a registration keeps the configuration it was created with.

use super::{ConfigOverrides, FugueConfig, IntoConfigOverrides};
use crate::error::{FugueError, Result};
use std::sync::RwLock;

static GLOBAL: RwLock<Option<ConfigOverrides>> = RwLock::new(None);

fn read() -> ConfigOverrides {
    let guard = GLOBAL.read().unwrap_or_else(|p| p.into_inner());
    guard.clone().unwrap_or_default()
}

/// Register `conf` (anything config-like) as process-wide defaults, over the earlier ones (a key
/// registered again takes the new value). Invalid keys or values are errors and register
/// nothing.
///
/// ```
/// use fugue_core::config::{global_conf, register_global_conf};
///
/// register_global_conf([("fugue.default.partitions", "4")])?;
/// assert_eq!(global_conf().get("fugue.default.partitions").as_deref(), Some("4"));
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
pub fn register_global_conf(conf: impl IntoConfigOverrides) -> Result<()> {
    let conf = conf.into_overrides()?;
    let mut guard = GLOBAL.write().unwrap_or_else(|p| p.into_inner());
    let merged = guard.clone().unwrap_or_default().merge(&conf);
    *guard = Some(merged);
    Ok(())
}

/// [`register_global_conf`] that refuses to change a value (Fugue's `on_dup=THROW`): when any
/// key of `conf` is already registered with a different value, nothing is registered and the
/// error names the key and both values. Registering the same value again is fine.
pub fn try_register_global_conf(conf: impl IntoConfigOverrides) -> Result<()> {
    let conf = conf.into_overrides()?;
    let mut guard = GLOBAL.write().unwrap_or_else(|p| p.into_inner());
    let current = guard.clone().unwrap_or_default();
    for key in conf.keys() {
        if let (Some(existing), Some(new)) = (current.get(key), conf.get(key))
            && existing != new
        {
            return Err(FugueError::Config {
                key: key.to_string(),
                reason: format!(
                    "the global config already has `{existing}` and cannot take `{new}`; \
                     register_global_conf overwrites"
                ),
            });
        }
    }
    *guard = Some(current.merge(&conf));
    Ok(())
}

/// The registered global layer (empty when nothing was registered).
pub fn global_conf() -> ConfigOverrides {
    read()
}

/// Remove every registered global key (the defaults apply again).
pub fn clear_global_conf() {
    let mut guard = GLOBAL.write().unwrap_or_else(|p| p.into_inner());
    *guard = None;
}

/// The configuration of an engine created by name: the defaults, then the global layer
/// ([`register_global_conf`]), then the `FUGUE_*` environment variables
/// ([`ConfigOverrides::from_env`]: the shell can override what the program registered), then
/// `given` (the conf passed with the engine-like, which wins).
pub fn engine_conf(given: &ConfigOverrides) -> Result<FugueConfig> {
    engine_conf_with_env(ConfigOverrides::from_env()?, given)
}

/// [`engine_conf`] with the environment layer given (for tests, which must not change the
/// process environment).
pub fn engine_conf_with_env(env: ConfigOverrides, given: &ConfigOverrides) -> Result<FugueConfig> {
    Ok(FugueConfig::default()
        .merge(&read())
        .merge(&env)
        .merge(given))
}
