//! The Deep-Dive items beyond the shared cases, end to end on `native` and `local`:
//! partition-likes (`per_row`, `per_partition_by`, integers, lists, JSON, strings) through the
//! function API, the builder and `workflow!`; `alter_columns`, `create(using: ..)` with a
//! `#[creator]`, `out_cotransform` with an `#[output_cotransformer]`, semi and anti joins under
//! Fugue's spellings, and `show` with a count.

use fugue::Workflow;
use fugue::config::LOCAL_WORKERS;
use fugue::make_engine;
use fugue::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

#[derive(Schema, Debug, Clone, PartialEq)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Seen {
    city: String,
    rows: i64,
    physical: i64,
}

/// One row per call: the first row's city, the rows the call got, the physical partition.
#[transformer]
fn seen(trips: Vec<Trip>, cursor: &PartitionCursor) -> Seen {
    Seen {
        city: trips.first().map(|t| t.city.clone()).unwrap_or_default(),
        rows: trips.len() as i64,
        physical: cursor.physical_partition_no() as i64,
    }
}

fn trips() -> Vec<Trip> {
    [
        ("a", 3.0),
        ("b", 1.0),
        ("a", 5.0),
        ("c", 2.0),
        ("b", 4.0),
        ("d", 6.0),
        ("a", 7.0),
    ]
    .into_iter()
    .map(|(c, f)| Trip {
        city: c.to_string(),
        fare: f,
    })
    .collect()
}

/// `native`, and `local` with 3 workers so that data is really split.
fn engines() -> Vec<(&'static str, std::sync::Arc<dyn ExecutionEngine>)> {
    vec![
        ("native", make_engine("native", ()).expect("native")),
        (
            "local",
            make_engine("local", [(LOCAL_WORKERS, "3")]).expect("local"),
        ),
    ]
}

fn seen_rows(out: DataFrame) -> Vec<Seen> {
    let mut rows: Vec<Seen> = fugue::records(out).expect("typed output");
    rows.sort_by(|x, y| (x.city.as_str(), x.rows).cmp(&(y.city.as_str(), y.rows)));
    rows
}

#[test]
fn per_row_calls_the_function_once_per_row_on_every_engine() -> fugue::Result<()> {
    for (name, engine) in engines() {
        for like in [
            "per_row",
            "PER_ROW",
            r#"{"num": "ROWCOUNT", "algo": "even"}"#,
        ] {
            let rows = seen_rows(fugue::transform(trips(), seen, like, engine.clone())?);
            assert_eq!(rows.len(), trips().len(), "{name} {like}: {rows:?}");
            assert!(rows.iter().all(|r| r.rows == 1), "{name} {like}: {rows:?}");
        }
        let rows = seen_rows(fugue::transform(
            trips(),
            seen,
            PartitionSpec::per_row(),
            engine.clone(),
        )?);
        assert_eq!(rows.len(), 7, "{name}");
    }
    Ok(())
}

#[test]
fn partition_likes_of_every_form_give_the_same_groups() -> fugue::Result<()> {
    let by_city = |out: DataFrame| -> BTreeMap<String, i64> {
        seen_rows(out)
            .into_iter()
            .map(|r| (r.city, r.rows))
            .collect()
    };
    let want: BTreeMap<String, i64> = [("a", 3), ("b", 2), ("c", 1), ("d", 1)]
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    for (name, engine) in engines() {
        let e = || engine.clone();
        assert_eq!(
            by_city(fugue::transform(trips(), seen, "city", e())?),
            want,
            "{name}"
        );
        assert_eq!(
            by_city(fugue::transform(trips(), seen, ["city"], e())?),
            want,
            "{name}"
        );
        assert_eq!(
            by_city(fugue::transform(trips(), seen, vec!["city"], e())?),
            want
        );
        assert_eq!(
            by_city(fugue::transform(
                trips(),
                seen,
                vec!["city".to_string()],
                e()
            )?),
            want
        );
        assert_eq!(
            by_city(fugue::transform(
                trips(),
                seen,
                [("by", "city"), ("num", "2")],
                e()
            )?),
            want
        );
        assert_eq!(
            by_city(fugue::transform(
                trips(),
                seen,
                r#"{"partition_by": ["city"]}"#,
                e()
            )?),
            want
        );
        // An integer is the number of physical partitions, without keys: one call per
        // physical partition, every row seen once.
        let rows = seen_rows(fugue::transform(trips(), seen, 2, e())?);
        assert_eq!(rows.iter().map(|r| r.rows).sum::<i64>(), 7, "{name}");
        // A key the data lacks is an error naming it, never an empty result.
        let err = fugue::transform(trips(), seen, "cty", e()).unwrap_err();
        assert!(err.to_string().contains("cty"), "{err}");
    }
    Ok(())
}

