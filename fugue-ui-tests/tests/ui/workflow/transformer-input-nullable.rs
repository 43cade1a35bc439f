use fugue::prelude::*;

#[derive(Schema)]
struct RawTrip {
    city: String,
    fare: Option<f64>,
}

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[transformer]
fn rank(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as RawTrip;
        ranked = transform(trips, rank);
        yield ranked;
    };
}
