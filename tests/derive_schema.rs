//! Behaviour of `#[derive(Schema)]`: schemas, round trips for every supported field type, and
//! the errors of reading a batch that does not fit the struct.

use arrow::array::{Array, ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use fugue::prelude::*;
use fugue::record::Bytes;
use fugue_core::{ErrorKind, FugueError, Schema};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Schema, Debug, Clone, PartialEq)]
struct Scalars {
    a: i8,
    b: i16,
    c: i32,
    d: i64,
    e: u8,
    f: u16,
    g: u32,
    h: u64,
    i: f32,
    j: f64,
    k: bool,
    l: String,
    m: Bytes,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Everything {
    id: i64,
    #[fugue(rename = "full name")]
    name: String,
    nick: Option<String>,
    day: NaiveDate,
    at: NaiveDateTime,
    utc: Option<DateTime<Utc>>,
    price: Decimal,
    #[fugue(type = "decimal(10,2)")]
    amount: Option<Decimal>,
    #[fugue(type = "timestamp(ms)")]
    at_ms: NaiveDateTime,
    tags: Vec<String>,
    maybe_scores: Option<Vec<Option<i32>>>,
    attrs: HashMap<String, i64>,
    sorted: BTreeMap<i32, Option<String>>,
    origin: Point,
    path: Vec<Point>,
    home: Option<Point>,
    raw: Vec<u8>,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn everything(i: i64) -> Everything {
    let at = day(2026, 1, 1)
        .and_hms_micro_opt(12, 30, 1, 123_456)
        .unwrap_or_default();
    Everything {
        id: i,
        name: format!("name-{i}"),
        nick: (i % 2 == 0).then(|| format!("n{i}")),
        day: day(1969, 12, 31),
        at,
        utc: (i % 3 != 0).then(|| at.and_utc()),
        price: Decimal::new(-123_456_789, 4),
        amount: (i % 2 == 1).then(|| Decimal::new(1999, 2)),
        at_ms: day(2000, 2, 29)
            .and_hms_milli_opt(23, 59, 59, 999)
            .unwrap_or_default(),
        tags: (0..i).map(|t| format!("t{t}")).collect(),
        maybe_scores: (i % 2 == 0).then(|| vec![Some(1), None, Some(3)]),
        attrs: HashMap::from([("a".to_owned(), i), ("b".to_owned(), -i)]),
        sorted: BTreeMap::from([(1, None), (2, Some("two".to_owned()))]),
        origin: Point { x: 1.5, y: -2.5 },
        path: vec![Point { x: 0.0, y: 0.0 }; i as usize % 3],
        home: (i % 2 == 0).then_some(Point { x: 3.0, y: 4.0 }),
        raw: vec![0, 1, 255],
    }
}

fn parsed(expr: &str) -> Schema {
    match Schema::parse(expr) {
        Ok(s) => s,
        Err(e) => panic!("test schema `{expr}` does not parse: {e}"),
    }
}

#[test]
fn scalar_schema_matches_the_schema_language() {
    assert_eq!(
        Scalars::schema(),
        parsed(
            "a:byte,b:short,c:int,d:long,e:ubyte,f:ushort,g:uint,h:ulong,i:float,j:double,\
             k:bool,l:str,m:binary"
        )
    );
    assert!(Scalars::COLUMNS.iter().all(|c| !c.nullable));
}

#[test]
fn nested_schema_matches_the_schema_language_with_renames_and_explicit_types() -> fugue::Result<()>
{
    let expected = parsed(
        "id:long,`full name`:str,nick:str,day:date,at:datetime,utc:timestamp(us,UTC),\
         price:decimal(38,18),amount:decimal(10,2),at_ms:timestamp(ms),tags:[str],\
         maybe_scores:[int],attrs:<str,long>,sorted:<int,str>,origin:{x:double,y:double},\
         path:[{x:double,y:double}],home:{x:double,y:double},raw:[ubyte]",
    );
    let schema = Everything::schema();
    assert_eq!(schema, expected);
    let nullable: Vec<&str> = Everything::COLUMNS
        .iter()
        .filter(|c| c.nullable)
        .map(|c| c.name)
        .collect();
    assert_eq!(nullable, ["nick", "utc", "amount", "maybe_scores", "home"]);
    // The batches carry exactly the schema's Arrow types and nullability.
    let batch = Everything::to_record_batch(&[everything(1)])?;
    assert_eq!(batch.schema().as_ref(), &schema.to_arrow());
    Ok(())
}

#[test]
fn scalars_round_trip() -> fugue::Result<()> {
    let rows: Vec<Scalars> = (0..5)
        .map(|i| Scalars {
            a: i8::MIN + i,
            b: i16::MAX - i16::from(i),
            c: -i32::from(i),
            d: i64::MAX - i64::from(i),
            e: u8::MAX,
            f: 7,
            g: u32::MAX,
            h: u64::MAX - 1,
            i: 1.5,
            j: f64::from(i) / 3.0,
            k: i % 2 == 0,
            l: "é€".repeat(i as usize),
            m: Bytes(vec![i as u8; i as usize]),
        })
        .collect();
    let batch = Scalars::to_record_batch(&rows)?;
    assert_eq!(batch.num_rows(), 5);
    assert_eq!(Scalars::from_record_batch(&batch)?, rows);
    Ok(())
}

#[test]
fn every_field_kind_round_trips() -> fugue::Result<()> {
    let rows: Vec<Everything> = (0..7).map(everything).collect();
    let batch = Everything::to_record_batch(&rows)?;
    assert_eq!(Everything::from_record_batch(&batch)?, rows);
    // A slice of the batch reads the same rows.
    let sliced = batch.slice(2, 3);
    assert_eq!(Everything::from_record_batch(&sliced)?, rows[2..5].to_vec());
    Ok(())
}

#[test]
fn explicit_types_rescale_and_convert_units() -> fugue::Result<()> {
    let mut row = everything(1);
    row.amount = Some(Decimal::new(12_345, 3)); // 12.345 -> decimal(10,2) rounds to 12.35
    row.at_ms = day(2000, 1, 1)
        .and_hms_micro_opt(0, 0, 0, 1_999)
        .unwrap_or_default();
    let batch = Everything::to_record_batch(std::slice::from_ref(&row))?;
    let back = Everything::from_record_batch(&batch)?;
    assert_eq!(back[0].amount, Some(Decimal::new(1235, 2)));
    assert_eq!(
        back[0].at_ms,
        day(2000, 1, 1)
            .and_hms_milli_opt(0, 0, 0, 1)
            .unwrap_or_default()
    );
    Ok(())
}

#[test]
fn decimal_overflow_is_a_cast_error() {
    let mut row = everything(1);
    row.amount = Some(Decimal::new(1_000_000_000, 0)); // 10 digits before the point in decimal(10,2)
    let err = Everything::to_record_batch(&[row]).err();
    assert_eq!(
        err.as_ref().map(FugueError::kind),
        Some(ErrorKind::Conversion)
    );
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.contains("`amount`") && text.contains("decimal(10,2)"),
        "{text}"
    );
}

#[test]
fn columns_are_matched_by_name_and_extra_columns_ignored() -> fugue::Result<()> {
    let batch = RecordBatch::try_new(
        Arc::new(ArrowSchema::new(vec![
            Field::new("extra", DataType::Int32, true),
            Field::new("y", DataType::Float64, false),
            Field::new("x", DataType::Float64, false),
        ])),
        vec![
            Arc::new(Int32Array::from(vec![Some(1), None])) as ArrayRef,
            Arc::new(arrow::array::Float64Array::from(vec![2.0, 4.0])),
            Arc::new(arrow::array::Float64Array::from(vec![1.0, 3.0])),
        ],
    )?;
    let points = Point::from_record_batch(&batch)?;
    assert_eq!(points, [Point { x: 1.0, y: 2.0 }, Point { x: 3.0, y: 4.0 }]);
    Ok(())
}

#[test]
fn timestamps_of_any_unit_and_decimals_of_any_scale_are_read() -> fugue::Result<()> {
    #[derive(Schema, Debug, PartialEq)]
    struct Reading {
        at: NaiveDateTime,
        utc: DateTime<Utc>,
        value: Decimal,
    }
    use arrow::array::{Decimal128Array, TimestampNanosecondArray, TimestampSecondArray};
    let batch = person_batch(vec![
        (
            "at",
            Arc::new(TimestampNanosecondArray::from(vec![1_500_000_001])),
        ),
        (
            "utc",
            Arc::new(TimestampSecondArray::from(vec![60]).with_timezone("+02:00")),
        ),
        (
            "value",
            Arc::new(Decimal128Array::from(vec![12345]).with_precision_and_scale(10, 2)?),
        ),
    ]);
    let rows = Reading::from_record_batch(&batch)?;
    let expected = Reading {
        at: DateTime::from_timestamp_nanos(1_500_000_001).naive_utc(),
        utc: DateTime::from_timestamp_secs(60).unwrap_or_default(),
        value: Decimal::new(12345, 2),
    };
    assert_eq!(rows, [expected]);
    // A zoned timestamp is not read into a naive field.
    let batch = person_batch(vec![
        (
            "at",
            Arc::new(TimestampSecondArray::from(vec![1]).with_timezone("UTC")),
        ),
        (
            "utc",
            Arc::new(TimestampSecondArray::from(vec![60]).with_timezone("UTC")),
        ),
        ("value", Arc::new(Decimal128Array::from(vec![1]))),
    ]);
    let err = Reading::from_record_batch(&batch).err();
    assert_eq!(
        err.map(|e| e.to_string()).unwrap_or_default(),
        "column `at` in struct `Reading` has type `timestamp(s,UTC)` but `datetime` is required"
    );
    Ok(())
}

#[derive(Schema, Debug, PartialEq)]
struct Person {
    id: i64,
    name: String,
    age: Option<i32>,
}

fn person_batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    match RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), arrays) {
        Ok(b) => b,
        Err(e) => panic!("test batch: {e}"),
    }
}

