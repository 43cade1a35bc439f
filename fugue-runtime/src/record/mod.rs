#![doc = include_str!("types.md")]

mod arrow_str;
mod decimal;
mod error;
mod field;
mod nested;
#[doc(hidden)]
pub mod support;
mod temporal;

pub use arrow_str::ArrowStr;
pub use decimal::{DEFAULT_PRECISION, DEFAULT_SCALE, DecimalBuilder, DecimalColumn};
pub use error::ConvertError;
pub use field::{ArrowField, Bytes, TypeKind};
pub use nested::{ListColumn, MapColumn, StructColumn, StructFieldBuilder};
pub use temporal::{TimestampBuilder, TimestampColumn};

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::SchemaRef;
use fugue_core::{ConstColumn, FugueError, Result, Schema};
use std::sync::Arc;
use support::RecordImpl;

/// A struct whose values are the rows of Arrow record batches; implemented by
/// `#[derive(Schema)]`.
///
/// The struct's [`Schema`] is known at compile time as const data ([`Record::COLUMNS`]), and the
/// conversions to and from [`RecordBatch`] are generated code.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a record type: it has no schema",
    label = "`{Self}` does not derive `Schema`",
    note = "rows of a transformer are structs with `#[derive(Schema)]`; for data whose schema is \
            known only at run time use `RecordBatch` (with a `schema = \"...\"` hint on outputs)"
)]
pub trait Record: RecordImpl {
    /// The columns, as const data: one per field, in declaration order.
    const COLUMNS: &'static [ConstColumn];

    /// The schema of the struct (computed once).
    fn schema() -> Schema;

    /// The Arrow schema of the batches this struct converts to (computed once).
    fn arrow_schema() -> Result<SchemaRef> {
        let fields = Self::arrow_fields()?;
        Ok(Arc::new(arrow::datatypes::Schema::new(fields.clone())))
    }

    /// Convert rows to one record batch.
    fn to_record_batch(rows: &[Self]) -> Result<RecordBatch> {
        build_batch(Self::arrow_schema()?, rows.iter())
    }

    /// Convert a record batch to rows; columns are matched by name (order and extra columns
    /// do not matter).
    ///
    /// A missing column is [`FugueError::ColumnNotFound`], a column of another type is
    /// [`FugueError::TypeMismatch`], and a NULL in a field that is not an `Option` (or a value
    /// the Rust type cannot hold) is [`FugueError::Cast`].
    fn from_record_batch(batch: &RecordBatch) -> Result<Vec<Self>> {
        Self::from_record_batch_at(batch, 0)
    }

    /// [`from_record_batch`](Record::from_record_batch) of a batch whose first row is row
    /// `first_row` of a larger frame: an error names the row in the frame.
    fn from_record_batch_at(batch: &RecordBatch, first_row: usize) -> Result<Vec<Self>> {
        let rows = Self::iter_record_batch_at(batch, first_row)?;
        let mut out = Vec::with_capacity(batch.num_rows());
        for row in rows {
            out.push(row?);
        }
        Ok(out)
    }

    /// Iterate over the rows of a record batch, checking the columns once up front.
    fn iter_record_batch(batch: &RecordBatch) -> Result<RecordIter<'_, Self>> {
        Self::iter_record_batch_at(batch, 0)
    }

    /// [`iter_record_batch`](Record::iter_record_batch) of a batch whose first row is row
    /// `first_row` of a larger frame.
    fn iter_record_batch_at(batch: &RecordBatch, first_row: usize) -> Result<RecordIter<'_, Self>> {
        let fields = Self::arrow_fields()?;
        let source = |name: &str| batch.column_by_name(name);
        let view = Self::view(fields, &source, None)
            .map_err(|e| batch_error::<Self>(e.offset(first_row), batch))?;
        Ok(RecordIter {
            view,
            batch,
            next: 0,
        })
    }

    /// Convert rows to record batches of at most `batch_size` rows each (at least one row).
    fn batches_from_iter<I>(rows: I, batch_size: usize) -> RecordBatches<I::IntoIter, Self>
    where
        I: IntoIterator<Item = Self>,
    {
        RecordBatches {
            rows: rows.into_iter(),
            batch_size: batch_size.max(1),
            done: false,
            _record: std::marker::PhantomData,
        }
    }
}

fn build_batch<'r, T: Record>(
    schema: SchemaRef,
    rows: impl ExactSizeIterator<Item = &'r T>,
) -> Result<RecordBatch> {
    let len = rows.len();
    let mut builders = T::new_builders(schema.fields(), len);
    for row in rows {
        T::append(&mut builders, row).map_err(|e| e.into_fugue(T::NAME, "", []))?;
    }
    let columns: Vec<ArrayRef> = T::finish(&mut builders);
    let options = RecordBatchOptions::new().with_row_count(Some(len));
    Ok(RecordBatch::try_new_with_options(
        schema, columns, &options,
    )?)
}

#[cold]
fn batch_error<T: RecordImpl>(e: ConvertError, batch: &RecordBatch) -> FugueError {
    let schema = batch.schema();
    let printed: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| {
            let name = fugue_core::quote_name(f.name());
            format!("{name}:{}", error::type_name(f.data_type()))
        })
        .collect();
    let names = schema.fields().iter().map(|f| f.name().as_str());
    e.into_fugue(T::NAME, &printed.join(","), names)
}

/// The rows of one record batch, read one at a time (see [`Record::iter_record_batch`]).
pub struct RecordIter<'a, T: Record> {
    view: T::View<'a>,
    batch: &'a RecordBatch,
    next: usize,
}

impl<T: Record> Iterator for RecordIter<'_, T> {
    type Item = Result<T>;

    #[inline]
    fn next(&mut self) -> Option<Result<T>> {
        if self.next >= self.batch.num_rows() {
            return None;
        }
        let row = T::get(&self.view, self.next).map_err(|e| batch_error::<T>(e, self.batch));
        self.next += 1;
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.batch.num_rows().saturating_sub(self.next);
        (left, Some(left))
    }
}

impl<T: Record> ExactSizeIterator for RecordIter<'_, T> {}

/// Record batches made from an iterator of rows (see [`Record::batches_from_iter`]).
pub struct RecordBatches<I, T> {
    rows: I,
    batch_size: usize,
    done: bool,
    _record: std::marker::PhantomData<fn() -> T>,
}

impl<I: Iterator<Item = T>, T: Record> Iterator for RecordBatches<I, T> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Result<RecordBatch>> {
        if self.done {
            return None;
        }
        let chunk: Vec<T> = self.rows.by_ref().take(self.batch_size).collect();
        if chunk.len() < self.batch_size {
            self.done = true;
        }
        if chunk.is_empty() {
            return None;
        }
        Some(T::to_record_batch(&chunk))
    }
}
