use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        totals = aggregate(trips, partition(by: city, presort: fare desc), total = "sum(fare)");
        yield totals;
    };
}
