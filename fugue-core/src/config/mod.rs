//! The typed configuration tree: every `fugue.*` key, declared once.
//!
//! Each namespace is a struct whose fields carry a doc comment, a default and a scope
//! (`config_namespace!`, in the style of DataFusion's `config.rs`). From that one declaration
//! come the dotted key (`fugue.workflow.concurrency`, mirroring the field path
//! `config.fugue.workflow.concurrency`), parsing from strings with clear errors, string
//! [`get`](FugueConfig::get) / [`set`](FugueConfig::set), the listing of [`entries`], the
//! environment variable (`FUGUE_WORKFLOW_CONCURRENCY`) and the generated page
//! `docs/configs.md` ([`markdown`]).
//!
//! Keys outside `fugue.` (engine keys such as `datafusion.execution.batch_size`, or a user's
//! own keys read by transformers) are kept as strings in an "extra" map and passed through;
//! an unknown key *under* `fugue.` is an error that suggests the closest valid key.
//!
//! Layers: a [`ConfigOverrides`] holds only the keys someone set explicitly. A full config is
//! the defaults with layers applied in order, `defaults < engine conf < workflow conf <
//! per-call` ([`FugueConfig::layered`], [`FugueConfig::merge`]); applying a layer returns a new
//! config and never changes the one it starts from (in Fugue, a per-call override mutates the
//! engine's config; here it cannot).
//!
//! ```
//! use fugue_core::config::{ConfigOverrides, FugueConfig, IntoConfigOverrides};
//! use std::time::Duration;
//!
//! // Typed access mirrors the key.
//! let mut engine = FugueConfig::default();
//! assert_eq!(engine.fugue.workflow.concurrency, 1);
//! engine.set("fugue.rpc.flask_server.timeout", "2 sec")?;
//! assert_eq!(engine.fugue.rpc.flask_server.timeout, Some(Duration::from_secs(2)));
//! assert_eq!(engine.get("fugue.rpc.flask_server.timeout").as_deref(), Some("2s"));
//!
//! // Keys outside `fugue.` pass through; typos under `fugue.` are caught.
//! engine.set("datafusion.execution.batch_size", "8192")?;
//! let err = engine.set("fugue.workflow.concurency", "4").unwrap_err();
//! assert!(err.to_string().contains("did you mean `fugue.workflow.concurrency`?"));
//! let err = engine.set("fugue.workflow.concurrency", "abc").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "invalid config `fugue.workflow.concurrency`: expects a non-negative integer, got `abc`"
//! );
//!
//! // A per-call override layers over the engine's config without changing it.
//! let per_call = [("fugue.default.partitions", "8")].into_overrides()?;
//! let effective = engine.merge(&per_call);
//! assert_eq!(effective.fugue.default.partitions, 8);
//! assert_eq!(engine.fugue.default.partitions, -1);
//! assert_eq!(effective.get("datafusion.execution.batch_size").as_deref(), Some("8192"));
//! # Ok::<(), fugue_core::FugueError>(())
//! ```

#[macro_use]
mod tree;
mod doc;
mod global;
mod layer;
mod value;

pub use doc::markdown;
pub use global::{
    clear_global_conf, engine_conf, engine_conf_with_env, global_conf, register_global_conf,
    try_register_global_conf,
};
pub use layer::{ConfigOverrides, IntoConfigOverrides};
pub use tree::{ConfigField, ConfigScope, FieldMeta, Leaf};
pub use value::{ConfigType, ConfigValue, format_duration, parse_duration};

