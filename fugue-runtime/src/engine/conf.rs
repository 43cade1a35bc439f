//! [`EngineConf`]: an engine's configuration, a string map for now.
//!
//! It becomes the typed engine config (`fugue-core`'s config module) when that lands; the API
//! here (`get`, `set`, `layered`) is what the engines use, so the switch stays local.

use fugue_core::{FugueError, Result};
use std::collections::BTreeMap;

/// The number of worker threads of the `local` engine (default: the machine's parallelism).
pub const LOCAL_WORKERS: &str = "fugue.local.workers";

/// An engine's configuration: keys `fugue.<namespace>.<field>` to string values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineConf {
    values: BTreeMap<String, String>,
}

impl EngineConf {
    /// The empty configuration.
    pub fn new() -> Self {
        EngineConf::default()
    }

    /// With a key set (replacing an existing value).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set(key, value);
        self
    }

    /// Set a key (replacing an existing value).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.values.insert(key.into(), value.into());
    }

    /// A key's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A key's value as a positive integer; a value that is not one is
    /// [`FugueError::InvalidArgument`] naming the key.
    pub fn get_positive(&self, key: &str) -> Result<Option<usize>> {
        match self.get(key) {
            None => Ok(None),
            Some(text) => match text.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(FugueError::invalid_argument(
                    key,
                    format!("`{text}` is not a positive integer"),
                )),
            },
        }
    }

    /// Every key and value, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// A new configuration: this one with `overrides` on top (later wins). Neither input
    /// changes: a per-call override never mutates an engine's configuration.
    pub fn layered(&self, overrides: &EngineConf) -> EngineConf {
        let mut values = self.values.clone();
        values.extend(overrides.values.clone());
        EngineConf { values }
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EngineConf {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        EngineConf {
            values: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl From<BTreeMap<String, String>> for EngineConf {
    fn from(values: BTreeMap<String, String>) -> Self {
        EngineConf { values }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layering_keeps_both_inputs() {
        let base = EngineConf::new().with("a", "1").with("b", "2");
        let over = EngineConf::new().with("b", "3");
        let merged = base.layered(&over);
        assert_eq!(merged.get("a"), Some("1"));
        assert_eq!(merged.get("b"), Some("3"));
        assert_eq!(base.get("b"), Some("2"));
    }

    #[test]
    fn positive_integers_are_checked() {
        let conf = EngineConf::new().with(LOCAL_WORKERS, "0");
        assert!(conf.get_positive(LOCAL_WORKERS).is_err());
        let conf = EngineConf::new().with(LOCAL_WORKERS, " 4 ");
        assert_eq!(conf.get_positive(LOCAL_WORKERS).unwrap(), Some(4));
        assert_eq!(conf.get_positive("missing").unwrap(), None);
    }
}
