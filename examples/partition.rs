//! Partitioning (reference §5): keys, presort, the number of partitions and the algorithms, and
//! the cursor a transformer can ask for.
//!
//! `cargo run --example partition`

use fugue::prelude::*;

#[derive(Schema, Debug, Clone)]
struct Event {
    user: Option<String>,
    at: i64,
}

/// What one call saw.
#[derive(Schema, Debug, Clone)]
struct Call {
    key: Option<String>,
    partition: i64,
    rows: i64,
    first_at: i64,
}

#[transformer]
fn describe(events: Vec<Event>, cursor: &PartitionCursor) -> Call {
    Call {
        key: cursor
            .key("user")
            .and_then(|v| v.as_str().map(str::to_string)),
        partition: cursor.partition_no() as i64,
        rows: events.len() as i64,
        first_at: events.first().map_or(-1, |e| e.at),
    }
}

fn events() -> Vec<Event> {
    let users = [
        Some("ann"),
        Some("bob"),
        None,
        Some("ann"),
        Some("cid"),
        Some("bob"),
        None,
    ];
    users
        .iter()
        .enumerate()
        .map(|(i, u)| Event {
            user: u.map(str::to_string),
            at: 100 - i as i64,
        })
        .collect()
}

fn show(title: &str, spec: &str) -> Result<(), FugueError> {
    let out = fugue::transform(events(), describe, spec, "native")?;
    let calls: Vec<Call> = fugue::records(out)?;
    println!("{title} ({spec:?}): {} calls", calls.len());
    for c in calls {
        println!(
            "    key={:?} partition={} rows={} first_at={}",
            c.key, c.partition, c.rows, c.first_at
        );
    }
    Ok(())
}

fn main() -> Result<(), FugueError> {
    // Specs are built from a builder, the compact form, or Fugue's JSON object form.
    let spec = PartitionSpec::builder()
        .by(["user"])
        .presort("at")
        .num("ROWCOUNT/2")
        .algo("even")
        .build()?;
    println!("built:   {spec}");
    println!(
        "json:    {}",
        PartitionSpec::from_json(
            r#"{"by": ["user"], "presort": "at", "num": "ROWCOUNT/2", "algo": "even"}"#
        )? == spec
    );
    println!(
        "num for 10 rows on 4 cores: {}\n",
        spec.num_partitions(10, 4)?
    );

    show(
        "one call per key, NULL is a key, presort honoured",
        "by=user; presort=at",
    )?;
    show("no key: the whole input in one call", "")?;
    show("no key, num=3: three contiguous chunks", "num=3")?;
    show(
        "coarse: one call, sorted by keys then presort",
        "by=user; presort=at; num=1; algo=coarse",
    )?;

    // Mistakes are caught when the spec is built.
    for bad in ["by=user; presort=user", "algo=fast", "num=ROWS/2", "by=a,a"] {
        if let Err(e) = PartitionSpec::parse(bad) {
            println!("{bad:?}: {e}");
        }
    }
    Ok(())
}
