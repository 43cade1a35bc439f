//! The README's main job: a workflow over a million taxi trips on the default (`local`) engine,
//! written with `workflow!`, so that its schemas are checked when it compiles: a partitioned,
//! presorted typed transformer (with a deterministic checkpoint), a filter, a join with a city
//! table, an aggregation per region, a sort, a save and two typed yields. It prints the plan
//! (`explain()`), then the results.
//!
//! Run with `cargo run --example quickstart` (add `--release` for speed; `-- 200000` for
//! another number of trips). `examples/builder.rs` is the same workflow built at run time.

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

/// One region's figures, as the workflow yields them.
#[derive(Schema, Debug)]
struct Region {
    region: String,
    trips: i64,
    top_fare: f64,
    avg_tip: Option<f64>,
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
    let checkpoints = std::env::temp_dir().join("fugue-quickstart-checkpoints");
    let out = std::env::temp_dir().join("fugue-quickstart-regions.parquet");

    // Every step's schema is known here: a misspelt column, a join key of another type or a
    // record that does not fit its input is a compile error naming the step and the schemas.
    // Nothing runs until `run`.
    let wf = workflow! {
        trips = create(data) as Trip;
        ranked = transform(trips, rank_in_city, partition(by: city, presort: fare desc));
        // Reused by the next run as long as the data, the spec and the transformer are the same.
        checkpoint(ranked, deterministic);
        top = filter(ranked, "rank <= 3");
        regions = create(cities) as City;
        joined = join(top, regions, how: inner, on: [city]);
        per_region = aggregate(
            joined,
            by: [region],
            trips = "COUNT(*)",
            top_fare = "MAX(fare)",
            avg_tip = "AVG(tip)",
        );
        sorted = take(per_region, 100, partition(presort: region));
        save(sorted, out.clone(), mode: overwrite);
        yield top: RankedTrip;
        yield sorted as per_region: Region;
    };

    println!("{}", wf.explain()?);
    let started = Instant::now();
    let conf = [
        ("fugue.workflow.concurrency", "2".to_string()),
        (
            "fugue.workflow.checkpoint.path",
            checkpoints.to_string_lossy().into_owned(),
        ),
    ];
    let result = wf.run((), conf)?;
    println!(
        "ran on the default engine in {:.2?} (steps reused from a checkpoint: {:?})",
        started.elapsed(),
        result.reused()
    );
    result.get("top")?.show(6)?;
    for region in result.records::<Region>("per_region")? {
        println!(
            "{:<9} {:>7} trips in the top 3 of their city, top fare {:>6.2}, average tip {}",
            region.region,
            region.trips,
            region.top_fare,
            region
                .avg_tip
                .map_or_else(|| "none".to_string(), |t| format!("{t:.2}"))
        );
    }
    let top: Vec<RankedTrip> = result.records("top")?;
    println!(
        "{} trips in the top 3 of their city; saved {}",
        top.len(),
        out.display()
    );
    Ok(())
}
