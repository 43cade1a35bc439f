use fugue::Schema;

#[derive(Schema)]
struct Marker;

fn main() {}
