//! The `g_config_keys.tsv` contract: the config exposes exactly the listed keys (no more, no
//! fewer, apart from the distributed engine's documented namespaces, [`EXTENSIONS`]), with
//! those defaults (an empty default is unset), types and scopes.
//!
//! Used by `tests/config_keys.rs`; `main.rs` runs the JSON categories only.

use fugue_core::config::{self, ConfigScope, ConfigType, FugueConfig};
use std::collections::BTreeSet;
use std::path::Path;

/// The header the file must start with.
const HEADER: [&str; 5] = ["key", "default", "type", "scope", "meaning"];

/// The config type of a TSV type word (`int`, `bool`, `str`, `str (path)`,
/// `duration (e.g. 2 sec)`).
fn type_of(word: &str) -> Option<ConfigType> {
    match word {
        "int" => Some(ConfigType::Int),
        "bool" => Some(ConfigType::Bool),
        "str" => Some(ConfigType::Str),
        "str (path)" => Some(ConfigType::Path),
        w if w == "duration" || w.starts_with("duration (") => Some(ConfigType::Duration),
        _ => None,
    }
}

fn scope_of(word: &str) -> Option<ConfigScope> {
    match word {
        "compile" => Some(ConfigScope::Compile),
        "engine" => Some(ConfigScope::Engine),
        _ => None,
    }
}

/// The namespaces this project adds to Fugue's keys for its distributed engine (issue 7:
/// its keys join the typed tree): `fugue.ballista.*` and the Arrow Flight callback server
/// `fugue.rpc.flight_server.*` (beside Fugue's `fugue.rpc.flask_server.*`). Documented in
/// `docs/configs.md` and `docs/divergences.md`; any other key the TSV does not list fails.
const EXTENSIONS: [&str; 2] = ["fugue.ballista.", "fugue.rpc.flight_server."];

fn is_extension(key: &str) -> bool {
    EXTENSIONS.iter().any(|prefix| key.starts_with(prefix))
}

/// Checks the config against one `g_config_keys.tsv`; `Err` lists every difference.
pub fn check_tsv(path: &Path) -> Result<(), String> {
    let file = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: cannot read: {e}"))?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    if header != HEADER {
        return Err(format!(
            "{file}: the header must be `{}`, found `{}`",
            HEADER.join("\\t"),
            header.join("\\t")
        ));
    }
    let mut failures = Vec::new();
    let mut listed = BTreeSet::new();
    for (index, line) in lines.enumerate() {
        let row = index + 2;
        let cells: Vec<&str> = line.split('\t').collect();
        let [key, default, ty, scope, _meaning] = cells[..] else {
            failures.push(format!(
                "row {row}: expected 5 tab-separated cells, found {}",
                cells.len()
            ));
            continue;
        };
        if !listed.insert(key.to_string()) {
            failures.push(format!("`{key}`: listed twice"));
            continue;
        }
        let Some(entry) = config::entry(key) else {
            failures.push(format!(
                "`{key}`: listed in the TSV but not a key of the config"
            ));
            continue;
        };
        match type_of(ty) {
            Some(t) if t == entry.ty => {}
            Some(_) => failures.push(format!(
                "`{key}`: type is `{}`, the TSV says `{ty}`",
                entry.ty
            )),
            None => failures.push(format!("`{key}`: unknown TSV type word `{ty}`")),
        }
        match scope_of(scope) {
            Some(s) if s == entry.scope => {}
            Some(_) => failures.push(format!(
                "`{key}`: scope is `{}`, the TSV says `{scope}`",
                entry.scope
            )),
            None => failures.push(format!("`{key}`: unknown TSV scope `{scope}`")),
        }
        // Compare values, not spellings: the TSV default goes through the key's own parser.
        let expected = match FugueConfig::default().with(key, default) {
            Ok(c) => c.get(key),
            Err(e) => {
                failures.push(format!(
                    "`{key}`: the TSV default `{default}` does not parse: {e}"
                ));
                continue;
            }
        };
        if expected != entry.default {
            failures.push(format!(
                "`{key}`: default is {:?}, the TSV says {:?} (empty = unset)",
                entry.default, expected
            ));
        }
    }
    for key in config::keys() {
        if !listed.contains(&key) && !is_extension(&key) {
            failures.push(format!(
                "`{key}`: a key of the config that the TSV does not list"
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{file}:\n  {}", failures.join("\n  ")))
    }
}
