//! The schema model: an ordered list of uniquely named, typed columns.
//!
//! Types are Arrow types from Fugue's supported set, held in a canonical form (list items are
//! named `item` and nullable, struct fields are nullable, map entries are `entries{key, value}`),
//! so that structural equality on schemas is plain equality on names and types.

use crate::error::Result;
use arrow_schema::DataType;
use std::fmt;

/// One column of a [`Schema`].
#[derive(Debug, Clone)]
pub struct Column {
    name: String,
    data_type: DataType,
    nullable: bool,
}

impl Column {
    /// A nullable column (every column parsed from an expression is nullable).
    pub fn new(name: impl Into<String>, data_type: DataType) -> Self {
        Column {
            name: name.into(),
            data_type,
            nullable: true,
        }
    }

    /// A column with explicit nullability (derived structs: only `Option<T>` fields are nullable).
    pub fn with_nullable(name: impl Into<String>, data_type: DataType, nullable: bool) -> Self {
        Column {
            name: name.into(),
            data_type,
            nullable,
        }
    }

    /// The column's name, unquoted.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The column's Arrow type.
    pub fn data_type(&self) -> &DataType {
        &self.data_type
    }

    /// Whether the column may hold NULL.
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }
}

/// An ordered list of uniquely named, typed columns.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    columns: Vec<Column>,
}

impl Schema {
    /// The schema with no column.
    pub fn empty() -> Self {
        Schema::default()
    }

    /// A schema from columns; a repeated name is [`crate::FugueError::DuplicateColumn`], an
    /// unsupported type is [`crate::FugueError::SchemaSyntax`]-free [`crate::FugueError::Unsupported`].
    pub fn new(columns: Vec<Column>) -> Result<Self> {
        let _ = columns;
        todo!("fugue-core helper")
    }

    /// Parse a schema expression such as `a:int,b:[str]`.
    pub fn parse(expr: &str) -> Result<Self> {
        let _ = expr;
        todo!("fugue-core helper")
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether there is no column.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    /// The position of a column.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The Arrow schema.
    pub fn to_arrow(&self) -> arrow_schema::Schema {
        todo!("fugue-core helper")
    }

    /// A schema from an Arrow schema; a type outside the supported set is a clear error.
    pub fn from_arrow(schema: &arrow_schema::Schema) -> Result<Self> {
        let _ = schema;
        todo!("fugue-core helper")
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = f;
        todo!("fugue-core helper")
    }
}
