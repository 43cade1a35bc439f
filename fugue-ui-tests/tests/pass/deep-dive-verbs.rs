//! The Deep-Dive verbs compile, and the steps after them keep their checks: `alter_columns`
//! keeps the column (a transformer reading it as the new type compiles), `create(using: ..)`
//! has its creator's schema, `partition(per_row)`, `show(.., with_count: true)`, and joins
//! spelled as Fugue spells them (any case).
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct NarrowTrip {
    city: String,
    fare: f32,
}

#[derive(Schema)]
struct City {
    city: String,
    region: String,
}

#[creator]
fn make(n: i64) -> Vec<Trip> {
    (0..n)
        .map(|i| Trip {
            city: "c".into(),
            fare: i as f64,
        })
        .collect()
}

#[transformer]
fn narrow(rows: Vec<NarrowTrip>) -> Vec<NarrowTrip> {
    rows
}

fn main() {
    let cities: Vec<City> = Vec::new();
    let _wf = workflow! {
        made = create(using: make, params(n: 3));
        slim = alter_columns(made, "fare:float");
        narrowed = transform(slim, narrow, partition(per_row));
        cities = create(cities) as City;
        known = join(narrowed, cities, how: LEFT_SEMI, on: [city]);
        unknown = join(narrowed, cities, how: Left_Anti, on: [city]);
        picked = select(known, city, fare);
        show(unknown, 5, title: "unknown", with_count: true);
        yield picked;
    };
}
