use fugue::Schema;

#[derive(Schema)]
struct Order {
    #[fugue(name = "order id")]
    id: i64,
}

fn main() {}
