//! The function API (reference §9.4): run one transformer (or co-transformer) over dataframe-like
//! inputs without a workflow.
//!
//! ```
//! use fugue::prelude::*;
//!
//! #[derive(Schema, Debug, PartialEq)]
//! struct Trip { city: String, fare: f64 }
//!
//! #[derive(Schema, Debug, PartialEq)]
//! struct Ranked { city: String, fare: f64, rank: i64 }
//!
//! /// Rank the trips of one city by fare, highest first.
//! #[transformer(partitionby_has = "city", presort_is = "fare desc")]
//! fn rank(trips: Vec<Trip>) -> Vec<Ranked> {
//!     trips
//!         .into_iter()
//!         .enumerate()
//!         .map(|(i, t)| Ranked { city: t.city, fare: t.fare, rank: i as i64 + 1 })
//!         .collect()
//! }
//!
//! let trips = vec![
//!     Trip { city: "Paris".into(), fare: 10.0 },
//!     Trip { city: "Oslo".into(), fare: 7.0 },
//!     Trip { city: "Paris".into(), fare: 30.0 },
//! ];
//! let out = fugue::transform(trips, rank, "by=city; presort=fare desc", "native")?;
//! let ranked: Vec<Ranked> = fugue::records(out)?;
//! assert_eq!(ranked[0], Ranked { city: "Oslo".into(), fare: 7.0, rank: 1 });
//! assert_eq!(ranked[1], Ranked { city: "Paris".into(), fare: 30.0, rank: 1 });
//! assert_eq!(ranked[2], Ranked { city: "Paris".into(), fare: 10.0, rank: 2 });
//!
//! // The function stays callable, as `rank.call(..)`.
//! assert_eq!(rank.call(vec![]).len(), 0);
//!
//! // A spec that breaks a validation rule fails before any data moves.
//! let err = fugue::transform(Vec::<Trip>::new(), rank, "by=fare", "native").unwrap_err();
//! assert!(err.to_string().contains("validation rule `partitionby_has = \"city\"` of `rank` is not met"));
//! # Ok::<(), fugue::FugueError>(())
//! ```
//!
//! Parameters and a callback go through the builder [`Transform`]:
//! `Transform::new(data, f).partition("by=city").param("threshold", 0.5).callback(handler).run()`;
//! it also takes Fugue's output options (`persist`, `save_path`, `checkpoint`, `as_local`).
//! The input may be a path the engine loads (`fugue::transform("data/*.parquet", f, ..)`).
//! Co-transformers run the same way over several frames: [`cotransform`], [`CoTransform`].
//!
//! **The relational functions** ([`load`], [`save`], [`join`], [`union`], [`subtract`],
//! [`intersect`], [`distinct`], [`dropna`], [`fillna`], [`sample`], [`take`],
//! [`select_columns`], [`filter`], [`assign`], [`aggregate`], [`rename`], [`drop_columns`],
//! [`alter_columns`], [`persist`]) take dataframe-likes and an engine-like as their last
//! argument (`()` for the default engine), as Fugue's `fugue.api` functions do.
//!
//! **Engines.** `engine` is anything engine-like ([`IntoEngine`]): `"local"` (all cores),
//! `"native"` (one thread, deterministic), a name given to [`register_engine`], or an engine
//! instance; `()`, `""` and `None::<&str>` are the default engine: the thread's
//! [`engine_context`], else the process-wide [`set_global_engine`], else `local`. Every engine
//! gives the same results.
//!
//! ```
//! use fugue::api::{current_engine, engine_context};
//!
//! let ctx = engine_context("native", ())?;
//! // Calls naming no engine (`()`) now run on `native`, on this thread.
//! assert_eq!(current_engine().map(|e| e.name().to_string()).as_deref(), Some("native"));
//! drop(ctx);
//! assert!(current_engine().is_none());
//! # Ok::<(), fugue::FugueError>(())
//! ```

