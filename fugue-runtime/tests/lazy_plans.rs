//! Lazy frames on the `local` engine: a parquet load is a scan, relational steps append to its
//! plan (one fused query, the filter pushed into the scan), nothing runs until rows are needed,
//! and a save writes from the plan's stream, atomically.
#![cfg(feature = "datafusion")]

use fugue_runtime::engine::{
    ExecutionEngine, LOCAL_WORKERS, LoadOptions, LocalEngine, RelationalEngine, SaveOptions,
};
use fugue_runtime::fugue_core::{ErrorKind, FugueConfig};
use fugue_runtime::{ArrowFrame, DataFrame, Value};
use std::fs;
use std::path::Path;

fn local() -> LocalEngine {
    LocalEngine::local(FugueConfig::new().with(LOCAL_WORKERS, "2").expect("conf")).expect("local")
}

fn native() -> LocalEngine {
    LocalEngine::native(FugueConfig::new()).expect("native")
}

/// `k` in 0..7, `v` = i / n, `s` a digit string or `x` for every tenth row.
fn facts(n: usize) -> DataFrame {
    let rows: Vec<Vec<Value>> = (0..n)
        .map(|i| {
            vec![
                Value::from((i % 7) as i64),
                Value::from(i as f64 / n as f64),
                Value::from(if i % 10 == 9 {
                    "x".to_string()
                } else {
                    (i % 10).to_string()
                }),
            ]
        })
        .collect();
    DataFrame::from(ArrowFrame::from_rows("k:long,v:double,s:str", &rows).expect("frame"))
}

fn saved(dir: &Path, name: &str, n: usize) -> String {
    let path = dir.join(name);
    let text = path.to_str().expect("utf8").to_string();
    native()
        .save(facts(n), &text, &SaveOptions::default())
        .expect("save");
    text
}

mod common;
use common::sorted_rows as sorted;

fn plan_text(df: &DataFrame) -> String {
    match df {
        DataFrame::Plan(plan) => plan.explain(true).expect("explain"),
        other => panic!("expected a plan, got a {}", other.kind_name()),
    }
}

#[test]
fn a_scan_filter_and_aggregate_are_one_query_with_the_filter_in_the_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved(dir.path(), "facts.parquet", 1000);
    let run = |e: &dyn ExecutionEngine| {
        let facts = e.load(&[&path], &LoadOptions::default()).expect("load");
        let kept = e.filter(facts, "v > 0.5").expect("filter");
        e.aggregate(kept, &["k"], &[("n", "COUNT(v)"), ("total", "SUM(v)")])
            .expect("aggregate")
    };
    let lazy = run(&local());
    assert_eq!(lazy.kind_name(), "PlanFrame");
    assert_eq!(lazy.schema().to_string(), "k:long,n:long,total:double");
    let text = plan_text(&lazy);
    assert_eq!(text.matches("DataSourceExec").count(), 1, "{text}");
    assert!(
        text.contains("predicate="),
        "the filter is not pushed into the scan: {text}"
    );
    assert!(text.contains("AggregateExec"), "{text}");
    assert_eq!(sorted(lazy), sorted(run(&native())));
}

#[test]
fn nothing_runs_until_rows_are_needed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved(dir.path(), "facts.parquet", 100);
    let e = local();
    let facts = e.load(&[&path], &LoadOptions::default()).expect("load");
    // `x` is not an integer: the failure comes when the rows are read, not when planned.
    let bad = e
        .assign(facts, &[("n", "CAST(s AS INT)")])
        .expect("planning succeeds");
    assert_eq!(bad.schema().to_string(), "k:long,v:double,s:str,n:int");
    let err = bad.to_arrow_frame().unwrap_err();
    assert!(err.to_string().contains("Cannot cast string 'x'"), "{err}");
    // Planning errors still come at once, naming the column.
    let facts = e.load(&[&path], &LoadOptions::default()).expect("load");
    let err = e.filter(facts, "vv > 1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ColumnNotFound, "{err}");
}

