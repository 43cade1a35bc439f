use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        a = alter_columns(trips, "fare:flaot");
        b = alter_columns(trips, fare);
        c = alter_columns(trips);
        yield a;
        yield b;
        yield c;
    };
}
