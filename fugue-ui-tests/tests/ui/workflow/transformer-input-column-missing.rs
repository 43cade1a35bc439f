use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fair: f64,
}

#[derive(Schema)]
struct Priced {
    city: String,
    fare: f64,
}

#[transformer]
fn rank(rows: Vec<Priced>) -> Vec<Priced> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        ranked = transform(trips, rank);
        yield ranked;
    };
}