#[test]
fn a_missing_column_is_column_not_found_naming_struct_and_batch_schema() {
    let batch = person_batch(vec![
        ("id", Arc::new(Int64Array::from(vec![1]))),
        ("nme", Arc::new(StringArray::from(vec!["a"]))),
    ]);
    let err = Person::from_record_batch(&batch).err();
    assert_eq!(
        err.as_ref().map(FugueError::kind),
        Some(ErrorKind::ColumnNotFound)
    );
    assert_eq!(
        err.map(|e| e.to_string()).unwrap_or_default(),
        "column `name` not found in the record batch read as struct `Person` \
         (schema `id:long,nme:str`); did you mean `nme`?"
    );
}

#[test]
fn a_wrong_type_is_type_mismatch_naming_column_struct_and_types() {
    let batch = person_batch(vec![
        ("id", Arc::new(Int32Array::from(vec![1]))),
        ("name", Arc::new(StringArray::from(vec!["a"]))),
    ]);
    let err = Person::from_record_batch(&batch).err();
    assert_eq!(
        err.as_ref().map(FugueError::kind),
        Some(ErrorKind::TypeMismatch)
    );
    assert_eq!(
        err.map(|e| e.to_string()).unwrap_or_default(),
        "column `id` in struct `Person` has type `int` but `long` is required"
    );
}

