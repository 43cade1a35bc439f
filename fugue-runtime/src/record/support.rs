//! Support for the code `#[derive(Schema)]` generates. Not a public API: the derive reaches it
//! through `fugue::__private`, and its items may change in any release.

use super::error::ConvertError;
use super::field::{ArrowField, TypeKind};
use arrow::array::{Array, ArrayRef};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Field, Fields};
use fugue_core::{ConstColumn, FugueError, Schema};
use std::sync::OnceLock;

/// What the derive implements besides [`Record`](super::Record): the per-struct builders and
/// views that the public conversions are made of.
pub trait RecordImpl: Sized + 'static {
    /// The struct's name, for messages.
    const NAME: &'static str;
    /// One typed builder per field.
    type Builders: Send + Sync + 'static;
    /// One typed column view per field.
    type View<'a>;

    /// The Arrow fields of the struct (explicit types parsed once and cached).
    fn arrow_fields() -> Result<&'static Fields, FugueError>;
    /// New builders for `fields` (the struct's fields, in declaration order).
    fn new_builders(fields: &Fields, capacity: usize) -> Self::Builders;
    /// Append one row.
    fn append(builders: &mut Self::Builders, row: &Self) -> Result<(), ConvertError>;
    /// Append a placeholder to every field (under a NULL struct).
    fn append_placeholder(builders: &mut Self::Builders);
    /// Finish every builder, in field order.
    fn finish(builders: &mut Self::Builders) -> Vec<ArrayRef>;
    /// Finish a copy of every builder, in field order.
    fn finish_cloned(builders: &Self::Builders) -> Vec<ArrayRef>;
    /// View the columns, found by name through `source`; `fields` are the expected fields and
    /// `parent_nulls` the NULLs of an enclosing struct array, which mask its children's NULLs.
    fn view<'a>(
        fields: &Fields,
        source: &dyn Fn(&str) -> Option<&'a ArrayRef>,
        parent_nulls: Option<&NullBuffer>,
    ) -> Result<Self::View<'a>, ConvertError>;
    /// Read the row at `index`.
    fn get(view: &Self::View<'_>, index: usize) -> Result<Self, ConvertError>;
}

/// The Arrow field of a struct field: the explicit type when given (parsed with the schema
/// language), else the Rust type's default type.
pub fn field<F: ArrowField>(name: &str, explicit: Option<&str>) -> Result<Field, FugueError> {
    let data_type = match explicit {
        Some(expr) => fugue_core::types::parse_type(expr)?,
        None => F::data_type(),
    };
    Ok(Field::new(name, data_type, F::NULLABLE))
}

/// Compute the fields once per struct; an error is kept and returned as an internal error.
pub fn cached_fields(
    cell: &'static OnceLock<Result<Fields, String>>,
    make: impl FnOnce() -> Result<Vec<Field>, FugueError>,
) -> Result<&'static Fields, FugueError> {
    match cell.get_or_init(|| make().map(Fields::from).map_err(|e| e.to_string())) {
        Ok(fields) => Ok(fields),
        Err(e) => Err(FugueError::Internal(format!(
            "the Arrow fields of a derived struct cannot be built: {e}"
        ))),
    }
}

/// Compute the [`Schema`] once per struct.
///
/// # Panics
///
/// When the generated const columns do not form a valid schema, which is a bug in fugue (the
/// derive checks names and types at compile time).
pub fn cached_schema(
    cell: &'static OnceLock<Schema>,
    columns: &'static [ConstColumn],
    record: &str,
) -> Schema {
    cell.get_or_init(|| match Schema::from_const(columns) {
        Ok(s) => s,
        Err(e) => panic!(
            "internal error: the schema of struct `{record}` is invalid: {e} \
             (this is a bug in fugue, please report it)"
        ),
    })
    .clone()
}

/// The struct type of a derived struct (empty when its fields cannot be built).
pub fn struct_data_type<T: RecordImpl>() -> DataType {
    DataType::Struct(T::arrow_fields().cloned().unwrap_or_default())
}

/// The type of field `index`, or `Null` if `fields` is shorter (never, for generated code).
pub fn nth_type(fields: &Fields, index: usize) -> &DataType {
    fields.get(index).map_or(&DataType::Null, |f| f.data_type())
}

