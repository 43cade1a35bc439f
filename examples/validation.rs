//! Validation (reference §3): rules a transformer declares about its partitioning and input.
//!
//! Rules are checked once, by one function (`fugue::schema::Rules::check_step`): when
//! a step is built against its partition spec, and before it runs against its input schema.
//! What the macros can see is checked at compile time: a rule naming a column the typed input
//! lacks does not compile, for example
//!
//! ```text
//! #[transformer(partitionby_has = "cty")]   // error[E0080]: validation rule `partitionby_has`
//! fn rank(trips: Vec<Trip>) -> ...          //   of `rank` names column `cty`, which the input
//!                                           //   `Trip` does not have
//! ```
//!
//! `cargo run --example validation`

use fugue::prelude::*;
use fugue::schema::Rules;

#[derive(Schema, Debug, Clone)]
struct Trip {
    city: String,
    fare: f64,
}

#[derive(Schema, Debug, Clone)]
struct Ranked {
    city: String,
    fare: f64,
    rank: i64,
}

#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank(trips: Vec<Trip>) -> Vec<Ranked> {
    trips
        .into_iter()
        .enumerate()
        .map(|(i, t)| Ranked {
            city: t.city,
            fare: t.fare,
            rank: i as i64 + 1,
        })
        .collect()
}

/// A dynamic input: the rule about the input is checked when the step runs.
#[transformer(schema = "*", input_has = "city:str,fare:double")]
fn passthrough(batch: RecordBatch) -> RecordBatch {
    batch
}

fn main() -> Result<(), FugueError> {
    let trips = vec![
        Trip {
            city: "Oslo".into(),
            fare: 7.0,
        },
        Trip {
            city: "Oslo".into(),
            fare: 9.0,
        },
    ];

    // The right spec passes.
    let out = fugue::transform(trips.clone(), rank, "by=city; presort=fare desc", "native")?;
    println!("ranked {} trips", out.count()?);

    // A spec that breaks a rule fails before any data moves, naming the rule and the step.
    for spec in ["by=fare", "by=city", "by=city; presort=fare"] {
        let e = fugue::transform(trips.clone(), rank, spec, "native").unwrap_err();
        println!("{spec:?}: {e}");
    }

    // An input rule on a dynamic transformer is checked against the real input.
    let other = (vec![vec![Value::from("Oslo")]], "town:str").into_dataframe()?;
    let e = fugue::transform(other, passthrough, (), "native").unwrap_err();
    println!("{e}");

    // The same rules, used directly (what the macros and the engines call).
    let rules = Rules::parse([("partitionby_is", "city"), ("input_has", "fare:double")])?;
    let input = Schema::parse("city:str,fare:double")?;
    rules.check(&PartitionSpec::parse("by=city")?, Some(&input))?;
    println!(
        "rules {:?} hold",
        rules
            .rules()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    if let Err(e) = Rules::parse([("partitionby_hass", "city")]) {
        println!("{e}");
    }
    Ok(())
}
