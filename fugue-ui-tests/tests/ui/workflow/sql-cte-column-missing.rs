use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Best {
    city: String,
    best: f64,
}

#[transformer]
fn keep(rows: Vec<Best>) -> Vec<Best> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        best = sql("WITH per_city AS (SELECT city, max(fare) AS top FROM trips GROUP BY city)
                    SELECT p.city, p.best FROM per_city p");
        kept = transform(best, keep);
        yield kept;
    };
}
