use fugue::Schema;

#[derive(Schema)]
struct Order {
    #[fugue(type = "decimal(10,")]
    amount: rust_decimal::Decimal,
}

fn main() {}
