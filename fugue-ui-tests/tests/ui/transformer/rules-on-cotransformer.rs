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

#[cotransformer(partitionby_has = "name")]
pub fn f(a: Vec<Person>, b: Vec<Person>) -> Vec<Scored> {
    let _ = (a, b);
    Vec::new()
}

fn main() {}
