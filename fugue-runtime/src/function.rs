//! The contract between the functions users write and the engines that run them.
//!
//! A [`PartitionFunction`] is what the transformer macros generate (and what users may implement
//! by hand for logic whose shape is only known at run time): given the Arrow data of one logical
//! partition, as a [`BatchStream`], it returns the output as a stream. Engines decide how data is
//! split into partitions ([`crate::partitioning`]) and on which thread each call runs; the
//! function never knows.
//!
//! [`run_map`] is the reference, single-threaded map primitive (reference §2.6): every engine
//! must give the same result as it does.

use crate::frame::{ArrowFrame, DataFrame};
use crate::partitioning::{LogicalPartition, logical_partitions};
use crate::transformer::CodeIdentity;
use crate::value::{Value, value_at};
use arrow::array::RecordBatch;
use fugue_core::{FugueError, PartitionSpec, Result, Schema, types};
use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A single-pass stream of Arrow batches: one logical partition's input or output.
pub type BatchStream<'a> = Box<dyn Iterator<Item = Result<RecordBatch>> + Send + 'a>;

/// A [`BatchStream`] over batches already in memory.
pub fn stream_of(batches: Vec<RecordBatch>) -> BatchStream<'static> {
    Box::new(batches.into_iter().map(Ok))
}

/// Where a call is (reference §5.4): the logical partition's key values, its first row, the
/// schemas of the input and of the keys, and its numbers.
///
/// Engines make one per call; the schemas are shared by every cursor of a step, and the first
/// row is converted to [`Value`]s only when [`row`](Self::row) is first read. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct PartitionCursor {
    shape: Arc<CursorShape>,
    key_values: Vec<Value>,
    first_row: Arc<FirstRow>,
    partition_no: usize,
    physical_partition_no: usize,
    slice_no: usize,
}

/// What every cursor of one step shares: the input's schema and the keys.
#[derive(Debug, Default, PartialEq)]
struct CursorShape {
    row_schema: Schema,
    key_schema: Schema,
    key_names: Vec<String>,
}

/// The first row of a logical partition, as a one-row batch, converted once when read.
#[derive(Debug, Default)]
struct FirstRow {
    batch: Option<RecordBatch>,
    values: OnceLock<Result<Vec<Value>>>,
}

impl PartialEq for PartitionCursor {
    /// Equal keys, numbers, schemas and first row (whether or not it was read yet).
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape
            && self.key_values == other.key_values
            && self.first_row.batch == other.first_row.batch
            && self.partition_no == other.partition_no
            && self.physical_partition_no == other.physical_partition_no
            && self.slice_no == other.slice_no
    }
}

impl PartitionCursor {
    /// A cursor made by hand (a test, a custom engine) for a logical partition with these keys
    /// (empty without partition keys). It has no [`row`](Self::row), and its
    /// [`row_schema`](Self::row_schema) and [`key_schema`](Self::key_schema) are empty: the
    /// engines' cursors carry all three.
    pub fn new(
        keys: Vec<(String, Value)>,
        partition_no: usize,
        physical_partition_no: usize,
        slice_no: usize,
    ) -> Self {
        let (key_names, key_values) = keys.into_iter().unzip();
        PartitionCursor {
            shape: Arc::new(CursorShape {
                key_names,
                ..CursorShape::default()
            }),
            key_values,
            first_row: Arc::default(),
            partition_no,
            physical_partition_no,
            slice_no,
        }
    }

    /// The cursor of the keys in a one-row batch (as [`crate::partitioning::LogicalPartition`]
    /// reports them): its key schema is the batch's; it has no row and an empty row schema.
    pub fn from_key_batch(
        keys: Option<&RecordBatch>,
        partition_no: usize,
        physical_partition_no: usize,
    ) -> Result<Self> {
        let key_schema = match keys {
            Some(batch) => Schema::from_arrow(&batch.schema())?,
            None => Schema::empty(),
        };
        let shape = CursorShape {
            key_names: key_schema.names().map(str::to_string).collect(),
            key_schema,
            row_schema: Schema::empty(),
        };
        Cursors {
            shape: Arc::new(shape),
        }
        .cursor(keys, None, partition_no, physical_partition_no)
    }

    /// The partition key names, in the spec's order.
    pub fn key_names(&self) -> &[String] {
        &self.shape.key_names
    }