#[test]
fn a_plan_streams_reads_in_a_defined_order_and_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("parts");
    fs::create_dir(&folder).expect("mkdir");
    for i in 0..4 {
        saved(&folder, &format!("part-{i}.parquet"), 50 + i);
    }
    let folder = folder.to_str().expect("utf8");
    let lazy = local()
        .load(&[folder], &LoadOptions::default())
        .expect("load");
    assert_eq!(lazy.count().expect("count"), 206);
    let eager = native()
        .load(&[folder], &LoadOptions::default())
        .expect("load");
    // The files in name order, each in its row order: the eager load's order.
    let mut eager = eager;
    let expected = eager.as_rows().expect("rows");
    let stream = lazy.to_stream_frame().expect("stream");
    let streamed = DataFrame::from(stream).as_rows().expect("rows");
    assert_eq!(streamed, expected);
    let mut again = local()
        .load(&[folder], &LoadOptions::default())
        .expect("load");
    assert_eq!(
        again.head(3).expect("head").as_rows().expect("rows"),
        expected[..3]
    );
    assert_eq!(again.as_rows().expect("rows"), expected);
}

#[test]
fn a_save_streams_from_the_plan_and_a_failed_one_leaves_the_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved(dir.path(), "facts.parquet", 1000);
    let e = local();
    let out = dir.path().join("out.parquet");
    let out_text = out.to_str().expect("utf8");
    let facts = e.load(&[&path], &LoadOptions::default()).expect("load");
    let kept = e.filter(facts, "k = 3").expect("filter");
    e.save(kept, out_text, &SaveOptions::default())
        .expect("save");
    let back = native()
        .load(&[out_text], &LoadOptions::default())
        .expect("load");
    assert_eq!(back.count().expect("count"), 143);
    let before = fs::read(&out).expect("read");
    // A plan that fails while it is written: the old output stays, nothing else is left.
    let facts = e.load(&[&path], &LoadOptions::default()).expect("load");
    let bad = e.assign(facts, &[("n", "CAST(s AS INT)")]).expect("plan");
    let overwrite = SaveOptions {
        mode: fugue_runtime::engine::SaveMode::Overwrite,
        ..SaveOptions::default()
    };
    let err = e.save(bad, out_text, &overwrite).unwrap_err();
    assert!(err.to_string().contains("Cannot cast string 'x'"), "{err}");
    assert_eq!(fs::read(&out).expect("read"), before);
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .expect("listing")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["facts.parquet", "out.parquet"]);
}

#[test]
fn a_plan_outlives_its_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved(dir.path(), "facts.parquet", 10);
    let df = {
        let e = local();
        let facts = e.load(&[&path], &LoadOptions::default()).expect("load");
        e.filter(facts, "k < 2").expect("filter")
    };
    assert_eq!(df.count().expect("count"), 4);
}

#[test]
fn nan_values_are_read_and_filtered_as_the_eager_load_does() {
    // Parquet statistics leave NaN out (min = max = 0.5 here): a scan that trusted them would
    // read the column as the constant 0.5 and prune the NaN for `c > 0.6`.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nan.parquet");
    let path = path.to_str().expect("utf8");
    let rows = vec![vec![Value::from(0.5_f64)], vec![Value::from(f64::NAN)]];
    let frame = DataFrame::from(ArrowFrame::from_rows("c:double", &rows).expect("frame"));
    native()
        .save(frame, path, &SaveOptions::default())
        .expect("save");
    for condition in ["c > 0.6", "c = 0.5", "c <> 0.5", "c >= 0.5"] {
        let run = |e: &dyn ExecutionEngine| {
            let loaded = e.load(&[path], &LoadOptions::default()).expect("load");
            e.filter(loaded, condition).expect("filter")
        };
        assert_eq!(sorted(run(&local())), sorted(run(&native())), "{condition}");
    }
    let loaded = local()
        .load(&[path], &LoadOptions::default())
        .expect("load");
    assert_eq!(
        sorted(loaded),
        ["[Float64(0.5)]".to_string(), "[Float64(NaN)]".to_string()]
    );
}

