//! The accepted cases of `shared/cases/f_transformer_signatures.json`: each signature compiles
//! and runs through `fugue::transform` (the reference map) or, for co-transformers, a reference
//! zip; each test is named after its case id. The rejected cases are ui tests
//! (`tests/ui/transformer/<id>-*.rs`).

use arrow::array::{Array, Float64Array, Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
use fugue::prelude::*;
use fugue_runtime::function::{BatchStream, PartitionContext, PartitionCursor, stream_of};
use fugue_runtime::partitioning::logical_partitions;
use std::sync::Arc;

/// Input rows.
#[derive(Schema, Debug, Clone, PartialEq)]
pub struct Person {
    /// Name.
    pub name: String,
    /// Age.
    pub age: i64,
}

/// Output rows.
#[derive(Schema, Debug, Clone, PartialEq)]
pub struct Scored {
    /// Name.
    pub name: String,
    /// Score.
    pub score: f64,
}

/// A user error.
#[derive(Debug)]
pub struct MyError(String);

impl std::fmt::Display for MyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MyError {}

fn people() -> Vec<Person> {
    vec![
        Person {
            name: "ann".into(),
            age: 30,
        },
        Person {
            name: "bob".into(),
            age: 40,
        },
        Person {
            name: "cy".into(),
            age: 30,
        },
    ]
}

fn score(p: &Person) -> Scored {
    Scored {
        name: p.name.clone(),
        score: p.age as f64 / 10.0,
    }
}

fn run<F: PartitionFunction + 'static>(f: F, partition: &str) -> fugue::Result<DataFrame> {
    fugue::transform(people(), f, partition, "native")
}

fn scored(df: DataFrame) -> Vec<Scored> {
    fugue::records::<Scored>(df).expect("typed read-back")
}

mod rs01 {
    use super::*;
    #[transformer]
    pub fn f(rows: Vec<Person>) -> Vec<Scored> {
        rows.iter().map(score).collect()
    }
}

#[test]
fn rs01_typed_rows_in_and_out() {
    let out = scored(run(rs01::f, "by=age").unwrap());
    assert_eq!(out.len(), 3);
    assert_eq!(
        out[0],
        Scored {
            name: "ann".into(),
            score: 3.0
        }
    );
    assert_eq!(
        out[2],
        Scored {
            name: "bob".into(),
            score: 4.0
        }
    );
    // Still callable as written.
    assert_eq!(rs01::f.call(people()).len(), 3);
    assert_eq!(rs01::f.call(people()).len(), 3);
}

mod rs02 {
    use super::*;
    #[transformer]
    pub fn f(rows: impl Iterator<Item = Person>) -> impl Iterator<Item = Scored> {
        rows.map(|p| score(&p))
    }
}

#[test]
fn rs02_streaming_rows() {
    let out = scored(run(rs02::f, "").unwrap());
    assert_eq!(
        out.iter().map(|s| s.score).collect::<Vec<_>>(),
        vec![3.0, 4.0, 3.0]
    );
    assert_eq!(rs02::f.call(people().into_iter()).count(), 3);
}

mod rs03 {
    use super::*;
    #[transformer]
    pub fn f(rows: &[Person]) -> Vec<Scored> {
        rows.iter().map(score).collect()
    }
}

#[test]
fn rs03_borrowed_slice() {
    let out = scored(run(rs03::f, "by=name").unwrap());
    assert_eq!(out.len(), 3);
    assert_eq!(rs03::f.call(&people()).len(), 3);
}

mod rs04 {
    use super::*;
    #[transformer(schema = "*,score:double")]
    pub fn f(batch: RecordBatch) -> RecordBatch {
        let ages = batch
            .column_by_name("age")
            .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
            .map(|a| {
                a.iter()
                    .map(|v| v.map(|v| v as f64 / 10.0))
                    .collect::<Float64Array>()
            })
            .unwrap_or_else(|| Float64Array::from(Vec::<f64>::new()));
        let mut fields: Vec<Field> = batch
            .schema()
            .fields()
            .iter()
            .map(|field| field.as_ref().clone())
            .collect();
        fields.push(Field::new("score", DataType::Float64, true));
        let mut columns = batch.columns().to_vec();
        columns.push(Arc::new(ages));
        RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), columns).expect("valid batch")
    }
}