/// Whether a column of type `found` can be read as `expected`: equal leaf types, except that
/// timestamps of any unit (with a time zone or without, as expected) and decimals of any
/// precision and scale are converted; lists and maps compared by element type (field names and
/// nested nullability are free, NULLs are checked when reading); struct fields matched by name,
/// extra fields ignored.
pub fn compatible(found: &DataType, expected: &DataType) -> bool {
    match (found, expected) {
        (DataType::Timestamp(_, f), DataType::Timestamp(_, e)) => f.is_some() == e.is_some(),
        (DataType::Decimal128(_, _), DataType::Decimal128(_, _)) => true,
        (DataType::List(f), DataType::List(e)) => compatible(f.data_type(), e.data_type()),
        (DataType::Struct(f), DataType::Struct(e)) => e.iter().all(|ef| {
            f.iter()
                .find(|ff| ff.name() == ef.name())
                .is_some_and(|ff| compatible(ff.data_type(), ef.data_type()))
        }),
        (DataType::Map(f, _), DataType::Map(e, _)) => match (f.data_type(), e.data_type()) {
            (DataType::Struct(f), DataType::Struct(e)) if f.len() == 2 && e.len() == 2 => {
                compatible(f[0].data_type(), e[0].data_type())
                    && compatible(f[1].data_type(), e[1].data_type())
            }
            _ => false,
        },
        (f, e) => f == e,
    }
}

/// An error when `array` has NULLs that `parent_nulls` does not mask.
pub fn check_no_nulls(
    array: &ArrayRef,
    parent_nulls: Option<&NullBuffer>,
    rust_type: &'static str,
) -> Result<(), ConvertError> {
    match array.logical_nulls() {
        Some(nulls) if nulls.null_count() > 0 => {
            let parent = parent_nulls.filter(|p| p.len() == nulls.len());
            if parent.is_some_and(|p| p.contains(&nulls)) {
                return Ok(());
            }
            // The first NULL that the enclosing struct's own NULL does not explain.
            let row = (0..nulls.len())
                .find(|&i| nulls.is_null(i) && parent.is_none_or(|p| p.is_valid(i)))
                .unwrap_or(0);
            Err(ConvertError::null_at(rust_type, row))
        }
        _ => Ok(()),
    }
}

/// Check that no item of the lists (or value of the maps) whose `offsets` are given is NULL:
/// only the items of the array's own rows count (a sliced array's child holds others), and
/// none of a NULL list. The first NULL is reported by its row and its position in the row.
pub fn check_no_null_items(
    offsets: &[i32],
    lists: Option<&NullBuffer>,
    values: &ArrayRef,
    rust_type: &'static str,
) -> Result<(), ConvertError> {
    let Some(nulls) = values.logical_nulls().filter(|n| n.null_count() > 0) else {
        return Ok(());
    };
    for (row, bounds) in offsets.windows(2).enumerate() {
        if lists.is_some_and(|l| l.is_null(row)) {
            continue;
        }
        let (start, end) = (bounds[0].max(0) as usize, bounds[1].max(0) as usize);
        if let Some(j) = (start..end.min(nulls.len())).find(|&j| nulls.is_null(j)) {
            return Err(ConvertError::null_item_at(rust_type, row, j - start));
        }
    }
    Ok(())
}

/// Find, check and view the column of field `name`: missing column, type mismatch and NULLs in
/// a non-`Option` field are errors naming the field.
pub fn view_field<'a, F: ArrowField>(
    array: Option<&'a ArrayRef>,
    name: &str,
    expected: &DataType,
    parent_nulls: Option<&NullBuffer>,
) -> Result<F::Column<'a>, ConvertError> {
    let Some(array) = array else {
        return Err(ConvertError::missing().at(name));
    };
    if !compatible(array.data_type(), expected) {
        return Err(ConvertError::type_mismatch(expected, array.data_type()).at(name));
    }
    if !F::NULLABLE {
        check_no_nulls(array, parent_nulls, F::RUST_NAME).map_err(|e| e.at(name))?;
    }
    F::view(array).map_err(|e| e.at(name))
}

/// A type that exists only when `F` is a field type. The derive declares a constant of it per
/// field, spanned at the field's type, so that an unsupported type is reported at the field
/// (with [`ArrowField`]'s message) before any error inside the generated impls.
pub struct IsField<F: ArrowField>(std::marker::PhantomData<fn() -> F>);

impl<F: ArrowField> IsField<F> {
    /// The value.
    pub const OK: Self = IsField(std::marker::PhantomData);
}

/// Fails const evaluation when an explicit `#[fugue(type = "...")]` does not fit the field's
/// Rust type. The derive emits `const _: () = check_explicit_type(<F as ArrowField>::KIND, ..)`
/// at the span of the type string, so the error points there.
pub const fn check_explicit_type(field: TypeKind, explicit: TypeKind) {
    if !field.accepts(&explicit) {
        panic!(
            "the explicit `#[fugue(type = \"...\")]` does not fit the field's Rust type; \
             accepted: another precision or scale for `Decimal`, another unit for \
             `NaiveDateTime` (`timestamp(ms)`), another unit or time zone for `DateTime<Utc>` \
             (`timestamp(ns,UTC)`), the same type family otherwise"
        );
    }
}