#[test]
fn per_partition_by_puts_exactly_one_key_in_each_physical_partition() -> fugue::Result<()> {
    let local = make_engine("local", [(LOCAL_WORKERS, "3")])?;
    let out = fugue::transform(
        trips(),
        seen,
        PartitionSpec::per_partition_by(["city"])?,
        local,
    )?;
    let rows = seen_rows(out);
    assert_eq!(rows.len(), 4, "{rows:?}");
    let mut keys_of: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for r in &rows {
        keys_of
            .entry(r.physical)
            .or_default()
            .insert(r.city.clone());
    }
    assert_eq!(
        keys_of.len(),
        4,
        "one physical partition per key: {keys_of:?}"
    );
    assert!(keys_of.values().all(|k| k.len() == 1), "{keys_of:?}");
    let err = PartitionSpec::per_partition_by(Vec::<String>::new()).unwrap_err();
    assert_eq!(err.kind(), fugue::ErrorKind::InvalidPartitionSpec);
    Ok(())
}

#[test]
fn the_builder_has_per_row_and_per_partition_by() -> fugue::Result<()> {
    let wf = Workflow::new();
    wf.create(trips())
        .per_row()
        .transform(seen)
        .yield_as("rows");
    wf.create(trips())
        .per_partition_by(&["city"])
        .transform(seen)
        .yield_as("keys");
    let result = wf.run_on(make_engine("local", [(LOCAL_WORKERS, "3")])?)?;
    let rows = seen_rows(result.get("rows")?);
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r.rows == 1), "{rows:?}");
    let keys = seen_rows(result.get("keys")?);
    assert_eq!(keys.len(), 4);
    let physical: BTreeSet<i64> = keys.iter().map(|r| r.physical).collect();
    assert_eq!(physical.len(), 4, "{keys:?}");

    let wf = Workflow::new();
    wf.create(trips())
        .per_partition_by(&[])
        .transform(seen)
        .yield_as("x");
    let err = wf.run_on("native").unwrap_err();
    assert!(err.to_string().contains("per_partition_by"), "{err}");
    Ok(())
}

