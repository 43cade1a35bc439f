//! Execution engines: the one place where computation happens (reference §2).
//!
//! [`ExecutionEngine`] is the object-safe engine API, in two halves: the map primitive and
//! co-transformation, and the relational layer ([`RelationalEngine`]: join, set operations,
//! distinct, dropna, fillna, sample, take, SQL select/filter/assign/aggregate, column
//! operations, load/save), plus the physical hints (persist, broadcast, repartition).
//! [`LocalEngine`] implements both twice for one machine:
//!
//! * **`native`**: one thread, deterministic (DataFusion with one partition, the reference map);
//! * **`local`** (the default): DataFusion with one partition per worker thread
//!   (`fugue.local.workers`, default the machine's parallelism).
//!
//! Relational work runs on DataFusion (behind the `datafusion` cargo feature; without it the
//! engines still map and transform frames, and relational operations and load/save are
//! [`FugueError::Unsupported`]). Every schema rule is checked before anything executes, with
//! fugue-core's rules and wording, and every result is normalised to Fugue's supported Arrow
//! types before it leaves the engine.
//!
//! [`make_engine`] resolves an engine-like (`"native"`, `"local"`, `""`, an engine instance)
//! with a configuration layered on top, never mutating a shared engine.
//!
//! ```
//! # #[cfg(feature = "datafusion")] {
//! use fugue_runtime::engine::{JoinHow, make_engine};
//! use fugue_runtime::{IntoDataFrame, Value};
//!
//! let engine = make_engine("native", ())?;
//! let people = (
//!     vec![
//!         vec![Value::from(1_i32), Value::from("ann")],
//!         vec![Value::from(2_i32), Value::from("bob")],
//!         vec![Value::Null, Value::from("nobody")],
//!     ],
//!     "id:int,name:str",
//! )
//!     .into_dataframe()?;
//! let cities = (
//!     vec![
//!         vec![Value::from(1_i32), Value::from("Paris")],
//!         vec![Value::Null, Value::from("Nowhere")],
//!     ],
//!     "id:int,city:str",
//! )
//!     .into_dataframe()?;
//!
//! // Keys are inferred (the common column `id`); NULL keys never match.
//! let mut joined = engine.join(people, cities, "inner".parse::<JoinHow>()?, &[])?;
//! assert_eq!(joined.schema().to_string(), "id:int,name:str,city:str");
//! assert_eq!(
//!     joined.as_rows()?,
//!     vec![vec![Value::Int32(1), Value::from("ann"), Value::from("Paris")]]
//! );
//! # }
//! # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
//! ```

mod checks;
pub mod conf;
mod context;
#[cfg(feature = "datafusion")]
mod io;
#[cfg(not(feature = "datafusion"))]
#[path = "io_stub.rs"]
mod io;
mod local;
mod options;
pub(crate) mod planned;
#[cfg(feature = "datafusion")]
mod relational;
#[cfg(not(feature = "datafusion"))]
#[path = "relational_stub.rs"]
mod relational;
mod row_ops;
#[cfg(feature = "datafusion")]
mod scan;
#[cfg(feature = "datafusion")]
mod step_node;
#[cfg(feature = "datafusion")]
mod typed_load;

pub use crate::executor::{ZipHow, run_comap};
pub use checks::{JoinPlan, join_plan, join_plan_named, same_schema};
pub use conf::{LOCAL_MEMORY_LIMIT, LOCAL_SPILL_DIR, LOCAL_WORKERS};
pub use context::{
    BUILT_IN_ENGINES, EngineContext, NamedEngineFactory, clear_global_engine, context_engine,
    current_conf, current_engine, engine_context, register_engine, registered_engines,
    set_global_engine, unregister_engine,
};
pub use local::LocalEngine;
pub use options::{
    DropHow, FileFormat, FillValue, JoinHow, LoadColumns, LoadFiles, LoadOptions, NaPosition,
    ParquetCompression, SampleSize, SaveMode, SaveOptions, SelectQuery,
};
#[cfg(feature = "datafusion")]
pub use relational::{SqlBackend, split_batches, with_row_numbers};
#[cfg(feature = "datafusion")]
pub(crate) use step_node::{
    LocalQueryPlanner, LocalStep, MapFn, MapNode, pump, step_failure, step_plan,
};
#[cfg(feature = "datafusion")]
pub use step_node::{StepBody, StepFailure, StepNode, describe_step};

