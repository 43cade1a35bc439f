use fugue::Schema;

#[derive(Schema)]
enum Shape {
    Circle { radius: f64 },
    Square { side: f64 },
}

// The derive still emits stub impls, so using the type adds no second error.
#[allow(dead_code)]
fn uses_the_type() -> usize {
    use fugue::record::Record;
    Shape::COLUMNS.len()
}

fn main() {}
