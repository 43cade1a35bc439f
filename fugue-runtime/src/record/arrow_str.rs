//! [`ArrowStr`]: a string field that reads its value straight from the Arrow column.

use super::error::ConvertError;
use super::field::{ArrowField, TypeKind, downcast_failed, out_of_bounds};
use arrow::array::{Array, ArrayRef, AsArray, StringArray, StringBuilder};
use arrow::datatypes::DataType;
use fugue_core::ConstType;
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// An immutable string that, when read from a record batch, points into the Arrow column
/// instead of copying its bytes: a `str` column read as `ArrowStr` costs one reference-count
/// increment per row where a `String` costs an allocation and a copy.
///
/// Use it in place of `String` in a `#[derive(Schema)]` struct (the column type is `str`,
/// `Option<ArrowStr>` is nullable). It dereferences to `&str`, compares, orders and hashes like
/// the string, and converts from `&str` and `String` for new values. A value read from a batch
/// keeps that batch's string column alive while it lives.
///
/// ```
/// use fugue_runtime::record::ArrowStr;
///
/// let s = ArrowStr::from("Paris");
/// assert_eq!(s.len(), 5);
/// assert_eq!(s, "Paris");
/// assert_eq!(s.to_uppercase(), "PARIS");
/// ```
#[derive(Clone)]
pub struct ArrowStr(Repr);

#[derive(Clone)]
enum Repr {
    /// Row `index` (checked to be in bounds) of a column.
    Column(Arc<StringArray>, usize),
    /// A value made in Rust.
    Owned(Arc<str>),
}

impl ArrowStr {
    /// The string.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Column(array, index) => array.value(*index),
            Repr::Owned(s) => s,
        }
    }
}

impl Deref for ArrowStr {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ArrowStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for ArrowStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Default for ArrowStr {
    fn default() -> Self {
        ArrowStr::from("")
    }
}

impl From<&str> for ArrowStr {
    fn from(s: &str) -> Self {
        ArrowStr(Repr::Owned(Arc::from(s)))
    }
}

impl From<String> for ArrowStr {
    fn from(s: String) -> Self {
        ArrowStr(Repr::Owned(Arc::from(s)))
    }
}

impl From<ArrowStr> for String {
    fn from(s: ArrowStr) -> Self {
        s.as_str().to_owned()
    }
}

impl fmt::Debug for ArrowStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ArrowStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl PartialEq for ArrowStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ArrowStr {}

impl PartialEq<str> for ArrowStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ArrowStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for ArrowStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for ArrowStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ArrowStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for ArrowStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// Bytes of string data reserved per row by a new builder (as for `String`).
const BYTES_PER_ROW: usize = 16;

impl ArrowField for ArrowStr {
    const TYPE: ConstType = ConstType::Expr("str");
    const NULLABLE: bool = false;
    const KIND: TypeKind = TypeKind::Str;
    const RUST_NAME: &'static str = "ArrowStr";
    type Builder = StringBuilder;
    type Column<'a> = Arc<StringArray>;

    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn new_builder(_: &DataType, capacity: usize) -> Self::Builder {
        StringBuilder::with_capacity(capacity, capacity.saturating_mul(BYTES_PER_ROW))
    }
    #[inline]
    fn append(builder: &mut Self::Builder, value: &Self) -> Result<(), ConvertError> {
        builder.append_value(value.as_str());
        Ok(())
    }
    fn append_null(builder: &mut Self::Builder) {
        builder.append_null();
    }
    fn view(array: &ArrayRef) -> Result<Self::Column<'_>, ConvertError> {
        array
            .as_string_opt::<i32>()
            .map(|a| Arc::new(a.clone()))
            .ok_or_else(|| downcast_failed(&DataType::Utf8, array))
    }
    #[inline]
    fn get(column: &Self::Column<'_>, index: usize) -> Result<Self, ConvertError> {
        if index < column.len() {
            Ok(ArrowStr(Repr::Column(Arc::clone(column), index)))
        } else {
            Err(out_of_bounds(index))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn column() -> ArrayRef {
        Arc::new(StringArray::from(vec![Some("a"), None, Some("été")]))
    }

    #[test]
    fn reads_point_into_the_column() {
        let array = column();
        let view = ArrowStr::view(&array).unwrap();
        let a = ArrowStr::get(&view, 0).unwrap();
        let e = ArrowStr::get(&view, 2).unwrap();
        assert_eq!(a, "a");
        assert_eq!(&*e, "été");
        assert_eq!(e.chars().count(), 3);
        // One view per column: every value shares it.
        assert_eq!(Arc::strong_count(&view), 3);
        drop((a, e));
        assert_eq!(Arc::strong_count(&view), 1);
        assert!(ArrowStr::get(&view, 3).is_err());
    }

    #[test]
    fn nullable_reads_and_writes_round_trip() {
        let array = column();
        let view = <Option<ArrowStr>>::view(&array).unwrap();
        let values: Vec<Option<ArrowStr>> = (0..3)
            .map(|i| <Option<ArrowStr>>::get(&view, i).unwrap())
            .collect();
        assert_eq!(values[1], None);
        let mut builder = <Option<ArrowStr>>::new_builder(&DataType::Utf8, 3);
        for v in &values {
            <Option<ArrowStr>>::append(&mut builder, v).unwrap();
        }
        let written = arrow::array::ArrayBuilder::finish(&mut builder);
        assert_eq!(written.as_ref(), array.as_ref());
    }

    #[test]
    fn behaves_like_a_string() {
        let read = ArrowStr::get(&ArrowStr::view(&column()).unwrap(), 0).unwrap();
        let made = ArrowStr::from("a".to_string());
        assert_eq!(read, made);
        assert_eq!(read.cmp(&ArrowStr::from("b")), Ordering::Less);
        let set: HashSet<ArrowStr> = [read.clone(), made].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert!(set.contains("a"));
        assert_eq!(format!("{read} {read:?}"), "a \"a\"");
        assert_eq!(String::from(read), "a");
        assert_eq!(ArrowStr::default(), "");
        assert!(
            ArrowStr::view(&(Arc::new(arrow::array::Int32Array::from(vec![1])) as ArrayRef))
                .is_err()
        );
    }
}
