//! SQL fragments the checks must accept: names as written (capitals unquoted, as the engines
//! plan fragments), the input as `t0`, output types after `aggregate` and `assign` that the
//! typed steps after them rely on, and expressions whose types are known only at run time.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    #[fugue(rename = "City")]
    city: String,
    fare: f64,
    passengers: i32,
}

#[derive(Schema)]
struct Total {
    #[fugue(rename = "City")]
    city: String,
    total: f64,
    n: i64,
    most: i32,
    mean: f64,
}

#[derive(Schema)]
struct Priced {
    #[fugue(rename = "City")]
    city: String,
    fare: f64,
    passengers: i32,
    p: i64,
}

#[transformer]
fn keep(rows: Vec<Total>) -> Vec<Total> {
    rows
}

#[transformer]
fn keep_priced(rows: Vec<Priced>) -> Vec<Priced> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        some = filter(trips, "City <> 'x' AND t0.fare > 0 AND \"passengers\" IN (1, 2) AND fare BETWEEN 1 AND 2");
        totals = aggregate(some, by: [City], total = "SUM(fare)", n = "count(DISTINCT passengers)",
                           most = "max(passengers)", mean = "avg(passengers)");
        kept = transform(totals, keep);
        priced = assign(trips, p = "CAST(passengers AS BIGINT)", q = "fare * 2 + length(City)");
        shown = select(priced, City, fare, passengers, p);
        typed = transform(shown, keep_priced);
        yield kept; yield typed;
    };
}
