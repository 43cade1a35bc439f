//! Configs from TOML files (`fugue-core` stays free of a TOML parser, so this lives here).
//!
//! Tables may be nested or use dotted keys; both name the same key:
//!
//! ```toml
//! [fugue.workflow]
//! concurrency = 4
//!
//! "fugue.rpc.flask_server.timeout" = "2 sec"   # a quoted flat key at the top level
//! fugue.default.partitions = 8                 # TOML dotted keys are nested tables
//!
//! [datafusion.execution]                       # keys outside `fugue.` pass through
//! batch_size = 8192
//! ```
//!
//! Value types: an `int` key takes a TOML integer, a `bool` key a TOML boolean, a `str` key a
//! TOML string, a `duration` key a string (`"2 sec"`) or a number of seconds. A TOML string is
//! also accepted for every key and parsed like any string value (`concurrency = "4"`). Any
//! other mismatch is an error naming the key. Keys outside `fugue.` take any scalar, stored as
//! its text; arrays are rejected. A key given twice (say once nested, once flat) is an error.
//!
//! ```
//! use fugue_runtime::config_toml::TomlConfig;
//! use fugue_runtime::fugue_core::config::FugueConfig;
//!
//! let config = FugueConfig::from_toml_str("[fugue.workflow]\nconcurrency = 4\n")?;
//! assert_eq!(config.fugue.workflow.concurrency, 4);
//! # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
//! ```

use fugue_core::config::{self, ConfigOverrides, ConfigType, FugueConfig};
use fugue_core::{FugueError, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Loading a config (or a layer of explicitly set keys) from TOML.
pub trait TomlConfig: Sized {
    /// Parses TOML text.
    fn from_toml_str(text: &str) -> Result<Self>;

    /// Reads and parses a TOML file.
    fn from_toml_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| FugueError::Io {
            action: "reading",
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml_str(&text)
    }
}

/// The keys the TOML sets, and only those (to layer over another config).
impl TomlConfig for ConfigOverrides {
    fn from_toml_str(text: &str) -> Result<Self> {
        overrides_from_toml_str(text)
    }
}

/// The defaults with the TOML's keys applied.
impl TomlConfig for FugueConfig {
    fn from_toml_str(text: &str) -> Result<Self> {
        Ok(FugueConfig::default().merge(&overrides_from_toml_str(text)?))
    }
}

/// The layer of keys a TOML text sets.
pub fn overrides_from_toml_str(text: &str) -> Result<ConfigOverrides> {
    let table: toml::Table =
        toml::from_str(text).map_err(|e| FugueError::external("parsing a TOML config", e))?;
    let mut flat = BTreeMap::new();
    flatten("", &table, &mut flat)?;
    let mut layer = ConfigOverrides::new();
    for (key, value) in flat {
        let text = value_text(&key, &value)?;
        layer.set(&key, &text)?;
    }
    Ok(layer)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, toml::Value>,
) -> Result<()> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let toml::Value::Table(inner) = value {
            flatten(&key, inner, out)?;
        } else if out.insert(key.clone(), value.clone()).is_some() {
            return Err(FugueError::Config {
                key,
                reason: "set twice in the TOML (nested and flat keys name the same key)"
                    .to_string(),
            });
        }
    }
    Ok(())
}