    /// The key values of this logical partition, in the spec's order.
    pub fn key_values(&self) -> &[Value] {
        &self.key_values
    }

    /// The value of one key.
    pub fn key(&self, name: &str) -> Option<&Value> {
        self.shape
            .key_names
            .iter()
            .position(|k| k == name)
            .and_then(|i| self.key_values.get(i))
    }

    /// The first row of this logical partition, one value per column of
    /// [`row_schema`](Self::row_schema), in the order the function sees the rows (after the
    /// presort); `None` for a partition without rows (the one call of an empty input without
    /// keys) and for a cursor made by hand. Converted from Arrow when first read, then kept;
    /// an error is a value that does not convert (a date beyond chrono's range).
    ///
    /// For a co-transformer, whose zipped frames share only their keys, the row is the key
    /// values and the row schema is the key schema.
    pub fn row(&self) -> Result<Option<&[Value]>> {
        let Some(batch) = &self.first_row.batch else {
            return Ok(None);
        };
        let values = self.first_row.values.get_or_init(|| {
            batch
                .columns()
                .iter()
                .map(|column| value_at(column.as_ref(), 0))
                .collect()
        });
        match values {
            Ok(values) => Ok(Some(values)),
            Err(e) => Err(e.duplicate()),
        }
    }

    /// The schema of the rows the function receives (the step's input; the keys for a
    /// co-transformer).
    pub fn row_schema(&self) -> &Schema {
        &self.shape.row_schema
    }

    /// The schema of the partition keys, in the spec's order (empty without keys).
    pub fn key_schema(&self) -> &Schema {
        &self.shape.key_schema
    }

    /// The logical partition number within its physical partition, from 0.
    pub fn partition_no(&self) -> usize {
        self.partition_no
    }

    /// The physical partition number, from 0.
    pub fn physical_partition_no(&self) -> usize {
        self.physical_partition_no
    }

    /// The slice number (always 0, as in Fugue).
    pub fn slice_no(&self) -> usize {
        self.slice_no
    }

    /// This cursor in another physical partition.
    pub(crate) fn with_physical_partition_no(mut self, physical_partition_no: usize) -> Self {
        self.physical_partition_no = physical_partition_no;
        self
    }
}

/// The maker of one step's cursors: every engine builds its cursors here, so that they carry
/// the same fields everywhere.
#[derive(Debug, Clone)]
pub(crate) struct Cursors {
    shape: Arc<CursorShape>,
}

impl Cursors {
    /// The cursors of a step whose function receives rows of `row_schema`, partitioned by
    /// `keys` (each a column of `row_schema`: [`FugueError::ColumnNotFound`] otherwise).
    pub(crate) fn new(row_schema: &Schema, keys: &[String]) -> Result<Self> {
        let columns = keys
            .iter()
            .map(|k| {
                row_schema.column(k).cloned().ok_or_else(|| {
                    FugueError::column_not_found(
                        k,
                        "the partition keys",
                        row_schema,
                        row_schema.names(),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Cursors {
            shape: Arc::new(CursorShape {
                row_schema: row_schema.clone(),
                key_schema: Schema::new(columns)?,
                key_names: keys.to_vec(),
            }),
        })
    }

    /// The cursor of a logical partition: its key values from the one-row batch `keys`, its
    /// first row from `rows` (any batch whose first row is the partition's first; `None` or an
    /// empty batch for no row).
    pub(crate) fn cursor(
        &self,
        keys: Option<&RecordBatch>,
        rows: Option<&RecordBatch>,
        partition_no: usize,
        physical_partition_no: usize,
    ) -> Result<PartitionCursor> {
        let mut key_values = Vec::new();
        if let Some(batch) = keys {
            for column in batch.columns() {
                key_values.push(value_at(column.as_ref(), 0)?);
            }
        }
        let batch = rows.filter(|b| b.num_rows() > 0).map(|b| b.slice(0, 1));
        Ok(PartitionCursor {
            shape: self.shape.clone(),
            key_values,
            first_row: Arc::new(FirstRow {
                batch,
                values: OnceLock::new(),
            }),
            partition_no,
            physical_partition_no,
            slice_no: 0,
        })
    }

    /// The cursor of one of [`logical_partitions`]'s partitions.
    pub(crate) fn for_partition(
        &self,
        part: &LogicalPartition,
        physical_partition_no: usize,
    ) -> Result<PartitionCursor> {
        self.cursor(
            part.keys.as_ref(),
            Some(&part.batch),
            part.partition_no,
            physical_partition_no,
        )
    }
}

impl fmt::Display for PartitionCursor {
    /// `city="Paris", year=2024`, or `no partition key` (used in error messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shape.key_names.is_empty() {
            return write!(f, "partition #{} (no partition key)", self.partition_no);
        }
        let parts: Vec<String> = self
            .shape
            .key_names
            .iter()
            .zip(&self.key_values)
            .map(|(k, v)| match v {
                Value::Str(s) => format!("{k}={s:?}"),
                other => format!("{k}={other}"),
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// Values a typed parameter can be read from.
pub trait FromValue: Sized {
    /// The type's name in messages.
    const TYPE_NAME: &'static str;
    /// Convert, or `None` when the value is not of this type.
    fn from_value(value: &Value) -> Option<Self>;
}

macro_rules! from_value_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            const TYPE_NAME: &'static str = stringify!($t);
            fn from_value(value: &Value) -> Option<Self> {
                value.as_i64().and_then(|v| <$t>::try_from(v).ok())
            }
        }
    )*};
}
from_value_int!(i8, i16, i32, i64, u8, u16, u32, usize);

impl FromValue for u64 {
    const TYPE_NAME: &'static str = "u64";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::UInt64(v) => Some(*v),
            other => other.as_i64().and_then(|v| u64::try_from(v).ok()),
        }
    }
}

