use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        slim = select(trips, city);
        trips = load("trips.parquet") as Trip;
        yield slim;
    };
}
