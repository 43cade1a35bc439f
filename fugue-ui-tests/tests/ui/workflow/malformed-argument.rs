use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        other = load("other.parquet") as Trip;
        joined = join(trips, other, how: sideways, on: [city]);
        doubled = select(trips, fare * 2);
        yield joined;
    };
    // The value is still a `Workflow`: only the errors above are reported.
    let _ = _wf.run_on("native");
}
