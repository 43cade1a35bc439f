//! Deterministic checkpoints over loaded files (issue 12): a glob or folder load is keyed by
//! the files it reads and their content, so a changed file, a new file matching the glob, or a
//! file rewritten with the same size and its modification time restored is never served from
//! a stale checkpoint; the run result says which checkpoints were reused and why the others
//! were not; a property test compares random edits with runs without checkpoints.
#![cfg(feature = "datafusion")]

use fugue_runtime::fugue_core::config::ConfigOverrides;
use fugue_runtime::fugue_core::{Result, Schema};
use fugue_runtime::function::{BatchStream, PartitionContext, PartitionFunction};
use fugue_runtime::workflow::{CheckpointOutcome, StepId, Workflow, WorkflowResult};
use fugue_runtime::{IntoDataFrame, Value};
use proptest::prelude::*;
use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Passes its input through and counts its calls.
#[derive(Clone, Default)]
struct Counted(Arc<AtomicUsize>);

impl Counted {
    fn calls(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl PartitionFunction for Counted {
    fn name(&self) -> &str {
        "counted"
    }

    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        Ok(inputs[0].clone())
    }

    fn call<'a>(
        &'a self,
        _: PartitionContext,
        mut inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(inputs.remove(0))
    }
}

fn conf(checkpoints: Option<&Path>) -> ConfigOverrides {
    let mut c = ConfigOverrides::new();
    c.set("fugue.workflow.concurrency", "1").unwrap();
    if let Some(dir) = checkpoints {
        c.set("fugue.workflow.checkpoint.path", dir.to_str().unwrap())
            .unwrap();
    }
    c
}

/// Rows `k,v` with fixed-width numbers, so that the same number of rows is the same size.
fn csv(rows: &[(u16, u16)]) -> String {
    rows.iter()
        .map(|(k, v)| format!("{:03},{:03}\n", k % 1000, v % 1000))
        .collect()
}

/// Long enough for the change time to move on file systems with coarse timestamps.
fn tick() {
    std::thread::sleep(Duration::from_millis(25));
}

/// Rewrite a file keeping its size and setting its modification time back.
fn rewrite_keeping_size_and_mtime(path: &Path, text: &str) {
    let before = fs::metadata(path).unwrap();
    assert_eq!(before.len() as usize, text.len(), "not the same size");
    let mtime = before.modified().unwrap();
    tick();
    fs::write(path, text).unwrap();
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let after = fs::metadata(path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap()),
        (before.len(), mtime)
    );
}

fn sorted_rows(result: &WorkflowResult, name: &str) -> Vec<Vec<Value>> {
    let mut rows = result.get(name).unwrap().as_rows().unwrap();
    rows.sort_by_key(|r| format!("{r:?}"));
    rows
}

fn rows_of(pairs: &[(u16, u16)]) -> Vec<Vec<Value>> {
    let mut rows: Vec<Vec<Value>> = pairs
        .iter()
        .map(|(k, v)| {
            vec![
                Value::from(i64::from(k % 1000)),
                Value::from(i64::from(v % 1000)),
            ]
        })
        .collect();
    rows.sort_by_key(|r| format!("{r:?}"));
    rows
}

/// `load(pattern)` as `k:long,v:long`, through `Counted`, with a deterministic checkpoint.
fn run_load(pattern: &str, checkpoints: &Path, counted: &Counted) -> WorkflowResult {
    let wf = Workflow::new();
    wf.load(pattern)
        .format("csv")
        .option("header", "false")
        .schema("k:long,v:long")
        .named("files")
        .transform(counted.clone())
        .named("passed")
        .checkpoint_deterministic()
        .yield_as("out");
    wf.run("native", conf(Some(checkpoints))).unwrap()
}

fn reason(result: &WorkflowResult, step: &str) -> String {
    match &result.checkpoint(step).unwrap().outcome {
        CheckpointOutcome::Computed { reason, .. } => reason.clone(),
        CheckpointOutcome::Reused => panic!("`{step}` was reused:\n{}", result.explain()),
    }
}

