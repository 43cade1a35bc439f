use fugue::prelude::*;

#[derive(Schema)]
pub struct Trip {
    pub city: String,
    pub fare: f64,
}

pub fn setup(_: &PhysicalPartition) {}

#[processor(on_init = setup)]
pub fn keep(trips: Vec<Trip>) -> Vec<Trip> {
    trips
}

fn main() {}
