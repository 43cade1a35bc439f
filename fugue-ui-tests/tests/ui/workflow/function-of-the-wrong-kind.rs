use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Count {
    n: i64,
}

#[transformer]
fn keep(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

#[cotransformer]
fn pair(a: Vec<Trip>, b: Vec<Trip>) -> Vec<Count> {
    vec![Count { n: (a.len() + b.len()) as i64 }]
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        other = load("other.parquet") as Trip;
        zipped = cotransform([trips, other], keep, partition(by: city));
        single = transform(trips, pair);
        yield zipped;
        yield single;
    };
}
