//! X-like inputs: what an API accepts where it needs a schema ([`IntoSchema`]) or a dataframe
//! ([`IntoDataFrame`]), Fugue's "schema-like" and "DataFrame-like" (reference §8).
//!
//! | trait | accepted |
//! |---|---|
//! | [`IntoSchema`] | [`Schema`], `&Schema`, an expression (`&str`, `String`), an Arrow `Schema` / `SchemaRef`, Arrow fields, `(name, type)` lists, `Vec<Column>` |
//! | [`IntoDataFrame`] | [`DataFrame`], [`ArrowFrame`], [`RowFrame`], [`StreamFrame`], one `RecordBatch`, `Vec<RecordBatch>` (one shared schema), `(Vec<RecordBatch>, schema-like)`, `(Vec<Vec<Value>>, schema-like)`, `Vec<T>` and `&[T]` of a `#[derive(Schema)]` type |
//!
//! A stream is built with [`StreamFrame::from_batches`] or [`StreamFrame::from_rows`] (an
//! iterator plus a schema-like) and then passed as a frame.
//!
//! ```
//! use fugue_runtime::like::IntoDataFrame;
//! use fugue_runtime::Value;
//!
//! let mut df = (vec![vec![Value::from(1_i64)]], "a:long").into_dataframe().unwrap();
//! assert_eq!(df.as_rows().unwrap(), vec![vec![Value::Int64(1)]]);
//! ```

use crate::frame::{ArrowFrame, DataFrame, RowFrame, StreamFrame};
use crate::record::Record;
use crate::value::Value;
use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Fields, SchemaRef};
use fugue_core::{Column, FugueError, PartitionSpec, Result, Schema};

/// Anything that names a schema (Fugue's schema-like): a [`Schema`], or any form fugue-core
/// converts with `TryFrom` (see `fugue_core::convert`).
///
/// This trait exists because `Schema: TryFrom<Schema>` has the error type `Infallible`, so a
/// bound `TryInto<Schema, Error = FugueError>` would not accept a `Schema` itself.
pub trait IntoSchema {
    /// The schema; a malformed expression is a [`fugue_core::FugueError::SchemaSyntax`], an
    /// unsupported Arrow type a [`fugue_core::FugueError::Unsupported`].
    fn into_schema(self) -> Result<Schema>;
}

impl IntoSchema for Schema {
    fn into_schema(self) -> Result<Schema> {
        Ok(self)
    }
}

impl IntoSchema for &Schema {
    fn into_schema(self) -> Result<Schema> {
        Ok(self.clone())
    }
}

/// A schema expression.
impl IntoSchema for &String {
    fn into_schema(self) -> Result<Schema> {
        Schema::try_from(self.as_str())
    }
}

/// The same schema as the Arrow schema.
impl IntoSchema for &SchemaRef {
    fn into_schema(self) -> Result<Schema> {
        Schema::try_from(self.as_ref())
    }
}

/// Columns (checked by [`Schema::new`]).
impl IntoSchema for Vec<Column> {
    fn into_schema(self) -> Result<Schema> {
        Schema::new(self)
    }
}

