use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
    passengers: i64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        busy = filter(trips, "fare > 0 AND pasengers >= 2");
        yield busy;
    };
}
