//! Layers of explicitly set keys, the "params-like" conversions into them, and the
//! environment mapping.

use super::{FugueConfig, env_var_name, is_fugue_key, keys};
use crate::error::{FugueError, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Display;

/// One layer of configuration: only the keys someone set explicitly (validated when set).
///
/// Applying a layer ([`FugueConfig::merge`]) changes exactly these keys, so a layer never
/// resets a lower layer's value to a default. Setting an optional key to the empty string is an
/// explicit "unset" and does override a lower layer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigOverrides {
    /// The values, typed; only `set` keys (and every extra key) are meaningful.
    values: FugueConfig,
    /// The `fugue.*` keys set explicitly.
    set: BTreeSet<String>,
}

impl ConfigOverrides {
    /// An empty layer.
    pub fn new() -> Self {
        Self::default()
    }

    /// A layer that sets every key of `config` (all `fugue.*` keys, defaults included, and
    /// every extra key): applying it yields `config` exactly.
    pub fn all_of(config: &FugueConfig) -> Self {
        ConfigOverrides {
            values: config.clone(),
            set: keys().into_iter().collect(),
        }
    }

    /// Sets `key` from a string, with the checks of [`FugueConfig::set`].
    pub fn set(&mut self, key: &str, value: &str) -> Result<&mut Self> {
        self.values.set(key, value)?;
        if is_fugue_key(key) {
            self.set.insert(key.to_string());
        }
        Ok(self)
    }

    /// [`set`](Self::set), by value, for chaining.
    pub fn with(mut self, key: &str, value: &str) -> Result<Self> {
        self.set(key, value)?;
        Ok(self)
    }

    /// Whether `key` is set in this layer.
    pub fn is_set(&self, key: &str) -> bool {
        if is_fugue_key(key) {
            self.set.contains(key)
        } else {
            self.values.extra.contains_key(key)
        }
    }

    /// The value of `key` printed, when this layer sets it (`None` when it does not, or sets an
    /// optional key to unset).
    pub fn get(&self, key: &str) -> Option<String> {
        if self.is_set(key) {
            self.values.get(key)
        } else {
            None
        }
    }

    /// The keys this layer sets: the `fugue.*` keys, then the extra keys, each sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.set
            .iter()
            .map(String::as_str)
            .chain(self.values.extra.keys().map(String::as_str))
    }

    /// How many keys this layer sets.
    pub fn len(&self) -> usize {
        self.set.len() + self.values.extra.len()
    }

    /// Whether this layer sets no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keys this layer sets with their values printed (an explicit unset is `""`): what
    /// a transformer's `workflow_conf` or an engine receives as strings.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.keys()
            .map(|k| (k.to_string(), self.values.get(k).unwrap_or_default()))
            .collect()
    }

    /// This layer with `over` on top (keys of `over` win); neither is changed.
    pub fn merge(&self, over: &ConfigOverrides) -> ConfigOverrides {
        let mut merged = self.clone();
        over.apply_to(&mut merged.values);
        merged.set.extend(over.set.iter().cloned());
        merged
    }

    /// Writes the keys of this layer into `config`.
    pub(crate) fn apply_to(&self, config: &mut FugueConfig) {
        for key in self.keys() {
            // Every key here was validated when set, so it exists in both trees.
            config.copy_key_from(&self.values, key);
        }
    }

    /// The `FUGUE_*` variables of the process environment that name known keys
    /// (`FUGUE_WORKFLOW_CONCURRENCY` sets `fugue.workflow.concurrency`).
    ///
    /// Variables that name no key are ignored: `FUGUE_` is also the prefix of tool switches
    /// (`FUGUE_CASES_DIR`, `FUGUE_UPDATE_DOCS`, ...), and extra (non-`fugue.`) keys cannot be
    /// set from the environment. A known variable whose value is not valid (or not UTF-8) is an
    /// error naming the variable.
    pub fn from_env() -> Result<ConfigOverrides> {
        let known: BTreeMap<String, String> =
            keys().into_iter().map(|k| (env_var_name(&k), k)).collect();
        let mut pairs = Vec::new();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            if let Some(key) = known.get(name) {
                let value = value.into_string().map_err(|_| FugueError::Config {
                    key: key.clone(),
                    reason: format!("environment variable `{name}` is not valid UTF-8"),
                })?;
                pairs.push((name.to_string(), value));
            }
        }
        Self::from_env_vars(pairs)
    }

    /// [`from_env`](Self::from_env) from given `(variable, value)` pairs instead of the process
    /// environment, so tests need not change it.
    pub fn from_env_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Result<ConfigOverrides>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let known: BTreeMap<String, String> =
            keys().into_iter().map(|k| (env_var_name(&k), k)).collect();
        let mut layer = ConfigOverrides::new();
        for (name, value) in vars {
            let Some(key) = known.get(name.as_ref()) else {
                continue;
            };
            layer.set(key, value.as_ref()).map_err(|e| match e {
                FugueError::Config { key, reason } => FugueError::Config {
                    key,
                    reason: format!("{reason} (from environment variable `{}`)", name.as_ref()),
                },
                other => other,
            })?;
        }
        Ok(layer)
    }
}