macro_rules! via_core_try_from {
    ($($(#[$doc:meta])* $t:ty),* $(,)?) => {
        $(
            $(#[$doc])*
            impl IntoSchema for $t {
                fn into_schema(self) -> Result<Schema> {
                    Schema::try_from(self)
                }
            }
        )*
    };
}

via_core_try_from!(
    /// A schema expression such as `"a:int,b:[str]"`.
    &str,
    /// A schema expression.
    String,
    /// An Arrow schema.
    arrow::datatypes::Schema,
    /// An Arrow schema.
    &arrow::datatypes::Schema,
    /// An Arrow schema.
    SchemaRef,
    /// Arrow fields.
    Vec<Field>,
    /// Arrow fields.
    &[Field],
    /// Arrow fields.
    &Fields,
    /// Names and Arrow types.
    Vec<(&str, DataType)>,
    /// Names and type expressions (`("a", "int")`).
    Vec<(&str, &str)>,
);

/// Anything an API accepts as a dataframe (Fugue's DataFrame-like). Infallible and fallible
/// inputs unify: APIs take `impl IntoDataFrame` and call [`IntoDataFrame::into_dataframe`].
///
/// Rows of a `#[derive(Schema)]` record type convert too (`Vec<T>` and `&[T]`, see
/// [`records`] for the way back).
pub trait IntoDataFrame {
    /// The dataframe, or why the input is not one.
    fn into_dataframe(self) -> Result<DataFrame>;
}

impl IntoDataFrame for DataFrame {
    fn into_dataframe(self) -> Result<DataFrame> {
        Ok(self)
    }
}

impl IntoDataFrame for ArrowFrame {
    fn into_dataframe(self) -> Result<DataFrame> {
        Ok(self.into())
    }
}

impl IntoDataFrame for RowFrame {
    fn into_dataframe(self) -> Result<DataFrame> {
        Ok(self.into())
    }
}

impl IntoDataFrame for StreamFrame {
    fn into_dataframe(self) -> Result<DataFrame> {
        Ok(self.into())
    }
}

/// One batch: an [`ArrowFrame`] of its schema.
impl IntoDataFrame for RecordBatch {
    fn into_dataframe(self) -> Result<DataFrame> {
        Ok(ArrowFrame::from_batches(vec![self])?.into())
    }
}

/// Batches sharing one schema (the first batch's); an empty list has no schema and is a
/// [`fugue_core::FugueError::Conversion`]; a batch with another schema is a
/// [`fugue_core::FugueError::SchemaMismatch`] naming the batch and both schemas.
impl IntoDataFrame for Vec<RecordBatch> {
    fn into_dataframe(self) -> Result<DataFrame> {
        Ok(ArrowFrame::from_batches(self)?.into())
    }
}

/// Batches under a given schema (an empty list is an empty frame).
impl<S: IntoSchema> IntoDataFrame for (Vec<RecordBatch>, S) {
    fn into_dataframe(self) -> Result<DataFrame> {
        Ok(ArrowFrame::new(self.1, self.0)?.into())
    }
}

/// Rows under a schema: a [`RowFrame`] (values are converted type-safely when read).
impl<S: IntoSchema> IntoDataFrame for (Vec<Vec<Value>>, S) {
    fn into_dataframe(self) -> Result<DataFrame> {
        Ok(RowFrame::new(self.1, self.0)?.into())
    }
}

/// Rows of a `#[derive(Schema)]` type: an [`ArrowFrame`] of the type's schema (one batch; no
/// batch when there is no row).
impl<T: Record> IntoDataFrame for Vec<T> {
    fn into_dataframe(self) -> Result<DataFrame> {
        self.as_slice().into_dataframe()
    }
}

/// Rows of a `#[derive(Schema)]` type, copied into Arrow.
impl<T: Record> IntoDataFrame for &[T] {
    fn into_dataframe(self) -> Result<DataFrame> {
        let batches = if self.is_empty() {
            Vec::new()
        } else {
            vec![T::to_record_batch(self)?]
        };
        Ok(ArrowFrame::new(T::schema(), batches)?.into())
    }
}

/// The result of a fallible conversion: its dataframe, or its error as the error of the API
/// it is given to (a `workflow!` step declared with it reports the error when the workflow
/// runs).
impl IntoDataFrame for Result<DataFrame> {
    fn into_dataframe(self) -> Result<DataFrame> {
        self
    }
}

/// The data of `name = create(data) as R;` in `workflow!`: rows of `R` (typed at compile time),
/// or a dataframe read as `R` — every field's column present with the field's type, no NULL in
/// a field that is not an `Option` (an error naming the column and the row), the same reading
/// as [`records`] — and then held as `R`'s columns, in `R`'s order (other columns are dropped).
/// Whatever the data was, the step's schema is `R`'s, as the compile-time checks assume. (An
/// example: the `create` verb in `fugue::workflow!`.)
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the data of `create(..) as {R}`",
    label = "not rows of `{R}` nor a dataframe",
    note = "`create(data) as {R}` takes rows of `{R}` (`Vec<{R}>`, `&[{R}]`) or a dataframe read \
            as `{R}` when the workflow runs (`DataFrame`, `ArrowFrame`, `RowFrame`, \
            `StreamFrame`, `RecordBatch`, `Vec<RecordBatch>`)"
)]
pub trait IntoRecordFrame<R: Record> {
    /// The rows as a dataframe of `R`'s schema, or why they are not rows of `R`.
    fn into_record_frame(self) -> Result<DataFrame>;
}

impl<R: Record> IntoRecordFrame<R> for Vec<R> {
    fn into_record_frame(self) -> Result<DataFrame> {
        self.into_dataframe()
    }
}

impl<R: Record> IntoRecordFrame<R> for &[R] {
    fn into_record_frame(self) -> Result<DataFrame> {
        self.into_dataframe()
    }
}

macro_rules! frame_as_record {
    ($($ty:ty),*) => {$(
        /// Read as `R` (see the trait).
        impl<R: Record> IntoRecordFrame<R> for $ty {
            fn into_record_frame(self) -> Result<DataFrame> {
                records::<R>(self)?.into_dataframe()
            }
        }
    )*};
}

frame_as_record!(
    DataFrame,
    ArrowFrame,
    RowFrame,
    StreamFrame,
    RecordBatch,
    Vec<RecordBatch>
);

/// Several dataframe-likes in order (Fugue's positional DataFrames-like), for the functions
/// that take more than one frame (`fugue::cotransform`): a tuple of two to four dataframe-likes
/// of any kinds, or a `Vec` or array of one kind.
///
/// ```
/// use fugue_runtime::like::IntoDataFrames;
/// use fugue_runtime::{ArrowFrame, RowFrame};
///
/// let a = ArrowFrame::empty("k:int,a:str")?;
/// let b = RowFrame::new("k:int,b:double", vec![])?;
/// assert_eq!((a.clone(), b).into_dataframes()?.len(), 2);
/// assert_eq!(vec![a.clone(), a].into_dataframes()?.len(), 2);
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
pub trait IntoDataFrames {
    /// The frames, or the first input that is not one.
    fn into_dataframes(self) -> Result<Vec<DataFrame>>;
}

impl<T: IntoDataFrame> IntoDataFrames for Vec<T> {
    fn into_dataframes(self) -> Result<Vec<DataFrame>> {
        self.into_iter()
            .map(IntoDataFrame::into_dataframe)
            .collect()
    }
}

impl<T: IntoDataFrame, const N: usize> IntoDataFrames for [T; N] {
    fn into_dataframes(self) -> Result<Vec<DataFrame>> {
        self.into_iter()
            .map(IntoDataFrame::into_dataframe)
            .collect()
    }
}

/// Tuples of dataframe-likes of any kinds.
macro_rules! tuple_dataframes {
    ($($name:ident),+) => {
        /// A tuple of dataframe-likes, in order.
        impl<$($name: IntoDataFrame),+> IntoDataFrames for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_dataframes(self) -> Result<Vec<DataFrame>> {
                let ($($name,)+) = self;
                Ok(vec![$($name.into_dataframe()?),+])
            }
        }
    };
}
tuple_dataframes!(A, B);
tuple_dataframes!(A, B, C);
tuple_dataframes!(A, B, C, D);