use fugue_core::{FugueError, PartitionSpec, Result};
use fugue_runtime::engine::{
    DropHow, ExecutionEngine, FillValue, IntoEngine, JoinHow, LoadOptions, NaPosition, SampleSize,
    SaveOptions, ZipHow, make_engine,
};
pub use fugue_runtime::engine::{
    EngineContext, clear_global_engine, context_engine, current_conf, current_engine,
    engine_context, register_engine, registered_engines, set_global_engine, unregister_engine,
};
use fugue_runtime::function::{Callback, CallbackTransport, Params, PartitionFunction};
use fugue_runtime::ignore::run_skipping;
pub use fugue_runtime::ignore::{IgnoreErrors, SkippedPartition};
use fugue_runtime::like::{
    IntoDataFrames, IntoPartitionSpec, IntoSchema, IntoTransformInput, TransformInput,
};
use fugue_runtime::value::Value;
use fugue_runtime::workflow::Choice;
use fugue_runtime::{DataFrame, IntoDataFrame};
use std::sync::Arc;

/// Run the transformer `f` over `data`, once per logical partition of `partition`, on `engine`;
/// the output is one dataframe. The step's checks (validation rules, required parameters, a
/// required callback) run before any data moves. See the [module docs](self) for an example.
pub fn transform<F: PartitionFunction + 'static>(
    data: impl IntoTransformInput,
    f: F,
    partition: impl IntoPartitionSpec,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    Transform::new(data, f)
        .partition(partition)
        .engine(engine)
        .run()
}

/// Run the output transformer `f` (or any transformer, whose output is dropped) over `data`,
/// once per logical partition of `partition`, eagerly.
pub fn out_transform<F: PartitionFunction + 'static>(
    data: impl IntoTransformInput,
    f: F,
    partition: impl IntoPartitionSpec,
    engine: impl IntoEngine,
) -> Result<()> {
    Transform::new(data, f)
        .partition(partition)
        .engine(engine)
        .run_output()
}

/// One transform step with parameters and a callback: the long form of [`transform`].
///
/// ```
/// use fugue::prelude::*;
///
/// #[derive(Schema)]
/// struct Item { price: f64 }
///
/// #[transformer]
/// fn over(items: Vec<Item>, report: Callback, threshold: f64) -> Vec<Item> {
///     let kept: Vec<Item> = items.into_iter().filter(|i| i.price > threshold).collect();
///     report.call(kept.len() as i64).ok();
///     kept
/// }
///
/// let seen = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
/// let counter = seen.clone();
/// let out = fugue::Transform::new(vec![Item { price: 1.0 }, Item { price: 9.0 }], over)
///     .param("threshold", 5.0)
///     .callback(move |v: Value| {
///         counter.fetch_add(v.as_i64().unwrap_or(0), std::sync::atomic::Ordering::SeqCst);
///         Ok(Value::Null)
///     })
///     .run()?;
/// assert_eq!(out.count()?, 1);
/// assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1);
/// # Ok::<(), fugue::FugueError>(())
/// ```
pub struct Transform<F> {
    input: TransformInput,
    function: F,
    output: Output,
    partition: Result<PartitionSpec>,
    params: Params,
    callback: Option<Callback>,
    ignore: IgnoreErrors,
    engine: Option<Result<Arc<dyn ExecutionEngine>>>,
}

