use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    passengers: i32,
}

// `passengers + 1` is a `long` in DataFusion (an integer literal is an Int64), not an `int`.
#[derive(Schema)]
struct More {
    city: String,
    more: i32,
}

#[transformer]
fn keep(rows: Vec<More>) -> Vec<More> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        more = sql("SELECT city, passengers + 1 AS more FROM trips");
        kept = transform(more, keep);
        yield kept;
    };
}