/// Anything that can be read as a layer of configuration ("params-like", reference §8): a map
/// or a list of key-value pairs (values may be any `Display`: `4`, `true`, `"2 sec"`), a
/// [`ConfigOverrides`], a [`FugueConfig`] (every key set), or `None` (nothing set).
///
/// ```
/// use fugue_core::config::IntoConfigOverrides;
/// use std::collections::HashMap;
///
/// let config = [("fugue.workflow.concurrency", 4)].into_config()?;
/// assert_eq!(config.fugue.workflow.concurrency, 4);
///
/// let map = HashMap::from([("fugue.workflow.auto_persist".to_string(), "yes".to_string())]);
/// let layer = map.into_overrides()?;
/// assert!(layer.is_set("fugue.workflow.auto_persist"));
/// assert!(!layer.is_set("fugue.workflow.concurrency"));
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
pub trait IntoConfigOverrides {
    /// The layer; errors as [`FugueConfig::set`].
    fn into_overrides(self) -> Result<ConfigOverrides>;

    /// The defaults with this layer applied.
    fn into_config(self) -> Result<FugueConfig>
    where
        Self: Sized,
    {
        Ok(FugueConfig::default().merge(&self.into_overrides()?))
    }
}

fn from_pairs<K: AsRef<str>, V: Display>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Result<ConfigOverrides> {
    let mut layer = ConfigOverrides::new();
    for (k, v) in pairs {
        layer.set(k.as_ref(), &v.to_string())?;
    }
    Ok(layer)
}

impl IntoConfigOverrides for ConfigOverrides {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        Ok(self)
    }
}

impl IntoConfigOverrides for &ConfigOverrides {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        Ok(self.clone())
    }
}

impl IntoConfigOverrides for FugueConfig {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        Ok(ConfigOverrides::all_of(&self))
    }
}

impl IntoConfigOverrides for &FugueConfig {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        Ok(ConfigOverrides::all_of(self))
    }
}

/// `()` is no override: the defaults (or the layer below) stay.
impl IntoConfigOverrides for () {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        Ok(ConfigOverrides::new())
    }
}

impl<T: IntoConfigOverrides> IntoConfigOverrides for Option<T> {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        self.map_or_else(|| Ok(ConfigOverrides::new()), T::into_overrides)
    }
}

impl<K: AsRef<str>, V: Display, S> IntoConfigOverrides for HashMap<K, V, S> {
    /// Keys are applied in sorted order, so the result does not depend on hash order.
    fn into_overrides(self) -> Result<ConfigOverrides> {
        let mut pairs: Vec<(K, V)> = self.into_iter().collect();
        pairs.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        from_pairs(pairs)
    }
}

impl<K: AsRef<str>, V: Display> IntoConfigOverrides for BTreeMap<K, V> {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        from_pairs(self)
    }
}

/// Later pairs win over earlier ones with the same key.
impl<K: AsRef<str>, V: Display> IntoConfigOverrides for Vec<(K, V)> {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        from_pairs(self)
    }
}

/// Later pairs win over earlier ones with the same key.
impl<K: AsRef<str>, V: Display, const N: usize> IntoConfigOverrides for [(K, V); N] {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        from_pairs(self)
    }
}

/// Later pairs win over earlier ones with the same key.
impl<K: AsRef<str>, V: Display> IntoConfigOverrides for &[(K, V)] {
    fn into_overrides(self) -> Result<ConfigOverrides> {
        from_pairs(self.iter().map(|(k, v)| (k, v)))
    }
}

impl<K: AsRef<str>, V: Display> TryFrom<Vec<(K, V)>> for FugueConfig {
    type Error = FugueError;
    fn try_from(pairs: Vec<(K, V)>) -> Result<Self> {
        pairs.into_config()
    }
}

impl<K: AsRef<str>, V: Display> TryFrom<BTreeMap<K, V>> for FugueConfig {
    type Error = FugueError;
    fn try_from(map: BTreeMap<K, V>) -> Result<Self> {
        map.into_config()
    }
}

impl<K: AsRef<str>, V: Display, S> TryFrom<HashMap<K, V, S>> for FugueConfig {
    type Error = FugueError;
    fn try_from(map: HashMap<K, V, S>) -> Result<Self> {
        map.into_config()
    }
}
