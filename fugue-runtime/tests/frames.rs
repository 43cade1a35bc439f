//! Every method of the three frames, their errors, `show`, and lossless round trips
//! Arrow <-> rows <-> stream for a schema with every supported type.

use arrow::array::{ArrayRef, Int32Array, ListArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Int32Type, TimeUnit};
use chrono::NaiveDate;
use fugue_core::{ErrorKind, FugueError, Schema};
use fugue_runtime::frame::ROW_STREAM_BATCH_SIZE;
use fugue_runtime::{ArrowFrame, DataFrame, IntoDataFrame, Metadata, RowFrame, StreamFrame, Value};
use half::f16;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------

const ALL_TYPES: &str = "n:null,b:bool,i8:byte,i16:short,i32:int,i64:long,u8:ubyte,u16:ushort,\
    u32:uint,u64:ulong,f16:float16,f32:float,f64:double,s:str,bin:bytes,d:date,ts:datetime,\
    tss:timestamp(s),tsz:timestamp(ns,America/New_York),tsu:timestamp(ms,UTC),\
    dec:decimal(38,10),dec0:decimal(5),l:[int],ll:[[str]],st:{x:int,y:[str],z:{}},\
    m:<str,double>,ml:<long,[{a:bytes}]>";

fn date(y: i32, m: u32, d: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn all_type_rows() -> Vec<Vec<Value>> {
    let full = vec![
        Value::Null,
        true.into(),
        i8::MIN.into(),
        i16::MAX.into(),
        (-7_i32).into(),
        i64::MAX.into(),
        u8::MAX.into(),
        u16::MAX.into(),
        u32::MAX.into(),
        u64::MAX.into(),
        f16::from_f32(-0.5).into(),
        1.25_f32.into(),
        f64::NAN.into(),
        "héllo, world".into(),
        vec![0_u8, 1, 255].into(),
        date(2024, 2, 29),
        Value::timestamp(1_706_745_600_250_000, TimeUnit::Microsecond, None),
        Value::timestamp(-86_400, TimeUnit::Second, None),
        Value::timestamp(
            1_700_000_000_123_456_789,
            TimeUnit::Nanosecond,
            Some("America/New_York"),
        ),
        Value::timestamp(1_704_067_200_000, TimeUnit::Millisecond, Some("UTC")),
        Value::decimal(10_i128.pow(38) - 1, 38, 10).unwrap(),
        Value::decimal(-99_999, 5, 0).unwrap(),
        Value::List(vec![1_i32.into(), Value::Null, 3_i32.into()]),
        Value::List(vec![
            Value::List(vec!["a".into()]),
            Value::Null,
            Value::List(vec![]),
        ]),
        Value::Struct(vec![
            ("x".into(), 1_i32.into()),
            ("y".into(), Value::List(vec!["p".into(), Value::Null])),
            ("z".into(), Value::Struct(vec![])),
        ]),
        Value::Map(vec![
            ("k".into(), f64::INFINITY.into()),
            ("n".into(), Value::Null),
        ]),
        Value::Map(vec![(
            5_i64.into(),
            Value::List(vec![
                Value::Struct(vec![("a".into(), vec![9_u8].into())]),
                Value::Null,
            ]),
        )]),
    ];
    let nulls = vec![Value::Null; full.len()];
    let mut edge = full.clone();
    edge[12] = f64::NEG_INFINITY.into();
    edge[11] = f32::NAN.into();
    edge[10] = f16::NAN.into();
    edge[13] = "".into();
    edge[14] = Vec::<u8>::new().into();
    edge[22] = Value::List(vec![]);
    edge[24] = Value::Struct(vec![
        ("x".into(), Value::Null),
        ("y".into(), Value::Null),
        ("z".into(), Value::Null),
    ]);
    edge[25] = Value::Map(vec![]);
    vec![full, nulls, edge]
}

fn abc_rows() -> Vec<Vec<Value>> {
    vec![
        vec![1_i32.into(), "x".into(), 1.5_f64.into()],
        vec![Value::Null, Value::Null, Value::Null],
        vec![3_i32.into(), "z".into(), f64::NAN.into()],
    ]
}

const ABC: &str = "a:int,b:str,c:double";

fn abc_batch() -> RecordBatch {
    ArrowFrame::from_rows(ABC, &abc_rows())
        .unwrap()
        .into_batches()
        .remove(0)
}

/// The same three rows as each kind of frame.
fn abc_frames() -> Vec<DataFrame> {
    vec![
        ArrowFrame::new(ABC, vec![abc_batch()]).unwrap().into(),
        RowFrame::new(ABC, abc_rows()).unwrap().into(),
        StreamFrame::from_rows(ABC, abc_rows()).unwrap().into(),
    ]
}

fn kind(result: Result<impl std::fmt::Debug, FugueError>) -> ErrorKind {
    result.expect_err("an error was expected").kind()
}

// ---------------------------------------------------------------------------------------------
// round trips
// ---------------------------------------------------------------------------------------------

#[test]
fn every_type_round_trips_rows_arrow_stream() {
    let rows = all_type_rows();
    let schema = Schema::parse(ALL_TYPES).unwrap();

    // rows -> Arrow -> rows
    let arrow = DataFrame::from(RowFrame::new(&schema, rows.clone()).unwrap())
        .to_arrow_frame()
        .unwrap();
    assert_eq!(arrow.schema(), &schema);
    assert_eq!(arrow.arrow_schema().as_ref(), &schema.to_arrow());
    assert_eq!(arrow.to_rows().unwrap(), rows);

    // Arrow -> stream -> rows
    let mut stream = DataFrame::from(arrow.clone()).to_stream_frame().unwrap();
    assert_eq!(
        DataFrame::from(stream.to_arrow_frame().unwrap())
            .as_rows()
            .unwrap(),
        rows
    );

    // rows -> stream -> Arrow: the same batches
    let streamed = DataFrame::from(StreamFrame::from_rows(&schema, rows.clone()).unwrap())
        .to_arrow_frame()
        .unwrap();
    assert_eq!(streamed.batches(), arrow.batches());

    // Arrow -> RowFrame -> Arrow: the same batches
    let row_frame = DataFrame::from(arrow.clone()).to_row_frame().unwrap();
    assert_eq!(row_frame.raw_rows(), rows.as_slice());
    let back = DataFrame::from(row_frame).to_arrow_frame().unwrap();
    assert_eq!(back.batches(), arrow.batches());

    // RowFrame -> stream -> RowFrame
    let mut df: DataFrame = RowFrame::new(&schema, rows.clone()).unwrap().into();
    df = df.to_stream_frame().unwrap().into();
    assert_eq!(df.to_row_frame().unwrap().raw_rows(), rows.as_slice());
}

#[test]
fn maps_name_every_value() {
    let mut df: DataFrame = RowFrame::new(ABC, abc_rows()).unwrap().into();
    let maps = df.as_maps().unwrap();
    assert_eq!(maps.len(), 3);
    assert_eq!(maps[0]["a"], Value::Int32(1));
    assert_eq!(maps[0]["b"], Value::from("x"));
    assert_eq!(maps[1]["c"], Value::Null);
    assert_eq!(maps[2]["c"], Value::Float64(f64::NAN));
    assert_ne!(maps[2]["c"], Value::Null);
    let first = df.peek_map().unwrap();
    assert_eq!(first, maps[0]);
}

// ---------------------------------------------------------------------------------------------
// the common API on each kind
// ---------------------------------------------------------------------------------------------

#[test]
fn common_api_on_each_kind() {
    for mut df in abc_frames() {
        let name = df.kind_name();
        assert_eq!(df.schema().to_string(), ABC, "{name}");
        assert_eq!(df.num_partitions(), 1, "{name}");
        assert!(df.is_local(), "{name}");
        assert!(!df.is_empty().unwrap(), "{name}");
        assert_eq!(
            df.peek_row().unwrap(),
            vec![Value::Int32(1), "x".into(), 1.5_f64.into()],
            "{name}"
        );
        if df.is_bounded() {
            assert_eq!(df.count().unwrap(), 3, "{name}");
        } else {
            assert_eq!(name, "StreamFrame");
        }
        // peeking did not consume
        assert_eq!(df.as_rows().unwrap(), abc_rows(), "{name}");
    }
}

#[test]
fn bounded_frames_can_be_read_twice_streams_once() {
    for mut df in abc_frames() {
        let first = df.as_batches().unwrap();
        let second = df.as_batches().unwrap();
        let rows: usize = first.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, 3);
        if df.is_bounded() {
            assert_eq!(first, second);
        } else {
            assert!(second.is_empty());
            assert!(df.is_empty().unwrap());
            assert!(df.as_rows().unwrap().is_empty());
        }
    }
}

