use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[transformer]
fn keep(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        kept = transform(trips, keep, partition(per_row, num: 4));
        shown = show(trips, with_count: yes);
        yield kept;
    };
}
