//! A NULL key matches nothing, so the keys of an inner join are non-NULL.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: Option<String>,
    fare: f64,
}

#[derive(Schema)]
struct City {
    city: Option<String>,
    pop: i64,
}

#[derive(Schema)]
struct Joined {
    city: String,
    fare: f64,
    pop: i64,
}

#[transformer]
fn keep(rows: Vec<Joined>) -> Vec<Joined> {
    rows
}

fn main() {
    let (trips, cities): (Vec<Trip>, Vec<City>) = (vec![], vec![]);
    let _wf = workflow! {
        t = create(trips) as Trip;
        c = create(cities) as City;
        j = join(t, c, on: [city]);
        k = transform(j, keep);
        yield k;
    };
}
