//! Parameter literals are judged by the run-time conversion: an integer for an `f64` is fine.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[transformer]
fn cheap(rows: Vec<Trip>, threshold: f64, n: u8, name: String, on: bool) -> Vec<Trip> {
    let _ = (n, name, on);
    rows.into_iter().filter(|t| t.fare < threshold).collect()
}

fn main() {
    let trips: Vec<Trip> = vec![];
    let limit = 7.5;
    let _wf = workflow! {
        t = create(trips) as Trip;
        a = transform(t, cheap, params(threshold: 5, n: 255, name: "x", on: true));
        b = transform(t, cheap, params(threshold: -2.5, n: 0, name: "y", on: false));
        c = transform(t, cheap, params(threshold: limit, n: 1, name: "z", on: true));
        yield a;
        yield b;
        yield c;
    };
}
