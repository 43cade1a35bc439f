//! Execution engines (reference §2): the same logic on `native` (one thread, deterministic) and
//! `local` (all cores), engine-like resolution, and the relational operations that DataFusion
//! runs for us.
//!
//! `cargo run --example engines`

use fugue::NaPosition;
use fugue::SortKey;
use fugue::prelude::*;
use std::time::Instant;

#[derive(Schema, Debug, Clone)]
struct Sale {
    shop: String,
    item: String,
    amount: f64,
}

#[derive(Schema, Debug, Clone)]
struct Shop {
    shop: String,
    country: String,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct ShopTotal {
    shop: String,
    sales: i64,
    total: f64,
}

/// One row per shop.
#[transformer(partitionby_has = "shop")]
fn shop_total(sales: Vec<Sale>) -> ShopTotal {
    ShopTotal {
        shop: sales.first().map(|s| s.shop.clone()).unwrap_or_default(),
        sales: sales.len() as i64,
        total: sales.iter().map(|s| s.amount).sum(),
    }
}

fn sales(n: usize) -> Vec<Sale> {
    (0..n)
        .map(|i| Sale {
            shop: format!("shop-{:03}", i % 200),
            item: ["tea", "coffee", "cake"][i % 3].to_string(),
            amount: (i % 97) as f64 + 0.5,
        })
        .collect()
}

fn main() -> Result<(), FugueError> {
    let data = sales(300_000);

    // The same transformer on both engines: only the engine name changes.
    for name in ["native", "local"] {
        let engine = fugue::make_engine(name, ())?;
        let started = Instant::now();
        let out = fugue::transform(data.clone(), shop_total, "by=shop", &engine)?;
        let mut totals: Vec<ShopTotal> = fugue::records(out)?;
        totals.sort_by(|a, b| a.shop.cmp(&b.shop));
        println!(
            "{name:>6} ({} threads): {} shops in {:.2?}; first {:?}",
            engine.parallelism(),
            totals.len(),
            started.elapsed(),
            totals.first()
        );
    }

    // Engine-like: a name, "" or () for the default, an instance; unknown names list the known.
    println!("default engine: {}", fugue::make_engine((), ())?.name());
    if let Err(e) = fugue::make_engine("spark", ()) {
        println!("{e}");
    }

    // Relational work is delegated to DataFusion, with Fugue's semantics and errors.
    let engine = fugue::make_engine("local", ())?;
    let shops = vec![
        Shop {
            shop: "shop-001".into(),
            country: "FR".into(),
        },
        Shop {
            shop: "shop-002".into(),
            country: "NO".into(),
        },
    ];
    let joined = engine.join(
        sales(600).into_dataframe()?,
        shops.clone().into_dataframe()?,
        JoinHow::Inner,
        &[],
    )?;
    let per_country = engine.aggregate(
        joined,
        &["country"],
        &[("n", "COUNT(*)"), ("total", "SUM(amount)")],
    )?;
    let mut sorted = engine.take(
        per_country,
        10,
        &[SortKey::asc("country")],
        NaPosition::Last,
        None,
    )?;
    sorted.show(10)?;

    // Schema checks run before any work: a join whose inputs share a non-key column is an error.
    let e = engine
        .join(
            sales(3).into_dataframe()?,
            sales(3).into_dataframe()?,
            JoinHow::Inner,
            &["shop"],
        )
        .unwrap_err();
    println!("{e}");
    let e = "outer".parse::<JoinHow>().unwrap_err();
    println!("{e}");
    Ok(())
}
