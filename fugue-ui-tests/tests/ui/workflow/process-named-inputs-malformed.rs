use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
}

#[processor]
fn merge(engine: &dyn ExecutionEngine, dfs: DataFrames) -> Result<DataFrame, FugueError> {
    dfs.sql(engine, "SELECT * FROM a")
}

fn main() {
    let _twice = workflow! {
        a = load("a.parquet") as Trip;
        b = load("b.parquet") as Trip;
        out = process([x: a, x: b], merge);
        yield out;
    };
    let _mixed = workflow! {
        a = load("a.parquet") as Trip;
        b = load("b.parquet") as Trip;
        out = process([x: a, b], merge);
        yield out;
    };
}