impl<F: PartitionFunction + 'static> Transform<F> {
    /// A step running `function` over `data` (a dataframe-like, or a path the engine loads),
    /// unpartitioned, without parameters or callback.
    pub fn new(data: impl IntoTransformInput, function: F) -> Self {
        Transform {
            input: data.into_transform_input(),
            function,
            output: Output::default(),
            partition: Ok(PartitionSpec::new()),
            params: Params::new(),
            callback: None,
            ignore: IgnoreErrors::new(),
            engine: None,
        }
    }

    /// Run on this engine (default: the `local` engine).
    pub fn engine(mut self, engine: impl IntoEngine) -> Self {
        self.engine = Some(make_engine(engine, ()));
        self
    }

    /// Partition the input (a later call replaces an earlier one).
    pub fn partition(mut self, partition: impl IntoPartitionSpec) -> Self {
        self.partition = partition.into_partition_spec();
        self
    }

    /// Set one parameter, read by the function's typed parameter of that name.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.params.insert(name, value);
        self
    }

    /// Set every parameter.
    pub fn params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// The callback handler: any `Fn(Value) -> Result<Value> + Send + Sync`. On the engines of
    /// one machine, calls are delivered to the calling thread, in order within a partition.
    pub fn callback(mut self, handler: impl CallbackTransport + 'static) -> Self {
        self.callback = Some(Callback::new(handler));
        self
    }

    /// Skip the logical partitions whose call fails with one of these errors (Fugue's
    /// `ignore_errors`): they contribute no rows, and [`run_with_skipped`](Self::run_with_skipped)
    /// lists them. Errors are matched by type (downcast: the function's error type) or by the
    /// kind of their root cause; panics only when [`IgnoreErrors::panics`] is listed. The
    /// engines of one machine only (the Ballista engine refuses the step).
    ///
    /// ```
    /// use fugue::prelude::*;
    /// use fugue::IgnoreErrors;
    ///
    /// #[derive(Schema)]
    /// struct Reading { sensor: String, raw: String }
    ///
    /// #[derive(Schema, Debug, PartialEq)]
    /// struct Parsed { sensor: String, value: i64 }
    ///
    /// #[transformer]
    /// fn parse(rows: Vec<Reading>) -> Result<Vec<Parsed>, std::num::ParseIntError> {
    ///     rows.into_iter()
    ///         .map(|r| Ok(Parsed { value: r.raw.parse()?, sensor: r.sensor }))
    ///         .collect()
    /// }
    ///
    /// let rows = vec![
    ///     Reading { sensor: "a".into(), raw: "1".into() },
    ///     Reading { sensor: "b".into(), raw: "x".into() },
    /// ];
    /// let (out, skipped) = fugue::Transform::new(rows, parse)
    ///     .partition("by=sensor")
    ///     .ignore_errors(IgnoreErrors::new().error::<std::num::ParseIntError>())
    ///     .run_with_skipped()?;
    /// assert_eq!(fugue::records::<Parsed>(out)?, vec![Parsed { sensor: "a".into(), value: 1 }]);
    /// assert_eq!(skipped.len(), 1);
    /// assert_eq!(skipped[0].cursor().key("sensor"), Some(&Value::from("b")));
    /// # Ok::<(), fugue::FugueError>(())
    /// ```
    pub fn ignore_errors(mut self, ignore: IgnoreErrors) -> Self {
        self.ignore = ignore;
        self
    }

    /// Run, returning the output.
    pub fn run(self) -> Result<DataFrame> {
        self.run_with_skipped().map(|(df, _)| df)
    }

    /// Materialise the output before returning it (Fugue's `persist=True`): a streaming
    /// output is read to its end, so the function has run for every partition when `run`
    /// returns.
    pub fn persist(mut self, persist: bool) -> Self {
        self.output.persist = persist;
        self
    }

    /// Fugue's `as_local=True`: every frame of these engines is local already, so this changes
    /// nothing; it is accepted so that code written for Fugue keeps its meaning.
    pub fn as_local(self, _as_local: bool) -> Self {
        self
    }

    /// Save the output as parquet at `path` (replacing what is there) and return the frame
    /// read back from it (Fugue's `save_path`, which returns the path instead).
    pub fn save_path(mut self, path: impl Into<String>) -> Self {
        self.output.save_path = Some(path.into());
        self
    }

    /// Fugue's `checkpoint=True`: without [`save_path`](Self::save_path), save the output as
    /// a file under `fugue.workflow.checkpoint.path` (a new name per run, kept) and return the
    /// frame read back from it; with a save path, the output is read back from that path
    /// either way.
    pub fn checkpoint(mut self, checkpoint: bool) -> Self {
        self.output.checkpoint = checkpoint;
        self
    }

    /// Run, returning the output and the partitions skipped by
    /// [`ignore_errors`](Self::ignore_errors) (reported under the function's name).
    pub fn run_with_skipped(self) -> Result<(DataFrame, Vec<SkippedPartition>)> {
        let engine = resolve(self.engine)?;
        let data = load_input(engine.as_ref(), self.input)?;
        let (spec, params) = (self.partition?, Arc::new(self.params));
        let callback = self.callback;
        let step = self.function.name().to_string();
        let (df, skipped) =
            run_skipping(Arc::new(self.function), &self.ignore, &step, |function| {
                engine.map(data, function, &spec, params, callback)
            })?;
        Ok((self.output.finish(engine.as_ref(), df)?, skipped))
    }

    /// Run eagerly and drop the output (`out_transform`).
    pub fn run_output(self) -> Result<()> {
        self.run().map(drop)
    }
}

