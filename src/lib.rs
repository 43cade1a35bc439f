//! # Fugue for Rust
//!
//! Write data-processing logic once, as plain Rust functions over plain Rust structs, and run
//! it partition by partition on any engine, with the schemas between the steps checked by the
//! compiler.
//!
//! ## A tour
//!
//! - **Records.** `#[derive(Schema)]` makes a struct a [`Record`]: its [`Schema`](struct@Schema) as const
//!   data and generated conversions to and from Arrow.
//! - **Logic.** [`#[transformer]`](macro@transformer) (and [`cotransformer`](macro@cotransformer),
//!   [`processor`](macro@processor), [`creator`](macro@creator), [`outputter`](macro@outputter),
//!   ...) reads a function's signature: its input and output schemas, its validation rules,
//!   its parameters.
//! - **Workflows.** [`workflow!`](macro@workflow) composes steps into a DAG; a schema mistake
//!   between steps is a compile error naming the column, the step and both schemas. The value
//!   is a [`Workflow`] (the builder, also usable on its own when schemas are known only at run
//!   time); running it gives a [`WorkflowResult`].
//! - **Engines.** `"native"` (one thread, deterministic), `"local"` (every core, DataFusion for
//!   relational work) and, with the `cluster` feature, `"ballista://host:port"`; any
//!   [`IntoEngine`] names one, [`make_engine`] builds it.
//! - **The function layer.** [`transform`], [`out_transform`], [`cotransform`] and the
//!   operations of [`api`] run one function or one operation on any dataframe-like
//!   ([`IntoDataFrame`]: `Vec` of records, Arrow batches, frames).
//! - **Errors** are one [`FugueError`] with a closed set of kinds ([`ErrorKind`]); its `Debug`
//!   is the readable report `main` prints.
//!
//! ```
//! use fugue::prelude::*;
//!
//! #[derive(Schema, Debug, PartialEq)]
//! struct Sale { shop: String, amount: f64 }
//!
//! #[derive(Schema, Debug, PartialEq)]
//! struct Total { shop: String, total: f64 }
//!
//! /// One total per shop.
//! #[transformer(partitionby_has = "shop")]
//! fn total(sales: Vec<Sale>) -> Total {
//!     let shop = sales.first().map(|s| s.shop.clone()).unwrap_or_default();
//!     Total { shop, total: sales.iter().map(|s| s.amount).sum() }
//! }
//!
//! let sales = vec![
//!     Sale { shop: "b".into(), amount: 2.0 },
//!     Sale { shop: "a".into(), amount: 1.0 },
//!     Sale { shop: "b".into(), amount: 3.0 },
//! ];
//! let wf = workflow! {
//!     sales = create(sales) as Sale;
//!     totals = transform(sales, total, partition(by: shop));
//!     yield totals: Total;
//! };
//! let mut totals: Vec<Total> = wf.run_on("local")?.records("totals")?;
//! totals.sort_by(|a, b| a.shop.cmp(&b.shop));
//! assert_eq!(totals, [
//!     Total { shop: "a".into(), total: 1.0 },
//!     Total { shop: "b".into(), total: 5.0 },
//! ]);
//! # Ok::<(), fugue::FugueError>(())
//! ```
//!
//! ## Modules
//!
//! The names most programs need are in [`prelude`]; the crate root holds every type a user
//! writes. [`verbs`] documents every verb of `workflow!`; [`api`] is Fugue's function
//! layer, [`config`] the configuration keys and files,
//! [`record`] the Rust-to-Arrow type mapping, [`extension`] what authors of engines and
//! function kinds implement.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod config;
pub mod extension;
pub mod prelude;
pub mod record;
pub mod schema;

/// The `workflow!` reference: every verb with its syntax, its arguments, what it checks at
/// compile time and at run time, and an example (each one a doctest). Generated from the
/// macro's verb table into `docs/workflow.md`.
#[doc = include_str!("../docs/workflow.md")]
pub mod verbs {}

/// The distributed engine: Fugue on an Apache DataFusion Ballista cluster (the `cluster`
/// feature). [`cluster::main`] makes a program the cluster's scheduler, executors and driver;
/// `"ballista://host:port"` names the engine once [`cluster::install`] ran (`main` does it).
#[cfg(feature = "cluster")]
pub mod cluster {
    pub use fugue_cluster::{BallistaEngine, ENGINE_NAME, STANDALONE, install, main};
}
#[doc(hidden)]
pub mod workflow_support;

