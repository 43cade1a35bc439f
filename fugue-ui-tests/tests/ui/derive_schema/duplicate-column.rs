use fugue::Schema;

#[derive(Schema)]
struct Order {
    id: i64,
    #[fugue(rename = "id")]
    order_id: i64,
}

fn main() {}
