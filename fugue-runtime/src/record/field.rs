//! [`ArrowField`]: how one Rust field type maps to an Arrow column, and its impls for scalars.

use super::error::ConvertError;
use arrow::array::{
    Array, ArrayBuilder, ArrayRef, AsArray, BinaryArray, BinaryBuilder, BooleanArray,
    BooleanBuilder, PrimitiveBuilder, StringArray, StringBuilder,
};
use arrow::datatypes::{
    DataType, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use fugue_core::ConstType;

/// The family of a field type, used to check `#[fugue(type = "...")]` against the Rust type in
/// const evaluation (precision, scale, units and time zones are free within a family).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    /// `byte` (`i8`).
    Int8,
    /// `short` (`i16`).
    Int16,
    /// `int` (`i32`).
    Int32,
    /// `long` (`i64`).
    Int64,
    /// `ubyte` (`u8`).
    UInt8,
    /// `ushort` (`u16`).
    UInt16,
    /// `uint` (`u32`).
    UInt32,
    /// `ulong` (`u64`).
    UInt64,
    /// `float` (`f32`).
    Float32,
    /// `double` (`f64`).
    Float64,
    /// `bool`.
    Bool,
    /// `str` (`String`).
    Str,
    /// `binary` ([`Bytes`]).
    Binary,
    /// `date` (`NaiveDate`).
    Date,
    /// A timestamp without time zone, any unit (`NaiveDateTime`).
    Timestamp,
    /// A timestamp with a time zone, any unit (`DateTime<Utc>`).
    TimestampTz,
    /// A decimal, any precision and scale (`rust_decimal::Decimal`).
    Decimal,
    /// A list of the element kind (`Vec<T>`).
    List(&'static TypeKind),
    /// A map (`HashMap<K, V>`, `BTreeMap<K, V>`).
    Map(&'static TypeKind, &'static TypeKind),
    /// A derived struct (explicit types cannot describe one).
    Struct,
}

impl TypeKind {
    /// Whether an explicit type of kind `explicit` fits a field of kind `self`, in const context.
    pub const fn accepts(&self, explicit: &TypeKind) -> bool {
        match (self, explicit) {
            (TypeKind::List(a), TypeKind::List(b)) => a.accepts(b),
            (TypeKind::Map(ak, av), TypeKind::Map(bk, bv)) => ak.accepts(bk) && av.accepts(bv),
            (TypeKind::Struct, _) | (_, TypeKind::Struct) => false,
            (a, b) => a.leaf_id() == b.leaf_id(),
        }
    }

    const fn leaf_id(&self) -> u8 {
        match self {
            TypeKind::Int8 => 0,
            TypeKind::Int16 => 1,
            TypeKind::Int32 => 2,
            TypeKind::Int64 => 3,
            TypeKind::UInt8 => 4,
            TypeKind::UInt16 => 5,
            TypeKind::UInt32 => 6,
            TypeKind::UInt64 => 7,
            TypeKind::Float32 => 8,
            TypeKind::Float64 => 9,
            TypeKind::Bool => 10,
            TypeKind::Str => 11,
            TypeKind::Binary => 12,
            TypeKind::Date => 13,
            TypeKind::Timestamp => 14,
            TypeKind::TimestampTz => 15,
            TypeKind::Decimal => 16,
            TypeKind::List(_) => 17,
            TypeKind::Map(_, _) => 18,
            TypeKind::Struct => 19,
        }
    }
}

/// A Rust type that can be a field of a `#[derive(Schema)]` struct: it knows its Arrow type, its
/// typed Arrow builder, and a typed view of an Arrow column it reads from.
///
/// Generated code appends each field to its own builder and reads each column after one
/// downcast, so a conversion does no per-row dynamic dispatch.
///
/// Implemented for `i8`..`i64`, `u8`..`u64`, `f32`, `f64`, `bool`, `String`,
/// [`ArrowStr`](super::ArrowStr) (`str`, read without copying), [`Bytes`]
/// (`binary`), `chrono::NaiveDate` (`date`), `chrono::NaiveDateTime` (`datetime`, timestamp in
/// microseconds), `chrono::DateTime<Utc>` (`timestamp(us,UTC)`), `rust_decimal::Decimal`
/// (`decimal(38,18)`), `Option<T>` (nullable), `Vec<T>` (list; so `Vec<u8>` is `[ubyte]`, use
/// [`Bytes`] for `binary`), `HashMap<K, V>` and `BTreeMap<K, V>` (map), and every
/// `#[derive(Schema)]` struct (struct).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a `#[derive(Schema)]` struct",
    label = "unsupported field type `{Self}`",
    note = "accepted field types: i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, String, \
            fugue::record::Bytes (binary), chrono::NaiveDate, chrono::NaiveDateTime, \
            chrono::DateTime<Utc>, rust_decimal::Decimal, Option<T>, Vec<T>, HashMap<K, V>, \
            BTreeMap<K, V>, and structs that derive `Schema`"
)]
pub trait ArrowField: Sized {
    /// The default column type, as const schema data.
    const TYPE: ConstType;
    /// Whether the column may hold NULL (only `Option<T>`).
    const NULLABLE: bool;
    /// The type family, for checking explicit types.
    const KIND: TypeKind;
    /// The Rust type's name in messages.
    const RUST_NAME: &'static str;
    /// The typed Arrow builder values are appended to.
    type Builder: ArrayBuilder;
    /// A typed view of a column, made by one downcast.
    type Column<'a>;

