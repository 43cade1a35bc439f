//! [`BallistaEngine`]: Fugue's engine API on an Apache DataFusion Ballista cluster.

use crate::callback::CallbackServer;
use crate::node::FugueStepNode;
use crate::remote;
use crate::session::{client_state, new_config, scheduler_state};
use crate::wire::{StepPayload, WireSpec, encode_params, encode_schema};
use ballista::prelude::SessionContextExt;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::datasource::file_format::arrow::ArrowFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Extension, LogicalPlan};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{SessionConfig, SessionContext};
use fugue_core::{ConfigOverrides, FugueConfig, FugueError, PartitionSpec, Result, Schema};
use fugue_runtime::engine::{
    ExecutionEngine, LocalEngine, RelationalEngine, SqlBackend, ZipHow, split_batches,
    with_row_numbers,
};
use fugue_runtime::frame::{ArrowFrame, DataFrame, JobGuard, KeepAlive, PlanFrame, PlanHome};
use fugue_runtime::function::{Callback, Params, PartitionFunction};
use fugue_runtime::registry;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The engine name of `ballista://...` engine-likes.
pub const ENGINE_NAME: &str = "ballista";

/// The address of the in-process cluster: `ballista://standalone`.
pub const STANDALONE: &str = "standalone";

/// Where the cluster is and how frames reach it; shared by an engine and the engines
/// [`with_conf`](ExecutionEngine::with_conf) derives from it.
struct Cluster {
    /// `df://host:port` of the scheduler.
    scheduler: String,
    /// Where staged frames go (every node reads this path).
    shared_dir: PathBuf,
    /// The temporary folder behind `shared_dir` when none was configured.
    _temp: Option<tempfile::TempDir>,
    /// Runs the driver's side of the jobs (and the standalone cluster, if any).
    runtime: tokio::runtime::Runtime,
    counter: AtomicU64,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("scheduler", &self.scheduler)
            .field("shared_dir", &self.shared_dir)
            .finish_non_exhaustive()
    }
}

/// The address of a cluster node that could not be reached, when `message` is such an error
/// (a node that is down, or an executor lost during a job with its shuffle or result files).
fn lost_node(message: &str) -> Option<String> {
    if !(message.contains("GrpcConnectionError")
        || message.contains("tcp connect error")
        || message.contains("FetchFailed"))
    {
        return None;
    }
    let address_after = |marker: &str| {
        message.split(marker).nth(1).map(|rest| {
            rest.trim_start()
                .chars()
                .take_while(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']')
                })
                .collect::<String>()
                .trim_end_matches(':')
                .to_string()
        })
    };
    let address = address_after("http://")
        .or_else(|| address_after("\"tcp connect error\","))
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "an unknown address".to_string());
    Some(address)
}

/// The error of a failed job: a scheduler that cannot be reached is said so; an executor lost
/// during the job is named (see [`df_error`]).
fn job_error(scheduler: &str, context: String, error: DataFusionError) -> FugueError {
    let message = error.to_string();
    let scheduler = scheduler.trim_start_matches("df://");
    match lost_node(&message) {
        Some(node) if node == scheduler => FugueError::external(
            context,
            format!(
                "cannot reach the Ballista scheduler at {scheduler}: is it running (`<program> \
                 scheduler --bind {scheduler}`)? ({message})"
            ),
        ),
        _ => df_error(context, error),
    }
}

/// A DataFusion or Ballista error as ours: a Fugue error raised in an executor keeps its kind
/// and messages ([`remote`](crate::remote)); another is reduced to its root message, with a
/// hint where the cluster itself failed.
fn df_error(context: impl Into<String>, error: DataFusionError) -> FugueError {
    if let Some(remote) = remote::from_df(&error) {
        return remote.context(context.into());
    }
    let message = remote::root_message(&error.to_string());
    let hint = if message.contains("rejected by executor") {
        " (an executor could not prepare a task: every executor must run the same binary as \
         the driver, built from the same code, so that it has every transformer)"
            .to_string()
    } else if let Some(node) = lost_node(&message) {
        format!(
            " (the executor at {node} was lost during the run and its data with it; nothing \
             was returned or written)"
        )
    } else {
        String::new()
    };
    FugueError::external(context.into(), format!("{message}{hint}"))
}

