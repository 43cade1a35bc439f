//! [`Value`]: one dynamically typed cell of a dataframe, and the lossless conversion between
//! Arrow arrays and values.
//!
//! Every type of Fugue's supported set has a variant (see the table on [`Value`]). The two
//! columnar conversions are [`values_from_array`] (Arrow → values, lossless for every supported
//! type) and [`array_from_values`] (values → Arrow under a target type). The second one is
//! type-safe: a value of another type than the target is converted with Arrow's cast rules
//! (for example `Int64(1)` into an `int32` column, or `Str("2024-01-01")` into a `date` column),
//! and a value that cannot be converted is a [`FugueError::Cast`] naming the column and the value.
//!
//! ```
//! use arrow::datatypes::DataType;
//! use fugue_runtime::value::{array_from_values, values_from_array, Value};
//!
//! let values = vec![Value::from(1_i64), Value::Null, Value::from("3")];
//! let array = array_from_values(&values, &DataType::Int32).unwrap();
//! assert_eq!(
//!     values_from_array(&array).unwrap(),
//!     vec![Value::Int32(1), Value::Null, Value::Int32(3)]
//! );
//! ```

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BooleanArray, ListArray, MapArray, NullArray,
    PrimitiveArray, StringArray, StructArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::compute::{CastOptions, can_cast_types, cast_with_options};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Decimal128Type, DecimalType, FieldRef, Float16Type,
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use fugue_core::{FugueError, Result};
use half::f16;
use std::fmt;
use std::sync::Arc;