#[test]
fn null_in_a_non_option_field_is_an_error_naming_column_and_struct() {
    let batch = person_batch(vec![
        ("id", Arc::new(Int64Array::from(vec![1, 2]))),
        ("name", Arc::new(StringArray::from(vec![Some("a"), None]))),
        ("age", Arc::new(Int32Array::from(vec![None, Some(3)]))),
    ]);
    let err = Person::from_record_batch(&batch).err();
    assert_eq!(
        err.as_ref().map(FugueError::kind),
        Some(ErrorKind::Conversion)
    );
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.contains("column `name`")
            && text.contains("struct `Person`")
            && text.contains("Option<String>"),
        "{text}"
    );
    // NULL in the `Option` field is fine.
    let batch = person_batch(vec![
        ("id", Arc::new(Int64Array::from(vec![1]))),
        ("name", Arc::new(StringArray::from(vec!["a"]))),
        ("age", Arc::new(Int32Array::from(vec![None]))),
    ]);
    let rows = Person::from_record_batch(&batch).map_err(|e| e.to_string());
    assert_eq!(
        rows,
        Ok(vec![Person {
            id: 1,
            name: "a".into(),
            age: None
        }])
    );
}

#[test]
fn nested_errors_name_the_dotted_column() {
    #[derive(Schema, Debug, PartialEq)]
    struct Outer {
        inner: Vec<Point>,
    }
    let inner = Point::to_record_batch(&[Point { x: 1.0, y: 2.0 }]).map_err(|e| e.to_string());
    let inner = inner.map(arrow::array::StructArray::from);
    let Ok(inner) = inner else {
        panic!("{inner:?}")
    };
    // A list of structs where `y` is missing.
    let items = arrow::array::StructArray::from(vec![(
        Arc::new(Field::new("x", DataType::Float64, false)),
        inner.column(0).clone(),
    )]);
    let list = arrow::array::ListArray::new(
        Arc::new(Field::new("item", items.data_type().clone(), true)),
        arrow::buffer::OffsetBuffer::from_lengths([1]),
        Arc::new(items),
        None,
    );
    let batch = person_batch(vec![("inner", Arc::new(list))]);
    let err = Outer::from_record_batch(&batch).err();
    assert_eq!(
        err.as_ref().map(FugueError::kind),
        Some(ErrorKind::TypeMismatch)
    );
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.starts_with("column `inner` in struct `Outer`"),
        "{text}"
    );
}

