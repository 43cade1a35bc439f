use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[transformer(schema = "*,score:double-tip")]
fn score(batch: RecordBatch) -> RecordBatch {
    batch
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        scored = transform(trips, score);
        yield scored;
    };
}