impl FromValue for f64 {
    const TYPE_NAME: &'static str = "f64";
    fn from_value(value: &Value) -> Option<Self> {
        value.as_f64().or_else(|| value.as_i64().map(|v| v as f64))
    }
}

impl FromValue for f32 {
    const TYPE_NAME: &'static str = "f32";
    fn from_value(value: &Value) -> Option<Self> {
        f64::from_value(value).map(|v| v as f32)
    }
}

impl FromValue for bool {
    const TYPE_NAME: &'static str = "bool";
    fn from_value(value: &Value) -> Option<Self> {
        value.as_bool()
    }
}

impl FromValue for String {
    const TYPE_NAME: &'static str = "String";
    fn from_value(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_string)
    }
}

impl FromValue for Value {
    const TYPE_NAME: &'static str = "Value";
    fn from_value(value: &Value) -> Option<Self> {
        Some(value.clone())
    }
}

/// The parameters of a step, by name (reference §9: extra function parameters are filled from
/// the step's parameters by name and type).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    /// No parameter.
    pub fn new() -> Self {
        Params::default()
    }

    /// Add (or replace) a parameter.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Set a parameter.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.values.insert(name.into(), value.into());
    }

    /// A parameter's raw value.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The parameter names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// A typed parameter of `step`: missing or of another type is
    /// [`FugueError::InvalidArgument`] naming the step, the parameter and the type.
    pub fn get<T: FromValue>(&self, step: &str, name: &str) -> Result<T> {
        let value = self.values.get(name).ok_or_else(|| {
            let hint = fugue_core::error::closest_name(name, self.names())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            FugueError::invalid_argument(
                name,
                format!(
                    "step `{step}` needs parameter `{name}: {}`, which was not given{hint}",
                    T::TYPE_NAME
                ),
            )
        })?;
        T::from_value(value).ok_or_else(|| {
            FugueError::invalid_argument(
                name,
                format!(
                    "step `{step}` needs parameter `{name}` of type `{}`, got {value}",
                    T::TYPE_NAME
                ),
            )
        })
    }
}

/// Delivers a callback's calls to the handler on the driver. The local engines call the handler
/// through a channel; a distributed engine sends the calls over the network.
pub trait CallbackTransport: Send + Sync {
    /// Deliver one call and wait for the handler's answer.
    fn call(&self, value: Value) -> Result<Value>;
}

impl<F> CallbackTransport for F
where
    F: Fn(Value) -> Result<Value> + Send + Sync,
{
    fn call(&self, value: Value) -> Result<Value> {
        self(value)
    }
}

/// A callback from a transformer to the driver (reference §7): what a transformer declares as a
/// `Callback` parameter.
#[derive(Clone)]
pub struct Callback {
    transport: Arc<dyn CallbackTransport>,
}