use crate::error::{FugueError, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// The prefix of every key of the typed tree.
pub const PREFIX: &str = "fugue";

config_namespace! {
    /// Every `fugue.*` key: the root of the typed tree (`fugue.<namespace>.<field>`).
    pub struct FugueOptions {
        /// `fugue.workflow.*`: how a workflow (DAG) runs.
        pub workflow: WorkflowOptions;
        /// `fugue.default.*`: engine defaults.
        pub default: DefaultOptions;
        /// `fugue.rpc.*`: callbacks from transformers to the driver.
        pub rpc: RpcOptions;
        /// `fugue.sql.*`: FugueSQL.
        pub sql: SqlOptions;
        /// `fugue.ballista.*`: the distributed engine (Apache DataFusion Ballista).
        pub ballista: BallistaOptions;
    }
}

config_namespace! {
    /// `fugue.workflow.*`: how a workflow (DAG) runs.
    pub struct WorkflowOptions {
        /// Maximum number of DAG steps run at the same time. Read when a run starts, from the
        /// run's merged config (engine, workflow and per-call layers).
        pub concurrency: usize, default = 1, scope = Compile;
        /// `fugue.workflow.checkpoint.*`: file checkpoints.
        pub checkpoint: CheckpointOptions;
        /// When a step's output gets a second downstream consumer, persist it (eagerly) so it
        /// is computed once.
        pub auto_persist: bool, default = false, scope = Compile;
        /// Storage level passed to persist for auto-persisted outputs (engine-specific, e.g.
        /// memory or disk); unset = the engine's default. The engines here persist in memory,
        /// their one level: `memory` or unset; another level fails the run before it starts.
        pub auto_persist_value: Option<String>, default = None, scope = Compile;
    }
}

config_namespace! {
    /// `fugue.workflow.checkpoint.*`: file checkpoints.
    pub struct CheckpointOptions {
        /// Root folder for file checkpoints and yielded files; each run uses a temporary
        /// sub-folder that is removed when the run ends. Unset: a file checkpoint fails at run
        /// time.
        pub path: Option<PathBuf>, default = None, scope = Engine;
    }
}

config_namespace! {
    /// `fugue.default.*`: engine defaults.
    pub struct DefaultOptions {
        /// Default number of physical partitions when a step does not set `num`; -1 or 0 = the
        /// engine decides (e.g. from its parallelism). Read by `local` (a transformer step
        /// without `num`, except `even` specs, which place one key per partition) and by
        /// Ballista (its shuffle partitions when `fugue.ballista.partitions` is 0); `native`
        /// has one physical partition.
        pub partitions: i64, default = -1, scope = Engine;
    }
}

config_namespace! {
    /// `fugue.rpc.*`: callbacks from transformers to the driver.
    pub struct RpcOptions {
        /// Callback server used for transformer-to-driver callbacks, created once per workflow
        /// run: `native` (in process: the engines of one machine), `flight` (the Arrow Flight
        /// server of the Ballista engine, `fugue.rpc.flight_server.*`) or `flask` (Fugue's name:
        /// the same Flight server bound to `fugue.rpc.flask_server.*`); unset = the engine's
        /// own (`native` on one machine, `flight` on Ballista). An engine given a server it
        /// cannot use refuses it when it is created.
        pub server: Option<String>, default = None, scope = Engine;
        /// `fugue.rpc.flask_server.*`: the HTTP callback server.
        pub flask_server: FlaskServerOptions;
        /// `fugue.rpc.flight_server.*`: the Arrow Flight callback server of distributed
        /// engines.
        pub flight_server: FlightServerOptions;
    }
}

impl RpcOptions {
    /// The server `fugue.rpc.server` names (`None` when unset: the engine's own). A value
    /// outside the accepted names is [`FugueError::Config`] listing them.
    pub fn server_kind(&self) -> Result<Option<crate::options::RpcServer>> {
        match self.server.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(name) => name
                .parse()
                .map(Some)
                .map_err(|e: FugueError| FugueError::Config {
                    key: "fugue.rpc.server".to_string(),
                    reason: e.to_string(),
                }),
        }
    }
}

config_namespace! {
    /// `fugue.rpc.flight_server.*`: the Arrow Flight callback server that a distributed engine
    /// starts on the driver for a step with a callback; executors present the run's secret
    /// token with every call.
    pub struct FlightServerOptions {
        /// Bind host of the callback server: loopback by default; set the driver's address
        /// reachable from the executors (or a wildcard, `0.0.0.0` or `::`) when they run on
        /// other machines, together with `fugue.rpc.flight_server.allow_insecure`.
        pub host: String, default = String::from("127.0.0.1"), scope = Engine;
        /// Bind port of the callback server; unset = any free port.
        pub port: Option<u16>, default = None, scope = Engine;
        /// How long an executor waits for the driver's answer to one call.
        pub timeout: Option<Duration>, default = Some(Duration::from_secs(60)), scope = Engine;
        /// The host executors are told to call (the driver's name or address as the
        /// executors see it); unset = the bound address, or for a wildcard `host` this
        /// machine's non-loopback address, and an error asking for this key when it has none.
        pub advertise_host: Option<String>, default = None, scope = Engine;
        /// Allow the callback server to listen beyond loopback. It has no TLS: the calls, their
        /// values and the run's token travel in clear text on the network, so the server
        /// refuses a non-loopback `host` unless this is `true`.
        pub allow_insecure: bool, default = false, scope = Engine;
    }
}

