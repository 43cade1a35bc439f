use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Best {
    city: String,
    fare: f64,
    rank: i64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        slim = drop(trips, fare);
        yield slim as best: Best;
    };
}