impl Callback {
    /// A callback delivered by this transport (for a handler on this machine, any closure).
    pub fn new(transport: impl CallbackTransport + 'static) -> Self {
        Callback {
            transport: Arc::new(transport),
        }
    }

    /// Call the driver's handler and wait for its answer; the handler's error is returned.
    pub fn call(&self, value: impl Into<Value>) -> Result<Value> {
        self.transport.call(value.into())
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Callback")
    }
}

/// What one call of a [`PartitionFunction`] knows besides its data.
#[derive(Debug, Clone)]
pub struct PartitionContext {
    /// Where the call is.
    pub cursor: PartitionCursor,
    /// The step's parameters.
    pub params: Arc<Params>,
    /// The driver's callback, when the step was given one.
    pub callback: Option<Callback>,
    /// The state [`PartitionFunction::init`] made for the call's physical partition, when it
    /// made one (a function declared with `on_init`).
    pub state: Option<PartitionState>,
}

impl PartitionContext {
    /// The context of a call at `cursor` with these parameters, without callback or state.
    pub fn new(cursor: PartitionCursor, params: Arc<Params>) -> Self {
        PartitionContext {
            cursor,
            params,
            callback: None,
            state: None,
        }
    }
}

/// The state a function's `on_init` made for one physical partition, shared by every call of
/// that partition ([`PartitionContext::state`]).
pub type PartitionState = Arc<dyn Any + Send + Sync>;

/// What a function's `on_init` knows of the physical partition it prepares: its number, the
/// schemas its calls receive, and the step's parameters.
#[derive(Debug, Clone)]
pub struct PhysicalPartition {
    physical_partition_no: usize,
    shape: Arc<CursorShape>,
    params: Arc<Params>,
}

impl PhysicalPartition {
    /// The physical partition of the call at `cursor` (the engines' constructor; public for
    /// tests and custom engines).
    pub fn of(cursor: &PartitionCursor, params: Arc<Params>) -> Self {
        PhysicalPartition {
            physical_partition_no: cursor.physical_partition_no,
            shape: cursor.shape.clone(),
            params,
        }
    }

    /// The physical partition number, from 0 (the cursors' [`PartitionCursor::physical_partition_no`]).
    pub fn physical_partition_no(&self) -> usize {
        self.physical_partition_no
    }

    /// The schema of the rows the calls receive ([`PartitionCursor::row_schema`]).
    pub fn row_schema(&self) -> &Schema {
        &self.shape.row_schema
    }

    /// The schema of the partition keys ([`PartitionCursor::key_schema`]).
    pub fn key_schema(&self) -> &Schema {
        &self.shape.key_schema
    }

    /// The step's parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
}

/// One thread's view of the physical partitions it runs: calls [`PartitionFunction::init`]
/// once per physical partition, before its first call, and hands the state to every call of
/// that partition. Every engine calls functions through it (an engine runs the calls of one
/// physical partition one after the other on one thread, and a thread moves to another
/// partition only when the previous one is done), so `on_init` runs the same way everywhere.
#[derive(Default)]
pub(crate) struct PhysicalInit {
    current: Option<(usize, Option<PartitionState>)>,
}

impl PhysicalInit {
    /// The state for the call at `cursor`: the current partition's, or a new partition's
    /// (the previous state is dropped first). An error names the function and the partition.
    pub(crate) fn state(
        &mut self,
        function: &dyn PartitionFunction,
        cursor: &PartitionCursor,
        params: &Arc<Params>,
    ) -> Result<Option<PartitionState>> {
        let no = cursor.physical_partition_no();
        if let Some((current, state)) = &self.current
            && *current == no
        {
            return Ok(state.clone());
        }
        self.current = None;
        let partition = PhysicalPartition::of(cursor, params.clone());
        let state = function
            .init(&partition)
            .map_err(|e| in_init(function.name(), no, e))?;
        self.current = Some((no, state.clone()));
        Ok(state)
    }
}

/// Wrap an error of a function's `on_init` with the function's name and the partition.
pub fn in_init(function: &str, physical_partition_no: usize, error: FugueError) -> FugueError {
    FugueError::External {
        context: format!(
            "`{function}` failed in `on_init` for physical partition {physical_partition_no}"
        ),
        source: Box::new(error),
    }
}

