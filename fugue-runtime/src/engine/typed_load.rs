//! Declared types of a load: a file column takes its declared type only when no value can
//! change.
//!
//! A load with a declared schema (`LoadColumns::Schema`, a workflow's `.schema(..)`,
//! `load(..) as Record`) converts each file column by [`conversion`]:
//!
//! * the same type (up to Fugue's canonical form) is kept;
//! * a *lossless* conversion is made: integer widening within signedness or from unsigned to a
//!   wider signed type, float widening, integers to floats that hold them exactly
//!   (`int8`/`int16`/`uint8`/`uint16` to `float`, 32-bit integers to `double`, never 64-bit
//!   ones), decimals to decimals with at least as many integer and fraction digits, the large
//!   and view forms of strings and binaries, and lists and structs of these;
//! * text is *read as declared*: a CSV field or a hive folder value is parsed as the declared
//!   type (parsing is not a cast), and a value that does not parse is an error naming it;
//!   a JSON number, which has no width, is read into any integer type with a range check
//!   (a value out of range is an error) or into `double`, and a JSON string is parsed;
//! * anything else (a `double` declared `int`, `long` declared `double`, a `str` column of a
//!   parquet file declared `long`, any timestamp or date change) is
//!   [`FugueError::TypeMismatch`] naming the file, the column, both types and the fix.
//!
//! A declared column that is not nullable (a field of a record that is not an `Option`) is
//! checked at load: its first NULL is an error naming the file, the column and the row.

use crate::frame::{ArrowFrame, cast_column};
use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow::compute::{can_cast_types, concat_batches};
use arrow::datatypes::DataType;
use fugue_core::types::{same_type, type_expr};
use fugue_core::{Column, FugueError, Result, Schema};
use std::path::Path;
use std::sync::Arc;

/// What a file column's values are before they take their declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Typed storage (parquet, Arrow IPC): the column's type is the file's type.
    Typed,
    /// Text read as declared (CSV fields, hive folder values).
    Text,
    /// JSON values: numbers without a width, strings, booleans, lists and objects.
    Json,
}

/// How a file column takes its declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conversion {
    /// The types are the same.
    Same,
    /// Every value of the file's type has exactly one value of the declared type.
    Lossless,
    /// Each value is parsed or range-checked: it converts exactly, or the load fails naming it.
    Checked,
    /// Some value could change: refused.
    Refused,
}

/// Whether every value of `from` has exactly one value of `to` (see the module docs).
fn lossless(from: &DataType, to: &DataType) -> bool {
    use DataType::*;
    let same_or_lossless = |a: &DataType, b: &DataType| same_type(a, b) || lossless(a, b);
    match (from, to) {
        (Null, _) => true,
        (Int8, Int16 | Int32 | Int64 | Float32 | Float64)
        | (Int16, Int32 | Int64 | Float32 | Float64)
        | (Int32, Int64 | Float64)
        | (UInt8, UInt16 | UInt32 | UInt64 | Int16 | Int32 | Int64 | Float32 | Float64)
        | (UInt16, UInt32 | UInt64 | Int32 | Int64 | Float32 | Float64)
        | (UInt32, UInt64 | Int64 | Float64)
        | (Float16, Float32 | Float64)
        | (Float32, Float64)
        | (Utf8 | LargeUtf8 | Utf8View, Utf8 | LargeUtf8 | Utf8View)
        | (Binary | LargeBinary | BinaryView, Binary | LargeBinary | BinaryView) => true,
        (Decimal128(p, s), Decimal128(q, t) | Decimal256(q, t))
        | (Decimal256(p, s), Decimal256(q, t)) => {
            t >= s && i16::from(*q) - i16::from(*t) >= i16::from(*p) - i16::from(*s)
        }
        (List(a) | LargeList(a), List(b) | LargeList(b)) => {
            same_or_lossless(a.data_type(), b.data_type())
        }
        (Struct(a), Struct(b)) => {
            a.len() == b.len()
                && a.iter().zip(b.iter()).all(|(x, y)| {
                    x.name() == y.name() && same_or_lossless(x.data_type(), y.data_type())
                })
        }
        _ => false,
    }
}

fn is_text(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn is_nested(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::Struct(_)
            | DataType::Map(..)
    )
}

