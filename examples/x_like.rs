//! X-like objects (reference §8): every API that takes a schema takes anything schema-like,
//! every API that takes a dataframe takes anything dataframe-like, and engines, partition specs
//! and configurations have their "-like" forms too.
//!
//! `cargo run --example x_like`

use fugue::IntoSchema;
use fugue::prelude::*;
use std::sync::Arc;

#[derive(Schema, Debug, Clone, PartialEq)]
struct Point {
    x: i64,
    y: f64,
}

/// Schema-like inputs all name the same schema.
fn schema_likes() -> Result<(), FugueError> {
    let from_text = "x:long,y:double".into_schema()?;
    let from_arrow = Point::arrow_schema()?.into_schema()?;
    let from_pairs = vec![("x", "long"), ("y", "double")].into_schema()?;
    let from_record = Point::schema();
    assert!(from_text == from_arrow && from_arrow == from_pairs && from_pairs == from_record);
    println!("schema-like: {from_text} (text, Arrow, pairs and a derived struct agree)");
    if let Err(e) = Schema::try_from(vec![("x", "long"), ("x", "int")]) {
        println!("{e}");
    }
    Ok(())
}

/// DataFrame-like inputs: typed rows, Arrow batches, rows of values with a schema, streams.
fn dataframe_likes() -> Result<(), FugueError> {
    let points = vec![Point { x: 1, y: 0.5 }, Point { x: 2, y: 1.5 }];
    let batch = Point::to_record_batch(&points)?;
    let inputs: Vec<(&str, DataFrame)> = vec![
        ("Vec<Point>", points.clone().into_dataframe()?),
        ("RecordBatch", batch.clone().into_dataframe()?),
        (
            "Vec<RecordBatch>",
            vec![batch.slice(0, 1), batch.slice(1, 1)].into_dataframe()?,
        ),
        (
            "rows + schema",
            (
                vec![
                    vec![Value::from(1_i64), Value::from(0.5)],
                    vec![Value::from(2_i64), Value::from(1.5)],
                ],
                "x:long,y:double",
            )
                .into_dataframe()?,
        ),
        (
            "ArrowFrame",
            DataFrame::from(ArrowFrame::from_batches(vec![batch.clone()])?),
        ),
        (
            "StreamFrame",
            DataFrame::from(StreamFrame::from_batches(
                Point::schema(),
                vec![batch.clone()].into_iter(),
            )?),
        ),
    ];
    for (what, df) in inputs {
        let back: Vec<Point> = fugue::records(df)?;
        assert_eq!(back, points);
        println!("dataframe-like: {what:<16} -> {} points", back.len());
    }
    if let Err(e) = vec![
        batch.clone(),
        Point::to_record_batch(&points)?.project(&[0])?,
    ]
    .into_dataframe()
    {
        println!("{e}");
    }
    Ok(())
}

/// Engine-like, partition-like and config-like.
fn other_likes() -> Result<(), FugueError> {
    let by_name = fugue::make_engine("native", ())?;
    let instance: Arc<dyn ExecutionEngine> =
        Arc::new(fugue::LocalEngine::native(Default::default())?);
    let same = fugue::make_engine(instance.clone(), ())?;
    println!(
        "engine-like: \"native\" -> {}, an instance -> the same instance: {}",
        by_name.name(),
        Arc::ptr_eq(&instance, &same)
    );
    let spec: PartitionSpec = "by=x; presort=y desc".parse()?;
    println!("partition-like: {spec}");
    let conf = fugue::FugueConfig::try_from(vec![("fugue.workflow.concurrency", "2")])?;
    println!(
        "config-like: concurrency {}",
        conf.fugue.workflow.concurrency
    );
    Ok(())
}

fn main() -> Result<(), FugueError> {
    schema_likes()?;
    dataframe_likes()?;
    other_likes()
}
