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
//! assert!(err.to_string().contains("validation rule `partitionby_has` failed for step `rank`"));
//! # Ok::<(), fugue::core::FugueError>(())
//! ```
//!
//! Parameters and a callback go through the builder [`Transform`]:
//! `Transform::new(data, f).partition("by=city").param("threshold", 0.5).callback(handler).run()`;
//! it also takes Fugue's output options (`persist`, `save_path`, `checkpoint`, `as_local`).
//! The input may be a path the engine loads (`fugue::transform("data/*.parquet", f, ..)`).
//! Co-transformers run the same way over several frames: [`cotransform`], [`CoTransform`].
//!
//! **Engines.** `engine` is anything engine-like ([`IntoEngine`]): `"local"` (all cores, the
//! default, also `""` and `None::<&str>`), `"native"` (one thread, deterministic), or an engine
//! instance. Every engine gives the same results.

use fugue_core::{FugueError, PartitionSpec, Result};
use fugue_runtime::DataFrame;
use fugue_runtime::engine::{
    ExecutionEngine, IntoEngine, LoadOptions, SaveOptions, ZipHow, make_engine,
};
use fugue_runtime::function::{Callback, CallbackTransport, Params, PartitionFunction};
use fugue_runtime::ignore::{IgnoreErrors, SkippedPartition, run_skipping};
use fugue_runtime::like::{IntoDataFrames, IntoPartitionSpec, IntoTransformInput, TransformInput};
use fugue_runtime::value::Value;
use fugue_runtime::workflow::Choice;
use std::sync::Arc;

/// Run the transformer `f` over `data`, once per logical partition of `partition`, on `engine`;
/// the output is one dataframe. The step's checks (validation rules, required parameters, a
/// required callback) run before any data moves. See the [module docs](self) for an example.
pub fn transform<F: PartitionFunction>(
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
pub fn out_transform<F: PartitionFunction>(
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
/// # Ok::<(), fugue::core::FugueError>(())
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

impl<F: PartitionFunction> Transform<F> {
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
    /// use fugue::runtime::ignore::IgnoreErrors;
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
    /// # Ok::<(), fugue::core::FugueError>(())
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
        let (df, skipped) = run_skipping(
            &self.function,
            &self.ignore,
            self.function.name(),
            |function| engine.map(data, function, &spec, params, callback),
        )?;
        Ok((self.output.finish(engine.as_ref(), df)?, skipped))
    }

    /// Run eagerly and drop the output (`out_transform`).
    pub fn run_output(self) -> Result<()> {
        self.run().map(drop)
    }
}

/// The engine of a call (default: the `local` engine).
fn resolve(engine: Option<Result<Arc<dyn ExecutionEngine>>>) -> Result<Arc<dyn ExecutionEngine>> {
    match engine {
        Some(engine) => engine,
        None => make_engine("", ()),
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
                        key: "fugue.workflow.checkpoint.path".to_string(),
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
/// # Ok::<(), fugue::core::FugueError>(())
/// ```
pub fn cotransform<F: PartitionFunction>(
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
pub fn out_cotransform<F: PartitionFunction>(
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

impl<F: PartitionFunction> CoTransform<F> {
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
        let (df, skipped) = run_skipping(
            &self.function,
            &self.ignore,
            self.function.name(),
            |function| engine.comap(data, how, &spec, function, params, callback),
        )?;
        Ok((self.output.finish(engine.as_ref(), df)?, skipped))
    }
}
