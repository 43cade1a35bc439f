use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        slim = select(trips, city);
        assert_eq(trips, slim);
    };
}