    /// The default Arrow type (the canonical type of [`Self::TYPE`]).
    fn data_type() -> DataType;
    /// A builder producing arrays of `data_type` (the default type or an accepted explicit one).
    fn new_builder(data_type: &DataType, capacity: usize) -> Self::Builder;
    /// Append one value.
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError>;
    /// Append a NULL (or, for non-nullable parents, a placeholder masked by the parent's NULL).
    fn append_null(builder: &mut Self::Builder);
    /// View a column whose type was checked against this field's type (NULLs of the array
    /// itself are checked by the caller).
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError>;
    /// Read the value at `index`, which is valid (not NULL) unless `Self` is an `Option`.
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError>;
    /// Whether this value is a NULL (`None`).
    fn is_null_value(&self) -> bool {
        false
    }
}

/// The error for a downcast that cannot fail after the type check, kept panic-free.
#[cold]
pub(crate) fn downcast_failed(expected: &DataType, array: &ArrayRef) -> ConvertError {
    ConvertError::type_mismatch(expected, array.data_type())
}

macro_rules! primitive_field {
    ($rust:ty, $arrow:ty, $expr:literal, $kind:ident, $dt:expr) => {
        impl ArrowField for $rust {
            const TYPE: ConstType = ConstType::Expr($expr);
            const NULLABLE: bool = false;
            const KIND: TypeKind = TypeKind::$kind;
            const RUST_NAME: &'static str = stringify!($rust);
            type Builder = PrimitiveBuilder<$arrow>;
            type Column<'a> = &'a [$rust];

            fn data_type() -> DataType {
                $dt
            }
            #[inline]
            fn new_builder(_: &DataType, capacity: usize) -> Self::Builder {
                PrimitiveBuilder::with_capacity(capacity)
            }
            #[inline]
            fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
                builder.append_value(*value);
                Ok(())
            }
            #[inline]
            fn append_null(builder: &mut Self::Builder) {
                builder.append_null();
            }
            fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
                match array.as_primitive_opt::<$arrow>() {
                    Some(a) => Ok(a.values()),
                    None => Err(downcast_failed(&$dt, array)),
                }
            }
            #[inline]
            fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
                match column.get(index) {
                    Some(v) => Ok(*v),
                    None => Err(out_of_bounds(index)),
                }
            }
        }
    };
}

#[cold]
pub(crate) fn out_of_bounds(index: usize) -> ConvertError {
    ConvertError::value(
        index,
        "a row index",
        "row index out of bounds of the column",
    )
}

primitive_field!(i8, Int8Type, "byte", Int8, DataType::Int8);
primitive_field!(i16, Int16Type, "short", Int16, DataType::Int16);
primitive_field!(i32, Int32Type, "int", Int32, DataType::Int32);
primitive_field!(i64, Int64Type, "long", Int64, DataType::Int64);
primitive_field!(u8, UInt8Type, "ubyte", UInt8, DataType::UInt8);
primitive_field!(u16, UInt16Type, "ushort", UInt16, DataType::UInt16);
primitive_field!(u32, UInt32Type, "uint", UInt32, DataType::UInt32);
primitive_field!(u64, UInt64Type, "ulong", UInt64, DataType::UInt64);
primitive_field!(f32, Float32Type, "float", Float32, DataType::Float32);
primitive_field!(f64, Float64Type, "double", Float64, DataType::Float64);

impl ArrowField for bool {
    const TYPE: ConstType = ConstType::Expr("bool");
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::Bool;
    const RUST_NAME: &'static str = "bool";
    type Builder = BooleanBuilder;
    type Column<'a> = &'a BooleanArray;

    fn data_type() -> DataType {
        DataType::Boolean
    }
    fn new_builder(_: &DataType, capacity: usize) -> Self::Builder {
        BooleanBuilder::with_capacity(capacity)
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        builder.append_value(*value);
        Ok(())
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        array
            .as_boolean_opt()
            .ok_or_else(|| downcast_failed(&DataType::Boolean, array))
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        if index < column.len() {
            Ok(column.value(index))
        } else {
            Err(out_of_bounds(index))
        }
    }
}

/// Bytes of string data reserved per row by a new string or binary builder.
const BYTES_PER_ROW: usize = 16;

impl ArrowField for String {
    const TYPE: ConstType = ConstType::Expr("str");
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::Str;
    const RUST_NAME: &'static str = "String";
    type Builder = StringBuilder;
    type Column<'a> = &'a StringArray;

    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn new_builder(_: &DataType, capacity: usize) -> Self::Builder {
        StringBuilder::with_capacity(capacity, capacity.saturating_mul(BYTES_PER_ROW))
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        builder.append_value(value);
        Ok(())
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        array
            .as_string_opt::<i32>()
            .ok_or_else(|| downcast_failed(&DataType::Utf8, array))
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        if index < column.len() {
            Ok(column.value(index).to_owned())
        } else {
            Err(out_of_bounds(index))
        }
    }
}

/// A byte string stored as Arrow `binary`.
///
/// `Vec<u8>` is a list like every `Vec<T>` (`[ubyte]`); wrap it in `Bytes` for a `binary` column.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub Vec<u8>);

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Self {
        b.0
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl ArrowField for Bytes {
    const TYPE: ConstType = ConstType::Expr("bytes");
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::Binary;
    const RUST_NAME: &'static str = "Bytes";
    type Builder = BinaryBuilder;
    type Column<'a> = &'a BinaryArray;

    fn data_type() -> DataType {
        DataType::Binary
    }
    fn new_builder(_: &DataType, capacity: usize) -> Self::Builder {
        BinaryBuilder::with_capacity(capacity, capacity.saturating_mul(BYTES_PER_ROW))
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        builder.append_value(&value.0);
        Ok(())
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        array
            .as_binary_opt::<i32>()
            .ok_or_else(|| downcast_failed(&DataType::Binary, array))
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        if index < column.len() {
            Ok(Bytes(column.value(index).to_vec()))
        } else {
            Err(out_of_bounds(index))
        }
    }
}