#[test]
fn a_glob_load_is_recomputed_when_a_file_under_it_changes_or_a_new_file_matches() {
    let data = tempfile::tempdir().unwrap();
    let checkpoints = tempfile::tempdir().unwrap();
    for (part, rows) in [("part1", vec![(1, 10)]), ("part2", vec![(2, 20)])] {
        fs::create_dir_all(data.path().join(part)).unwrap();
        fs::write(data.path().join(part).join("in.csv"), csv(&rows)).unwrap();
    }
    let pattern = data.path().join("part*").join("in.csv");
    let pattern = pattern.to_str().unwrap();
    let counted = Counted::default();

    let first = run_load(pattern, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 1);
    assert!(
        reason(&first, "passed").contains("no checkpoint with this key"),
        "{}",
        first.explain()
    );
    let again = run_load(pattern, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 1);
    assert_eq!(again.reused_steps(), &[StepId(1)]);
    assert_eq!(again.reused(), vec!["passed"]);
    assert!(
        again.explain().contains("step `passed` (#1): reused"),
        "{}",
        again.explain()
    );

    // A file under the glob changes (another size).
    tick();
    let part1 = data.path().join("part1").join("in.csv");
    fs::write(&part1, csv(&[(1, 10), (1, 11)])).unwrap();
    let changed = run_load(pattern, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 2);
    assert_eq!(
        sorted_rows(&changed, "out"),
        rows_of(&[(1, 10), (1, 11), (2, 20)])
    );
    let why = reason(&changed, "passed");
    assert!(
        why.contains(&format!(
            "input file `{}` changed (step `files`)",
            part1.display()
        )),
        "{why}"
    );

    // A new file matches the glob.
    fs::create_dir_all(data.path().join("part3")).unwrap();
    let part3 = data.path().join("part3").join("in.csv");
    fs::write(&part3, csv(&[(3, 30)])).unwrap();
    let grown = run_load(pattern, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 3);
    assert_eq!(
        sorted_rows(&grown, "out"),
        rows_of(&[(1, 10), (1, 11), (2, 20), (3, 30)])
    );
    let why = reason(&grown, "passed");
    assert!(
        why.contains(&format!(
            "a new file `{}` is loaded (step `files`)",
            part3.display()
        )),
        "{why}"
    );

    // A file no longer matches (renamed away): recomputed too.
    let part2 = data.path().join("part2").join("in.csv");
    let away = data.path().join("part2").join("out.csv");
    fs::rename(&part2, &away).unwrap();
    let shrunk = run_load(pattern, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 4);
    assert_eq!(
        sorted_rows(&shrunk, "out"),
        rows_of(&[(1, 10), (1, 11), (3, 30)])
    );
    let why = reason(&shrunk, "passed");
    assert!(
        why.contains(&format!(
            "file `{}` is no longer loaded (step `files`)",
            part2.display()
        )),
        "{why}"
    );
    // Back to a state seen before (the same files, the same content): its checkpoint is
    // reused.
    fs::rename(&away, &part2).unwrap();
    let back = run_load(pattern, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 4);
    assert_eq!(
        sorted_rows(&back, "out"),
        rows_of(&[(1, 10), (1, 11), (2, 20), (3, 30)])
    );
}

#[test]
fn a_folder_load_sees_a_changed_and_a_new_file() {
    let data = tempfile::tempdir().unwrap();
    let checkpoints = tempfile::tempdir().unwrap();
    let folder = data.path().join("folder");
    fs::create_dir_all(folder.join("sub")).unwrap();
    fs::write(folder.join("a.csv"), csv(&[(1, 1)])).unwrap();
    let folder_text = folder.to_str().unwrap();
    let counted = Counted::default();
    run_load(folder_text, checkpoints.path(), &counted);
    run_load(folder_text, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 1);
    // A new file in a subfolder (the load walks folders recursively).
    fs::write(folder.join("sub").join("b.csv"), csv(&[(2, 2)])).unwrap();
    let grown = run_load(folder_text, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 2);
    assert_eq!(sorted_rows(&grown, "out"), rows_of(&[(1, 1), (2, 2)]));
    // A hidden file is not loaded, so it does not change the key either.
    fs::write(folder.join(".hidden.csv"), csv(&[(9, 9)])).unwrap();
    run_load(folder_text, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 2);
}

