//! The dataframes: [`ArrowFrame`] (bounded, Arrow batches), [`RowFrame`] (bounded, rows of
//! [`Value`]s), [`StreamFrame`] (unbounded, single pass) and [`PlanFrame`] (lazy: a DataFusion
//! plan, run when its rows are needed), and [`DataFrame`], the one type every API takes.
//!
//! All four are local frames with one partition. Conversions between them are lossless for
//! every supported type ([`DataFrame::to_arrow_frame`], [`DataFrame::to_row_frame`],
//! [`DataFrame::to_stream_frame`]). Methods that read data take `&mut self` because reading a
//! stream consumes it; on bounded frames they do not change anything.
//!
//! ```
//! use fugue_runtime::frame::DataFrame;
//! use fugue_runtime::{RowFrame, Value};
//!
//! let rows = vec![vec![Value::from(1_i32), Value::from("x")]];
//! let mut df = DataFrame::from(RowFrame::new("a:int,b:str", rows).unwrap());
//! assert_eq!(df.count().unwrap(), 1);
//! assert_eq!(df.peek_row().unwrap(), vec![Value::Int32(1), Value::from("x")]);
//! ```

mod arrow_frame;
mod frames;
mod ops;
#[cfg(feature = "datafusion")]
mod plan_frame;
#[cfg(not(feature = "datafusion"))]
#[path = "plan_frame_stub.rs"]
mod plan_frame;
mod row_frame;
mod stream_frame;

pub use arrow_frame::ArrowFrame;
pub use frames::DataFrames;
pub(crate) use frames::check_names as check_input_names;
#[cfg(feature = "datafusion")]
pub(crate) use ops::cast_column;
pub use plan_frame::PlanFrame;
#[cfg(feature = "datafusion")]
pub use plan_frame::{JobGuard, KeepAlive, PlanHome};
#[cfg(feature = "datafusion")]
pub(crate) use plan_frame::{Runner, SourceCheck, normalized_schema, out_of_memory, panic_text};
pub use row_frame::RowFrame;
pub use stream_frame::{ROW_STREAM_BATCH_SIZE, StreamFrame};

use crate::like::IntoSchema;
use crate::value::Value;
use arrow::array::RecordBatch;
use fugue_core::{FugueError, Result, Schema};
use std::collections::BTreeMap;

/// The metadata a frame carries: a string map (Fugue's `DataFrame.metadata`), printed by
/// [`DataFrame::show`]. Operations that derive a frame from another keep it.
pub type Metadata = BTreeMap<String, String>;

/// One row as a map from column name to value (the column order is the schema's).
pub type RowMap = BTreeMap<String, Value>;

/// Any dataframe: the type every API takes (see [`crate::like::IntoDataFrame`] for what converts
/// into it).
#[derive(Debug)]
pub enum DataFrame {
    /// A bounded frame of Arrow batches.
    Arrow(ArrowFrame),
    /// A bounded frame of rows of values.
    Rows(RowFrame),
    /// An unbounded, single-pass stream of batches.
    Stream(StreamFrame),
    /// A lazy frame: a DataFusion plan whose rows are computed when they are read.
    Plan(PlanFrame),
}

impl From<PlanFrame> for DataFrame {
    fn from(frame: PlanFrame) -> Self {
        DataFrame::Plan(frame)
    }
}

impl From<ArrowFrame> for DataFrame {
    fn from(frame: ArrowFrame) -> Self {
        DataFrame::Arrow(frame)
    }
}

impl From<RowFrame> for DataFrame {
    fn from(frame: RowFrame) -> Self {
        DataFrame::Rows(frame)
    }
}

impl From<StreamFrame> for DataFrame {
    fn from(frame: StreamFrame) -> Self {
        DataFrame::Stream(frame)
    }
}

fn empty_error(what: &str) -> FugueError {
    FugueError::InvalidOperation(format!(
        "the dataframe is empty; {what} needs at least one row"
    ))
}

