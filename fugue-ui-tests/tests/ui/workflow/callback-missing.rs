use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[output_transformer]
fn report(rows: Vec<Trip>, cb: Callback) {
    let _ = (rows, cb);
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        out_transform(trips, report);
    };
}
