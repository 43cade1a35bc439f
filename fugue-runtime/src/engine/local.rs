//! [`LocalEngine`]: the two engines of one machine, `native` and `local`.

use super::conf::{
    LOCAL_MEMORY_LIMIT, LOCAL_SPILL_DIR, LOCAL_WORKERS, get_positive, get_size,
    with_default_partitions,
};
use super::options::{
    DropHow, FillValue, JoinHow, LoadFiles, LoadOptions, NaPosition, SampleSize, SaveOptions,
    SelectQuery,
};
use super::{ExecutionEngine, RelationalEngine, row_ops};
use crate::executor::{self, ExecutorOptions, ZipHow};
use crate::frame::{ArrowFrame, DataFrame};
use crate::function::{Callback, Params, PartitionFunction, run_map};
use fugue_core::options::RpcServer;
use fugue_core::{ConfigOverrides, FugueConfig, FugueError, PartitionSpec, Result};
use std::sync::Arc;
#[cfg(feature = "datafusion")]
use {
    crate::frame::{KeepAlive, PlanFrame},
    fugue_core::Schema,
};

use super::{io, relational};

/// Which of the two engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Native,
    Local,
}

/// An engine of one machine.
///
/// * [`LocalEngine::native`]: one thread, deterministic: DataFusion with one partition on the
///   calling thread, the reference map.
/// * [`LocalEngine::local`] (the default engine): DataFusion with `local.workers` partitions
///   on as many threads (default: the machine's parallelism); map and comap run on the
///   crossbeam executor ([`crate::executor`]) with as many workers.
///
/// Both give the same results (row order aside where it is not defined).
#[derive(Debug)]
pub struct LocalEngine {
    kind: Kind,
    workers: usize,
    conf: FugueConfig,
    session: relational::Session,
}

impl LocalEngine {
    /// The `native` engine: one thread, deterministic.
    pub fn native(conf: FugueConfig) -> Result<Self> {
        LocalEngine::build(Kind::Native, 1, conf)
    }

    /// The `local` engine: `local.workers` threads (default: the machine's
    /// parallelism); a value that is not a positive integer is
    /// [`fugue_core::FugueError::InvalidArgument`].
    pub fn local(conf: FugueConfig) -> Result<Self> {
        let workers = match get_positive(&conf, LOCAL_WORKERS)? {
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        LocalEngine::build(Kind::Local, workers, conf)
    }

    fn build(kind: Kind, workers: usize, conf: FugueConfig) -> Result<Self> {
        // Callbacks run in process here: a network server is the Ballista engine's.
        match conf.fugue.rpc.server_kind()? {
            None | Some(RpcServer::Native) => {}
            Some(other) => {
                return Err(FugueError::Config {
                    key: "fugue.rpc.server".to_string(),
                    reason: format!(
                        "the engines of one machine (`native`, `local`) call the driver's \
                         handler in process, so they take `native` (or no value); `{other}` \
                         is the network server of the Ballista engine"
                    ),
                });
            }
        }
        let session = match kind {
            Kind::Native => relational::Session::new(None, 1)?,
            Kind::Local => relational::Session::new(Some(workers), workers)?.lazy(),
        }
        .with_memory(
            get_size(&conf, LOCAL_MEMORY_LIMIT)?,
            conf.get(LOCAL_SPILL_DIR).map(std::path::PathBuf::from),
        );
        Ok(LocalEngine {
            kind,
            workers,
            conf,
            session,
        })
    }
}

#[cfg(feature = "datafusion")]
impl LocalEngine {
    /// This engine with its relational operations (joins, set operations, distinct, take, SQL
    /// select/filter/assign/aggregate) run by `backend` over `partitions` partitions, with
    /// the same SQL, checks and result normalisation. A distributed engine uses it to run
    /// them on its cluster.
    pub fn with_sql_backend(
        mut self,
        backend: Arc<dyn relational::SqlBackend>,
        partitions: usize,
    ) -> Self {
        self.session = self.session.with_backend(backend, partitions);
        self
    }

    /// Whether this engine's operations extend `plan` (a lazy engine whose plans run where
    /// `plan` runs); any other frame is read into rows first.
    pub fn accepts_plan(&self, plan: &PlanFrame) -> bool {
        self.session.accepts(plan)
    }

