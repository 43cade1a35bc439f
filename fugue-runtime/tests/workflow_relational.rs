//! Workflows with relational steps, loads and saves (DataFusion) on the `native` engine.
#![cfg(feature = "datafusion")]

use fugue_runtime::fugue_core::config::ConfigOverrides;
use fugue_runtime::fugue_core::{Result, Schema};
use fugue_runtime::function::{BatchStream, PartitionContext, PartitionFunction};
use fugue_runtime::workflow::{StepId, Workflow};
use fugue_runtime::{IntoDataFrame, Value};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn people() -> (Vec<Vec<Value>>, &'static str) {
    (
        vec![
            vec![Value::from(1_i64), Value::from("ann"), Value::from("Paris")],
            vec![Value::from(2_i64), Value::from("bob"), Value::Null],
            vec![Value::from(3_i64), Value::from("cid"), Value::from("Rome")],
            vec![Value::from(3_i64), Value::from("cid"), Value::from("Rome")],
        ],
        "id:long,name:str,city:str",
    )
}

fn scores() -> (Vec<Vec<Value>>, &'static str) {
    (
        vec![
            vec![Value::from(1_i64), Value::from(10.0_f64)],
            vec![Value::from(1_i64), Value::from(30.0_f64)],
            vec![Value::from(3_i64), Value::from(5.0_f64)],
            vec![Value::from(9_i64), Value::from(1.0_f64)],
        ],
        "id:long,score:double",
    )
}

fn count(result: &fugue_runtime::workflow::WorkflowResult, name: &str) -> usize {
    result.frame(name).unwrap().count()
}

#[test]
fn every_relational_step_runs_with_schemas_planned_where_known() {
    let wf = Workflow::new();
    let p = wf.create(people());
    let s = wf.create(scores());
    let joined = p.inner_join(s, &["id"]).yield_as("inner");
    p.left_outer_join(s, &[]).yield_as("left");
    p.right_outer_join(s, &["id"]).yield_as("right");
    p.full_outer_join(s, &["id"]).yield_as("full");
    p.semi_join(s, &["id"]).yield_as("semi");
    p.anti_join(s, &["id"]).yield_as("anti");
    p.select(&["name AS other"]).cross_join(s).yield_as("cross");
    let p2 = wf.create(people());
    p.union(p2, true).yield_as("union");
    p.union(p2, false).yield_as("union_all");
    wf.union(&[p, p2, p], false).yield_as("union3");
    p.subtract(p2.filter("id = 1"), true).yield_as("subtract");
    p.intersect(p2.filter("id > 1"), false)
        .yield_as("intersect");
    p.distinct().yield_as("distinct");
    p.dropna("any", None, None).yield_as("dropna");
    p.fillna("?", Some(&["city"])).yield_as("fillna");
    p.sample_n(2, false, Some(7)).yield_as("sample");
    p.sample_frac(0.5, false, Some(7));
    p.partition("by=id").take(1, "name desc").yield_as("take");
    p.select_where(&["id", "name"], Some("id >= 2"), None, true)
        .yield_as("select");
    p.assign(&[("double_id", "id * 2")]).yield_as("assign");
    let agg = s
        .partition_by(&["id"])
        .aggregate(&[("total", "SUM(score)")])
        .yield_as("aggregate");
    wf.join(&[p.distinct(), s, agg], "inner", &["id"])
        .yield_as("join3");

    let plan = wf.plan().unwrap();
    assert_eq!(
        plan.schema(joined.id()).unwrap().to_string(),
        "id:long,name:str,city:str,score:double"
    );
    // SQL steps are planned by the code that runs them, so their schemas are known too.
    assert_eq!(
        plan.schema(agg.id()).unwrap().to_string(),
        "id:long,total:double"
    );
    let result = wf.run_on("native").unwrap();
    assert_eq!(count(&result, "inner"), 4);
    assert_eq!(count(&result, "left"), 5);
    assert_eq!(count(&result, "right"), 5);
    assert_eq!(count(&result, "full"), 6);
    assert_eq!(count(&result, "semi"), 3);
    assert_eq!(count(&result, "anti"), 1);
    assert_eq!(count(&result, "cross"), 16);
    assert_eq!(count(&result, "union"), 3);
    assert_eq!(count(&result, "union_all"), 8);
    assert_eq!(count(&result, "union3"), 12);
    assert_eq!(count(&result, "subtract"), 2);
    assert_eq!(count(&result, "intersect"), 3);
    assert_eq!(count(&result, "distinct"), 3);
    assert_eq!(count(&result, "dropna"), 3);
    assert_eq!(count(&result, "sample"), 2);
    assert_eq!(count(&result, "take"), 3);
    assert_eq!(count(&result, "select"), 2);
    let mut filled = result.get("fillna").unwrap();
    assert_eq!(filled.as_rows().unwrap()[1][2], Value::from("?"));
    assert_eq!(
        result.frame("assign").unwrap().schema().to_string(),
        "id:long,name:str,city:str,double_id:long"
    );
    let mut agg = result.get("aggregate").unwrap();
    assert_eq!(agg.schema().to_string(), "id:long,total:double");
    let mut totals = agg.as_rows().unwrap();
    totals.sort_by_key(|r| r[0].as_i64());
    assert_eq!(totals[0], vec![Value::Int64(1), Value::Float64(40.0)]);
    assert_eq!(
        result.frame("join3").unwrap().schema().to_string(),
        "id:long,name:str,city:str,score:double,total:double"
    );
}