/// One cell of a dataframe: a value of any type of Fugue's supported set, or NULL.
///
/// | Fugue type | Arrow type | variant |
/// |---|---|---|
/// | `null` / any NULL | null | [`Value::Null`] |
/// | `bool` | bool | [`Value::Bool`] |
/// | `byte` … `long` | int8 … int64 | [`Value::Int8`] … [`Value::Int64`] |
/// | `ubyte` … `ulong` | uint8 … uint64 | [`Value::UInt8`] … [`Value::UInt64`] |
/// | `float16`, `float`, `double` | float16, float32, float64 | [`Value::Float16`], [`Value::Float32`], [`Value::Float64`] |
/// | `str` | utf8 | [`Value::Str`] |
/// | `bytes` | binary | [`Value::Binary`] |
/// | `date` | date32 | [`Value::Date`] |
/// | `datetime`, `timestamp(unit[,tz])` | timestamp | [`Value::Timestamp`] (raw value, unit and time zone kept) |
/// | `decimal(p,s)` | decimal128 | [`Value::Decimal`] (raw `i128`, precision and scale kept) |
/// | `[T]` | list | [`Value::List`] |
/// | `{a:T,...}` | struct | [`Value::Struct`] (field names and values, in order) |
/// | `<K,V>` | map | [`Value::Map`] (entries in order) |
///
/// NULL and NaN are different values: `Value::Null != Value::Float64(f64::NAN)`.
///
/// Equality is structural and typed (`Int32(1) != Int64(1)`), except that **a float NaN equals
/// a NaN of the same width**, so that results containing NaN can be compared (this is the rule
/// of Fugue's acceptance cases). Because of this, `Value` is not `Eq`.
#[derive(Debug, Clone)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// An `int8` (`byte`).
    Int8(i8),
    /// An `int16` (`short`).
    Int16(i16),
    /// An `int32` (`int`).
    Int32(i32),
    /// An `int64` (`long`).
    Int64(i64),
    /// A `uint8` (`ubyte`).
    UInt8(u8),
    /// A `uint16` (`ushort`).
    UInt16(u16),
    /// A `uint32` (`uint`).
    UInt32(u32),
    /// A `uint64` (`ulong`).
    UInt64(u64),
    /// A `float16`.
    Float16(f16),
    /// A `float32` (`float`).
    Float32(f32),
    /// A `float64` (`double`).
    Float64(f64),
    /// A string (`str`).
    Str(String),
    /// Bytes (`bytes`).
    Binary(Vec<u8>),
    /// A date (`date`, Arrow date32).
    Date(NaiveDate),
    /// A timestamp: `value` units since the Unix epoch. A naive timestamp (`tz: None`) is a wall
    /// clock time; a zoned one is an instant shown in `tz`. See [`Value::from_naive_datetime`],
    /// [`Value::to_naive_datetime`] and [`Value::to_utc`].
    Timestamp {
        /// Units since 1970-01-01T00:00:00 (UTC for zoned timestamps).
        value: i64,
        /// The unit of `value`.
        unit: TimeUnit,
        /// The time zone (`"UTC"`, `"+02:00"`, `"America/New_York"`), or `None` for a naive
        /// timestamp.
        tz: Option<Arc<str>>,
    },
    /// A decimal: `value / 10^scale`, with at most `precision` digits (Arrow decimal128).
    Decimal {
        /// The unscaled value.
        value: i128,
        /// The number of digits (1..=38).
        precision: u8,
        /// The number of digits after the point.
        scale: i8,
    },
    /// A list (`[T]`).
    List(Vec<Value>),
    /// A struct (`{a:T,...}`): field names and values, in the type's order.
    Struct(Vec<(String, Value)>),
    /// A map (`<K,V>`): its entries in order. Keys are never NULL.
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A timestamp value from its parts.
    pub fn timestamp(value: i64, unit: TimeUnit, tz: Option<&str>) -> Self {
        Value::Timestamp {
            value,
            unit,
            tz: tz.map(Arc::from),
        }
    }

    /// A naive (time-zone-less) timestamp in `unit`; a time that does not fit `unit` (nanoseconds
    /// beyond the years 1677..2262) is a [`FugueError::Cast`].
    pub fn from_naive_datetime(datetime: NaiveDateTime, unit: TimeUnit) -> Result<Self> {
        let utc = datetime.and_utc();
        let value = match unit {
            TimeUnit::Second => Some(utc.timestamp()),
            TimeUnit::Millisecond => Some(utc.timestamp_millis()),
            TimeUnit::Microsecond => Some(utc.timestamp_micros()),
            TimeUnit::Nanosecond => utc.timestamp_nanos_opt(),
        };
        match value {
            Some(value) => Ok(Value::Timestamp {
                value,
                unit,
                tz: None,
            }),
            None => Err(FugueError::Cast {
                column: String::new(),
                value: datetime.to_string(),
                to: format!("timestamp({})", unit_name(unit)),
                reason: "the time is out of the range of the unit".into(),
            }),
        }
    }

    /// A zoned timestamp in `unit`, shown in time zone `tz` (for example `"UTC"`).
    pub fn from_datetime<Z: TimeZone>(
        datetime: &DateTime<Z>,
        unit: TimeUnit,
        tz: &str,
    ) -> Result<Self> {
        match Value::from_naive_datetime(datetime.naive_utc(), unit)? {
            Value::Timestamp { value, unit, .. } => Ok(Value::timestamp(value, unit, Some(tz))),
            other => Err(FugueError::Internal(format!(
                "unexpected timestamp value {other:?}"
            ))),
        }
    }

    /// The wall clock time of a naive timestamp, or the UTC time of a zoned one; `None` for other
    /// values or out-of-range timestamps.
    pub fn to_naive_datetime(&self) -> Option<NaiveDateTime> {
        match self {
            Value::Timestamp { value, unit, .. } => {
                let v = *value;
                let dt = match unit {
                    TimeUnit::Second => DateTime::from_timestamp(v, 0),
                    TimeUnit::Millisecond => DateTime::from_timestamp_millis(v),
                    TimeUnit::Microsecond => DateTime::from_timestamp_micros(v),
                    TimeUnit::Nanosecond => Some(DateTime::from_timestamp_nanos(v)),
                };
                dt.map(|d| d.naive_utc())
            }
            _ => None,
        }
    }

    /// The instant of a timestamp as UTC (a naive timestamp is read as UTC).
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        self.to_naive_datetime().map(|d| d.and_utc())
    }

    /// A decimal from its unscaled value, precision and scale; the value must fit the precision
    /// (at most 38 digits), or this is a [`FugueError::Cast`].
    pub fn decimal(value: i128, precision: u8, scale: i8) -> Result<Self> {
        let checked = arrow::datatypes::validate_decimal_precision_and_scale::<Decimal128Type>(
            precision, scale,
        )
        .and_then(|()| Decimal128Type::validate_decimal_precision(value, precision, scale));
        match checked {
            Ok(()) => Ok(Value::Decimal {
                value,
                precision,
                scale,
            }),
            Err(e) => Err(FugueError::Cast {
                column: String::new(),
                value: value.to_string(),
                to: format!("decimal({precision},{scale})"),
                reason: e.to_string(),
            }),
        }
    }

    /// The decimal as a [`rust_decimal::Decimal`] when it fits (scale 0..=28, 96-bit mantissa).
    pub fn to_rust_decimal(&self) -> Option<rust_decimal::Decimal> {
        match self {
            Value::Decimal { value, scale, .. } => {
                let scale = u32::try_from(*scale).ok()?;
                rust_decimal::Decimal::try_from_i128_with_scale(*value, scale).ok()
            }
            _ => None,
        }
    }

    /// The Arrow type a scalar value has by itself (`None` for NULL and nested values, whose
    /// type depends on their content).
    pub fn natural_type(&self) -> Option<DataType> {
        Some(match self {
            Value::Null | Value::List(_) | Value::Struct(_) | Value::Map(_) => return None,
            Value::Bool(_) => DataType::Boolean,
            Value::Int8(_) => DataType::Int8,
            Value::Int16(_) => DataType::Int16,
            Value::Int32(_) => DataType::Int32,
            Value::Int64(_) => DataType::Int64,
            Value::UInt8(_) => DataType::UInt8,
            Value::UInt16(_) => DataType::UInt16,
            Value::UInt32(_) => DataType::UInt32,
            Value::UInt64(_) => DataType::UInt64,
            Value::Float16(_) => DataType::Float16,
            Value::Float32(_) => DataType::Float32,
            Value::Float64(_) => DataType::Float64,
            Value::Str(_) => DataType::Utf8,
            Value::Binary(_) => DataType::Binary,
            Value::Date(_) => DataType::Date32,
            Value::Timestamp { unit, tz, .. } => DataType::Timestamp(*unit, tz.clone()),
            Value::Decimal {
                precision, scale, ..
            } => DataType::Decimal128(*precision, *scale),
        })
    }

    /// The value as a `bool`, when it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as an `i64`, when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int8(v) => Some(i64::from(*v)),
            Value::Int16(v) => Some(i64::from(*v)),
            Value::Int32(v) => Some(i64::from(*v)),
            Value::Int64(v) => Some(*v),
            Value::UInt8(v) => Some(i64::from(*v)),
            Value::UInt16(v) => Some(i64::from(*v)),
            Value::UInt32(v) => Some(i64::from(*v)),
            Value::UInt64(v) => i64::try_from(*v).ok(),
            _ => None,
        }
    }

    /// The value as an `f64`, when it is a float (any width).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float16(v) => Some(v.to_f64()),
            Value::Float32(v) => Some(f64::from(*v)),
            Value::Float64(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as a `&str`, when it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(v) => Some(v),
            _ => None,
        }
    }

    /// The value as bytes, when it is binary.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Binary(v) => Some(v),
            _ => None,
        }
    }

    /// The items, when the value is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) => Some(v),
            _ => None,
        }
    }

    /// A struct field's value by name, when the value is a struct with that field.
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short name of the value's variant (`"long"`, `"str"`, `"list"`, ...), for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int8(_) => "byte",
            Value::Int16(_) => "short",
            Value::Int32(_) => "int",
            Value::Int64(_) => "long",
            Value::UInt8(_) => "ubyte",
            Value::UInt16(_) => "ushort",
            Value::UInt32(_) => "uint",
            Value::UInt64(_) => "ulong",
            Value::Float16(_) => "float16",
            Value::Float32(_) => "float",
            Value::Float64(_) => "double",
            Value::Str(_) => "str",
            Value::Binary(_) => "bytes",
            Value::Date(_) => "date",
            Value::Timestamp { .. } => "timestamp",
            Value::Decimal { .. } => "decimal",
            Value::List(_) => "list",
            Value::Struct(_) => "struct",
            Value::Map(_) => "map",
        }
    }
}

fn unit_name(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    }
}

