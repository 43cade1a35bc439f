use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    name: String,
    fare: f64,
}

#[derive(Schema)]
struct City {
    city: String,
    name: String,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        cities = load("cities.parquet") as City;
        joined = join(trips, cities, on: [city]);
        yield joined;
    };
}
