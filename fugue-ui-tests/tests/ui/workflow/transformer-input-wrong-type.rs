use fugue::prelude::*;

#[derive(Schema)]
struct RawTrip {
    city: String,
    fare: String,
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
        trips = load("trips.csv") as RawTrip;
        ranked = transform(trips, rank);
        yield ranked;
    };
}
