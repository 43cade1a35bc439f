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

#[creator]
pub fn f(rows: Vec<Person>) -> Vec<Scored> {
    let _ = rows;
    Vec::new()
}

fn main() {}