#[test]
fn workflow_partition_per_row() -> fugue::Result<()> {
    let wf = workflow! {
        input = create(trips()) as Trip;
        each = transform(input, seen, partition(per_row));
        yield each;
    };
    for (name, engine) in engines() {
        let rows = seen_rows(wf.run_on(engine)?.get("each")?);
        assert_eq!(rows.len(), 7, "{name}");
        assert!(rows.iter().all(|r| r.rows == 1), "{name}: {rows:?}");
    }
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Wide {
    city: String,
    fare: f32,
}

#[test]
fn alter_columns_casts_in_workflow_and_keeps_the_other_columns() -> fugue::Result<()> {
    let wf = workflow! {
        input = create(trips()) as Trip;
        narrow = alter_columns(input, "fare:float");
        yield narrow;
    };
    for (name, engine) in engines() {
        let out = wf.run_on(engine)?.get("narrow")?;
        assert_eq!(out.schema().to_string(), "city:str,fare:float", "{name}");
        let mut rows: Vec<Wide> = fugue::records(out)?;
        rows.sort_by(|x, y| x.fare.total_cmp(&y.fare));
        assert_eq!(rows.first().map(|r| r.fare), Some(1.0_f32), "{name}");
        assert_eq!(rows.len(), 7, "{name}");
    }
    // The builder's form reports a missing column with the words of the compile-time check.
    let wf = Workflow::new();
    wf.create(trips()).alter_columns("fair:float").yield_as("x");
    let err = wf.run_on("native").unwrap_err();
    assert_eq!(err.kind(), fugue::ErrorKind::ColumnNotFound);
    let text = err.to_string();
    assert!(text.contains("altered column `fair`"), "{text}");
    assert!(text.contains("did you mean `fare`"), "{text}");
    Ok(())
}

/// `n` trips in city `c`.
#[creator]
fn make_trips(n: i64) -> Vec<Trip> {
    (0..n)
        .map(|i| Trip {
            city: "c".into(),
            fare: i as f64,
        })
        .collect()
}

#[test]
fn a_creator_is_a_workflow_step() -> fugue::Result<()> {
    let wf = workflow! {
        made = create(using: make_trips, params(n: 5));
        cheap = filter(made, "fare < 3");
        yield made;
        yield cheap;
    };
    for (name, engine) in engines() {
        let result = wf.run_on(engine)?;
        let made: Vec<Trip> = fugue::records(result.get("made")?)?;
        assert_eq!(made.len(), 5, "{name}");
        assert_eq!(result.get("cheap")?.count()?, 3, "{name}");
    }
    // The builder's form, with parameters.
    let wf = Workflow::new();
    wf.create_with(fugue_runtime::workflow::Ext(make_trips))
        .params(Params::new().with("n", 2_i64))
        .yield_as("two");
    assert_eq!(wf.run_on("native")?.get("two")?.count()?, 2);
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Population {
    city: String,
    population: i64,
}

static ZIPPED: Mutex<Vec<(String, usize, i64)>> = Mutex::new(Vec::new());

/// Record, per zipped key, the number of trips and the population.
#[output_cotransformer]
fn remember_zip(trips: Vec<Trip>, people: Vec<Population>) {
    let city = trips
        .first()
        .map(|t| t.city.clone())
        .or_else(|| people.first().map(|p| p.city.clone()))
        .unwrap_or_default();
    ZIPPED.lock().unwrap_or_else(|p| p.into_inner()).push((
        city,
        trips.len(),
        people.iter().map(|p| p.population).sum(),
    ));
}

#[test]
fn an_output_cotransformer_runs_once_per_zipped_key() -> fugue::Result<()> {
    let people = || {
        vec![
            Population {
                city: "a".into(),
                population: 10,
            },
            Population {
                city: "b".into(),
                population: 20,
            },
        ]
    };
    for (name, engine) in engines() {
        ZIPPED.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let wf = workflow! {
            trips = create(trips()) as Trip;
            people = create(people()) as Population;
            out_cotransform([trips, people], remember_zip, partition(by: city));
        };
        wf.run_on(engine)?;
        let mut got = ZIPPED.lock().unwrap_or_else(|p| p.into_inner()).clone();
        got.sort();
        assert_eq!(
            got,
            vec![("a".into(), 3, 10), ("b".into(), 2, 20)],
            "{name}: an inner zip keeps the keys of both sides"
        );
    }
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct City {
    city: String,
    region: String,
}

#[test]
fn semi_and_anti_joins_under_every_spelling() -> fugue::Result<()> {
    let cities = || {
        vec![
            City {
                city: "a".into(),
                region: "n".into(),
            },
            City {
                city: "c".into(),
                region: "s".into(),
            },
        ]
    };
    let wf = workflow! {
        trips = create(trips()) as Trip;
        cities = create(cities()) as City;
        known = join(trips, cities, how: left_semi, on: [city]);
        known2 = join(trips, cities, how: SEMI, on: [city]);
        unknown = join(trips, cities, how: left_anti, on: [city]);
        unknown2 = join(trips, cities, how: Anti, on: [city]);
        picked = select(known, city, fare);
        yield known;
        yield known2;
        yield unknown;
        yield unknown2;
        yield picked;
    };
    let cities_of = |df: DataFrame| -> Vec<String> {
        let mut v: Vec<String> = fugue::records::<Trip>(df)
            .expect("left columns only")
            .into_iter()
            .map(|t| t.city)
            .collect();
        v.sort();
        v
    };
    for (name, engine) in engines() {
        let result = wf.run_on(engine.clone())?;
        for step in ["known", "known2"] {
            let df = result.get(step)?;
            assert_eq!(
                df.schema().to_string(),
                "city:str,fare:double",
                "{name} {step}"
            );
            assert_eq!(cities_of(df), ["a", "a", "a", "c"], "{name} {step}");
        }
        for step in ["unknown", "unknown2"] {
            assert_eq!(
                cities_of(result.get(step)?),
                ["b", "b", "d"],
                "{name} {step}"
            );
        }
        // The builder takes the same spellings.
        let wf = Workflow::new();
        let t = wf.create(trips());
        let c = wf.create(cities());
        t.join(c, "LEFT_ANTI", &["city"]).yield_as("x");
        assert_eq!(cities_of(wf.run_on(engine)?.get("x")?), ["b", "b", "d"]);
    }
    Ok(())
}

#[test]
fn show_with_a_count_runs_in_workflow_and_builder() -> fugue::Result<()> {
    let wf = workflow! {
        input = create(trips()) as Trip;
        show(input, 2, title: "first two", with_count: true);
        show(input);
        yield input;
    };
    let plan = wf.explain()?;
    assert!(
        plan.contains("show(n=2, with_count, title=\"first two\")"),
        "{plan}"
    );
    assert!(plan.contains("show(n=10)"), "{plan}");
    let result = wf.run_on("native")?;
    assert_eq!(result.get("input")?.count()?, 7);
    // The builder's form.
    let wf = Workflow::new();
    wf.create(trips()).show_with_count(1, None);
    assert!(wf.explain()?.contains("show(n=1, with_count)"));
    wf.run_on("local")?;
    Ok(())
}

#[test]
fn the_persist_level_is_memory_or_an_error_before_the_run() -> fugue::Result<()> {
    let wf = workflow! {
        input = create(trips()) as Trip;
        a = filter(input, "fare > 2");
        b = filter(input, "fare > 4");
        yield a;
        yield b;
    };
    let conf = [
        ("fugue.workflow.auto_persist", "true"),
        ("fugue.workflow.auto_persist_value", "Memory"),
    ];
    let result = wf.run("native", conf)?;
    assert_eq!(result.get("a")?.count()?, 5);
    let err = wf
        .run(
            "local",
            [
                ("fugue.workflow.auto_persist", "true"),
                ("fugue.workflow.auto_persist_value", "MEMORY_AND_DISK"),
            ],
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("invalid config `fugue.workflow.auto_persist_value`"),
        "{text}"
    );
    assert!(text.contains("MEMORY_AND_DISK"), "{text}");
    Ok(())
}

#[test]
fn the_default_number_of_partitions_is_used_when_a_step_sets_none() -> fugue::Result<()> {
    let physical = |engine: std::sync::Arc<dyn ExecutionEngine>, spec: &str| {
        fugue::transform(trips(), seen, spec, engine).map(|out| {
            seen_rows(out)
                .into_iter()
                .map(|r| r.physical)
                .collect::<BTreeSet<i64>>()
        })
    };
    let one = make_engine(
        "local",
        [(LOCAL_WORKERS, "3"), ("fugue.default.partitions", "1")],
    )?;
    assert_eq!(physical(one.clone(), "by=city")?, BTreeSet::from([0]));
    // A spec's own `num` wins, and `even` keeps one key per partition.
    assert!(physical(one.clone(), "by=city; num=4")?.len() > 1);
    assert_eq!(physical(one, "by=city; algo=even")?.len(), 4);
    let unset = make_engine("local", [(LOCAL_WORKERS, "3")])?;
    assert!(physical(unset, "by=city")?.len() > 1);
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct PerCity {
    city: String,
    trips: i64,
    population: i64,
}

/// One row per zipped city.
#[cotransformer]
fn per_city(trips: Vec<Trip>, people: Vec<Population>) -> Vec<PerCity> {
    let city = trips
        .first()
        .map(|t| t.city.clone())
        .or_else(|| people.first().map(|p| p.city.clone()))
        .unwrap_or_default();
    vec![PerCity {
        city,
        trips: trips.len() as i64,
        population: people.iter().map(|p| p.population).sum(),
    }]
}

fn people() -> Vec<Population> {
    vec![
        Population {
            city: "a".into(),
            population: 10,
        },
        Population {
            city: "z".into(),
            population: 1,
        },
    ]
}

/// The engines of the function layer: `native`, `local` and, with the cluster feature, an
/// in-process Ballista cluster.
fn function_layer_engines() -> Vec<(&'static str, std::sync::Arc<dyn ExecutionEngine>)> {
    #[allow(unused_mut)]
    let mut out = engines();
    #[cfg(feature = "cluster")]
    {
        fugue::cluster::install();
        out.push((
            "ballista",
            make_engine(
                "ballista://standalone",
                [("fugue.ballista.partitions", "2")],
            )
            .expect("standalone cluster"),
        ));
    }
    out
}

#[test]
fn the_function_layer_cotransforms_on_every_engine() -> fugue::Result<()> {
    let sorted = |df: DataFrame| -> fugue::Result<Vec<PerCity>> {
        let mut rows: Vec<PerCity> = fugue::records(df)?;
        rows.sort_by(|x, y| x.city.cmp(&y.city));
        Ok(rows)
    };
    for (name, engine) in function_layer_engines() {
        let inner = sorted(fugue::cotransform(
            (trips(), people()),
            per_city,
            "city",
            engine.clone(),
        )?)?;
        assert_eq!(
            inner,
            vec![PerCity {
                city: "a".into(),
                trips: 3,
                population: 10
            }],
            "{name}"
        );
        // Without keys, the zip is on the common columns; the zip kind is a choice.
        let outer = sorted(
            fugue::CoTransform::new((trips(), people()), per_city)
                .how("FULL_OUTER")
                .engine(engine.clone())
                .run()?,
        )?;
        let cities: Vec<&str> = outer.iter().map(|r| r.city.as_str()).collect();
        assert_eq!(cities, ["a", "b", "c", "d", "z"], "{name}");
        fugue::out_cotransform((trips(), people()), per_city, "by=city", engine.clone())?;
    }
    let err = fugue::CoTransform::new(vec![trips()], per_city)
        .engine("native")
        .run()
        .unwrap_err();
    assert!(err.to_string().contains("at least two frames"), "{err}");
    let err = fugue::CoTransform::new((trips(), people()), per_city)
        .how("sideways")
        .run()
        .unwrap_err();
    assert!(err.to_string().contains("full_outer"), "{err}");
    Ok(())
}

#[test]
fn the_function_layer_loads_paths_and_saves_checkpoints() -> fugue::Result<()> {
    let dir = tempfile::tempdir().map_err(|e| fugue::FugueError::external("tempdir", e))?;
    let path = |p: &str| dir.path().join(p).to_string_lossy().into_owned();
    let native = make_engine("native", ())?;
    native.save(
        fugue::IntoDataFrame::into_dataframe(trips())?,
        &path("in/part-0.parquet"),
        &Default::default(),
    )?;
    for (name, engine) in function_layer_engines() {
        // A path input is loaded by the engine (globs and folders as `load` reads them).
        let by_city = |df: DataFrame| -> BTreeMap<String, i64> {
            seen_rows(df)
                .into_iter()
                .map(|r| (r.city, r.rows))
                .collect()
        };
        let from_glob = by_city(fugue::transform(
            path("in/*.parquet").as_str(),
            seen,
            "city",
            engine.clone(),
        )?);
        assert_eq!(from_glob.get("a"), Some(&3), "{name}: {from_glob:?}");
        let from_folder = by_city(fugue::transform(
            dir.path().join("in"),
            seen,
            "city",
            engine.clone(),
        )?);
        assert_eq!(from_folder, from_glob, "{name}");
        // `save_path` writes parquet and returns what was written.
        let target = path(&format!("out-{name}.parquet"));
        let saved = fugue::Transform::new(trips(), seen)
            .partition("city")
            .save_path(target.clone())
            .engine(engine.clone())
            .run()?;
        assert_eq!(saved.count()?, 4, "{name}");
        assert!(std::path::Path::new(&target).exists(), "{name}");
        assert_eq!(
            by_city(native.load(&[target.as_str()], &Default::default())?),
            by_city(saved)
        );
        // `persist` returns a bounded frame.
        let kept = fugue::Transform::new(trips(), seen)
            .persist(true)
            .as_local(true)
            .engine(engine.clone())
            .run()?;
        assert!(kept.is_bounded(), "{name}");
    }
    // `checkpoint` without a save path needs the checkpoint folder, and writes under it.
    let err = fugue::Transform::new(trips(), seen)
        .checkpoint(true)
        .engine("native")
        .run()
        .unwrap_err();
    assert!(
        err.to_string().contains("fugue.workflow.checkpoint.path"),
        "{err}"
    );
    let root = path("checkpoints");
    let engine = make_engine(
        "native",
        [("fugue.workflow.checkpoint.path", root.as_str())],
    )?;
    let out = fugue::Transform::new(trips(), seen)
        .partition("city")
        .checkpoint(true)
        .engine(engine)
        .run()?;
    assert_eq!(out.count()?, 4);
    let written = std::fs::read_dir(&root)
        .map_err(|e| fugue::FugueError::external("read_dir", e))?
        .count();
    assert_eq!(written, 1);
    Ok(())
}

#[test]
fn the_relational_function_layer_takes_dataframe_likes_on_every_engine() -> fugue::Result<()> {
    use fugue::api;
    use fugue_runtime::engine::{FillValue, SampleSize};
    let cities = vec![
        City {
            city: "a".into(),
            region: "n".into(),
        },
        City {
            city: "b".into(),
            region: "s".into(),
        },
    ];
    let mut reference: Option<Vec<Vec<fugue::Value>>> = None;
    for (name, engine) in function_layer_engines() {
        let e = || engine.clone();
        let joined = api::join(trips(), cities.clone(), "inner", &["city"], e())?;
        let mut totals = api::aggregate(joined, &["region"], &[("total", "sum(fare)")], e())?;
        let mut rows = totals.as_rows()?;
        rows.sort_by_key(|r| format!("{r:?}"));
        match &reference {
            None => reference = Some(rows),
            Some(want) => assert_eq!(&rows, want, "{name} equals native"),
        }
        let semi = api::join(trips(), cities.clone(), "LEFT_SEMI", &[], e())?;
        assert_eq!(semi.count()?, 5, "{name}");
        assert_eq!(
            api::union(trips(), trips(), false, e())?.count()?,
            14,
            "{name}"
        );
        assert_eq!(
            api::union(trips(), trips(), true, e())?.count()?,
            7,
            "{name}"
        );
        assert_eq!(
            api::subtract(trips(), trips(), true, e())?.count()?,
            0,
            "{name}"
        );
        assert_eq!(
            api::intersect(trips(), trips(), true, e())?.count()?,
            7,
            "{name}"
        );
        assert_eq!(api::distinct(trips(), e())?.count()?, 7, "{name}");
        assert_eq!(api::filter(trips(), "fare > 4", e())?.count()?, 3, "{name}");
        let top = api::take(trips(), 1, "fare desc", "last", "city", e())?;
        assert_eq!(top.count()?, 4, "{name}: one row per city");
        let renamed = api::rename(trips(), &[("fare", "price")], e())?;
        assert_eq!(renamed.schema().to_string(), "city:str,price:double");
        let narrow = api::alter_columns(trips(), "fare:float", e())?;
        assert_eq!(narrow.schema().to_string(), "city:str,fare:float");
        let dropped = api::drop_columns(trips(), &["fare"], e())?;
        assert_eq!(dropped.schema().to_string(), "city:str");
        let picked = api::select_columns(trips(), &["fare", "city"], e())?;
        assert_eq!(picked.schema().to_string(), "fare:double,city:str");
        let assigned = api::assign(trips(), &[("double_fare", "fare * 2")], e())?;
        assert_eq!(assigned.schema().len(), 3);
        assert_eq!(api::dropna(trips(), "any", None, None, e())?.count()?, 7);
        let filled = api::fillna(trips(), &FillValue::All(0.0.into()), None, e())?;
        assert_eq!(filled.count()?, 7);
        let sampled = api::sample(trips(), SampleSize::Rows(3), false, Some(1), e())?;
        assert_eq!(sampled.count()?, 3, "{name}");
        assert!(api::persist(trips(), e())?.is_bounded());
        // A mistake is the engine's typed error, naming the column.
        let err = api::join(trips(), cities.clone(), "inner", &["cty"], e()).unwrap_err();
        assert_eq!(
            err.kind(),
            fugue::ErrorKind::ColumnNotFound,
            "{name}: {err}"
        );
    }
    Ok(())
}

/// Every progress report, as text.
#[derive(Default)]
struct ProgressLog(Mutex<Vec<String>>);

impl fugue::ProgressReport for ProgressLog {
    fn step_started(&self, step: &str, done: usize, total: usize) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("start {step} {done}/{total}"));
    }

    fn step_progress(&self, step: &str, partitions: u64) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("progress {step} {partitions}"));
    }

    fn step_finished(&self, step: &str, partitions: u64, done: usize, total: usize) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("finish {step} {partitions} {done}/{total}"));
    }
}