/// The engine of a call (default: the thread's engine context, else the global engine, else
/// `local`).
fn resolve(engine: Option<Result<Arc<dyn ExecutionEngine>>>) -> Result<Arc<dyn ExecutionEngine>> {
    match engine {
        Some(engine) => engine,
        None => make_engine((), ()),
    }
}

/// The data of an input: as given, or loaded by the engine from its path.
fn load_input(engine: &dyn ExecutionEngine, input: TransformInput) -> Result<DataFrame> {
    match input {
        TransformInput::Data(data) => data,
        TransformInput::Path(path) => engine.load(&[path.as_str()], &LoadOptions::default()),
    }
}

/// What happens to an output before it is returned (Fugue's `persist`, `save_path`,
/// `checkpoint`).
#[derive(Debug, Clone, Default)]
struct Output {
    persist: bool,
    save_path: Option<String>,
    checkpoint: bool,
}

impl Output {
    fn finish(&self, engine: &dyn ExecutionEngine, df: DataFrame) -> Result<DataFrame> {
        let path = match (&self.save_path, self.checkpoint) {
            (Some(path), _) => Some(path.clone()),
            (None, true) => {
                let root = engine
                    .conf()
                    .fugue
                    .workflow
                    .checkpoint
                    .path
                    .clone()
                    .ok_or_else(|| FugueError::Config {
                        key: fugue_runtime::workflow::CHECKPOINT_PATH.to_string(),
                        reason: "`checkpoint(true)` without a save path writes the output under \
                                 this folder; set it, or give `save_path`"
                            .to_string(),
                    })?;
                let name = format!(
                    "transform-{}.parquet",
                    fugue_runtime::workflow::checkpoint::run_id()
                );
                Some(root.join(name).to_string_lossy().into_owned())
            }
            (None, false) => None,
        };
        match path {
            Some(path) => {
                let options = SaveOptions {
                    format: Some(fugue_runtime::engine::FileFormat::Parquet),
                    ..SaveOptions::default()
                };
                engine.save(df, &path, &options)?;
                let load = LoadOptions {
                    format: Some(fugue_runtime::engine::FileFormat::Parquet),
                    ..LoadOptions::default()
                };
                engine.load(&[path.as_str()], &load)
            }
            None if self.persist => df.materialize(),
            None => Ok(df),
        }
    }
}

/// Run the co-transformer `f` over `data` (several dataframe-likes, [`IntoDataFrames`]: a tuple
/// or a `Vec`), zipped by the keys of `partition` (or, without keys, the columns common to every
/// input), once per key group, on `engine`; an inner zip (see [`CoTransform::how`]).
///
/// ```
/// use fugue::prelude::*;
///
/// #[derive(Schema)]
/// struct Trip { city: String, fare: f64 }
/// #[derive(Schema)]
/// struct Population { city: String, people: i64 }
/// #[derive(Schema, Debug, PartialEq)]
/// struct PerCity { city: String, trips: i64, people: i64 }
///
/// #[cotransformer]
/// fn per_city(trips: Vec<Trip>, pop: Vec<Population>) -> Vec<PerCity> {
///     let city = trips.first().map(|t| t.city.clone()).unwrap_or_default();
///     vec![PerCity { city, trips: trips.len() as i64, people: pop.iter().map(|p| p.people).sum() }]
/// }
///
/// let trips = vec![Trip { city: "a".into(), fare: 1.0 }, Trip { city: "a".into(), fare: 2.0 }];
/// let pop = vec![Population { city: "a".into(), people: 10 }, Population { city: "b".into(), people: 5 }];
/// let out = fugue::cotransform((trips, pop), per_city, "by=city", "native")?;
/// assert_eq!(
///     fugue::records::<PerCity>(out)?,
///     vec![PerCity { city: "a".into(), trips: 2, people: 10 }]
/// );
/// # Ok::<(), fugue::FugueError>(())
/// ```
pub fn cotransform<F: PartitionFunction + 'static>(
    data: impl IntoDataFrames,
    f: F,
    partition: impl IntoPartitionSpec,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    CoTransform::new(data, f)
        .partition(partition)
        .engine(engine)
        .run()
}

