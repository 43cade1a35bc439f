//! chrono fields: `NaiveDate` (`date`), `NaiveDateTime` (`datetime`, a timestamp in microseconds
//! without time zone) and `DateTime<Utc>` (`timestamp(us,UTC)`).
//!
//! An explicit `#[fugue(type = "timestamp(ms)")]` may choose another unit (`s`, `ms`, `us`,
//! `ns`); `DateTime<Utc>` columns may carry any time zone (the instant is what is stored).

use super::error::ConvertError;
use super::field::{ArrowField, TypeKind, downcast_failed, out_of_bounds};
use arrow::array::{
    Array, ArrayBuilder, ArrayRef, AsArray, Date32Builder, Int64Builder, PrimitiveArray,
};
use arrow::datatypes::{
    DataType, Date32Type, Int64Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use fugue_core::ConstType;
use std::any::Any;
use std::sync::Arc;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

impl ArrowField for NaiveDate {
    const TYPE: ConstType = ConstType::Expr("date");
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::Date;
    const RUST_NAME: &'static str = "NaiveDate";
    type Builder = Date32Builder;
    type Column<'a> = &'a [i32];

    fn data_type() -> DataType {
        DataType::Date32
    }
    fn new_builder(_: &DataType, capacity: usize) -> Self::Builder {
        Date32Builder::with_capacity(capacity)
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        builder.append_value(value.num_days_from_ce_opt() - UNIX_EPOCH_DAYS_FROM_CE);
        Ok(())
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        match array.as_primitive_opt::<Date32Type>() {
            Some(a) => Ok(a.values()),
            None => Err(downcast_failed(&DataType::Date32, array)),
        }
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        let days = *column.get(index).ok_or_else(|| out_of_bounds(index))?;
        days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| {
                ConvertError::value(
                    days,
                    "NaiveDate",
                    "days since 1970-01-01 out of chrono's date range",
                )
            })
    }
}

/// `num_days_from_ce` through `Datelike`, kept in one place.
trait DaysFromCe {
    fn num_days_from_ce_opt(&self) -> i32;
}

impl DaysFromCe for NaiveDate {
    #[inline]
    fn num_days_from_ce_opt(&self) -> i32 {
        chrono::Datelike::num_days_from_ce(self)
    }
}

/// A builder of timestamp arrays of any unit and time zone, fixed when it is created.
#[derive(Debug)]
pub struct TimestampBuilder {
    unit: TimeUnit,
    tz: Option<Arc<str>>,
    values: Int64Builder,
}

impl TimestampBuilder {
    /// A builder for `data_type`; a non-timestamp type falls back to microseconds, no zone.
    pub fn new(data_type: &DataType, capacity: usize) -> Self {
        let (unit, tz) = match data_type {
            DataType::Timestamp(unit, tz) => (*unit, tz.clone()),
            _ => (TimeUnit::Microsecond, None),
        };
        TimestampBuilder {
            unit,
            tz,
            values: Int64Builder::with_capacity(capacity),
        }
    }

    /// Append microseconds since the epoch, converted to the builder's unit.
    #[inline]
    fn append_micros(&mut self, micros: i64, nanos: Option<i64>) -> Result<(), ConvertError> {
        let v = match self.unit {
            TimeUnit::Second => micros.div_euclid(1_000_000),
            TimeUnit::Millisecond => micros.div_euclid(1_000),
            TimeUnit::Microsecond => micros,
            TimeUnit::Nanosecond => nanos.ok_or_else(|| {
                ConvertError::value(
                    format!("{micros}us since the epoch"),
                    "timestamp(ns)",
                    "out of the nanosecond timestamp range (years 1677 to 2262)",
                )
            })?,
        };
        self.values.append_value(v);
        Ok(())
    }

    fn build(&self, values: PrimitiveArray<Int64Type>) -> ArrayRef {
        let (_, buffer, nulls) = values.into_parts();
        let tz = self.tz.clone();
        match self.unit {
            TimeUnit::Second => Arc::new(
                PrimitiveArray::<TimestampSecondType>::new(buffer, nulls).with_timezone_opt(tz),
            ),
            TimeUnit::Millisecond => Arc::new(
                PrimitiveArray::<TimestampMillisecondType>::new(buffer, nulls)
                    .with_timezone_opt(tz),
            ),
            TimeUnit::Microsecond => Arc::new(
                PrimitiveArray::<TimestampMicrosecondType>::new(buffer, nulls)
                    .with_timezone_opt(tz),
            ),
            TimeUnit::Nanosecond => Arc::new(
                PrimitiveArray::<TimestampNanosecondType>::new(buffer, nulls).with_timezone_opt(tz),
            ),
        }
    }
}

