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
pub fn f(rows: Vec<f64>) -> Vec<Scored> {
    let _ = rows;
    Vec::new()
}

fn main() {}