/// Run the output co-transformer `f` (or any co-transformer, whose output is dropped) over
/// `data` zipped by key, eagerly.
pub fn out_cotransform<F: PartitionFunction + 'static>(
    data: impl IntoDataFrames,
    f: F,
    partition: impl IntoPartitionSpec,
    engine: impl IntoEngine,
) -> Result<()> {
    CoTransform::new(data, f)
        .partition(partition)
        .engine(engine)
        .run()
        .and_then(|df| df.into_batches().map(drop))
}

/// One co-transform step with a zip kind, parameters and a callback: the long form of
/// [`cotransform`].
pub struct CoTransform<F> {
    data: Result<Vec<DataFrame>>,
    function: F,
    how: Result<ZipHow>,
    partition: Result<PartitionSpec>,
    params: Params,
    callback: Option<Callback>,
    ignore: IgnoreErrors,
    engine: Option<Result<Arc<dyn ExecutionEngine>>>,
    output: Output,
}

impl<F: PartitionFunction + 'static> CoTransform<F> {
    /// A step running `function` over `data` zipped by key (inner), without parameters or
    /// callback.
    pub fn new(data: impl IntoDataFrames, function: F) -> Self {
        CoTransform {
            data: data.into_dataframes(),
            function,
            how: Ok(ZipHow::Inner),
            partition: Ok(PartitionSpec::new()),
            params: Params::new(),
            callback: None,
            ignore: IgnoreErrors::new(),
            engine: None,
            output: Output::default(),
        }
    }

    /// Run on this engine (default: the `local` engine).
    pub fn engine(mut self, engine: impl IntoEngine) -> Self {
        self.engine = Some(make_engine(engine, ()));
        self
    }

    /// The zip keys (`by`) and the physical distribution (a later call replaces an earlier
    /// one).
    pub fn partition(mut self, partition: impl IntoPartitionSpec) -> Self {
        self.partition = partition.into_partition_spec();
        self
    }

    /// The zip kind: [`ZipHow`] or its name (`inner`, `left_outer`, `right_outer`,
    /// `full_outer`, `cross`; any case).
    pub fn how(mut self, how: impl Choice<ZipHow>) -> Self {
        self.how = how.choice();
        self
    }

    /// Set one parameter, read by the function's typed parameter of that name.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.params.insert(name, value);
        self
    }

    /// Set every parameter.
    pub fn params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// The callback handler (see [`Transform::callback`]).
    pub fn callback(mut self, handler: impl CallbackTransport + 'static) -> Self {
        self.callback = Some(Callback::new(handler));
        self
    }

    /// Skip the key groups whose call fails with these errors (see
    /// [`Transform::ignore_errors`]).
    pub fn ignore_errors(mut self, ignore: IgnoreErrors) -> Self {
        self.ignore = ignore;
        self
    }

    /// See [`Transform::persist`].
    pub fn persist(mut self, persist: bool) -> Self {
        self.output.persist = persist;
        self
    }

    /// See [`Transform::save_path`].
    pub fn save_path(mut self, path: impl Into<String>) -> Self {
        self.output.save_path = Some(path.into());
        self
    }

    /// See [`Transform::checkpoint`].
    pub fn checkpoint(mut self, checkpoint: bool) -> Self {
        self.output.checkpoint = checkpoint;
        self
    }

    /// Run, returning the output.
    pub fn run(self) -> Result<DataFrame> {
        self.run_with_skipped().map(|(df, _)| df)
    }

    /// Run, returning the output and the key groups skipped by
    /// [`ignore_errors`](Self::ignore_errors).
    pub fn run_with_skipped(self) -> Result<(DataFrame, Vec<SkippedPartition>)> {
        let engine = resolve(self.engine)?;
        let (data, how, spec) = (self.data?, self.how?, self.partition?);
        if data.len() < 2 {
            return Err(FugueError::invalid_argument(
                "zip",
                format!(
                    "a co-transform zips at least two frames, got {}",
                    data.len()
                ),
            ));
        }
        let (params, callback) = (Arc::new(self.params), self.callback);
        let step = self.function.name().to_string();
        let (df, skipped) =
            run_skipping(Arc::new(self.function), &self.ignore, &step, |function| {
                engine.comap(data, how, &spec, function, params, callback)
            })?;
        Ok((self.output.finish(engine.as_ref(), df)?, skipped))
    }
}

