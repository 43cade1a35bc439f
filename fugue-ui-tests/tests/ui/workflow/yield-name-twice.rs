use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        cheap = filter(trips, "fare < 10");
        yield trips as result;
        yield cheap as result;
    };
}