#[test]
fn a_memory_limit_spills_aggregations_and_names_itself_when_a_join_cannot_fit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spill = dir.path().join("spill");
    fs::create_dir(&spill).expect("mkdir");
    let path = saved(dir.path(), "facts.parquet", 400_000);
    let conf = FugueConfig::new()
        .with(LOCAL_WORKERS, "2")
        .and_then(|c| c.with(fugue_runtime::engine::LOCAL_MEMORY_LIMIT, "12MB"))
        .and_then(|c| {
            c.with(
                fugue_runtime::engine::LOCAL_SPILL_DIR,
                spill.to_str().expect("utf8"),
            )
        })
        .expect("conf");
    let e = LocalEngine::local(conf).expect("local");
    // An aggregation of 400,000 groups under a 12 MB limit spills and gives every group.
    let facts = e.load(&[&path], &LoadOptions::default()).expect("load");
    let groups = e
        .aggregate(facts, &["v", "k"], &[("n", "COUNT(*)")])
        .expect("aggregate")
        .to_arrow_frame()
        .expect("an aggregation spills");
    assert_eq!(groups.count(), 400_000);
    assert!(
        fs::read_dir(&spill).is_ok(),
        "the spill folder is still there"
    );
    // A hash join whose build side is over the limit fails, naming the key to raise.
    let conf = FugueConfig::new()
        .with(fugue_runtime::engine::LOCAL_MEMORY_LIMIT, "2MB")
        .expect("conf");
    let e = LocalEngine::local(conf).expect("local");
    let left = e.load(&[&path], &LoadOptions::default()).expect("load");
    let right = e
        .load(&[&path], &LoadOptions::default())
        .expect("load")
        .rename(&[("k", "j"), ("s", "t")])
        .expect("rename");
    let joined = e
        .join(left, right, fugue_runtime::engine::JoinHow::Inner, &["v"])
        .expect("planning a join");
    let err = joined.count().unwrap_err();
    assert!(err.to_string().contains("local.memory_limit"), "{err}");
    // A bad size names the key and the accepted forms.
    let bad = FugueConfig::new()
        .with(fugue_runtime::engine::LOCAL_MEMORY_LIMIT, "lots")
        .expect("conf");
    let err = LocalEngine::local(bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
}

#[test]
fn a_typed_load_is_a_scan_when_the_footer_proves_its_required_columns_hold_no_null() {
    use arrow::datatypes::DataType;
    use fugue_runtime::engine::LoadColumns;
    use fugue_runtime::fugue_core::{Column, Schema};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = saved(dir.path(), "facts.parquet", 100);
    let with_nulls = dir.path().join("nulls.parquet");
    let with_nulls = with_nulls.to_str().expect("utf8");
    let rows = vec![vec![Value::from(1_i64)], vec![Value::Null]];
    let frame = DataFrame::from(ArrowFrame::from_rows("k:long", &rows).expect("frame"));
    native()
        .save(frame, with_nulls, &SaveOptions::default())
        .expect("save");
    // `k` declared as a field that is not an `Option`.
    let required = LoadOptions {
        columns: Some(LoadColumns::Schema(
            Schema::new(vec![Column::with_nullable("k", DataType::Int64, false)]).expect("schema"),
        )),
        ..LoadOptions::default()
    };
    let e = local();
    let lazy = e.load(&[&path], &required).expect("load");
    assert_eq!(lazy.kind_name(), "PlanFrame");
    assert_eq!(lazy.schema().to_string(), "k:long");
    assert_eq!(lazy.count().expect("count"), 100);
    // A file with a NULL there is read row by row, and the NULL is named.
    let err = e.load(&[with_nulls], &required).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conversion, "{err}");
    assert!(err.to_string().contains("row 1"), "{err}");
}