impl Cluster {
    fn start(address: &str, conf: &FugueConfig) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fugue-ballista")
            .enable_all()
            .build()
            .map_err(|e| {
                FugueError::external("cannot start the engine's tokio runtime", e.to_string())
            })?;
        let (shared_dir, temp) = match &conf.fugue.ballista.shared_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    FugueError::external(
                        format!(
                            "cannot create fugue.ballista.shared_dir `{}`",
                            dir.display()
                        ),
                        e.to_string(),
                    )
                })?;
                (dir.clone(), None)
            }
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("fugue-ballista-")
                    .tempdir()
                    .map_err(|e| {
                        FugueError::external("cannot create a staging folder", e.to_string())
                    })?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        let scheduler = if address.eq_ignore_ascii_case(STANDALONE) {
            let cores = match conf.fugue.ballista.executor_cores {
                0 => std::thread::available_parallelism().map_or(2, usize::from),
                n => n,
            };
            runtime.block_on(start_standalone(cores))?
        } else {
            format!("df://{address}")
        };
        Ok(Cluster {
            scheduler,
            shared_dir,
            _temp: temp,
            runtime,
            counter: AtomicU64::new(0),
        })
    }

    /// Run a future on the engine's runtime (from a helper thread when the caller is itself
    /// on a tokio runtime, where blocking would panic). Under a step's control
    /// ([`fugue_runtime::control`]) the wait ends when the step is cancelled or out of time:
    /// the job's future is dropped, so the driver stops waiting for it at once.
    fn block_on<T: Send, F: Future<Output = Result<T>> + Send>(&self, future: F) -> Result<T> {
        let future =
            fugue_runtime::control::until_stopped(fugue_runtime::control::current(), future);
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| {
                s.spawn(|| self.runtime.block_on(future))
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
            })
        } else {
            self.runtime.block_on(future)
        }
    }

    /// Write these batches as Arrow IPC files under a fresh folder of the shared directory.
    fn stage(&self, schema: &SchemaRef, batches: &[RecordBatch], files: usize) -> Result<Staged> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let dir = self
            .shared_dir
            .join(format!("stage-{}-{n}", uuid::Uuid::new_v4().simple()));
        let failed = |e: String| {
            FugueError::external(
                format!(
                    "cannot stage a frame in `{}` (fugue.ballista.shared_dir)",
                    dir.display()
                ),
                e,
            )
        };
        std::fs::create_dir_all(&dir).map_err(|e| failed(e.to_string()))?;
        let staged = Staged { dir: dir.clone() };
        for (i, part) in split_batches(batches, files).into_iter().enumerate() {
            let path = dir.join(format!("part-{i:05}.arrow"));
            let file = std::fs::File::create(&path).map_err(|e| failed(e.to_string()))?;
            let mut writer = datafusion::arrow::ipc::writer::FileWriter::try_new(
                std::io::BufWriter::new(file),
                schema,
            )
            .map_err(|e| failed(e.to_string()))?;
            for batch in part {
                writer.write(&batch).map_err(|e| failed(e.to_string()))?;
            }
            writer.finish().map_err(|e| failed(e.to_string()))?;
        }
        Ok(staged)
    }
}

