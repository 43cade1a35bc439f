use fugue::prelude::*;

#[derive(Schema)]
pub struct Trip {
    pub city: String,
    pub fare: f64,
}

pub struct Model {
    pub bonus: f64,
}

pub fn load_model(_: &PhysicalPartition) -> Model {
    Model { bonus: 1.0 }
}

#[transformer(on_init = load_model)]
pub fn price(trips: impl Iterator<Item = Trip>, model: &Model) -> impl Iterator<Item = Trip> {
    trips.map(move |t| Trip { city: t.city, fare: t.fare + model.bonus })
}

fn main() {}
