//! Driver-side functions that receive the run's engine and their inputs as `DataFrames`
//! (reference §9: Fugue's processors `def p(e: ExecutionEngine, dfs: DataFrames)`): joins and
//! SQL over named or positional inputs, in `workflow!` and the builder, on `native`, `local`
//! and, with the cluster feature, an in-process Ballista cluster.

use fugue::make_engine;
use fugue::prelude::*;
use fugue_runtime::engine::{JoinHow, LOCAL_WORKERS};
use fugue_runtime::workflow::{Ext, Workflow, with_engine};
use std::sync::{Arc, Mutex};

#[derive(Schema, Debug, Clone, PartialEq)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Person {
    city: String,
    population: i64,
}

#[derive(Schema, Debug, Clone, PartialEq, PartialOrd)]
struct PerCity {
    city: String,
    total: f64,
    population: i64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct EngineName {
    engine: String,
    inputs: i64,
}

fn trips() -> Vec<Trip> {
    [("a", 3.0), ("b", 1.0), ("a", 2.0), ("c", 4.0)]
        .into_iter()
        .map(|(c, fare)| Trip {
            city: c.into(),
            fare,
        })
        .collect()
}

fn people() -> Vec<Person> {
    [("a", 10), ("c", 30), ("z", 1)]
        .into_iter()
        .map(|(c, population)| Person {
            city: c.into(),
            population,
        })
        .collect()
}

/// What every engine must give: the fare total of each city that has people.
fn expected() -> Vec<PerCity> {
    vec![
        PerCity {
            city: "a".into(),
            total: 5.0,
            population: 10,
        },
        PerCity {
            city: "c".into(),
            total: 4.0,
            population: 30,
        },
    ]
}

/// SQL over the inputs by their names.
#[processor]
fn per_city_sql(engine: &dyn ExecutionEngine, dfs: DataFrames) -> Result<Vec<PerCity>, FugueError> {
    let out = dfs.sql(
        engine,
        "SELECT t.city, SUM(t.fare) AS total, MAX(p.population) AS population \
         FROM trips t JOIN people p ON t.city = p.city GROUP BY t.city",
    )?;
    fugue::records(out)
}

/// A join through the engine over positional inputs, then an aggregate; the engine comes after
/// the data here.
#[processor]
fn per_city_join(dfs: DataFrames, engine: &dyn ExecutionEngine) -> Result<DataFrame, FugueError> {
    let mut frames = dfs.into_vec();
    let (Some(people), Some(trips)) = (frames.pop(), frames.pop()) else {
        return Err(FugueError::invalid_argument(
            "inputs",
            "two inputs expected",
        ));
    };
    let joined = engine.join(trips, people, JoinHow::Inner, &["city"])?;
    engine.aggregate(
        joined,
        &["city"],
        &[("total", "sum(fare)"), ("population", "max(population)")],
    )
}

/// A creator that reports the engine it runs on.
#[creator]
fn which_engine(engine: &dyn ExecutionEngine) -> Vec<EngineName> {
    vec![EngineName {
        engine: engine.name().to_string(),
        inputs: 0,
    }]
}

static SEEN: Mutex<Vec<(String, Vec<String>, usize)>> = Mutex::new(Vec::new());

/// An outputter that records the engine and the inputs' names and row counts.
#[outputter]
fn record_inputs(engine: &dyn ExecutionEngine, dfs: DataFrames) -> Result<(), FugueError> {
    let names = dfs.names();
    let rows = dfs.iter().map(|f| f.count()).sum::<Result<usize, _>>()?;
    SEEN.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((engine.name().to_string(), names, rows));
    Ok(())
}

static LABELLED: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());

/// An outputter over named inputs with a parameter: the label, and the rows it saw.
#[outputter]
fn record_labelled(dfs: DataFrames, label: String) -> Result<(), FugueError> {
    let rows = dfs.iter().map(|f| f.count()).sum::<Result<usize, _>>()?;
    LABELLED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((label, rows));
    Ok(())
}

