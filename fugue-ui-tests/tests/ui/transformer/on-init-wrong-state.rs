use fugue::prelude::*;

#[derive(Schema)]
pub struct Trip {
    pub city: String,
    pub fare: f64,
}

pub struct Model {
    pub bonus: f64,
}

/// Makes a number, not the `Model` that `price` takes.
pub fn load_model(partition: &PhysicalPartition) -> f64 {
    partition.physical_partition_no() as f64
}

#[transformer(on_init = load_model)]
pub fn price(trips: Vec<Trip>, model: &Model) -> Vec<Trip> {
    let _ = model.bonus;
    trips
}

fn main() {}