/// Floats compare equal when both are NaN (see [`Value`]).
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int8(a), Int8(b)) => a == b,
            (Int16(a), Int16(b)) => a == b,
            (Int32(a), Int32(b)) => a == b,
            (Int64(a), Int64(b)) => a == b,
            (UInt8(a), UInt8(b)) => a == b,
            (UInt16(a), UInt16(b)) => a == b,
            (UInt32(a), UInt32(b)) => a == b,
            (UInt64(a), UInt64(b)) => a == b,
            (Float16(a), Float16(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Float32(a), Float32(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Float64(a), Float64(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Str(a), Str(b)) => a == b,
            (Binary(a), Binary(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (
                Timestamp {
                    value: a,
                    unit: ua,
                    tz: za,
                },
                Timestamp {
                    value: b,
                    unit: ub,
                    tz: zb,
                },
            ) => a == b && ua == ub && za == zb,
            (
                Decimal {
                    value: a,
                    precision: pa,
                    scale: sa,
                },
                Decimal {
                    value: b,
                    precision: pb,
                    scale: sb,
                },
            ) => a == b && pa == pb && sa == sb,
            (List(a), List(b)) => a == b,
            (Struct(a), Struct(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            _ => false,
        }
    }
}

/// NULL prints as `NULL`; dates, timestamps and decimals print as Arrow prints them
/// (`2024-01-01T00:00:00`, `2024-01-01T00:00:00+00:00`, `123.45`); binary prints as hex; nested
/// values print as `[1, 2]`, `{a: 1, b: x}` and `{k: v}`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Int8(v) => write!(f, "{v}"),
            Value::Int16(v) => write!(f, "{v}"),
            Value::Int32(v) => write!(f, "{v}"),
            Value::Int64(v) => write!(f, "{v}"),
            Value::UInt8(v) => write!(f, "{v}"),
            Value::UInt16(v) => write!(f, "{v}"),
            Value::UInt32(v) => write!(f, "{v}"),
            Value::UInt64(v) => write!(f, "{v}"),
            Value::Float16(v) => write!(f, "{v}"),
            Value::Float32(v) => write!(f, "{v}"),
            Value::Float64(v) => write!(f, "{v}"),
            Value::Str(v) => f.write_str(v),
            Value::Binary(v) => v.iter().try_for_each(|b| write!(f, "{b:02x}")),
            Value::Date(v) => write!(f, "{v}"),
            Value::Timestamp { value, unit, .. } => match arrow_formatted(self) {
                Some(s) => f.write_str(&s),
                None => write!(f, "{value}{}", unit_name(*unit)),
            },
            Value::Decimal {
                value,
                precision,
                scale,
            } => f.write_str(&Decimal128Type::format_decimal(*value, *precision, *scale)),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Struct(fields) => {
                f.write_str("{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// The value formatted by Arrow's display (used for timestamps, which need time zone rules).
fn arrow_formatted(value: &Value) -> Option<String> {
    let array = scalar_array(value)?;
    let formatter = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default()).ok()?;
    formatter.value(0).try_to_string().ok()
}

macro_rules! from_primitive {
    ($($t:ty => $variant:ident),* $(,)?) => {
        $(
            impl From<$t> for Value {
                fn from(v: $t) -> Self {
                    Value::$variant(v)
                }
            }
        )*
    };
}

from_primitive!(
    bool => Bool, i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64,
    u8 => UInt8, u16 => UInt16, u32 => UInt32, u64 => UInt64,
    f16 => Float16, f32 => Float32, f64 => Float64,
    String => Str, Vec<u8> => Binary, NaiveDate => Date,
    Vec<Value> => List,
);

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_string())
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Binary(v.to_vec())
    }
}

/// A naive timestamp in microseconds (Fugue's `datetime`).
impl From<NaiveDateTime> for Value {
    fn from(v: NaiveDateTime) -> Self {
        Value::Timestamp {
            value: v.and_utc().timestamp_micros(),
            unit: TimeUnit::Microsecond,
            tz: None,
        }
    }
}

/// A zoned timestamp in microseconds in `UTC` (`timestamp(us,UTC)`).
impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Timestamp {
            value: v.timestamp_micros(),
            unit: TimeUnit::Microsecond,
            tz: Some(Arc::from("UTC")),
        }
    }
}

/// A decimal of precision 38 and the decimal's own scale (`decimal(38,s)`).
impl From<rust_decimal::Decimal> for Value {
    fn from(v: rust_decimal::Decimal) -> Self {
        Value::Decimal {
            value: v.mantissa(),
            precision: 38,
            // rust_decimal scales are 0..=28.
            scale: i8::try_from(v.scale()).unwrap_or(i8::MAX),
        }
    }
}

