//! The NULL side of an outer join (the join verb's, or a `sql` step's `LEFT`/`RIGHT`/`FULL
//! JOIN`) is read into `Option` fields, or filled first; the other columns stay what they were.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct City {
    city: String,
    region: String,
}

#[derive(Schema)]
struct Fare {
    fare: f64,
    region: Option<String>,
}

#[transformer]
fn fares(rows: Vec<Fare>) -> Vec<Fare> {
    rows
}

#[derive(Schema)]
struct Both {
    fare: Option<f64>,
    region: String,
}

#[transformer]
fn both(rows: Vec<Both>) -> Vec<Both> {
    rows
}

#[derive(Schema)]
struct Named {
    fare: f64,
    region: String,
}

#[transformer]
fn named(rows: Vec<Named>) -> Vec<Named> {
    rows
}

#[derive(Schema)]
struct Filled {
    city: String,
    fare: f64,
    region: String,
}

#[transformer]
fn filled(rows: Vec<Filled>) -> Vec<Filled> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        cities = load("cities.parquet") as City;
        left = sql("SELECT t.fare, c.region FROM trips t LEFT JOIN cities c ON t.city = c.city");
        a = transform(left, fares);
        right = sql("SELECT t.fare, c.region FROM trips t RIGHT JOIN cities c ON t.city = c.city");
        b = transform(right, both);
        // An expression over the NULL side is not declared: checked row by row at run time.
        coalesced = sql("SELECT t.fare, coalesce(c.region, 'none') AS region FROM trips t LEFT JOIN cities c ON t.city = c.city");
        c = transform(coalesced, named);
        j = join(trips, cities, how: left_outer, on: [city]);
        f = fillna(j, "none", subset: [region]);
        d = transform(f, filled);
        yield a;
        yield b;
        yield c;
        yield d;
    };
}