impl DataFrame {
    /// The name of the frame's kind (`"ArrowFrame"`, `"RowFrame"`, `"StreamFrame"`,
    /// `"PlanFrame"`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            DataFrame::Arrow(_) => "ArrowFrame",
            DataFrame::Rows(_) => "RowFrame",
            DataFrame::Stream(_) => "StreamFrame",
            DataFrame::Plan(_) => "PlanFrame",
        }
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        match self {
            DataFrame::Arrow(f) => f.schema(),
            DataFrame::Rows(f) => f.schema(),
            DataFrame::Stream(f) => f.schema(),
            DataFrame::Plan(f) => f.schema(),
        }
    }

    /// The number of rows; a stream is [`FugueError::InvalidOperation`] (materialise it first
    /// with [`DataFrame::to_arrow_frame`]); a plan is counted by running a count over it.
    pub fn count(&self) -> Result<usize> {
        match self {
            DataFrame::Arrow(f) => Ok(f.count()),
            DataFrame::Rows(f) => Ok(f.count()),
            DataFrame::Stream(_) => Err(stream_frame::count_error()),
            DataFrame::Plan(f) => f.count(),
        }
    }

    /// Whether the frame is bounded (every frame but a stream).
    pub fn is_bounded(&self) -> bool {
        !matches!(self, DataFrame::Stream(_))
    }

    /// Whether the frame's rows are yet to be computed (a stream or a plan): reading it runs
    /// work, and reading it twice is not possible (a stream) or runs the work twice (a plan).
    pub fn is_lazy(&self) -> bool {
        matches!(self, DataFrame::Stream(_) | DataFrame::Plan(_))
    }

    /// Whether the frame is local (always true for these frames).
    pub fn is_local(&self) -> bool {
        true
    }

    /// The number of partitions (1 for every local frame).
    pub fn num_partitions(&self) -> usize {
        1
    }

    /// Whether there is no row (on a stream: looks ahead without consuming).
    pub fn is_empty(&mut self) -> Result<bool> {
        match self {
            DataFrame::Arrow(f) => Ok(f.is_empty()),
            DataFrame::Rows(f) => Ok(f.is_empty()),
            DataFrame::Stream(f) => f.is_empty(),
            DataFrame::Plan(f) => Ok(f.head(1)?.is_empty()),
        }
    }

    /// The metadata carried by the frame.
    pub fn metadata(&self) -> &Metadata {
        match self {
            DataFrame::Arrow(f) => f.metadata(),
            DataFrame::Rows(f) => f.metadata(),
            DataFrame::Stream(f) => f.metadata(),
            DataFrame::Plan(f) => f.metadata(),
        }
    }

    /// The frame with its metadata replaced.
    pub fn with_metadata(self, metadata: Metadata) -> Self {
        match self {
            DataFrame::Arrow(f) => f.with_metadata(metadata).into(),
            DataFrame::Rows(f) => f.with_metadata(metadata).into(),
            DataFrame::Stream(f) => f.with_metadata(metadata).into(),
            DataFrame::Plan(f) => f.with_metadata(metadata).into(),
        }
    }

    /// The frame as Arrow batches (a stream is read to its end and left empty).
    pub fn into_batches(self) -> Result<Vec<RecordBatch>> {
        Ok(self.to_arrow_frame()?.into_batches())
    }

    /// The Arrow batches (bounded frames: a copy, batches share buffers; a stream is read to
    /// its end and left empty).
    pub fn as_batches(&mut self) -> Result<Vec<RecordBatch>> {
        match self {
            DataFrame::Arrow(f) => Ok(f.batches().to_vec()),
            DataFrame::Rows(f) => Ok(f.to_arrow_frame()?.into_batches()),
            DataFrame::Stream(f) => f.by_ref().collect(),
            DataFrame::Plan(f) => Ok(f.clone().collect()?.into_batches()),
        }
    }

    /// The rows, each value converted to its column's type (type-safe; a value that does not
    /// fit is [`FugueError::Cast`] naming the column, the value and the row). A stream is read
    /// to its end and left empty.
    pub fn as_rows(&mut self) -> Result<Vec<Vec<Value>>> {
        match self {
            DataFrame::Arrow(f) => f.to_rows(),
            DataFrame::Rows(f) => f.to_rows(),
            DataFrame::Stream(f) => f.to_arrow_frame()?.to_rows(),
            DataFrame::Plan(f) => f.clone().collect()?.to_rows(),
        }
    }

    /// The rows as maps from column name to value (type-safe, like [`DataFrame::as_rows`]).
    /// A map is ordered by name; [`DataFrame::schema`] gives the column order.
    pub fn as_maps(&mut self) -> Result<Vec<RowMap>> {
        let names: Vec<String> = self.schema().names().map(str::to_string).collect();
        Ok(self
            .as_rows()?
            .into_iter()
            .map(|row| names.iter().cloned().zip(row).collect())
            .collect())
    }

    /// The first row (type-safe), without consuming a stream; an empty frame is
    /// [`FugueError::InvalidOperation`].
    pub fn peek_row(&mut self) -> Result<Vec<Value>> {
        let first = match self {
            DataFrame::Arrow(f) => f.head(1).to_rows()?,
            DataFrame::Rows(f) => f.head(1).to_rows()?,
            DataFrame::Stream(f) => {
                let batches = f.peek_rows(1)?;
                ArrowFrame::from_parts(f.schema().clone(), batches, Metadata::new()).to_rows()?
            }
            DataFrame::Plan(f) => f.head(1)?.to_rows()?,
        };
        first
            .into_iter()
            .next()
            .ok_or_else(|| empty_error("peek_row"))
    }

    /// The first row as a map (see [`DataFrame::peek_row`] and [`DataFrame::as_maps`]).
    pub fn peek_map(&mut self) -> Result<RowMap> {
        let row = self.peek_row().map_err(|e| match e {
            FugueError::InvalidOperation(_) => empty_error("peek_map"),
            other => other,
        })?;
        Ok(self.schema().names().map(str::to_string).zip(row).collect())
    }

    /// A bounded frame of the first `n` rows. On a stream, only those rows are read and
    /// consumed; the rest of the stream stays readable.
    pub fn head(&mut self, n: usize) -> Result<DataFrame> {
        Ok(match self {
            DataFrame::Arrow(f) => f.head(n).into(),
            DataFrame::Rows(f) => f.head(n).into(),
            DataFrame::Stream(f) => f.take(n)?.into(),
            DataFrame::Plan(f) => f.head(n)?.into(),
        })
    }

    /// The listed columns, in the listed order. A missing column is
    /// [`FugueError::ColumnNotFound`] (with the closest name suggested); an empty list is
    /// [`FugueError::InvalidArgument`]; a repeated column is [`FugueError::DuplicateColumn`].
    /// Lazy on a stream.
    pub fn select(self, columns: &[&str]) -> Result<DataFrame> {
        Ok(match self {
            DataFrame::Arrow(f) => f.select(columns)?.into(),
            DataFrame::Rows(f) => f.select(columns)?.into(),
            DataFrame::Stream(f) => f.select(columns)?.into(),
            DataFrame::Plan(f) => f.select(columns)?.into(),
        })
    }

    /// Every column but the listed ones. A missing column is [`FugueError::ColumnNotFound`];
    /// dropping every column is [`FugueError::InvalidArgument`]. Lazy on a stream.
    pub fn drop(self, columns: &[&str]) -> Result<DataFrame> {
        Ok(match self {
            DataFrame::Arrow(f) => f.drop(columns)?.into(),
            DataFrame::Rows(f) => f.drop(columns)?.into(),
            DataFrame::Stream(f) => f.drop(columns)?.into(),
            DataFrame::Plan(f) => f.drop(columns)?.into(),
        })
    }

    /// The frame with columns renamed by `(old, new)` pairs, applied at once (so a swap works);
    /// order kept. A missing old name is [`FugueError::ColumnNotFound`]; a resulting repeated
    /// name is [`FugueError::DuplicateColumn`]. Lazy on a stream.
    pub fn rename(self, pairs: &[(&str, &str)]) -> Result<DataFrame> {
        Ok(match self {
            DataFrame::Arrow(f) => f.rename(pairs)?.into(),
            DataFrame::Rows(f) => f.rename(pairs)?.into(),
            DataFrame::Stream(f) => f.rename(pairs)?.into(),
            DataFrame::Plan(f) => f.rename(pairs)?.into(),
        })
    }

    /// The frame with the columns of `changes` (a schema-like such as `"a:str,b:double"`) cast
    /// to their new types, column order kept, with Arrow's cast rules (`safe: false`: a float
    /// cast to an integer is truncated, a string is parsed). An unknown column is
    /// [`FugueError::ColumnNotFound`]; a value that cannot be cast is [`FugueError::Cast`]
    /// naming the column, the first offending value and its row. Lazy on a stream and on a
    /// plan, which is read as a stream (the error comes when the batch is read).
    pub fn alter_columns(self, changes: impl IntoSchema) -> Result<DataFrame> {
        Ok(match self {
            DataFrame::Arrow(f) => f.alter_columns(changes)?.into(),
            DataFrame::Rows(f) => f.alter_columns(changes)?.into(),
            DataFrame::Stream(f) => f.alter_columns(changes)?.into(),
            #[cfg(feature = "datafusion")]
            DataFrame::Plan(f) if f.location().is_none() => {
                f.alter_columns(&changes.into_schema()?)?.into()
            }
            DataFrame::Plan(f) => f.into_stream()?.alter_columns(changes)?.into(),
        })
    }

    /// The frame as an [`ArrowFrame`] (lossless; a stream is read to its end; a plan is run;
    /// rows are converted type-safely). Metadata is kept.
    pub fn to_arrow_frame(self) -> Result<ArrowFrame> {
        match self {
            DataFrame::Arrow(f) => Ok(f),
            DataFrame::Rows(f) => f.to_arrow_frame(),
            DataFrame::Stream(mut f) => f.to_arrow_frame(),
            DataFrame::Plan(f) => f.collect(),
        }
    }

    /// The frame as a [`RowFrame`] of converted values (lossless). Metadata is kept.
    pub fn to_row_frame(self) -> Result<RowFrame> {
        match self {
            DataFrame::Rows(f) => {
                let rows = f.to_rows()?;
                Ok(RowFrame::from_parts(
                    f.schema().clone(),
                    rows,
                    f.metadata().clone(),
                ))
            }
            other => {
                let arrow = other.to_arrow_frame()?;
                let rows = arrow.to_rows()?;
                Ok(RowFrame::from_parts(
                    arrow.schema().clone(),
                    rows,
                    arrow.metadata().clone(),
                ))
            }
        }
    }

    /// The frame as a [`StreamFrame`] (a bounded frame is streamed batch by batch; a plan
    /// streams as it runs; rows are converted type-safely as they are read). Metadata is kept.
    pub fn to_stream_frame(self) -> Result<StreamFrame> {
        match self {
            DataFrame::Stream(f) => Ok(f),
            DataFrame::Arrow(f) => Ok(f.into()),
            DataFrame::Plan(f) => f.into_stream(),
            DataFrame::Rows(f) => {
                let metadata = f.metadata().clone();
                let schema = f.schema().clone();
                Ok(StreamFrame::from_rows(schema, f.into_raw_rows())?.with_metadata(metadata))
            }
        }
    }

    /// A bounded frame of computed rows: a stream is read and a plan is run into an
    /// [`ArrowFrame`]; other frames are returned unchanged (Fugue's `as_local_bounded`).
    pub fn materialize(self) -> Result<DataFrame> {
        match self {
            DataFrame::Stream(mut f) => Ok(f.to_arrow_frame()?.into()),
            DataFrame::Plan(f) => Ok(f.collect()?.into()),
            computed => Ok(computed),
        }
    }

    /// The text [`DataFrame::show`] prints: the optional title, the frame kind, a table of the
    /// first `n` rows whose header cells are `name:type` (NULL shown as `NULL`), then
    /// `Total count: N` when every row fits in the table (fewer than `n` rows, so the count is
    /// known), then the metadata. This is Fugue's `show(n, with_count=False)`; to print the count
    /// of a larger frame too, use [`DataFrame::show_string_with_count`]. A stream is looked
    /// ahead, not consumed.
    ///
    /// ```
    /// use fugue_runtime::{DataFrame, RowFrame, Value};
    ///
    /// let rows = vec![
    ///     vec![Value::from(1_i32), Value::from("x")],
    ///     vec![Value::Null, Value::Null],
    ///     vec![Value::from(3_i32), Value::from("z")],
    /// ];
    /// let mut df = DataFrame::from(RowFrame::new("a:int,b:str", rows).unwrap());
    /// assert_eq!(
    ///     df.show_string(2, Some("first rows")).unwrap(),
    ///     "first rows\nRowFrame\n\
    ///      +-------+-------+\n\
    ///      | a:int | b:str |\n\
    ///      +-------+-------+\n\
    ///      | 1     | x     |\n\
    ///      | NULL  | NULL  |\n\
    ///      +-------+-------+\n"
    /// );
    /// assert!(df.show_string(5, None).unwrap().ends_with("Total count: 3\n"));
    /// assert!(df.show_string_with_count(2, None).unwrap().ends_with("Total count: 3\n"));
    /// ```
    pub fn show_string(&mut self, n: usize, title: Option<&str>) -> Result<String> {
        self.show_text(n, false, title)
    }

    /// [`DataFrame::show_string`] that always ends the table with `Total count: N` (Fugue's
    /// `with_count=True`). A stream is read to its end to count it and kept as a bounded frame
    /// (this frame holds its rows afterwards), so nothing is lost.
    pub fn show_string_with_count(&mut self, n: usize, title: Option<&str>) -> Result<String> {
        self.show_text(n, true, title)
    }

    fn show_text(&mut self, n: usize, with_count: bool, title: Option<&str>) -> Result<String> {
        if with_count && let DataFrame::Stream(f) = self {
            *self = DataFrame::Arrow(f.to_arrow_frame()?);
        }
        let kind = self.kind_name();
        let batches = match self {
            DataFrame::Arrow(f) => f.head(n).into_batches(),
            DataFrame::Rows(f) => f.head(n).to_arrow_frame()?.into_batches(),
            DataFrame::Stream(f) => f.peek_rows(n)?,
            DataFrame::Plan(f) => f.head(n)?.into_batches(),
        };
        let shown: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let total = if shown < n {
            Some(shown)
        } else if with_count {
            Some(self.count()?)
        } else {
            None
        };
        ops::format_table(kind, self.schema(), &batches, total, title, self.metadata())
    }

    /// Print [`DataFrame::show_string`] of the first `n` rows to stdout.
    pub fn show(&mut self, n: usize) -> Result<()> {
        print!("{}", self.show_string(n, None)?);
        Ok(())
    }

    /// Print [`DataFrame::show_string_with_count`] of the first `n` rows to stdout.
    pub fn show_with_count(&mut self, n: usize) -> Result<()> {
        print!("{}", self.show_string_with_count(n, None)?);
        Ok(())
    }
}
