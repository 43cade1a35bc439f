//! `rust_decimal::Decimal` fields: `decimal(38,18)` by default (Spark's system default), or the
//! precision and scale of an explicit `#[fugue(type = "decimal(p,s)")]`.
//!
//! Writing rescales each value to the column's scale, rounding half away from zero when the
//! value has more fractional digits; a value whose digits exceed the precision is an error.
//! Reading accepts any Decimal128 value that `Decimal` can hold (28 significant digits).

use super::error::ConvertError;
use super::field::{ArrowField, TypeKind, downcast_failed, out_of_bounds};
use arrow::array::{Array, ArrayBuilder, ArrayRef, AsArray, Decimal128Builder};
use arrow::datatypes::{DataType, Decimal128Type};
use fugue_core::ConstType;
use rust_decimal::{Decimal, RoundingStrategy};
use std::any::Any;

/// The default precision of a `Decimal` column.
pub const DEFAULT_PRECISION: u8 = 38;
/// The default scale of a `Decimal` column.
pub const DEFAULT_SCALE: i8 = 18;

/// A Decimal128 builder that knows its precision and scale, and rescales `Decimal`s to it.
#[derive(Debug)]
pub struct DecimalBuilder {
    precision: u8,
    scale: i8,
    /// `10^precision`: the exclusive bound of the unscaled values.
    bound: i128,
    values: Decimal128Builder,
}

impl DecimalBuilder {
    /// A builder for `data_type` (a `Decimal128`; anything else means the default type).
    pub fn new(data_type: &DataType, capacity: usize) -> Self {
        let (precision, scale) = match data_type {
            DataType::Decimal128(p, s) if (1..=38).contains(p) && *s >= 0 && *s as u8 <= *p => {
                (*p, *s)
            }
            _ => (DEFAULT_PRECISION, DEFAULT_SCALE),
        };
        DecimalBuilder {
            precision,
            scale,
            bound: 10i128.pow(u32::from(precision)),
            values: Decimal128Builder::with_capacity(capacity),
        }
    }

    #[inline]
    fn append(&mut self, value: &Decimal) -> Result<(), ConvertError> {
        let target = self.scale as u32;
        let mut v = *value;
        if v.scale() > target {
            v = v.round_dp_with_strategy(target, RoundingStrategy::MidpointAwayFromZero);
        }
        let unscaled = 10i128
            .checked_pow(target - v.scale().min(target))
            .and_then(|f| v.mantissa().checked_mul(f))
            .filter(|u| u.abs() < self.bound)
            .ok_or_else(|| {
                ConvertError::value(
                    value,
                    format!("decimal({},{})", self.precision, self.scale),
                    "the value has too many digits for the precision",
                )
            })?;
        self.values.append_value(unscaled);
        Ok(())
    }

    fn data_type(&self) -> DataType {
        DataType::Decimal128(self.precision, self.scale)
    }
}

impl ArrayBuilder for DecimalBuilder {
    fn len(&self) -> usize {
        self.values.len()
    }
    fn finish(&mut self) -> ArrayRef {
        let dt = self.data_type();
        std::sync::Arc::new(self.values.finish().with_data_type(dt))
    }
    fn finish_cloned(&self) -> ArrayRef {
        std::sync::Arc::new(self.values.finish_cloned().with_data_type(self.data_type()))
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

/// A view of a Decimal128 column: its unscaled values and its scale.
#[derive(Debug, Clone, Copy)]
pub struct DecimalColumn<'a> {
    values: &'a [i128],
    scale: i8,
}

impl ArrowField for Decimal {
    const TYPE: ConstType = ConstType::Expr("decimal(38,18)");
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::Decimal;
    const RUST_NAME: &'static str = "Decimal";
    type Builder = DecimalBuilder;
    type Column<'a> = DecimalColumn<'a>;

    fn data_type() -> DataType {
        DataType::Decimal128(DEFAULT_PRECISION, DEFAULT_SCALE)
    }
    fn new_builder(data_type: &DataType, capacity: usize) -> Self::Builder {
        DecimalBuilder::new(data_type, capacity)
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        builder.append(value)
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.values.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        let a = array
            .as_primitive_opt::<Decimal128Type>()
            .ok_or_else(|| downcast_failed(&Self::data_type(), array))?;
        let scale = match a.data_type() {
            DataType::Decimal128(_, s) => *s,
            _ => 0,
        };
        Ok(DecimalColumn {
            values: a.values(),
            scale,
        })
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        let raw = *column
            .values
            .get(index)
            .ok_or_else(|| out_of_bounds(index))?;
        decimal_from_unscaled(raw, column.scale)
    }
}

/// `raw * 10^-scale` as a `Decimal`, dropping trailing zeros when the mantissa is too wide.
fn decimal_from_unscaled(raw: i128, scale: i8) -> Result<Decimal, ConvertError> {
    let err = || {
        ConvertError::value(
            format!("{raw}e-{scale}"),
            "Decimal",
            "the value has more than 28 significant digits",
        )
    };
    let (mut m, mut s) = if scale < 0 {
        let f = 10i128
            .checked_pow(u32::from(scale.unsigned_abs()))
            .ok_or_else(err)?;
        (raw.checked_mul(f).ok_or_else(err)?, 0u32)
    } else {
        (raw, scale as u32)
    };
    loop {
        if s <= 28
            && let Ok(d) = Decimal::try_from_i128_with_scale(m, s)
        {
            return Ok(d);
        }
        if s == 0 || m % 10 != 0 {
            return Err(err());
        }
        m /= 10;
        s -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_mantissas_drop_trailing_zeros() {
        let d = decimal_from_unscaled(10i128.pow(38) - 1, 18);
        assert!(d.is_err(), "38 significant digits do not fit a Decimal");
        let d = decimal_from_unscaled(10i128.pow(38) - 10i128.pow(18), 18)
            .map(|d| d.normalize().to_string());
        assert_eq!(d.ok().as_deref(), Some("99999999999999999999"));
        let d = decimal_from_unscaled(12 * 10i128.pow(30), 18).map(|d| d.normalize().to_string());
        assert_eq!(d.ok().as_deref(), Some("12000000000000"));
    }

    #[test]
    fn rescale_rounds_and_checks_precision() {
        let mut b = DecimalBuilder::new(&DataType::Decimal128(5, 2), 4);
        assert!(b.append(&Decimal::new(12345, 3)).is_ok()); // 12.345 -> 12.35
        assert!(b.append(&Decimal::new(100000, 2)).is_err()); // 1000.00 needs 6 digits
        let a = b.finish();
        let a = a.as_primitive::<Decimal128Type>();
        assert_eq!(a.values().as_ref(), &[1235]);
    }
}