#[test]
fn head_returns_a_bounded_frame_of_the_first_rows() {
    for mut df in abc_frames() {
        let mut head = df.head(2).unwrap();
        assert!(head.is_bounded());
        assert_eq!(head.count().unwrap(), 2);
        assert_eq!(head.as_rows().unwrap(), abc_rows()[..2].to_vec());
        assert_eq!(
            df.head(10).unwrap().count().unwrap(),
            if df.is_bounded() { 3 } else { 1 }
        );
    }
}

#[test]
fn head_on_a_stream_takes_only_n_rows_and_leaves_the_rest() {
    let rows: Vec<Vec<Value>> = (0..(ROW_STREAM_BATCH_SIZE as i64 + 10))
        .map(|i| vec![Value::Int64(i)])
        .collect();
    let mut df: DataFrame = StreamFrame::from_rows("a:long", rows.clone())
        .unwrap()
        .into();
    let mut head = df.head(3).unwrap();
    assert_eq!(head.as_rows().unwrap(), rows[..3].to_vec());
    let rest = df.as_rows().unwrap();
    assert_eq!(rest, rows[3..].to_vec());
}

#[test]
fn select_drop_rename_on_each_kind() {
    for df in abc_frames() {
        let name = df.kind_name();
        let mut selected = df.select(&["c", "a"]).unwrap();
        assert_eq!(selected.kind_name(), name);
        assert_eq!(selected.schema().to_string(), "c:double,a:int");
        assert_eq!(
            selected.as_rows().unwrap(),
            vec![
                vec![1.5_f64.into(), 1_i32.into()],
                vec![Value::Null, Value::Null],
                vec![f64::NAN.into(), 3_i32.into()],
            ]
        );
    }
    for df in abc_frames() {
        let mut dropped = df.drop(&["b"]).unwrap();
        assert_eq!(dropped.schema().to_string(), "a:int,c:double");
        assert_eq!(
            dropped.as_rows().unwrap()[0],
            vec![1_i32.into(), 1.5_f64.into()]
        );
    }
    for df in abc_frames() {
        let mut renamed = df.rename(&[("a", "b"), ("b", "a")]).unwrap();
        assert_eq!(renamed.schema().to_string(), "b:int,a:str,c:double");
        assert_eq!(renamed.as_rows().unwrap(), abc_rows());
    }
}

