//! The columns of CTEs and subqueries in `FROM` are known: a typed step after a query over
//! them is checked at compile time, and must be accepted when it fits.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Best {
    city: String,
    top: f64,
    n: i64,
}

#[transformer]
fn keep(rows: Vec<Best>) -> Vec<Best> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        best = sql("WITH per_city AS (SELECT city, max(fare) AS top FROM trips GROUP BY city)
                    SELECT p.*, s.n FROM per_city p
                    JOIN (SELECT city, count(*) AS n FROM trips GROUP BY city) s ON p.city = s.city");
        kept = transform(best, keep);
        yield kept;
    };
}
