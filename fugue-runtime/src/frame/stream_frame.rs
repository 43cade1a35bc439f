//! [`StreamFrame`]: an unbounded, single-pass frame (Fugue's `IterableDataFrame` and
//! `LocalDataFrameIterableDataFrame`).

use super::Metadata;
use super::arrow_frame::ArrowFrame;
use super::ops;
use crate::like::IntoSchema;
use crate::value::Value;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use fugue_core::{FugueError, Result, Schema};
use std::collections::VecDeque;
use std::fmt;

/// How many rows of a row stream are converted into one Arrow batch.
pub const ROW_STREAM_BATCH_SIZE: usize = 1024;

type BatchIter = Box<dyn Iterator<Item = Result<RecordBatch>> + Send>;

/// An unbounded, single-pass frame: a schema and an iterator of Arrow batches (a stream of rows
/// is converted to batches of [`ROW_STREAM_BATCH_SIZE`] rows as it is read).
///
/// * Reading consumes: after [`StreamFrame::to_arrow_frame`], iteration or `as_rows`, the stream
///   is empty.
/// * [`StreamFrame::peek_batch`] and [`StreamFrame::is_empty`] look ahead without consuming (the
///   batch read ahead is kept and yielded later).
/// * The stream cannot be counted ([`super::DataFrame::count`] is
///   [`FugueError::InvalidOperation`]).
/// * `select`, `drop`, `rename` and `alter_columns` are lazy: they apply as batches flow.
///
/// Every batch is checked against the schema as it is read (a mismatch is a
/// [`FugueError::SchemaMismatch`] naming the batch). A `StreamFrame` is an
/// `Iterator<Item = Result<RecordBatch>>`.
pub struct StreamFrame {
    schema: Schema,
    arrow_schema: SchemaRef,
    ahead: VecDeque<RecordBatch>,
    source: BatchIter,
    metadata: Metadata,
    /// The rows of one bounded frame read as they come (a plan's): a map without keys calls
    /// its function once over them, as over the frame, never once per chunk.
    one_frame: bool,
}

