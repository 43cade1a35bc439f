//! Workflows end to end on the `native` engine, with the steps that need no DataFusion
//! (create, transform, out_transform, process, output, create_with, zip + cotransform, rename,
//! drop, alter_columns, persist, broadcast, checkpoints, yields, show): the plan, checkpoints,
//! concurrency, cancellation, errors and configuration.

use fugue_runtime::engine::{ExecutionEngine, make_engine};
use fugue_runtime::fugue_core::config::ConfigOverrides;
use fugue_runtime::fugue_core::{ErrorKind, FugueError, PartitionSpec, Result, Schema};
use fugue_runtime::function::{
    BatchStream, Params, PartitionContext, PartitionFunction, stream_of,
};
use fugue_runtime::workflow::{StepId, Workflow, named};
use fugue_runtime::{DataFrame, Value};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A configurable test function: counts its calls, may sleep, fail or panic, may require a
/// column, may add a constant `x:long` column.
#[derive(Clone)]
struct Probe {
    name: &'static str,
    calls: Arc<AtomicUsize>,
    sleep: Duration,
    fail: bool,
    panic: bool,
    require: Option<&'static str>,
    add_x: bool,
}

impl Probe {
    fn new(name: &'static str) -> Self {
        Probe {
            name,
            calls: Arc::new(AtomicUsize::new(0)),
            sleep: Duration::ZERO,
            fail: false,
            panic: false,
            require: None,
            add_x: false,
        }
    }

    fn sleeping(mut self, ms: u64) -> Self {
        self.sleep = Duration::from_millis(ms);
        self
    }

    fn failing(mut self) -> Self {
        self.fail = true;
        self
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl PartitionFunction for Probe {
    fn name(&self) -> &str {
        self.name
    }

    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        if self.add_x {
            inputs[0].transform("*,x:long")
        } else {
            Ok(inputs[0].clone())
        }
    }

    fn check(&self, _: &PartitionSpec, inputs: &[Schema], _: &Params, _: bool) -> Result<()> {
        if let (Some(column), Some(schema)) = (self.require, inputs.first())
            && !schema.contains_name(column)
        {
            return Err(FugueError::column_not_found(
                column,
                format!("the input of `{}`", self.name),
                schema,
                schema.names(),
            ));
        }
        Ok(())
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if !self.sleep.is_zero() {
            std::thread::sleep(self.sleep);
        }
        if self.panic {
            panic!("probe `{}` panicked", self.name);
        }
        if self.fail {
            return Err(FugueError::invalid_argument("probe", "asked to fail"));
        }
        let mut batches = Vec::new();
        for stream in inputs {
            for b in stream {
                batches.push(b?);
            }
        }
        if self.add_x {
            let k = ctx.params.value("k").and_then(Value::as_i64).unwrap_or(0);
            let mut out = Vec::new();
            for b in batches {
                let mut cols = b.columns().to_vec();
                cols.push(Arc::new(arrow::array::Int64Array::from(vec![
                    k;
                    b.num_rows()
                ])));
                let mut fields: Vec<arrow::datatypes::Field> = b
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.as_ref().clone())
                    .collect();
                fields.push(arrow::datatypes::Field::new(
                    "x",
                    arrow::datatypes::DataType::Int64,
                    true,
                ));
                out.push(
                    arrow::array::RecordBatch::try_new(
                        Arc::new(arrow::datatypes::Schema::new(fields)),
                        cols,
                    )
                    .map_err(FugueError::from)?,
                );
            }
            batches = out;
        }
        Ok(stream_of(batches))
    }
}

fn rows(n: i64) -> (Vec<Vec<Value>>, &'static str) {
    (
        (0..n)
            .map(|i| vec![Value::from(i % 3), Value::from(format!("v{i}"))])
            .collect(),
        "k:long,v:str",
    )
}

fn conf(pairs: &[(&str, &str)]) -> ConfigOverrides {
    let mut c = ConfigOverrides::new();
    for (k, v) in pairs {
        c.set(k, v).unwrap();
    }
    c
}

