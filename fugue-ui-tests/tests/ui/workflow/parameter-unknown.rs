use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[transformer]
fn cheap(rows: Vec<Trip>, threshold: f64) -> Vec<Trip> {
    rows.into_iter().filter(|t| t.fare < threshold).collect()
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        low = transform(trips, cheap, params(treshold: 2.5));
        yield low;
    };
}