use crate::frame::DataFrame;
use crate::function::{Callback, Params, PartitionFunction};
use fugue_core::config::engine_conf;
use fugue_core::{
    ConfigOverrides, FugueConfig, FugueError, IntoConfigOverrides, PartitionSpec, Result, Schema,
};
use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

/// The error of an operation an engine does not have.
pub fn unsupported(engine: &str, operation: &str) -> FugueError {
    FugueError::Unsupported {
        operation: operation.to_string(),
        reason: format!("the `{engine}` engine does not support it"),
    }
}

/// An execution engine (reference §2.2). Object-safe: engines are shared as
/// `Arc<dyn ExecutionEngine>`.
///
/// The trait is split along the engine's two halves: the **map primitive** and
/// co-transformation ([`map`](Self::map), [`comap`](Self::comap): partition functions run by
/// the engine's executor) and the **relational layer** ([`relational`](Self::relational): a
/// [`RelationalEngine`] over frames and plans: joins, set operations, SQL steps, row and
/// column operations, load and save), plus the physical hints. A distributed engine that runs
/// its relational work through another engine's layer hands out that layer, instead of
/// forwarding each operation. The relational operations can be called on the engine itself:
/// `engine.join(..)` works on any `dyn ExecutionEngine` (and on a [`LocalEngine`] with
/// [`RelationalEngine`] in scope).
///
/// Every method takes any [`DataFrame`] and returns one of the engine's frames. Methods check
/// their schema rules before executing anything; errors carry the kinds of the acceptance
/// cases.
pub trait ExecutionEngine: Send + Sync + fmt::Debug {
    // ---- identity -------------------------------------------------------------------------

    /// The engine's name (`"native"`, `"local"`, ...).
    fn name(&self) -> &str;

    /// How many partitions the engine processes at once (native: 1).
    fn parallelism(&self) -> usize;

    /// The engine's configuration.
    fn conf(&self) -> &FugueConfig;

    /// A new engine of the same kind with `overrides` layered on this one's configuration
    /// (this engine is not changed).
    fn with_conf(&self, overrides: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>>;

    // ---- map and co-transformation ----------------------------------------------------------

    /// The map primitive (reference §2.6): split `df` into the logical partitions of `spec`,
    /// call `function` once per partition, concatenate the checked outputs. The function is
    /// shared (`Arc`): a call still running when the run fails is detached, not waited for
    /// (see [`crate::control`]).
    fn map(
        &self,
        df: DataFrame,
        function: Arc<dyn PartitionFunction>,
        spec: &PartitionSpec,
        params: Arc<Params>,
        callback: Option<Callback>,
    ) -> Result<DataFrame>;

    /// Zip `dfs` by key and call `function` once per key group with one input per frame
    /// (reference §2.7; see [`run_comap`]).
    fn comap(
        &self,
        dfs: Vec<DataFrame>,
        how: ZipHow,
        spec: &PartitionSpec,
        function: Arc<dyn PartitionFunction>,
        params: Arc<Params>,
        callback: Option<Callback>,
    ) -> Result<DataFrame> {
        let _ = (dfs, how, spec, function, params, callback);
        Err(unsupported(self.name(), "comap"))
    }

    // ---- the relational layer ------------------------------------------------------------------

    /// The engine's relational layer: every operation over frames and plans that is not a
    /// partition function.
    fn relational(&self) -> &dyn RelationalEngine;

    // ---- physical hints --------------------------------------------------------------------------

    /// Materialise the frame (eagerly), so it is computed once.
    fn persist(&self, df: DataFrame) -> Result<DataFrame> {
        df.materialize()
    }

    /// Mark the frame for broadcast (engines of one machine: unchanged).
    fn broadcast(&self, df: DataFrame) -> Result<DataFrame> {
        Ok(df)
    }

    /// Repartition physically (engines of one machine: unchanged).
    fn repartition(&self, df: DataFrame, spec: &PartitionSpec) -> Result<DataFrame> {
        let _ = spec;
        Ok(df)
    }
}

/// The relational layer of an engine (reference §2.3-§2.5, §2.8): joins, set operations,
/// distinct, SQL select / filter / assign / aggregate, take, the row operations (dropna,
/// fillna, sample), the column operations, load and save. [`LocalEngine`] implements it over
/// DataFusion (eager statements on `native`, lazy plans on `local`); an engine exposes its own
/// through [`ExecutionEngine::relational`].
///
/// Every method takes any [`DataFrame`], checks its schema rules before executing anything
/// (fugue-core's rules and wording) and returns one of the layer's frames.
pub trait RelationalEngine: Send + Sync {
    /// Join two frames (reference §2.3): keys `on`, or the common columns when empty; NULL
    /// keys never match. See [`join_plan`] for the checks and the output schema.
    fn join(&self, df1: DataFrame, df2: DataFrame, how: JoinHow, on: &[&str]) -> Result<DataFrame>;