/// The string form of a TOML value for `key`, checked against the key's type.
fn value_text(key: &str, value: &toml::Value) -> Result<String> {
    use toml::Value as V;
    let mismatch = |expected: &str| FugueError::Config {
        key: key.to_string(),
        reason: format!(
            "expects {expected}, got TOML {} `{value}`",
            value.type_str()
        ),
    };
    if let V::Array(_) = value {
        return Err(mismatch("a single value"));
    }
    let Some(entry) = config::entry(key) else {
        // Extra keys (and unknown `fugue.` keys, which `set` rejects with a suggestion).
        return Ok(match value {
            V::String(s) => s.clone(),
            other => other.to_string(),
        });
    };
    match (entry.ty, value) {
        (_, V::String(s)) => Ok(s.clone()),
        (ConfigType::Int, V::Integer(i)) => Ok(i.to_string()),
        (ConfigType::Int, _) => Err(mismatch("an integer")),
        (ConfigType::Bool, V::Boolean(b)) => Ok(b.to_string()),
        (ConfigType::Bool, _) => Err(mismatch("a boolean")),
        (ConfigType::Duration, V::Integer(i)) => Ok(i.to_string()),
        (ConfigType::Duration, V::Float(f)) => Ok(f.to_string()),
        (ConfigType::Duration, _) => Err(mismatch("a duration string or a number of seconds")),
        (ConfigType::Str | ConfigType::Path, _) => Err(mismatch("a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fugue_core::ErrorKind;
    use std::time::Duration;

    fn err_text<T: std::fmt::Debug>(result: Result<T>) -> String {
        match result {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn nested_and_flat_keys_are_the_same_keys() -> Result<()> {
        let nested = FugueConfig::from_toml_str(
            "[fugue.workflow]\nconcurrency = 4\nauto_persist = true\n\
             [fugue.rpc.flask_server]\ntimeout = \"2 sec\"\nport = 8080\n",
        )?;
        let flat = FugueConfig::from_toml_str(
            "\"fugue.workflow.concurrency\" = 4\n\
             fugue.workflow.auto_persist = true\n\
             \"fugue.rpc.flask_server.timeout\" = \"2 sec\"\n\
             fugue.rpc.flask_server.port = 8080\n",
        )?;
        assert_eq!(nested, flat);
        let mixed = FugueConfig::from_toml_str(
            "[fugue]\n\"workflow.concurrency\" = 4\nworkflow.auto_persist = true\n\
             [fugue.rpc]\n\"flask_server.timeout\" = \"2 sec\"\nflask_server.port = 8080\n",
        )?;
        assert_eq!(nested, mixed);
        assert_eq!(nested.fugue.workflow.concurrency, 4);
        assert!(nested.fugue.workflow.auto_persist);
        assert_eq!(nested.fugue.rpc.flask_server.port, Some(8080));
        assert_eq!(
            nested.fugue.rpc.flask_server.timeout,
            Some(Duration::from_secs(2))
        );
        assert_eq!(nested.fugue.default.partitions, -1);
        Ok(())
    }

    #[test]
    fn values_of_matching_types_and_strings_are_accepted() -> Result<()> {
        let c = FugueConfig::from_toml_str(
            "[fugue]\nworkflow.concurrency = \"3\"\nrpc.flask_server.timeout = 1.5\n\
             workflow.checkpoint.path = \"/tmp/ck\"\nsql.compile.dialect = \"duckdb\"\n",
        )?;
        assert_eq!(c.fugue.workflow.concurrency, 3);
        assert_eq!(
            c.fugue.rpc.flask_server.timeout,
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            c.get("fugue.workflow.checkpoint.path").as_deref(),
            Some("/tmp/ck")
        );
        assert_eq!(c.fugue.sql.compile.dialect, "duckdb");
        let c = FugueConfig::from_toml_str("fugue.rpc.flask_server.timeout = 3")?;
        assert_eq!(
            c.fugue.rpc.flask_server.timeout,
            Some(Duration::from_secs(3))
        );
        Ok(())
    }

    #[test]
    fn wrong_types_name_the_key() {
        let err = err_text(FugueConfig::from_toml_str(
            "[fugue.workflow]\nauto_persist = 1\n",
        ));
        assert_eq!(
            err,
            "invalid config `fugue.workflow.auto_persist`: expects a boolean, got TOML integer `1`"
        );
        let err = err_text(FugueConfig::from_toml_str(
            "fugue.workflow.concurrency = true",
        ));
        assert!(
            err.contains("`fugue.workflow.concurrency`: expects an integer, got TOML boolean"),
            "{err}"
        );
        let err = err_text(FugueConfig::from_toml_str("fugue.rpc.server = 3"));
        assert!(
            err.contains("`fugue.rpc.server`: expects a string"),
            "{err}"
        );
        let err = err_text(FugueConfig::from_toml_str(
            "fugue.workflow.concurrency = -1",
        ));
        assert!(
            err.contains("expects a non-negative integer, got `-1`"),
            "{err}"
        );
        let err = err_text(FugueConfig::from_toml_str(
            "fugue.workflow.concurrency = [1]",
        ));
        assert!(err.contains("expects a single value"), "{err}");
        let err = err_text(FugueConfig::from_toml_str(
            "[fugue.workflow]\nconcurency = 4\n",
        ));
        assert!(
            err.ends_with("did you mean `fugue.workflow.concurrency`?"),
            "{err}"
        );
    }

    #[test]
    fn duplicates_and_syntax_errors_are_errors() {
        let err = err_text(FugueConfig::from_toml_str(
            "\"fugue.workflow.concurrency\" = 2\n[fugue.workflow]\nconcurrency = 4\n",
        ));
        assert!(
            err.contains("`fugue.workflow.concurrency`: set twice"),
            "{err}"
        );
        let result = FugueConfig::from_toml_str("[fugue.workflow\n");
        assert!(
            result
                .as_ref()
                .is_err_and(|e| e.kind() == ErrorKind::External)
        );
        assert!(err_text(result).starts_with("parsing a TOML config"));
    }

    #[test]
    fn other_keys_pass_through_as_text() -> Result<()> {
        let layer = ConfigOverrides::from_toml_str(
            "[datafusion.execution]\nbatch_size = 8192\nenabled = true\nname = \"x\"\n",
        )?;
        assert_eq!(
            layer.to_map().into_iter().collect::<Vec<_>>(),
            [
                (
                    "datafusion.execution.batch_size".to_string(),
                    "8192".to_string()
                ),
                (
                    "datafusion.execution.enabled".to_string(),
                    "true".to_string()
                ),
                ("datafusion.execution.name".to_string(), "x".to_string()),
            ]
        );
        // A layer from TOML sets only its keys.
        assert!(!layer.is_set("fugue.workflow.concurrency"));
        Ok(())
    }

    #[test]
    fn files_are_read_and_missing_files_are_io_errors() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("fugue-config-toml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| FugueError::external("test dir", e))?;
        let path = dir.join("fugue.toml");
        std::fs::write(&path, "[fugue.default]\npartitions = 6\n")
            .map_err(|e| FugueError::external("test file", e))?;
        let c = FugueConfig::from_toml_file(&path)?;
        assert_eq!(c.fugue.default.partitions, 6);
        let missing = FugueConfig::from_toml_file(dir.join("missing.toml"));
        assert!(missing.is_err_and(|e| e.kind() == ErrorKind::Io));
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
