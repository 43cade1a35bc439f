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
pub fn f(rows: Vec<Person>) -> (String, f64) {
    let _ = rows;
    (String::new(), 0.0)
}

fn main() {}
