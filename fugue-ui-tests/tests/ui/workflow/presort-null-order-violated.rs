use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: Option<f64>,
}

// The rule wants NULLs last (the default); the step sorts them first.
#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        ranked = transform(trips, rank, partition(by: city, presort: fare desc nulls first));
        yield ranked;
    };
}
