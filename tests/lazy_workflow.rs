//! A `workflow!` over parquet on `local` runs as lazy plans (the load a scan, the filters and
//! the aggregate fused around the transformer, which reads its input as a stream) and gives
//! `native`'s eager results; the plan of each SQL step has its schema before anything runs.

use fugue::IntoDataFrame;
use fugue::SaveOptions;
use fugue::prelude::*;

#[derive(Schema, Debug, Clone, PartialEq)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Ranked {
    city: String,
    fare: f64,
    rank: i64,
}

#[derive(Schema, Debug, Clone, PartialEq, PartialOrd)]
struct Report {
    city: String,
    n: i64,
    best: f64,
}

/// Each trip with its rank in its (presorted) group.
fn ranks(trips: Vec<Trip>) -> Vec<Ranked> {
    trips
        .into_iter()
        .enumerate()
        .map(|(i, t)| Ranked {
            city: t.city,
            fare: t.fare,
            rank: i as i64 + 1,
        })
        .collect()
}

#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank(trips: Vec<Trip>) -> Vec<Ranked> {
    ranks(trips)
}

/// `n` trips saved as parquet in a new temporary folder (kept alive by the returned guard).
fn saved_trips(
    n: usize,
    trip: impl Fn(usize) -> Trip,
) -> fugue::Result<(tempfile::TempDir, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("trips.parquet");
    let path = path.to_str().expect("utf8").to_string();
    let trips: Vec<Trip> = (0..n).map(trip).collect();
    fugue::make_engine("native", ())?.save(
        trips.into_dataframe()?,
        &path,
        &SaveOptions::default(),
    )?;
    Ok((dir, path))
}

#[test]
fn a_parquet_workflow_gives_the_same_results_lazy_and_eager() -> fugue::Result<()> {
    let (_dir, path) = saved_trips(5_000, |i| Trip {
        city: format!("c{}", i % 37),
        fare: ((i * 7919) % 1000) as f64 + 0.5,
    })?;
    let wf = workflow! {
        trips = load(path.clone());
        cheap = filter(trips, "fare < 900");
        ranked = transform(cheap, rank, partition(by: city, presort: fare desc));
        top = filter(ranked, "rank <= 3");
        report = aggregate(top, by: [city], n = "count(*)", best = "max(fare)");
        yield report;
    };
    let mut results = Vec::new();
    for engine in ["native", "local"] {
        let result = wf.run_on(engine)?;
        let mut rows: Vec<Report> = fugue::records(result.get("report")?)?;
        rows.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        assert_eq!(rows.len(), 37, "{engine}");
        assert!(rows.iter().all(|r| r.n == 3 && r.best < 900.0), "{engine}");
        results.push(rows);
    }
    assert_eq!(results[0], results[1]);
    Ok(())
}

static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[transformer]
fn counted(trips: Vec<Trip>) -> Vec<Trip> {
    CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    trips
}

/// A plan read batch by batch (after `dropna` or `alter_columns`) is still one frame: a
/// transformer without keys is called once over it, as over the eager frame, never per chunk.
#[test]
fn a_streamed_plan_is_one_call_of_a_transformer_without_keys() -> fugue::Result<()> {
    use fugue_runtime::engine::{DropHow, LoadOptions};
    let (_dir, path) = saved_trips(150_000, |i| Trip {
        city: format!("c{}", i % 5),
        fare: i as f64,
    })?;
    for engine in ["native", "local"] {
        let e = fugue::make_engine(engine, ())?;
        let loaded = e.load(&[path.as_str()], &LoadOptions::default())?;
        let kept = e.dropna(loaded, DropHow::Any, None, None)?;
        let altered = e.alter_columns(kept, &"fare:double".parse()?)?;
        let before = CALLS.load(std::sync::atomic::Ordering::SeqCst);
        let out = fugue::transform(altered, counted, (), &e)?;
        assert_eq!(out.count()?, 150_000, "{engine}");
        let calls = CALLS.load(std::sync::atomic::Ordering::SeqCst) - before;
        assert_eq!(calls, 1, "{engine}");
    }
    Ok(())
}

