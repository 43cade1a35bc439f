//! The quickstart's workflow written with the builder (`fugue::Workflow`),
//! the API `workflow!` expands into: for workflows whose steps or schemas are known only at run
//! time. A partitioned, presorted typed transformer (with a deterministic checkpoint), a
//! filter, a join with a city table, an aggregation per region, a sort, a save and two yields.
//!
//! Run with `cargo run --example builder` (add `--release` for speed; `-- 200000` for another
//! number of trips).

use fugue::prelude::*;
use std::time::Instant;

/// One taxi trip.
#[derive(Schema, Debug, Clone)]
struct Trip {
    trip_id: i64,
    city: String,
    fare: f64,
    tip: Option<f64>,
}

/// A trip with its rank among the trips of its city, by fare.
#[derive(Schema, Debug)]
struct RankedTrip {
    trip_id: i64,
    city: String,
    fare: f64,
    tip: Option<f64>,
    rank: i64,
    share_of_city: f64,
}

/// A city and its region.
#[derive(Schema, Debug, Clone)]
struct City {
    city: String,
    region: String,
}

/// Rank the trips of one city by fare (the engine presorts them), and give each trip its share
/// of the city's revenue. Typed rows in, typed rows out: both schemas are inferred, and the
/// rules are checked against `Trip` at compile time.
#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank_in_city(trips: Vec<Trip>) -> Vec<RankedTrip> {
    let total: f64 = trips.iter().map(|t| t.fare).sum();
    trips
        .into_iter()
        .enumerate()
        .map(|(i, t)| RankedTrip {
            share_of_city: if total > 0.0 { t.fare / total } else { 0.0 },
            rank: i as i64 + 1,
            trip_id: t.trip_id,
            city: t.city,
            fare: t.fare,
            tip: t.tip,
        })
        .collect()
}

const CITIES: [(&str, &str); 8] = [
    ("Paris", "Europe"),
    ("Oslo", "Europe"),
    ("Rome", "Europe"),
    ("Lima", "Americas"),
    ("Quito", "Americas"),
    ("Austin", "Americas"),
    ("Osaka", "Asia"),
    ("Hanoi", "Asia"),
];

/// A deterministic, realistic-looking dataset (a small LCG: no randomness crate needed).
fn trips(n: usize) -> Vec<Trip> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    (0..n)
        .map(|i| {
            let city = CITIES[(next() * CITIES.len() as f64) as usize % CITIES.len()].0;
            let fare = (5.0 + next() * next() * 80.0 * 100.0).round() / 100.0;
            let tip = (next() > 0.3).then(|| (fare * next() * 0.25 * 100.0).round() / 100.0);
            Trip {
                trip_id: i as i64,
                city: city.to_string(),
                fare,
                tip,
            }
        })
        .collect()
}

fn main() -> Result<(), FugueError> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            FugueError::invalid_argument("trips", format!("`{arg}` is not a number of trips"))
        })?,
        None => 1_000_000,
    };
    let started = Instant::now();
    let data = trips(n);
    println!("generated {n} trips in {:.2?}", started.elapsed());
    let cities: Vec<City> = CITIES
        .iter()
        .map(|(city, region)| City {
            city: city.to_string(),
            region: region.to_string(),
        })
        .collect();
    let checkpoints = std::env::temp_dir().join("fugue-builder-checkpoints");
    let out = std::env::temp_dir().join("fugue-builder-regions.parquet");

    // The workflow is a lazy DAG: nothing runs until `run`.
    let wf = Workflow::with_conf([
        ("fugue.workflow.concurrency", "2"),
        (
            "fugue.workflow.checkpoint.path",
            &checkpoints.to_string_lossy(),
        ),
    ])?;
    let trips = wf.create(data).named("trips");
    let ranked = trips
        .partition("by=city; presort=fare desc")
        .transform(rank_in_city)
        .named("ranked")
        // Reused by the next run as long as the data, the spec and the transformer are the same.
        .checkpoint_deterministic();
    let top = ranked.filter("rank <= 3").named("top").yield_as("top");
    let regions = wf.create(cities).named("cities");
    let per_region = top
        .inner_join(regions, &["city"])
        .named("joined")
        .partition("by=region")
        .aggregate(&[
            ("trips", "COUNT(*)"),
            ("top_fare", "MAX(fare)"),
            ("avg_tip", "AVG(tip)"),
        ])
        .named("per_region")
        .take(100, "region")
        .named("sorted");
    per_region.save(out.to_string_lossy().to_string(), SaveMode::Overwrite);
    per_region.yield_as("per_region");

    println!("{}", wf.explain()?);
    let started = Instant::now();
    let result = wf.run((), ())?;
    println!(
        "ran on the default engine in {:.2?} (steps reused from a checkpoint: {:?})",
        started.elapsed(),
        result.reused()
    );
    result.get("top")?.show(6)?;
    result.get("per_region")?.show(10)?;
    println!("saved {}", out.display());
    Ok(())
}