/// A function that an engine runs once per logical partition.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a per-partition function: `transform`, `out_transform`, `cotransform` and `out_cotransform` run functions declared with `#[transformer]`, `#[output_transformer]`, `#[cotransformer]` or `#[output_cotransformer]`",
    label = "not a transformer",
    note = "a `#[processor]` runs with `process(inputs, f)`, an `#[outputter]` with `output(inputs, f)`, a `#[creator]` with `create(using: f)`"
)]
pub trait PartitionFunction: Send + Sync {
    /// The function's name, for messages.
    fn name(&self) -> &str;

    /// The name the function is registered under in [`registry`](crate::registry), when it
    /// is (functions declared with the transformer macros are): distributed engines run only
    /// registered functions, looked up by this name on every executor. Default: not
    /// registered.
    fn registered_name(&self) -> Option<&str> {
        None
    }

    /// What identifies the function's code in deterministic checkpoint keys: for functions
    /// declared with the transformer macros, their full path and the hash of their tokens
    /// ([`CodeIdentity`]). Default: `None`, for hand-written impls, whose steps are keyed by
    /// [`name`](Self::name) and the step's version only.
    fn code_identity(&self) -> Option<CodeIdentity> {
        None
    }

    /// The output schema for these input schemas (a schema hint with `*` is resolved here).
    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema>;

    /// The record of each typed data parameter (its type's name and schema), `None` for a
    /// dynamic one (Arrow data, a frame). The planner checks each against the step's input with
    /// the rule `workflow!` evaluates at compile time
    /// ([`fugue_core::rules::check_input`]), so the mistake is reported before any data moves,
    /// in the same words. The default (hand-written functions) declares none.
    fn typed_inputs(&self) -> Vec<Option<(&'static str, Schema)>> {
        Vec::new()
    }

    /// What the function declares, for functions declared with the transformer macros (their
    /// validation rules, schema hint and typed parameters): the planner checks each step
    /// against it with the rules `workflow!` evaluates at compile time
    /// ([`fugue_core::rules`]), so a mistake is the same sentence on both sides, naming the
    /// step. The default (hand-written functions) declares nothing; [`check`](Self::check)
    /// checks the same outside a workflow.
    fn declaration(&self) -> Option<crate::transformer::Declaration> {
        None
    }

    /// Check, before any data moves, that the function can run with this partition spec, these
    /// input schemas, parameters and callback (validation rules, required parameters, a required
    /// callback). The default accepts everything.
    fn check(
        &self,
        spec: &PartitionSpec,
        inputs: &[Schema],
        params: &Params,
        has_callback: bool,
    ) -> Result<()> {
        let _ = (spec, inputs, params, has_callback);
        Ok(())
    }

    /// Prepare one physical partition (Fugue's `on_init`): engines call it once per physical
    /// partition, before the first call there (not for a physical partition without calls), and
    /// give the state it returns to every call of that partition in
    /// [`PartitionContext::state`]. An error fails the step, naming the function and the
    /// partition. The default prepares nothing (`Ok(None)`); `#[transformer(on_init = f)]`
    /// calls `f`.
    fn init(&self, partition: &PhysicalPartition) -> Result<Option<PartitionState>> {
        let _ = partition;
        Ok(None)
    }

    /// Run on one logical partition. `inputs` has one stream per input (one for a transformer,
    /// one per zipped frame for a co-transformer).
    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>>;
}

/// Check that a batch a function returned has the declared output schema (names, order and
/// types); the error names the function, the column and both schemas.
pub fn check_output(function: &str, declared: &Schema, batch: &RecordBatch) -> Result<()> {
    let got = batch.schema();
    let fields = got.fields();
    let mismatch = |reason: String| FugueError::SchemaMismatch {
        context: format!("the output of `{function}`"),
        reason,
        left: declared.to_string(),
        right: Schema::from_arrow(&got)
            .map(|s| s.to_string())
            .unwrap_or_else(|_| got.to_string()),
    };
    for (i, column) in declared.columns().iter().enumerate() {
        let Some(field) = fields.get(i) else {
            return Err(mismatch(format!("column `{}` is missing", column.name())));
        };
        if field.name() != column.name() {
            return Err(mismatch(format!(
                "column {} is `{}` but `{}` was declared",
                i + 1,
                field.name(),
                column.name()
            )));
        }
        if !types::same_type(field.data_type(), column.data_type()) {
            return Err(mismatch(format!(
                "column `{}` has type `{}` but `{}` was declared",
                column.name(),
                types::type_expr(field.data_type()),
                types::type_expr(column.data_type())
            )));
        }
    }
    if let Some(extra) = fields.get(declared.len()) {
        return Err(mismatch(format!(
            "column `{}` was not declared",
            extra.name()
        )));
    }
    Ok(())
}