#[test]
fn rs04_dynamic_output_with_wildcard_hint() {
    let out = run(rs04::f, "by=age").unwrap();
    assert_eq!(out.schema().to_string(), "name:str,age:long,score:double");
    assert_eq!(out.count().unwrap(), 3);
    let typed = scored(out);
    assert_eq!(typed[2].score, 4.0);
}

mod rs05 {
    use super::*;
    #[transformer(schema = "*")]
    pub fn f(batches: impl Iterator<Item = RecordBatch>) -> impl Iterator<Item = RecordBatch> {
        batches
    }
}

#[test]
fn rs05_batch_stream_identity() {
    let out = run(rs05::f, "by=name").unwrap();
    assert_eq!(out.schema().to_string(), "name:str,age:long");
    assert_eq!(out.count().unwrap(), 3);
}

mod rs06 {
    use super::*;
    #[transformer]
    pub fn f(rows: Vec<Person>) -> Result<Vec<Scored>, MyError> {
        if rows.iter().any(|p| p.age > 35) {
            return Err(MyError("too old".into()));
        }
        Ok(rows.iter().map(score).collect())
    }
}

#[test]
fn rs06_fallible_rows() {
    let e = run(rs06::f, "by=age").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`f` failed on age=40: `f` returned an error: too old"
    );
    let ok = fugue::transform(vec![people()[0].clone()], rs06::f, (), "native").unwrap();
    assert_eq!(scored(ok).len(), 1);
}

mod rs07 {
    use super::*;
    #[transformer(schema = "a:long")]
    pub fn f(batch: RecordBatch) -> Result<RecordBatch, MyError> {
        let n = batch.num_rows() as i64;
        let schema = Arc::new(ArrowSchema::new(vec![Field::new(
            "a",
            DataType::Int64,
            true,
        )]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![n]))])
            .map_err(|e| MyError(e.to_string()))
    }
}

#[test]
fn rs07_fallible_dynamic_with_explicit_hint() {
    let mut out = run(rs07::f, "by=age").unwrap();
    assert_eq!(out.schema().to_string(), "a:long");
    let rows = out.as_rows().unwrap();
    assert_eq!(rows, vec![vec![Value::Int64(2)], vec![Value::Int64(1)]]);
}

mod rs08 {
    use super::*;
    #[transformer(schema = "*-age")]
    pub fn f(
        batches: impl Iterator<Item = RecordBatch>,
    ) -> impl Iterator<Item = Result<RecordBatch, MyError>> {
        batches.map(|b| {
            let i = b
                .schema()
                .index_of("age")
                .map_err(|e| MyError(e.to_string()))?;
            let mut b = b;
            b.remove_column(i);
            Ok(b)
        })
    }
}

#[test]
fn rs08_fallible_stream() {
    let out = run(rs08::f, "").unwrap();
    assert_eq!(out.schema().to_string(), "name:str");
    assert_eq!(out.count().unwrap(), 3);
}

mod rs09 {
    use super::*;
    #[transformer]
    pub fn f(rows: Vec<Person>, cb: Callback) -> Vec<Scored> {
        cb.call(rows.len() as i64).ok();
        rows.iter().map(score).collect()
    }
}

fn counting_callback() -> (
    Arc<std::sync::atomic::AtomicI64>,
    impl Fn(Value) -> fugue::Result<Value> + Send + Sync + 'static,
) {
    let total = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let seen = total.clone();
    let handler = move |v: Value| {
        seen.fetch_add(v.as_i64().unwrap_or(0), std::sync::atomic::Ordering::SeqCst);
        Ok(Value::Null)
    };
    (total, handler)
}

#[test]
fn rs09_required_callback() {
    let (total, handler) = counting_callback();
    let out = fugue::Transform::new(people(), rs09::f)
        .partition("by=age")
        .callback(handler)
        .run()
        .unwrap();
    assert_eq!(scored(out).len(), 3);
    assert_eq!(total.load(std::sync::atomic::Ordering::SeqCst), 3);
    // Without a callback the step fails its check, before any data moves.
    let e = run(rs09::f, "by=age").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument `callback`: `f` requires a callback, but the step was given none"
    );
}

