//! Schemas as `const` data, emitted by `#[derive(Schema)]` and (later) by the transformer macros,
//! so that schema checks can run in const evaluation and the runtime can rebuild a [`Schema`].

use crate::error::Result;
use crate::schema::{Column, Schema};
use arrow_schema::DataType;

/// A column type written as const data.
#[derive(Debug, Clone, Copy)]
pub enum ConstType {
    /// A type expression of the schema language (`"long"`, `"decimal(10,2)"`, `"datetime"`).
    Expr(&'static str),
    /// A list of the element type.
    List(&'static ConstType),
    /// A struct of the fields.
    Struct(&'static [ConstColumn]),
    /// A map from the key type to the value type.
    Map(&'static ConstType, &'static ConstType),
}

/// A column written as const data.
#[derive(Debug, Clone, Copy)]
pub struct ConstColumn {
    /// The column name, unquoted.
    pub name: &'static str,
    /// The column type.
    pub ty: ConstType,
    /// Whether the column may hold NULL.
    pub nullable: bool,
}

impl ConstType {
    /// The canonical Arrow type.
    pub fn to_data_type(&self) -> Result<DataType> {
        match self {
            ConstType::Expr(e) => crate::types::parse_type(e),
            ConstType::List(t) => Ok(crate::types::list_of(t.to_data_type()?)),
            ConstType::Struct(cols) => {
                Ok(crate::types::struct_of(Schema::from_const(cols)?.columns()))
            }
            ConstType::Map(k, v) => Ok(crate::types::map_of(k.to_data_type()?, v.to_data_type()?)),
        }
    }
}

impl Schema {
    /// The schema described by const columns.
    pub fn from_const(columns: &[ConstColumn]) -> Result<Schema> {
        let cols = columns
            .iter()
            .map(|c| {
                Ok(Column::with_nullable(
                    c.name,
                    c.ty.to_data_type()?,
                    c.nullable,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Schema::new(cols)
    }
}
