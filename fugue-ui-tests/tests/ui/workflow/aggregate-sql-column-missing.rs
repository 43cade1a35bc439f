use fugue::prelude::*;

#[derive(Schema)]
struct Order {
    city: String,
    amount_usd: f64,
}

fn main() {
    let _wf = workflow! {
        orders = load("orders.parquet") as Order;
        totals = aggregate(orders, by: [city], total = "sum(amount)");
        yield totals;
    };
}