#[test]
fn alter_columns_casts_on_each_kind() {
    for df in abc_frames() {
        let name = df.kind_name();
        let bounded = df.is_bounded();
        // bounded frames cast at once; a stream casts as it is read
        let altered = df.alter_columns("a:str,c:int");
        if !bounded {
            let schema = altered.as_ref().map(|d| d.schema().to_string());
            assert_eq!(schema.unwrap(), "a:str,b:str,c:int", "{name}");
        }
        let rows = altered.and_then(|mut d| d.as_rows());
        // NaN cannot be cast to an integer: the error names the column, the value and the row.
        let e = rows.expect_err(name);
        match &e {
            FugueError::Cast {
                column,
                value,
                reason,
                ..
            } => {
                assert_eq!(column, "c", "{name}");
                assert_eq!(value, "NaN", "{name}");
                assert!(reason.starts_with("row 2"), "{name}: {reason}");
            }
            other => panic!("{name}: unexpected {other:?}"),
        }
    }
    for df in abc_frames() {
        let mut altered = df
            .select(&["a", "b"])
            .unwrap()
            .alter_columns("a:str")
            .unwrap();
        assert_eq!(
            altered.as_rows().unwrap()[0],
            vec![Value::from("1"), Value::from("x")]
        );
    }
    // strings are parsed, floats truncated (Arrow's cast rules, as Fugue)
    let rows = vec![vec![Value::from("12"), Value::from(1.7_f64)]];
    let mut df = (rows, "a:str,b:double")
        .into_dataframe()
        .unwrap()
        .alter_columns("a:long,b:int")
        .unwrap();
    assert_eq!(
        df.as_rows().unwrap(),
        vec![vec![Value::Int64(12), Value::Int32(1)]]
    );
}