impl fmt::Debug for StreamFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamFrame")
            .field("schema", &self.schema.to_string())
            .field("batches_read_ahead", &self.ahead.len())
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl StreamFrame {
    /// A stream of record batches under `schema` (any schema-like).
    pub fn from_batches<I>(schema: impl IntoSchema, batches: I) -> Result<Self>
    where
        I: IntoIterator<Item = RecordBatch>,
        I::IntoIter: Send + 'static,
    {
        StreamFrame::try_from_batches(schema, batches.into_iter().map(Ok))
    }

    /// A stream of fallible record batches (an error is yielded to the reader as is).
    pub fn try_from_batches<I>(schema: impl IntoSchema, batches: I) -> Result<Self>
    where
        I: IntoIterator<Item = Result<RecordBatch>>,
        I::IntoIter: Send + 'static,
    {
        let schema = schema.into_schema()?;
        ops::require_columns(&schema)?;
        let arrow_schema = ops::arrow_schema_of(&schema);
        let (s, target) = (schema.clone(), arrow_schema.clone());
        let source = batches.into_iter().enumerate().map(move |(i, batch)| {
            ops::conform_batch(
                batch?,
                &s,
                &target,
                &format!("stream batch {i} and the frame"),
            )
        });
        Ok(StreamFrame {
            schema,
            arrow_schema,
            ahead: VecDeque::new(),
            source: Box::new(source),
            metadata: Metadata::new(),
            one_frame: false,
        })
    }

    /// A stream of rows under `schema`, converted type-safely to Arrow batches as it is read: a
    /// row of the wrong length, or a value that does not fit its column, is an error (naming
    /// the row, counted from the start of the stream) yielded by the reader.
    pub fn from_rows<I>(schema: impl IntoSchema, rows: I) -> Result<Self>
    where
        I: IntoIterator<Item = Vec<Value>>,
        I::IntoIter: Send + 'static,
    {
        let schema = schema.into_schema()?;
        ops::require_columns(&schema)?;
        let arrow_schema = ops::arrow_schema_of(&schema);
        let chunks = RowChunks {
            rows: rows.into_iter(),
            schema: schema.clone(),
            target: arrow_schema.clone(),
            next_row: 0,
            failed: false,
        };
        Ok(StreamFrame {
            schema,
            arrow_schema,
            ahead: VecDeque::new(),
            source: Box::new(chunks),
            metadata: Metadata::new(),
            one_frame: false,
        })
    }

    /// Whether the stream is the rows of one bounded frame read as they come (a plan read as a
    /// stream, and what is derived from it batch by batch): a map without keys then calls its
    /// function once, as over the frame; over any other stream it is called per chunk.
    pub fn is_one_frame(&self) -> bool {
        self.one_frame
    }

    /// This stream marked as the rows of one bounded frame (see [`StreamFrame::is_one_frame`]).
    #[cfg_attr(not(feature = "datafusion"), allow(dead_code))] // only plans make one
    pub(crate) fn into_one_frame(mut self) -> Self {
        self.one_frame = true;
        self
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The Arrow schema every batch has.
    pub fn arrow_schema(&self) -> &SchemaRef {
        &self.arrow_schema
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

    /// The next non-empty batch, without consuming it; `None` when the stream is exhausted.
    pub fn peek_batch(&mut self) -> Result<Option<&RecordBatch>> {
        while self.ahead.front().is_some_and(|b| b.num_rows() == 0) {
            self.ahead.pop_front();
        }
        if self.ahead.is_empty() {
            for batch in self.source.by_ref() {
                let batch = batch?;
                if batch.num_rows() > 0 {
                    self.ahead.push_back(batch);
                    break;
                }
            }
        }
        Ok(self.ahead.front())
    }

    /// Whether no row is left (looks ahead without consuming).
    pub fn is_empty(&mut self) -> Result<bool> {
        Ok(self.peek_batch()?.is_none())
    }

    /// Read ahead until `n` rows (or the end) are buffered, without consuming them; returns the
    /// first `n` rows as batches.
    pub fn peek_rows(&mut self, n: usize) -> Result<Vec<RecordBatch>> {
        let mut buffered: usize = self.ahead.iter().map(RecordBatch::num_rows).sum();
        while buffered < n {
            match self.source.next() {
                Some(batch) => {
                    let batch = batch?;
                    buffered += batch.num_rows();
                    self.ahead.push_back(batch);
                }
                None => break,
            }
        }
        Ok(ops::head_batches(self.ahead.make_contiguous(), n))
    }

    /// Consume the first `n` rows and return them as a bounded frame; the rest of the stream
    /// stays readable.
    pub fn take(&mut self, n: usize) -> Result<ArrowFrame> {
        let mut batches = Vec::new();
        let mut left = n;
        while left > 0 {
            let Some(batch) = self.next().transpose()? else {
                break;
            };
            if batch.num_rows() > left {
                self.ahead
                    .push_front(batch.slice(left, batch.num_rows() - left));
                batches.push(batch.slice(0, left));
                left = 0;
            } else {
                left -= batch.num_rows();
                batches.push(batch);
            }
        }
        Ok(ArrowFrame::from_parts(
            self.schema.clone(),
            batches,
            self.metadata.clone(),
        ))
    }

    /// Read everything left into a bounded frame (the stream is then empty).
    pub fn to_arrow_frame(&mut self) -> Result<ArrowFrame> {
        let batches = self.by_ref().collect::<Result<Vec<_>>>()?;
        Ok(ArrowFrame::from_parts(
            self.schema.clone(),
            batches,
            self.metadata.clone(),
        ))
    }

    /// Apply `f` to each batch as it flows, under a new schema.
    /// This stream with `f` applied to each batch as it is read, under `schema` (lazy).
    pub(crate) fn map_batches<F>(self, schema: Schema, f: F) -> StreamFrame
    where
        F: Fn(&RecordBatch, &SchemaRef) -> Result<RecordBatch> + Send + 'static,
    {
        let arrow_schema = ops::arrow_schema_of(&schema);
        let target = arrow_schema.clone();
        let upstream = self.ahead.into_iter().map(Ok).chain(self.source);
        let source = upstream.map(move |batch| f(&batch?, &target));
        StreamFrame {
            schema,
            arrow_schema,
            ahead: VecDeque::new(),
            source: Box::new(source),
            metadata: self.metadata,
            one_frame: self.one_frame,
        }
    }

    /// The listed columns, in the listed order (lazy).
    pub fn select(self, columns: &[&str]) -> Result<StreamFrame> {
        let (schema, indices) = ops::select_schema(&self.schema, columns)?;
        Ok(self.map_batches(schema, move |b, t| ops::project_batch(b, &indices, t)))
    }

    /// Every column but the listed ones (lazy).
    pub fn drop(self, columns: &[&str]) -> Result<StreamFrame> {
        let (schema, indices) = ops::drop_schema(&self.schema, columns)?;
        Ok(self.map_batches(schema, move |b, t| ops::project_batch(b, &indices, t)))
    }

    /// The frame with columns renamed (lazy).
    pub fn rename(self, pairs: &[(&str, &str)]) -> Result<StreamFrame> {
        let schema = ops::rename_schema(&self.schema, pairs)?;
        Ok(self.map_batches(schema, ops::rename_batch))
    }

    /// The frame with the listed columns cast (lazy: a value that cannot be cast is an error
    /// yielded when its batch is read).
    pub fn alter_columns(self, changes: impl IntoSchema) -> Result<StreamFrame> {
        let schema = ops::alter_schema(&self.schema, &changes.into_schema()?)?;
        Ok(self.map_batches(schema, ops::alter_batch))
    }
}

/// Yields the batches left (read-ahead batches first); an exhausted stream yields `None`.
impl Iterator for StreamFrame {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.ahead.pop_front() {
            Some(batch) => Some(Ok(batch)),
            None => self.source.next(),
        }
    }
}

/// A bounded frame streamed batch by batch.
impl From<ArrowFrame> for StreamFrame {
    fn from(frame: ArrowFrame) -> Self {
        let schema = frame.schema().clone();
        let arrow_schema = frame.arrow_schema().clone();
        let metadata = frame.metadata().clone();
        StreamFrame {
            schema,
            arrow_schema,
            ahead: VecDeque::new(),
            source: Box::new(frame.into_batches().into_iter().map(Ok)),
            metadata,
            one_frame: false,
        }
    }
}

/// Groups a row iterator into Arrow batches.
struct RowChunks<I> {
    rows: I,
    schema: Schema,
    target: SchemaRef,
    next_row: usize,
    failed: bool,
}

impl<I: Iterator<Item = Vec<Value>>> Iterator for RowChunks<I> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let chunk: Vec<Vec<Value>> = self.rows.by_ref().take(ROW_STREAM_BATCH_SIZE).collect();
        if chunk.is_empty() {
            return None;
        }
        let first = self.next_row;
        self.next_row += chunk.len();
        let batch = ops::check_arity(&chunk, &self.schema, first)
            .and_then(|()| ops::rows_to_batch(&chunk, &self.schema, &self.target, first));
        if batch.is_err() {
            self.failed = true;
        }
        Some(batch)
    }
}

/// Counting a stream is not possible.
pub(crate) fn count_error() -> FugueError {
    FugueError::InvalidOperation(
        "a stream cannot be counted; materialise it first with `DataFrame::to_arrow_frame` (or \
         `as_batches`), then count the bounded frame"
            .into(),
    )
}