/// With `workflow.explain_plans`, the run records the fused plan of each step whose output is
/// a plan (logical and physical: the scan with the filter pushed into it, the aggregate);
/// without it, or on `native` (eager), there is none.
#[test]
fn a_run_can_show_each_steps_fused_plan() -> fugue::Result<()> {
    use fugue::config::EXPLAIN_PLANS;
    let (_dir, path) = saved_trips(1_000, |i| Trip {
        city: format!("c{}", i % 7),
        fare: i as f64,
    })?;
    let wf = workflow! {
        trips = load(path.clone());
        cheap = filter(trips, "fare < 900");
        report = aggregate(cheap, by: [city], n = "count(*)", best = "max(fare)");
        yield report;
    };
    let result = wf.run("local", [(EXPLAIN_PLANS, "true")])?;
    let text = result.explain_plans();
    for step in ["trips", "cheap", "report"] {
        assert!(text.contains(&format!("step `{step}`")), "{text}");
    }
    let report = &text[text.find("step `report`").expect("the report's plan")..];
    // The fused query: the aggregate over the filtered scan, logical and physical.
    assert!(report.contains("Aggregate"), "{report}");
    assert!(
        report.contains("Filter") || report.contains("predicate"),
        "{report}"
    );
    assert!(report.contains("AggregateExec"), "{report}");
    assert!(report.contains("trips.parquet"), "{report}");
    for (engine, conf) in [("local", "false"), ("local", ""), ("native", "true")] {
        let result = wf.run(engine, [(EXPLAIN_PLANS, conf)])?;
        assert!(
            result.explain_plans().starts_with("no plan was recorded"),
            "{engine}"
        );
    }
    let e = wf.run("local", [(EXPLAIN_PLANS, "maybe")]).unwrap_err();
    assert!(e.to_string().contains(EXPLAIN_PLANS), "{e}");
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq, PartialOrd)]
struct CityFloor {
    city: String,
    floor: f64,
}

#[derive(Schema, Debug, Clone, PartialEq, PartialOrd)]
struct AboveFloor {
    city: String,
    above: i64,
}

/// Per city: how many trips cost more than the city's floor (zipped from another frame).
#[cotransformer]
fn above_floor(trips: Vec<Trip>, floors: Vec<CityFloor>) -> Vec<AboveFloor> {
    let (Some(first), Some(floor)) = (trips.first(), floors.first()) else {
        return Vec::new();
    };
    vec![AboveFloor {
        city: first.city.clone(),
        above: trips.iter().filter(|t| t.fare > floor.floor).count() as i64,
    }]
}

/// On the Ballista engine a load, a transformer and an aggregate over it stay one plan of the
/// cluster (the step a node of the scan's plan, read by the executors), an in-memory frame
/// zipped with a plan is staged for as long as the plan can run, and the results are the
/// local engine's.
#[cfg(feature = "cluster")]
#[test]
fn on_ballista_steps_over_a_scan_stay_one_cluster_plan() -> fugue::Result<()> {
    use fugue::LoadOptions;
    fugue::cluster::install();
    let (_dir, path) = saved_trips(3_000, |i| Trip {
        city: format!("c{}", i % 11),
        fare: ((i * 7919) % 1000) as f64 + 0.5,
    })?;
    let floors: Vec<CityFloor> = (0..11)
        .map(|i| CityFloor {
            city: format!("c{i}"),
            floor: 100.0 * i as f64,
        })
        .collect();
    let run = |engine: &std::sync::Arc<dyn ExecutionEngine>| -> fugue::Result<_> {
        let loaded = engine.load(&[path.as_str()], &LoadOptions::default())?;
        let ranked = fugue::transform(loaded, rank, "by=city; presort=fare desc", engine)?;
        let report = engine.aggregate(
            ranked,
            &["city"],
            &[("n", "COUNT(*)"), ("best", "MAX(fare)")],
        )?;
        let loaded = engine.load(&[path.as_str()], &LoadOptions::default())?;
        let zipped = fugue::cotransform(
            (loaded, floors.clone().into_dataframe()?),
            above_floor,
            "city",
            engine,
        )?;
        Ok((report, zipped))
    };
    let cluster = fugue::make_engine(
        "ballista://standalone",
        [("fugue.ballista.partitions", "3")],
    )?;
    let local = fugue::make_engine("local", ())?;
    let (report, zipped) = run(&cluster)?;
    for frame in [&report, &zipped] {
        let DataFrame::Plan(plan) = frame else {
            panic!("a {} where a cluster plan was expected", frame.kind_name());
        };
        assert!(plan.location().is_some_and(|l| l.starts_with("df://")));
        let text = plan.explain(false)?;
        // The step is a node over the scan's plan (not over rows the driver staged).
        let step = text.find("FugueStep").expect("the step's node");
        assert!(text[step..].contains("TableScan"), "{text}");
    }
    let (local_report, local_zipped) = run(&local)?;
    let sorted = |df: DataFrame| -> fugue::Result<Vec<Report>> {
        let mut rows: Vec<Report> = fugue::records(df)?;
        rows.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        Ok(rows)
    };
    let sorted_zip = |df: DataFrame| -> fugue::Result<Vec<AboveFloor>> {
        let mut rows: Vec<AboveFloor> = fugue::records(df)?;
        rows.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        Ok(rows)
    };
    let report = sorted(report)?;
    assert_eq!(report.len(), 11);
    assert_eq!(report, sorted(local_report)?);
    let zipped = sorted_zip(zipped)?;
    assert_eq!(zipped.len(), 11);
    assert_eq!(zipped, sorted_zip(local_zipped)?);
    Ok(())
}