/// One row per call, slowly (so that the run reports progress within the step).
#[transformer]
fn slow_seen(trips: Vec<Trip>, cursor: &PartitionCursor) -> Seen {
    std::thread::sleep(std::time::Duration::from_millis(150));
    seen.call(trips, cursor)
}

#[test]
fn a_run_reports_steps_and_the_partitions_within_a_step() -> fugue::Result<()> {
    for (name, engine) in engines() {
        let log = std::sync::Arc::new(ProgressLog::default());
        let wf = workflow! {
            input = create(trips()) as Trip;
            each = transform(input, slow_seen, partition(by: city));
            kept = filter(each, "rows > 1");
            yield kept;
        };
        wf.report_progress_to(log.clone());
        let result = wf.run_on(engine)?;
        assert_eq!(result.get("kept")?.count()?, 2, "{name}");
        let events = log.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let without_ticks: Vec<&String> = events
            .iter()
            .filter(|e| !e.starts_with("progress"))
            .collect();
        assert_eq!(
            without_ticks,
            [
                "start input 0/3",
                "finish input 0 1/3",
                "start each 1/3",
                "finish each 4 2/3",
                "start kept 2/3",
                "finish kept 0 3/3"
            ],
            "{name}: {events:?}"
        );
        // The 4 calls take at least 600 ms on one thread: the run reported the step while it
        // ran, with counts that never exceed the final one.
        let ticks: Vec<u64> = events
            .iter()
            .filter_map(|e| e.strip_prefix("progress each "))
            .map(|n| n.parse().expect("a count"))
            .collect();
        if name == "native" {
            assert!(!ticks.is_empty(), "{events:?}");
        }
        assert!(ticks.windows(2).all(|w| w[0] <= w[1]), "{ticks:?}");
        assert!(ticks.iter().all(|n| *n <= 4), "{ticks:?}");
    }
    Ok(())
}

