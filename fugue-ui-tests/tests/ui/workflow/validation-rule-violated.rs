use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    region: String,
    fare: f64,
}

#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        ranked = transform(trips, rank, partition(by: region, presort: fare desc));
        yield ranked;
    };
}
