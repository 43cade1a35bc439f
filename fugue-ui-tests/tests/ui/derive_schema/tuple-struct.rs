use fugue::Schema;

#[derive(Schema)]
struct Point(f64, f64);

fn main() {}
