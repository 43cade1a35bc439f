use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Zone {
    city: String,
    pop: i64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        zones = load("zones.parquet") as Zone;
        joined = sql("SELECT t.city, z.popul FROM trips t JOIN zones z ON t.city = z.city");
        yield joined;
    };
}