/// A staged frame's folder, removed when dropped.
struct Staged {
    dir: PathBuf,
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Start a scheduler and one executor inside this process; the scheduler's `df://` URL.
async fn start_standalone(cores: usize) -> Result<String> {
    use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
    let failed = |e: String| FugueError::external("cannot start the standalone cluster", e);
    let state = scheduler_state(new_config()).map_err(|e| failed(e.to_string()))?;
    let addr = ballista_scheduler::standalone::new_standalone_scheduler_from_state(&state)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let url = format!("http://localhost:{}", addr.port());
    let mut attempts = 0;
    let scheduler = loop {
        match SchedulerGrpcClient::connect(url.clone()).await {
            Ok(client) => break client,
            Err(e) if attempts >= 100 => return Err(failed(e.to_string())),
            Err(_) => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    };
    ballista_executor::new_standalone_executor_from_state(scheduler, cores, &state)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(format!("df://localhost:{}", addr.port()))
}

/// The relational operations' backend: a remote context of the cluster, frames staged as
/// Arrow IPC files on the shared directory.
#[derive(Debug)]
struct Backend {
    cluster: Arc<Cluster>,
}

impl SqlBackend for Backend {
    fn context<'a>(
        &'a self,
        config: SessionConfig,
    ) -> Pin<Box<dyn Future<Output = Result<SessionContext>> + Send + 'a>> {
        Box::pin(async move { connect(&self.cluster, config).await })
    }

    fn register(
        &self,
        ctx: &SessionContext,
        name: &str,
        frame: &ArrowFrame,
        partitions: usize,
    ) -> Result<KeepAlive> {
        let staged = self
            .cluster
            .stage(frame.arrow_schema(), frame.batches(), partitions)?;
        register_staged(ctx, name, &staged.dir, frame.arrow_schema())?;
        Ok(Arc::new(staged))
    }
}

impl PlanHome for Backend {
    fn location(&self) -> &str {
        &self.cluster.scheduler
    }

    fn start(&self, plan: &Arc<dyn ExecutionPlan>) -> Box<dyn JobGuard> {
        Box::new(JobInFlight::new(plan.clone(), &self.cluster))
    }
}

/// A context of the cluster's scheduler.
async fn connect(cluster: &Cluster, config: SessionConfig) -> Result<SessionContext> {
    let config = config.set_bool("datafusion.optimizer.repartition_file_scans", false);
    SessionContext::remote_with_state(&cluster.scheduler, client_state(config))
        .await
        .map_err(|e| {
            df_error(
                format!(
                    "cannot reach the Ballista scheduler at {}",
                    cluster.scheduler
                ),
                e,
            )
        })
}

/// Register the staged folder `dir` (holding `frame`) as table `name`.
fn register_staged(ctx: &SessionContext, name: &str, dir: &Path, schema: &SchemaRef) -> Result<()> {
    let failed = |e: DataFusionError| df_error(format!("cannot register staged table `{name}`"), e);
    let url = ListingTableUrl::parse(format!("{}/", dir.display())).map_err(failed)?;
    let options = ListingOptions::new(Arc::new(ArrowFormat)).with_file_extension(".arrow");
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(schema.clone());
    let table = ListingTable::try_new(config).map_err(failed)?;
    ctx.register_table(name, Arc::new(table)).map_err(failed)?;
    Ok(())
}

/// Stage `batches` in `files` files as table `table` of `ctx`: the staged folder (removed when
/// dropped) and the plan that reads it.
async fn staged_input(
    cluster: &Cluster,
    ctx: &SessionContext,
    table: &str,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    files: usize,
) -> Result<(Staged, LogicalPlan)> {
    let stage = cluster.stage(schema, batches, files)?;
    register_staged(ctx, table, &stage.dir, schema)?;
    let input = ctx
        .table(table)
        .await
        .map_err(|e| df_error("cannot read a staged table", e))?;
    Ok((stage, input.into_unoptimized_plan()))
}

/// Fugue on an Apache DataFusion Ballista cluster (`ballista://host:port`, or
/// `ballista://standalone` for a scheduler and an executor inside this process).
///
/// * Transformer and co-transformer steps run inside the executors: the step becomes one
///   custom plan node, planned by the scheduler as a hash shuffle of the inputs on the
///   partition keys, then one task per partition calling the function, found by its
///   registered name in the executor's binary (which must be the driver's binary).
/// * Joins, set operations, distinct, take and the SQL operations (select, filter, assign,
///   aggregate) run as Ballista's own distributed plans, with the same SQL as the engines of
///   one machine.
/// * Frames passed between steps are plans of the cluster where the work allows it: a parquet
///   load is a scan the executors read, relational steps extend the plan, and a transformer
///   step over a plan (without a callback) is a node of it; the driver receives rows only
///   when they are read (yield, show, collect, save).
/// * In-memory frames are staged once as Arrow IPC files under `fugue.ballista.shared_dir`,
///   which every node must read at the same path. dropna, fillna, sample, column operations,
///   other formats' loads and steps with a callback run on the driver.
#[derive(Debug)]
pub struct BallistaEngine {
    address: String,
    conf: FugueConfig,
    cluster: Arc<Cluster>,
    local: LocalEngine,
    partitions: usize,
}

