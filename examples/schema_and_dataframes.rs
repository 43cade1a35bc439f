//! Schemas and dataframes (reference §4): the schema expression language, the schema algebra,
//! the three kinds of frames and the operations every frame has.
//!
//! `cargo run --example schema_and_dataframes`

use fugue::prelude::*;
use fugue::schema::ColumnItem;

/// A typed record: its schema is inferred from the field types.
#[derive(Schema, Debug, Clone, PartialEq)]
struct Order {
    id: i64,
    #[fugue(rename = "customer name")]
    customer: String,
    #[fugue(type = "decimal(10,2)")]
    amount: rust_decimal::Decimal,
    placed: chrono::NaiveDate,
    tags: Vec<String>,
    note: Option<String>,
}

fn main() -> Result<(), FugueError> {
    // The schema language: every Fugue type name, nested lists, structs and maps, quoted names.
    let schema =
        Schema::parse("a:int, b:[str], `c d`:{x:double,y:<str,long>}, t:timestamp(ms,UTC)")?;
    println!("canonical: {schema}");
    println!(
        "arrow:     {:?}\n",
        schema
            .to_arrow()
            .fields()
            .iter()
            .map(|f| f.data_type().to_string())
            .collect::<Vec<_>>()
    );

    // Syntax errors say what was expected and where.
    if let Err(e) = Schema::parse("a:int,b:INT") {
        println!("{e}\n");
    }

    // The algebra: append, remove, rename, alter, and the output-schema hint language.
    let base = Schema::parse("a:int,b:int,c:str")?;
    println!(
        "{base} + x:double      = {}",
        base.append(&Schema::parse("x:double")?)?
    );
    println!(
        "{base} - b             = {}",
        base.remove(&ColumnItem::parse_list("b")?)?
    );
    println!(
        "{base} alter b:str     = {}",
        base.alter(&Schema::parse("b:str")?)?
    );
    println!("{base} transform *-c,a = {}", base.transform("*-c,a")?);
    println!(
        "{base} transform *,d:long = {}",
        base.transform("*,d:long")?
    );
    if let Err(e) = base.transform("*-x") {
        println!("{e}");
    }

    // A derived struct's schema, and its rows as a frame.
    println!("\nOrder: {}", Order::schema());
    let orders = vec![
        Order {
            id: 1,
            customer: "Ada".into(),
            amount: rust_decimal::Decimal::new(1999, 2),
            placed: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default(),
            tags: vec!["gift".into()],
            note: None,
        },
        Order {
            id: 2,
            customer: "Linus".into(),
            amount: rust_decimal::Decimal::new(500, 2),
            placed: chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default(),
            tags: vec![],
            note: Some("leave at the door".into()),
        },
    ];
    let mut df = orders.clone().into_dataframe()?;
    df.show(10)?;

    // Every frame has the same operations; schema errors name the column and suggest one.
    let mut small = df.select(&["id", "customer name"])?;
    println!("selected: {}", small.schema());
    println!("rows as maps: {:?}", small.as_maps()?);
    let df = orders.clone().into_dataframe()?;
    if let Err(e) = df.select(&["custmer name"]) {
        println!("{e}");
    }

    // Real casts: an impossible one names the column and the value.
    let texts = RowFrame::new(
        "n:str",
        vec![vec![Value::from("1")], vec![Value::from("x1")]],
    )?;
    if let Err(e) = DataFrame::from(texts).alter_columns("n:int") {
        println!("{e}");
    }

    // The three frames convert losslessly into each other; a stream is read once.
    let arrow = ArrowFrame::from_batches(vec![Order::to_record_batch(&orders)?])?;
    let mut stream = DataFrame::from(StreamFrame::from_batches(
        arrow.schema().clone(),
        arrow.batches().to_vec(),
    )?);
    println!(
        "\nstream bounded? {}; peek: {:?}",
        stream.is_bounded(),
        stream.peek_row()?.first()
    );
    if let Err(e) = stream.count() {
        println!("{e}");
    }
    let back: Vec<Order> = fugue::records(stream)?;
    assert_eq!(back, orders);
    println!(
        "stream -> typed rows: {} orders, equal to the input",
        back.len()
    );
    Ok(())
}
