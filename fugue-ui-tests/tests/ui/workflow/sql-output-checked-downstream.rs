use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Total {
    city: String,
    total: i64,
}

#[transformer]
fn rank(rows: Vec<Total>) -> Vec<Total> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        totals = sql("SELECT city, sum(fare) AS total FROM trips GROUP BY city");
        ranked = transform(totals, rank);
        yield ranked;
    };
}