/// How a column of type `from` (with values of `origin`) takes the declared type `to`.
pub(crate) fn conversion(from: &DataType, to: &DataType, origin: Origin) -> Conversion {
    use DataType::*;
    if same_type(from, to) {
        return Conversion::Same;
    }
    if lossless(from, to) {
        return Conversion::Lossless;
    }
    let text = matches!(origin, Origin::Text | Origin::Json) && is_text(from);
    if text && !is_nested(to) && can_cast_types(from, to) {
        return Conversion::Checked;
    }
    if origin == Origin::Json {
        match (from, to) {
            (Int64, t) if t.is_integer() => return Conversion::Checked,
            (Int64, Float64) => return Conversion::Checked,
            (List(a), List(b))
                if conversion(a.data_type(), b.data_type(), origin) != Conversion::Refused =>
            {
                return Conversion::Checked;
            }
            (Struct(a), Struct(b))
                if a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|(x, y)| {
                        x.name() == y.name()
                            && conversion(x.data_type(), y.data_type(), origin)
                                != Conversion::Refused
                    }) =>
            {
                return Conversion::Checked;
            }
            _ => {}
        }
    }
    Conversion::Refused
}

/// The error of a refused conversion: the file, the column, both types and the fix.
fn refused(file: &Path, column: &str, from: &DataType, to: &DataType) -> FugueError {
    FugueError::TypeMismatch {
        column: column.to_string(),
        context: format!(
            "file `{}` (a load converts a column only when no value can change; declare the \
             file's type `{column}:{}`, or load it so and alter_columns explicitly)",
            file.display(),
            type_expr(from)
        ),
        expected: type_expr(to),
        found: type_expr(from),
    }
}

/// An error of `cast_column` with the file named.
fn in_file(error: FugueError, file: &Path) -> FugueError {
    match error {
        FugueError::Cast {
            column,
            value,
            to,
            reason,
        } => FugueError::Cast {
            column,
            value,
            to,
            reason: format!("{reason} (file `{}`)", file.display()),
        },
        other => other,
    }
}

/// How each declared column is read from a file of `schema` (its index in the file and its
/// conversion), checked before any value is read: a missing column is
/// [`FugueError::ColumnNotFound`] naming the file, a refused conversion
/// [`FugueError::TypeMismatch`]. Eager loads and lazy scans both check with it.
pub(crate) fn check_declared(
    schema: &Schema,
    declared: &Schema,
    origin: impl Fn(&str) -> Origin,
    file: &Path,
) -> Result<Vec<(usize, Conversion)>> {
    let mut plan = Vec::with_capacity(declared.len());
    for column in declared.columns() {
        let Some(index) = schema.index_of(column.name()) else {
            return Err(FugueError::column_not_found(
                column.name(),
                format!("file `{}`", file.display()),
                schema,
                schema.names(),
            ));
        };
        let from = schema.columns()[index].data_type();
        let how = conversion(from, column.data_type(), origin(column.name()));
        if how == Conversion::Refused {
            return Err(refused(file, column.name(), from, column.data_type()));
        }
        plan.push((index, how));
    }
    Ok(plan)
}

/// The schema a load with `declared` columns produces: the declared names and types, every
/// column nullable (as every loaded column is).
pub(crate) fn declared_target(declared: &Schema) -> Result<Schema> {
    Schema::new(
        declared
            .columns()
            .iter()
            .map(|c| Column::new(c.name(), c.data_type().clone()))
            .collect(),
    )
}