/// A panic turned into an error (of a function, its `on_init`, its lazy output, a callback
/// handler, the executor's sink): its message is the panic's. [`IgnoreErrors`] tells panics
/// from errors by this type.
///
/// [`IgnoreErrors`]: crate::ignore::IgnoreErrors
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicError(String);

impl PanicError {
    /// The error of a panic with this payload (a `&str` or `String` message; any other payload
    /// is "a panic with a non-string payload").
    pub fn from_payload(payload: &(dyn Any + Send)) -> Self {
        PanicError(if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "a panic with a non-string payload".to_string()
        })
    }

    /// The panic's message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PanicError {}

/// Wrap an error of a function's call with the function's name and the partition's keys.
pub fn in_partition(function: &str, cursor: &PartitionCursor, error: FugueError) -> FugueError {
    FugueError::External {
        context: format!("`{function}` failed on {cursor}"),
        source: Box::new(error),
    }
}

/// The reference map primitive, on one thread: split `df` into the logical partitions of `spec`,
/// call `function` once per partition, check and concatenate the outputs.
///
/// `concurrency` is the value of `CONCURRENCY` in the spec's `num` expression.
pub fn run_map(
    df: DataFrame,
    function: &dyn PartitionFunction,
    spec: &PartitionSpec,
    params: Arc<Params>,
    callback: Option<Callback>,
    concurrency: usize,
) -> Result<DataFrame> {
    run_map_on_partition(0, df, function, spec, params, callback, concurrency)
}

