use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[processor]
fn dedup(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        out = transform(trips, dedup);
        yield out;
    };
}