    /// `UNION` (`distinct`) or `UNION ALL` of two frames with identical schemas.
    fn union(&self, df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame>;

    /// `EXCEPT` (`distinct`) or `EXCEPT ALL` (multiset difference) of two frames.
    fn subtract(&self, df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame>;

    /// `INTERSECT` (`distinct`) or `INTERSECT ALL` (multiset intersection) of two frames.
    fn intersect(&self, df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame>;

    /// Full-row dedupe; NULLs equal each other, NaN equals NaN.
    fn distinct(&self, df: DataFrame) -> Result<DataFrame>;

    /// Drop rows with NULLs (reference §2.5): `thresh` overrides `how`; `subset` limits the
    /// considered columns.
    fn dropna(
        &self,
        df: DataFrame,
        how: DropHow,
        thresh: Option<usize>,
        subset: Option<&[&str]>,
    ) -> Result<DataFrame>;

    /// Replace NULLs (not NaN) by a value or per-column values (reference §2.5).
    fn fillna(
        &self,
        df: DataFrame,
        value: &FillValue,
        subset: Option<&[&str]>,
    ) -> Result<DataFrame>;

    /// Random rows, reproducible with a seed (reference §2.5).
    fn sample(
        &self,
        df: DataFrame,
        size: SampleSize,
        replace: bool,
        seed: Option<u64>,
    ) -> Result<DataFrame>;

    /// The first `n` rows overall or per partition-key group, after sorting by `presort` (or
    /// the spec's presort when `presort` is empty), NULLs placed by `na_position` whatever the
    /// direction (reference §2.5). A presort given as text is parsed by
    /// [`parse_presort`](fugue_core::partition::parse_presort).
    fn take(
        &self,
        df: DataFrame,
        n: usize,
        presort: &[fugue_core::SortKey],
        na_position: NaPosition,
        partition: Option<&PartitionSpec>,
    ) -> Result<DataFrame>;

    /// A SQL select over the frame (the table has no name to refer to: columns only).
    fn select(&self, df: DataFrame, query: &SelectQuery) -> Result<DataFrame>;

    /// The rows where the SQL `condition` is true.
    fn filter(&self, df: DataFrame, condition: &str) -> Result<DataFrame>;

    /// A SQL query over named frames (`tables`: `(name, frame)`), DataFusion's SQL with its
    /// name resolution (unquoted identifiers lower-cased; a table is found by its name as
    /// registered, so a name with capitals is quoted in the query).
    fn sql(&self, tables: Vec<(&str, DataFrame)>, query: &str) -> Result<DataFrame>;

    /// Replace same-named columns in place and append new ones: `(name, SQL expression)`.
    fn assign(&self, df: DataFrame, columns: &[(&str, &str)]) -> Result<DataFrame>;

    /// Group by `partition_by` and compute `(name, SQL aggregate expression)` columns; the
    /// output is the keys then the columns. A non-aggregate expression is
    /// [`FugueError::InvalidArgument`].
    fn aggregate(
        &self,
        df: DataFrame,
        partition_by: &[&str],
        columns: &[(&str, &str)],
    ) -> Result<DataFrame>;

    /// Rename columns by `(old, new)` pairs.
    fn rename(&self, df: DataFrame, pairs: &[(&str, &str)]) -> Result<DataFrame> {
        df.rename(pairs)
    }

    /// Drop columns (strict; dropping every column is [`FugueError::InvalidArgument`]).
    fn drop_columns(&self, df: DataFrame, columns: &[&str]) -> Result<DataFrame> {
        df.drop(columns)
    }

    /// Cast the listed columns, order kept.
    fn alter_columns(&self, df: DataFrame, changes: &Schema) -> Result<DataFrame> {
        df.alter_columns(changes)
    }

    /// Keep the listed columns, in the listed order.
    fn select_columns(&self, df: DataFrame, columns: &[&str]) -> Result<DataFrame> {
        df.select(columns)
    }

    /// Load files, folders, globs or a list of them (reference §2.8): the files they resolve
    /// to now ([`LoadFiles::resolve`]), read by [`load_files`](Self::load_files).
    fn load(&self, paths: &[&str], options: &LoadOptions) -> Result<DataFrame> {
        self.load_files(&LoadFiles::resolve(paths, options.format)?, options)
    }

    /// Load exactly these files, resolved before (a workflow resolves a load's files once,
    /// for its checkpoint key and for the load).
    fn load_files(&self, files: &LoadFiles, options: &LoadOptions) -> Result<DataFrame>;

    /// Save a frame atomically (reference §2.8).
    fn save(&self, df: DataFrame, path: &str, options: &SaveOptions) -> Result<()>;
}

/// The relational operations called on an engine: each is its
/// [`relational`](ExecutionEngine::relational) layer's ([`RelationalEngine`]).
macro_rules! on_the_relational_layer {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;)*) => {
        impl<'a> dyn ExecutionEngine + 'a {
            $(
                $(#[$doc])*
                pub fn $name(&self, $($arg: $ty),*) -> $ret {
                    self.relational().$name($($arg),*)
                }
            )*
        }
    };
}

on_the_relational_layer! {
    /// [`RelationalEngine::join`].
    join(df1: DataFrame, df2: DataFrame, how: JoinHow, on: &[&str]) -> Result<DataFrame>;
    /// [`RelationalEngine::union`].
    union(df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame>;
    /// [`RelationalEngine::subtract`].
    subtract(df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame>;
    /// [`RelationalEngine::intersect`].
    intersect(df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame>;
    /// [`RelationalEngine::distinct`].
    distinct(df: DataFrame) -> Result<DataFrame>;
    /// [`RelationalEngine::dropna`].
    dropna(df: DataFrame, how: DropHow, thresh: Option<usize>, subset: Option<&[&str]>)
        -> Result<DataFrame>;
    /// [`RelationalEngine::fillna`].
    fillna(df: DataFrame, value: &FillValue, subset: Option<&[&str]>) -> Result<DataFrame>;
    /// [`RelationalEngine::sample`].
    sample(df: DataFrame, size: SampleSize, replace: bool, seed: Option<u64>)
        -> Result<DataFrame>;
    /// [`RelationalEngine::take`].
    take(
        df: DataFrame,
        n: usize,
        presort: &[fugue_core::SortKey],
        na_position: NaPosition,
        partition: Option<&PartitionSpec>
    ) -> Result<DataFrame>;
    /// [`RelationalEngine::select`].
    select(df: DataFrame, query: &SelectQuery) -> Result<DataFrame>;
    /// [`RelationalEngine::filter`].
    filter(df: DataFrame, condition: &str) -> Result<DataFrame>;
    /// [`RelationalEngine::sql`].
    sql(tables: Vec<(&str, DataFrame)>, query: &str) -> Result<DataFrame>;
    /// [`RelationalEngine::assign`].
    assign(df: DataFrame, columns: &[(&str, &str)]) -> Result<DataFrame>;
    /// [`RelationalEngine::aggregate`].
    aggregate(df: DataFrame, partition_by: &[&str], columns: &[(&str, &str)])
        -> Result<DataFrame>;
    /// [`RelationalEngine::rename`].
    rename(df: DataFrame, pairs: &[(&str, &str)]) -> Result<DataFrame>;
    /// [`RelationalEngine::drop_columns`].
    drop_columns(df: DataFrame, columns: &[&str]) -> Result<DataFrame>;
    /// [`RelationalEngine::alter_columns`].
    alter_columns(df: DataFrame, changes: &Schema) -> Result<DataFrame>;
    /// [`RelationalEngine::select_columns`].
    select_columns(df: DataFrame, columns: &[&str]) -> Result<DataFrame>;
    /// [`RelationalEngine::load`].
    load(paths: &[&str], options: &LoadOptions) -> Result<DataFrame>;
    /// [`RelationalEngine::load_files`].
    load_files(files: &LoadFiles, options: &LoadOptions) -> Result<DataFrame>;
    /// [`RelationalEngine::save`].
    save(df: DataFrame, path: &str, options: &SaveOptions) -> Result<()>;
}

/// What names an engine: `"native"`, `"local"`, `""` (the default, `local`), an engine instance,
/// and `"ballista://host:port"` once the `cluster` feature installs it (reference §2.9, §8).
pub trait IntoEngine {
    /// The engine, with `conf` layered on its configuration.
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>>;
}

/// What makes an engine of an installed URL scheme: the whole engine-like (for example
/// `ballista://host:50050`) and the configuration to layer on it.
pub type EngineFactory = fn(&str, &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>>;

fn schemes() -> &'static RwLock<Vec<(String, EngineFactory)>> {
    static SCHEMES: OnceLock<RwLock<Vec<(String, EngineFactory)>>> = OnceLock::new();
    SCHEMES.get_or_init(|| RwLock::new(Vec::new()))
}

/// Install the engine of a URL scheme (`"ballista"` for `ballista://host:port`), replacing an
/// earlier installation of the same scheme. Engines outside this crate (the distributed one)
/// install themselves this way, so that any engine-like string can name them.
pub fn install_engine_scheme(scheme: &str, factory: EngineFactory) {
    let scheme = scheme.to_ascii_lowercase();
    let mut table = schemes().write().unwrap_or_else(|e| e.into_inner());
    table.retain(|(s, _)| *s != scheme);
    table.push((scheme, factory));
}

fn scheme_factory(scheme: &str) -> Option<EngineFactory> {
    let table = schemes().read().unwrap_or_else(|e| e.into_inner());
    table.iter().find(|(s, _)| s == scheme).map(|(_, f)| *f)
}

/// The engine names [`make_engine`] knows besides the [`registered_engines`].
pub const ENGINE_NAMES: &[&str] = &["native", "local", "ballista://host:port"];

impl IntoEngine for &str {
    /// `""` is the default engine (as `()`: see [`engine_context`]); `native` and `local` are
    /// built in; any other name is an engine of [`register_engine`] or, `scheme://..`, of
    /// [`install_engine_scheme`].
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        let name = self.trim();
        let lower = name.to_ascii_lowercase();
        // A registered name is never a built-in one (`register_engine` refuses them).
        if let Some(factory) = context::named_factory(&lower) {
            return context::make_named(factory.as_ref(), name, conf);
        }
        match lower.as_str() {
            "" => context::default_engine(conf),
            // Defaults < global conf < `FUGUE_*` environment < `conf`.
            "local" => Ok(Arc::new(LocalEngine::local(engine_conf(conf)?)?)),
            "native" => Ok(Arc::new(LocalEngine::native(engine_conf(conf)?)?)),
            lower if lower.contains("://") => {
                let scheme = &lower[..lower.find("://").unwrap_or(0)];
                match scheme_factory(scheme) {
                    Some(factory) => factory(name, conf),
                    None => Err(FugueError::Unsupported {
                        operation: format!("engine `{name}`"),
                        reason: format!(
                            "no engine is installed for `{scheme}://` in this binary; the \
                             Ballista engine needs the `cluster` feature of `fugue` and \
                             `fugue::cluster::install()` (which `fugue::cluster::main` calls)"
                        ),
                    }),
                }
            }
            _ => {
                let registered = registered_engines();
                let known: Vec<&str> = ENGINE_NAMES
                    .iter()
                    .copied()
                    .chain(registered.iter().map(String::as_str))
                    .collect();
                Err(FugueError::invalid_argument(
                    "engine",
                    format!(
                        "`{name}` is not a known engine; known engines are {} (more can be \
                         registered with `register_engine`)",
                        known.join(", ")
                    ),
                ))
            }
        }
    }
}

impl IntoEngine for () {
    /// `()` is the default engine: the thread's [`engine_context`], else the
    /// [`set_global_engine`] engine, else `local`.
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        "".into_engine(conf)
    }
}

impl IntoEngine for String {
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        self.as_str().into_engine(conf)
    }
}

impl IntoEngine for &String {
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        self.as_str().into_engine(conf)
    }
}

impl<T: IntoEngine> IntoEngine for Option<T> {
    /// `None` is the default engine (as `()`).
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        match self {
            Some(inner) => inner.into_engine(conf),
            None => "".into_engine(conf),
        }
    }
}

impl IntoEngine for Arc<dyn ExecutionEngine> {
    /// The same engine when `conf` is empty; otherwise a new engine with `conf` layered on its
    /// configuration (the shared instance is never mutated: a documented divergence from
    /// Fugue, whose `make_execution_engine` updates the instance's conf).
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        if conf.is_empty() {
            Ok(self)
        } else {
            self.with_conf(conf)
        }
    }
}