#[test]
fn dropna_fillna_and_alter_columns_are_nodes_of_the_plan_with_their_checks_first() {
    use fugue_runtime::engine::{DropHow, FillValue};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("holes.parquet");
    let path = path.to_str().expect("utf8");
    let rows: Vec<Vec<Value>> = (0..1000_i64)
        .map(|i| {
            vec![
                Value::from(i),
                if i % 3 == 0 {
                    Value::Null
                } else {
                    Value::from(i as f64)
                },
            ]
        })
        .collect();
    let frame = DataFrame::from(ArrowFrame::from_rows("k:long,v:double", &rows).expect("frame"));
    native()
        .save(frame, path, &SaveOptions::default())
        .expect("save");
    let run = |e: &dyn ExecutionEngine| {
        let loaded = e.load(&[path], &LoadOptions::default()).expect("load");
        let kept = e.dropna(loaded, DropHow::Any, None, None).expect("dropna");
        let loaded = e.load(&[path], &LoadOptions::default()).expect("load");
        let filled = e
            .fillna(loaded, &FillValue::All(Value::from(-1.0_f64)), Some(&["v"]))
            .expect("fillna");
        (kept, filled)
    };
    let (kept, filled) = run(&local());
    // Nodes of the scan's plan: the steps after them extend it.
    for (frame, name) in [(&kept, "dropna"), (&filled, "fillna")] {
        let DataFrame::Plan(plan) = frame else {
            panic!("{name} gave a {}", frame.kind_name());
        };
        let text = plan.explain(true).expect("explain");
        assert!(text.contains(&format!("FugueMap: {name}")), "{text}");
        assert!(text.contains("DataSourceExec"), "{text}");
    }
    let (eager_kept, eager_filled) = run(&native());
    assert_eq!(sorted(kept), sorted(eager_kept));
    assert_eq!(sorted(filled), sorted(eager_filled));
    // scan -> dropna -> alter_columns -> aggregate is one plan, with native's result.
    let report = |e: &dyn ExecutionEngine| {
        let loaded = e.load(&[path], &LoadOptions::default()).expect("load");
        let kept = e.dropna(loaded, DropHow::Any, None, None).expect("dropna");
        let altered = e
            .alter_columns(kept, &"v:float".parse().expect("schema"))
            .expect("alter");
        e.aggregate(altered, &[], &[("n", "COUNT(*)"), ("total", "SUM(v)")])
            .expect("aggregate")
    };
    let lazy = report(&local());
    let DataFrame::Plan(plan) = &lazy else {
        panic!("the aggregate gave a {}", lazy.kind_name());
    };
    let text = plan.explain(true).expect("explain");
    assert!(text.contains("FugueMap: alter_columns"), "{text}");
    assert!(text.contains("FugueMap: dropna"), "{text}");
    assert_eq!(sorted(lazy), sorted(report(&native())));
    // A value that does not fit the altered type fails the read, as on the eager frame.
    let e = local();
    let loaded = e.load(&[path], &LoadOptions::default()).expect("load");
    let narrowed = e
        .alter_columns(loaded, &"k:byte".parse().expect("schema"))
        .expect("alter is planned");
    let err = e
        .aggregate(narrowed, &[], &[("n", "COUNT(*)")])
        .and_then(|mut df| df.as_rows())
        .unwrap_err();
    let eager = native()
        .alter_columns(
            native()
                .load(&[path], &LoadOptions::default())
                .expect("load"),
            &"k:byte".parse().expect("schema"),
        )
        .and_then(|mut df| df.as_rows())
        .unwrap_err();
    assert_eq!(err.kind(), eager.kind(), "{err} / {eager}");
    // A mistake is reported when the step is called, not when rows are read.
    let e = local();
    let loaded = e.load(&[path], &LoadOptions::default()).expect("load");
    let err = e
        .dropna(loaded, DropHow::Any, None, Some(&["w"]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ColumnNotFound, "{err}");
}