config_namespace! {
    /// `fugue.ballista.*`: the distributed engine (`ballista://host:port`).
    pub struct BallistaOptions {
        /// Folder that every node of the cluster reads and writes at the same path (a shared
        /// mount), where the engine stages the frames the driver sends to the cluster; unset =
        /// a temporary folder of the driver's machine (right for a one-machine cluster only).
        pub shared_dir: Option<PathBuf>, default = None, scope = Engine;
        /// Shuffle partitions of a distributed step (hash partitions of a transformer's keys,
        /// of a join, of an aggregation); 0 = `fugue.default.partitions` when positive, else
        /// twice the engine's parallelism.
        pub partitions: usize, default = 0, scope = Engine;
        /// Cores each executor offers (the `executor` command and the standalone mode); 0 =
        /// the machine's parallelism.
        pub executor_cores: usize, default = 0, scope = Engine;
        /// Folder of an executor's shuffle files (the `executor` command); unset = a temporary
        /// folder.
        pub executor_work_dir: Option<PathBuf>, default = None, scope = Engine;
    }
}

config_namespace! {
    /// `fugue.rpc.flask_server.*`: the callback server of `fugue.rpc.server = flask` (the name
    /// is kept from Fugue, where it is a Flask HTTP server; here it is the Flight server).
    pub struct FlaskServerOptions {
        /// Bind host of the callback server of `fugue.rpc.server = flask`; required when that
        /// server is used.
        pub host: Option<String>, default = None, scope = Engine;
        /// Bind port of the callback server of `fugue.rpc.server = flask`; required when that
        /// server is used.
        pub port: Option<u16>, default = None, scope = Engine;
        /// Client timeout of worker-to-driver calls through the server of
        /// `fugue.rpc.server = flask`; unset = no timeout.
        pub timeout: Option<Duration>, default = None, scope = Engine;
    }
}

config_namespace! {
    /// `fugue.sql.*`: FugueSQL.
    pub struct SqlOptions {
        /// `fugue.sql.compile.*`: how FugueSQL text is compiled.
        pub compile: SqlCompileOptions;
    }
}

config_namespace! {
    /// `fugue.sql.compile.*`: how FugueSQL text is compiled.
    pub struct SqlCompileOptions {
        /// Accept lower-case keywords in FugueSQL text; read when the SQL is compiled (only
        /// relevant if FugueSQL is supported).
        pub ignore_case: bool, default = false, scope = Compile;
        /// SQL dialect of the SELECT fragments in FugueSQL (only relevant if FugueSQL is
        /// supported).
        pub dialect: String, default = String::from("spark"), scope = Compile;
    }
}

/// A full configuration: every `fugue.*` key with a typed value (defaults where not set), plus
/// the keys outside `fugue.` as strings.
///
/// Typed reads and writes go through [`fugue`](Self::fugue) (`config.fugue.workflow.concurrency`);
/// string access through [`get`](Self::get) and [`set`](Self::set). To layer configs, see
/// [`ConfigOverrides`] and [`merge`](Self::merge).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FugueConfig {
    /// The `fugue.*` keys.
    pub fugue: FugueOptions,
    /// Keys outside `fugue.`, as given.
    extra: BTreeMap<String, String>,
}

/// One key of the tree, as [`entries`] and [`FugueConfig::entries`] list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    /// The dotted key, `fugue.workflow.concurrency`.
    pub key: String,
    /// The current value printed (`None` when unset).
    pub value: Option<String>,
    /// The default printed (`None` when unset by default).
    pub default: Option<String>,
    /// The value's type.
    pub ty: ConfigType,
    /// Which config the key is read from.
    pub scope: ConfigScope,
    /// The meaning, from the field's doc comment.
    pub doc: String,
    /// The environment variable that sets it, `FUGUE_WORKFLOW_CONCURRENCY`.
    pub env_var: String,
}

/// The environment variable of a key: dots become underscores, letters upper case
/// (`fugue.workflow.concurrency` → `FUGUE_WORKFLOW_CONCURRENCY`).
pub fn env_var_name(key: &str) -> String {
    key.replace('.', "_").to_ascii_uppercase()
}