pub use api::{
    CoTransform, IgnoreErrors, Transform, cotransform, out_cotransform, out_transform, transform,
};
pub use fugue_core::{
    ConfigOverrides, ErrorKind, FugueConfig, FugueError, IntoConfigOverrides, PartitionAlgo,
    PartitionSpec, Result, Schema, SortKey,
};
pub use fugue_runtime::engine::{
    DropHow, ExecutionEngine, FileFormat, FillValue, IntoEngine, JoinHow, LoadOptions, LocalEngine,
    NaPosition, RelationalEngine, SampleSize, SaveMode, SaveOptions, ZipHow, make_engine,
};
pub use fugue_runtime::function::{
    BatchStream, Callback, Params, PartitionCursor, PartitionFunction, PhysicalPartition,
};
pub use fugue_runtime::like::{IntoPartitionSpec, IntoPath, records};
pub use fugue_runtime::record::{ArrowField, ArrowStr, Record};
pub use fugue_runtime::workflow::{
    CheckpointOutcome, CheckpointReport, ProgressReport, Workflow, WorkflowFrame, WorkflowResult,
};
pub use fugue_runtime::{
    ArrowFrame, DataFrame, DataFrames, IntoDataFrame, IntoSchema, RowFrame, StreamFrame, Value,
};

/// Derive [`Record`] (the struct's schema as const data, and conversions to and from
/// Arrow record batches) and [`ArrowField`] (so the struct can be a field of another
/// derived struct) for a struct with named fields.
///
/// Field attributes: `#[fugue(rename = "column name")]` and `#[fugue(type = "decimal(10,2)")]`
/// (an explicit type in the schema language, of the field type's family: another precision or
/// scale for `Decimal`, another unit for `NaiveDateTime`, another unit or time zone for
/// `DateTime<Utc>`). The type mapping is in [`record`].
///
/// ```
/// use fugue::prelude::*;
///
/// #[derive(Schema, Debug, PartialEq)]
/// struct Order {
///     id: i64,
///     #[fugue(rename = "order date")]
///     date: chrono::NaiveDate,
///     #[fugue(type = "decimal(10,2)")]
///     amount: rust_decimal::Decimal,
///     note: Option<String>,
/// }
///
/// let rows = vec![Order {
///     id: 1,
///     date: chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
///     amount: rust_decimal::Decimal::new(1999, 2),
///     note: None,
/// }];
/// assert_eq!(Order::COLUMNS[1].name, "order date");
/// assert_eq!(
///     Order::schema().to_string(),
///     "id:long,`order date`:date,amount:decimal(10,2),note:str"
/// );
/// let batch = Order::to_record_batch(&rows)?;
/// assert_eq!(batch.num_rows(), 1);
/// assert_eq!(Order::from_record_batch(&batch)?, rows);
/// # Ok::<(), fugue::FugueError>(())
/// ```
pub use fugue_macros::Schema;

