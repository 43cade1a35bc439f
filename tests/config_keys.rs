//! The config exposes exactly the keys of `shared/cases/g_config_keys.tsv` (and of
//! `$FUGUE_CASES_DIR/g_config_keys.tsv` when that folder has one), with their defaults, types
//! and scopes.

#[path = "cases/config_keys.rs"]
mod config_keys;

use config_keys::check_tsv;
use std::path::{Path, PathBuf};

const FILE: &str = "g_config_keys.tsv";

#[test]
fn config_exposes_exactly_the_tsv_keys() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/cases")
        .join(FILE);
    assert!(
        shared.is_file(),
        "`{}` is missing; the test expects the workspace to sit next to `shared/cases`",
        shared.display()
    );
    let mut files = vec![shared];
    if let Some(dir) = std::env::var_os("FUGUE_CASES_DIR") {
        let extra = PathBuf::from(dir).join(FILE);
        if extra.is_file() {
            files.push(extra);
        }
    }
    let failures: Vec<String> = files.iter().filter_map(|f| check_tsv(f).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checker itself catches a missing key, an extra key, and wrong defaults, types and
/// scopes.
#[test]
fn the_check_reports_every_difference() {
    let dir = std::env::temp_dir().join(format!("fugue-config-keys-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create `{}`: {e}", dir.display());
    }
    let path = dir.join(FILE);
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/cases")
        .join(FILE);
    let text = std::fs::read_to_string(&shared).unwrap_or_default();
    let doctored: String = text
        .lines()
        .filter(|l| !l.starts_with("fugue.rpc.server\t"))
        .map(|l| {
            l.replace(
                "fugue.workflow.concurrency\t1\tint",
                "fugue.workflow.concurrency\t2\tint",
            )
            .replace(
                "fugue.default.partitions\t-1\tint\tengine",
                "fugue.default.partitions\t-1\tbool\tcompile",
            )
        })
        .chain(["fugue.extra.key\t\tstr\tengine\tnot a key".to_string()])
        .map(|l| l + "\n")
        .collect();
    if let Err(e) = std::fs::write(&path, doctored) {
        panic!("cannot write `{}`: {e}", path.display());
    }
    let report = check_tsv(&path).err().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    for expected in [
        "`fugue.workflow.concurrency`: default is Some(\"1\"), the TSV says Some(\"2\")",
        "`fugue.default.partitions`: type is `int`, the TSV says `bool`",
        "`fugue.default.partitions`: scope is `engine`, the TSV says `compile`",
        "`fugue.extra.key`: listed in the TSV but not a key of the config",
        "`fugue.rpc.server`: a key of the config that the TSV does not list",
    ] {
        assert!(
            report.contains(expected),
            "missing `{expected}` in:\n{report}"
        );
    }
}