mod rs10 {
    use super::*;
    #[transformer]
    pub fn f(rows: Vec<Person>, cb: Option<Callback>) -> Vec<Scored> {
        if let Some(cb) = cb {
            cb.call(1_i64).ok();
        }
        rows.iter().map(score).collect()
    }
}

#[test]
fn rs10_optional_callback() {
    assert_eq!(scored(run(rs10::f, "by=age").unwrap()).len(), 3);
    let (total, handler) = counting_callback();
    fugue::Transform::new(people(), rs10::f)
        .partition("by=age")
        .callback(handler)
        .run()
        .unwrap();
    assert_eq!(total.load(std::sync::atomic::Ordering::SeqCst), 2);
}

mod rs11 {
    use super::*;
    #[transformer]
    pub fn f(rows: Vec<Person>, threshold: f64, label: String) -> Vec<Scored> {
        rows.iter()
            .map(score)
            .filter(|s| s.score > threshold)
            .map(|s| Scored {
                name: format!("{label}{}", s.name),
                score: s.score,
            })
            .collect()
    }
}

#[test]
fn rs11_typed_params_by_name() {
    let out = fugue::Transform::new(people(), rs11::f)
        .param("threshold", 3.5)
        .param("label", "x-")
        .run()
        .unwrap();
    assert_eq!(
        scored(out),
        vec![Scored {
            name: "x-bob".into(),
            score: 4.0
        }]
    );
    let e = fugue::Transform::new(people(), rs11::f)
        .param("threshold", 3.5)
        .run()
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("step `f` needs parameter `label: String`"),
        "{e}"
    );
    assert_eq!(
        <rs11::f as Transformer>::PARAMS,
        &[("threshold", "f64"), ("label", "String")]
    );
}

mod rs12 {
    use super::*;
    #[transformer]
    pub fn f(rows: Vec<Person>, cb: Callback, threshold: f64) -> Vec<Scored> {
        cb.call(1_i64).ok();
        rows.iter()
            .map(score)
            .filter(|s| s.score >= threshold)
            .collect()
    }
}

#[test]
fn rs12_data_callback_then_params() {
    let (total, handler) = counting_callback();
    let out = fugue::Transform::new(people(), rs12::f)
        .partition("by=name")
        .param("threshold", 4.0)
        .callback(handler)
        .run()
        .unwrap();
    assert_eq!(scored(out).len(), 1);
    assert_eq!(total.load(std::sync::atomic::Ordering::SeqCst), 3);
}

mod rs13 {
    use super::*;
    #[transformer]
    pub fn f(rows: Vec<Person>) -> Scored {
        Scored {
            name: rows.first().map(|p| p.name.clone()).unwrap_or_default(),
            score: rows.len() as f64,
        }
    }
}

#[test]
fn rs13_one_row_per_partition() {
    let out = scored(run(rs13::f, "by=age").unwrap());
    assert_eq!(
        out,
        vec![
            Scored {
                name: "ann".into(),
                score: 2.0
            },
            Scored {
                name: "bob".into(),
                score: 1.0
            }
        ]
    );
}

mod rs14 {
    use super::*;
    #[transformer]
    pub fn f(batch: RecordBatch) -> Vec<Scored> {
        Person::from_record_batch(&batch)
            .unwrap_or_default()
            .iter()
            .map(score)
            .collect()
    }
}

#[test]
fn rs14_dynamic_input_typed_output() {
    let out = scored(run(rs14::f, "by=age").unwrap());
    assert_eq!(out.len(), 3);
}

