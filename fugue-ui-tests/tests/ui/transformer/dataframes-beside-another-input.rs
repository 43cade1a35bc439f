use fugue::prelude::*;

#[derive(Schema)]
pub struct Trip {
    pub city: String,
    pub fare: f64,
}

// `DataFrames` takes every input, so no other data parameter can have one.
#[processor]
pub fn merge(trips: Vec<Trip>, rest: DataFrames) -> Vec<Trip> {
    let _ = rest;
    trips
}

#[transformer]
pub fn per_key(all: DataFrames) -> Vec<Trip> {
    let _ = all;
    Vec::new()
}

fn main() {}
