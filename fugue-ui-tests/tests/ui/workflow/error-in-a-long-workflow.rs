use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema)]
struct Ranked {
    city: String,
    fare: f64,
    rank: i64,
}

#[derive(Schema)]
struct Dim {
    city: String,
    population: i64,
}

#[transformer(partitionby_has = "city")]
fn rank(rows: Vec<Trip>) -> Vec<Ranked> {
    rows.into_iter()
        .map(|t| Ranked { city: t.city, fare: t.fare, rank: 1 })
        .collect()
}

fn main() {
    let _wf = workflow! {
        trips  = load("trips.parquet") as Trip;
        dims   = load("dims.parquet") as Dim;
        ranked = transform(trips, rank, partition(by: city, presort: fare desc));
        top    = take(ranked, 3, partition(by: city, presort: rank));
        joined = join(top, dims, how: inner, on: [city]);
        report = select(joined, city, rank, populaton);
        save(report, "report.parquet", mode: overwrite);
        yield report;
    };
}