static RANKED_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn counted_rank(trips: Vec<Trip>) -> Vec<Ranked> {
    RANKED_CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    ranks(trips)
}

#[transformer]
fn refuse_c3(trips: Vec<Trip>) -> Result<Vec<Trip>, fugue::FugueError> {
    match trips.iter().find(|t| t.city == "c3") {
        Some(t) => Err(fugue::FugueError::invalid_argument(
            "fare",
            format!("trip of {} refused", t.fare),
        )),
        None => Ok(trips),
    }
}

/// On `local` a transformer or co-transformer step over a scan is a node of the scan's plan:
/// nothing runs until rows are read, an aggregate over the step is one plan with it, the
/// function is called once per key group (once per run when the step's output is read twice
/// in a workflow) and the results, and a failing function's error, are `native`'s.
#[test]
fn on_local_a_transformer_over_a_scan_is_a_node_of_its_plan() -> fugue::Result<()> {
    use fugue::LoadOptions;
    use std::sync::atomic::Ordering::SeqCst;
    let (_dir, path) = saved_trips(4_000, |i| Trip {
        city: format!("c{}", i % 13),
        fare: ((i * 7919) % 1000) as f64 + 0.5,
    })?;
    let sorted = |df: DataFrame| -> fugue::Result<Vec<Report>> {
        let mut rows: Vec<Report> = fugue::records(df)?;
        rows.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        Ok(rows)
    };
    let sorted_zip = |df: DataFrame| -> fugue::Result<Vec<AboveFloor>> {
        let mut rows: Vec<AboveFloor> = fugue::records(df)?;
        rows.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        Ok(rows)
    };
    let mut reports = Vec::new();
    let mut zips = Vec::new();
    for name in ["native", "local"] {
        let engine = fugue::make_engine(name, ())?;
        let loaded = engine.load(&[path.as_str()], &LoadOptions::default())?;
        let before = RANKED_CALLS.load(SeqCst);
        let ranked = fugue::transform(loaded, counted_rank, "by=city; presort=fare desc", &engine)?;
        let report = engine.aggregate(
            ranked,
            &["city"],
            &[("n", "COUNT(*)"), ("best", "MAX(fare)")],
        )?;
        let loaded = engine.load(&[path.as_str()], &LoadOptions::default())?;
        let floors = engine.load(&[path.as_str()], &LoadOptions::default())?;
        let floors = engine.aggregate(floors, &["city"], &[("floor", "MIN(fare)")])?;
        let zipped = fugue::cotransform((loaded, floors), above_floor, "city", &engine)?;
        if name == "local" {
            // Nothing has run: the steps are nodes of the plans, over the scans.
            assert_eq!(RANKED_CALLS.load(SeqCst), before);
            for frame in [&report, &zipped] {
                let DataFrame::Plan(plan) = frame else {
                    panic!("a {} where a plan was expected", frame.kind_name());
                };
                assert!(plan.location().is_none());
                let text = plan.explain(true)?;
                let step = text.find("FugueStep").expect("the step's node");
                assert!(text[step..].contains("TableScan"), "{text}");
                // In the physical plan the step reads the scan's partitions as they are: the
                // executor routes by key itself, with no repartition in front of it.
                let physical = &text[text.rfind("FugueStep").expect("the step's exec")..];
                let below = physical.lines().nth(1).unwrap_or_default();
                assert!(below.contains("DataSourceExec"), "{text}");
            }
        }
        reports.push(sorted(report)?);
        assert_eq!(RANKED_CALLS.load(SeqCst) - before, 13, "{name}");
        zips.push(sorted_zip(zipped)?);
    }
    assert_eq!(reports[0].len(), 13);
    assert_eq!(reports[0], reports[1]);
    assert_eq!(zips[0].len(), 13);
    assert_eq!(zips[0], zips[1]);

    // A step read twice in a workflow runs once.
    let wf = workflow! {
        trips = load(path.clone());
        ranked = transform(trips, counted_rank, partition(by: city, presort: fare desc));
        top = filter(ranked, "rank <= 3");
        report = aggregate(ranked, by: [city], n = "count(*)", best = "max(fare)");
        yield top;
        yield report;
    };
    let before = RANKED_CALLS.load(SeqCst);
    let result = wf.run_on("local")?;
    assert_eq!(RANKED_CALLS.load(SeqCst) - before, 13);
    assert_eq!(result.get("top")?.count()?, 39);
    assert_eq!(sorted(result.get("report")?)?, reports[0]);

    // A failing function fails the read with the function's own error, as on `native`.
    let mut errors = Vec::new();
    for name in ["native", "local"] {
        let engine = fugue::make_engine(name, ())?;
        let loaded = engine.load(&[path.as_str()], &LoadOptions::default())?;
        let out = fugue::transform(loaded, refuse_c3, "by=city", &engine)
            .and_then(|out| engine.aggregate(out, &["city"], &[("n", "COUNT(*)")]))
            .and_then(|mut report| report.as_rows());
        let e = out.expect_err("the function refuses c3");
        assert!(e.to_string().contains("refuse_c3"), "{name}: {e}");
        assert!(e.to_string().contains("refused"), "{name}: {e}");
        assert!(e.to_string().contains("c3"), "{name}: {e}");
        assert!(!e.to_string().contains("DataFusion"), "{name}: {e}");
        errors.push(e.root().kind());
    }
    assert_eq!(errors[0], errors[1]);
    assert_eq!(errors[0], fugue::ErrorKind::InvalidArgument);
    // In a workflow the error names the step the function belongs to, on `local` too (where
    // the aggregate's read runs it).
    let wf = workflow! {
        trips = load(path.clone());
        refused = transform(trips, refuse_c3, partition(by: city));
        report = aggregate(refused, by: [city], n = "count(*)");
        yield report;
    };
    for name in ["native", "local"] {
        let e = wf.run_on(name).expect_err("the function refuses c3");
        assert!(e.to_string().contains("step `refused`"), "{name}: {e}");
        assert!(e.to_string().contains("refused"), "{name}: {e}");
        assert_eq!(
            e.root().kind(),
            fugue::ErrorKind::InvalidArgument,
            "{name}: {e}"
        );
    }
    Ok(())
}

