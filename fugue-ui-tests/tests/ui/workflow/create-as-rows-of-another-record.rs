use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Shop {
    name: String,
}

fn main() {
    let shops = vec![Shop { name: "a".into() }];
    let _wf = workflow! {
        trips = create(shops) as Trip;
        yield trips;
    };
}
