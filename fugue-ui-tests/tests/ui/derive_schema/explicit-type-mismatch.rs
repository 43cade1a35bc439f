use fugue::Schema;

#[derive(Schema)]
struct Order {
    #[fugue(type = "int")]
    id: i64,
}

fn main() {}