/// Declare a **transformer**: a plain function that engines run once per logical partition,
/// turning the partition's rows into output rows.
///
/// ```
/// use fugue::prelude::*;
///
/// #[derive(Schema, Debug, PartialEq)]
/// struct Sale { shop: String, amount: f64 }
///
/// #[derive(Schema, Debug, PartialEq)]
/// struct Total { shop: String, total: f64 }
///
/// /// One total per shop.
/// #[transformer(partitionby_has = "shop")]
/// fn total(sales: Vec<Sale>) -> Total {
///     let shop = sales.first().map(|s| s.shop.clone()).unwrap_or_default();
///     Total { shop, total: sales.iter().map(|s| s.amount).sum() }
/// }
///
/// let sales = vec![
///     Sale { shop: "b".into(), amount: 2.0 },
///     Sale { shop: "a".into(), amount: 1.0 },
///     Sale { shop: "b".into(), amount: 3.0 },
/// ];
/// let out: Vec<Total> = fugue::records(fugue::transform(sales, total, "by=shop", "native")?)?;
/// assert_eq!(out, vec![
///     Total { shop: "a".into(), total: 1.0 },
///     Total { shop: "b".into(), total: 5.0 },
/// ]);
/// # Ok::<(), fugue::FugueError>(())
/// ```
///
/// **What it generates.** `total` becomes a unit struct (a value) that implements
/// [`extension::Transformer`] (name, kind, input and output columns, rules and parameters as
/// consts) and [`PartitionFunction`] (what engines call). The body moves to
/// `total.call(sales)`, so the function stays callable in unit tests. (There is deliberately no
/// `Deref` to a function pointer: it would fail on public transformers over private types and
/// cannot express `impl Trait` shapes.)
///
/// **Parameters**, in order: the data (`Vec<T>`, `&[T]`, `impl Iterator<Item = T>` where `T`
/// derives [`Schema`](derive@Schema); `RecordBatch`; `impl Iterator<Item = RecordBatch>`; `DataFrame`), then
/// optionally a `Callback` or `Option<Callback>`, optionally a `PartitionCursor` or
/// `&PartitionCursor`, optionally the `on_init` state as `&S` or `Arc<S>` (below), then typed
/// parameters filled by name from the step's parameters.
///
/// **Return**: `Vec<T>`, one `T`, `impl Iterator<Item = T>` (converted lazily),
/// `RecordBatch`, `impl Iterator<Item = RecordBatch>`, `impl Iterator<Item = Result<RecordBatch,
/// E>>` or `DataFrame`, each optionally in `Result<_, E>` for any
/// `E: std::error::Error + Send + Sync + 'static`. A dynamic return needs a schema hint:
/// `#[transformer(schema = "*,score:double")]` (`*` is the input's columns; `*-a`, `*~a`,
/// `*+a:str` change them). A typed return's schema is inferred; a hint given as well must agree.
///
/// **Validation rules** (checked before any data moves): `partitionby_has`, `partitionby_is`,
/// `presort_has`, `presort_is`, `input_has`, `input_is`, e.g.
/// `#[transformer(partitionby_has = "city", presort_is = "fare desc")]`. A rule naming a column
/// that a typed input lacks is a compile error.
///
/// **Setup once per physical partition** (Fugue's `on_init`): `on_init = path::to::init` names
/// a function `fn(&PhysicalPartition) -> S` (or `-> Result<S, E>`) that engines call once per
/// physical partition, before its first call, for expensive setup such as loading a model; the
/// function is still called once per logical partition (key group) and receives the state as a
/// `&S` parameter (or `Arc<S>`, which a lazy `impl Iterator` output may keep). `S` must be
/// `Send + Sync + 'static`. The [`PhysicalPartition`]
/// gives the partition's number, the input's and the keys' schemas and the step's parameters.
/// An error returned or a panic raised by `init` fails the step, naming the function and the
/// physical partition. Also on co-transformers and the output kinds.
///
/// ```
/// use fugue::prelude::*;
///
/// #[derive(Schema)]
/// struct Trip { city: String, fare: f64 }
///
/// #[derive(Schema, Debug, PartialEq)]
/// struct Priced { city: String, price: f64 }
///
/// struct Model { rate: f64 }
///
/// /// Load the model once per physical partition.
/// fn load_model(partition: &PhysicalPartition) -> Result<Model, FugueError> {
///     Ok(Model { rate: partition.params().get::<f64>("load_model", "rate")? })
/// }
///
/// #[transformer(on_init = load_model)]
/// fn price(trips: Vec<Trip>, model: &Model) -> Vec<Priced> {
///     trips.into_iter().map(|t| Priced { city: t.city, price: t.fare * model.rate }).collect()
/// }
///
/// let trips = vec![Trip { city: "Oslo".into(), fare: 2.0 }, Trip { city: "Rome".into(), fare: 4.0 }];
/// let out = fugue::Transform::new(trips, price).partition("by=city").param("rate", 1.5).run()?;
/// let mut priced: Vec<Priced> = fugue::records(out)?;
/// priced.sort_by(|a, b| a.city.cmp(&b.city));
/// assert_eq!(priced[1], Priced { city: "Rome".into(), price: 6.0 });
/// # Ok::<(), fugue::FugueError>(())
/// ```
///
/// An error returned or a panic raised by the function fails the step with an error naming the
/// function and the partition's key values.
pub use fugue_macros::transformer;

/// Declare an **output transformer**: like [`transformer`], run once per logical partition, but
/// returning nothing (`()` or `Result<(), E>`); run it with [`out_transform`]. No schema hint.
pub use fugue_macros::output_transformer;

/// Declare a **co-transformer**: one data parameter per input, the inputs zipped by the same
/// partition keys (an input without rows for a key receives an empty partition). A hint, when
/// the output is dynamic, lists every column: `*` is an error (there is no single input).
/// Co-transformers take no validation rule.
pub use fugue_macros::cotransformer;