fn checkpoint_conf(dir: &Path) -> ConfigOverrides {
    conf(&[("fugue.workflow.checkpoint.path", dir.to_str().unwrap())])
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn steps_carry_names_ops_and_the_callers_source_line() {
    let wf = Workflow::new();
    let data = wf.create(rows(3)).named("data");
    let line = line!() + 1;
    let t = data.transform(Probe::new("probe")).named("probed");
    let info = t.info();
    assert_eq!(info.name, "probed");
    assert_eq!(info.op, "transform");
    assert_eq!(info.function.as_deref(), Some("probe"));
    let source = info.source.unwrap();
    assert_eq!(source.file, file!());
    assert_eq!(source.line, line);
    assert_eq!(
        info.describe(),
        format!("step `probed` (transform `probe`, {}:{line})", file!())
    );
    // `at` overrides the location (what `workflow!` expansions do).
    let t = t.at("quickstart.rs", 42, 5);
    assert_eq!(
        t.info().describe(),
        "step `probed` (transform `probe`, quickstart.rs:42)"
    );
    assert_eq!(wf.steps().len(), 2);
    assert_eq!(data.id(), StepId(0));
}

#[test]
fn transform_process_output_and_yields_run_end_to_end() {
    let wf = Workflow::new();
    let probe = Probe {
        add_x: true,
        ..Probe::new("add_x")
    };
    let seen = Arc::new(AtomicUsize::new(0));
    let seen2 = seen.clone();
    let data = wf.create(rows(6));
    let with_x = data
        .partition("by=k")
        .transform(probe.clone())
        .params(Params::new().with("k", 7_i64))
        .named("with_x");
    with_x.yield_as("with_x");
    let renamed = with_x.rename(&[("v", "value")]).drop(&["x"]);
    let altered = renamed.alter_columns("k:str").yield_as("altered");
    altered.output(move |dfs: Vec<DataFrame>, _: &Params| {
        seen2.fetch_add(dfs[0].count()?, Ordering::SeqCst);
        Ok(())
    });
    let made = wf
        .create_with(named("make", |p: &Params| {
            let n = p.get::<i64>("make", "n")?;
            fugue_runtime::IntoDataFrame::into_dataframe(rows(n))
        }))
        .params(Params::new().with("n", 2_i64));
    wf.process(&[made, data], |dfs: Vec<DataFrame>, _: &Params| {
        let total: usize = dfs.iter().map(|d| d.count().unwrap_or(0)).sum();
        fugue_runtime::IntoDataFrame::into_dataframe((
            vec![vec![Value::from(total as i64)]],
            "total:long",
        ))
    })
    .persist()
    .broadcast()
    .yield_as("total");
    data.out_transform(Probe::new("side_effect"));
    data.show(2, Some("data"));

    let plan = wf.plan().unwrap();
    assert_eq!(
        plan.schema(with_x.id()).unwrap().to_string(),
        "k:long,v:str,x:long"
    );
    assert_eq!(
        plan.schema(altered.id()).unwrap().to_string(),
        "k:str,value:str"
    );

    let result = wf.run_on("native").unwrap();
    // One call per key group.
    assert_eq!(probe.calls(), 3);
    let mut df = result.get("with_x").unwrap();
    assert_eq!(df.schema().to_string(), "k:long,v:str,x:long");
    assert!(
        df.as_rows()
            .unwrap()
            .iter()
            .all(|r| r[2] == Value::Int64(7))
    );
    assert_eq!(seen.load(Ordering::SeqCst), 6);
    assert_eq!(
        result.get("total").unwrap().as_rows().unwrap(),
        vec![vec![Value::Int64(8)]]
    );
    assert_eq!(
        result.frame("altered").unwrap().schema().to_string(),
        "k:str,value:str"
    );
    let e = result.get("with_y").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string()
            .contains("yielded: `altered`, `total`, `with_x`; did you mean `with_x`?"),
        "{e}"
    );
    assert_eq!(result.executed().len(), wf.len());
}

/// A co-transformer that counts its calls and returns the first input.
struct First(Arc<AtomicUsize>);

