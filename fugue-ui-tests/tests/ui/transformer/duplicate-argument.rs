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

#[transformer(schema = "a:long", schema = "b:long")]
pub fn f(batch: RecordBatch) -> RecordBatch {
    batch
}

fn main() {}