/// A struct from `(field, value)` pairs.
impl From<Vec<(&str, Value)>> for Value {
    fn from(fields: Vec<(&str, Value)>) -> Self {
        Value::Struct(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
}

/// A struct from `(field, value)` pairs.
impl From<Vec<(String, Value)>> for Value {
    fn from(fields: Vec<(String, Value)>) -> Self {
        Value::Struct(fields)
    }
}

/// A map from `(key, value)` entries.
impl From<Vec<(Value, Value)>> for Value {
    fn from(entries: Vec<(Value, Value)>) -> Self {
        Value::Map(entries)
    }
}

/// `None` is [`Value::Null`].
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

// ---------------------------------------------------------------------------------------------
// Arrow -> values
// ---------------------------------------------------------------------------------------------

/// The values of an Arrow array, one per row (NULL rows are [`Value::Null`]).
///
/// Lossless for every supported type; an array of an unsupported type (large or view strings,
/// dictionaries, time, duration, ...) is a [`FugueError::Unsupported`].
pub fn values_from_array(array: &ArrayRef) -> Result<Vec<Value>> {
    values_of(array.as_ref())
}

/// The value at one row of an Arrow array (see [`values_from_array`]).
pub fn value_at(array: &dyn Array, row: usize) -> Result<Value> {
    if row >= array.len() {
        return Err(FugueError::invalid_argument(
            "row",
            format!(
                "row {row} is out of range for an array of {} rows",
                array.len()
            ),
        ));
    }
    let one = array.slice(row, 1);
    values_of(one.as_ref())?
        .pop()
        .ok_or_else(|| FugueError::Internal("a one-row slice gave no value".into()))
}

fn downcast_error(data_type: &DataType) -> FugueError {
    FugueError::Internal(format!("array does not match its data type {data_type}"))
}

fn primitive_values<T: ArrowPrimitiveType>(
    array: &dyn Array,
    make: impl Fn(T::Native) -> Value,
) -> Result<Vec<Value>> {
    let array = array
        .as_primitive_opt::<T>()
        .ok_or_else(|| downcast_error(array.data_type()))?;
    Ok(array.iter().map(|v| v.map_or(Value::Null, &make)).collect())
}

fn values_of(array: &dyn Array) -> Result<Vec<Value>> {
    let dt = array.data_type();
    match dt {
        DataType::Null => Ok(vec![Value::Null; array.len()]),
        DataType::Boolean => {
            let a = array.as_boolean_opt().ok_or_else(|| downcast_error(dt))?;
            Ok(a.iter().map(Value::from).collect())
        }
        DataType::Int8 => primitive_values::<Int8Type>(array, Value::Int8),
        DataType::Int16 => primitive_values::<Int16Type>(array, Value::Int16),
        DataType::Int32 => primitive_values::<Int32Type>(array, Value::Int32),
        DataType::Int64 => primitive_values::<Int64Type>(array, Value::Int64),
        DataType::UInt8 => primitive_values::<UInt8Type>(array, Value::UInt8),
        DataType::UInt16 => primitive_values::<UInt16Type>(array, Value::UInt16),
        DataType::UInt32 => primitive_values::<UInt32Type>(array, Value::UInt32),
        DataType::UInt64 => primitive_values::<UInt64Type>(array, Value::UInt64),
        DataType::Float16 => primitive_values::<Float16Type>(array, Value::Float16),
        DataType::Float32 => primitive_values::<Float32Type>(array, Value::Float32),
        DataType::Float64 => primitive_values::<Float64Type>(array, Value::Float64),
        DataType::Utf8 => {
            let a = array
                .as_string_opt::<i32>()
                .ok_or_else(|| downcast_error(dt))?;
            Ok(a.iter().map(Value::from).collect())
        }
        DataType::Binary => {
            let a = array
                .as_binary_opt::<i32>()
                .ok_or_else(|| downcast_error(dt))?;
            Ok(a.iter().map(Value::from).collect())
        }
        DataType::Date32 => {
            let epoch = NaiveDate::default();
            let a = array
                .as_primitive_opt::<Date32Type>()
                .ok_or_else(|| downcast_error(dt))?;
            a.iter()
                .map(|v| match v {
                    None => Ok(Value::Null),
                    Some(days) => epoch
                        .checked_add_signed(chrono::Duration::days(i64::from(days)))
                        .map(Value::Date)
                        .ok_or_else(|| FugueError::Cast {
                            column: String::new(),
                            value: format!("{days} days since 1970-01-01"),
                            to: "date".into(),
                            reason: "the date is out of the supported range (±262,142 years)"
                                .into(),
                        }),
                })
                .collect()
        }
        DataType::Timestamp(unit, tz) => {
            let unit = *unit;
            let make = |value: i64| Value::Timestamp {
                value,
                unit,
                tz: tz.clone(),
            };
            match unit {
                TimeUnit::Second => primitive_values::<TimestampSecondType>(array, make),
                TimeUnit::Millisecond => primitive_values::<TimestampMillisecondType>(array, make),
                TimeUnit::Microsecond => primitive_values::<TimestampMicrosecondType>(array, make),
                TimeUnit::Nanosecond => primitive_values::<TimestampNanosecondType>(array, make),
            }
        }
        DataType::Decimal128(precision, scale) => {
            let (precision, scale) = (*precision, *scale);
            primitive_values::<Decimal128Type>(array, |value| Value::Decimal {
                value,
                precision,
                scale,
            })
        }
        DataType::List(_) => {
            let a = array
                .as_list_opt::<i32>()
                .ok_or_else(|| downcast_error(dt))?;
            let offsets = a.value_offsets();
            let (first, last) = match (offsets.first(), offsets.last()) {
                (Some(f), Some(l)) => (to_usize(*f)?, to_usize(*l)?),
                _ => (0, 0),
            };
            let child = a.values().slice(first, last - first);
            let mut child_values = values_of(child.as_ref())?.into_iter();
            let mut out = Vec::with_capacity(a.len());
            for i in 0..a.len() {
                let len = to_usize(offsets[i + 1] - offsets[i])?;
                let items: Vec<Value> = child_values.by_ref().take(len).collect();
                out.push(if a.is_null(i) {
                    Value::Null
                } else {
                    Value::List(items)
                });
            }
            Ok(out)
        }
        DataType::Struct(fields) => {
            let a = array.as_struct_opt().ok_or_else(|| downcast_error(dt))?;
            let columns = a
                .columns()
                .iter()
                .map(|c| values_of(c.as_ref()))
                .collect::<Result<Vec<_>>>()?;
            let mut columns: Vec<_> = columns.into_iter().map(Vec::into_iter).collect();
            let mut out = Vec::with_capacity(a.len());
            for i in 0..a.len() {
                let mut row = Vec::with_capacity(fields.len());
                for (field, column) in fields.iter().zip(columns.iter_mut()) {
                    row.push((field.name().clone(), column.next().unwrap_or(Value::Null)));
                }
                out.push(if a.is_null(i) {
                    Value::Null
                } else {
                    Value::Struct(row)
                });
            }
            Ok(out)
        }
        DataType::Map(_, _) => {
            let a = array.as_map_opt().ok_or_else(|| downcast_error(dt))?;
            let offsets = a.value_offsets();
            let (first, last) = match (offsets.first(), offsets.last()) {
                (Some(f), Some(l)) => (to_usize(*f)?, to_usize(*l)?),
                _ => (0, 0),
            };
            let keys = values_of(a.keys().slice(first, last - first).as_ref())?;
            let values = values_of(a.values().slice(first, last - first).as_ref())?;
            let mut entries = keys.into_iter().zip(values);
            let mut out = Vec::with_capacity(a.len());
            for i in 0..a.len() {
                let len = to_usize(offsets[i + 1] - offsets[i])?;
                let items: Vec<(Value, Value)> = entries.by_ref().take(len).collect();
                out.push(if a.is_null(i) {
                    Value::Null
                } else {
                    Value::Map(items)
                });
            }
            Ok(out)
        }
        other => Err(unsupported_type(other)),
    }
}

fn to_usize(v: i32) -> Result<usize> {
    usize::try_from(v).map_err(|_| FugueError::Internal(format!("negative offset {v}")))
}

fn unsupported_type(data_type: &DataType) -> FugueError {
    FugueError::Unsupported {
        operation: format!("arrow type `{data_type}`"),
        reason: "it is not in Fugue's supported set (null, bool, integers, floats, utf8, binary, \
                 date32, timestamp, decimal128, list, struct, map); cast it to a supported type first"
            .into(),
    }
}

// ---------------------------------------------------------------------------------------------
// values -> Arrow
// ---------------------------------------------------------------------------------------------

/// An Arrow array of type `data_type` holding `values` (see the module docs for how a value of
/// another type is converted). A value that does not fit is a [`FugueError::Cast`]; its `column`
/// is the path inside the value (`""` at the top, `[]` for list items, `.x` for struct field `x`).
/// Use [`column_from_values`] to name the column.
pub fn array_from_values(values: &[Value], data_type: &DataType) -> Result<ArrayRef> {
    build(values, data_type, "")
}

/// Like [`array_from_values`], with errors naming `column` (and the path inside it, such as
/// `tags[]` or `point.x`).
pub fn column_from_values(
    column: &str,
    values: &[Value],
    data_type: &DataType,
) -> Result<ArrayRef> {
    build(values, data_type, column)
}

/// Convert one value to `data_type` (the conversion [`array_from_values`] applies to each value),
/// with errors naming `column`.
pub fn convert_value(column: &str, value: &Value, data_type: &DataType) -> Result<Value> {
    let array = build(std::slice::from_ref(value), data_type, column)?;
    values_of(array.as_ref())?
        .pop()
        .ok_or_else(|| FugueError::Internal("a one-value array gave no value".into()))
}

/// The name of a type in messages: Fugue's type expression.
pub(crate) fn type_display(data_type: &DataType) -> String {
    fugue_core::types::type_expr(data_type)
}

fn cast_error(path: &str, value: &Value, to: &DataType, reason: impl Into<String>) -> FugueError {
    let mut shown = value.to_string();
    if shown.chars().count() > 80 {
        shown = shown.chars().take(77).collect::<String>() + "...";
    }
    if matches!(value, Value::Str(_)) {
        shown = format!("{shown:?}");
    }
    FugueError::Cast {
        column: path.to_string(),
        value: format!("{shown} ({})", value.kind_name()),
        to: type_display(to),
        reason: reason.into(),
    }
}

/// A one-element array of the value's natural type (`None` for NULL and nested values).
fn scalar_array(value: &Value) -> Option<ArrayRef> {
    Some(match value {
        Value::Null | Value::List(_) | Value::Struct(_) | Value::Map(_) => return None,
        Value::Bool(v) => Arc::new(BooleanArray::from(vec![*v])),
        Value::Int8(v) => Arc::new(PrimitiveArray::<Int8Type>::from(vec![*v])),
        Value::Int16(v) => Arc::new(PrimitiveArray::<Int16Type>::from(vec![*v])),
        Value::Int32(v) => Arc::new(PrimitiveArray::<Int32Type>::from(vec![*v])),
        Value::Int64(v) => Arc::new(PrimitiveArray::<Int64Type>::from(vec![*v])),
        Value::UInt8(v) => Arc::new(PrimitiveArray::<UInt8Type>::from(vec![*v])),
        Value::UInt16(v) => Arc::new(PrimitiveArray::<UInt16Type>::from(vec![*v])),
        Value::UInt32(v) => Arc::new(PrimitiveArray::<UInt32Type>::from(vec![*v])),
        Value::UInt64(v) => Arc::new(PrimitiveArray::<UInt64Type>::from(vec![*v])),
        Value::Float16(v) => Arc::new(PrimitiveArray::<Float16Type>::from(vec![*v])),
        Value::Float32(v) => Arc::new(PrimitiveArray::<Float32Type>::from(vec![*v])),
        Value::Float64(v) => Arc::new(PrimitiveArray::<Float64Type>::from(vec![*v])),
        Value::Str(v) => Arc::new(StringArray::from(vec![v.as_str()])),
        Value::Binary(v) => Arc::new(BinaryArray::from(vec![v.as_slice()])),
        Value::Date(v) => Arc::new(PrimitiveArray::<Date32Type>::from(vec![date_to_days(*v)?])),
        Value::Timestamp { value, unit, tz } => {
            timestamp_array(vec![Some(*value)], *unit, tz.clone())
        }
        Value::Decimal {
            value,
            precision,
            scale,
        } => Arc::new(
            PrimitiveArray::<Decimal128Type>::from(vec![*value])
                .with_precision_and_scale(*precision, *scale)
                .ok()?,
        ),
    })
}

fn date_to_days(date: NaiveDate) -> Option<i32> {
    i32::try_from(date.signed_duration_since(NaiveDate::default()).num_days()).ok()
}

fn timestamp_array(values: Vec<Option<i64>>, unit: TimeUnit, tz: Option<Arc<str>>) -> ArrayRef {
    match unit {
        TimeUnit::Second => {
            Arc::new(PrimitiveArray::<TimestampSecondType>::from(values).with_timezone_opt(tz))
        }
        TimeUnit::Millisecond => {
            Arc::new(PrimitiveArray::<TimestampMillisecondType>::from(values).with_timezone_opt(tz))
        }
        TimeUnit::Microsecond => {
            Arc::new(PrimitiveArray::<TimestampMicrosecondType>::from(values).with_timezone_opt(tz))
        }
        TimeUnit::Nanosecond => {
            Arc::new(PrimitiveArray::<TimestampNanosecondType>::from(values).with_timezone_opt(tz))
        }
    }
}

/// Convert a non-NULL scalar value to a scalar target type with Arrow's cast (errors, not NULLs,
/// on failure), returning the converted value.
fn cast_scalar(value: &Value, to: &DataType, path: &str) -> Result<Value> {
    let Some(array) = scalar_array(value) else {
        return Err(cast_error(
            path,
            value,
            to,
            format!(
                "a {} value cannot be converted to a scalar type",
                value.kind_name()
            ),
        ));
    };
    if !can_cast_types(array.data_type(), to) {
        return Err(cast_error(
            path,
            value,
            to,
            format!("no conversion from `{}`", type_display(array.data_type())),
        ));
    }
    let options = CastOptions {
        safe: false,
        ..Default::default()
    };
    let cast = cast_with_options(&array, to, &options)
        .map_err(|e| cast_error(path, value, to, e.to_string()))?;
    if cast.null_count() > 0 {
        return Err(cast_error(
            path,
            value,
            to,
            "the value does not fit the type",
        ));
    }
    values_of(cast.as_ref())?
        .pop()
        .ok_or_else(|| FugueError::Internal("a one-value cast gave no value".into()))
}

/// Extract the native value of `T` from `value`, converting it when it is of another variant.
fn native<T, F>(value: &Value, to: &DataType, path: &str, extract: F) -> Result<Option<T>>
where
    F: Fn(&Value) -> Option<T>,
{
    if value.is_null() {
        return Ok(None);
    }
    if let Some(v) = extract(value) {
        return Ok(Some(v));
    }
    let converted = cast_scalar(value, to, path)?;
    extract(&converted)
        .map(Some)
        .ok_or_else(|| cast_error(path, value, to, "conversion gave a value of another type"))
}

fn build_primitive<T: ArrowPrimitiveType>(
    values: &[Value],
    to: &DataType,
    path: &str,
    extract: impl Fn(&Value) -> Option<T::Native>,
) -> Result<PrimitiveArray<T>> {
    let natives = values
        .iter()
        .map(|v| native(v, to, path, &extract))
        .collect::<Result<Vec<_>>>()?;
    Ok(natives.into_iter().collect())
}

fn arrow_err(path: &str, to: &DataType, e: impl fmt::Display) -> FugueError {
    FugueError::Cast {
        column: path.to_string(),
        value: "the values".into(),
        to: type_display(to),
        reason: e.to_string(),
    }
}

fn child_path(path: &str, suffix: &str) -> String {
    format!("{path}{suffix}")
}

fn build(values: &[Value], to: &DataType, path: &str) -> Result<ArrayRef> {
    macro_rules! prim {
        ($t:ty, $variant:ident) => {
            Arc::new(build_primitive::<$t>(values, to, path, |v| match v {
                Value::$variant(x) => Some(*x),
                _ => None,
            })?) as ArrayRef
        };
    }
    Ok(match to {
        DataType::Null => {
            if let Some(v) = values.iter().find(|v| !v.is_null()) {
                return Err(cast_error(path, v, to, "a `null` column holds only NULL"));
            }
            Arc::new(NullArray::new(values.len()))
        }
        DataType::Boolean => {
            let natives = values
                .iter()
                .map(|v| {
                    native(v, to, path, |v| match v {
                        Value::Bool(b) => Some(*b),
                        _ => None,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(BooleanArray::from(natives))
        }
        DataType::Int8 => prim!(Int8Type, Int8),
        DataType::Int16 => prim!(Int16Type, Int16),
        DataType::Int32 => prim!(Int32Type, Int32),
        DataType::Int64 => prim!(Int64Type, Int64),
        DataType::UInt8 => prim!(UInt8Type, UInt8),
        DataType::UInt16 => prim!(UInt16Type, UInt16),
        DataType::UInt32 => prim!(UInt32Type, UInt32),
        DataType::UInt64 => prim!(UInt64Type, UInt64),
        DataType::Float16 => prim!(Float16Type, Float16),
        DataType::Float32 => prim!(Float32Type, Float32),
        DataType::Float64 => prim!(Float64Type, Float64),
        DataType::Utf8 => {
            let natives = values
                .iter()
                .map(|v| {
                    native(v, to, path, |v| match v {
                        Value::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(StringArray::from(natives))
        }
        DataType::Binary => {
            let natives = values
                .iter()
                .map(|v| {
                    native(v, to, path, |v| match v {
                        Value::Binary(b) => Some(b.clone()),
                        _ => None,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(BinaryArray::from_iter(natives))
        }
        DataType::Date32 => {
            let natives = values
                .iter()
                .map(|v| {
                    native(v, to, path, |v| match v {
                        Value::Date(d) => date_to_days(*d),
                        _ => None,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(PrimitiveArray::<Date32Type>::from(natives))
        }
        DataType::Timestamp(unit, tz) => {
            let natives = values
                .iter()
                .map(|v| {
                    native(v, to, path, |v| match v {
                        Value::Timestamp {
                            value,
                            unit: u,
                            tz: z,
                        } if u == unit && z == tz => Some(*value),
                        _ => None,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            timestamp_array(natives, *unit, tz.clone())
        }
        DataType::Decimal128(precision, scale) => {
            let natives = values
                .iter()
                .map(|v| {
                    if let Value::Decimal {
                        value,
                        precision: p,
                        scale: s,
                    } = v
                        && p == precision
                        && s == scale
                        && let Err(e) = Decimal128Type::validate_decimal_precision(*value, *p, *s)
                    {
                        return Err(cast_error(path, v, to, e.to_string()));
                    }
                    native(v, to, path, |v| match v {
                        Value::Decimal {
                            value,
                            precision: p,
                            scale: s,
                        } if p == precision && s == scale => Some(*value),
                        _ => None,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Arc::new(
                PrimitiveArray::<Decimal128Type>::from(natives)
                    .with_precision_and_scale(*precision, *scale)
                    .map_err(|e| arrow_err(path, to, e))?,
            )
        }
        DataType::List(field) => build_list(values, field, to, path)?,
        DataType::Struct(fields) => {
            let mut validity = Vec::with_capacity(values.len());
            let mut columns: Vec<Vec<Value>> = vec![Vec::with_capacity(values.len()); fields.len()];
            for v in values {
                match v {
                    Value::Null => {
                        validity.push(false);
                        columns.iter_mut().for_each(|c| c.push(Value::Null));
                    }
                    Value::Struct(pairs) => {
                        validity.push(true);
                        if let Some((extra, _)) =
                            pairs.iter().find(|(n, _)| fields.find(n).is_none())
                        {
                            return Err(cast_error(
                                path,
                                v,
                                to,
                                format!("the struct type has no field `{extra}`"),
                            ));
                        }
                        for (i, field) in fields.iter().enumerate() {
                            let value = match pairs.get(i) {
                                Some((n, value)) if n == field.name() => value.clone(),
                                _ => pairs
                                    .iter()
                                    .find(|(n, _)| n == field.name())
                                    .map_or(Value::Null, |(_, value)| value.clone()),
                            };
                            columns[i].push(value);
                        }
                    }
                    other => {
                        return Err(cast_error(path, other, to, "a struct value is required"));
                    }
                }
            }
            let nulls = null_buffer(validity);
            if fields.is_empty() {
                Arc::new(StructArray::new_empty_fields(values.len(), nulls))
            } else {
                let arrays = fields
                    .iter()
                    .zip(&columns)
                    .map(|(f, c)| {
                        build(
                            c,
                            f.data_type(),
                            &child_path(path, &format!(".{}", f.name())),
                        )
                    })
                    .collect::<Result<Vec<_>>>()?;
                check_non_nullable(fields.iter(), &arrays, nulls.as_ref(), path)?;
                Arc::new(
                    StructArray::try_new(fields.clone(), arrays, nulls)
                        .map_err(|e| arrow_err(path, to, e))?,
                )
            }
        }
        DataType::Map(entries_field, sorted) => {
            build_map(values, entries_field, *sorted, to, path)?
        }
        other => return Err(unsupported_type(other)),
    })
}

/// A NULL inside a non-nullable field (outside NULL parents) is a clear error.
fn check_non_nullable<'a>(
    fields: impl Iterator<Item = &'a FieldRef>,
    arrays: &[ArrayRef],
    parent: Option<&NullBuffer>,
    path: &str,
) -> Result<()> {
    for (field, array) in fields.zip(arrays) {
        if field.is_nullable() || array.null_count() == 0 {
            continue;
        }
        let bad =
            (0..array.len()).find(|&i| array.is_null(i) && parent.is_none_or(|p| p.is_valid(i)));
        if let Some(row) = bad {
            return Err(FugueError::Cast {
                column: child_path(path, &format!(".{}", field.name())),
                value: "NULL".into(),
                to: type_display(field.data_type()),
                reason: format!("the field is not nullable (row {row})"),
            });
        }
    }
    Ok(())
}

fn null_buffer(validity: Vec<bool>) -> Option<NullBuffer> {
    if validity.iter().all(|v| *v) {
        None
    } else {
        Some(NullBuffer::from(validity))
    }
}

fn offsets_buffer(lengths: &[usize], path: &str, to: &DataType) -> Result<OffsetBuffer<i32>> {
    let mut offsets = Vec::with_capacity(lengths.len() + 1);
    let mut total: i32 = 0;
    offsets.push(0);
    for len in lengths {
        total = i32::try_from(*len)
            .ok()
            .and_then(|l| total.checked_add(l))
            .ok_or_else(|| arrow_err(path, to, "more than 2^31 nested items in one array"))?;
        offsets.push(total);
    }
    Ok(OffsetBuffer::new(ScalarBuffer::from(offsets)))
}

fn build_list(values: &[Value], field: &FieldRef, to: &DataType, path: &str) -> Result<ArrayRef> {
    let mut validity = Vec::with_capacity(values.len());
    let mut lengths = Vec::with_capacity(values.len());
    let mut items = Vec::new();
    for v in values {
        match v {
            Value::Null => {
                validity.push(false);
                lengths.push(0);
            }
            Value::List(list) => {
                validity.push(true);
                lengths.push(list.len());
                items.extend(list.iter().cloned());
            }
            other => return Err(cast_error(path, other, to, "a list value is required")),
        }
    }
    let item_path = child_path(path, "[]");
    let child = build(&items, field.data_type(), &item_path)?;
    if !field.is_nullable() && child.null_count() > 0 {
        return Err(FugueError::Cast {
            column: item_path,
            value: "NULL".into(),
            to: type_display(field.data_type()),
            reason: "the list items are not nullable".into(),
        });
    }
    let offsets = offsets_buffer(&lengths, path, to)?;
    Ok(Arc::new(
        ListArray::try_new(field.clone(), offsets, child, null_buffer(validity))
            .map_err(|e| arrow_err(path, to, e))?,
    ))
}

fn build_map(
    values: &[Value],
    entries_field: &FieldRef,
    sorted: bool,
    to: &DataType,
    path: &str,
) -> Result<ArrayRef> {
    let DataType::Struct(entry_fields) = entries_field.data_type() else {
        return Err(unsupported_type(to));
    };
    let (Some(key_field), Some(value_field), 2) = (
        entry_fields.first(),
        entry_fields.get(1),
        entry_fields.len(),
    ) else {
        return Err(unsupported_type(to));
    };
    let mut validity = Vec::with_capacity(values.len());
    let mut lengths = Vec::with_capacity(values.len());
    let mut keys = Vec::new();
    let mut items = Vec::new();
    for v in values {
        match v {
            Value::Null => {
                validity.push(false);
                lengths.push(0);
            }
            Value::Map(entries) => {
                validity.push(true);
                lengths.push(entries.len());
                for (k, item) in entries {
                    if k.is_null() {
                        return Err(cast_error(path, v, to, "a map key cannot be NULL"));
                    }
                    keys.push(k.clone());
                    items.push(item.clone());
                }
            }
            other => return Err(cast_error(path, other, to, "a map value is required")),
        }
    }
    let key_array = build(&keys, key_field.data_type(), &child_path(path, ".key"))?;
    let value_array = build(&items, value_field.data_type(), &child_path(path, ".value"))?;
    let arrays = vec![key_array, value_array];
    check_non_nullable(entry_fields.iter(), &arrays, None, path)?;
    let entries = StructArray::try_new(entry_fields.clone(), arrays, None)
        .map_err(|e| arrow_err(path, to, e))?;
    let offsets = offsets_buffer(&lengths, path, to)?;
    Ok(Arc::new(
        MapArray::try_new(
            entries_field.clone(),
            offsets,
            entries,
            null_buffer(validity),
            sorted,
        )
        .map_err(|e| arrow_err(path, to, e))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::{Field, Fields};

    fn roundtrip(values: Vec<Value>, dt: DataType) {
        let array = array_from_values(&values, &dt).unwrap();
        assert_eq!(array.data_type(), &dt);
        assert_eq!(values_from_array(&array).unwrap(), values);
    }

    #[test]
    fn scalars_round_trip() {
        roundtrip(vec![Value::Null, Value::Null], DataType::Null);
        roundtrip(vec![true.into(), Value::Null], DataType::Boolean);
        roundtrip(vec![i8::MIN.into(), Value::Null], DataType::Int8);
        roundtrip(vec![u64::MAX.into(), Value::Null], DataType::UInt64);
        roundtrip(
            vec![f16::from_f32(1.5).into(), f16::NAN.into(), Value::Null],
            DataType::Float16,
        );
        roundtrip(
            vec![f64::NAN.into(), f64::INFINITY.into(), Value::Null],
            DataType::Float64,
        );
        roundtrip(vec!["x".into(), Value::Null], DataType::Utf8);
        roundtrip(vec![vec![0_u8, 255].into(), Value::Null], DataType::Binary);
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        roundtrip(vec![d.into(), Value::Null], DataType::Date32);
        roundtrip(
            vec![
                Value::timestamp(-5, TimeUnit::Nanosecond, Some("America/New_York")),
                Value::Null,
            ],
            DataType::Timestamp(TimeUnit::Nanosecond, Some("America/New_York".into())),
        );
        let max = 10_i128.pow(38) - 1;
        roundtrip(
            vec![
                Value::decimal(max, 38, 10).unwrap(),
                Value::decimal(-max, 38, 10).unwrap(),
            ],
            DataType::Decimal128(38, 10),
        );
    }

    #[test]
    fn nan_equals_nan_but_not_null() {
        assert_eq!(Value::Float64(f64::NAN), Value::Float64(f64::NAN));
        assert_ne!(Value::Float64(f64::NAN), Value::Null);
        assert_ne!(Value::Int32(1), Value::Int64(1));
    }

    #[test]
    fn display_prints_null_and_nested_values() {
        let v = Value::Struct(vec![
            ("a".into(), Value::List(vec![1_i32.into(), Value::Null])),
            ("b".into(), Value::Map(vec![("k".into(), 2.5_f64.into())])),
        ]);
        assert_eq!(v.to_string(), "{a: [1, NULL], b: {k: 2.5}}");
        assert_eq!(Value::decimal(12345, 5, 2).unwrap().to_string(), "123.45");
        assert_eq!(Value::Binary(vec![1, 171]).to_string(), "01ab");
        let ts = Value::timestamp(1_000_000, TimeUnit::Microsecond, None);
        assert_eq!(ts.to_string(), "1970-01-01T00:00:01");
        let ts = Value::timestamp(3600, TimeUnit::Second, Some("+02:00"));
        assert_eq!(ts.to_string(), "1970-01-01T03:00:00+02:00");
    }

    #[test]
    fn values_are_converted_to_the_column_type() {
        let a = array_from_values(
            &[Value::Int64(7), Value::from("8"), Value::Null],
            &DataType::Int32,
        )
        .unwrap();
        assert_eq!(
            values_from_array(&a).unwrap(),
            vec![Value::Int32(7), Value::Int32(8), Value::Null]
        );
        let d = convert_value("d", &Value::from("2024-01-02"), &DataType::Date32).unwrap();
        assert_eq!(d, Value::Date(NaiveDate::from_ymd_opt(2024, 1, 2).unwrap()));
    }

    #[test]
    fn a_value_that_does_not_fit_names_the_column_and_value() {
        let e = column_from_values("a", &[Value::Int64(300)], &DataType::Int8).unwrap_err();
        match &e {
            FugueError::Cast { column, value, .. } => {
                assert_eq!(column, "a");
                assert!(value.contains("300"), "{value}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let e = column_from_values("s", &[Value::from("abc")], &DataType::Int32).unwrap_err();
        assert!(e.to_string().contains("\"abc\""), "{e}");
        let list = DataType::List(Arc::new(Field::new("item", DataType::Int32, true)));
        let e = column_from_values("l", &[Value::List(vec!["x".into()])], &list).unwrap_err();
        assert!(e.to_string().contains("`l[]`"), "{e}");
        let e = column_from_values("l", &[Value::Int32(1)], &list).unwrap_err();
        assert!(e.to_string().contains("list value is required"), "{e}");
    }

    #[test]
    fn nested_values_round_trip() {
        let item = Arc::new(Field::new("item", DataType::Int64, true));
        let list = DataType::List(item);
        let fields = Fields::from(vec![
            Field::new("x", list.clone(), true),
            Field::new("y", DataType::Utf8, true),
        ]);
        let st = DataType::Struct(fields);
        let entries = Field::new(
            "entries",
            DataType::Struct(Fields::from(vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("value", st.clone(), true),
            ])),
            false,
        );
        let map = DataType::Map(Arc::new(entries), false);
        let s1 = Value::Struct(vec![
            ("x".into(), Value::List(vec![1_i64.into(), Value::Null])),
            ("y".into(), Value::Null),
        ]);
        let s2 = Value::Struct(vec![("x".into(), Value::Null), ("y".into(), "z".into())]);
        roundtrip(
            vec![
                Value::Map(vec![("a".into(), s1), ("b".into(), Value::Null)]),
                Value::Null,
                Value::Map(vec![]),
                Value::Map(vec![("c".into(), s2)]),
            ],
            map,
        );
        roundtrip(
            vec![Value::Struct(vec![]), Value::Null],
            DataType::Struct(Fields::empty()),
        );
    }

    #[test]
    fn sliced_arrays_read_only_their_rows() {
        let list = DataType::List(Arc::new(Field::new("item", DataType::Int32, true)));
        let values = vec![
            Value::List(vec![1_i32.into()]),
            Value::List(vec![2_i32.into(), 3_i32.into()]),
            Value::Null,
        ];
        let array = array_from_values(&values, &list).unwrap();
        let sliced = array.slice(1, 2);
        assert_eq!(values_from_array(&sliced).unwrap(), values[1..].to_vec());
        assert_eq!(value_at(array.as_ref(), 1).unwrap(), values[1]);
    }

    #[test]
    fn constructors_and_accessors() {
        let s = Value::from(vec![("x", Value::from(1_i8)), ("y", Value::from("a"))]);
        assert_eq!(s.field("x").and_then(Value::as_i64), Some(1));
        assert_eq!(s.field("y").and_then(Value::as_str), Some("a"));
        assert_eq!(s.field("z"), None);
        let m = Value::from(vec![(Value::from("k"), Value::from(f16::from_f32(2.0)))]);
        assert!(matches!(&m, Value::Map(e) if e[0].1.as_f64() == Some(2.0)));
        assert_eq!(Value::from(u64::MAX).as_i64(), None);
        assert_eq!(Value::from(None::<i32>), Value::Null);
        assert_eq!(Value::from(Some(true)).as_bool(), Some(true));
        assert_eq!(Value::from(&b"ab"[..]).as_bytes(), Some(&b"ab"[..]));
        let l = Value::from(vec![Value::from(1_i32)]);
        assert_eq!(l.as_list().map(<[Value]>::len), Some(1));
        let utc = DateTime::from_timestamp(1, 0).unwrap();
        assert_eq!(
            Value::from(utc),
            Value::timestamp(1_000_000, TimeUnit::Microsecond, Some("UTC"))
        );
        let zoned = Value::from_datetime(&utc, TimeUnit::Second, "+01:00").unwrap();
        assert_eq!(zoned.to_utc(), Some(utc));
        assert_eq!(zoned.to_string(), "1970-01-01T01:00:01+01:00");
    }

    #[test]
    fn rust_decimal_and_datetime_helpers() {
        let d = rust_decimal::Decimal::new(-12345, 2);
        let v = Value::from(d);
        assert_eq!(v.to_rust_decimal(), Some(d));
        let dt = NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_milli_opt(1, 2, 3, 250)
            .unwrap();
        let v = Value::from_naive_datetime(dt, TimeUnit::Millisecond).unwrap();
        assert_eq!(v.to_naive_datetime(), Some(dt));
        assert!(Value::decimal(1000, 3, 0).is_err());
    }
}