impl PartitionFunction for First {
    fn name(&self) -> &str {
        "first"
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

#[test]
fn zip_and_cotransform_call_once_per_key() {
    let wf = Workflow::new();
    let a = wf.create(rows(6));
    let b = wf.create(rows(3));
    let calls = Arc::new(AtomicUsize::new(0));
    a.zip(&[b], "inner")
        .partition("by=k")
        .transform(First(calls.clone()))
        .yield_as("zipped");
    let result = wf.run_on("native").unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(result.frame("zipped").unwrap().count(), 6);
}

#[test]
fn a_frame_read_by_several_steps_is_computed_once() {
    let wf = Workflow::with_conf([("fugue.workflow.auto_persist", "true")]).unwrap();
    let probe = Probe::new("shared");
    let shared = wf.create(rows(4)).transform(probe.clone());
    shared.transform(Probe::new("a")).yield_as("a");
    shared.transform(Probe::new("b")).yield_as("b");
    shared.process(|mut d: Vec<DataFrame>, _: &Params| Ok(d.remove(0)));
    let result = wf.run_on("native").unwrap();
    assert_eq!(probe.calls(), 1);
    assert_eq!(result.frame("a").unwrap().count(), 4);
    assert_eq!(result.frame("b").unwrap().count(), 4);
}

/// A workflow of one transform with a deterministic checkpoint over `data`.
fn deterministic_run(
    dir: &Path,
    data: (Vec<Vec<Value>>, &'static str),
    param: i64,
    version: &str,
    probe: &Probe,
) -> fugue_runtime::workflow::WorkflowResult {
    let wf = Workflow::new();
    wf.create(data)
        .transform(probe.clone())
        .params(Params::new().with("k", param))
        .version(version)
        .checkpoint_deterministic()
        .yield_as("out")
        .yield_file_as("out_file");
    wf.run("native", checkpoint_conf(dir)).unwrap()
}

#[test]
fn deterministic_checkpoints_are_reused_only_while_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Probe {
        add_x: true,
        ..Probe::new("det")
    };
    let first = deterministic_run(dir.path(), rows(3), 1, "1", &probe);
    assert_eq!(probe.calls(), 1);
    let file = first.file("out_file").unwrap().to_path_buf();
    assert!(file.starts_with(dir.path()) && file.exists(), "{file:?}");

    // Nothing changed: read from the file, the transformer is not called.
    let again = deterministic_run(dir.path(), rows(3), 1, "1", &probe);
    assert_eq!(probe.calls(), 1);
    assert_eq!(again.reused_steps(), &[StepId(1)]);
    assert_eq!(again.file("out_file").unwrap(), file);
    assert_eq!(
        again.get("out").unwrap().as_rows().unwrap(),
        first.get("out").unwrap().as_rows().unwrap()
    );

    // Other data in memory (the content hash differs): recomputed.
    deterministic_run(dir.path(), rows(4), 1, "1", &probe);
    assert_eq!(probe.calls(), 2);
    // Another parameter: recomputed, and the new value is seen.
    let p2 = deterministic_run(dir.path(), rows(3), 2, "1", &probe);
    assert_eq!(probe.calls(), 3);
    assert_eq!(
        p2.get("out").unwrap().peek_row().unwrap()[2],
        Value::Int64(2)
    );
    // Another version of the transformer: recomputed.
    deterministic_run(dir.path(), rows(3), 1, "2", &probe);
    assert_eq!(probe.calls(), 4);
    // Same as the very first run again: reused.
    deterministic_run(dir.path(), rows(3), 1, "1", &probe);
    assert_eq!(probe.calls(), 4);

    // A corrupted file is detected, recomputed and rewritten.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&file, &bytes).unwrap();
    let fixed = deterministic_run(dir.path(), rows(3), 1, "1", &probe);
    assert_eq!(probe.calls(), 5);
    assert!(fixed.reused().is_empty());
    deterministic_run(dir.path(), rows(3), 1, "1", &probe);
    assert_eq!(probe.calls(), 5);
    // A file that is not Arrow at all (with a matching-looking name) too.
    std::fs::write(&file, b"not arrow").unwrap();
    deterministic_run(dir.path(), rows(3), 1, "1", &probe);
    assert_eq!(probe.calls(), 6);
}

#[test]
fn upstream_steps_only_a_reused_checkpoint_needs_are_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let upstream = Probe::new("upstream");
    let downstream = Probe::new("downstream");
    let build = || {
        let wf = Workflow::new();
        wf.create(rows(3))
            .transform(upstream.clone())
            .checkpoint_deterministic()
            .transform(downstream.clone())
            .yield_as("out");
        wf.run("native", checkpoint_conf(dir.path())).unwrap()
    };
    build();
    build();
    assert_eq!(upstream.calls(), 1);
    assert_eq!(downstream.calls(), 2);
}

#[test]
fn strong_checkpoint_files_live_in_a_run_folder_removed_after_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let wf = Workflow::new();
    let checkpointed = wf.create(rows(3)).transform(Probe::new("t")).checkpoint();
    checkpointed
        .process(move |mut d: Vec<DataFrame>, _: &Params| {
            *seen2.lock().unwrap() = files_under(&root);
            Ok(d.remove(0))
        })
        .yield_as("out");
    let result = wf.run("native", checkpoint_conf(dir.path())).unwrap();
    let during = seen.lock().unwrap().clone();
    assert!(
        during
            .iter()
            .any(|f| f.ends_with("1.arrow") && f.contains(result.run_id())),
        "{during:?}"
    );
    assert_eq!(result.frame("out").unwrap().count(), 3);
    assert!(files_under(dir.path()).is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // Removed on failure too.
    let wf = Workflow::new();
    wf.create(rows(3))
        .checkpoint()
        .transform(Probe::new("boom").failing());
    let e = wf.run("native", checkpoint_conf(dir.path())).unwrap_err();
    assert!(
        e.to_string()
            .contains("step `transform(create)` (transform `boom`"),
        "{e}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_file_checkpoint_without_a_path_names_the_key_before_anything_runs() {
    let probe = Probe::new("first");
    let wf = Workflow::new();
    wf.create(rows(2)).transform(probe.clone());
    wf.create(rows(2)).named("data").checkpoint();
    let e = wf.run_on("native").unwrap_err();
    assert!(
        e.to_string().contains("step `data` (create")
            && e.to_string().contains("fugue.workflow.checkpoint.path"),
        "{e}"
    );
    assert_eq!(probe.calls(), 0);
    let wf = Workflow::new();
    wf.create(rows(2)).checkpoint_deterministic();
    let e = wf.run_on("native").unwrap_err();
    assert!(
        e.to_string().contains("fugue.workflow.checkpoint.path"),
        "{e}"
    );
    let wf = Workflow::new();
    wf.create(rows(2)).yield_file_as("f");
    let e = wf.run_on("native").unwrap_err();
    assert!(
        e.to_string().contains("fugue.workflow.checkpoint.path")
            && e.to_string().contains("yielding `f` as a file"),
        "{e}"
    );
}

/// Two independent branches of one 400 ms step each.
fn two_slow_branches(conf: ConfigOverrides) -> Duration {
    let wf = Workflow::new();
    wf.create(rows(2))
        .transform(Probe::new("left").sleeping(400))
        .yield_as("left");
    wf.create(rows(2))
        .transform(Probe::new("right").sleeping(400))
        .yield_as("right");
    let start = Instant::now();
    wf.run("native", conf).unwrap();
    start.elapsed()
}

#[test]
fn independent_branches_run_in_parallel_up_to_the_concurrency() {
    let one = Duration::from_millis(400);
    let parallel = two_slow_branches(conf(&[("fugue.workflow.concurrency", "2")]));
    assert!(parallel < one.mul_f64(1.6), "{parallel:?}");
    let serial = two_slow_branches(conf(&[("fugue.workflow.concurrency", "1")]));
    assert!(serial >= one.mul_f64(1.8), "{serial:?}");
}

#[test]
fn a_failure_cancels_the_steps_not_started_and_names_the_failing_step() {
    let chain = Probe::new("chain").sleeping(150);
    let wf = Workflow::with_conf([("fugue.workflow.concurrency", "2")]).unwrap();
    let mut step = wf.create(rows(2));
    for _ in 0..5 {
        step = step.transform(chain.clone());
    }
    step.yield_as("chain");
    let source = wf.create(rows(2));
    let bad = Probe::new("bad").sleeping(50).failing();
    let line = line!() + 1;
    source.transform(bad).named("bad_step");
    let start = Instant::now();
    let e = wf.run_on("native").unwrap_err();
    assert!(
        start.elapsed() < Duration::from_millis(600),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        e.to_string(),
        format!(
            "step `bad_step` (transform `bad`, {}:{line}) failed: `bad` failed on partition #0 \
             (no partition key): invalid argument `probe`: asked to fail",
            file!()
        )
    );
    // The chain's first step was running when the failure came; no later one started.
    assert_eq!(chain.calls(), 1);
}

#[test]
fn a_panicking_step_is_reported_like_an_error() {
    let wf = Workflow::new();
    wf.create(rows(2))
        .transform(Probe {
            panic: true,
            ..Probe::new("panicky")
        })
        .named("p");
    let e = wf.run_on("native").unwrap_err();
    assert!(
        e.to_string().starts_with("step `p` (transform `panicky`")
            && e.to_string().contains("panicked"),
        "{e}"
    );
}

#[test]
fn a_run_time_schema_error_names_the_step_and_its_source_line() {
    let probe = Probe {
        require: Some("price"),
        ..Probe::new("needs_price")
    };
    let wf = Workflow::new();
    // A processor's output schema is known only when it runs.
    let dynamic = wf
        .create(rows(2))
        .process(|mut d: Vec<DataFrame>, _: &Params| Ok(d.remove(0)));
    let line = line!() + 1;
    dynamic.transform(probe.clone()).named("priced");
    assert!(wf.plan().unwrap().schema(StepId(2)).is_none());
    let e = wf.run_on("native").unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "step `priced` (transform `needs_price`, {}:{line}) failed: ",
            file!()
        )),
        "{text}"
    );
    assert!(text.contains("column `price` not found"), "{text}");
    assert_eq!(probe.calls(), 0);
}

