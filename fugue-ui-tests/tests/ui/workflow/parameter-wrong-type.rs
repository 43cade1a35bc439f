use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[transformer]
fn top(rows: Vec<Trip>, n: i64, label: String) -> Vec<Trip> {
    let _ = label;
    rows.into_iter().take(n as usize).collect()
}

#[transformer]
fn small(rows: Vec<Trip>, n: u8) -> Vec<Trip> {
    rows.into_iter().take(n as usize).collect()
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        best = transform(trips, top, params(n: "20", label: 3));
        few = transform(trips, small, params(n: 300));
        yield best;
        yield few;
    };
}