/// On Ballista `dropna` and `fillna` over a cluster plan are a filter and a projection of the
/// plan (its rows stay on the cluster), with the rules of the Arrow kernels `local` and
/// `native` apply: the same rows for every `how`, `thresh`, subset and fill value, NULLs and
/// NaN (a value, never dropped or filled) included, and the same errors.
#[cfg(feature = "cluster")]
#[test]
fn on_ballista_dropna_and_fillna_stay_in_the_cluster_plan_with_the_kernels_rows()
-> fugue::Result<()> {
    use fugue_runtime::engine::{DropHow, FillValue, LoadOptions};
    use fugue_runtime::{ArrowFrame, Value};
    fugue::cluster::install();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("holes.parquet");
    let path = path.to_str().expect("utf8").to_string();
    let rows: Vec<Vec<Value>> = (0..60_i64)
        .map(|i| {
            vec![
                if i % 3 == 0 {
                    Value::Null
                } else {
                    Value::from(i)
                },
                match i % 4 {
                    0 => Value::Null,
                    1 => Value::from(f64::NAN),
                    _ => Value::from(i as f64 / 2.0),
                },
                if i % 5 == 0 {
                    Value::Null
                } else {
                    Value::from(format!("s{}", i % 7))
                },
            ]
        })
        .collect();
    let frame = ArrowFrame::from_rows("k:long,v:double,s:str", &rows)?;
    fugue::make_engine("native", ())?.save(frame.into(), &path, &SaveOptions::default())?;
    let cluster = fugue::make_engine(
        "ballista://standalone",
        [("fugue.ballista.partitions", "3")],
    )?;
    let local = fugue::make_engine("local", ())?;
    let printed = |df: DataFrame| -> fugue::Result<Vec<String>> {
        let mut df = df;
        let mut rows: Vec<String> = df.as_rows()?.iter().map(|r| format!("{r:?}")).collect();
        rows.sort();
        Ok(rows)
    };
    let subsets: [Option<&[&str]>; 3] = [None, Some(&["k", "v"]), Some(&["s"])];
    for subset in subsets {
        for (how, thresh) in [
            (DropHow::Any, None),
            (DropHow::All, None),
            (DropHow::Any, Some(1)),
            (DropHow::Any, Some(2)),
            (DropHow::All, Some(3)),
            (DropHow::Any, Some(0)),
        ] {
            let run = |e: &std::sync::Arc<dyn ExecutionEngine>| {
                let loaded = e.load(&[path.as_str()], &LoadOptions::default())?;
                e.dropna(loaded, how, thresh, subset)
            };
            let on_cluster = run(&cluster)?;
            let DataFrame::Plan(plan) = &on_cluster else {
                panic!("dropna on the cluster gave a {}", on_cluster.kind_name());
            };
            assert!(plan.location().is_some(), "{how:?} {thresh:?} {subset:?}");
            let want = printed(run(&local)?)?;
            assert_eq!(printed(on_cluster)?, want, "{how:?} {thresh:?} {subset:?}");
        }
    }
    let fills = [
        (FillValue::All(Value::from(-1_i64)), Some(&["k"][..])),
        (FillValue::All(Value::from(0.25_f64)), Some(&["v"][..])),
        (FillValue::All(Value::from("none")), Some(&["s"][..])),
        (
            FillValue::PerColumn(vec![
                ("s".to_string(), Value::from("x")),
                ("k".to_string(), Value::from(7_i32)),
            ]),
            None,
        ),
    ];
    for (value, subset) in &fills {
        let run = |e: &std::sync::Arc<dyn ExecutionEngine>| {
            let loaded = e.load(&[path.as_str()], &LoadOptions::default())?;
            e.fillna(loaded, value, *subset)
        };
        let on_cluster = run(&cluster)?;
        let DataFrame::Plan(plan) = &on_cluster else {
            panic!("fillna on the cluster gave a {}", on_cluster.kind_name());
        };
        assert!(plan.location().is_some(), "{value:?}");
        assert_eq!(on_cluster.schema(), run(&local)?.schema());
        assert_eq!(printed(on_cluster)?, printed(run(&local)?)?, "{value:?}");
    }
    // The checks come first, as on the other engines.
    let loaded = cluster.load(&[path.as_str()], &LoadOptions::default())?;
    let e = cluster
        .fillna(loaded, &FillValue::All(Value::from("x")), Some(&["k"]))
        .unwrap_err();
    let want = local
        .fillna(
            local.load(&[path.as_str()], &LoadOptions::default())?,
            &FillValue::All(Value::from("x")),
            Some(&["k"]),
        )
        .unwrap_err();
    assert_eq!(e.kind(), want.kind(), "{e}");
    let loaded = cluster.load(&[path.as_str()], &LoadOptions::default())?;
    let e = cluster
        .dropna(loaded, DropHow::Any, None, Some(&["w"]))
        .unwrap_err();
    assert_eq!(e.kind(), fugue::ErrorKind::ColumnNotFound, "{e}");
    Ok(())
}
