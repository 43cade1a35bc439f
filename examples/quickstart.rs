//! The README's main job: a million taxi trips, ranked per city by a typed transformer on the
//! default (`local`) engine, joined with a city table, aggregated, saved and printed.
//!
//! Run with `cargo run --example quickstart` (add `--release` for speed; `-- 200000` for
//! another number of trips).

use fugue::prelude::*;
use fugue::runtime::engine::{JoinHow, NaPosition, SaveMode, SaveOptions};
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
    let engine = fugue::make_engine("local", ())?;
    println!(
        "engine: {} ({} workers)",
        engine.name(),
        engine.parallelism()
    );

    let started = Instant::now();
    let data = trips(n);
    println!("generated {n} trips in {:.2?}", started.elapsed());

    // 1. A partitioned, presorted, typed transformer.
    let started = Instant::now();
    let ranked = fugue::transform(data, rank_in_city, "by=city; presort=fare desc", &engine)?;
    println!("ranked trips per city in {:.2?}", started.elapsed());

    // 2. The three most expensive trips of each city.
    let mut top = engine.filter(ranked, "rank <= 3")?;
    top.show(6)?;

    // 3. Join with the cities and aggregate per region (DataFusion does the relational work).
    let cities: Vec<City> = CITIES
        .iter()
        .map(|(city, region)| City {
            city: city.to_string(),
            region: region.to_string(),
        })
        .collect();
    let joined = engine.join(top, cities.into_dataframe()?, JoinHow::Inner, &["city"])?;
    let per_region = engine.aggregate(
        joined,
        &["region"],
        &[
            ("trips", "COUNT(*)"),
            ("top_fare", "MAX(fare)"),
            ("avg_tip", "AVG(tip)"),
        ],
    )?;
    let mut per_region = engine.take(per_region, 100, "region", NaPosition::Last, None)?;
    per_region.show(10)?;

    // 4. Save the result atomically (a failed write leaves no partial file).
    let out = std::env::temp_dir().join("fugue-quickstart-regions.parquet");
    let path = out.to_string_lossy().to_string();
    let options = SaveOptions {
        mode: SaveMode::Overwrite,
        ..SaveOptions::default()
    };
    engine.save(per_region, &path, &options)?;
    println!("saved {path}");
    Ok(())
}