fn engines() -> Vec<(&'static str, Arc<dyn ExecutionEngine>)> {
    #[allow(unused_mut)]
    let mut out = vec![
        ("native", make_engine("native", ()).expect("native")),
        (
            "local",
            make_engine("local", [(LOCAL_WORKERS, "3")]).expect("local"),
        ),
    ];
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

fn sorted(df: DataFrame) -> Vec<PerCity> {
    let mut rows: Vec<PerCity> = fugue::records(df).expect("typed rows");
    rows.sort_by(|x, y| x.city.cmp(&y.city));
    rows
}

#[test]
fn processors_join_their_inputs_through_the_engine_on_every_engine() -> fugue::Result<()> {
    for (name, engine) in engines() {
        let wf = workflow! {
            t = create(trips()) as Trip;
            p = create(people()) as Person;
            by_sql = process([trips: t, people: p], per_city_sql);
            by_join = process([t, p], per_city_join);
            made = create(using: which_engine);
            output([trips: t, people: p, made: made], record_inputs);
            output([trips: t, people: p], record_labelled, params(label: "named"));
            output([t, p], record_labelled, params(label: "positional"));
            yield by_sql;
            yield by_join;
            yield made;
        };
        let result = wf.run_on(engine.clone())?;
        assert_eq!(sorted(result.get("by_sql")?), expected(), "{name}");
        assert_eq!(sorted(result.get("by_join")?), expected(), "{name}");
        let made: Vec<EngineName> = fugue::records(result.get("made")?)?;
        assert_eq!(made[0].engine, engine.name(), "{name}");
        let seen = SEEN.lock().unwrap_or_else(|p| p.into_inner()).clone();
        assert!(
            seen.contains(&(
                engine.name().to_string(),
                vec!["trips".into(), "people".into(), "made".into()],
                8
            )),
            "{name}: {seen:?}"
        );
        let labelled = LABELLED.lock().unwrap_or_else(|p| p.into_inner()).clone();
        for label in ["named", "positional"] {
            assert!(
                labelled.contains(&(label.to_string(), 7)),
                "{name}: {labelled:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn the_builder_names_inputs_and_closures_take_the_engine() -> fugue::Result<()> {
    for (name, engine) in engines() {
        let wf = Workflow::new();
        let t = wf.create(trips());
        let p = wf.create(people());
        wf.process_named(&[("trips", t), ("people", p)], Ext(per_city_sql))
            .yield_as("declared");
        wf.process_named(
            &[("left", t), ("right", p)],
            with_engine(
                |engine: &dyn ExecutionEngine, dfs: DataFrames, _: &Params| {
                    assert_eq!(dfs.names(), ["left", "right"]);
                    let mut frames = dfs.into_vec();
                    let right = frames.pop().expect("two inputs");
                    let left = frames.pop().expect("two inputs");
                    engine.join(left, right, JoinHow::Semi, &["city"])
                },
            ),
        )
        .yield_as("semi");
        let result = wf.run_on(engine.clone())?;
        assert_eq!(sorted(result.get("declared")?), expected(), "{name}");
        let mut semi: Vec<Trip> = fugue::records(result.get("semi")?)?;
        semi.sort_by(|x, y| x.fare.total_cmp(&y.fare));
        let cities: Vec<&str> = semi.iter().map(|t| t.city.as_str()).collect();
        assert_eq!(cities, ["a", "a", "c"], "{name}");
    }
    Ok(())
}

#[test]
fn input_names_are_checked() {
    // Repeated names: the plan fails before anything runs, naming the name.
    let wf = Workflow::new();
    let t = wf.create(trips());
    wf.process_named(&[("x", t), ("x", t)], Ext(per_city_sql))
        .yield_as("out");
    let e = wf.plan().unwrap_err();
    assert_eq!(e.kind(), fugue::ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("`x` is given twice"), "{e}");

    // A name the function asks for and the step does not give: the step's error lists the
    // names there are.
    let wf = Workflow::new();
    let t = wf.create(trips());
    let p = wf.create(people());
    wf.process_named(&[("rides", t), ("people", p)], Ext(per_city_sql))
        .yield_as("out");
    let e = wf.run_on("native").unwrap_err();
    let text = e.to_string();
    assert!(text.contains("per_city_sql"), "{text}");
    assert!(text.contains("trips"), "{text}");

    let dfs =
        DataFrames::named([("rides", vec![trips()[0].clone()].into_dataframe().unwrap())]).unwrap();
    let e = dfs.by_name("trips").unwrap_err();
    assert_eq!(e.kind(), fugue::ErrorKind::InvalidArgument);
    assert!(
        e.to_string()
            .contains("no input is named `trips`; the inputs are `rides`"),
        "{e}"
    );
}