#[test]
fn asserts_save_and_use_compute_and_table_yields() -> fugue::Result<()> {
    let dir = tempfile::tempdir().map_err(|e| fugue::FugueError::external("tempdir", e))?;
    for (name, engine) in engines() {
        let path = dir.path().join(format!("kept-{name}.parquet"));
        let path = path.to_string_lossy().into_owned();
        let wf = Workflow::new();
        let input = wf.create(trips());
        let reversed = wf.create(trips().into_iter().rev().collect::<Vec<_>>());
        let kept = input.filter("fare > 2");
        let used = kept.save_and_use(path.clone(), "overwrite");
        // Same rows in another order are equal; a filtered frame is not.
        input.assert_eq(&[reversed]);
        used.assert_eq(&[kept]);
        input.assert_not_eq(&[kept]);
        used.yield_table_as("used");
        let result = wf.run_on(engine.clone())?;
        assert_eq!(result.get("used")?.count()?, 5, "{name}");
        assert!(std::path::Path::new(&path).exists(), "{name}");
        // `compute` runs the workflow for one handle and leaves it unchanged.
        let computed = kept.compute(engine.clone())?;
        assert_eq!(computed.count()?, 5, "{name}");
        assert!(result.get("\u{0}compute-2").is_err());

        // A failed assertion fails the run, naming the difference.
        let wf = Workflow::new();
        let a = wf.create(trips());
        let b = a.filter("fare > 2");
        a.assert_eq(&[b]);
        let err = wf.run_on(engine.clone()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("assert_eq failed: frame 1 differs"), "{text}");
        assert!(text.contains("5 rows against 7"), "{text}");
        let wf = Workflow::new();
        let a = wf.create(trips());
        a.assert_not_eq(&[wf.create(trips())]);
        let err = wf.run_on(engine).unwrap_err();
        assert!(err.to_string().contains("assert_not_eq failed"), "{err}");
    }
    Ok(())
}