#[test]
fn a_csv_rewritten_with_the_same_size_and_its_modification_time_restored_is_recomputed() {
    let data = tempfile::tempdir().unwrap();
    let checkpoints = tempfile::tempdir().unwrap();
    let file = data.path().join("in.csv");
    fs::write(&file, csv(&[(1, 100), (2, 200)])).unwrap();
    let path = file.to_str().unwrap();
    let counted = Counted::default();
    let first = run_load(path, checkpoints.path(), &counted);
    assert_eq!(sorted_rows(&first, "out"), rows_of(&[(1, 100), (2, 200)]));
    run_load(path, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 1);

    rewrite_keeping_size_and_mtime(&file, &csv(&[(1, 999), (2, 200)]));
    let rewritten = run_load(path, checkpoints.path(), &counted);
    assert_eq!(counted.calls(), 2);
    assert_eq!(
        sorted_rows(&rewritten, "out"),
        rows_of(&[(1, 999), (2, 200)])
    );
    let why = reason(&rewritten, "passed");
    assert!(
        why.contains(&format!("input file `{}` changed", file.display())),
        "{why}"
    );
}

#[test]
fn a_file_changed_during_the_run_is_not_saved_under_the_key_it_was_read_for() {
    let data = tempfile::tempdir().unwrap();
    let checkpoints = tempfile::tempdir().unwrap();
    let file = data.path().join("in.csv");
    let original = csv(&[(1, 1)]);
    fs::write(&file, &original).unwrap();
    let counted = Counted::default();
    let build = |edit: bool| {
        let wf = Workflow::new();
        // Step 0 runs first (concurrency 1, lowest ready step first): it rewrites the file
        // after the keys were computed and before step 1 loads it.
        let target = file.clone();
        wf.create_with(move |_: &fugue_runtime::function::Params| {
            if edit {
                tick();
                fs::write(&target, csv(&[(7, 7)])).unwrap();
            }
            (vec![vec![Value::from(0_i64)]], "x:long").into_dataframe()
        });
        wf.load(file.to_str().unwrap())
            .format("csv")
            .option("header", "false")
            .schema("k:long,v:long")
            .transform(counted.clone())
            .named("passed")
            .checkpoint_deterministic()
            .yield_as("out");
        wf.run("native", conf(Some(checkpoints.path()))).unwrap()
    };
    let raced = build(true);
    assert_eq!(sorted_rows(&raced, "out"), rows_of(&[(7, 7)]));
    match &raced.checkpoint("passed").unwrap().outcome {
        CheckpointOutcome::Computed {
            not_saved: Some(why),
            ..
        } => assert!(
            why.contains(&format!(
                "input file `{}` changed during the run",
                file.display()
            )),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(raced.explain().contains("not saved: input file"));
    // The original content again: its key is the first run's, under which the edited data
    // must not have been saved.
    tick();
    fs::write(&file, &original).unwrap();
    let restored = build(false);
    assert_eq!(counted.calls(), 2);
    assert_eq!(sorted_rows(&restored, "out"), rows_of(&[(1, 1)]));
}

/// The files a keyed load reads are resolved once: those its key fingerprinted. A file that
/// starts matching the glob after the keys were computed is not read by this run (on an eager
/// and on a lazy engine), and the result is not saved under the key, whose file list changed.
#[test]
fn a_keyed_load_reads_the_files_its_key_was_computed_from() {
    for engine in ["native", "local"] {
        let data = tempfile::tempdir().unwrap();
        let checkpoints = tempfile::tempdir().unwrap();
        fs::write(data.path().join("a.csv"), csv(&[(1, 1), (2, 2)])).unwrap();
        let pattern = data.path().join("*.csv");
        let wf = Workflow::new();
        // Step 0 runs first (concurrency 1): it adds a file after the keys were computed and
        // before step 1 loads the glob.
        let added = data.path().join("b.csv");
        wf.create_with(move |_: &fugue_runtime::function::Params| {
            fs::write(&added, csv(&[(9, 9)])).unwrap();
            (vec![vec![Value::from(0_i64)]], "x:long").into_dataframe()
        });
        wf.load(pattern.to_str().unwrap())
            .format("csv")
            .option("header", "false")
            .schema("k:long,v:long")
            .transform(Counted::default())
            .named("passed")
            .checkpoint_deterministic()
            .yield_as("out");
        let result = wf.run(engine, conf(Some(checkpoints.path()))).unwrap();
        assert_eq!(
            sorted_rows(&result, "out"),
            rows_of(&[(1, 1), (2, 2)]),
            "{engine}"
        );
        match &result.checkpoint("passed").unwrap().outcome {
            CheckpointOutcome::Computed {
                not_saved: Some(why),
                ..
            } => assert!(why.contains("changed during the run"), "{engine}: {why}"),
            other => panic!("{engine}: {other:?}"),
        }
        // The next run reads both files.
        let wf = Workflow::new();
        wf.load(pattern.to_str().unwrap())
            .format("csv")
            .option("header", "false")
            .schema("k:long,v:long")
            .named("files")
            .yield_as("out");
        let again = wf.run(engine, conf(Some(checkpoints.path()))).unwrap();
        assert_eq!(
            sorted_rows(&again, "out"),
            rows_of(&[(1, 1), (2, 2), (9, 9)]),
            "{engine}"
        );
    }
}

#[test]
fn a_load_whose_files_are_gone_is_not_keyed_and_fails_as_the_load_does() {
    let data = tempfile::tempdir().unwrap();
    let checkpoints = tempfile::tempdir().unwrap();
    let pattern = data.path().join("none*.csv");
    let wf = Workflow::new();
    wf.load(pattern.to_str().unwrap())
        .format("csv")
        .option("header", "false")
        .schema("k:long,v:long")
        .checkpoint_deterministic();
    let e = wf
        .run("native", conf(Some(checkpoints.path())))
        .unwrap_err();
    assert!(e.to_string().contains("the pattern matches no file"), "{e}");
}

/// An edit of the data between two runs.
#[derive(Debug, Clone)]
enum Edit {
    /// New data in memory.
    Memory(Vec<(u16, u16)>),
    /// Rewrite a file (any size).
    Rewrite(usize, Vec<(u16, u16)>),
    /// Append a row to a file.
    Append(usize, (u16, u16)),
    /// A new file matching the glob.
    NewFile(Vec<(u16, u16)>),
    /// Rewrite a file with other values, the same size and its modification time restored.
    SameSizeRestoredMtime(usize, u16),
}

fn pairs() -> impl Strategy<Value = Vec<(u16, u16)>> {
    prop::collection::vec((0u16..5, 0u16..1000), 0..4)
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        pairs().prop_map(Edit::Memory),
        (0usize..8, pairs()).prop_map(|(i, p)| Edit::Rewrite(i, p)),
        (0usize..8, (0u16..5, 0u16..1000)).prop_map(|(i, r)| Edit::Append(i, r)),
        prop::collection::vec((0u16..5, 0u16..1000), 1..3).prop_map(Edit::NewFile),
        (0usize..8, 1u16..1000).prop_map(|(i, d)| Edit::SameSizeRestoredMtime(i, d)),
    ]
}

/// The workflow of the property test: memory data and a glob load, unioned, through
/// `Counted`, with a deterministic checkpoint when `checkpoints` is given.
fn run_both(
    memory: &[(u16, u16)],
    pattern: &str,
    checkpoints: Option<&Path>,
    counted: &Counted,
) -> Vec<Vec<Value>> {
    let wf = Workflow::new();
    let mem = wf.create((rows_of(memory), "k:long,v:long"));
    let files = wf
        .load(pattern)
        .format("csv")
        .option("header", "false")
        .schema("k:long,v:long");
    let out = mem.union(files, false).transform(counted.clone());
    let out = if checkpoints.is_some() {
        out.checkpoint_deterministic()
    } else {
        out
    };
    out.yield_as("out");
    let result = wf.run("native", conf(checkpoints)).unwrap();
    sorted_rows(&result, "out")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20, ..ProptestConfig::default() })]

    /// Whatever is edited between runs, a run with a deterministic checkpoint gives what a
    /// run without checkpoints gives.
    #[test]
    fn a_deterministic_checkpoint_always_gives_what_a_run_without_it_gives(
        memory in pairs(),
        initial in prop::collection::vec(prop::collection::vec((0u16..5, 0u16..1000), 1..3), 1..3),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let data = tempfile::tempdir().unwrap();
        let checkpoints = tempfile::tempdir().unwrap();
        let mut files: Vec<Vec<(u16, u16)>> = Vec::new();
        let write = |i: usize, rows: &[(u16, u16)]| {
            let dir = data.path().join(format!("part{i}"));
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("in.csv"), csv(rows)).unwrap();
        };
        for rows in &initial {
            write(files.len(), rows);
            files.push(rows.clone());
        }
        let pattern = data.path().join("part*").join("in.csv");
        let pattern = pattern.to_str().unwrap();
        let mut memory = memory;
        let counted = Counted::default();
        let check = |memory: &[(u16, u16)]| {
            let with = run_both(memory, pattern, Some(checkpoints.path()), &counted);
            let without = run_both(memory, pattern, None, &Counted::default());
            prop_assert_eq!(with, without);
            Ok(())
        };
        check(&memory)?;
        for edit in edits {
            tick();
            match edit {
                Edit::Memory(rows) => memory = rows,
                Edit::Rewrite(i, rows) => {
                    let i = i % files.len();
                    write(i, &rows);
                    files[i] = rows;
                }
                Edit::Append(i, row) => {
                    let i = i % files.len();
                    files[i].push(row);
                    write(i, &files[i].clone());
                }
                Edit::NewFile(rows) => {
                    write(files.len(), &rows);
                    files.push(rows);
                }
                Edit::SameSizeRestoredMtime(i, delta) => {
                    let i = i % files.len();
                    let rows: Vec<(u16, u16)> =
                        files[i].iter().map(|(k, v)| (*k, (v + delta) % 1000)).collect();
                    let path = data.path().join(format!("part{i}")).join("in.csv");
                    rewrite_keeping_size_and_mtime(&path, &csv(&rows));
                    files[i] = rows;
                }
            }
            check(&memory)?;
        }
    }
}

