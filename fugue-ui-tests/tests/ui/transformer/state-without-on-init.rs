use fugue::prelude::*;

#[derive(Schema)]
pub struct Trip {
    pub city: String,
    pub fare: f64,
}

pub struct Model {
    pub bonus: f64,
}

#[transformer]
pub fn price(trips: Vec<Trip>, model: &Model) -> Vec<Trip> {
    let _ = model.bonus;
    trips
}

fn main() {}
