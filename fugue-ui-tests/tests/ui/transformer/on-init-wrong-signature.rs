use fugue::prelude::*;

#[derive(Schema)]
pub struct Trip {
    pub city: String,
    pub fare: f64,
}

pub struct Model {
    pub bonus: f64,
}

/// Takes a number, not the physical partition.
pub fn load_model(partition: usize) -> Model {
    Model { bonus: partition as f64 }
}

#[transformer(on_init = load_model)]
pub fn price(trips: Vec<Trip>, model: &Model) -> Vec<Trip> {
    let _ = model.bonus;
    trips
}

fn main() {}
