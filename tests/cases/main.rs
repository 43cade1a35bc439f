//! The data-driven acceptance cases of `shared/cases` (the contract is its `README.md`).
//!
//! One test binary loads every `*.json` file of `../shared/cases` (relative to the workspace
//! root), of this repository's `cases/` and of the folder named by `FUGUE_CASES_DIR` when it
//! is set, checks that case ids are
//! unique across all of them, and runs each case through the function of its category. A case
//! that fails is reported by id and the run goes on; the test fails at the end if any did.
//!
//! A category outside the known list is a failure. To add a category: write
//! `tests/cases/<name>.rs` (next to this `main.rs`) with a
//! `pub fn run(case: &Value) -> Result<(), String>` and list it in [`category`].

mod common;
mod engine_ops;
mod partition_spec;
mod schema_ops;
mod schema_parse;
mod transformer_signatures;
mod validation;

use serde_json::Value;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// How a category's cases are run: `Err` is the reason a case failed.
type Runner = fn(&Value) -> Result<(), String>;

/// Every known category.
fn category(name: &str) -> Option<Runner> {
    match name {
        "a_schema_parse" => Some(schema_parse::run),
        "b_schema_ops" => Some(schema_ops::run),
        "c_partition_spec" => Some(partition_spec::run),
        "d_validation" => Some(validation::run),
        "e_engine_ops" => Some(engine_ops::run),
        "f_transformer_signatures" => Some(transformer_signatures::run),
        _ => None,
    }
}

/// The folders to load: the shared cases, this repository's own (`cases/`, same format: the
/// behaviours beyond the shared contract), then `FUGUE_CASES_DIR` (each once).
fn case_dirs() -> Result<Vec<PathBuf>, String> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases");
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut dirs = vec![
        shared.canonicalize().map_err(|e| {
            format!(
                "the shared case folder `{}` is missing ({e}); the runner expects the workspace \
                 to sit next to `shared/cases`",
                shared.display()
            )
        })?,
        own.canonicalize()
            .map_err(|e| format!("the case folder `{}` is missing ({e})", own.display()))?,
    ];
    if let Some(extra) = std::env::var_os("FUGUE_CASES_DIR") {
        let extra = PathBuf::from(extra);
        let extra = extra.canonicalize().map_err(|e| {
            format!(
                "FUGUE_CASES_DIR names `{}`, which cannot be read ({e})",
                extra.display()
            )
        })?;
        if !dirs.contains(&extra) {
            dirs.push(extra);
        }
    }
    Ok(dirs)
}

/// The `*.json` files of a folder, sorted.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[derive(Default)]
struct Tally {
    run: usize,
    passed: usize,
    failures: Vec<String>,
    ids: HashMap<String, PathBuf>,
}

impl Tally {
    fn load_file(&mut self, path: &Path) {
        let file = path.display();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => return self.failures.push(format!("{file}: cannot read: {e}")),
        };
        let doc: Value = match serde_json::from_str(&text) {
            Ok(doc) => doc,
            Err(e) => return self.failures.push(format!("{file}: invalid JSON: {e}")),
        };
        let Some(name) = doc.get("category").and_then(Value::as_str) else {
            return self.failures.push(format!("{file}: no string `category`"));
        };
        if doc.get("format_version").and_then(Value::as_u64) != Some(1) {
            return self
                .failures
                .push(format!("{file}: `format_version` must be 1"));
        }
        let Some(cases) = doc.get("cases").and_then(Value::as_array) else {
            return self.failures.push(format!("{file}: no `cases` array"));
        };
        let Some(category) = category(name) else {
            return self.failures.push(format!(
                "{file}: unknown category `{name}` ({} cases not run)",
                cases.len()
            ));
        };
        for (index, case) in cases.iter().enumerate() {
            let Some(id) = case.get("id").and_then(Value::as_str) else {
                self.failures
                    .push(format!("{file}: case #{index} has no string `id`"));
                continue;
            };
            if let Some(first) = self.ids.insert(id.to_string(), path.to_path_buf()) {
                self.failures.push(format!(
                    "{id}: duplicate case id (also in {})",
                    first.display()
                ));
                continue;
            }
            self.run += 1;
            match catch_unwind(AssertUnwindSafe(|| category(case))) {
                Ok(Ok(())) => self.passed += 1,
                Ok(Err(reason)) => self.failures.push(format!("{id}: {reason}")),
                Err(_) => self.failures.push(format!("{id}: panicked")),
            }
        }
    }
}

#[test]
fn acceptance_cases() {
    let dirs = match case_dirs() {
        Ok(dirs) => dirs,
        Err(reason) => panic!("{reason}"),
    };
    let mut tally = Tally::default();
    for dir in &dirs {
        match json_files(dir) {
            Ok(files) => {
                for file in files {
                    tally.load_file(&file);
                }
            }
            Err(reason) => tally.failures.push(reason),
        }
    }
    for failure in &tally.failures {
        println!("FAILED {failure}");
    }
    println!(
        "acceptance cases: {} run, {} passed, {} failed",
        tally.run,
        tally.passed,
        tally.failures.len()
    );
    assert!(
        tally.failures.is_empty(),
        "{} case failure(s), listed above",
        tally.failures.len()
    );
}