// ---- the relational function layer (Fugue's `fugue.api` free functions) -------------------

/// The engine and the frame of a relational function.
fn on(engine: impl IntoEngine) -> Result<Arc<dyn ExecutionEngine>> {
    make_engine(engine, ())
}

/// Load files (a path, folder or glob; the format from the suffix unless `options` sets it).
/// `engine` is any engine-like (`()` for the default).
///
/// ```
/// use fugue::{LoadOptions, SaveOptions};
/// use fugue::RowFrame;
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.parquet");
/// let path = path.to_str().unwrap();
/// let df = RowFrame::new("a:int,b:str", vec![vec![1.into(), "x".into()]])?;
/// fugue::api::save(df, path, &SaveOptions::default(), "native")?;
/// let back = fugue::api::load(path, &LoadOptions::default(), "native")?;
/// assert_eq!(back.schema().to_string(), "a:int,b:str");
/// # Ok::<(), fugue::FugueError>(())
/// ```
pub fn load(path: &str, options: &LoadOptions, engine: impl IntoEngine) -> Result<DataFrame> {
    on(engine)?.load(&[path], options)
}

/// Save a dataframe-like at `path` (see [`SaveOptions`] for the format, mode and partitioning).
pub fn save(
    df: impl IntoDataFrame,
    path: &str,
    options: &SaveOptions,
    engine: impl IntoEngine,
) -> Result<()> {
    on(engine)?.save(df.into_dataframe()?, path, options)
}

/// Join two dataframe-likes (reference §2.3): `how` is a [`JoinHow`] or one of Fugue's
/// spellings (any case), `on` the keys (empty: the common columns).
///
/// ```
/// use fugue::RowFrame;
///
/// let a = RowFrame::new("k:int,a:str", vec![vec![1.into(), "x".into()], vec![2.into(), "y".into()]])?;
/// let b = RowFrame::new("k:int,b:str", vec![vec![1.into(), "p".into()]])?;
/// let joined = fugue::api::join(a.clone(), b.clone(), "inner", &["k"], "native")?;
/// assert_eq!(joined.schema().to_string(), "k:int,a:str,b:str");
/// assert_eq!(fugue::api::join(a, b, "LEFT_ANTI", &[], ())?.count()?, 1);
/// # Ok::<(), fugue::FugueError>(())
/// ```
pub fn join(
    df1: impl IntoDataFrame,
    df2: impl IntoDataFrame,
    how: impl Choice<JoinHow>,
    on_keys: &[&str],
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    let how = how.choice()?;
    on(engine)?.join(df1.into_dataframe()?, df2.into_dataframe()?, how, on_keys)
}

/// The rows of both (`distinct`: without duplicates, SQL `UNION`; else `UNION ALL`).
pub fn union(
    df1: impl IntoDataFrame,
    df2: impl IntoDataFrame,
    distinct: bool,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.union(df1.into_dataframe()?, df2.into_dataframe()?, distinct)
}

/// The rows of `df1` not in `df2` (SQL `EXCEPT`, or `EXCEPT ALL` without `distinct`).
pub fn subtract(
    df1: impl IntoDataFrame,
    df2: impl IntoDataFrame,
    distinct: bool,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.subtract(df1.into_dataframe()?, df2.into_dataframe()?, distinct)
}

/// The rows in both (SQL `INTERSECT`, or `INTERSECT ALL` without `distinct`).
pub fn intersect(
    df1: impl IntoDataFrame,
    df2: impl IntoDataFrame,
    distinct: bool,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.intersect(df1.into_dataframe()?, df2.into_dataframe()?, distinct)
}