    /// A plan frame of `plan` producing `schema` (cast inside the plan where the types
    /// differ), run where this engine's plans run, with the source checks and kept values of
    /// `inputs` (the plan frames it was built over) and `keep`. For distributed engines that
    /// add plan nodes of their own (a transformer step) to the plans of this engine.
    pub fn plan_frame(
        &self,
        plan: datafusion::dataframe::DataFrame,
        schema: &Schema,
        inputs: &[&PlanFrame],
        keep: Vec<KeepAlive>,
    ) -> Result<PlanFrame> {
        Ok(
            PlanFrame::new(plan, self.session.runner()?.clone(), Some(schema))?
                .homed(self.session.home(), keep)
                .built_over(inputs),
        )
    }
}

fn arrow(df: DataFrame) -> Result<ArrowFrame> {
    df.to_arrow_frame()
}

#[cfg(feature = "datafusion")]
impl LocalEngine {
    /// A relational operation's input: a plan stays a plan on a lazy engine; everything else
    /// is computed into rows.
    fn input(&self, df: DataFrame) -> Result<relational::Input> {
        match df {
            DataFrame::Plan(plan) if self.session.accepts(&plan) => {
                Ok(relational::Input::Plan(plan))
            }
            other => Ok(relational::Input::Frame(other.to_arrow_frame()?)),
        }
    }
}

#[cfg(feature = "datafusion")]
impl LocalEngine {
    /// The inputs of a transformer step that becomes a node of their plan: every input is a
    /// plan of this process that this engine extends, and the step has no callback (its
    /// handler is served by the thread that runs the step; such a step runs now).
    fn step_inputs(
        &self,
        dfs: &[DataFrame],
        callback: &Option<Callback>,
    ) -> Option<Vec<PlanFrame>> {
        if callback.is_some() || self.session.home().is_some() {
            return None;
        }
        dfs.iter()
            .map(|df| match df {
                DataFrame::Plan(plan) if self.session.accepts(plan) => Some(plan.clone()),
                _ => None,
            })
            .collect()
    }

    /// A transformer (`zip`: co-transformer) step as a node over its input plans, checked
    /// now as the executor checks it; it runs when the plan is read.
    fn planned_step(
        &self,
        plans: Vec<PlanFrame>,
        function: Arc<dyn PartitionFunction>,
        spec: &PartitionSpec,
        zip: Option<ZipHow>,
        params: Arc<Params>,
    ) -> Result<DataFrame> {
        let schemas = plans.iter().map(|p| p.schema().clone()).collect();
        let step = super::LocalStep::new(
            function,
            spec,
            zip,
            params,
            schemas,
            self.executor_options(),
        )?;
        let output = super::StepBody::output_schema(&step)?;
        let inputs = plans.iter().map(|p| p.logical_plan().clone()).collect();
        let plan = super::step_plan(inputs, step)?;
        let ctx = self.session.context()?;
        let df = datafusion::dataframe::DataFrame::new(ctx.state(), plan);
        let over: Vec<&PlanFrame> = plans.iter().collect();
        Ok(self.plan_frame(df, &output, &over, Vec::new())?.into())
    }
}

#[cfg(not(feature = "datafusion"))]
impl LocalEngine {
    /// A relational operation's input: its rows.
    fn input(&self, df: DataFrame) -> Result<relational::Input> {
        df.to_arrow_frame()
    }
}

impl ExecutionEngine for LocalEngine {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Native => "native",
            Kind::Local => "local",
        }
    }

    fn parallelism(&self) -> usize {
        self.workers
    }

    fn conf(&self) -> &FugueConfig {
        &self.conf
    }

    fn with_conf(&self, overrides: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        let conf = self.conf.merge(overrides);
        Ok(Arc::new(match self.kind {
            Kind::Native => LocalEngine::native(conf)?,
            Kind::Local => LocalEngine::local(conf)?,
        }))
    }

    fn map(
        &self,
        df: DataFrame,
        function: Arc<dyn PartitionFunction>,
        spec: &PartitionSpec,
        params: Arc<Params>,
        callback: Option<Callback>,
    ) -> Result<DataFrame> {
        match self.kind {
            Kind::Native => {
                let spec = spec.clone();
                on_helper_under_control(move || {
                    run_map(df, function.as_ref(), &spec, params, callback, 1)
                })
            }
            Kind::Local => {
                let spec = with_default_partitions(spec, &self.conf)?;
                #[cfg(feature = "datafusion")]
                if let Some(plans) = self.step_inputs(std::slice::from_ref(&df), &callback) {
                    return self.planned_step(plans, function, &spec, None, params);
                }
                executor::parallel_map(
                    df,
                    function,
                    spec.as_ref(),
                    params,
                    callback.map(Into::into),
                    &self.executor_options(),
                )
            }
        }
    }

    fn comap(
        &self,
        dfs: Vec<DataFrame>,
        how: ZipHow,
        spec: &PartitionSpec,
        function: Arc<dyn PartitionFunction>,
        params: Arc<Params>,
        callback: Option<Callback>,
    ) -> Result<DataFrame> {
        match self.kind {
            Kind::Native => {
                let spec = spec.clone();
                on_helper_under_control(move || {
                    executor::run_comap(dfs, function.as_ref(), &spec, how, params, callback)
                })
            }
            Kind::Local => {
                let spec = with_default_partitions(spec, &self.conf)?;
                #[cfg(feature = "datafusion")]
                if let Some(plans) = self.step_inputs(&dfs, &callback) {
                    return self.planned_step(plans, function, &spec, Some(how), params);
                }
                executor::parallel_comap(
                    dfs,
                    function,
                    spec.as_ref(),
                    how,
                    params,
                    callback.map(Into::into),
                    &self.executor_options(),
                )
            }
        }
    }

    fn relational(&self) -> &dyn RelationalEngine {
        self
    }
}

