use fugue::prelude::*;

#[derive(Schema)]
struct Order {
    city: String,
    amount: f64,
}

#[derive(Schema)]
struct Total {
    city: String,
    total: f64,
    orders: i32,
}

#[transformer]
fn keep(rows: Vec<Total>) -> Vec<Total> {
    rows
}

fn main() {
    let _wf = workflow! {
        orders = load("orders.parquet") as Order;
        totals = aggregate(orders, by: [city], total = "sum(amount)", orders = "count(*)");
        kept = transform(totals, keep);
        yield kept;
    };
}