/// Declare an **output co-transformer**: a [`cotransformer`] that returns nothing.
pub use fugue_macros::output_cotransformer;

/// Declare a **processor**: run once on the driver over whole frames (one per data parameter:
/// `Vec<T>`, `&[T]`, `RecordBatch` or `DataFrame`; or every input of the step as one
/// `DataFrames`, named when the step names them), returning one frame (`Vec<T>`, `T`,
/// `RecordBatch` or `DataFrame`, optionally in `Result`). A parameter `&dyn ExecutionEngine`
/// (first, or after the data) receives the run's engine, for joins, SQL or loads over the
/// inputs; processors, creators and outputters may take it, the per-partition kinds may not.
/// Implements [`extension::Processor`].
///
/// ```
/// use fugue::prelude::*;
///
/// #[derive(Schema, Debug, PartialEq)]
/// struct N { n: i64 }
///
/// #[processor]
/// fn double(rows: Vec<N>) -> Vec<N> {
///     rows.into_iter().map(|r| N { n: r.n * 2 }).collect()
/// }
///
/// let engine = fugue::make_engine("native", ())?;
/// let input = vec![vec![N { n: 2 }].into_dataframe()?];
/// let out = double.process(engine.as_ref(), input.into(), &Params::new())?;
/// assert_eq!(fugue::records::<N>(out)?, vec![N { n: 4 }]);
/// # Ok::<(), fugue::FugueError>(())
/// ```
///
/// With the engine and named inputs (a join through the engine's SQL):
///
/// ```
/// # #[cfg(feature = "datafusion")] {
/// use fugue::prelude::*;
///
/// #[derive(Schema, Debug, PartialEq)]
/// struct Trip { zone: i64, fare: f64 }
/// #[derive(Schema, Debug, PartialEq)]
/// struct Zone { zone: i64, name: String }
/// #[derive(Schema, Debug, PartialEq)]
/// struct Named { name: String, fare: f64 }
///
/// #[processor]
/// fn with_names(engine: &dyn ExecutionEngine, dfs: DataFrames) -> Result<Vec<Named>, FugueError> {
///     let joined = dfs.sql(engine, "SELECT name, fare FROM trips JOIN zones USING (zone)")?;
///     fugue::records(joined)
/// }
///
/// let trips = vec![Trip { zone: 1, fare: 9.5 }];
/// let zones = vec![Zone { zone: 1, name: "Soho".into() }];
/// let wf = workflow! {
///     t = create(trips) as Trip;
///     z = create(zones) as Zone;
///     named = process([trips: t, zones: z], with_names);
///     yield named;
/// };
/// let out: Vec<Named> = fugue::records(wf.run_on("native")?.get("named")?)?;
/// assert_eq!(out, vec![Named { name: "Soho".into(), fare: 9.5 }]);
/// # }
/// # Ok::<(), fugue::FugueError>(())
/// ```
pub use fugue_macros::processor;

/// Declare a **creator**: run once on the driver with only typed parameters, returning one frame.
/// Implements [`extension::Creator`].
pub use fugue_macros::creator;

/// Declare an **outputter**: run once on the driver over whole frames, returning nothing.
/// Implements [`extension::Outputter`].
pub use fugue_macros::outputter;