impl RelationalEngine for LocalEngine {
    fn join(&self, df1: DataFrame, df2: DataFrame, how: JoinHow, on: &[&str]) -> Result<DataFrame> {
        let (left, right) = (self.input(df1)?, self.input(df2)?);
        relational::join(&self.session, &left, &right, how, on)
    }

    fn union(&self, df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame> {
        self.set_op(relational::SetOp::Union, df1, df2, distinct)
    }

    fn subtract(&self, df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame> {
        self.set_op(relational::SetOp::Subtract, df1, df2, distinct)
    }

    fn intersect(&self, df1: DataFrame, df2: DataFrame, distinct: bool) -> Result<DataFrame> {
        self.set_op(relational::SetOp::Intersect, df1, df2, distinct)
    }

    fn distinct(&self, df: DataFrame) -> Result<DataFrame> {
        relational::distinct(&self.session, &self.input(df)?)
    }

    fn dropna(
        &self,
        df: DataFrame,
        how: DropHow,
        thresh: Option<usize>,
        subset: Option<&[&str]>,
    ) -> Result<DataFrame> {
        let map = row_ops::dropna(df.schema(), how, thresh, subset)?;
        // A plan of a cluster keeps its rows there: the same rule as a filter of the plan
        // (`on_ballista_dropna_and_fillna_stay_in_the_cluster_plan_with_the_kernels_rows`
        // holds the two equal).
        #[cfg(feature = "datafusion")]
        if let DataFrame::Plan(plan) = &df
            && plan.location().is_some()
            && self.session.accepts(plan)
        {
            let indices = super::checks::subset_indices("dropna", df.schema(), subset)?;
            return Ok(plan.clone().dropna(&indices, how, thresh)?.into());
        }
        row_ops::apply(df, "dropna", map)
    }

    fn fillna(
        &self,
        df: DataFrame,
        value: &FillValue,
        subset: Option<&[&str]>,
    ) -> Result<DataFrame> {
        let map = row_ops::fillna(df.schema(), value, subset)?;
        // A plan of a cluster keeps its rows there: the same fill values in a projection of
        // the plan (`on_ballista_dropna_and_fillna_stay_in_the_cluster_plan_with_the_kernels_rows`
        // holds the two equal).
        #[cfg(feature = "datafusion")]
        if let DataFrame::Plan(plan) = &df
            && plan.location().is_some()
            && self.session.accepts(plan)
        {
            let fills = row_ops::fill_values(df.schema(), value, subset)?;
            return Ok(plan.clone().fillna(&fills)?.into());
        }
        row_ops::apply(df, "fillna", map)
    }

    fn sample(
        &self,
        df: DataFrame,
        size: SampleSize,
        replace: bool,
        seed: Option<u64>,
    ) -> Result<DataFrame> {
        row_ops::sample(arrow(df)?, size, replace, seed).map(DataFrame::from)
    }

    fn take(
        &self,
        df: DataFrame,
        n: usize,
        presort: &[fugue_core::SortKey],
        na_position: NaPosition,
        partition: Option<&PartitionSpec>,
    ) -> Result<DataFrame> {
        relational::take(
            &self.session,
            &self.input(df)?,
            n,
            presort,
            na_position,
            partition,
        )
    }

    fn select(&self, df: DataFrame, query: &SelectQuery) -> Result<DataFrame> {
        relational::select(&self.session, &self.input(df)?, query)
    }

    fn filter(&self, df: DataFrame, condition: &str) -> Result<DataFrame> {
        relational::filter(&self.session, &self.input(df)?, condition)
    }

    fn sql(&self, tables: Vec<(&str, DataFrame)>, query: &str) -> Result<DataFrame> {
        let tables = tables
            .into_iter()
            .map(|(name, df)| Ok((name, self.input(df)?)))
            .collect::<Result<Vec<_>>>()?;
        relational::sql(&self.session, &tables, query)
    }

    fn assign(&self, df: DataFrame, columns: &[(&str, &str)]) -> Result<DataFrame> {
        if columns.is_empty() {
            return Ok(df);
        }
        relational::assign(&self.session, &self.input(df)?, columns)
    }

    fn aggregate(
        &self,
        df: DataFrame,
        partition_by: &[&str],
        columns: &[(&str, &str)],
    ) -> Result<DataFrame> {
        relational::aggregate(&self.session, &self.input(df)?, partition_by, columns)
    }

    fn load_files(&self, files: &LoadFiles, options: &LoadOptions) -> Result<DataFrame> {
        #[cfg(feature = "datafusion")]
        if let Some(plan) = super::scan::scan(&self.session, files, options)? {
            return Ok(plan.into());
        }
        io::load(files, options).map(DataFrame::from)
    }

    fn save(&self, df: DataFrame, path: &str, options: &SaveOptions) -> Result<()> {
        io::save(df, path, options)
    }
}

/// `native`'s calls: on this thread, or, in a workflow step (under a
/// [`control`](crate::control): a canceller, a time limit, the run's other steps), on a helper
/// thread that owns its inputs, so that the step stops waiting at once when the run is
/// cancelled, its time is up or another step failed (one thread still runs every call, in
/// order). A call still running then is detached: it ends when it returns, its result dropped.
fn on_helper_under_control(
    run: impl FnOnce() -> Result<DataFrame> + Send + 'static,
) -> Result<DataFrame> {
    let Some(control) = crate::control::current() else {
        return run();
    };
    let (tx, rx) = crossbeam_channel::bounded(1);
    let inner = control.clone();
    // The caller's tracing subscriber, even a thread-local one.
    let dispatch = tracing::dispatcher::get_default(|d| d.clone());
    std::thread::Builder::new()
        .name("fugue-native".to_string())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tracing::dispatcher::with_default(&dispatch, || crate::control::under(inner, run))
            }));
            let _ = tx.send(outcome);
        })
        .map_err(|e| FugueError::Io {
            action: "starting a thread",
            path: "fugue-native".to_string(),
            source: e,
        })?;
    match crate::control::wait(&rx, Some(&control))? {
        Some(Ok(result)) => result,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => Err(FugueError::Internal(
            "the native engine's helper thread ended without a result".into(),
        )),
    }
}

impl LocalEngine {
    fn executor_options(&self) -> ExecutorOptions {
        ExecutorOptions::with_workers(self.workers)
    }

    fn set_op(
        &self,
        op: relational::SetOp,
        df1: DataFrame,
        df2: DataFrame,
        distinct: bool,
    ) -> Result<DataFrame> {
        let (left, right) = (self.input(df1)?, self.input(df2)?);
        relational::set_operation(&self.session, op, &left, &right, distinct)
    }
}