/// The input of the function layer's `transform`: data, or a path the engine loads.
#[derive(Debug)]
pub enum TransformInput {
    /// A dataframe (or why the input is not one).
    Data(Result<DataFrame>),
    /// A file, folder or glob, loaded by the engine with the default load options (the format
    /// from the suffix).
    Path(String),
}

/// What `fugue::transform` takes as its input (Fugue's `df` argument): any dataframe-like, or a
/// path (`&str`, `String`, `&Path`, `PathBuf`), which the engine loads (`"data/*.parquet"`).
pub trait IntoTransformInput {
    /// The input.
    fn into_transform_input(self) -> TransformInput;
}

impl<T: IntoDataFrame> IntoTransformInput for T {
    fn into_transform_input(self) -> TransformInput {
        TransformInput::Data(self.into_dataframe())
    }
}

impl IntoTransformInput for &str {
    fn into_transform_input(self) -> TransformInput {
        TransformInput::Path(self.to_string())
    }
}

impl IntoTransformInput for String {
    fn into_transform_input(self) -> TransformInput {
        TransformInput::Path(self)
    }
}

/// A path that is not UTF-8 is an error (never a lossy rename).
impl IntoTransformInput for &std::path::Path {
    fn into_transform_input(self) -> TransformInput {
        match self.to_str() {
            Some(path) => TransformInput::Path(path.to_string()),
            None => TransformInput::Data(Err(FugueError::invalid_argument(
                "path",
                format!("`{}` is not valid UTF-8", self.display()),
            ))),
        }
    }
}

