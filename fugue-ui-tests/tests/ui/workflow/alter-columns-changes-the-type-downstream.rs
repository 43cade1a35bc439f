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
        narrow = alter_columns(trips, "fare:float");
        kept = transform(narrow, keep);
        yield kept;
    };
}