/// The distinct rows.
pub fn distinct(df: impl IntoDataFrame, engine: impl IntoEngine) -> Result<DataFrame> {
    on(engine)?.distinct(df.into_dataframe()?)
}

/// Drop the rows with NULLs (reference §2.5): `how` any/all, or at least `thresh` non-NULL
/// values, among `subset` (every column when `None`).
pub fn dropna(
    df: impl IntoDataFrame,
    how: impl Choice<DropHow>,
    thresh: Option<usize>,
    subset: Option<&[&str]>,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    let how = how.choice()?;
    on(engine)?.dropna(df.into_dataframe()?, how, thresh, subset)
}

/// Fill NULLs with one value or a value per column, among `subset` (every column when `None`).
pub fn fillna(
    df: impl IntoDataFrame,
    value: &FillValue,
    subset: Option<&[&str]>,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.fillna(df.into_dataframe()?, value, subset)
}

/// A random sample of `size` rows or a fraction, with or without replacement (`seed` makes it
/// reproducible).
pub fn sample(
    df: impl IntoDataFrame,
    size: SampleSize,
    replace: bool,
    seed: Option<u64>,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.sample(df.into_dataframe()?, size, replace, seed)
}

/// The first `n` rows (per key group of `partition`, when it has keys) in the order of
/// `presort` (a presort expression, `"fare desc, city"`), NULLs where `na_position` says.
pub fn take(
    df: impl IntoDataFrame,
    n: usize,
    presort: &str,
    na_position: impl Choice<NaPosition>,
    partition: impl IntoPartitionSpec,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    let presort = fugue_core::partition::parse_presort(presort)?;
    let spec = partition.into_partition_spec()?;
    let spec = (!spec.is_empty()).then_some(&spec);
    on(engine)?.take(
        df.into_dataframe()?,
        n,
        &presort,
        na_position.choice()?,
        spec,
    )
}

/// The columns `columns` by name, in that order.
pub fn select_columns(
    df: impl IntoDataFrame,
    columns: &[&str],
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.select_columns(df.into_dataframe()?, columns)
}

/// The rows where the SQL `condition` holds.
pub fn filter(
    df: impl IntoDataFrame,
    condition: &str,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.filter(df.into_dataframe()?, condition)
}

/// Add or replace columns computed by SQL expressions, `(name, expression)` pairs.
pub fn assign(
    df: impl IntoDataFrame,
    columns: &[(&str, &str)],
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.assign(df.into_dataframe()?, columns)
}

/// Aggregate by the keys `by` (none: the whole frame), `(name, aggregate expression)` pairs.
///
/// ```
/// use fugue::RowFrame;
///
/// let df = RowFrame::new("k:str,v:long", vec![
///     vec!["a".into(), 1_i64.into()],
///     vec!["a".into(), 2_i64.into()],
///     vec!["b".into(), 5_i64.into()],
/// ])?;
/// let sums = fugue::api::aggregate(df, &["k"], &[("total", "sum(v)")], "native")?;
/// assert_eq!(sums.count()?, 2);
/// # Ok::<(), fugue::FugueError>(())
/// ```
pub fn aggregate(
    df: impl IntoDataFrame,
    by: &[&str],
    columns: &[(&str, &str)],
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.aggregate(df.into_dataframe()?, by, columns)
}

/// Rename columns, `(old, new)` pairs.
pub fn rename(
    df: impl IntoDataFrame,
    pairs: &[(&str, &str)],
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.rename(df.into_dataframe()?, pairs)
}

/// Drop columns.
pub fn drop_columns(
    df: impl IntoDataFrame,
    columns: &[&str],
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.drop_columns(df.into_dataframe()?, columns)
}

/// Cast columns to the types of `changes` (a schema-like of the changed columns).
pub fn alter_columns(
    df: impl IntoDataFrame,
    changes: impl IntoSchema,
    engine: impl IntoEngine,
) -> Result<DataFrame> {
    on(engine)?.alter_columns(df.into_dataframe()?, &changes.into_schema()?)
}

/// Materialise a dataframe-like on the engine (computed once, held in memory).
pub fn persist(df: impl IntoDataFrame, engine: impl IntoEngine) -> Result<DataFrame> {
    on(engine)?.persist(df.into_dataframe()?)
}