#[test]
fn a_schema_error_known_before_running_fails_before_any_step_runs() {
    let counted = Probe::new("first");
    let probe = Probe {
        require: Some("price"),
        ..Probe::new("needs_price")
    };
    let wf = Workflow::new();
    let first = wf.create(rows(2)).transform(counted.clone());
    let line = line!() + 1;
    first.transform(probe).named("priced");
    let e = wf.run_on("native").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "step `priced` (transform `needs_price`, {}:{line}) is invalid: column `price` not \
             found in the input of `needs_price` (schema `k:long,v:str`)",
            file!()
        )
    );
    assert_eq!(counted.calls(), 0);
}

#[test]
fn declaration_errors_are_reported_on_their_step() {
    let wf = Workflow::new();
    let bad_spec = wf.create(rows(2)).partition("by=k; presort=k");
    let line = line!() + 1;
    bad_spec.transform(Probe::new("t"));
    let e = wf.plan().unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "step `transform(create)` (transform `t`, {}:{line}) is invalid: invalid partition spec \
             `by=k; presort=k ASC`: column `k` is both a partition key and a presort column",
            file!()
        )),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::InvalidPartitionSpec, "{e}");
    let wf = Workflow::new();
    wf.create(rows(2)).distinct().params(Params::new());
    let e = wf.plan().unwrap_err();
    assert!(
        e.to_string().contains("`distinct` takes no parameters"),
        "{e}"
    );
    let wf = Workflow::new();
    let a = wf.create(rows(2)).yield_as("x");
    a.transform(Probe::new("t")).yield_as("x");
    let e = wf.plan().unwrap_err();
    assert!(e.to_string().contains("`x` is already yielded"), "{e}");
    let wf = Workflow::new();
    wf.create(rows(2)).join(wf.create(rows(2)), "outer", &[]);
    let e = wf.plan().unwrap_err();
    assert!(e.to_string().contains("join type"), "{e}");
    // A handle of another workflow.
    let other = Workflow::new();
    let foreign = other.create(rows(1));
    let wf = Workflow::new();
    wf.create(rows(1)).union(foreign, true);
    let e = wf.plan().unwrap_err();
    assert!(e.to_string().contains("another workflow"), "{e}");
}

