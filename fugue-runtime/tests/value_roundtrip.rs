//! Property test: random values of random (nested) types -> Arrow -> values is the identity,
//! and so is rows -> ArrowFrame -> stream -> rows.

use arrow::datatypes::{DataType, Field, Fields, TimeUnit};
use chrono::NaiveDate;
use fugue_core::types::{list_of, map_of};
use fugue_core::{Column, Schema};
use fugue_runtime::value::{array_from_values, values_from_array};
use fugue_runtime::{DataFrame, RowFrame, Value};
use half::f16;
use proptest::prelude::*;
use std::sync::Arc;

fn unit() -> impl Strategy<Value = TimeUnit> {
    prop_oneof![
        Just(TimeUnit::Second),
        Just(TimeUnit::Millisecond),
        Just(TimeUnit::Microsecond),
        Just(TimeUnit::Nanosecond),
    ]
}

/// Scalar types that can be map keys (not `null`).
fn key_type() -> impl Strategy<Value = DataType> {
    prop_oneof![
        Just(DataType::Boolean),
        Just(DataType::Int8),
        Just(DataType::Int32),
        Just(DataType::Int64),
        Just(DataType::UInt16),
        Just(DataType::UInt64),
        Just(DataType::Float16),
        Just(DataType::Float64),
        Just(DataType::Utf8),
        Just(DataType::Binary),
        Just(DataType::Date32),
        (
            unit(),
            prop::option::of(prop_oneof![
                Just("UTC"),
                Just("+02:00"),
                Just("America/New_York")
            ])
        )
            .prop_map(|(u, tz)| DataType::Timestamp(u, tz.map(Arc::from))),
        (1_u8..=38)
            .prop_flat_map(|p| (Just(p), 0..=p as i8))
            .prop_map(|(p, s)| DataType::Decimal128(p, s)),
    ]
}

fn scalar_type() -> impl Strategy<Value = DataType> {
    prop_oneof![
        1 => Just(DataType::Null),
        1 => Just(DataType::Int16),
        1 => Just(DataType::UInt8),
        1 => Just(DataType::UInt32),
        1 => Just(DataType::Float32),
        10 => key_type(),
    ]
}

fn any_type() -> impl Strategy<Value = DataType> {
    scalar_type().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(list_of),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|types| {
                DataType::Struct(
                    types
                        .into_iter()
                        .enumerate()
                        .map(|(i, t)| Field::new(format!("f{i}"), t, true))
                        .collect::<Fields>(),
                )
            }),
            (key_type(), inner).prop_map(|(k, v)| map_of(k, v)),
        ]
    })
}

fn non_null_value(data_type: &DataType) -> BoxedStrategy<Value> {
    match data_type {
        DataType::Null => Just(Value::Null).boxed(),
        DataType::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        DataType::Int8 => any::<i8>().prop_map(Value::from).boxed(),
        DataType::Int16 => any::<i16>().prop_map(Value::from).boxed(),
        DataType::Int32 => any::<i32>().prop_map(Value::from).boxed(),
        DataType::Int64 => any::<i64>().prop_map(Value::from).boxed(),
        DataType::UInt8 => any::<u8>().prop_map(Value::from).boxed(),
        DataType::UInt16 => any::<u16>().prop_map(Value::from).boxed(),
        DataType::UInt32 => any::<u32>().prop_map(Value::from).boxed(),
        DataType::UInt64 => any::<u64>().prop_map(Value::from).boxed(),
        DataType::Float16 => any::<u16>()
            .prop_map(|bits| Value::Float16(f16::from_bits(bits)))
            .boxed(),
        DataType::Float32 => prop_oneof![Just(f32::NAN), any::<f32>()]
            .prop_map(Value::from)
            .boxed(),
        DataType::Float64 => prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-0.0),
            any::<f64>()
        ]
        .prop_map(Value::from)
        .boxed(),
        DataType::Utf8 => any::<String>().prop_map(Value::from).boxed(),
        DataType::Binary => prop::collection::vec(any::<u8>(), 0..8)
            .prop_map(Value::from)
            .boxed(),
        DataType::Date32 => (-1_000_000_i64..1_000_000)
            .prop_map(|days| Value::Date(NaiveDate::default() + chrono::Duration::days(days)))
            .boxed(),
        DataType::Timestamp(unit, tz) => {
            let (unit, tz) = (*unit, tz.clone());
            any::<i64>()
                .prop_map(move |value| Value::Timestamp {
                    value,
                    unit,
                    tz: tz.clone(),
                })
                .boxed()
        }
        DataType::Decimal128(precision, scale) => {
            let (precision, scale) = (*precision, *scale);
            let max = 10_i128.pow(u32::from(precision)) - 1;
            (-max..=max)
                .prop_map(move |value| Value::Decimal {
                    value,
                    precision,
                    scale,
                })
                .boxed()
        }
        DataType::List(item) => prop::collection::vec(value(item.data_type()), 0..4)
            .prop_map(Value::List)
            .boxed(),
        DataType::Struct(fields) => {
            let names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
            let values: Vec<BoxedStrategy<Value>> =
                fields.iter().map(|f| value(f.data_type())).collect();
            values
                .prop_map(move |vs| Value::Struct(names.iter().cloned().zip(vs).collect()))
                .boxed()
        }
        DataType::Map(entries, _) => {
            let DataType::Struct(kv) = entries.data_type() else {
                unreachable!("maps are built by map_of")
            };
            let entry = (non_null_value(kv[0].data_type()), value(kv[1].data_type()));
            prop::collection::vec(entry, 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        other => unreachable!("not generated: {other}"),
    }
}

fn value(data_type: &DataType) -> BoxedStrategy<Value> {
    prop_oneof![1 => Just(Value::Null), 4 => non_null_value(data_type)].boxed()
}

fn column() -> impl Strategy<Value = (DataType, Vec<Value>)> {
    any_type().prop_flat_map(|t| {
        let values = prop::collection::vec(value(&t), 0..6);
        (Just(t), values)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn values_to_arrow_to_values_is_identity((data_type, values) in column()) {
        let array = array_from_values(&values, &data_type).unwrap();
        prop_assert_eq!(array.data_type(), &data_type);
        prop_assert_eq!(values_from_array(&array).unwrap(), values);
    }

    #[test]
    fn rows_to_arrow_to_stream_to_rows_is_identity(
        columns in prop::collection::vec(column(), 1..4)
    ) {
        let schema = Schema::new(
            columns
                .iter()
                .enumerate()
                .map(|(i, (t, _))| Column::new(format!("c{i}"), t.clone()))
                .collect(),
        )
        .unwrap();
        let n = columns.iter().map(|(_, v)| v.len()).min().unwrap_or(0);
        let rows: Vec<Vec<Value>> = (0..n)
            .map(|r| columns.iter().map(|(_, v)| v[r].clone()).collect())
            .collect();
        let arrow = DataFrame::from(RowFrame::new(&schema, rows.clone()).unwrap())
            .to_arrow_frame()
            .unwrap();
        let mut stream: DataFrame = DataFrame::from(arrow).to_stream_frame().unwrap().into();
        prop_assert_eq!(stream.as_rows().unwrap(), rows);
    }
}
