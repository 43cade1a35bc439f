//! `workflow!` end to end: small workflows expand, run, and yield what the builder would.

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

/// Rank the trips of one city by fare, highest first.
#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank(trips: Vec<Trip>) -> Vec<Ranked> {
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

fn trips() -> Vec<Trip> {
    [("a", 3.0), ("b", 1.0), ("a", 5.0), ("b", 2.0), ("a", 4.0)]
        .into_iter()
        .map(|(c, f)| Trip {
            city: c.to_string(),
            fare: f,
        })
        .collect()
}

#[test]
fn a_transform_with_a_partition_runs_and_yields() -> fugue::Result<()> {
    let wf = workflow! {
        input = create(trips()) as Trip;
        ranked = transform(input, rank, partition(by: city, presort: fare desc));
        slim = drop(ranked, fare);
        yield slim;
    };
    let result = wf.run_on("native")?;
    let mut rows: Vec<(String, i64)> = fugue::records::<SlimRow>(result.get("slim")?)?
        .into_iter()
        .map(|r| (r.city, r.rank))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        vec![
            ("a".into(), 1),
            ("a".into(), 2),
            ("a".into(), 3),
            ("b".into(), 1),
            ("b".into(), 2)
        ]
    );
    Ok(())
}

#[test]
fn keys_and_presorts_are_written_the_same_way_in_every_verb() -> fugue::Result<()> {
    let wf = workflow! {
        input = create(trips()) as Trip;
        // `take`: in `partition(..)`, directly, as lists, and as Fugue's presort text.
        a = take(input, 2, partition(by: city, presort: fare desc));
        b = take(input, 2, by: city, presort: fare desc);
        c = take(input, 2, by: [city], presort: [fare desc]);
        d = take(input, 2, by: city, presort: "fare desc");
        assert_eq(a, b, c, d);
        e = take(input, 2, presort: "city asc, fare desc");
        f = take(input, 2, presort: [city, fare desc]);
        assert_eq(e, f);
        // `transform`: the keys and presort directly.
        r1 = transform(input, rank, partition(by: city, presort: fare desc));
        r2 = transform(input, rank, by: city, presort: "fare desc");
        assert_eq(r1, r2);
        // `aggregate`: `by:` or the other verbs' `partition(by: ..)`.
        g1 = aggregate(input, by: [city], n = "count(*)", top = "max(fare)");
        g2 = aggregate(input, partition(by: city), n = "count(*)", top = "max(fare)");
        assert_eq(g1, g2);
        yield d: Trip;
        yield e: Trip;
        yield r2: Ranked;
    };
    let result = wf.run_on("native")?;
    let mut top: Vec<(String, f64)> = (result.records::<Trip>("d")?.into_iter())
        .map(|t| (t.city, t.fare))
        .collect();
    top.sort_by(|x, y| x.partial_cmp(y).expect("no NaN"));
    let expected = [("a", 4.0), ("a", 5.0), ("b", 1.0), ("b", 2.0)];
    assert_eq!(top, expected.map(|(c, f)| (c.to_string(), f)));
    let overall = result.records::<Trip>("e")?;
    assert_eq!(overall.len(), 2);
    assert!(overall.iter().all(|t| t.city == "a" && t.fare >= 4.0));
    let ranked = result.records::<Ranked>("r2")?;
    assert!(
        ranked
            .iter()
            .any(|r| r.city == "a" && r.fare == 5.0 && r.rank == 1)
    );
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct SlimRow {
    city: String,
    rank: i64,
}

/// The line (1-based) of this file's first line containing `text`.
fn line_of(text: &str) -> u32 {
    let source = include_str!("workflow_macro.rs");
    source
        .lines()
        .position(|l| l.contains(text))
        .map_or(0, |i| i as u32 + 1)
}

#[test]
fn steps_are_named_and_located_at_their_statement() {
    let wf = workflow! {
        input = create(trips()) as Trip;
        ranked = transform(input, rank, partition(by: city, presort: fare desc)); // locate me
        persist(ranked);
        yield ranked as best;
    };
    let steps = wf.steps();
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["input", "ranked"]);
    let ranked = &steps[1];
    assert_eq!(ranked.op, "transform");
    let source = ranked.source.as_ref().map(|s| (s.file, s.line, s.column));
    assert_eq!(
        source,
        Some(("tests/workflow_macro.rs", line_of("// locate me"), 18))
    );
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Named {
    name: String,
}

#[transformer]
fn shout(rows: Vec<Named>) -> Vec<Named> {
    rows.into_iter()
        .map(|n| Named {
            name: n.name.to_uppercase(),
        })
        .collect()
}

#[test]
fn a_schema_known_only_at_run_time_is_checked_then_naming_the_step_and_its_line() {
    // `create` without `as`: the schema is the data's, known only when the workflow runs.
    let data = fugue::Schema::parse("city:str,fare:double").map(|_| trips());
    let frame = data.and_then(|rows| rows.into_dataframe());
    let frame = match frame {
        Ok(f) => f,
        Err(e) => panic!("test data: {e}"),
    };
    let wf = workflow! {
        input = create(frame);
        loud = transform(input, shout); // fails at run time
        yield loud;
    };
    let err = match wf.run_on("native") {
        Ok(_) => panic!("a missing column must fail the run"),
        Err(e) => e.to_string(),
    };
    // The planner checks the typed input before anything runs, with the compile-time rule and
    // its sentence, plus the step's line.
    assert!(
        err.starts_with(
            "step `loud` (`transform(input, shout)`): column `name` of `Named` required by \
             `shout` is not a column of `input`; `input` is `city:str,fare:double`"
        ),
        "{err}"
    );
    let line = format!("workflow_macro.rs:{}", line_of("// fails at run time"));
    assert!(err.contains(&line), "{err}");
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Count {
    n: i64,
}

#[processor]
fn count(rows: Vec<Trip>) -> Vec<Count> {
    vec![Count {
        n: rows.len() as i64,
    }]
}

#[test]
fn processors_renames_drops_and_yields_compose() -> fugue::Result<()> {
    let wf = workflow! {
        input = create(trips()) as Trip;
        renamed = rename(input, fare: price);
        slim = drop(renamed, price);
        counted = process(input, count);
        checkpoint(counted, weak);
        yield counted;
        yield slim as cities;
    };
    let result = wf.run_on("native")?;
    assert_eq!(
        fugue::records::<Count>(result.get("counted")?)?,
        vec![Count { n: 5 }]
    );
    let cities = result.get("cities")?;
    assert_eq!(cities.schema().to_string(), "city:str");
    Ok(())
}

#[cfg(feature = "datafusion")]
mod with_sql {
    use super::*;

    #[derive(Schema, Debug, Clone, PartialEq)]
    struct Dim {
        city: String,
        population: i64,
    }

    #[derive(Schema, Debug, Clone, PartialEq)]
    struct Report {
        city: String,
        best: f64,
        population: i64,
    }

    #[test]
    fn a_six_step_workflow_with_take_join_and_aggregate() -> fugue::Result<()> {
        let dims = vec![
            Dim {
                city: "a".into(),
                population: 10,
            },
            Dim {
                city: "b".into(),
                population: 20,
            },
        ];
        let wf = workflow! {
            input  = create(trips()) as Trip;
            dims   = create(dims) as Dim;
            ranked = transform(input, rank, partition(by: city, presort: fare desc));
            top    = take(ranked, 1, partition(by: city, presort: fare desc));
            joined = join(top, dims, how: inner, on: [city]);
            report = aggregate(joined, by: [city], best = "max(fare)", population = "max(population)");
            // `max` may give NULL; `Report`'s fields are not `Option`s: checked as it is read.
            yield report: Report;
        };
        let result = wf.run_on("")?;
        let mut rows: Vec<Report> = result.records("report")?;
        rows.sort_by(|x, y| x.city.cmp(&y.city));
        assert_eq!(
            rows,
            vec![
                Report {
                    city: "a".into(),
                    best: 5.0,
                    population: 10
                },
                Report {
                    city: "b".into(),
                    best: 2.0,
                    population: 20
                },
            ]
        );
        Ok(())
    }
}

static SEEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[outputter]
fn remember(rows: Vec<Trip>) {
    SEEN.fetch_add(rows.len(), std::sync::atomic::Ordering::SeqCst);
}

#[output_transformer]
fn remember_each(rows: Vec<Trip>, weight: i64) {
    SEEN.fetch_add(
        rows.len() * weight as usize,
        std::sync::atomic::Ordering::SeqCst,
    );
}

#[test]
fn outputs_and_output_transformers_run() -> fugue::Result<()> {
    let before = SEEN.load(std::sync::atomic::Ordering::SeqCst);
    let wf = workflow! {
        input = create(trips()) as Trip;
        output(input, remember);
        out_transform(input, remember_each, partition(by: city), params(weight: 100));
        show(input, 2, title: "trips");
    };
    wf.run_on("native")?;
    let seen = SEEN.load(std::sync::atomic::Ordering::SeqCst) - before;
    assert_eq!(seen, 5 + 500);
    Ok(())
}

/// The expansion spells every standard name with an absolute path: a user's `Option`, `Vec`,
/// `Result` or `file` does not break it.
mod redefined_prelude {
    #![allow(dead_code)]
    use super::{Trip, rank, trips};
    use fugue::workflow;

    struct Option;
    struct Some;
    struct None;
    struct Vec;
    struct Result;
    struct Ok;
    struct Err;
    #[allow(unused_macros)]
    macro_rules! file {
        () => {
            "not this"
        };
    }

    #[test]
    fn a_workflow_expands_with_a_redefined_prelude() {
        let wf = workflow! {
            input = create(trips()) as Trip;
            ranked = transform(input, rank, partition(by: city, presort: fare desc));
            yield ranked;
        };
        assert_eq!(wf.len(), 2);
        let file = wf.steps()[1].source.as_ref().map(|s| s.file);
        assert_eq!(
            file,
            ::core::option::Option::Some("tests/workflow_macro.rs")
        );
    }
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Population {
    city: String,
    population: i64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct PerCity {
    city: String,
    trips: i64,
    population: i64,
}

/// One row per city: its number of trips and its population.
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

#[test]
fn a_cotransform_zips_its_inputs_by_key() -> fugue::Result<()> {
    let people = vec![
        Population {
            city: "a".into(),
            population: 10,
        },
        Population {
            city: "b".into(),
            population: 20,
        },
    ];
    let wf = workflow! {
        trips = create(trips()) as Trip;
        people = create(people) as Population;
        merged = cotransform([trips, people], per_city, partition(by: city));
        yield merged;
    };
    let mut rows = fugue::records::<PerCity>(wf.run_on("native")?.get("merged")?)?;
    rows.sort_by(|x, y| x.city.cmp(&y.city));
    assert_eq!(
        rows,
        vec![
            PerCity {
                city: "a".into(),
                trips: 3,
                population: 10
            },
            PerCity {
                city: "b".into(),
                trips: 2,
                population: 20
            },
        ]
    );
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct RawWeather {
    city: Option<String>,
    precip: f64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Weather {
    city: String,
    precip: i32,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct CityWeather {
    city: String,
    precip: f64,
}

/// A typed load never changes data silently: a parquet `double` read as an `i32` field is
/// refused (it used to truncate), and a NULL read into a non-`Option` field is named with its
/// file and row when the file is loaded.
#[test]
fn a_typed_load_never_changes_data_silently() -> fugue::Result<()> {
    use fugue::IntoDataFrame;
    use fugue::SaveOptions;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("weather.parquet");
    let path = path.to_str().expect("utf8").to_string();
    let rows = vec![
        RawWeather {
            city: Some("a".into()),
            precip: 1.5,
        },
        RawWeather {
            city: None,
            precip: 2.25,
        },
    ];
    fugue::make_engine("native", ())?.save(
        rows.into_dataframe()?,
        &path,
        &SaveOptions::default(),
    )?;

    let wf = workflow! {
        weather = load(path.clone()) as Weather;
        yield weather;
    };
    let err = wf.run_on("native").unwrap_err();
    assert_eq!(err.kind(), fugue::ErrorKind::TypeMismatch, "{err}");
    for part in [
        "weather.parquet",
        "`precip`",
        "`double`",
        "`int`",
        "alter_columns",
    ] {
        assert!(err.to_string().contains(part), "`{part}` not in {err}");
    }

    let wf = workflow! {
        weather = load(path.clone()) as CityWeather;
        yield weather;
    };
    let err = wf.run_on("native").unwrap_err();
    assert_eq!(err.kind(), fugue::ErrorKind::Conversion, "{err}");
    for part in ["weather.parquet", "`city`", "row 1"] {
        assert!(err.to_string().contains(part), "`{part}` not in {err}");
    }

    let wf = workflow! {
        weather = load(path.clone()) as RawWeather;
        yield weather;
    };
    let result = wf.run_on("native")?;
    assert_eq!(
        fugue::records::<RawWeather>(result.get("weather")?)?.len(),
        2
    );
    Ok(())
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Reading {
    station: String,
    temp: Option<f64>,
}

/// A CSV with a header, `;` as delimiter and `NA` for missing values, read and written from
/// `workflow!` with the options checked when the macro runs; the saved file has a header and
/// reads back with the defaults.
#[test]
fn workflow_loads_and_saves_csv_with_options() -> fugue::Result<()> {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("readings.csv");
    std::fs::write(&input, "station;temp\nOslo;3.5\nRome;NA\nBern;\n").expect("write");
    let input = input.to_str().expect("utf8").to_string();
    let output = dir.path().join("out.csv");
    let output = output.to_str().expect("utf8").to_string();
    let wf = workflow! {
        readings = load(input.clone(), delimiter: ';', null: "NA") as Reading;
        save(readings, output.clone(), delimiter: "|", header: true);
        yield readings;
    };
    let result = wf.run_on("local")?;
    let mut rows: Vec<Reading> = fugue::records(result.get("readings")?)?;
    rows.sort_by(|a, b| a.station.cmp(&b.station));
    let at = |s: &str, t: Option<f64>| Reading {
        station: s.into(),
        temp: t,
    };
    assert_eq!(
        rows,
        [at("Bern", None), at("Oslo", Some(3.5)), at("Rome", None)]
    );
    let text = std::fs::read_to_string(&output).expect("saved");
    assert!(text.starts_with("station|temp\n"), "{text}");
    // Read back with the defaults but the delimiter: a header, every row.
    let back = workflow! {
        back = load(output.clone(), delimiter: '|');
        yield back;
    };
    let back = back.run_on("native")?.get("back")?;
    assert_eq!(back.schema().to_string(), "station:str,temp:str");
    assert_eq!(back.count()?, 3);
    Ok(())
}

#[test]
fn typed_yields_are_checked_and_read_as_their_record() -> fugue::Result<()> {
    use fugue::ErrorKind;
    let wf = workflow! {
        input = create(trips()) as Trip;
        ranked = transform(input, rank, partition(by: city, presort: fare desc));
        slim = drop(ranked, fare);
        yield ranked as best: Ranked;
        // A record of some of the columns, in another order, reads the yield too.
        yield slim: SlimRow;
        yield input;
    };
    let result = wf.run_on("native")?;
    let mut best: Vec<Ranked> = result.records("best")?;
    best.sort_by(|a, b| (&a.city, a.rank).cmp(&(&b.city, b.rank)));
    assert_eq!(best.len(), 5);
    assert_eq!(
        best[0],
        Ranked {
            city: "a".into(),
            fare: 5.0,
            rank: 1
        }
    );
    assert_eq!(result.records::<SlimRow>("slim")?.len(), 5);
    // The untyped yield reads as any record whose columns it has; a missing column is the
    // compile-time sentence, at run time.
    let e = result.records::<Ranked>("input").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ColumnNotFound, "{e}");
    assert!(
        e.to_string().contains("column `rank` of")
            && e.to_string().contains("is not a column of `input`"),
        "{e}"
    );
    let e = result.records::<Trip>("nowhere").unwrap_err();
    assert!(e.to_string().contains("yielded: "), "{e}");
    Ok(())
}

#[test]
fn create_as_a_record_reads_a_dataframe_as_the_record() -> fugue::Result<()> {
    use fugue::ErrorKind;
    // Another column order and an extra column: the step holds `Trip`'s columns, in order.
    let frame = fugue::RowFrame::new(
        "note:str,fare:double,city:str",
        vec![
            vec!["x".into(), 2.5.into(), "a".into()],
            vec![Value::Null, 1.0.into(), "b".into()],
        ],
    )?;
    let wf = workflow! {
        trips = create(DataFrame::from(frame)) as Trip;
        ranked = transform(trips, rank, partition(by: city, presort: fare desc));
        yield trips;
        yield ranked;
    };
    let result = wf.run_on("native")?;
    let trips = result.get("trips")?;
    assert_eq!(trips.schema().to_string(), "city:str,fare:double");
    let mut rows: Vec<Trip> = fugue::records(trips)?;
    rows.sort_by(|a, b| a.city.cmp(&b.city));
    assert_eq!(
        rows,
        [
            Trip {
                city: "a".into(),
                fare: 2.5
            },
            Trip {
                city: "b".into(),
                fare: 1.0
            }
        ]
    );
    assert_eq!(result.get("ranked")?.count()?, 2);

    // A NULL in a field that is not an `Option`: an error naming the column and the row.
    let batch = |fares: Vec<Option<f64>>| -> fugue::Result<DataFrame> {
        let frame = fugue::RowFrame::new(
            "city:str,fare:double",
            fares
                .into_iter()
                .map(|f| vec!["a".into(), f.map_or(Value::Null, Value::from)])
                .collect(),
        )?;
        Ok(frame.into())
    };
    let wf = workflow! {
        trips = create(batch(vec![Some(1.0), Some(2.0), None])?) as Trip;
        yield trips;
    };
    let e = wf.run_on("native").expect_err("a NULL fare");
    assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("`fare`") && text.contains("row 2") && text.contains("Option<f64>"),
        "{text}"
    );
    // A missing column names it and the frame's columns.
    let short = fugue::RowFrame::new("city:str", vec![vec!["a".into()]])?;
    let wf = workflow! {
        trips = create(DataFrame::from(short)) as Trip;
        yield trips;
    };
    let e = wf.run_on("native").expect_err("no fare");
    assert_eq!(e.kind(), ErrorKind::ColumnNotFound, "{e}");
    assert!(e.to_string().contains("`fare`"), "{e}");
    Ok(())
}

#[test]
fn an_error_from_main_prints_its_message_and_causes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nowhere.parquet");
    let missing = missing.to_str().expect("utf8").to_string();
    let wf = workflow! {
        readings = load(missing.clone()) as Reading;
        yield readings;
    };
    let e = wf.run_on("native").expect_err("no such file");
    // What `fn main() -> Result<(), FugueError>` prints: `Error: ` and the `Debug` form.
    let printed = format!("{e:?}");
    assert!(
        !printed.contains(" { "),
        "not a nested Debug struct: {printed}"
    );
    let (head, causes) = printed.split_once("\n\nCaused by:\n").expect("causes");
    assert!(
        head.contains("step `readings`") && head.contains("workflow_macro.rs"),
        "{printed}"
    );
    assert!(causes.contains("nowhere.parquet"), "{printed}");
}

#[test]
fn a_header_read_as_data_gets_a_hint() -> fugue::Result<()> {
    let dir = tempfile::tempdir().map_err(|e| FugueError::Internal(e.to_string()))?;
    let path = dir.path().join("trips.csv").to_string_lossy().into_owned();
    let write = |text: &str| std::fs::write(&path, text).expect("write the CSV file");
    let fails = |engine: &str| -> String {
        let wf = workflow! {
            t = load(&path, format: "csv", header: false, columns: "city:str,fare:double");
            yield t;
        };
        wf.run_on(engine)
            .expect_err("a word under `fare`")
            .to_string()
    };
    let hint = "looks like a header, but the file is read without one";
    for engine in ["native", "local"] {
        // The column names, and other words above numbers.
        write("city,fare\nParis,10\n");
        let text = fails(engine);
        assert!(
            text.contains(&format!("the first line (`city,fare`) {hint}")),
            "{engine}: {text}"
        );
        write("town,price\nParis,10\n");
        assert!(fails(engine).contains(hint), "{engine}");
        // A bad value in data: no hint.
        write("Paris,10\nOslo,x\n");
        let text = fails(engine);
        assert!(!text.contains(hint), "{engine}: {text}");
    }
    Ok(())
}
