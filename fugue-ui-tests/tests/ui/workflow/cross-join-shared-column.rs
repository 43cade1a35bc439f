use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Day {
    day: i64,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        days = load("days.parquet") as Day;
        all = join(trips, days, how: cross);
        yield all;
    };
}
