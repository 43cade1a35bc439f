use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        priced = assign(trips, doubled = "fare * * 2");
        yield priced;
    };
}