impl BallistaEngine {
    /// The engine of the scheduler at `address` (`host:port`, or `standalone` to start a
    /// cluster inside this process).
    pub fn connect(address: &str, conf: FugueConfig) -> Result<Self> {
        let address = address.trim().trim_end_matches('/').to_string();
        if address.is_empty() {
            return Err(FugueError::invalid_argument(
                "engine",
                "`ballista://` needs the scheduler's address: `ballista://host:port` (or \
                 `ballista://standalone`)",
            ));
        }
        // A callback server the engine cannot use is refused now, not at the first callback.
        crate::callback::Bind::of(&conf)?;
        let cluster = Arc::new(Cluster::start(&address, &conf)?);
        BallistaEngine::with_cluster(address, conf, cluster)
    }

    /// An engine of a new in-process cluster (one scheduler, one executor).
    pub fn standalone(conf: FugueConfig) -> Result<Self> {
        BallistaEngine::connect(STANDALONE, conf)
    }

    fn with_cluster(address: String, conf: FugueConfig, cluster: Arc<Cluster>) -> Result<Self> {
        // `fugue.ballista.partitions`, else `fugue.default.partitions`, else twice the
        // machine's parallelism.
        let partitions = match (
            conf.fugue.ballista.partitions,
            conf.fugue.default.partitions,
        ) {
            (0, d) if d > 0 => usize::try_from(d).unwrap_or(usize::MAX),
            (0, _) => 2 * std::thread::available_parallelism().map_or(2, usize::from),
            (n, _) => n,
        };
        let backend = Arc::new(Backend {
            cluster: cluster.clone(),
        });
        let local = LocalEngine::local(conf.clone())?.with_sql_backend(backend, partitions);
        Ok(BallistaEngine {
            address,
            conf,
            cluster,
            local,
            partitions,
        })
    }

    /// The engine-like that names this engine (`ballista://host:port`).
    pub fn address(&self) -> String {
        format!("ballista://{}", self.address)
    }