/// Every `fugue.*` key with its default, in declaration order.
pub fn entries() -> Vec<ConfigEntry> {
    FugueConfig::default().entries()
}

/// Every `fugue.*` key, in declaration order.
pub fn keys() -> Vec<String> {
    entries().into_iter().map(|e| e.key).collect()
}

/// The entry of one `fugue.*` key (with its default), or `None` when the key is not one.
pub fn entry(key: &str) -> Option<ConfigEntry> {
    entries().into_iter().find(|e| e.key == key)
}

fn leaves(options: &FugueOptions) -> Vec<(String, Option<String>, ConfigType, FieldMeta)> {
    let mut out = Vec::new();
    let root = FieldMeta {
        doc: &[],
        scope: None,
    };
    options.visit(PREFIX, root, &mut |leaf| {
        out.push((leaf.key.to_string(), leaf.value, leaf.ty, leaf.meta));
    });
    out
}

fn doc_text(lines: &[&str]) -> String {
    lines
        .iter()
        .flat_map(|l| l.split_whitespace())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `key` belongs to the typed tree's namespace (`fugue.` in any letter case, so that
/// `FUGUE.workflow.x` is caught as a typo rather than passed through).
fn is_fugue_key(key: &str) -> bool {
    key.get(..PREFIX.len() + 1)
        .is_some_and(|p| p.eq_ignore_ascii_case("fugue."))
}

/// The error for an unknown key under `fugue.`, with the closest valid key suggested.
pub(crate) fn unknown_key(key: &str) -> FugueError {
    let known = keys();
    let reason = match suggest_key(key, &known) {
        Some(s) => format!("unknown key; did you mean `{s}`?"),
        None => format!(
            "unknown key; the `fugue.` keys are: {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    FugueError::Config {
        key: crate::error::excerpt(key),
        reason,
    }
}

/// The valid key closest to `key`: by edit distance on the whole key, else by its last
/// segment (`fugue.concurrency` → `fugue.workflow.concurrency`).
fn suggest_key<'a>(key: &str, known: &'a [String]) -> Option<&'a str> {
    // A suggestion is at most a third of the name's length away, so a name more than twice
    // as long as every candidate has none; it is not compared (edit distance is quadratic).
    let longest = known.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let comparable = |name: &str| name.chars().count() <= 2 * longest;
    if comparable(key)
        && let Some(k) = crate::error::closest_name(key, known.iter().map(String::as_str))
    {
        return Some(k);
    }
    let last = |k: &'a str| k.rsplit('.').next().unwrap_or(k);
    let wanted = key.rsplit('.').next().unwrap_or(key);
    if !comparable(wanted) {
        return None;
    }
    let close = crate::error::closest_name(wanted, known.iter().map(|k| last(k)))?;
    let mut matching = known.iter().filter(|k| last(k) == close);
    let first = matching.next()?;
    // An ambiguous last segment suggests nothing rather than a guess.
    matching.next().is_none().then_some(first.as_str())
}

impl FugueConfig {
    /// The defaults (same as [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key` printed: a `fugue.*` key's current value, or an extra key's string.
    /// `None` when the key is unset or unknown.
    pub fn get(&self, key: &str) -> Option<String> {
        if is_fugue_key(key) {
            let mut found = None;
            let root = FieldMeta {
                doc: &[],
                scope: None,
            };
            self.fugue.visit(PREFIX, root, &mut |leaf| {
                if leaf.key == key {
                    found = leaf.value;
                }
            });
            found
        } else {
            self.extra.get(key).cloned()
        }
    }

