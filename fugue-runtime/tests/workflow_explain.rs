//! The text form of a resolved workflow, snapshotted: what reviewers read.

use fugue_runtime::fugue_core::{Result, Schema};
use fugue_runtime::function::{BatchStream, Params, PartitionContext, PartitionFunction};
use fugue_runtime::workflow::Workflow;
use fugue_runtime::{DataFrame, Value};

/// Adds `rank:long` to its input (output schema known from the input).
struct Rank;

impl PartitionFunction for Rank {
    fn name(&self) -> &str {
        "rank"
    }
    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        inputs[0].transform("*,rank:long")
    }
    fn call<'a>(
        &'a self,
        _: PartitionContext,
        mut inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        Ok(inputs.remove(0))
    }
}

#[test]
fn explain_prints_every_step_with_its_schema_partition_and_checkpoint() {
    let wf = Workflow::new();
    let trips = wf
        .create((
            vec![vec![Value::from("Paris"), Value::from(12.5_f64)]],
            "city:str,fare:double",
        ))
        .named("trips");
    let files = wf.load("trips/*.parquet").named("more_trips");
    let ranked = trips
        .partition("by=city; presort=fare desc")
        .transform(Rank)
        .params(Params::new().with("top", 3_i64))
        .version("2")
        .named("ranked")
        .checkpoint_deterministic();
    ranked.yield_as("ranked");
    let top = ranked
        .partition("by=city")
        .take(3, "rank")
        .named("top")
        .persist();
    top.save("top.parquet", "overwrite").named("save_top");
    let all = trips.union(files, true).named("all");
    all.select(&["city", "fare * 2 AS double_fare"])
        .named("doubled");
    wf.process(&[top, all], |mut d: Vec<DataFrame>, _: &Params| {
        Ok(d.remove(0))
    })
    .named("first_of_two")
    .yield_file_as("first");
    insta::assert_snapshot!(wf.explain().unwrap());
}

#[cfg(feature = "datafusion")]
#[test]
fn sql_steps_have_their_schemas_before_anything_runs() {
    let wf = Workflow::new();
    let trips = wf.create((
        vec![vec![Value::from("Paris"), Value::from(12.5_f64)]],
        "city:str,fare:double",
    ));
    let taxed = trips.assign(&[("tax", "fare * 0.2"), ("fare", "CAST(fare AS BIGINT)")]);
    let totals = taxed
        .partition("by=city")
        .aggregate(&[("n", "COUNT(*)"), ("total", "SUM(tax)")]);
    let picked = totals.select(&["city", "total / n AS mean"]);
    let plan = wf.plan().expect("plan");
    let text = wf.explain().expect("explain");
    for (step, schema) in [
        (taxed, "city:str,fare:long,tax:double"),
        (totals, "city:str,n:long,total:double"),
        (picked, "city:str,mean:double"),
    ] {
        assert_eq!(
            plan.schema(step.id()).map(|s| s.to_string()).as_deref(),
            Some(schema)
        );
        assert!(text.contains(&format!("schema: {schema}")), "{text}");
    }
    // A mistake in the SQL fails the plan, before any data moves.
    let wf = Workflow::new();
    let trips = wf.create((
        vec![vec![Value::from("Paris"), Value::from(12.5_f64)]],
        "city:str,fare:double",
    ));
    trips
        .partition("by=city")
        .aggregate(&[("total", "SUM(fair)")]);
    let err = wf.plan().unwrap_err();
    assert_eq!(
        err.kind(),
        fugue_runtime::fugue_core::ErrorKind::ColumnNotFound,
        "{err}"
    );
    assert!(err.to_string().contains("fare"), "{err}");
}