    /// Run a transformer (`zip: None`) or co-transformer step inside the executors: as a node
    /// of its inputs' plans when one is a plan of this cluster ([`Self::planned_step`]), else
    /// as one job over inputs staged from the driver, whose result the driver collects and
    /// checks row for row ([`crate::exactly_once`]).
    #[allow(clippy::too_many_arguments)]
    fn step(
        &self,
        dfs: Vec<DataFrame>,
        zip: Option<ZipHow>,
        function: &dyn PartitionFunction,
        spec: &PartitionSpec,
        params: Arc<Params>,
        callback: Option<Callback>,
    ) -> Result<DataFrame> {
        let schemas: Vec<Schema> = dfs.iter().map(|df| df.schema().clone()).collect();
        function.check(spec, &schemas, &params, callback.is_some())?;
        let output = function.output_schema(&schemas)?;
        let name = function.name().to_string();
        let registered = function.registered_name().ok_or_else(|| {
            FugueError::invalid_argument(
                "transformer",
                format!(
                    "`{name}` cannot run on the Ballista engine: only functions declared with \
                     the transformer macros (`#[transformer]`, `#[cotransformer]`, ...) are \
                     registered in the binary that executors run, and run there as declared; \
                     closures cannot be shipped, and a step with `ignore_errors` runs only on \
                     the engines of one machine"
                ),
            )
        })?;
        registry::lookup(registered)?;
        let keyed = !spec.keys().is_empty() && zip != Some(ZipHow::Cross);
        // Over a plan of this cluster the step is a node of that plan: the executors read the
        // plan's output themselves, and nothing reaches the driver until the rows are read.
        // A callback needs its server alive for one job, so such a step runs now.
        let over_plans = dfs
            .iter()
            .any(|df| matches!(df, DataFrame::Plan(plan) if self.local.accepts_plan(plan)));
        if over_plans && callback.is_none() {
            return self.planned_step(dfs, zip, registered, spec, &params, &output, keyed);
        }
        let frames = dfs
            .into_iter()
            .map(DataFrame::to_arrow_frame)
            .collect::<Result<Vec<_>>>()?;
        let rows: usize = frames
            .iter()
            .map(|f| f.batches().iter().map(RecordBatch::num_rows).sum::<usize>())
            .sum();
        let partitions = match spec.num_partitions(rows as u64, self.partitions as u64)? {
            n if n > 0 => n as usize,
            _ => self.partitions,
        };
        let files = if keyed { partitions } else { 1 };
        // Shuffled inputs carry their row numbers, so tasks restore the input order.
        let row_index = keyed.then(|| {
            let mut name = "__fugue_row__".to_string();
            while schemas.iter().any(|s| s.contains_name(&name)) {
                name.push('_');
            }
            name
        });
        let inputs: Vec<(SchemaRef, Vec<RecordBatch>)> = frames
            .iter()
            .map(|frame| {
                let numbered;
                let frame = match &row_index {
                    Some(name) => {
                        numbered = with_row_numbers(frame, name)?;
                        &numbered
                    }
                    None => frame,
                };
                Ok((frame.arrow_schema().clone(), frame.batches().to_vec()))
            })
            .collect::<Result<_>>()?;
        let numbered = row_index.is_some();
        let mut payload = StepPayload {
            function: registered.to_string(),
            spec: WireSpec::from(spec),
            zip: zip.map(|z| z.name().to_string()),
            params: encode_params(&params)?,
            output: encode_schema(&output)?,
            callback: None,
            partitions,
            row_index,
        };
        let conf = &self.conf;
        let cluster = &self.cluster;
        let sizes: Vec<usize> = inputs
            .iter()
            .map(|(_, b)| b.iter().map(RecordBatch::num_rows).sum())
            .collect();
        let staged_rows = crate::exactly_once::Consumed::of_inputs(&sizes, numbered);
        let output_arrow = Arc::new(output.to_arrow());
        let batches = self.cluster.block_on(async move {
            let server = match callback {
                Some(callback) => Some(CallbackServer::start(callback, conf).await?),
                None => None,
            };
            payload.callback = server.as_ref().map(|s| s.address().clone());
            let ctx = connect(cluster, new_config()).await?;
            let mut staged = Vec::with_capacity(inputs.len());
            let mut plans = Vec::with_capacity(inputs.len());
            for (i, (schema, batches)) in inputs.iter().enumerate() {
                let (stage, plan) =
                    staged_input(cluster, &ctx, &format!("t{i}"), schema, batches, files).await?;
                staged.push(stage);
                plans.push(plan);
            }
            let node = FugueStepNode::try_new(plans, payload)?;
            let plan = LogicalPlan::Extension(Extension {
                node: Arc::new(node),
            });
            // A job that lost an executor after its last stage (the driver could not fetch a
            // result partition), or whose tasks did not consume every staged row exactly once,
            // runs once more on the executors left: the step is deterministic and its inputs
            // are still staged.
            let mut attempt = 0;
            let batches = loop {
                let df = datafusion::dataframe::DataFrame::new(ctx.state(), plan.clone());
                let physical = df
                    .create_physical_plan()
                    .await
                    .map_err(|e| df_error("cannot plan the step's job", e))?;
                // Dropped unfinished (the step timed out, was cancelled, or another step
                // failed): the job is cancelled through the scheduler.
                let mut job = JobInFlight::new(physical.clone(), cluster);
                let collected = datafusion::physical_plan::collect(physical, ctx.task_ctx()).await;
                job.finished();
                match collected {
                    Ok(batches) => {
                        // One run's rows per task, whatever the cluster re-ran.
                        let (batches, dropped, consumed) =
                            crate::exactly_once::keep_one_run_per_task(batches, &output_arrow)?;
                        if dropped > 0 {
                            tracing::warn!(
                                "the step `{name}` got {dropped} rows of a task that ran twice \
                                 on the cluster; kept one run's rows"
                            );
                        }
                        if consumed == staged_rows {
                            break batches;
                        }
                        let problem = format!(
                            "the step `{name}` read {} input rows on the cluster where {} were \
                             staged, or read some twice (was an executor lost?)",
                            consumed.rows, staged_rows.rows
                        );
                        if attempt > 0 {
                            return Err(FugueError::InvalidOperation(format!(
                                "{problem}; the result would be wrong, so the step fails \
                                 (it was run twice)"
                            )));
                        }
                        tracing::warn!("{problem}; running it once more");
                        attempt += 1;
                    }
                    Err(e)
                        if attempt == 0
                            && lost_node(&e.to_string()).is_some_and(|node| {
                                node != cluster.scheduler.trim_start_matches("df://")
                            }) =>
                    {
                        tracing::warn!(
                            "the step `{name}` lost an executor ({e}); running it once more"
                        );
                        attempt += 1;
                    }
                    Err(e) => {
                        return Err(job_error(
                            &cluster.scheduler,
                            format!("the step `{name}` failed on the cluster"),
                            e,
                        ));
                    }
                }
            };
            drop(staged);
            drop(server);
            Ok(batches)
        })?;
        Ok(DataFrame::from(ArrowFrame::new(output, batches)?))
    }
}