/// Options are typed from the declaration on: fugue-core's enums, or their names parsed once
/// when the step is declared; a bad word is reported by `plan` on its step, with its kind and
/// the accepted values, and the same mistake gives the same error every time it is planned.
#[test]
fn options_are_typed_when_declared_and_bad_words_are_reported_with_their_kind() {
    use fugue_runtime::engine::{DropHow, FileFormat, JoinHow, NaPosition, SaveMode};
    // Typed values and their names (any case) declare the same steps.
    let typed = Workflow::new();
    let a = typed.create(rows(3));
    a.join(typed.create(rows(3)), JoinHow::LeftOuter, &["k", "v"]);
    a.dropna(DropHow::All, None, None)
        .take_na(1, "k desc", NaPosition::First);
    a.save_as("x.parquet", SaveMode::Append, FileFormat::Parquet);
    let named = Workflow::new();
    let a = named.create(rows(3));
    a.join(named.create(rows(3)), "LEFT_OUTER", &["k", "v"]);
    a.dropna("all", None, None).take_na(1, "k desc", "First");
    a.save_as("x.parquet", "append", "PARQUET");
    let explain = |wf: &Workflow| {
        let text = wf.plan().unwrap().explain();
        text.lines()
            .filter(|l| !l.contains('['))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(explain(&typed), explain(&named));
    // Bad words: the kind of the option's parser, the accepted values, the step.
    type Declare = Box<dyn Fn(&Workflow)>;
    let cases: Vec<(Declare, ErrorKind, &str)> = vec![
        (
            Box::new(|wf| {
                wf.create(rows(1)).save("x.csv", "replace");
            }),
            ErrorKind::InvalidArgument,
            "`replace` is not a valid save mode; accepted values are `overwrite`, `append`, `error`",
        ),
        (
            Box::new(|wf| {
                wf.create(rows(1)).dropna("some", None, None);
            }),
            ErrorKind::InvalidArgument,
            "`some` is not a valid dropna how",
        ),
        (
            Box::new(|wf| {
                let a = wf.create(rows(1));
                a.zip(&[wf.create(rows(1))], "outer")
                    .transform(Probe::new("z"));
            }),
            ErrorKind::InvalidArgument,
            "`outer` is not a valid zip type",
        ),
        (
            Box::new(|wf| {
                wf.create(rows(1)).save_as("x", "overwrite", "avro");
            }),
            ErrorKind::UnsupportedOperation,
            "file format `avro`",
        ),
        (
            Box::new(|wf| {
                wf.create(rows(1)).take(1, "k sideways");
            }),
            ErrorKind::InvalidPartitionSpec,
            "k sideways",
        ),
        (
            Box::new(|wf| {
                wf.load("x.csv").format("xml");
            }),
            ErrorKind::UnsupportedOperation,
            "file format `xml`",
        ),
        (
            Box::new(|wf| {
                wf.load("x.csv").option("header", "maybe");
            }),
            ErrorKind::InvalidArgument,
            "`maybe` is not a boolean",
        ),
        (
            Box::new(|wf| {
                wf.create(rows(1)).sample_frac(-0.5, false, None);
            }),
            ErrorKind::InvalidArgument,
            "non-negative",
        ),
    ];
    for (declare, kind, text) in cases {
        let wf = Workflow::new();
        declare(&wf);
        for _ in 0..2 {
            let e = wf.plan().unwrap_err();
            assert_eq!(e.kind(), kind, "{e}");
            assert!(e.to_string().contains(text), "{e}");
            assert!(
                e.to_string().contains("workflow.rs"),
                "names the source line: {e}"
            );
        }
    }
}

#[test]
fn configuration_layers_engine_then_workflow_then_per_call_without_mutating_the_engine() {
    let engine_dir = tempfile::tempdir().unwrap();
    let wf_dir = tempfile::tempdir().unwrap();
    let call_dir = tempfile::tempdir().unwrap();
    let key = "fugue.workflow.checkpoint.path";
    let engine: Arc<dyn ExecutionEngine> =
        make_engine("native", [(key, engine_dir.path().to_str().unwrap())]).unwrap();
    let file_of = |wf: &Workflow, conf: ConfigOverrides| {
        wf.run(engine.clone(), conf)
            .unwrap()
            .file("f")
            .unwrap()
            .to_path_buf()
    };
    // Engine only.
    let wf = Workflow::new();
    wf.create(rows(1)).yield_file_as("f");
    assert!(file_of(&wf, ConfigOverrides::new()).starts_with(engine_dir.path()));
    // The workflow's conf wins over the engine's.
    let wf = Workflow::with_conf(checkpoint_conf(wf_dir.path())).unwrap();
    wf.create(rows(1)).yield_file_as("f");
    assert!(file_of(&wf, ConfigOverrides::new()).starts_with(wf_dir.path()));
    // The call's conf wins over both.
    assert!(file_of(&wf, checkpoint_conf(call_dir.path())).starts_with(call_dir.path()));
    // The engine passed in is unchanged.
    assert_eq!(
        engine.conf().get(key).as_deref(),
        engine_dir.path().to_str()
    );
}

/// What `#[processor]` would generate for `fn with_hint(df: DataFrame) -> DataFrame` with the
/// hint `k:long`, written by hand.
struct KeysOnly;

impl fugue_runtime::transformer::Transformer for KeysOnly {
    const NAME: &'static str = "keys_only";
    const KIND: fugue_runtime::transformer::Kind = fugue_runtime::transformer::Kind::Processor;
    const INPUTS: &'static [fugue_runtime::transformer::InputShape] =
        &[fugue_runtime::transformer::InputShape::Dynamic];
    const OUTPUT: fugue_runtime::transformer::OutputShape =
        fugue_runtime::transformer::OutputShape::Hint("k:long");
    const RULES: &'static [(&'static str, &'static str)] = &[];
    const PARAMS: &'static [(&'static str, &'static str)] = &[];
    const CALLBACK: fugue_runtime::transformer::CallbackUse =
        fugue_runtime::transformer::CallbackUse::None;
    const CURSOR: bool = false;
}

impl fugue_runtime::transformer::Processor for KeysOnly {
    fn process(
        &self,
        _: &dyn ExecutionEngine,
        inputs: fugue_runtime::DataFrames,
        _: &Params,
    ) -> Result<DataFrame> {
        inputs.into_vec().remove(0).select(&["k"])
    }
}

#[test]
fn declared_processors_are_steps_with_their_name_and_schema() {
    use fugue_runtime::workflow::Ext;
    let wf = Workflow::new();
    let keys = wf.create(rows(3)).process(Ext(KeysOnly)).yield_as("keys");
    assert_eq!(keys.info().function.as_deref(), Some("keys_only"));
    assert_eq!(
        wf.plan().unwrap().schema(keys.id()).unwrap().to_string(),
        "k:long"
    );
    let result = wf.run_on("native").unwrap();
    assert_eq!(result.frame("keys").unwrap().count(), 3);
}

/// Records the names of the `workflow_step` spans it sees (from every thread).
#[derive(Default)]
struct StepSpans {
    names: std::sync::Mutex<Vec<String>>,
    next: AtomicUsize,
}

struct NameField(Option<String>);

impl tracing::field::Visit for NameField {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "name" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl tracing::Subscriber for StepSpans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        if span.metadata().name() == "workflow_step" {
            let mut visitor = NameField(None);
            span.record(&mut visitor);
            if let Some(name) = visitor.0 {
                self.names.lock().unwrap().push(name);
            }
        }
        tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) as u64 + 1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn every_step_runs_in_a_tracing_span_named_after_it_on_any_thread() {
    let spans = Arc::new(StepSpans::default());
    let wf = Workflow::with_conf([("fugue.workflow.concurrency", "3")]).unwrap();
    let a = wf.create(rows(2)).named("a");
    a.transform(Probe::new("t")).named("left").yield_as("l");
    a.transform(Probe::new("t")).named("right").yield_as("r");
    let dispatch = tracing::Dispatch::from(spans.clone());
    tracing::dispatcher::with_default(&dispatch, || wf.run_on("native").unwrap());
    let mut names = spans.names.lock().unwrap().clone();
    names.sort();
    assert_eq!(names, vec!["a", "left", "right"]);
}

/// Calls the driver once per partition with the partition's row count.
struct Report;

impl PartitionFunction for Report {
    fn name(&self) -> &str {
        "report"
    }
    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        Ok(inputs[0].clone())
    }
    fn check(&self, _: &PartitionSpec, _: &[Schema], _: &Params, has_callback: bool) -> Result<()> {
        if has_callback {
            Ok(())
        } else {
            Err(FugueError::invalid_argument(
                "callback",
                "`report` needs a callback",
            ))
        }
    }
    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        mut inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        let batches: Vec<_> = inputs.remove(0).collect::<Result<_>>()?;
        let n: usize = batches.iter().map(|b| b.num_rows()).sum();
        if let Some(cb) = &ctx.callback {
            cb.call(n as i64)?;
        }
        Ok(stream_of(batches))
    }
}

