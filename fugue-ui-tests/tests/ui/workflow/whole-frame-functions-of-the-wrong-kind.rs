// Every verb type-checks for a function of any kind: each misuse below is the const kind
// check's message, naming the function's kind and the verb to use, with no trait-bound error.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[processor]
fn dedup(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

#[outputter]
fn print(rows: Vec<Trip>) {
    let _ = rows;
}

#[creator]
fn make() -> Vec<Trip> {
    Vec::new()
}

#[transformer]
fn keep(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        a = process(trips, print);
        b = process(trips, keep);
        c = transform(trips, make);
        d = cotransform([trips, trips], dedup, partition(by: city));
        e = create(using: dedup);
        output(trips, dedup);
        yield a;
        yield b;
        yield c;
        yield d;
        yield e;
    };
}
