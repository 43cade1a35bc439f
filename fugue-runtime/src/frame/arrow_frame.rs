//! [`ArrowFrame`]: a bounded frame of Arrow record batches (Fugue's `ArrowDataFrame`).

use super::Metadata;
use super::ops;
use crate::like::IntoSchema;
use crate::value::Value;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use fugue_core::{FugueError, Result, Schema};

/// A bounded, local frame: a schema and zero or more Arrow record batches that all have exactly
/// the frame's (canonical) Arrow schema.
///
/// Batches given with another but compatible Arrow schema (other list item names, other
/// nullability of nested fields) are cast to the canonical one; batches with other column names
/// or types are a [`FugueError::SchemaMismatch`] naming the batch and both schemas.
#[derive(Debug, Clone)]
pub struct ArrowFrame {
    schema: Schema,
    arrow_schema: SchemaRef,
    batches: Vec<RecordBatch>,
    metadata: Metadata,
}

impl ArrowFrame {
    /// A frame of `batches` under `schema` (any schema-like: `"a:int,b:str"`, a [`Schema`], an
    /// Arrow schema). Every batch must match the schema; no batch is an empty frame.
    pub fn new(schema: impl IntoSchema, batches: Vec<RecordBatch>) -> Result<Self> {
        let schema = schema.into_schema()?;
        ops::require_columns(&schema)?;
        let arrow_schema = ops::arrow_schema_of(&schema);
        let batches = batches
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                ops::conform_batch(
                    b,
                    &schema,
                    &arrow_schema,
                    &format!("batch {i} and the frame"),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ArrowFrame {
            schema,
            arrow_schema,
            batches,
            metadata: Metadata::new(),
        })
    }

    /// An empty frame of `schema`.
    pub fn empty(schema: impl IntoSchema) -> Result<Self> {
        ArrowFrame::new(schema, Vec::new())
    }

    /// A frame of batches that share one schema, taken from the first batch. An empty list is a
    /// [`FugueError::Conversion`] (no schema); a batch with another schema is a
    /// [`FugueError::SchemaMismatch`] naming the batch and both schemas.
    pub fn from_batches(batches: Vec<RecordBatch>) -> Result<Self> {
        let Some(first) = batches.first() else {
            return Err(FugueError::Conversion {
                given: "an empty list of record batches".into(),
                target: "a dataframe".into(),
                accepted: "at least one batch, or `ArrowFrame::new(schema, batches)`".into(),
            });
        };
        let schema = Schema::from_arrow(first.schema_ref())?;
        ArrowFrame::new(schema, batches)
    }

    /// A frame of rows under `schema`, converted type-safely (see [`crate::value`]): a value
    /// that does not fit its column is a [`FugueError::Cast`] naming the column, the value and
    /// the row.
    pub fn from_rows(schema: impl IntoSchema, rows: &[Vec<Value>]) -> Result<Self> {
        let schema = schema.into_schema()?;
        ops::require_columns(&schema)?;
        ops::check_arity(rows, &schema, 0)?;
        let arrow_schema = ops::arrow_schema_of(&schema);
        let batch = ops::rows_to_batch(rows, &schema, &arrow_schema, 0)?;
        Ok(ArrowFrame {
            schema,
            arrow_schema,
            batches: vec![batch],
            metadata: Metadata::new(),
        })
    }

    /// Internal: batches already conformed to `schema`.
    pub(crate) fn from_parts(
        schema: Schema,
        batches: Vec<RecordBatch>,
        metadata: Metadata,
    ) -> Self {
        let arrow_schema = ops::arrow_schema_of(&schema);
        ArrowFrame {
            schema,
            arrow_schema,
            batches,
            metadata,
        }
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The Arrow schema every batch has.
    pub fn arrow_schema(&self) -> &SchemaRef {
        &self.arrow_schema
    }

    /// The batches.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// The batches, by value.
    pub fn into_batches(self) -> Vec<RecordBatch> {
        self.batches
    }

    /// The number of rows.
    pub fn count(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// The rows as values (lossless for every supported type).
    pub fn to_rows(&self) -> Result<Vec<Vec<Value>>> {
        let mut rows = Vec::with_capacity(self.count());
        for batch in &self.batches {
            rows.extend(ops::batch_to_rows(batch)?);
        }
        Ok(rows)
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
    pub fn head(&self, n: usize) -> ArrowFrame {
        ArrowFrame {
            batches: ops::head_batches(&self.batches, n),
            ..self.clone()
        }
    }

    /// The listed columns, in the listed order.
    pub fn select(&self, columns: &[&str]) -> Result<ArrowFrame> {
        let (schema, indices) = ops::select_schema(&self.schema, columns)?;
        self.project(schema, &indices)
    }

    /// Every column but the listed ones.
    pub fn drop(&self, columns: &[&str]) -> Result<ArrowFrame> {
        let (schema, indices) = ops::drop_schema(&self.schema, columns)?;
        self.project(schema, &indices)
    }

    fn project(&self, schema: Schema, indices: &[usize]) -> Result<ArrowFrame> {
        let target = ops::arrow_schema_of(&schema);
        let batches = self
            .batches
            .iter()
            .map(|b| ops::project_batch(b, indices, &target))
            .collect::<Result<Vec<_>>>()?;
        Ok(ArrowFrame::from_parts(
            schema,
            batches,
            self.metadata.clone(),
        ))
    }

    /// The frame with columns renamed (`(old, new)` pairs, applied at once).
    pub fn rename(&self, pairs: &[(&str, &str)]) -> Result<ArrowFrame> {
        let schema = ops::rename_schema(&self.schema, pairs)?;
        let target = ops::arrow_schema_of(&schema);
        let batches = self
            .batches
            .iter()
            .map(|b| ops::rename_batch(b, &target))
            .collect::<Result<Vec<_>>>()?;
        Ok(ArrowFrame::from_parts(
            schema,
            batches,
            self.metadata.clone(),
        ))
    }

    /// The frame with the listed columns cast to new types (see
    /// [`super::DataFrame::alter_columns`]).
    pub fn alter_columns(&self, changes: impl IntoSchema) -> Result<ArrowFrame> {
        let schema = ops::alter_schema(&self.schema, &changes.into_schema()?)?;
        let target = ops::arrow_schema_of(&schema);
        let batches = self
            .batches
            .iter()
            .map(|b| ops::alter_batch(b, &target))
            .collect::<Result<Vec<_>>>()?;
        Ok(ArrowFrame::from_parts(
            schema,
            batches,
            self.metadata.clone(),
        ))
    }
}
