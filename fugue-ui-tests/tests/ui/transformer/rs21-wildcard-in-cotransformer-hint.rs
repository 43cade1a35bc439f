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

#[cotransformer(schema = "*,n:long")]
pub fn f(a: RecordBatch, b: RecordBatch) -> RecordBatch {
    let _ = b;
    a
}

fn main() {}