/// Declare a **workflow** in a small Rust-like DSL: steps composed into a DAG, expanded into
/// the runtime builder ([`Workflow`]), with the schema mistakes between
/// steps reported as **compile errors** at the step's token.
///
/// ```
/// use fugue::prelude::*;
///
/// #[derive(Schema, Debug, PartialEq)]
/// struct Trip { city: String, fare: f64 }
///
/// #[derive(Schema, Debug, PartialEq)]
/// struct Best { city: String, fare: f64 }
///
/// /// The highest fare of one city.
/// #[transformer(partitionby_has = "city", presort_is = "fare desc")]
/// fn best(trips: Vec<Trip>) -> Vec<Best> {
///     trips.into_iter().take(1).map(|t| Best { city: t.city, fare: t.fare }).collect()
/// }
///
/// let data = vec![
///     Trip { city: "a".into(), fare: 3.0 },
///     Trip { city: "a".into(), fare: 5.0 },
///     Trip { city: "b".into(), fare: 2.0 },
/// ];
/// let wf = workflow! {
///     trips = create(data) as Trip;
///     top   = transform(trips, best, partition(by: city, presort: fare desc));
///     // Checked at compile time: `top`'s columns can be read as `Best`.
///     yield top: Best;
/// };
/// let result = wf.run_on("native")?;
/// let mut top: Vec<Best> = result.records("top")?;
/// top.sort_by(|x, y| x.city.cmp(&y.city));
/// assert_eq!(top, vec![Best { city: "a".into(), fare: 5.0 }, Best { city: "b".into(), fare: 2.0 }]);
/// # Ok::<(), fugue::FugueError>(())
/// ```
///
/// **Statements**: `name = verb(args) [as Record];`, `verb(args);` (steps without output:
/// `save`, `show`, `out_transform`, `output`), `yield [file] name [as alias] [: Record];` (with
/// a record, checked at compile time: every column of the record is a column of the step, of
/// the same type; read it with `result.records::<Record>("name")`). Arguments are
/// positional (the input steps, Rust expressions for paths, data and values, columns as
/// identifiers or string literals), named (`how: inner`, `on: [city]`, `mode: overwrite`) or
/// assigned (`total = "sum(fare)"`), plus the sub-calls `partition(by: .., presort: ..,
/// num: .., algo: ..)` (or `partition(per_row)`) and `params(name: value, ..)`. The verbs:
/// `load`, `create` (data, or `create(using: creator, params(..))`), `transform`,
/// `out_transform`, `cotransform`, `out_cotransform`, `process`, `output`, `join` (`how:` any
/// of Fugue's spellings, in any case: `inner`, `left_outer`, `right_outer`, `full_outer`,
/// `semi`/`left_semi`, `anti`/`left_anti`, `cross`), `union`, `subtract`, `intersect`,
/// `distinct`, `dropna`, `fillna`, `sample`, `take`, `select`, `filter`, `assign`, `aggregate`,
/// `rename`, `alter_columns(input, "fare:float")`, `drop`, `persist`, `broadcast`,
/// `checkpoint`, `save`, `save_and_use(input, path)`, `show(input [, n] [, title: ".."] [,
/// with_count: true])`, `assert_eq(a, b, ..)`, `assert_not_eq(a, b, ..)`.
///
/// **Compile-time checks**, wherever the schemas are known (a record given with `as`, a
/// `columns: "a:int"` schema, a transformer's typed output or hint): a transformer's typed
/// input against its upstream (missing column, other type, an `Option` into a plain field),
/// its hint resolved against the input, its validation rules against the step's partition,
/// its parameters (unknown or missing names) and a required callback; the partition and
/// presort columns; join keys on both sides and their types; equal schemas for set
/// operations; zip keys in every input of a co-transform; the columns of `select`, `drop`,
/// `rename`, `alter_columns`, `filter`, `dropna`, `fillna` and `aggregate`'s keys; equal schemas
/// for `assert_eq`; a typed yield's record against its step. Each error names the step,
/// the column and the schemas, and suggests the closest column. Steps known only at run time are checked by the builder
/// with the step's name and the line of its statement.
///
/// Every verb's syntax, arguments, checks and an example: [`verbs`].
///
/// The value is a [`Workflow`]; run it with `.run_on(engine)` or `.run(engine, conf)`.
pub use fugue_macros::workflow;

/// What the code generated by the macros refers to. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::workflow_support as workflow;
    pub use arrow;
    pub use fugue_core;
    pub use fugue_core::{ConstColumn, ConstType};
    pub use fugue_runtime::IntoDataFrame;
    pub use fugue_runtime::engine::ExecutionEngine;
    pub use fugue_runtime::frame::{DataFrame, DataFrames};
    pub use fugue_runtime::function::{
        BatchStream, Params, PartitionContext, PartitionFunction, PartitionState, PhysicalPartition,
    };
    pub use fugue_runtime::like::IntoRecordFrame;
    pub use fugue_runtime::record::support::{self, RecordImpl};
    pub use fugue_runtime::record::{
        ArrowField, ConvertError, Record, StructColumn, StructFieldBuilder, TypeKind,
    };
    pub use fugue_runtime::registry::RegisteredFunction;
    pub use fugue_runtime::transformer::{
        self, CallbackUse, Creator, InputShape, Kind, OutputShape, Outputter, Processor,
        Transformer, adapt,
    };
    pub use fugue_runtime::workflow::{Ext, Workflow};
    pub use inventory;
    pub use std::sync::OnceLock;
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