#[test]
fn an_impossible_cast_names_the_column_and_the_first_bad_value() {
    let rows = vec![
        vec!["1".into()],
        vec![Value::Null],
        vec!["x1".into()],
        vec!["y".into()],
    ];
    let df: DataFrame = RowFrame::new("price:str", rows).unwrap().into();
    let e = df
        .to_arrow_frame()
        .unwrap()
        .alter_columns("price:int")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    let text = e.to_string();
    assert!(text.contains("`price`"), "{text}");
    assert!(text.contains("\"x1\""), "{text}");
    assert!(text.contains("row 2"), "{text}");
    assert!(text.contains("`int`"), "{text}");

    // a conversion Arrow does not have at all
    let df: DataFrame = RowFrame::new("a:int", vec![vec![1_i32.into()]])
        .unwrap()
        .into();
    let e = df.alter_columns("a:{x:int}").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(e.to_string().contains("no conversion from `int`"), "{e}");

    // an unknown column
    let df: DataFrame = RowFrame::new("a:int", vec![]).unwrap().into();
    let e = df.alter_columns("aa:str").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
}

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

#[test]
fn a_stream_cannot_be_counted() {
    let df: DataFrame = StreamFrame::from_rows(ABC, abc_rows()).unwrap().into();
    let e = df.count().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidOperation);
    assert!(e.to_string().contains("cannot be counted"), "{e}");
    assert!(e.to_string().contains("to_arrow_frame"), "{e}");
    let bounded = df.materialize().unwrap();
    assert!(bounded.is_bounded());
    assert_eq!(bounded.count().unwrap(), 3);
}

