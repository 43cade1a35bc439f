use fugue::prelude::*;

#[derive(Schema)]
pub struct Trip {
    pub city: String,
    pub fare: f64,
}

// The engine lives on the driver; a transformer runs on the workers.
#[transformer]
pub fn keep(engine: &dyn ExecutionEngine, trips: Vec<Trip>) -> Vec<Trip> {
    let _ = engine;
    trips
}

fn main() {}
