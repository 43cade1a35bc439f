//! SQL steps in a workflow: a typed transformer, then a SQL join with an aggregation and a
//! window function over earlier steps, then a typed transformer over the SQL step's output,
//! whose input struct is checked against the SQL's output schema at compile time.
//!
//! Run with `cargo run --example sql`. Try a mistake: misspell `fare` in the query, or make
//! `Region::trips` an `i32` (SQL's `count(*)` is a `long`): both are compile errors naming the
//! column, the step and the schemas.

use fugue::prelude::*;

/// One taxi trip.
#[derive(Schema, Debug, Clone)]
struct Trip {
    city: String,
    fare: f64,
    tip: f64,
}

/// A trip with its total (fare and tip).
#[derive(Schema, Debug)]
struct Paid {
    city: String,
    fare: f64,
    total: f64,
}

/// A city and its region.
#[derive(Schema, Debug, Clone)]
struct City {
    city: String,
    region: String,
}

/// What the SQL step gives per region (its columns and types are the SQL's output schema).
#[derive(Schema, Debug)]
struct Region {
    region: String,
    revenue: f64,
    trips: i64,
    place: u64,
}

/// A region's line of the report.
#[derive(Schema, Debug)]
struct Line {
    region: String,
    place: u64,
    text: String,
}

#[transformer]
fn pay(trips: Vec<Trip>) -> Vec<Paid> {
    trips
        .into_iter()
        .map(|t| Paid {
            total: t.fare + t.tip,
            city: t.city,
            fare: t.fare,
        })
        .collect()
}

#[transformer]
fn describe(regions: Vec<Region>) -> Vec<Line> {
    regions
        .into_iter()
        .map(|r| Line {
            text: format!(
                "#{} {}: {:.2} over {} trips",
                r.place, r.region, r.revenue, r.trips
            ),
            region: r.region,
            place: r.place,
        })
        .collect()
}

fn main() -> fugue::Result<()> {
    let trips: Vec<Trip> = (0..10_000)
        .map(|i| Trip {
            city: ["Oslo", "Bergen", "Lyon", "Nice", "Turin"][i % 5].to_string(),
            fare: 5.0 + (i % 17) as f64,
            tip: (i % 3) as f64,
        })
        .collect();
    let cities = vec![
        City {
            city: "Oslo".into(),
            region: "North".into(),
        },
        City {
            city: "Bergen".into(),
            region: "North".into(),
        },
        City {
            city: "Lyon".into(),
            region: "South".into(),
        },
        City {
            city: "Nice".into(),
            region: "South".into(),
        },
        City {
            city: "Turin".into(),
            region: "East".into(),
        },
    ];
    let wf = workflow! {
        trips = create(trips) as Trip;
        cities = create(cities) as City;
        paid = transform(trips, pay);
        regions = sql("SELECT c.region, sum(p.total) AS revenue, count(*) AS trips,
                              rank() OVER (ORDER BY sum(p.total) DESC) AS place
                       FROM paid p JOIN cities c ON p.city = c.city
                       WHERE p.fare > 6
                       GROUP BY c.region");
        report = transform(regions, describe);
        yield report;
    };
    let result = wf.run_on("local")?;
    let mut lines: Vec<Line> = fugue::records(result.get("report")?)?;
    lines.sort_by_key(|l| l.place);
    for line in &lines {
        println!("{}", line.text);
    }
    assert_eq!(lines.len(), 3);
    Ok(())
}
