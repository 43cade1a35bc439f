use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        totals = sql("SELECT city, sum(fare) AS total FROM trip GROUP BY city");
        yield totals;
    };
}
