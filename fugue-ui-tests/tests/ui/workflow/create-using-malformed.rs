use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[creator]
fn make() -> Vec<Trip> {
    Vec::new()
}

fn main() {
    let _wf = workflow! {
        c = create(using: make) as Trip;
        d = create(using: "make");
        yield c;
        yield d;
    };
}