#[test]
fn iterator_forms_batch_and_stream_rows() -> fugue::Result<()> {
    let rows: Vec<Person> = (0..10)
        .map(|i| Person {
            id: i,
            name: format!("p{i}"),
            age: (i % 2 == 0).then_some(i as i32),
        })
        .collect();
    let batches: Vec<RecordBatch> = Person::batches_from_iter(
        (0..10).map(|i| Person {
            id: i,
            name: format!("p{i}"),
            age: (i % 2 == 0).then_some(i as i32),
        }),
        4,
    )
    .collect::<fugue::Result<_>>()?;
    assert_eq!(
        batches
            .iter()
            .map(RecordBatch::num_rows)
            .collect::<Vec<_>>(),
        [4, 4, 2]
    );
    let mut back = Vec::new();
    for b in &batches {
        for row in Person::iter_record_batch(b)? {
            back.push(row?);
        }
    }
    assert_eq!(back, rows);
    assert_eq!(
        Person::batches_from_iter(Vec::<Person>::new(), 4).count(),
        0
    );
    Ok(())
}

#[test]
fn an_empty_slice_makes_an_empty_batch() -> fugue::Result<()> {
    let batch = Everything::to_record_batch(&[])?;
    assert_eq!((batch.num_rows(), batch.num_columns()), (0, 17));
    assert!(Everything::from_record_batch(&batch)?.is_empty());
    Ok(())
}

/// Generated code must not depend on the user's names for prelude items
/// (proc-macro-workshop `09-redefined-prelude-types`).
mod redefined_prelude {
    #![allow(dead_code, non_camel_case_types, unused_macros)]
    use fugue::Schema;

    type Option = ();
    type Result = ();
    type Box = ();
    type Vec = ();
    type String = ();
    pub struct Ok;
    pub struct Err;
    pub struct Some;
    pub struct None;
    macro_rules! vec {
        ($($t:tt)*) => {
            compile_error!("generated code must not use the caller's `vec!`")
        };
    }

    #[derive(Schema)]
    pub struct Shadowed {
        pub id: i64,
        pub name: std::string::String,
        pub tags: std::vec::Vec<std::string::String>,
        pub maybe: core::option::Option<i32>,
    }