/// The declared columns of one file's frame, in the declared order, each converted to its
/// declared type by [`conversion`] (refused conversions are [`FugueError::TypeMismatch`], a
/// value that does not convert is [`FugueError::Cast`]); a declared column that is not nullable
/// is checked for NULLs ([`FugueError::Cast`] naming the first one's row, counted from 0). The
/// result's columns are nullable, as every loaded column is.
pub(crate) fn apply_declared(
    frame: &ArrowFrame,
    declared: &Schema,
    origin: impl Fn(&str) -> Origin,
    file: &Path,
) -> Result<ArrowFrame> {
    let plan = check_declared(frame.schema(), declared, origin, file)?;
    let target = declared_target(declared)?;
    let arrow_target = Arc::new(target.to_arrow());
    let converts = plan.iter().any(|(_, how)| *how != Conversion::Same);
    // One batch per file when a value may fail, so that errors count rows from the file's start.
    let batches = if converts && frame.batches().len() > 1 {
        vec![concat_batches(frame.arrow_schema(), frame.batches())?]
    } else {
        frame.batches().to_vec()
    };
    let mut out = Vec::with_capacity(batches.len());
    let mut first_row = 0;
    for batch in &batches {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(plan.len());
        for ((index, _), column) in plan.iter().zip(declared.columns()) {
            let array = cast_column(column.name(), batch.column(*index), column.data_type())
                .map_err(|e| in_file(e, file))?;
            if !column.is_nullable() && array.null_count() > 0 {
                let row = (0..array.len()).find(|&i| array.is_null(i)).unwrap_or(0);
                return Err(FugueError::Cast {
                    column: column.name().to_string(),
                    value: "NULL".into(),
                    to: type_expr(column.data_type()),
                    reason: format!(
                        "the declared column is not nullable (a record field that is not an \
                         `Option`) but row {} of file `{}` is NULL (rows count from 0); declare \
                         it nullable (`Option<..>`) or remove the NULLs",
                        first_row + row,
                        file.display()
                    ),
                });
            }
            columns.push(array);
        }
        first_row += batch.num_rows();
        out.push(RecordBatch::try_new(arrow_target.clone(), columns)?);
    }
    ArrowFrame::new(target, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType::*;
    use arrow::datatypes::Field;

    fn check(from: &DataType, to: &DataType, origin: Origin) -> Conversion {
        conversion(from, to, origin)
    }

    #[test]
    fn only_lossless_conversions_of_typed_files() {
        let typed = |from, to| check(&from, &to, Origin::Typed);
        for (from, to) in [
            (Int8, Int64),
            (Int16, Int32),
            (Int32, Int64),
            (UInt8, Int16),
            (UInt32, Int64),
            (UInt16, UInt64),
            (Float32, Float64),
            (Int32, Float64),
            (Int16, Float32),
            (LargeUtf8, Utf8),
            (Decimal128(5, 2), Decimal128(10, 3)),
            (Null, Int32),
        ] {
            assert_eq!(
                typed(from.clone(), to.clone()),
                Conversion::Lossless,
                "{from} {to}"
            );
        }
        for (from, to) in [
            (Float64, Int32),
            (Float64, Int64),
            (Int64, Float64),
            (Int32, Float32),
            (Int64, Int32),
            (Int8, UInt64),
            (UInt64, Int64),
            (Float64, Float32),
            (Utf8, Int64),
            (Int64, Utf8),
            (Decimal128(10, 2), Decimal128(10, 3)),
            (Decimal128(10, 2), Decimal128(9, 2)),
            (
                Timestamp(arrow::datatypes::TimeUnit::Second, None),
                Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
            ),
            (Date32, Date64),
        ] {
            assert_eq!(
                typed(from.clone(), to.clone()),
                Conversion::Refused,
                "{from} {to}"
            );
        }
        assert_eq!(typed(Int64, Int64), Conversion::Same);
        let list = |t: DataType| List(Arc::new(Field::new_list_field(t, true)));
        assert_eq!(typed(list(Int32), list(Int64)), Conversion::Lossless);
        assert_eq!(typed(list(Float64), list(Int64)), Conversion::Refused);
    }

    #[test]
    fn text_is_read_as_declared() {
        assert_eq!(check(&Utf8, &Int32, Origin::Text), Conversion::Checked);
        assert_eq!(check(&Utf8, &Float64, Origin::Text), Conversion::Checked);
        let list = List(Arc::new(Field::new_list_field(Int32, true)));
        assert_eq!(check(&Utf8, &list, Origin::Text), Conversion::Refused);
        // JSON numbers have no width: range-checked into any integer, or read as double.
        assert_eq!(check(&Int64, &Int32, Origin::Json), Conversion::Checked);
        assert_eq!(check(&Int64, &UInt8, Origin::Json), Conversion::Checked);
        assert_eq!(check(&Int64, &Float64, Origin::Json), Conversion::Checked);
        assert_eq!(check(&Float64, &Int64, Origin::Json), Conversion::Refused);
        assert_eq!(check(&Float64, &Float32, Origin::Json), Conversion::Refused);
        assert_eq!(check(&Utf8, &Date32, Origin::Json), Conversion::Checked);
    }
}
