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
pub fn f(rows: Vec<Person>) -> RecordBatch {
    let _ = rows;
    RecordBatch::new_empty(std::sync::Arc::new(fugue::__private::arrow::datatypes::Schema::empty()))
}

fn main() {}
