use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Fare {
    city: String,
    fare: i64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        yield trips: Fare;
    };
}