/// [`run_map`] as physical partition `physical` of a step (a task of a distributed engine):
/// the cursors' [`physical_partition_no`](PartitionCursor::physical_partition_no) is
/// `physical`, and `on_init` runs once for the task.
pub fn run_map_on_partition(
    physical: usize,
    df: DataFrame,
    function: &dyn PartitionFunction,
    spec: &PartitionSpec,
    params: Arc<Params>,
    callback: Option<Callback>,
    concurrency: usize,
) -> Result<DataFrame> {
    let input_schema = df.schema().clone();
    function.check(
        spec,
        std::slice::from_ref(&input_schema),
        &params,
        callback.is_some(),
    )?;
    let output_schema = function.output_schema(std::slice::from_ref(&input_schema))?;
    let frame = df.to_arrow_frame()?;
    let parts = logical_partitions(frame.arrow_schema(), frame.batches(), spec, concurrency)?;
    let cursors = Cursors::new(&input_schema, spec.keys())?;
    let mut out = Vec::new();
    let mut init = PhysicalInit::default();
    for part in parts {
        let cursor = cursors.for_partition(&part, physical)?;
        let ctx = PartitionContext {
            state: init.state(function, &cursor, &params)?,
            cursor: cursor.clone(),
            params: params.clone(),
            callback: callback.clone(),
        };
        let name = function.name();
        let stream = function
            .call(ctx, vec![stream_of(vec![part.batch])])
            .map_err(|e| in_partition(name, &cursor, e))?;
        for batch in stream {
            let batch = batch.map_err(|e| in_partition(name, &cursor, e))?;
            check_output(name, &output_schema, &batch)?;
            out.push(batch);
        }
    }
    Ok(DataFrame::from(ArrowFrame::new(output_schema, out)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `workflow!` checks a literal parameter with `fugue_core::rules::params`; the run time
    /// converts the value the builder makes of the same literal with `FromValue`. They agree
    /// for every type with a rule and every kind of literal.
    #[test]
    fn the_compile_time_parameter_rule_is_the_run_time_conversion() {
        use fugue_core::rules::params::{Literal, param_accepts};
        fn agree<T: FromValue>(literals: &[(Literal, Value)]) {
            for (literal, value) in literals {
                let run = T::from_value(value).is_some();
                assert_eq!(
                    param_accepts(T::TYPE_NAME, *literal),
                    Some(run),
                    "{} with {literal:?}",
                    T::TYPE_NAME
                );
            }
        }
        // An integer literal becomes an `i32` value (`.with(name, 3)`), a float an `f64`.
        let mut literals: Vec<(Literal, Value)> = [
            i32::MIN,
            -32769,
            -129,
            -1,
            0,
            1,
            127,
            128,
            255,
            256,
            65535,
            65536,
            i32::MAX,
        ]
        .iter()
        .map(|v| (Literal::Int(i128::from(*v)), Value::from(*v)))
        .collect();
        literals.push((Literal::Float, Value::from(1.5f64)));
        literals.push((Literal::Bool, Value::from(true)));
        literals.push((Literal::Str, Value::from("20")));
        agree::<i8>(&literals);
        agree::<i16>(&literals);
        agree::<i32>(&literals);
        agree::<i64>(&literals);
        agree::<u8>(&literals);
        agree::<u16>(&literals);
        agree::<u32>(&literals);
        agree::<u64>(&literals);
        agree::<usize>(&literals);
        agree::<f32>(&literals);
        agree::<f64>(&literals);
        agree::<bool>(&literals);
        agree::<String>(&literals);
        assert_eq!(param_accepts(Value::TYPE_NAME, Literal::Int(1)), None);
    }
    use crate::frame::RowFrame;

    /// Records the rows of each call and returns its input.
    struct Identity;

    impl PartitionFunction for Identity {
        fn name(&self) -> &str {
            "identity"
        }

        fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
            Ok(inputs[0].clone())
        }

        fn call<'a>(
            &'a self,
            ctx: PartitionContext,
            inputs: Vec<BatchStream<'a>>,
        ) -> Result<BatchStream<'a>> {
            if ctx.cursor.key("a").is_some_and(|v| v.as_i64() == Some(3)) {
                return Err(FugueError::invalid_argument("a", "three is not allowed"));
            }
            Ok(inputs
                .into_iter()
                .next()
                .unwrap_or_else(|| stream_of(vec![])))
        }
    }

    fn frame(rows: Vec<Vec<Value>>) -> DataFrame {
        DataFrame::from(RowFrame::new("a:long,b:str", rows).unwrap())
    }

    #[test]
    fn map_concatenates_the_calls() {
        let df = frame(vec![
            vec![Value::from(1_i64), Value::from("x")],
            vec![Value::from(2_i64), Value::from("y")],
            vec![Value::from(1_i64), Value::from("z")],
        ]);
        let spec = PartitionSpec::parse("by=a").unwrap();
        let mut out = run_map(df, &Identity, &spec, Arc::new(Params::new()), None, 1).unwrap();
        let rows = out.as_rows().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][1], Value::from("x"));
        assert_eq!(rows[1][1], Value::from("z"));
    }

    #[test]
    fn a_failing_call_names_the_function_and_the_keys() {
        let df = frame(vec![vec![Value::from(3_i64), Value::from("x")]]);
        let spec = PartitionSpec::parse("by=a").unwrap();
        let e = run_map(df, &Identity, &spec, Arc::new(Params::new()), None, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`identity` failed on a=3: invalid argument `a`: three is not allowed"
        );
    }

    #[test]
    fn params_are_typed_and_named() {
        let p = Params::new().with("threshold", 0.5).with("n", 3_i64);
        assert_eq!(p.get::<f64>("f", "threshold").unwrap(), 0.5);
        assert_eq!(p.get::<i32>("f", "n").unwrap(), 3);
        let e = p.get::<f64>("f", "treshold").unwrap_err();
        assert!(e.to_string().contains("did you mean `threshold`?"), "{e}");
        let e = p.get::<String>("f", "n").unwrap_err();
        assert!(e.to_string().contains("of type `String`, got 3"), "{e}");
    }

    #[test]
    fn output_schema_is_checked() {
        let declared = Schema::parse("a:long").unwrap();
        let batch =
            crate::frame::ArrowFrame::from_rows("a:int", &[vec![Value::from(1_i32)]]).unwrap();
        let e = check_output("f", &declared, &batch.batches()[0]).unwrap_err();
        assert_eq!(e.kind(), fugue_core::ErrorKind::SchemaMismatch);
        assert!(
            e.to_string()
                .contains("column `a` has type `int` but `long` was declared"),
            "{e}"
        );
    }

    #[test]
    fn callbacks_reach_the_handler() {
        let cb = Callback::new(|v: Value| Ok(Value::from(v.as_i64().unwrap_or(0) + 1)));
        assert_eq!(cb.call(41_i64).unwrap(), Value::from(42_i64));
    }
}
