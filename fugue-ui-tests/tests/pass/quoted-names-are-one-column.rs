//! A string literal in a column position is exactly one column name.
use fugue::prelude::*;

#[derive(Schema)]
struct Item {
    #[fugue(rename = "unit price")]
    unit_price: f64,
    #[fugue(rename = "item id")]
    id: i64,
}

fn main() {
    let items: Vec<Item> = vec![];
    let _wf = workflow! {
        t = create(items) as Item;
        prices = select(t, "unit price");
        renamed = rename(t, "unit price": price, "item id": id);
        ids = select(renamed, id, price);
        kept = drop(t, "item id");
        yield prices;
        yield ids;
        yield kept;
    };
}
