use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct City {
    city: String,
    region: String,
}

// `region` comes from the NULL side of the LEFT JOIN, as DataFusion plans it.
#[derive(Schema)]
struct Fare {
    fare: f64,
    region: String,
}

#[transformer]
fn keep(rows: Vec<Fare>) -> Vec<Fare> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        cities = load("cities.parquet") as City;
        fares = sql("SELECT t.fare, c.region FROM trips t LEFT JOIN cities c ON t.city = c.city");
        kept = transform(fares, keep);
        yield kept;
    };
}
