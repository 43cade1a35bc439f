use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Population {
    city: i64,
    population: i64,
}

#[derive(Schema)]
struct Count {
    n: i64,
}

#[cotransformer]
fn count(trips: Vec<Trip>, people: Vec<Population>) -> Vec<Count> {
    vec![Count { n: (trips.len() + people.len()) as i64 }]
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        people = load("people.parquet") as Population;
        counted = cotransform([trips, people], count, partition(by: city));
        yield counted;
    };
}
