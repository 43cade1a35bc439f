use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct City {
    city: String,
    pop: i64,
}

// `pop` comes from the NULL side of a left join: a trip whose city has no row gives NULL.
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
    let _wf = workflow! {
        t = load("trips.parquet") as Trip;
        c = load("cities.parquet") as City;
        j = join(t, c, how: left_outer, on: [city]);
        k = transform(j, keep);
        yield k;
    };
}