impl IntoEngine for &Arc<dyn ExecutionEngine> {
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        self.clone().into_engine(conf)
    }
}

impl IntoEngine for LocalEngine {
    fn into_engine(self, conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        let engine: Arc<dyn ExecutionEngine> = Arc::new(self);
        engine.into_engine(conf)
    }
}

/// Resolve an engine-like with `conf` (anything config-like) layered on its configuration
/// (reference §2.9 step 4, without mutating a shared engine).
pub fn make_engine(
    engine: impl IntoEngine,
    conf: impl IntoConfigOverrides,
) -> Result<Arc<dyn ExecutionEngine>> {
    engine.into_engine(&conf.into_overrides()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fugue_core::ErrorKind;

    #[test]
    fn engine_names_resolve() {
        let conf = ConfigOverrides::new();
        assert_eq!(make_engine("native", &conf).unwrap().name(), "native");
        assert_eq!(make_engine("", &conf).unwrap().name(), "local");
        assert_eq!(make_engine(None::<&str>, &conf).unwrap().name(), "local");
        let e = make_engine("spark", &conf).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("native, local"), "{e}");
        let e = make_engine("ballista://h:1", &conf).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedOperation);
    }

    #[test]
    fn the_engines_of_one_machine_take_the_in_process_callback_server() {
        for name in ["native", "local"] {
            for ok in ["native", "In_Process", ""] {
                assert!(
                    make_engine(name, [("fugue.rpc.server", ok)]).is_ok(),
                    "{ok}"
                );
            }
            for (value, says) in [
                ("flight", "Ballista"),
                ("flask", "Ballista"),
                ("rest", "`flight`"),
            ] {
                let Err(e) = make_engine(name, [("fugue.rpc.server", value)]) else {
                    panic!("{name} took `{value}`");
                };
                let text = e.to_string();
                assert!(
                    text.starts_with("invalid config `fugue.rpc.server`"),
                    "{text}"
                );
                assert!(text.contains(says), "{text}");
            }
        }
    }

    #[test]
    fn conf_is_layered_not_mutated() {
        let shared = make_engine("native", [("user.k", "base")]).unwrap();
        let same = make_engine(shared.clone(), ()).unwrap();
        assert!(Arc::ptr_eq(&shared, &same));
        let over = make_engine(shared.clone(), [("user.k", "over")]).unwrap();
        assert_eq!(over.conf().get("user.k").as_deref(), Some("over"));
        assert_eq!(over.name(), "native");
        assert_eq!(shared.conf().get("user.k").as_deref(), Some("base"));
    }

    #[cfg(not(feature = "datafusion"))]
    #[test]
    fn relational_operations_need_datafusion() {
        use crate::{ArrowFrame, Value};
        let df = || {
            DataFrame::from(ArrowFrame::from_rows("a:int", &[vec![Value::from(1_i32)]]).unwrap())
        };
        let engine = make_engine("native", ()).unwrap();
        let e = engine.join(df(), df(), JoinHow::Inner, &[]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedOperation);
        assert!(e.to_string().contains("`datafusion` cargo feature"), "{e}");
        // Schema checks still come first.
        let other =
            DataFrame::from(ArrowFrame::from_rows("b:int", &[vec![Value::from(1_i32)]]).unwrap());
        let e = engine.union(df(), other, true).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SchemaMismatch);
        // Row-local operations do not need DataFusion.
        let kept = engine.dropna(df(), DropHow::Any, None, None).unwrap();
        assert_eq!(kept.count().unwrap(), 1);
    }

    #[test]
    fn local_workers_come_from_the_conf() {
        let conf = [(LOCAL_WORKERS, "3")];
        assert_eq!(make_engine("local", conf).unwrap().parallelism(), 3);
        assert_eq!(make_engine("native", conf).unwrap().parallelism(), 1);
        let bad = [(LOCAL_WORKERS, "many")];
        assert_eq!(
            make_engine("local", bad).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