/// A path that is not UTF-8 is an error (never a lossy rename).
impl IntoTransformInput for std::path::PathBuf {
    fn into_transform_input(self) -> TransformInput {
        self.as_path().into_transform_input()
    }
}

/// A path a workflow step reads or writes: `&str`, `String`, `&Path` or `PathBuf`. A path that
/// is not UTF-8 is an error of its step (`InvalidArgument`), never a lossy rename.
///
/// ```
/// use fugue_runtime::like::IntoPath;
///
/// assert_eq!(std::path::PathBuf::from("out/a.csv").into_path()?, "out/a.csv");
/// assert_eq!("b.parquet".into_path()?, "b.parquet");
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
pub trait IntoPath {
    /// The path as text.
    fn into_path(self) -> Result<String>;
}

impl IntoPath for String {
    fn into_path(self) -> Result<String> {
        Ok(self)
    }
}

impl IntoPath for &String {
    fn into_path(self) -> Result<String> {
        Ok(self.clone())
    }
}

impl IntoPath for &str {
    fn into_path(self) -> Result<String> {
        Ok(self.to_string())
    }
}

impl IntoPath for &std::path::Path {
    fn into_path(self) -> Result<String> {
        self.to_str().map(str::to_string).ok_or_else(|| {
            FugueError::invalid_argument("path", format!("`{}` is not valid UTF-8", self.display()))
        })
    }
}

impl IntoPath for std::path::PathBuf {
    fn into_path(self) -> Result<String> {
        self.as_path().into_path()
    }
}

impl IntoPath for &std::path::PathBuf {
    fn into_path(self) -> Result<String> {
        self.as_path().into_path()
    }
}

/// The rows of a dataframe as a `#[derive(Schema)]` type (the typed way back from
/// [`IntoDataFrame`]); columns are matched by name, as in [`Record::from_record_batch`].
///
/// The `fugue` crate re-exports it as `fugue::records` (with a runnable example).
pub fn records<T: Record>(data: impl IntoDataFrame) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for batch in data.into_dataframe()?.into_batches()? {
        out.extend(T::from_record_batch_at(&batch, out.len())?);
    }
    Ok(out)
}

/// Anything that names a partition spec (Fugue's partition-like, reference §8): a
/// [`PartitionSpec`]; a string ([`PartitionSpec::from_like_str`]: `"per_row"`, the JSON object
/// form `{"by": ["a"], "num": 4}`, the compact form `"by=city; presort=fare desc; num=4;
/// algo=even"`, or else the keys, `"city"` or `"a,b"`); an integer (the number of partitions); a list of key
/// names (`&["a", "b"]`, `vec!["a"]`; an empty list is no partitioning); `(field, value)`
/// pairs (Fugue's dict form: `&[("by", "a,b"), ("num", "4")]`); or `()` / `None` for no
/// partitioning.
///
/// ```
/// use fugue_core::PartitionSpec;
/// use fugue_runtime::like::IntoPartitionSpec;
///
/// assert_eq!(4_i64.into_partition_spec()?.num().text(), "4");
/// assert_eq!(["a", "b"].into_partition_spec()?.keys(), ["a", "b"]);
/// assert_eq!("city".into_partition_spec()?.keys(), ["city"]);
/// assert_eq!("per_row".into_partition_spec()?, PartitionSpec::per_row());
/// assert_eq!(
///     [("by", "a"), ("presort", "b desc")].into_partition_spec()?,
///     "by=a; presort=b desc".into_partition_spec()?
/// );
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
pub trait IntoPartitionSpec {
    /// The spec, or why the input is not one.
    fn into_partition_spec(self) -> Result<PartitionSpec>;
}

