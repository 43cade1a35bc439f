//! The error raised while converting one value or one column, before it knows its full column
//! path and its struct; [`ConvertError::into_fugue`] turns it into a [`FugueError`].

use arrow::datatypes::DataType;
use fugue_core::FugueError;

/// A conversion failure inside one column, tagged with the path of field names leading to it.
///
/// Generated code and the [`ArrowField`](super::ArrowField) impls return it; the public API of
/// [`Record`](super::Record) converts it to a [`FugueError`] naming the column and the struct.
#[derive(Debug)]
pub struct ConvertError {
    /// Path segments, innermost first (`["item", "scores"]` for `scores.item`).
    path: Vec<String>,
    kind: ConvertErrorKind,
}

#[derive(Debug)]
enum ConvertErrorKind {
    Missing,
    TypeMismatch {
        expected: String,
        found: String,
    },
    Null {
        rust_type: &'static str,
        /// The row of the first NULL, when known.
        row: Option<usize>,
        /// Its position in the row's list or map, for an item or a map value.
        item: Option<usize>,
    },
    Value {
        value: String,
        to: String,
        reason: String,
    },
    Arrow(arrow::error::ArrowError),
}

impl ConvertError {
    /// The column is absent.
    pub fn missing() -> Self {
        Self::new(ConvertErrorKind::Missing)
    }

    /// The column has another Arrow type than the field requires.
    pub fn type_mismatch(expected: &DataType, found: &DataType) -> Self {
        Self::new(ConvertErrorKind::TypeMismatch {
            expected: type_name(expected),
            found: type_name(found),
        })
    }

    /// The column holds a NULL at `row` but the field is not an `Option`.
    pub fn null_at(rust_type: &'static str, row: usize) -> Self {
        Self::new(ConvertErrorKind::Null {
            rust_type,
            row: Some(row),
            item: None,
        })
    }

    /// Item `item` of the list (or map) at `row` is NULL but the item type is not an `Option`.
    pub fn null_item_at(rust_type: &'static str, row: usize, item: usize) -> Self {
        Self::new(ConvertErrorKind::Null {
            rust_type,
            row: Some(row),
            item: Some(item),
        })
    }

    /// The same error with its row counted from `first_row` (the batch's first row in its
    /// frame).
    pub fn offset(mut self, first_row: usize) -> Self {
        if let ConvertErrorKind::Null { row: Some(row), .. } = &mut self.kind {
            *row += first_row;
        }
        self
    }

    /// One value cannot be represented in the target type.
    pub fn value(value: impl ToString, to: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::new(ConvertErrorKind::Value {
            value: value.to_string(),
            to: to.into(),
            reason: reason.into(),
        })
    }

    /// Arrow refused to build an array.
    pub fn arrow(err: arrow::error::ArrowError) -> Self {
        Self::new(ConvertErrorKind::Arrow(err))
    }

    fn new(kind: ConvertErrorKind) -> Self {
        ConvertError {
            path: Vec::new(),
            kind,
        }
    }

    /// Prefix the column path with the name of the enclosing field.
    #[cold]
    pub fn at(mut self, segment: &str) -> Self {
        self.path.push(segment.to_owned());
        self
    }

    /// The dotted column path (`scores.item`).
    pub fn column(&self) -> String {
        let mut segments = self.path.iter().rev().map(String::as_str);
        let mut out = segments.next().unwrap_or_default().to_owned();
        for s in segments {
            out.push('.');
            out.push_str(s);
        }
        out
    }

    /// The [`FugueError`] for a conversion of struct `record` (`schema` and `available` describe
    /// the record batch, for [`FugueError::ColumnNotFound`]).
    #[cold]
    pub fn into_fugue<'a>(
        self,
        record: &str,
        schema: &str,
        available: impl IntoIterator<Item = &'a str>,
    ) -> FugueError {
        let column = self.column();
        let context = format!("struct `{record}`");
        match self.kind {
            ConvertErrorKind::Missing => FugueError::column_not_found(
                &column,
                format!("the record batch read as struct `{record}`"),
                schema,
                available,
            ),
            ConvertErrorKind::TypeMismatch { expected, found } => FugueError::TypeMismatch {
                column,
                context,
                expected,
                found,
            },
            ConvertErrorKind::Null {
                rust_type,
                row,
                item,
            } => FugueError::Cast {
                value: match (row, item) {
                    (Some(row), Some(item)) => format!("NULL (row {row}, item {item})"),
                    (Some(row), None) => format!("NULL (row {row})"),
                    _ => "NULL".to_owned(),
                },
                to: rust_type.to_owned(),
                reason: format!(
                    "field `{column}` of struct `{record}` is not an `Option`; \
                     declare it as `Option<{rust_type}>` to accept NULL"
                ),
                column,
            },
            ConvertErrorKind::Value { value, to, reason } => FugueError::Cast {
                column,
                value,
                to,
                reason: format!("{reason} (struct `{record}`)"),
            },
            ConvertErrorKind::Arrow(e) => FugueError::external(
                format!("building column `{column}` of struct `{record}`"),
                e,
            ),
        }
    }
}

/// A type in messages, in the schema language (`long`, `[str]`); a type outside the supported
/// set prints as `?` and its Arrow form.
pub(crate) fn type_name(data_type: &DataType) -> String {
    fugue_core::types::type_expr(data_type)
}