#[test]
fn the_result_equals_a_run_without_checkpoints_after_each_kind_of_edit() {
    // One fixed sequence of the property test's edits, so that a failure there has a
    // readable counterpart.
    let data = tempfile::tempdir().unwrap();
    let checkpoints = tempfile::tempdir().unwrap();
    fs::create_dir_all(data.path().join("part0")).unwrap();
    let file = data.path().join("part0").join("in.csv");
    fs::write(&file, csv(&[(1, 1)])).unwrap();
    let pattern = data.path().join("part*").join("in.csv");
    let pattern = pattern.to_str().unwrap();
    let counted = Counted::default();
    let same = |memory: &[(u16, u16)]| {
        assert_eq!(
            run_both(memory, pattern, Some(checkpoints.path()), &counted),
            run_both(memory, pattern, None, &Counted::default())
        );
    };
    same(&[(0, 5)]);
    same(&[(0, 5)]);
    assert_eq!(counted.calls(), 1);
    same(&[(0, 6)]);
    tick();
    fs::write(&file, csv(&[(1, 1), (1, 2)])).unwrap();
    same(&[(0, 6)]);
    rewrite_keeping_size_and_mtime(&file, &csv(&[(1, 3), (1, 4)]));
    same(&[(0, 6)]);
    assert_eq!(counted.calls(), 4);
}