impl BallistaEngine {
    /// The step as a node of its inputs' plans (see [`BallistaEngine::step`]): inputs that
    /// are plans of this cluster are the node's inputs as they are; any other input is staged
    /// once, kept while the plan can run. The node's marker rows and hidden columns (see
    /// [`crate::exactly_once`]) are dropped inside the plan.
    #[allow(clippy::too_many_arguments)]
    fn planned_step(
        &self,
        dfs: Vec<DataFrame>,
        zip: Option<ZipHow>,
        registered: &str,
        spec: &PartitionSpec,
        params: &Params,
        output: &Schema,
        keyed: bool,
    ) -> Result<DataFrame> {
        // `num` over ROWCOUNT counts the inputs (a job each); other values need no data.
        let rows = if spec.num().uses_row_count() {
            dfs.iter().map(DataFrame::count).sum::<Result<usize>>()?
        } else {
            0
        };
        let partitions = match spec.num_partitions(rows as u64, self.partitions as u64)? {
            n if n > 0 => n as usize,
            _ => self.partitions,
        };
        let payload = StepPayload {
            function: registered.to_string(),
            spec: WireSpec::from(spec),
            zip: zip.map(|z| z.name().to_string()),
            params: encode_params(params)?,
            output: encode_schema(output)?,
            callback: None,
            partitions,
            row_index: None,
        };
        let cluster = &self.cluster;
        let ctx = cluster.block_on(connect(cluster, new_config()))?;
        let mut plans = Vec::with_capacity(dfs.len());
        let mut homed: Vec<PlanFrame> = Vec::new();
        let mut keep: Vec<KeepAlive> = Vec::new();
        for (i, df) in dfs.into_iter().enumerate() {
            match df {
                DataFrame::Plan(plan) if self.local.accepts_plan(&plan) => {
                    plans.push(plan.logical_plan().clone());
                    homed.push(plan);
                }
                other => {
                    let frame = other.to_arrow_frame()?;
                    let files = if keyed { partitions } else { 1 };
                    let (stage, plan) = cluster.block_on(staged_input(
                        cluster,
                        &ctx,
                        &format!("t{i}"),
                        frame.arrow_schema(),
                        frame.batches(),
                        files,
                    ))?;
                    keep.push(Arc::new(stage));
                    plans.push(plan);
                }
            }
        }
        let node = FugueStepNode::try_new(plans, payload)?;
        let plan = LogicalPlan::Extension(Extension {
            node: Arc::new(node),
        });
        let failed = |e: DataFusionError| df_error("cannot plan the step on the cluster", e);
        let df = datafusion::dataframe::DataFrame::new(ctx.state(), plan);
        let column = |i: usize| {
            datafusion::logical_expr::Expr::Column(datafusion::common::Column::from(
                df.schema().qualified_field(i),
            ))
        };
        // The marker rows are those with a consumed-rows count (the third hidden column).
        let marker = column(output.len() + 2);
        let items: Vec<_> = output
            .names()
            .enumerate()
            .map(|(i, name)| column(i).alias(name))
            .collect();
        let df = df
            .filter(marker.is_null())
            .and_then(|df| df.select(items))
            .map_err(failed)?;
        let inputs: Vec<&PlanFrame> = homed.iter().collect();
        Ok(self.local.plan_frame(df, output, &inputs, keep)?.into())
    }
}

