use fugue::Schema;

struct Money(i64);

#[derive(Schema)]
struct Order {
    id: i64,
    price: Money,
}

fn main() {}
