use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        assert_not_eq(trips);
        same = assert_eq(trips, trips);
    };
}