mod rs15 {
    use super::*;
    pub static SEEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    #[output_transformer]
    pub fn f(rows: Vec<Person>) {
        SEEN.fetch_add(rows.len(), std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn rs15_output_transformer() {
    fugue::out_transform(people(), rs15::f, "by=age", "native").unwrap();
    assert_eq!(rs15::SEEN.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(
        <rs15::f as Transformer>::KIND,
        fugue_runtime::transformer::Kind::OutputTransformer
    );
}

/// A reference zip: group both frames by `key` and call `f` once per key, with an empty stream
/// for an input that lacks the key (what engines do; their comap arrives later).
pub fn zip_call<F: PartitionFunction>(
    f: &F,
    key: &str,
    left: DataFrame,
    right: DataFrame,
) -> fugue::Result<Vec<RecordBatch>> {
    let spec = fugue::PartitionSpec::by([key])?;
    let mut groups: std::collections::BTreeMap<String, (Vec<RecordBatch>, Vec<RecordBatch>)> =
        Default::default();
    for (side, df) in [left, right].into_iter().enumerate() {
        let frame = df.to_arrow_frame()?;
        for part in logical_partitions(frame.arrow_schema(), frame.batches(), &spec, 1)? {
            let cursor = PartitionCursor::from_key_batch(part.keys.as_ref(), 0, 0)?;
            let entry = groups.entry(cursor.to_string()).or_default();
            if side == 0 {
                entry.0.push(part.batch)
            } else {
                entry.1.push(part.batch)
            }
        }
    }
    let mut out = Vec::new();
    for (key, (l, r)) in groups {
        let ctx = PartitionContext {
            cursor: PartitionCursor::new(vec![("key".into(), Value::from(key))], 0, 0, 0),
            params: Arc::new(Params::new()),
            callback: None,
            state: None,
        };
        let inputs: Vec<BatchStream<'_>> = vec![stream_of(l), stream_of(r)];
        for batch in f.call(ctx, inputs)? {
            out.push(batch?);
        }
    }
    Ok(out)
}

mod rs16 {
    use super::*;
    #[cotransformer]
    pub fn f(left: Vec<Person>, right: Vec<Scored>) -> Vec<Scored> {
        left.iter()
            .map(|p| Scored {
                name: p.name.clone(),
                score: right.iter().map(|s| s.score).sum(),
            })
            .collect()
    }
}

#[test]
fn rs16_cotransformer_typed() {
    let right = vec![
        Scored {
            name: "ann".into(),
            score: 1.0,
        },
        Scored {
            name: "ann".into(),
            score: 2.0,
        },
        Scored {
            name: "zed".into(),
            score: 5.0,
        },
    ];
    let batches = zip_call(
        &rs16::f,
        "name",
        people().into_dataframe().unwrap(),
        right.into_dataframe().unwrap(),
    )
    .unwrap();
    let rows: Vec<Scored> = batches
        .iter()
        .flat_map(|b| Scored::from_record_batch(b).unwrap())
        .collect();
    // `zed` has no person: an empty left input, so no output row.
    assert_eq!(
        rows,
        vec![
            Scored {
                name: "ann".into(),
                score: 3.0
            },
            Scored {
                name: "bob".into(),
                score: 0.0
            },
            Scored {
                name: "cy".into(),
                score: 0.0
            },
        ]
    );
    assert_eq!(<rs16::f as Transformer>::INPUTS.len(), 2);
}

mod rs17 {
    use super::*;
    #[cotransformer(schema = "k:long,n:long")]
    pub fn f(a: RecordBatch, b: RecordBatch) -> RecordBatch {
        let schema = Arc::new(ArrowSchema::new(vec![
            Field::new("k", DataType::Int64, true),
            Field::new("n", DataType::Int64, true),
        ]));
        let n = (a.num_rows() + b.num_rows()) as i64;
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![a.num_rows() as i64])),
                Arc::new(Int64Array::from(vec![n])),
            ],
        )
        .expect("valid batch")
    }
}

#[test]
fn rs17_cotransformer_explicit_hint() {
    let right = vec![Person {
        name: "ann".into(),
        age: 1,
    }];
    let batches = zip_call(
        &rs17::f,
        "name",
        people().into_dataframe().unwrap(),
        right.into_dataframe().unwrap(),
    )
    .unwrap();
    assert_eq!(batches.len(), 3);
    let n: Vec<i64> = batches
        .iter()
        .map(|b| {
            b.column(1)
                .as_any()
                .downcast_ref::<Int64Array>()
                .map_or(0, |a| a.value(0))
        })
        .collect();
    assert_eq!(n, vec![2, 1, 1]);
    assert_eq!(
        rs17::f.output_schema(&[]).unwrap().to_string(),
        "k:long,n:long"
    );
}