#[test]
fn missing_columns_are_reported_with_a_suggestion() {
    let schema = "price:double,qty:int";
    let rows = vec![vec![1.0_f64.into(), 2_i32.into()]];
    let frames = || -> Vec<DataFrame> {
        vec![
            ArrowFrame::from_rows(schema, &rows).unwrap().into(),
            RowFrame::new(schema, rows.clone()).unwrap().into(),
            StreamFrame::from_rows(schema, rows.clone()).unwrap().into(),
        ]
    };
    for df in frames() {
        match df.select(&["prce"]).unwrap_err() {
            FugueError::ColumnNotFound {
                column, suggestion, ..
            } => {
                assert_eq!(column, "prce");
                assert_eq!(suggestion.as_deref(), Some("price"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    for df in frames() {
        let e = df.drop(&["qtty"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
        assert!(e.to_string().contains("did you mean `qty`?"), "{e}");
    }
    for df in frames() {
        let e = df.rename(&[("pric", "p")]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
        assert!(e.to_string().contains("did you mean `price`?"), "{e}");
    }
    for df in frames() {
        assert_eq!(
            kind(df.rename(&[("price", "qty")])),
            ErrorKind::DuplicateColumn
        );
    }
    for df in frames() {
        assert_eq!(kind(df.drop(&["price", "qty"])), ErrorKind::InvalidArgument);
    }
    for df in frames() {
        let e = df.rename(&[("price", "p"), ("price", "q")]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
    for df in frames() {
        assert_eq!(kind(df.select(&[])), ErrorKind::InvalidArgument);
    }
    for df in frames() {
        assert_eq!(kind(df.select(&["qty", "qty"])), ErrorKind::DuplicateColumn);
    }
}

#[test]
fn peek_on_an_empty_frame_is_a_clear_error() {
    let empties: Vec<DataFrame> = vec![
        ArrowFrame::empty("a:int").unwrap().into(),
        RowFrame::new("a:int", vec![]).unwrap().into(),
        StreamFrame::from_rows("a:int", Vec::new()).unwrap().into(),
        StreamFrame::from_batches(
            "a:int",
            vec![RecordBatch::new_empty(Arc::new(
                Schema::parse("a:int").unwrap().to_arrow(),
            ))],
        )
        .unwrap()
        .into(),
    ];
    for mut df in empties {
        assert!(df.is_empty().unwrap());
        let e = df.peek_row().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidOperation);
        assert!(e.to_string().contains("the dataframe is empty"), "{e}");
        let e = df.peek_map().unwrap_err();
        assert!(e.to_string().contains("peek_map"), "{e}");
        assert!(df.as_rows().unwrap().is_empty());
    }
}

#[test]
fn row_frames_check_arity_at_construction_and_types_when_read() {
    let e = RowFrame::new(
        "a:int,b:str",
        vec![vec![1_i32.into(), "x".into()], vec![2_i32.into()]],
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("row 1 has 1 values"), "{e}");

    // stored as given, converted when read
    let rows = vec![
        vec![Value::Int64(5), "7".into()],
        vec![Value::UInt8(1), Value::Int32(8)],
    ];
    let mut df: DataFrame = RowFrame::new("a:int,b:str", rows.clone()).unwrap().into();
    if let DataFrame::Rows(f) = &df {
        assert_eq!(f.raw_rows(), rows.as_slice());
    }
    assert_eq!(
        df.as_rows().unwrap(),
        vec![
            vec![Value::Int32(5), "7".into()],
            vec![Value::Int32(1), "8".into()],
        ]
    );

    let mut bad: DataFrame = RowFrame::new("a:int", vec![vec![1_i32.into()], vec!["abc".into()]])
        .unwrap()
        .into();
    let e = bad.as_rows().unwrap_err();
    match &e {
        FugueError::Cast {
            column,
            value,
            reason,
            ..
        } => {
            assert_eq!(column, "a");
            assert!(value.contains("\"abc\""), "{value}");
            assert!(reason.starts_with("row 1"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let e = RowFrame::new("a:int", vec![vec![Value::from(i64::MAX)]])
        .unwrap()
        .to_arrow_frame()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
}

#[test]
fn a_row_stream_reports_bad_rows_when_read() {
    let rows = vec![vec![1_i32.into()], vec![1_i32.into(), 2_i32.into()]];
    let mut df: DataFrame = StreamFrame::from_rows("a:int", rows).unwrap().into();
    let e = df.as_rows().unwrap_err();
    assert!(e.to_string().contains("row 1"), "{e}");
}

#[test]
fn a_frame_needs_a_column() {
    assert_eq!(kind(RowFrame::new("", vec![])), ErrorKind::InvalidArgument);
    assert_eq!(kind(ArrowFrame::empty("")), ErrorKind::InvalidArgument);
    assert_eq!(
        kind(StreamFrame::from_rows("", Vec::new())),
        ErrorKind::InvalidArgument
    );
    assert_eq!(kind(RowFrame::new("a:", vec![])), ErrorKind::SchemaSyntax);
}

// ---------------------------------------------------------------------------------------------
// x-like
// ---------------------------------------------------------------------------------------------

#[test]
fn batches_with_different_schemas_are_rejected_naming_the_batch() {
    let other = RecordBatch::try_from_iter(vec![(
        "a",
        Arc::new(StringArray::from(vec!["x"])) as ArrayRef,
    )])
    .unwrap();
    let first =
        RecordBatch::try_from_iter(vec![("a", Arc::new(Int32Array::from(vec![1])) as ArrayRef)])
            .unwrap();
    let e = vec![first.clone(), first.clone(), other]
        .into_dataframe()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SchemaMismatch);
    let text = e.to_string();
    assert!(text.contains("batch 2"), "{text}");
    assert!(text.contains("`a:int`"), "{text}");
    assert!(text.contains("`a:str`"), "{text}");

    let e = Vec::<RecordBatch>::new().into_dataframe().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);

    let mut df = (Vec::<RecordBatch>::new(), "a:int")
        .into_dataframe()
        .unwrap();
    assert_eq!(df.count().unwrap(), 0);
    assert!(df.is_empty().unwrap());

    let mut df = first.clone().into_dataframe().unwrap();
    assert_eq!(df.as_rows().unwrap(), vec![vec![Value::Int32(1)]]);
}

#[test]
fn compatible_batches_are_conformed_to_the_canonical_schema() {
    // a list whose items are named `element` and are not nullable
    let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1)]), None]);
    let field = Arc::new(Field::new("element", DataType::Int32, false));
    let (_, offsets, values, nulls) = list.into_parts();
    let list = ListArray::new(field, offsets, values, nulls);
    let batch = RecordBatch::try_from_iter(vec![("l", Arc::new(list) as ArrayRef)]).unwrap();
    let frame = ArrowFrame::new("l:[int]", vec![batch.clone()]).unwrap();
    assert_eq!(
        frame.batches()[0].schema().as_ref(),
        &Schema::parse("l:[int]").unwrap().to_arrow()
    );
    assert_eq!(
        frame.to_rows().unwrap(),
        vec![vec![Value::List(vec![1_i32.into()])], vec![Value::Null]]
    );
    // the batch's own schema keeps its non-null items
    let own = ArrowFrame::from_batches(vec![batch]).unwrap();
    assert_eq!(own.schema().to_string(), "l:[int]");
}

#[test]
fn every_x_like_becomes_a_dataframe() {
    let inputs: Vec<DataFrame> = vec![
        abc_batch().into_dataframe().unwrap(),
        vec![abc_batch(), abc_batch()].into_dataframe().unwrap(),
        (vec![abc_batch()], ABC).into_dataframe().unwrap(),
        (abc_rows(), ABC).into_dataframe().unwrap(),
        (abc_rows(), Schema::parse(ABC).unwrap())
            .into_dataframe()
            .unwrap(),
        (abc_rows(), abc_batch().schema()).into_dataframe().unwrap(),
        (
            abc_rows(),
            vec![("a", "int"), ("b", "str"), ("c", "double")],
        )
            .into_dataframe()
            .unwrap(),
        (
            abc_rows(),
            vec![
                ("a", DataType::Int32),
                ("b", DataType::Utf8),
                ("c", DataType::Float64),
            ],
        )
            .into_dataframe()
            .unwrap(),
        ArrowFrame::from_rows(ABC, &abc_rows())
            .unwrap()
            .into_dataframe()
            .unwrap(),
        RowFrame::new(ABC, abc_rows())
            .unwrap()
            .into_dataframe()
            .unwrap(),
        StreamFrame::from_batches(ABC, vec![abc_batch()])
            .unwrap()
            .into_dataframe()
            .unwrap(),
        DataFrame::from(RowFrame::new(ABC, abc_rows()).unwrap())
            .into_dataframe()
            .unwrap(),
    ];
    for mut df in inputs {
        assert_eq!(df.schema().to_string(), ABC);
        let rows = df.as_rows().unwrap();
        assert_eq!(rows[..3].to_vec(), abc_rows());
    }
}

#[test]
fn a_stream_of_mismatched_batches_fails_when_read() {
    let bad =
        RecordBatch::try_from_iter(vec![("b", Arc::new(Int32Array::from(vec![1])) as ArrayRef)])
            .unwrap();
    let mut df: DataFrame = StreamFrame::from_batches("a:int", vec![bad])
        .unwrap()
        .into();
    let e = df.as_batches().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SchemaMismatch);
    assert!(e.to_string().contains("stream batch 0"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// show and metadata
// ---------------------------------------------------------------------------------------------

#[test]
fn show_prints_a_table_under_the_schema() {
    let mut df: DataFrame = ArrowFrame::from_rows(ABC, &abc_rows()).unwrap().into();
    assert_eq!(
        df.show_string(10, None).unwrap(),
        "ArrowFrame\n\
         +-------+-------+----------+\n\
         | a:int | b:str | c:double |\n\
         +-------+-------+----------+\n\
         | 1     | x     | 1.5      |\n\
         | NULL  | NULL  | NULL     |\n\
         | 3     | z     | NaN      |\n\
         +-------+-------+----------+\n\
         Total count: 3\n"
    );
    let mut metadata = Metadata::new();
    metadata.insert("source".into(), "test".into());
    let mut df = df.with_metadata(metadata.clone());
    assert_eq!(
        df.show_string(1, Some("title")).unwrap(),
        "title\n\
         ArrowFrame\n\
         +-------+-------+----------+\n\
         | a:int | b:str | c:double |\n\
         +-------+-------+----------+\n\
         | 1     | x     | 1.5      |\n\
         +-------+-------+----------+\n\
         Metadata:\n\
         source: test\n"
    );
    // Fugue's rule: the count is printed when every row fits, or when asked for.
    let counted = df.show_string_with_count(1, None).unwrap();
    assert!(
        counted.ends_with("+\nTotal count: 3\nMetadata:\nsource: test\n"),
        "{counted}"
    );
    let exact = df.show_string(3, None).unwrap();
    assert!(!exact.contains("Total count"), "{exact}");
    // metadata is carried through operations and conversions
    let df = df.select(&["a"]).unwrap().to_stream_frame().unwrap();
    assert_eq!(df.metadata(), &metadata);
}

#[test]
fn show_on_a_stream_does_not_consume_it() {
    let mut df: DataFrame = StreamFrame::from_rows(ABC, abc_rows()).unwrap().into();
    let text = df.show_string(2, None).unwrap();
    assert!(text.starts_with("StreamFrame\n"), "{text}");
    assert!(text.contains("| 1     | x     | 1.5      |"), "{text}");
    assert!(!text.contains("Total count"), "{text}");
    assert_eq!(df.as_rows().unwrap(), abc_rows());
}

#[test]
fn show_with_count_counts_a_stream_and_keeps_its_rows() {
    let mut df: DataFrame = StreamFrame::from_rows(ABC, abc_rows()).unwrap().into();
    let text = df.show_string_with_count(2, None).unwrap();
    assert!(text.ends_with("Total count: 3\n"), "{text}");
    assert!(text.contains("| 1     | x     | 1.5      |"), "{text}");
    assert!(!text.contains("| 3     | z"), "{text}");
    assert_eq!(df.as_rows().unwrap(), abc_rows());
    // a stream that fits in the table is counted without being read twice
    let mut small: DataFrame = StreamFrame::from_rows(ABC, abc_rows()).unwrap().into();
    assert!(
        small
            .show_string(5, None)
            .unwrap()
            .ends_with("Total count: 3\n")
    );
    assert_eq!(small.as_rows().unwrap(), abc_rows());
}

#[test]
fn show_prints_nested_and_special_values() {
    let schema = "l:[int],m:<str,long>,ts:timestamp(s,UTC),d:decimal(5,2),bin:bytes";
    let rows = vec![vec![
        Value::List(vec![1_i32.into(), Value::Null]),
        Value::Map(vec![("k".into(), 1_i64.into())]),
        Value::timestamp(0, TimeUnit::Second, Some("UTC")),
        Value::decimal(12345, 5, 2).unwrap(),
        vec![171_u8].into(),
    ]];
    let mut df: DataFrame = RowFrame::new(schema, rows).unwrap().into();
    assert_eq!(
        df.show_string(5, None).unwrap(),
        "RowFrame\n\
         +-----------+--------------+----------------------+----------------+-----------+\n\
         | l:[int]   | m:<str,long> | ts:timestamp(s,UTC)  | d:decimal(5,2) | bin:bytes |\n\
         +-----------+--------------+----------------------+----------------+-----------+\n\
         | [1, NULL] | {k: 1}       | 1970-01-01T00:00:00Z | 123.45         | ab        |\n\
         +-----------+--------------+----------------------+----------------+-----------+\n\
         Total count: 1\n"
    );
}

#[test]
fn empty_frames_show_their_header() {
    let mut df: DataFrame = ArrowFrame::empty("a:int").unwrap().into();
    assert_eq!(
        df.show_string(5, None).unwrap(),
        "ArrowFrame\n+-------+\n| a:int |\n+-------+\n+-------+\nTotal count: 0\n"
    );
}
