//! Types compare by the Arrow type they denote, never by their spelling.
use fugue::prelude::*;

#[derive(Schema)]
struct Order {
    id: i64,
    #[fugue(type = "decimal(10)")]
    amount: rust_decimal::Decimal,
    at: chrono::NaiveDateTime,
    tags: Vec<String>,
}

#[transformer]
fn keep(rows: Vec<Order>) -> Vec<Order> {
    rows
}

#[transformer(input_has = "id:int64, amount:decimal(10,0), at:timestamp(us)")]
fn check(rows: Vec<Order>) -> Vec<Order> {
    rows
}

fn main() {
    let _wf = workflow! {
        raw = load(
            "orders.parquet",
            columns: "id:int64, amount:decimal(10,0), at:timestamp(us), tags:[string]"
        );
        a = transform(raw, keep);
        b = transform(raw, check);
        yield a;
        yield b;
    };
}
