//! The function API (reference §9.4): run one transformer over a dataframe-like input without a
//! workflow.
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
//! `Transform::new(data, f).partition("by=city").param("threshold", 0.5).callback(handler).run()`.
//!
//! **Engines.** `engine` is anything engine-like ([`IntoEngine`]): `"local"` (all cores, the
//! default, also `""` and `None::<&str>`), `"native"` (one thread, deterministic), or an engine
//! instance. Every engine gives the same results.

use fugue_core::{PartitionSpec, Result};
use fugue_runtime::engine::{ExecutionEngine, IntoEngine, make_engine};
use fugue_runtime::function::{Callback, CallbackTransport, Params, PartitionFunction};
use fugue_runtime::ignore::{IgnoreErrors, SkippedPartition, run_skipping};
use fugue_runtime::like::IntoPartitionSpec;
use fugue_runtime::value::Value;
use fugue_runtime::{DataFrame, IntoDataFrame};
use std::sync::Arc;

/// Run the transformer `f` over `data`, once per logical partition of `partition`, on `engine`;
/// the output is one dataframe. The step's checks (validation rules, required parameters, a
/// required callback) run before any data moves. See the [module docs](self) for an example.
pub fn transform<F: PartitionFunction>(
    data: impl IntoDataFrame,
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
    data: impl IntoDataFrame,
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
    data: Result<DataFrame>,
    function: F,
    partition: Result<PartitionSpec>,
    params: Params,
    callback: Option<Callback>,
    ignore: IgnoreErrors,
    engine: Option<Result<Arc<dyn ExecutionEngine>>>,
}

impl<F: PartitionFunction> Transform<F> {
    /// A step running `function` over `data`, unpartitioned, without parameters or callback.
    pub fn new(data: impl IntoDataFrame, function: F) -> Self {
        Transform {
            data: data.into_dataframe(),
            function,
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

    /// Run, returning the output and the partitions skipped by
    /// [`ignore_errors`](Self::ignore_errors) (reported under the function's name).
    pub fn run_with_skipped(self) -> Result<(DataFrame, Vec<SkippedPartition>)> {
        let engine = match self.engine {
            Some(engine) => engine?,
            None => make_engine("", ())?,
        };
        let (data, spec, params) = (self.data?, self.partition?, Arc::new(self.params));
        let callback = self.callback;
        run_skipping(
            &self.function,
            &self.ignore,
            self.function.name(),
            |function| engine.map(data, function, &spec, params, callback),
        )
    }

    /// Run eagerly and drop the output (`out_transform`).
    pub fn run_output(self) -> Result<()> {
        self.run().map(drop)
    }
}