impl IntoPartitionSpec for PartitionSpec {
    fn into_partition_spec(self) -> Result<PartitionSpec> {
        Ok(self)
    }
}

impl IntoPartitionSpec for &PartitionSpec {
    fn into_partition_spec(self) -> Result<PartitionSpec> {
        Ok(self.clone())
    }
}

/// See [`PartitionSpec::from_like_str`].
impl IntoPartitionSpec for &str {
    fn into_partition_spec(self) -> Result<PartitionSpec> {
        PartitionSpec::from_like_str(self)
    }
}

/// See [`PartitionSpec::from_like_str`].
impl IntoPartitionSpec for String {
    fn into_partition_spec(self) -> Result<PartitionSpec> {
        PartitionSpec::from_like_str(&self)
    }
}

/// See [`PartitionSpec::from_like_str`].
impl IntoPartitionSpec for &String {
    fn into_partition_spec(self) -> Result<PartitionSpec> {
        PartitionSpec::from_like_str(self)
    }
}

/// The number of partitions (`<= 0`: the engine decides).
macro_rules! int_partition_like {
    ($($t:ty),*) => {$(
        /// The number of partitions (`<= 0`: the engine decides).
        impl IntoPartitionSpec for $t {
            fn into_partition_spec(self) -> Result<PartitionSpec> {
                PartitionSpec::builder().num(self).build()
            }
        }
    )*};
}
int_partition_like!(i32, i64, usize);

/// Key names (an empty list is no partitioning).
fn keys_spec<S: AsRef<str>>(keys: &[S]) -> Result<PartitionSpec> {
    PartitionSpec::by(keys.iter().map(|k| k.as_ref().to_string()))
}

/// Fugue's dict form: `(field, value)` pairs with the fields of the compact form (`by`,
/// `presort`, `num`, `algo`, and Fugue's `partition_by` and `num_partitions`); a later pair
/// overwrites an earlier one of the same field; an unknown field is an error.
fn pairs_spec<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> Result<PartitionSpec> {
    let mut b = PartitionSpec::builder();
    for (field, value) in pairs {
        b = b.field(field.as_ref().trim(), value.as_ref().trim())?;
    }
    b.build()
}

/// The list forms of a partition-like: key names, or `(field, value)` pairs.
macro_rules! list_partition_like {
    ($via:ident: $($item:ty),*) => {$(
        /// See [`IntoPartitionSpec`].
        impl IntoPartitionSpec for &[$item] {
            fn into_partition_spec(self) -> Result<PartitionSpec> {
                $via(self)
            }
        }

        /// See [`IntoPartitionSpec`].
        impl<const N: usize> IntoPartitionSpec for [$item; N] {
            fn into_partition_spec(self) -> Result<PartitionSpec> {
                $via(&self)
            }
        }

        /// See [`IntoPartitionSpec`].
        impl<const N: usize> IntoPartitionSpec for &[$item; N] {
            fn into_partition_spec(self) -> Result<PartitionSpec> {
                $via(self)
            }
        }

        /// See [`IntoPartitionSpec`].
        impl IntoPartitionSpec for Vec<$item> {
            fn into_partition_spec(self) -> Result<PartitionSpec> {
                $via(&self)
            }
        }

        /// See [`IntoPartitionSpec`].
        impl IntoPartitionSpec for &Vec<$item> {
            fn into_partition_spec(self) -> Result<PartitionSpec> {
                $via(self)
            }
        }
    )*};
}
list_partition_like!(keys_spec: &str, String);
list_partition_like!(pairs_spec: (&str, &str), (String, String));

/// No partitioning.
impl IntoPartitionSpec for () {
    fn into_partition_spec(self) -> Result<PartitionSpec> {
        Ok(PartitionSpec::new())
    }
}

/// A spec, or no partitioning.
impl<P: IntoPartitionSpec> IntoPartitionSpec for Option<P> {
    fn into_partition_spec(self) -> Result<PartitionSpec> {
        self.map_or_else(
            || Ok(PartitionSpec::new()),
            IntoPartitionSpec::into_partition_spec,
        )
    }
}
