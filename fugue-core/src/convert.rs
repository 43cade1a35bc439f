//! "Schema-like" conversions (reference §8): the forms an API taking a schema accepts.
//!
//! | from | how |
//! |---|---|
//! | `&str`, `String` (`FromStr` too) | [`Schema::parse`] |
//! | `&arrow_schema::Schema`, `arrow_schema::Schema`, `SchemaRef` | [`Schema::from_arrow`] |
//! | `Vec<Field>`, `&[Field]`, `Fields` | Arrow fields, nullability kept |
//! | `Vec<(&str, DataType)>` | names and Arrow types (columns nullable) |
//! | `Vec<(&str, &str)>` | names and type expressions (`("a", "int")`) |
//!
//! And back: `arrow_schema::Schema` and `SchemaRef` from `&Schema` or `Schema`.
//!
//! A failed conversion says what was given and what is accepted: a malformed expression is
//! [`FugueError::SchemaSyntax`] (showing the expression and where it fails), an Arrow type
//! outside the supported set is [`FugueError::Unsupported`] (naming the column, the type and
//! the supported types), a repeated name is [`FugueError::DuplicateColumn`].

use crate::error::{FugueError, Result};
use crate::schema::{Column, Schema};
use crate::types;
use arrow_schema::{DataType, Field, Fields, SchemaRef};
use std::str::FromStr;
use std::sync::Arc;

impl FromStr for Schema {
    type Err = FugueError;

    fn from_str(s: &str) -> Result<Self> {
        Schema::parse(s)
    }
}

impl TryFrom<&str> for Schema {
    type Error = FugueError;

    fn try_from(value: &str) -> Result<Self> {
        Schema::parse(value)
    }
}

impl TryFrom<String> for Schema {
    type Error = FugueError;

    fn try_from(value: String) -> Result<Self> {
        Schema::parse(&value)
    }
}

impl TryFrom<&arrow_schema::Schema> for Schema {
    type Error = FugueError;

    fn try_from(value: &arrow_schema::Schema) -> Result<Self> {
        Schema::from_arrow(value)
    }
}

impl TryFrom<arrow_schema::Schema> for Schema {
    type Error = FugueError;

    fn try_from(value: arrow_schema::Schema) -> Result<Self> {
        Schema::from_arrow(&value)
    }
}

impl TryFrom<SchemaRef> for Schema {
    type Error = FugueError;

    fn try_from(value: SchemaRef) -> Result<Self> {
        Schema::from_arrow(&value)
    }
}

impl TryFrom<&[Field]> for Schema {
    type Error = FugueError;

    fn try_from(value: &[Field]) -> Result<Self> {
        Schema::new(value.iter().map(column_of_field).collect())
    }
}

impl TryFrom<Vec<Field>> for Schema {
    type Error = FugueError;

    fn try_from(value: Vec<Field>) -> Result<Self> {
        Schema::try_from(value.as_slice())
    }
}

impl TryFrom<&Fields> for Schema {
    type Error = FugueError;

    fn try_from(value: &Fields) -> Result<Self> {
        Schema::new(value.iter().map(|f| column_of_field(f)).collect())
    }
}

impl TryFrom<Vec<(&str, DataType)>> for Schema {
    type Error = FugueError;

    fn try_from(value: Vec<(&str, DataType)>) -> Result<Self> {
        Schema::new(
            value
                .into_iter()
                .map(|(name, data_type)| Column::new(name, data_type))
                .collect(),
        )
    }
}

impl TryFrom<Vec<(&str, &str)>> for Schema {
    type Error = FugueError;

    fn try_from(value: Vec<(&str, &str)>) -> Result<Self> {
        Schema::new(
            value
                .into_iter()
                .map(|(name, expr)| Ok(Column::new(name, types::parse_type(expr)?)))
                .collect::<Result<Vec<_>>>()?,
        )
    }
}

impl From<&Schema> for arrow_schema::Schema {
    fn from(value: &Schema) -> Self {
        value.to_arrow()
    }
}

impl From<Schema> for arrow_schema::Schema {
    fn from(value: Schema) -> Self {
        value.to_arrow()
    }
}

impl From<&Schema> for SchemaRef {
    fn from(value: &Schema) -> Self {
        Arc::new(value.to_arrow())
    }
}

impl From<Schema> for SchemaRef {
    fn from(value: Schema) -> Self {
        Arc::new(value.to_arrow())
    }
}

fn column_of_field(field: &Field) -> Column {
    Column::with_nullable(field.name(), field.data_type().clone(), field.is_nullable())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn every_schema_like_gives_the_same_schema() {
        let expected = Schema::parse("a:int,b:str").unwrap();
        let arrow = expected.to_arrow();
        let arc: SchemaRef = (&expected).into();
        let fields = vec![
            Field::new("a", DataType::Int32, true),
            Field::new("b", DataType::Utf8, true),
        ];
        let candidates = [
            "a:int, b:str".parse::<Schema>().unwrap(),
            Schema::try_from("a:int,b:string").unwrap(),
            Schema::try_from(String::from("a:int32,b:str")).unwrap(),
            Schema::try_from(&arrow).unwrap(),
            Schema::try_from(arc.clone()).unwrap(),
            Schema::try_from(fields.clone()).unwrap(),
            Schema::try_from(arc.fields()).unwrap(),
            Schema::try_from(vec![("a", DataType::Int32), ("b", DataType::Utf8)]).unwrap(),
            Schema::try_from(vec![("a", "int"), ("b", "str")]).unwrap(),
        ];
        for schema in candidates {
            assert_eq!(schema, expected);
        }
        assert_eq!(arrow_schema::Schema::from(&expected), arrow);
    }

    #[test]
    fn failed_conversions_say_what_is_wrong() {
        let err = Schema::try_from(vec![("a", "INT")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SchemaSyntax);
        assert!(err.to_string().contains("INT"), "{err}");
        let err = Schema::try_from(vec![("a", DataType::LargeUtf8)]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
        let err = Schema::try_from(vec![("a", "int"), ("a", "str")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateColumn);
    }
}
