use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        older = load("old.csv", columns: "city:str,fare:float");
        both = union(trips, older);
        yield both;
    };
}