impl ExecutionEngine for BallistaEngine {
    fn name(&self) -> &str {
        ENGINE_NAME
    }

    fn parallelism(&self) -> usize {
        self.partitions
    }

    fn conf(&self) -> &FugueConfig {
        &self.conf
    }

    fn with_conf(&self, overrides: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
        let conf = self.conf.merge(overrides);
        Ok(Arc::new(BallistaEngine::with_cluster(
            self.address.clone(),
            conf,
            self.cluster.clone(),
        )?))
    }

    fn map(
        &self,
        df: DataFrame,
        function: Arc<dyn PartitionFunction>,
        spec: &PartitionSpec,
        params: Arc<Params>,
        callback: Option<Callback>,
    ) -> Result<DataFrame> {
        self.step(vec![df], None, function.as_ref(), spec, params, callback)
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
        self.step(dfs, Some(how), function.as_ref(), spec, params, callback)
    }

    /// The inner [`LocalEngine`]'s layer: its relational operations reach the cluster
    /// through the SQL backend; dropna, fillna, sample, column operations and load/save run
    /// on the driver.
    fn relational(&self) -> &dyn RelationalEngine {
        &self.local
    }
}

/// A Ballista job in flight. Dropped before it finished (its future dropped: the step timed
/// out, was cancelled, or another step failed, see [`fugue_runtime::control`]), it asks the
/// scheduler to cancel the job, whose id the job's [`DistributedQueryExec`] learned when the
/// scheduler accepted it; the scheduler then stops its tasks on the executors.
struct JobInFlight {
    plan: Arc<dyn ExecutionPlan>,
    /// The scheduler's gRPC URL.
    scheduler: String,
    /// Where the cancel request is sent from (the guard may drop outside any runtime).
    runtime: tokio::runtime::Handle,
    finished: bool,
}

type DistributedQueryExec = ballista_core::execution_plans::DistributedQueryExec<
    datafusion_proto::protobuf::LogicalPlanNode,
>;

/// Ballista jobs the scheduler accepted to cancel, since the process started.
static JOBS_CANCELLED: AtomicU64 = AtomicU64::new(0);

/// How many Ballista jobs of steps stopped before their end (time limit, cancel, another
/// step's failure) the scheduler accepted to cancel, since the process started.
pub fn jobs_cancelled() -> u64 {
    JOBS_CANCELLED.load(Ordering::SeqCst)
}

impl JobInFlight {
    fn new(plan: Arc<dyn ExecutionPlan>, cluster: &Cluster) -> Self {
        JobInFlight {
            plan,
            scheduler: format!("http://{}", cluster.scheduler.trim_start_matches("df://")),
            runtime: cluster.runtime.handle().clone(),
            finished: false,
        }
    }
}

impl JobGuard for JobInFlight {
    /// The job ran to its end (successfully or not): nothing to cancel.
    fn finished(&mut self) {
        self.finished = true;
    }
}