    /// Sets `key` from a string. A `fugue.*` key is parsed to its type (the empty string unsets
    /// an optional key); any other non-empty key is stored as given (a trailing dot included:
    /// [`get`](Self::get) and [`to_map`](Self::to_map) give it back as set). A `fugue.*` key
    /// is spelled exactly: `fugue.workflow.concurrency.` (a trailing dot) is an unknown key.
    ///
    /// Errors ([`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument)): an unknown
    /// key under `fugue.` (with the closest key suggested), a value that does not parse, an
    /// empty key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<&mut Self> {
        if key.is_empty() {
            return Err(FugueError::Config {
                key: String::new(),
                reason: "a config key cannot be empty".to_string(),
            });
        }
        if !is_fugue_key(key) {
            self.extra.insert(key.to_string(), value.to_string());
            return Ok(self);
        }
        let rest = key.strip_prefix("fugue.").ok_or_else(|| unknown_key(key))?;
        match self.fugue.set_str(rest, value) {
            Ok(true) => Ok(self),
            Ok(false) => Err(unknown_key(key)),
            Err(reason) => Err(FugueError::Config {
                key: crate::error::excerpt(key),
                reason,
            }),
        }
    }

    /// [`set`](Self::set), by value, for chaining.
    pub fn with(mut self, key: &str, value: &str) -> Result<Self> {
        self.set(key, value)?;
        Ok(self)
    }

    /// Puts a `fugue.*` key back to its default, or removes an extra key. Unknown `fugue.*`
    /// keys are an error.
    pub fn reset(&mut self, key: &str) -> Result<&mut Self> {
        if !is_fugue_key(key) {
            self.extra.remove(key);
            return Ok(self);
        }
        let rest = key.strip_prefix("fugue.").ok_or_else(|| unknown_key(key))?;
        if self.fugue.copy_from(&FugueOptions::default(), rest) {
            Ok(self)
        } else {
            Err(unknown_key(key))
        }
    }

    /// The keys outside `fugue.`, sorted.
    pub fn extra(&self) -> impl Iterator<Item = (&str, &str)> {
        self.extra.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every `fugue.*` key with its current value and default, in declaration order.
    pub fn entries(&self) -> Vec<ConfigEntry> {
        let defaults = leaves(&FugueOptions::default());
        leaves(&self.fugue)
            .into_iter()
            .zip(defaults)
            .map(|((key, value, ty, meta), (_, default, _, _))| ConfigEntry {
                env_var: env_var_name(&key),
                key,
                value,
                default,
                ty,
                // Every leaf declares a scope (a test checks it); namespaces have none.
                scope: meta.scope.unwrap_or(ConfigScope::Engine),
                doc: doc_text(meta.doc),
            })
            .collect()
    }

    /// Every key with a value, printed: the `fugue.*` keys that have a value, then the extra
    /// keys. An optional key that is unset although its default is not (an unset
    /// `fugue.rpc.flight_server.timeout`) is `""`, which unsets it again, so that
    /// `config.to_map().into_config()` gives back `config`.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = self
            .entries()
            .into_iter()
            .filter_map(|e| match (e.value, e.default) {
                (Some(value), _) => Some((e.key, value)),
                (None, Some(_)) => Some((e.key, String::new())),
                (None, None) => None,
            })
            .collect();
        map.extend(self.extra.clone());
        map
    }

    /// This config with the explicitly set keys of `over` applied; `self` is not changed.
    pub fn merge(&self, over: &ConfigOverrides) -> FugueConfig {
        let mut merged = self.clone();
        over.apply_to(&mut merged);
        merged
    }

    /// The defaults with each layer applied in order (later layers win), for example
    /// `[engine_conf, workflow_conf, per_call]`.
    pub fn layered<'a>(layers: impl IntoIterator<Item = &'a ConfigOverrides>) -> FugueConfig {
        let mut config = FugueConfig::default();
        for layer in layers {
            layer.apply_to(&mut config);
        }
        config
    }

    /// The defaults with the `FUGUE_*` environment variables of known keys applied (see
    /// [`ConfigOverrides::from_env`]).
    pub fn from_env() -> Result<FugueConfig> {
        Ok(FugueConfig::default().merge(&ConfigOverrides::from_env()?))
    }

    /// This config with the `FUGUE_*` environment variables of known keys applied over it;
    /// `self` is not changed.
    pub fn with_env_overrides(&self) -> Result<FugueConfig> {
        Ok(self.merge(&ConfigOverrides::from_env()?))
    }

    /// [`with_env_overrides`](Self::with_env_overrides) from given `(variable, value)` pairs
    /// instead of the process environment (for tests and embedding).
    pub fn with_env_vars<K, V>(&self, vars: impl IntoIterator<Item = (K, V)>) -> Result<FugueConfig>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        Ok(self.merge(&ConfigOverrides::from_env_vars(vars)?))
    }

    pub(crate) fn copy_key_from(&mut self, other: &FugueConfig, key: &str) -> bool {
        match key.strip_prefix("fugue.") {
            Some(rest) => self.fugue.copy_from(&other.fugue, rest),
            None => match other.extra.get(key) {
                Some(v) => {
                    self.extra.insert(key.to_string(), v.clone());
                    true
                }
                None => false,
            },
        }
    }
}

#[cfg(test)]
mod tests;
