//! The data-driven acceptance cases of `shared/cases` (the contract is its `README.md`).
//!
//! One test binary loads every `*.json` file of `../shared/cases` (relative to the workspace
//! root), of this repository's `cases/` and of the folder named by `FUGUE_CASES_DIR` when it
//! is set, checks that case ids are
//! unique across all of them, and runs each case through the function of its category. Each
//! case is one test of the binary (a `libtest-mimic` harness): `cargo test --test cases --
//! --list` lists the ids, `cargo test -- <id>` runs one case, and a failure is reported under
//! its id. A file that cannot be read as cases fails as one test named `file::<name>`.
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

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

/// One file's trials: a trial per case (named by its id, of the file's category), or one
/// failing trial named after the file when the file cannot be read as cases. `ids` holds the
/// case ids met so far (with their file), so a repeated id fails as its own trial.
fn file_trials(path: &Path, ids: &mut HashMap<String, PathBuf>) -> Vec<Trial> {
    let file = path.display().to_string();
    let file_failure = |reason: String| {
        let name = path
            .file_name()
            .map_or(file.clone(), |n| n.to_string_lossy().into_owned());
        vec![Trial::test(format!("file::{name}"), move || {
            Err(reason.into())
        })]
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return file_failure(format!("{file}: cannot read: {e}")),
    };
    let doc: Value = match serde_json::from_str(&text) {
        Ok(doc) => doc,
        Err(e) => return file_failure(format!("{file}: invalid JSON: {e}")),
    };
    let Some(name) = doc.get("category").and_then(Value::as_str) else {
        return file_failure(format!("{file}: no string `category`"));
    };
    if doc.get("format_version").and_then(Value::as_u64) != Some(1) {
        return file_failure(format!("{file}: `format_version` must be 1"));
    }
    let Some(cases) = doc.get("cases").and_then(Value::as_array) else {
        return file_failure(format!("{file}: no `cases` array"));
    };
    let Some(runner) = category(name) else {
        return file_failure(format!(
            "{file}: unknown category `{name}` ({} cases not run)",
            cases.len()
        ));
    };
    let mut trials = Vec::with_capacity(cases.len());
    for (index, case) in cases.iter().enumerate() {
        let Some(id) = case.get("id").and_then(Value::as_str) else {
            let reason = format!("{file}: case #{index} has no string `id`");
            trials.push(Trial::test(format!("{name}::#{index}"), move || {
                Err(reason.into())
            }));
            continue;
        };
        if let Some(first) = ids.insert(id.to_string(), path.to_path_buf()) {
            let reason = format!(
                "{id}: duplicate case id (in {file}, also in {})",
                first.display()
            );
            trials.push(Trial::test(format!("{id}#duplicate"), move || {
                Err(reason.into())
            }));
            continue;
        }
        let case = case.clone();
        trials.push(
            Trial::test(id.to_string(), move || run_case(runner, &case))
                .with_kind(name.to_string()),
        );
    }
    trials
}

/// Runs one case; a panic fails the case with the panic's message.
fn run_case(runner: Runner, case: &Value) -> Result<(), Failed> {
    match catch_unwind(AssertUnwindSafe(|| runner(case))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(reason)) => Err(reason.into()),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string payload".to_string());
            Err(format!("panicked: {message}").into())
        }
    }
}

/// Every case as one test: `cargo test --test cases -- --list` lists them by id,
/// `cargo test --test cases -- <id>` runs the cases whose id contains `<id>`, and a failure is
/// reported under its id. The cases run on one thread unless `--test-threads` says otherwise
/// (the `map` cases of `e_engine_ops` record their calls in one process-wide list).
fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    if args.test_threads.is_none() {
        args.test_threads = Some(1);
    }
    let trials = match case_dirs() {
        Ok(dirs) => {
            let mut ids = HashMap::new();
            let mut trials = Vec::new();
            for dir in &dirs {
                match json_files(dir) {
                    Ok(files) => {
                        for file in files {
                            trials.extend(file_trials(&file, &mut ids));
                        }
                    }
                    Err(reason) => trials.push(Trial::test(
                        format!("folder::{}", dir.display()),
                        move || Err(reason.into()),
                    )),
                }
            }
            trials
        }
        Err(reason) => vec![Trial::test("folders", move || Err(reason.into()))],
    };
    libtest_mimic::run(&args, trials).exit_code()
}