#[test]
fn workflow_asserts_and_save_and_use() -> fugue::Result<()> {
    let dir = tempfile::tempdir().map_err(|e| fugue::FugueError::external("tempdir", e))?;
    for (name, engine) in engines() {
        let path = dir.path().join(format!("w-{name}.parquet"));
        let path = path.to_string_lossy().into_owned();
        let wf = workflow! {
            input = create(trips()) as Trip;
            again = create(trips().into_iter().rev().collect::<Vec<_>>()) as Trip;
            kept = filter(input, "fare > 2");
            stored = save_and_use(kept, path.clone(), mode: overwrite);
            assert_eq(input, again);
            assert_eq(kept, stored);
            assert_not_eq(input, kept);
            yield stored;
        };
        let result = wf.run_on(engine.clone())?;
        assert_eq!(result.get("stored")?.count()?, 5, "{name}");
        let wf = workflow! {
            input = create(trips()) as Trip;
            kept = filter(input, "fare > 2");
            assert_eq(input, kept);
        };
        let err = wf.run_on(engine).unwrap_err();
        assert!(
            err.to_string().contains("assert_eq failed"),
            "{name}: {err}"
        );
    }
    Ok(())
}

#[test]
fn a_malformed_partition_keeps_its_error_kind_through_the_plan() {
    for (spec, says) in [
        ("by=city,city", "appears twice"),
        ("by=a; presort=a", "both"),
    ] {
        let wf = Workflow::new();
        wf.create(trips())
            .partition(spec)
            .transform(seen)
            .yield_as("x");
        let err = wf.run_on("native").unwrap_err();
        assert_eq!(
            err.kind(),
            fugue::ErrorKind::InvalidPartitionSpec,
            "{spec}: {err}"
        );
        assert!(err.to_string().contains(says), "{spec}: {err}");
    }
    let wf = Workflow::new();
    wf.create(trips())
        .partition_by(&[])
        .transform(seen)
        .yield_as("x");
    let err = wf.run_on("native").unwrap_err();
    assert_eq!(err.kind(), fugue::ErrorKind::InvalidPartitionSpec, "{err}");
    assert!(err.to_string().contains("can't be empty"), "{err}");
}
