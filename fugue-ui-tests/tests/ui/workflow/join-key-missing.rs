use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Dim {
    town: String,
    population: i64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        dims = load("dims.parquet") as Dim;
        joined = join(trips, dims, how: inner, on: [city]);
        yield joined;
    };
}