    #[test]
    fn derive_compiles_with_shadowed_prelude_names() {
        use fugue::record::Record;
        let rows = [Shadowed {
            id: 1,
            name: "a".into(),
            tags: std::vec::Vec::new(),
            maybe: core::option::Option::None,
        }];
        let batch = Shadowed::to_record_batch(&rows).map_err(|e| e.to_string());
        assert_eq!(batch.map(|b| b.num_rows()), core::result::Result::Ok(1));
    }
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Mixed {
    id: i64,
    score: f64,
    name: String,
    extra: Option<i32>,
    flags: Vec<bool>,
    labels: BTreeMap<String, Option<u16>>,
    when: Option<NaiveDate>,
    amount: Decimal,
    pos: Option<Point>,
}

fn mixed() -> impl Strategy<Value = Mixed> {
    (
        any::<i64>(),
        -1e12f64..1e12,
        ".{0,12}",
        any::<Option<i32>>(),
        prop::collection::vec(any::<bool>(), 0..5),
        prop::collection::btree_map(".{0,4}", any::<Option<u16>>(), 0..4),
        prop::option::of(-100_000i32..100_000),
        (any::<i64>(), 0u32..=18),
        prop::option::of((-1e6f64..1e6, -1e6f64..1e6)),
    )
        .prop_map(
            |(id, score, name, extra, flags, labels, when, (m, s), pos)| Mixed {
                id,
                score,
                name,
                extra,
                flags,
                labels,
                when: when.and_then(|d| {
                    day(1970, 1, 1).checked_add_signed(chrono::Duration::days(d.into()))
                }),
                amount: Decimal::new(m / 1_000, s.min(10)),
                pos: pos.map(|(x, y)| Point { x, y }),
            },
        )
}

proptest! {
    #[test]
    fn random_rows_round_trip(rows in prop::collection::vec(mixed(), 0..40)) {
        let batch = Mixed::to_record_batch(&rows);
        prop_assert!(batch.is_ok(), "{:?}", batch.err());
        let back = batch.and_then(|b| Mixed::from_record_batch(&b));
        prop_assert_eq!(back.map_err(|e| e.to_string()), Ok(rows));
    }
}

#[test]
fn a_null_list_item_is_named_by_its_row_and_item_and_other_rows_do_not_count() {
    use arrow::array::ListArray;
    use arrow::datatypes::Int64Type;
    #[derive(Schema, Debug, PartialEq)]
    struct Tagged {
        tags: Vec<i64>,
    }
    let list = ListArray::from_iter_primitive::<Int64Type, _, _>([
        Some(vec![Some(1), Some(2)]),
        Some(vec![Some(3), None]),
        Some(vec![Some(4)]),
    ]);
    let batch = person_batch(vec![("tags", Arc::new(list.clone()) as ArrayRef)]);
    let text = Tagged::from_record_batch(&batch)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(text.contains("NULL (row 1, item 1)"), "{text}");
    assert!(text.contains("tags.item"), "{text}");
    // A slice without the NULL reads: the child's other items are not its rows'.
    let batch = person_batch(vec![("tags", Arc::new(list.slice(2, 1)) as ArrayRef)]);
    assert_eq!(
        Tagged::from_record_batch(&batch).map_err(|e| e.to_string()),
        Ok(vec![Tagged { tags: vec![4] }])
    );
    // A NULL list's items do not count either (the field is then an `Option`).
    #[derive(Schema, Debug, PartialEq)]
    struct MaybeTagged {
        tags: Option<Vec<i64>>,
    }
    let with_null_list = ListArray::new(
        Arc::new(Field::new("item", DataType::Int64, true)),
        arrow::buffer::OffsetBuffer::from_lengths([1, 1]),
        Arc::new(Int64Array::from(vec![None, Some(7)])),
        Some(arrow::buffer::NullBuffer::from(vec![false, true])),
    );
    let batch = person_batch(vec![("tags", Arc::new(with_null_list) as ArrayRef)]);
    assert_eq!(
        MaybeTagged::from_record_batch(&batch).map_err(|e| e.to_string()),
        Ok(vec![
            MaybeTagged { tags: None },
            MaybeTagged {
                tags: Some(vec![7])
            }
        ])
    );
}
