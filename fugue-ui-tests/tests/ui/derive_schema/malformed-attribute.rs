use fugue::Schema;

#[derive(Schema)]
struct Order {
    #[fugue(rename)]
    id: i64,
    #[fugue = "name"]
    name: String,
}

fn main() {}