impl Drop for JobInFlight {
    fn drop(&mut self) {
        use ballista_core::serde::protobuf::CancelJobParams;
        use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
        if self.finished {
            return;
        }
        let Some(job_id) = self
            .plan
            .downcast_ref::<DistributedQueryExec>()
            .and_then(DistributedQueryExec::job_id)
        else {
            // Not accepted by the scheduler yet: the dropped submission ends it.
            return;
        };
        let job_id: String = job_id.into();
        let url = self.scheduler.clone();
        self.runtime.spawn(async move {
            let outcome = match SchedulerGrpcClient::connect(url).await {
                Ok(mut client) => client
                    .cancel_job(CancelJobParams {
                        job_id: job_id.clone(),
                    })
                    .await
                    .map(|r| r.into_inner().cancelled)
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match outcome {
                Ok(true) => {
                    JOBS_CANCELLED.fetch_add(1, Ordering::SeqCst);
                    tracing::info!("cancelled Ballista job {job_id}");
                }
                Ok(false) => tracing::info!("Ballista job {job_id} had already ended"),
                Err(e) => tracing::warn!("cannot cancel Ballista job {job_id}: {e}"),
            }
        });
    }
}

/// The factory installed for `ballista://`.
pub(crate) fn from_engine_like(
    name: &str,
    conf: &ConfigOverrides,
) -> Result<Arc<dyn ExecutionEngine>> {
    let address = name
        .trim()
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let conf = engine_conf(std::env::vars(), conf)?;
    Ok(Arc::new(BallistaEngine::connect(address, conf)?))
}

/// The configuration of an engine named by an engine-like, layered as every engine-like's
/// ([`fugue_core::config::engine_conf`]): the defaults, the global conf, then the `FUGUE_*`
/// environment variables (so that `my-app submit ...` takes its settings from the shell),
/// then the configuration given with the engine-like.
fn engine_conf(
    vars: impl IntoIterator<Item = (String, String)>,
    conf: &ConfigOverrides,
) -> Result<FugueConfig> {
    let fugue_vars = vars.into_iter().filter(|(k, _)| k.starts_with("FUGUE_"));
    fugue_core::config::engine_conf_with_env(ConfigOverrides::from_env_vars(fugue_vars)?, conf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_likes_read_the_environment_under_their_own_conf() {
        use fugue_core::IntoConfigOverrides;
        let vars = [
            ("FUGUE_BALLISTA_PARTITIONS", "6"),
            ("FUGUE_BALLISTA_SHARED_DIR", "/mnt/shared"),
            ("PATH", "/bin"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let given = [("fugue.ballista.partitions", "3")]
            .into_overrides()
            .unwrap();
        let conf = engine_conf(vars, &given).unwrap();
        assert_eq!(conf.fugue.ballista.partitions, 3, "the given conf wins");
        assert_eq!(
            conf.fugue.ballista.shared_dir.as_deref(),
            Some(std::path::Path::new("/mnt/shared"))
        );
        let bad = [("FUGUE_BALLISTA_PARTITIONS".to_string(), "many".to_string())];
        assert!(engine_conf(bad, &ConfigOverrides::new()).is_err());
    }

    #[test]
    fn lost_nodes_are_named() {
        let message = "Execution error: GrpcConnectionError(\"Error connecting to Ballista \
                       scheduler or executor at http://127.0.0.1:43677: tcp connect error\")";
        assert_eq!(lost_node(message).as_deref(), Some("127.0.0.1:43677"));
        assert_eq!(lost_node("Plan error: no such column"), None);
        let refused = "Execution error: tonic::transport::Error(Transport, ConnectError(\
                       ConnectError(\"tcp connect error\", 127.0.0.1:1, Os { code: 111 })))";
        assert_eq!(lost_node(refused).as_deref(), Some("127.0.0.1:1"));
        let e = job_error(
            "df://127.0.0.1:1",
            "the step `f` failed".into(),
            DataFusionError::Execution(refused.into()),
        );
        assert!(
            e.to_string()
                .contains("cannot reach the Ballista scheduler at 127.0.0.1:1: is it running"),
            "{e}"
        );
        let e = df_error(
            "the step `f` failed",
            DataFusionError::Execution(message.into()),
        );
        assert!(
            e.to_string()
                .contains("the executor at 127.0.0.1:43677 was lost during the run"),
            "{e}"
        );
    }
}
