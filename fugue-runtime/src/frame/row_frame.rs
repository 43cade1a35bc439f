//! [`RowFrame`]: a bounded frame of rows of [`Value`]s (Fugue's `ArrayDataFrame`).

use super::Metadata;
use super::arrow_frame::ArrowFrame;
use super::ops;
use crate::like::IntoSchema;
use crate::value::Value;
use fugue_core::{Result, Schema};

/// A bounded, local frame: a schema and rows of values.
///
/// Like Fugue's `ArrayDataFrame`, the values are stored as given: the construction checks only
/// that every row has one value per column (an error names the row). Reading the rows with
/// [`RowFrame::to_rows`] (or converting to Arrow) is type-safe: every value is converted to its
/// column type, and one that does not fit is a [`fugue_core::FugueError::Cast`] naming the
/// column, the value and the row. [`RowFrame::raw_rows`] gives the values as stored.
#[derive(Debug, Clone)]
pub struct RowFrame {
    schema: Schema,
    rows: Vec<Vec<Value>>,
    metadata: Metadata,
}

impl RowFrame {
    /// A frame of `rows` under `schema` (any schema-like). A row of the wrong length is a
    /// [`fugue_core::FugueError::InvalidArgument`] naming the row.
    pub fn new(schema: impl IntoSchema, rows: Vec<Vec<Value>>) -> Result<Self> {
        let schema = schema.into_schema()?;
        ops::require_columns(&schema)?;
        ops::check_arity(&rows, &schema, 0)?;
        Ok(RowFrame {
            schema,
            rows,
            metadata: Metadata::new(),
        })
    }

    pub(crate) fn from_parts(schema: Schema, rows: Vec<Vec<Value>>, metadata: Metadata) -> Self {
        RowFrame {
            schema,
            rows,
            metadata,
        }
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The rows as stored (not converted to the schema).
    pub fn raw_rows(&self) -> &[Vec<Value>] {
        &self.rows
    }

    /// The rows as stored, by value.
    pub fn into_raw_rows(self) -> Vec<Vec<Value>> {
        self.rows
    }

    /// The number of rows.
    pub fn count(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows converted to the schema's types (type-safe; see the type docs).
    pub fn to_rows(&self) -> Result<Vec<Vec<Value>>> {
        self.to_arrow_frame()?.to_rows()
    }

    /// The frame as Arrow (type-safe; see the type docs). Metadata is kept.
    pub fn to_arrow_frame(&self) -> Result<ArrowFrame> {
        Ok(ArrowFrame::from_rows(self.schema.clone(), &self.rows)?
            .with_metadata(self.metadata.clone()))
    }

    /// The metadata carried by the frame.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The frame with its metadata replaced.
    pub fn with_metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// The first `n` rows.
    pub fn head(&self, n: usize) -> RowFrame {
        RowFrame {
            rows: self.rows.iter().take(n).cloned().collect(),
            ..self.clone()
        }
    }

    /// The listed columns, in the listed order (values kept as stored).
    pub fn select(&self, columns: &[&str]) -> Result<RowFrame> {
        let (schema, indices) = ops::select_schema(&self.schema, columns)?;
        Ok(self.project(schema, &indices))
    }

    /// Every column but the listed ones (values kept as stored).
    pub fn drop(&self, columns: &[&str]) -> Result<RowFrame> {
        let (schema, indices) = ops::drop_schema(&self.schema, columns)?;
        Ok(self.project(schema, &indices))
    }

    fn project(&self, schema: Schema, indices: &[usize]) -> RowFrame {
        let rows = self
            .rows
            .iter()
            .map(|r| indices.iter().map(|&i| r[i].clone()).collect())
            .collect();
        RowFrame::from_parts(schema, rows, self.metadata.clone())
    }

    /// The frame with columns renamed (`(old, new)` pairs, applied at once).
    pub fn rename(&self, pairs: &[(&str, &str)]) -> Result<RowFrame> {
        let schema = ops::rename_schema(&self.schema, pairs)?;
        Ok(RowFrame::from_parts(
            schema,
            self.rows.clone(),
            self.metadata.clone(),
        ))
    }

    /// The frame with the listed columns cast to new types (through Arrow, see
    /// [`super::DataFrame::alter_columns`]); the resulting rows hold converted values.
    pub fn alter_columns(&self, changes: impl IntoSchema) -> Result<RowFrame> {
        let altered = self.to_arrow_frame()?.alter_columns(changes)?;
        Ok(RowFrame::from_parts(
            altered.schema().clone(),
            altered.to_rows()?,
            self.metadata.clone(),
        ))
    }
}
