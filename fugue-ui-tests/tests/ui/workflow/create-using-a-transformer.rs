use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[transformer]
fn keep(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

#[creator]
fn make(n: i64) -> Vec<Trip> {
    (0..n)
        .map(|i| Trip {
            city: "c".into(),
            fare: i as f64,
        })
        .collect()
}

fn main() {
    let _wf = workflow! {
        a = create(using: keep);
        b = create(using: make, params(n: "three"));
        yield a;
        yield b;
    };
}