impl ArrayBuilder for TimestampBuilder {
    fn len(&self) -> usize {
        self.values.len()
    }
    fn finish(&mut self) -> ArrayRef {
        let values = self.values.finish();
        self.build(values)
    }
    fn finish_cloned(&self) -> ArrayRef {
        self.build(self.values.finish_cloned())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn into_box_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// A view of a timestamp column of any unit.
#[derive(Debug, Clone, Copy)]
pub struct TimestampColumn<'a> {
    values: &'a [i64],
    unit: TimeUnit,
}

impl TimestampColumn<'_> {
    #[inline]
    fn utc(&self, index: usize, to: &'static str) -> Result<DateTime<Utc>, ConvertError> {
        let v = *self.values.get(index).ok_or_else(|| out_of_bounds(index))?;
        let dt = match self.unit {
            TimeUnit::Second => DateTime::from_timestamp_secs(v),
            TimeUnit::Millisecond => DateTime::from_timestamp_millis(v),
            TimeUnit::Microsecond => DateTime::from_timestamp_micros(v),
            TimeUnit::Nanosecond => Some(DateTime::from_timestamp_nanos(v)),
        };
        dt.ok_or_else(|| {
            ConvertError::value(
                format!("{v} ({:?} since the epoch)", self.unit),
                to,
                "out of chrono's date range",
            )
        })
    }
}

fn timestamp_view<'a>(
    array: &'a ArrayRef,
    expected: &DataType,
) -> Result<TimestampColumn<'a>, ConvertError> {
    let (values, unit): (&[i64], TimeUnit) = match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => array
            .as_primitive_opt::<TimestampSecondType>()
            .map(|a| (&a.values()[..], TimeUnit::Second)),
        DataType::Timestamp(TimeUnit::Millisecond, _) => array
            .as_primitive_opt::<TimestampMillisecondType>()
            .map(|a| (&a.values()[..], TimeUnit::Millisecond)),
        DataType::Timestamp(TimeUnit::Microsecond, _) => array
            .as_primitive_opt::<TimestampMicrosecondType>()
            .map(|a| (&a.values()[..], TimeUnit::Microsecond)),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => array
            .as_primitive_opt::<TimestampNanosecondType>()
            .map(|a| (&a.values()[..], TimeUnit::Nanosecond)),
        _ => None,
    }
    .ok_or_else(|| downcast_failed(expected, array))?;
    Ok(TimestampColumn { values, unit })
}

impl ArrowField for NaiveDateTime {
    const TYPE: ConstType = ConstType::Expr("datetime");
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::Timestamp;
    const RUST_NAME: &'static str = "NaiveDateTime";
    type Builder = TimestampBuilder;
    type Column<'a> = TimestampColumn<'a>;

    fn data_type() -> DataType {
        DataType::Timestamp(TimeUnit::Microsecond, None)
    }
    fn new_builder(data_type: &DataType, capacity: usize) -> Self::Builder {
        TimestampBuilder::new(data_type, capacity)
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        let utc = value.and_utc();
        builder.append_micros(utc.timestamp_micros(), utc.timestamp_nanos_opt())
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.values.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        timestamp_view(array, &Self::data_type())
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        column.utc(index, "NaiveDateTime").map(|dt| dt.naive_utc())
    }
}

impl ArrowField for DateTime<Utc> {
    const TYPE: ConstType = ConstType::Expr("timestamp(us,UTC)");
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::TimestampTz;
    const RUST_NAME: &'static str = "DateTime<Utc>";
    type Builder = TimestampBuilder;
    type Column<'a> = TimestampColumn<'a>;

    fn data_type() -> DataType {
        DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
    }
    fn new_builder(data_type: &DataType, capacity: usize) -> Self::Builder {
        TimestampBuilder::new(data_type, capacity)
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        builder.append_micros(value.timestamp_micros(), value.timestamp_nanos_opt())
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.values.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        timestamp_view(array, &Self::data_type())
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        column.utc(index, "DateTime<Utc>")
    }
}