#[test]
fn callbacks_reach_the_handler_and_a_missing_one_fails_before_running() {
    let total = Arc::new(AtomicUsize::new(0));
    let t = total.clone();
    let wf = Workflow::new();
    wf.create(rows(7))
        .partition("by=k")
        .out_transform(Report)
        .callback(fugue_runtime::function::Callback::new(move |v: Value| {
            t.fetch_add(v.as_i64().unwrap_or(0) as usize, Ordering::SeqCst);
            Ok(Value::Null)
        }));
    wf.run_on("local").unwrap();
    assert_eq!(total.load(Ordering::SeqCst), 7);

    let wf = Workflow::new();
    wf.create(rows(7)).transform(Report).named("no_handler");
    let e = wf.run_on("native").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("step `no_handler` (transform `report`")
            && e.to_string().contains("is invalid")
            && e.to_string().contains("needs a callback"),
        "{e}"
    );
}

#[test]
fn concurrency_is_read_from_the_merged_config_even_when_only_the_engine_sets_it() {
    let engine = make_engine("native", [("fugue.workflow.concurrency", "2")]).unwrap();
    let wf = Workflow::new();
    wf.create(rows(2))
        .transform(Probe::new("left").sleeping(400))
        .yield_as("left");
    wf.create(rows(2))
        .transform(Probe::new("right").sleeping(400))
        .yield_as("right");
    let start = Instant::now();
    wf.run(engine.clone(), ConfigOverrides::new()).unwrap();
    assert!(
        start.elapsed() < Duration::from_millis(640),
        "{:?}",
        start.elapsed()
    );
    // A per-call 1 wins over the engine's 2.
    let start = Instant::now();
    wf.run(engine, conf(&[("fugue.workflow.concurrency", "1")]))
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(720),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_running_transform_stops_calling_its_partitions_after_a_failure() {
    // 12 key groups of 60 ms each (720 ms alone); the other branch fails after 100 ms.
    let slow = Probe::new("per_key").sleeping(60);
    let wf = Workflow::with_conf([("fugue.workflow.concurrency", "2")]).unwrap();
    let keyed: Vec<Vec<Value>> = (0..12_i64)
        .map(|i| vec![Value::from(i), Value::from("x")])
        .collect();
    wf.create((keyed, "k:long,v:str"))
        .partition("by=k")
        .transform(slow.clone())
        .yield_as("slow");
    wf.create(rows(1))
        .transform(Probe::new("bad").sleeping(100).failing())
        .named("bad");
    let start = Instant::now();
    let e = wf.run_on("native").unwrap_err();
    assert!(e.to_string().starts_with("step `bad`"), "{e}");
    assert!(slow.calls() < 12, "{}", slow.calls());
    assert!(
        start.elapsed() < Duration::from_millis(600),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn choices_take_the_engines_enums_or_their_names() {
    use fugue_runtime::engine::{JoinHow, SaveMode, ZipHow};
    let wf = Workflow::new();
    let a = wf.create(rows(2));
    let b = wf.create(rows(2));
    let j = a.join(b, JoinHow::LeftOuter, &["k", "v"]);
    let s = a.save("x.parquet", SaveMode::Append);
    let z = a
        .zip(&[b], ZipHow::FullOuter)
        .transform(First(Arc::default()));
    let plan = wf.plan().unwrap();
    assert_eq!(plan.step(j.id()).unwrap().args, "how=left_outer, on=k,v");
    assert_eq!(
        plan.step(s.id()).unwrap().args,
        "\"x.parquet\", mode=append"
    );
    assert_eq!(plan.step(z.id()).unwrap().args, "`first`, how=full_outer");
    let wf = Workflow::new();
    wf.create(rows(2)).save("x.parquet", "sometimes");
    let e = wf.plan().unwrap_err();
    assert!(e.to_string().contains("sometimes"), "{e}");
}

#[test]
fn a_checkpoint_file_of_another_schema_than_planned_is_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let probe = Probe {
        add_x: true,
        ..Probe::new("det")
    };
    let first = deterministic_run(dir.path(), rows(3), 1, "1", &probe);
    let path = first.file("out_file").unwrap().to_path_buf();
    // A valid file with a valid checksum, but not what the step produces.
    let other = fugue_runtime::ArrowFrame::from_rows("a:int", &[vec![Value::from(1_i32)]]).unwrap();
    fugue_runtime::workflow::checkpoint::write(&path, &other).unwrap();
    let again = deterministic_run(dir.path(), rows(3), 1, "1", &probe);
    assert_eq!(probe.calls(), 2);
    assert_eq!(
        again.frame("out").unwrap().schema().to_string(),
        "k:long,v:str,x:long"
    );
}

#[test]
fn a_step_cannot_read_a_step_without_output() {
    let wf = Workflow::new();
    let saved = wf
        .create(rows(2))
        .save("x.parquet", "overwrite")
        .named("saved");
    saved.distinct();
    let e = wf.plan().unwrap_err();
    assert!(
        e.to_string().contains("step `saved` (save") && e.to_string().contains("has no output"),
        "{e}"
    );
}

#[test]
fn unnamed_steps_are_named_after_their_operation_and_inputs() -> Result<()> {
    let wf = Workflow::new();
    let a = wf.create(rows(3));
    let b = wf.create(rows(2)).named("b");
    let both = a.union(b, false);
    let kept = both.filter("k > 0").named("kept");
    kept.distinct().yield_as("out");
    let names = |wf: &Workflow| wf.steps().into_iter().map(|s| s.name).collect::<Vec<_>>();
    assert_eq!(
        names(&wf),
        ["create", "b", "union(create, b)", "kept", "distinct(kept)"]
    );
    // Naming a step renames the unnamed steps that use it.
    a.named("a");
    assert_eq!(
        names(&wf),
        ["a", "b", "union(a, b)", "kept", "distinct(kept)"]
    );
    // The result names the steps that ran.
    let wf = Workflow::new();
    let input = wf.create(rows(3));
    input.transform(Probe::new("t")).yield_as("out");
    input.named("input");
    let result = wf.run("native", ())?;
    assert_eq!(result.executed(), ["input", "transform(input)"]);
    assert!(result.reused().is_empty());
    Ok(())
}

#[test]
fn a_path_that_is_not_utf8_is_an_error_of_its_step() {
    use std::os::unix::ffi::OsStringExt;
    let bad = std::path::PathBuf::from(std::ffi::OsString::from_vec(b"in\xff.csv".to_vec()));
    let wf = Workflow::new();
    wf.load(&bad).named("raw");
    let e = wf.plan().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(
        e.to_string().contains("step `raw`") && e.to_string().contains("is not valid UTF-8"),
        "{e}"
    );
    let wf = Workflow::new();
    wf.create(rows(1)).save(bad, "overwrite");
    let e = wf.plan().unwrap_err();
    assert!(e.to_string().contains("is not valid UTF-8"), "{e}");
}
