use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        narrow = alter_columns(trips, "city:str,fair:float");
        yield narrow;
    };
}
