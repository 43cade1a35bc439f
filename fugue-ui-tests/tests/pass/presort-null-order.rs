//! A presort's NULL order is part of its key: a rule that names it holds for a step sorted so.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: Option<f64>,
}

#[transformer(partitionby_has = "city", presort_is = "fare desc nulls first")]
fn rank(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

fn main() {
    let trips: Vec<Trip> = vec![];
    let _wf = workflow! {
        t = create(trips) as Trip;
        ranked = transform(t, rank, partition(by: city, presort: [fare desc nulls first]));
        yield ranked;
    };
}