#[test]
fn save_then_load_with_declared_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.parquet");
    let path = path.to_str().unwrap();
    let wf = Workflow::new();
    wf.create(people()).save(path, "overwrite");
    wf.run_on("native").unwrap();

    let wf = Workflow::new();
    let loaded = wf.load(path).schema("name:str,id:long").yield_as("typed");
    let names = wf.load(path).columns(&["name"]).yield_as("names");
    assert_eq!(
        wf.plan().unwrap().schema(loaded.id()).unwrap().to_string(),
        "name:str,id:long"
    );
    assert!(wf.plan().unwrap().schema(names.id()).is_none());
    let result = wf.run_on("native").unwrap();
    assert_eq!(result.frame("typed").unwrap().count(), 4);
    assert_eq!(
        result.frame("names").unwrap().schema().to_string(),
        "name:str"
    );

    // Saving twice in `error` mode fails, naming the step.
    let wf = Workflow::new();
    wf.create(people()).save(path, "error").named("save_again");
    let e = wf.run_on("native").unwrap_err();
    assert!(e.to_string().starts_with("step `save_again` (save"), "{e}");
}

/// Counts its calls; returns its input.
#[derive(Clone)]
struct Counted(Arc<AtomicUsize>);

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

fn run_on_file(path: &str, root: &Path, f: &Counted) -> fugue_runtime::workflow::WorkflowResult {
    let wf = Workflow::new();
    wf.load(path)
        .transform(f.clone())
        .checkpoint_deterministic()
        .yield_as("out");
    let mut conf = ConfigOverrides::new();
    conf.set("fugue.workflow.checkpoint.path", root.to_str().unwrap())
        .unwrap();
    wf.run("native", conf).unwrap()
}

#[test]
fn a_deterministic_checkpoint_is_recomputed_when_the_input_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("checkpoints");
    let path = dir.path().join("in.parquet");
    let path = path.to_str().unwrap();
    let save = |rows: (Vec<Vec<Value>>, &'static str)| {
        let wf = Workflow::new();
        wf.create(rows).save(path, "overwrite");
        wf.run_on("native").unwrap();
    };
    save(people());
    let f = Counted(Arc::new(AtomicUsize::new(0)));
    run_on_file(path, &root, &f);
    let again = run_on_file(path, &root, &f);
    assert_eq!(f.0.load(Ordering::SeqCst), 1);
    assert_eq!(again.reused_steps(), &[StepId(1)]);
    // Other content (another size and modification time): recomputed, fresh rows.
    let mut more = people();
    more.0
        .push(vec![Value::from(4_i64), Value::from("dan"), Value::Null]);
    save(more);
    let changed = run_on_file(path, &root, &f);
    assert_eq!(f.0.load(Ordering::SeqCst), 2);
    assert_eq!(changed.frame("out").unwrap().count(), 5);
    assert!(changed.reused().is_empty());
}

#[test]
fn a_sql_error_at_run_time_names_the_step() {
    let wf = Workflow::new();
    let data = wf.create(people().into_dataframe().unwrap());
    let line = line!() + 1;
    data.filter("no_such_column > 1").named("filtered");
    let e = wf.run_on("native").unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "step `filtered` (filter, {}:{line}) failed: ",
            file!()
        )),
        "{e}"
    );
}

/// Counts the rows of every key group it sees (for the output co-transformation).
struct CountRows(Arc<AtomicUsize>);

impl PartitionFunction for CountRows {
    fn name(&self) -> &str {
        "count_rows"
    }
    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        Ok(inputs[0].clone())
    }
    fn call<'a>(
        &'a self,
        _: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        for stream in inputs {
            for batch in stream {
                self.0.fetch_add(batch?.num_rows(), Ordering::SeqCst);
            }
        }
        Ok(Box::new(std::iter::empty()))
    }
}

#[test]
fn the_other_step_variants_run() {
    use fugue_runtime::engine::NaPosition;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    let csv = csv.to_str().unwrap();
    let wf = Workflow::new();
    let p = wf.create(people());
    p.fillna_columns(vec![("city", Value::from("nowhere"))])
        .yield_as("filled");
    p.partition("by=name")
        .take_na(1, "city", NaPosition::First)
        .yield_as("first_null");
    p.sample_frac(1.0, false, Some(1)).yield_as("all");
    p.dropna("all", Some(2), Some(&["name", "city"]))
        .yield_as("thresh");
    p.select_where(&["id", "COUNT(*) AS n"], None, Some("COUNT(*) > 1"), false)
        .yield_as("having");
    let counted = Arc::new(AtomicUsize::new(0));
    p.zip(&[wf.create(scores())], "inner")
        .partition("by=id")
        .out_transform(CountRows(counted.clone()));
    p.show(2, Some("people"));
    p.select(&["id", "name"]).save_as(csv, "overwrite", "csv");
    let result = wf.run_on("native").unwrap();
    let mut filled = result.get("filled").unwrap();
    assert_eq!(filled.as_rows().unwrap()[1][2], Value::from("nowhere"));
    assert_eq!(result.frame("first_null").unwrap().count(), 3);
    assert_eq!(result.frame("all").unwrap().count(), 4);
    assert_eq!(result.frame("thresh").unwrap().count(), 3);
    assert_eq!(
        result.get("having").unwrap().as_rows().unwrap(),
        vec![vec![Value::Int64(3), Value::Int64(2)]]
    );
    // Keys 1 and 3: people rows 1 + 2, score rows 2 + 1.
    assert_eq!(counted.load(Ordering::SeqCst), 6);

    let wf = Workflow::new();
    wf.load(csv)
        .format("csv")
        .option("header", "true")
        .schema("id:long,name:str")
        .yield_as("back");
    let result = wf.run_on("native").unwrap();
    assert_eq!(result.frame("back").unwrap().count(), 4);

    let wf = Workflow::new();
    wf.load(csv).option("headers", "true");
    let e = wf.plan().unwrap_err();
    assert!(e.to_string().contains("unknown load option"), "{e}");
}
