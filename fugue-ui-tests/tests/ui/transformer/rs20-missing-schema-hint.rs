use fugue::prelude::*;

#[derive(Schema)]
pub struct Person {
    pub name: String,
    pub age: i64,
}

#[derive(Schema)]
pub struct Scored {
    pub name: String,
    pub score: f64,
}

#[transformer]
pub fn f(batches: impl Iterator<Item = RecordBatch>) -> impl Iterator<Item = RecordBatch> {
    batches
}

fn main() {}
