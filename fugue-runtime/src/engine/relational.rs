//! The relational operations, run on DataFusion: join, set operations, distinct, take, and the
//! SQL operations (select, filter, assign, aggregate).
//!
//! Each operation registers its inputs as tables of a fresh `SessionContext` and plans one
//! generated SQL statement over them. On a lazy session (the `local` engine, and the Ballista
//! engine's, whose [`SqlBackend`] makes the contexts) the result is a [`PlanFrame`]: an input
//! that is itself a plan of the same home is registered as a view, which DataFusion inlines,
//! so consecutive operations fuse into one query that runs when its rows are read (on a
//! backend, as one job of its cluster). On an eager session (`native`) the statement runs at
//! once over in-memory tables. Either way the result has Fugue's supported Arrow types
//! (DataFusion may produce `Utf8View`, `LargeUtf8`, dictionaries, ...). DataFusion is async:
//! the [`Session`] owns a tokio runtime (a [`Runner`]) and blocks on it, so no async type
//! appears in the engine API.
//!
//! Identifiers are always double-quoted (inner quotes doubled) and identifier normalisation is
//! off, so column names with spaces, quotes, backticks or capitals are safe; user SQL (select
//! items, conditions) is inserted as given, as the contract defines it.

use super::checks::{JoinPlan, join_plan, same_schema};
use super::options::{JoinHow, NaPosition, SelectQuery};
use crate::frame::{
    ArrowFrame, DataFrame, KeepAlive, PlanFrame, PlanHome, Runner, normalized_schema,
};
use arrow::array::{ArrayRef, RecordBatch, UInt64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Schema as ArrowSchema};
use datafusion::common::SchemaError;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::context::SQLOptions;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::{SessionConfig, SessionContext};
use fugue_core::{FugueError, PartitionSpec, Result, Schema, SortKey};
use std::future::Future;
use std::sync::Arc;

/// Where an engine's relational operations run: how a DataFusion context is made and how the
/// engine's frames become its tables. The engines of one machine use in-memory tables of a
/// local context; a distributed engine (the `fugue-cluster` crate) plugs in a context of its
/// cluster and tables that its nodes can read. Every operation's SQL, checks and result
/// normalisation stay the same whatever the backend.
///
/// A backend is the [`PlanHome`] of the plans it plans: a lazy session with a backend builds
/// every operation's plan in the backend's context, so the plan runs where the backend runs
/// it (a cluster job), with the backend's tables, and nothing reaches this process until the
/// rows are read.
pub trait SqlBackend: PlanHome {
    /// A context with this configuration (Fugue's options already set on it).
    fn context<'a>(
        &'a self,
        config: SessionConfig,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<SessionContext>> + Send + 'a>>;

    /// Register `frame` as table `name` of `ctx`, split into about `partitions` partitions.
    /// The returned value lives as long as a plan over the table can run (for example the
    /// staged files of the table, removed when it drops).
    fn register(
        &self,
        ctx: &SessionContext,
        name: &str,
        frame: &ArrowFrame,
        partitions: usize,
    ) -> Result<KeepAlive>;
}

/// A DataFusion session factory with its own tokio runtime.
pub(crate) struct Session {
    /// Started on first use: an engine that only maps never starts one.
    runner: std::sync::OnceLock<std::result::Result<Arc<Runner>, String>>,
    threads: Option<usize>,
    target_partitions: usize,
    /// Where queries run; `None`: in-memory tables of a local context.
    backend: Option<Arc<dyn SqlBackend>>,
    /// Whether operations return plans (built in the backend's context when there is one).
    lazy: bool,
    /// The memory every query of this session shares (`local.memory_limit`), and where they
    /// spill (`local.spill_dir`).
    memory: Option<Arc<dyn datafusion::execution::memory_pool::MemoryPool>>,
    memory_limit: Option<usize>,
    spill_dir: Option<std::path::PathBuf>,
}

/// An input of a relational operation: computed rows, or a plan to extend.
#[derive(Debug)]
pub(crate) enum Input {
    /// Rows in memory.
    Frame(ArrowFrame),
    /// A plan of the same session kind (registered as a view).
    Plan(PlanFrame),
}

impl Input {
    /// The input's schema.
    pub(crate) fn schema(&self) -> &Schema {
        match self {
            Input::Frame(f) => f.schema(),
            Input::Plan(p) => p.schema(),
        }
    }

    /// The input's rows (a plan is run).
    fn rows(&self) -> Result<std::borrow::Cow<'_, ArrowFrame>> {
        Ok(match self {
            Input::Frame(f) => std::borrow::Cow::Borrowed(f),
            Input::Plan(p) => std::borrow::Cow::Owned(p.clone().collect()?),
        })
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("target_partitions", &self.target_partitions)
            .finish()
    }
}

/// Double-quote an SQL identifier.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column name that is not in `schema`, starting from `base`.
fn fresh_name(schema: &Schema, base: &str) -> String {
    let mut name = base.to_string();
    while schema.contains_name(&name) {
        name.push('_');
    }
    name
}

/// DataFusion's result as a frame of supported types: every column cast to its normalised type
/// (an unsupported type that has no supported form is [`FugueError::Unsupported`] naming the
/// column).
pub(crate) fn normalize(schema: &ArrowSchema, batches: Vec<RecordBatch>) -> Result<ArrowFrame> {
    let (target, fugue_schema) = normalized_schema(schema.fields())?;
    let out = batches
        .into_iter()
        .map(|batch| {
            let columns = batch
                .columns()
                .iter()
                .zip(target.fields())
                .map(|(column, field)| {
                    if column.data_type() == field.data_type() {
                        Ok(column.clone())
                    } else {
                        cast(column, field.data_type()).map_err(FugueError::from)
                    }
                })
                .collect::<Result<Vec<ArrayRef>>>()?;
            Ok(RecordBatch::try_new(target.clone(), columns)?)
        })
        .collect::<Result<Vec<_>>>()?;
    ArrowFrame::new(fugue_schema, out)
}

/// A DataFusion error as a Fugue error: a missing column is [`FugueError::ColumnNotFound`],
/// SQL that does not parse or plan is [`FugueError::InvalidArgument`] naming `argument` and the
/// SQL, anything else is [`FugueError::External`].
fn df_error(error: DataFusionError, argument: &str, sql: &str) -> FugueError {
    let root = error.find_root();
    match root {
        DataFusionError::SchemaError(schema_error, _) => match schema_error.as_ref() {
            SchemaError::FieldNotFound {
                field,
                valid_fields,
            } => {
                let names: Vec<String> = valid_fields.iter().map(|c| c.name.clone()).collect();
                FugueError::column_not_found(
                    &field.name,
                    format!("{argument} `{sql}`"),
                    names.join(","),
                    names.iter().map(String::as_str),
                )
            }
            _ => FugueError::invalid_argument(argument, format!("`{sql}`: {root}")),
        },
        DataFusionError::SQL(..)
        | DataFusionError::Plan(_)
        | DataFusionError::NotImplemented(_) => {
            FugueError::invalid_argument(argument, format!("`{sql}`: {root}"))
        }
        DataFusionError::ResourcesExhausted(_) => crate::frame::out_of_memory(&error),
        _ => FugueError::external(
            format!("DataFusion failed to run {argument}"),
            error.to_string(),
        ),
    }
}

/// The tables of one statement: the inputs, the names they are registered under, and
/// whether the statement's names are read as DataFusion reads SQL (unquoted identifiers
/// lower-cased: a `sql` step) or as written (the fragments of `filter`, `assign`, ...).
pub(crate) struct Tables<'a> {
    inputs: &'a [&'a Input],
    names: Vec<String>,
    sql_names: bool,
}

impl<'a> Tables<'a> {
    /// The inputs as `t0`, `t1`, ..., names as written.
    fn numbered(inputs: &'a [&'a Input]) -> Tables<'a> {
        Tables {
            inputs,
            names: (0..inputs.len()).map(|i| format!("t{i}")).collect(),
            sql_names: false,
        }
    }

    /// The inputs under their names, SQL's names.
    pub(crate) fn named(inputs: &'a [&'a Input], names: &[&str]) -> Tables<'a> {
        Tables {
            inputs,
            names: names.iter().map(|n| n.to_string()).collect(),
            sql_names: true,
        }
    }

    fn configure(&self, config: &mut SessionConfig) {
        if self.sql_names {
            config.options_mut().sql_parser.enable_ident_normalization = true;
        }
    }
}

/// What statements user SQL may be: queries only.
fn query_only() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

impl Session {
    /// A session running on `threads` tokio worker threads (`None`: the calling thread only)
    /// with `target_partitions` DataFusion partitions.
    pub(crate) fn new(threads: Option<usize>, target_partitions: usize) -> Result<Self> {
        Ok(Session {
            runner: std::sync::OnceLock::new(),
            threads,
            target_partitions: target_partitions.max(1),
            backend: None,
            lazy: false,
            memory: None,
            memory_limit: None,
            spill_dir: None,
        })
    }

    /// This session's queries sharing `limit` bytes (sorts and aggregates spill beyond it, to
    /// `spill_dir` or a temporary folder).
    pub(crate) fn with_memory(
        mut self,
        limit: Option<usize>,
        spill_dir: Option<std::path::PathBuf>,
    ) -> Self {
        self.memory = limit.map(|bytes| {
            Arc::new(datafusion::execution::memory_pool::FairSpillPool::new(
                bytes,
            )) as Arc<dyn datafusion::execution::memory_pool::MemoryPool>
        });
        self.memory_limit = limit;
        self.spill_dir = spill_dir;
        self
    }

    /// This session with operations returning plans ([`PlanFrame`]) instead of rows.
    pub(crate) fn lazy(mut self) -> Self {
        self.lazy = true;
        self
    }

    /// Whether operations return plans.
    pub(crate) fn is_lazy(&self) -> bool {
        self.lazy
    }

    /// Where this session's plans run (`None`: this process's DataFusion).
    pub(crate) fn home(&self) -> Option<Arc<dyn PlanHome>> {
        self.backend
            .as_ref()
            .map(|backend| backend.clone() as Arc<dyn PlanHome>)
    }

    /// Whether `plan` can be extended by this session's operations: the session is lazy and
    /// the plan runs where its plans run (a plan of another cluster, or of this process when
    /// the session's plans run on a cluster, is read into rows first).
    pub(crate) fn accepts(&self, plan: &PlanFrame) -> bool {
        self.lazy && plan.location() == self.backend.as_ref().map(|backend| backend.location())
    }

    /// A context for a plan of this session, with Fugue's options changed by `edit`: the
    /// backend's (a plan built there runs where the backend runs it), else a local one.
    pub(crate) fn plan_context_with(
        &self,
        edit: impl FnOnce(&mut SessionConfig),
    ) -> Result<SessionContext> {
        match &self.backend {
            None => self.context_with(edit),
            Some(backend) => {
                let mut config = self.config();
                edit(&mut config);
                self.block_on(backend.context(config))
            }
        }
    }

    /// This session with queries run by `backend` over `target_partitions` partitions.
    pub(crate) fn with_backend(
        mut self,
        backend: Arc<dyn SqlBackend>,
        target_partitions: usize,
    ) -> Self {
        self.backend = Some(backend);
        self.target_partitions = target_partitions.max(1);
        self
    }

    /// The runner (a tokio runtime), started on first use.
    pub(crate) fn runner(&self) -> Result<&Arc<Runner>> {
        let runner = self
            .runner
            .get_or_init(|| Runner::new(self.threads).map(Arc::new));
        runner
            .as_ref()
            .map_err(|e| FugueError::external("cannot start the engine's tokio runtime", e.clone()))
    }

    /// Fugue's DataFusion options: identifiers case-sensitive, plain string types,
    /// `target_partitions`.
    fn config(&self) -> SessionConfig {
        let mut config = SessionConfig::new()
            .with_target_partitions(self.target_partitions)
            .with_information_schema(false);
        let options = config.options_mut();
        options.sql_parser.enable_ident_normalization = false;
        options.sql_parser.map_string_types_to_utf8view = false;
        options.execution.parquet.schema_force_view_types = false;
        // File statistics are read when a query over a scan is planned, in the context that
        // plans it: DataFusion 55 then reads a float column whose statistics have min = max
        // (parquet leaves NaN out of them) as that constant. Never collected (see `scan.rs`).
        options.execution.collect_statistics = false;
        // A partition reads its own files, in order (no rebalancing at run time), so that a
        // plan's rows come in a defined order: the files' order, as the eager load reads them.
        options.execution.enable_file_stream_work_stealing = false;
        if let Some(limit) = self.memory_limit {
            // What a sort keeps back to merge its spilled runs (10 MB by default) must leave
            // room under a small limit for every partition's sort.
            let share = limit / (4 * self.target_partitions);
            let reserve = &mut options.execution.sort_spill_reservation_bytes;
            *reserve = (*reserve).min(share);
        }
        config
    }

    /// A fresh local context.
    pub(crate) fn context(&self) -> Result<SessionContext> {
        self.context_with(|_| {})
    }

    /// A fresh local context with Fugue's options changed by `edit`. Every context has its own
    /// runtime environment (no listing or metadata cache outlives a query, so a file that
    /// changed is read as it is now) with the session's memory pool and spill folder.
    pub(crate) fn context_with(
        &self,
        edit: impl FnOnce(&mut SessionConfig),
    ) -> Result<SessionContext> {
        use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
        use datafusion::execution::runtime_env::RuntimeEnvBuilder;
        let mut config = self.config();
        edit(&mut config);
        // Transformer steps are nodes of local plans.
        let state = datafusion::execution::SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .with_query_planner(Arc::new(super::LocalQueryPlanner));
        if self.memory.is_none() && self.spill_dir.is_none() {
            return Ok(SessionContext::new_with_state(state.build()));
        }
        let mut runtime = RuntimeEnvBuilder::new();
        if let Some(pool) = &self.memory {
            runtime = runtime.with_memory_pool(pool.clone());
        }
        if let Some(dir) = &self.spill_dir {
            runtime = runtime.with_disk_manager_builder(
                DiskManagerBuilder::default()
                    .with_mode(DiskManagerMode::Directories(vec![dir.clone()])),
            );
        }
        // Never without the limit or the folder the configuration asks for.
        let env = runtime.build_arc().map_err(|e| FugueError::Config {
            key: super::conf::LOCAL_SPILL_DIR.to_string(),
            reason: format!("the engine cannot use its memory pool or spill folder: {e}"),
        })?;
        Ok(SessionContext::new_with_state(
            state.with_runtime_env(env).build(),
        ))
    }

    /// Run a future to completion on the runtime (see [`Runner::block_on`]).
    fn block_on<T, F>(&self, future: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send,
        T: Send,
    {
        self.runner()?.block_on(future)
    }

    /// A context with `inputs` registered as tables `t0`, `t1`, ...: rows as in-memory tables
    /// (each split into up to `target_partitions` partitions), plans as views.
    fn with_tables(&self, inputs: &[&Input]) -> Result<SessionContext> {
        self.with_named_tables(&Tables::numbered(inputs))
    }

    /// A context with the tables registered under their names.
    fn with_named_tables(&self, tables: &Tables<'_>) -> Result<SessionContext> {
        let ctx = self.context_with(|config| tables.configure(config))?;
        for (name, input) in tables.names.iter().zip(tables.inputs) {
            let table: Arc<dyn datafusion::catalog::TableProvider> = match input {
                Input::Frame(frame) => {
                    let partitions = split_batches(frame.batches(), self.target_partitions);
                    Arc::new(
                        MemTable::try_new(frame.arrow_schema().clone(), partitions)
                            .map_err(|e| df_error(e, "registering a table", ""))?,
                    )
                }
                Input::Plan(plan) => plan.plan().clone().into_view(),
            };
            ctx.register_table(name.as_str(), table)
                .map_err(|e| df_error(e, "registering a table", ""))?;
        }
        Ok(ctx)
    }

    /// One query over `inputs` (tables `t0`, `t1`, ...); errors name `argument`. A lazy
    /// session plans it (a [`PlanFrame`]); an eager one runs it.
    pub(crate) fn query(&self, inputs: &[&Input], sql: &str, argument: &str) -> Result<DataFrame> {
        self.query_tables(&Tables::numbered(inputs), sql, argument)
    }

    /// One query over named tables (see [`query`](Self::query)).
    fn query_tables(&self, tables: &Tables<'_>, sql: &str, argument: &str) -> Result<DataFrame> {
        let inputs = tables.inputs;
        if self.lazy {
            let (ctx, keep) = match &self.backend {
                None => (self.with_named_tables(tables)?, Vec::new()),
                Some(backend) => self.backend_tables(backend, tables)?,
            };
            let plan = self.block_on(async move {
                ctx.sql_with_options(sql, query_only())
                    .await
                    .map_err(|e| df_error(e, argument, sql))
            })?;
            let plans: Vec<&PlanFrame> = inputs
                .iter()
                .filter_map(|i| match i {
                    Input::Plan(p) => Some(p),
                    Input::Frame(_) => None,
                })
                .collect();
            return Ok(PlanFrame::new(plan, self.runner()?.clone(), None)?
                .homed(self.home(), keep)
                .built_over(&plans)
                .into());
        }
        let rows = inputs
            .iter()
            .map(|i| i.rows())
            .collect::<Result<Vec<_>>>()?;
        let frames: Vec<Input> = rows
            .iter()
            .map(|r| Input::Frame(r.as_ref().clone()))
            .collect();
        let frames: Vec<&Input> = frames.iter().collect();
        let tables = Tables {
            inputs: &frames,
            names: tables.names.clone(),
            sql_names: tables.sql_names,
        };
        self.run(&tables, sql, argument).map(DataFrame::from)
    }

    /// A context of `backend` with the tables registered: rows as the backend's tables (kept
    /// alive by the returned values), plans as views.
    fn backend_tables(
        &self,
        backend: &Arc<dyn SqlBackend>,
        tables: &Tables<'_>,
    ) -> Result<(SessionContext, Vec<KeepAlive>)> {
        self.block_on(self.backend_context(backend, tables))
    }

    /// [`backend_tables`](Self::backend_tables), within a future already on the runtime.
    async fn backend_context(
        &self,
        backend: &Arc<dyn SqlBackend>,
        tables: &Tables<'_>,
    ) -> Result<(SessionContext, Vec<KeepAlive>)> {
        let mut config = self.config();
        tables.configure(&mut config);
        let ctx = backend.context(config).await?;
        let mut keep = Vec::new();
        for (name, input) in tables.names.iter().zip(tables.inputs) {
            match input {
                Input::Frame(frame) => {
                    keep.push(backend.register(&ctx, name, frame, self.target_partitions)?);
                }
                Input::Plan(plan) => {
                    ctx.register_table(name.as_str(), plan.plan().clone().into_view())
                        .map_err(|e| df_error(e, "registering a table", ""))?;
                }
            }
        }
        Ok((ctx, keep))
    }

    /// Run one query over the tables (in-memory frames) now.
    fn run(&self, tables: &Tables<'_>, sql: &str, argument: &str) -> Result<ArrowFrame> {
        let (schema, batches) = self.block_on(async move {
            // Where the tables live: in memory, or wherever the backend puts them (kept
            // until the result is collected).
            let (ctx, staged) = match &self.backend {
                None => (self.with_named_tables(tables)?, Vec::new()),
                Some(backend) => self.backend_context(backend, tables).await?,
            };
            let df = ctx
                .sql_with_options(sql, query_only())
                .await
                .map_err(|e| df_error(e, argument, sql))?;
            let schema = df.schema().as_arrow().clone();
            let batches = df.collect().await.map_err(|e| df_error(e, argument, sql))?;
            drop(staged);
            Ok::<_, FugueError>((schema, batches))
        })?;
        normalize(&schema, batches)
    }

    /// Whether the select item `expr` over `frame` is an aggregation (its plan aggregates).
    /// Planning only: always on a local context, whatever the backend.
    fn is_aggregate(&self, frame: &Input, expr: &str, argument: &str) -> Result<bool> {
        let ctx = self.with_tables(&[frame])?;
        let sql = format!("SELECT {expr} FROM \"t0\"");
        let plan = self.block_on(async {
            ctx.state()
                .create_logical_plan(&sql)
                .await
                .map_err(|e| df_error(e, argument, expr))
        })?;
        Ok(has_aggregate(&plan))
    }
}

/// Whether a plan has an aggregation.
fn has_aggregate(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::Aggregate(_)) || plan.inputs().into_iter().any(has_aggregate)
}

/// Batches spread over up to `n` partitions of about equal row counts (at least one,
/// possibly empty; one when there are fewer rows than partitions).
pub fn split_batches(batches: &[RecordBatch], n: usize) -> Vec<Vec<RecordBatch>> {
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if n <= 1 || rows < n {
        return vec![batches.to_vec()];
    }
    let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); n];
    let chunk = rows.div_ceil(n);
    let (mut part, mut filled) = (0, 0);
    for batch in batches {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = (chunk - filled).min(batch.num_rows() - offset);
            parts[part].push(batch.slice(offset, len));
            offset += len;
            filled += len;
            if filled == chunk && part + 1 < n {
                part += 1;
                filled = 0;
            }
        }
    }
    parts
}

/// The frame's quoted column list.
fn column_list(schema: &Schema, prefix: &str) -> String {
    schema
        .names()
        .map(|n| format!("{prefix}{}", quote(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The result cast to the schema the operation promised (a plan casts inside the plan).
fn conform(result: DataFrame, schema: &Schema) -> Result<DataFrame> {
    let frame = match result {
        DataFrame::Plan(plan) => return Ok(plan.conform(schema)?.into()),
        other => other.to_arrow_frame()?,
    };
    let batches = frame
        .into_batches()
        .into_iter()
        .map(|batch| {
            let target = Arc::new(schema.to_arrow());
            let columns = batch
                .columns()
                .iter()
                .zip(target.fields())
                .map(|(c, f)| {
                    if c.data_type() == f.data_type() {
                        Ok(c.clone())
                    } else {
                        cast(c, f.data_type()).map_err(FugueError::from)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(RecordBatch::try_new(target, columns)?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ArrowFrame::new(schema.clone(), batches)?.into())
}

/// Join two frames (reference §2.3; checks in [`join_plan`]).
pub(crate) fn join(
    session: &Session,
    left: &Input,
    right: &Input,
    how: JoinHow,
    on: &[&str],
) -> Result<DataFrame> {
    let JoinPlan { keys, output } = join_plan(left.schema(), right.schema(), how, on)?;
    let is_key = |n: &str| keys.iter().any(|k| k == n);
    let condition = keys
        .iter()
        .map(|k| format!("l.{q} = r.{q}", q = quote(k)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let mut items: Vec<String> = left
        .schema()
        .names()
        .map(|n| {
            let q = quote(n);
            match how {
                JoinHow::RightOuter if is_key(n) => format!("r.{q} AS {q}"),
                JoinHow::FullOuter if is_key(n) => format!("COALESCE(l.{q}, r.{q}) AS {q}"),
                _ => format!("l.{q} AS {q}"),
            }
        })
        .collect();
    if !how.is_filtering() {
        items.extend(
            right
                .schema()
                .names()
                .filter(|n| !is_key(n))
                .map(|n| format!("r.{q} AS {q}", q = quote(n))),
        );
    }
    let join = match how {
        JoinHow::Inner => "INNER JOIN",
        JoinHow::LeftOuter => "LEFT OUTER JOIN",
        JoinHow::RightOuter => "RIGHT OUTER JOIN",
        JoinHow::FullOuter => "FULL OUTER JOIN",
        JoinHow::Semi => "LEFT SEMI JOIN",
        JoinHow::Anti => "LEFT ANTI JOIN",
        JoinHow::Cross => "CROSS JOIN",
    };
    let on_clause = if how == JoinHow::Cross {
        String::new()
    } else {
        format!(" ON {condition}")
    };
    let sql = format!(
        "SELECT {} FROM \"t0\" AS l {join} \"t1\" AS r{on_clause}",
        items.join(", ")
    );
    let result = session.query(&[left, right], &sql, "join")?;
    conform(result, &output)
}

pub(crate) use fugue_core::options::SetOp;

/// `UNION`, `EXCEPT` or `INTERSECT`, distinct or with multiset (`ALL`) semantics; NULLs and
/// NaNs compare equal. DataFusion's `EXCEPT ALL` / `INTERSECT ALL` are not multiset operations
/// (each right row removes every equal left row), so `ALL` numbers equal rows on each side
/// (`ROW_NUMBER() OVER (PARTITION BY every column)`) and applies the distinct operation to
/// (row, number) pairs: the k-th copy of a row survives a difference exactly when the right
/// side has fewer than k copies, and an intersection when both sides have at least k copies.
pub(crate) fn set_operation(
    session: &Session,
    op: SetOp,
    left: &Input,
    right: &Input,
    distinct: bool,
) -> Result<DataFrame> {
    same_schema(op.name(), left.schema(), right.schema())?;
    let keyword = op.sql();
    let cols = column_list(left.schema(), "");
    let sql = if distinct {
        format!("SELECT {cols} FROM \"t0\" {keyword} SELECT {cols} FROM \"t1\"")
    } else if op == SetOp::Union {
        format!("SELECT {cols} FROM \"t0\" UNION ALL SELECT {cols} FROM \"t1\"")
    } else {
        let rn = quote(&fresh_name(left.schema(), "__fugue_copy"));
        let numbered = |t: &str| {
            format!("SELECT {cols}, ROW_NUMBER() OVER (PARTITION BY {cols}) AS {rn} FROM \"{t}\"")
        };
        format!(
            "SELECT {cols} FROM ({} {keyword} {}) AS x",
            numbered("t0"),
            numbered("t1")
        )
    };
    let result = session.query(&[left, right], &sql, op.name())?;
    conform(result, left.schema())
}

/// `SELECT DISTINCT *`: NULLs equal each other, NaN equals NaN.
pub(crate) fn distinct(session: &Session, frame: &Input) -> Result<DataFrame> {
    let sql = format!(
        "SELECT DISTINCT {} FROM \"t0\"",
        column_list(frame.schema(), "")
    );
    let result = session.query(&[frame], &sql, "distinct")?;
    conform(result, frame.schema())
}

/// `frame` with a last column `name` (`uint64`) numbering its rows from 0 (to keep the input
/// order through SQL or a shuffle).
pub fn with_row_numbers(frame: &ArrowFrame, name: &str) -> Result<ArrowFrame> {
    let mut columns = frame.schema().columns().to_vec();
    columns.push(fugue_core::Column::new(name, DataType::UInt64));
    let schema = Schema::new(columns)?;
    let mut offset = 0_u64;
    let batches = frame
        .batches()
        .iter()
        .map(|b| {
            let n = b.num_rows() as u64;
            let ids: ArrayRef = Arc::new(UInt64Array::from_iter_values(offset..offset + n));
            offset += n;
            let mut cols = b.columns().to_vec();
            cols.push(ids);
            Ok(RecordBatch::try_new(Arc::new(schema.to_arrow()), cols)?)
        })
        .collect::<Result<Vec<_>>>()?;
    ArrowFrame::new(schema, batches)
}

/// The first `n` rows overall or per partition-key group (a NULL key is a group), ordered by
/// `presort` (or the spec's presort when `presort` is empty; else the input order), NULLs
/// placed by `na_position` whatever the direction (reference §2.5). The result is ordered by
/// the keys, then the sort.
pub(crate) fn take(
    session: &Session,
    frame: &Input,
    n: usize,
    presort: &[SortKey],
    na_position: NaPosition,
    partition: Option<&PartitionSpec>,
) -> Result<DataFrame> {
    let schema = frame.schema();
    let keys: Vec<String> = partition.map(|p| p.keys().to_vec()).unwrap_or_default();
    let sorts: Vec<SortKey> = if presort.is_empty() {
        partition.map(|p| p.presort().to_vec()).unwrap_or_default()
    } else {
        presort.to_vec()
    };
    for name in keys.iter().chain(sorts.iter().map(|s| &s.name)) {
        if !schema.contains_name(name) {
            return Err(FugueError::column_not_found(
                name,
                "take",
                schema,
                schema.names(),
            ));
        }
    }
    let row = fresh_name(schema, "__fugue_row");
    let rn = fresh_name(schema, "__fugue_rank");
    // Row numbers keep the input order among equal sort keys: a plan is run first, so that
    // the order is the one its rows are read in.
    let rows = frame.rows()?;
    let numbered = Input::Frame(with_row_numbers(rows.as_ref(), &row)?);
    let mut order: Vec<String> = sorts
        .iter()
        .map(|s| {
            let nulls = if s.nulls_first || na_position == NaPosition::First {
                "NULLS FIRST"
            } else {
                "NULLS LAST"
            };
            format!("{} {} {nulls}", quote(&s.name), s.direction())
        })
        .collect();
    order.push(quote(&row));
    let partition_clause = if keys.is_empty() {
        String::new()
    } else {
        format!(
            "PARTITION BY {} ",
            keys.iter().map(|k| quote(k)).collect::<Vec<_>>().join(", ")
        )
    };
    let final_order: Vec<String> = keys
        .iter()
        .map(|k| format!("{} ASC NULLS LAST", quote(k)))
        .chain(order.iter().cloned())
        .collect();
    let cols = column_list(schema, "");
    let sql = format!(
        "SELECT {cols} FROM (SELECT *, ROW_NUMBER() OVER ({partition_clause}ORDER BY {}) AS {} \
         FROM \"t0\") AS x WHERE {} <= {n} ORDER BY {}",
        order.join(", "),
        quote(&rn),
        quote(&rn),
        final_order.join(", ")
    );
    let result = session.query(&[&numbered], &sql, "take")?;
    conform(result, schema)
}

/// A SQL select over one frame; with aggregations, the non-aggregated items are the
/// `GROUP BY` keys (by position).
pub(crate) fn select(session: &Session, frame: &Input, query: &SelectQuery) -> Result<DataFrame> {
    if query.columns.is_empty() {
        return Err(FugueError::invalid_argument(
            "columns",
            "select needs at least one column",
        ));
    }
    let mut group_by = Vec::new();
    let mut any_aggregate = false;
    for (i, item) in query.columns.iter().enumerate() {
        if session.is_aggregate(frame, item, "columns")? {
            any_aggregate = true;
        } else {
            group_by.push((i + 1).to_string());
        }
    }
    let mut sql = format!(
        "SELECT {}{} FROM \"t0\"",
        if query.distinct { "DISTINCT " } else { "" },
        query.columns.join(", ")
    );
    if let Some(w) = &query.where_clause {
        sql.push_str(&format!(" WHERE {w}"));
    }
    if any_aggregate && !group_by.is_empty() {
        sql.push_str(&format!(" GROUP BY {}", group_by.join(", ")));
    }
    if let Some(h) = &query.having {
        sql.push_str(&format!(" HAVING {h}"));
    }
    session.query(&[frame], &sql, "select")
}

/// A `sql` step: `query` over the frames registered under their names (the workflow's step
/// names), its names read as DataFusion reads SQL (unquoted identifiers lower-cased).
pub(crate) fn sql(session: &Session, tables: &[(&str, Input)], query: &str) -> Result<DataFrame> {
    let inputs: Vec<&Input> = tables.iter().map(|(_, i)| i).collect();
    let names: Vec<&str> = tables.iter().map(|(n, _)| *n).collect();
    session.query_tables(&Tables::named(&inputs, &names), query, "sql")
}

/// The rows where `condition` is true.
pub(crate) fn filter(session: &Session, frame: &Input, condition: &str) -> Result<DataFrame> {
    let sql = format!(
        "SELECT {} FROM \"t0\" WHERE {condition}",
        column_list(frame.schema(), "")
    );
    let result = session.query(&[frame], &sql, "condition")?;
    conform(result, frame.schema())
}

/// Replace same-named columns in place and append new ones, in order; every expression sees the
/// input columns and must not aggregate.
pub(crate) fn assign(
    session: &Session,
    frame: &Input,
    columns: &[(&str, &str)],
) -> Result<DataFrame> {
    for (i, (name, expr)) in columns.iter().enumerate() {
        if columns[..i].iter().any(|(n, _)| n == name) {
            return Err(FugueError::DuplicateColumn {
                column: name.to_string(),
                context: "assign".into(),
                schema: String::new(),
            });
        }
        if session.is_aggregate(frame, expr, "columns")? {
            return Err(FugueError::invalid_argument(
                "columns",
                format!("assign cannot aggregate: `{name}` is `{expr}`"),
            ));
        }
    }
    let mut items: Vec<String> = frame
        .schema()
        .names()
        .map(|n| match columns.iter().find(|(c, _)| *c == n) {
            Some((_, expr)) => format!("({expr}) AS {}", quote(n)),
            None => quote(n),
        })
        .collect();
    items.extend(
        columns
            .iter()
            .filter(|(n, _)| !frame.schema().contains_name(n))
            .map(|(n, expr)| format!("({expr}) AS {}", quote(n))),
    );
    let sql = format!("SELECT {} FROM \"t0\"", items.join(", "));
    session.query(&[frame], &sql, "columns")
}

/// Group by `partition_by` and compute `columns` (each must be an aggregation): the output is
/// the keys, then the columns.
pub(crate) fn aggregate(
    session: &Session,
    frame: &Input,
    partition_by: &[&str],
    columns: &[(&str, &str)],
) -> Result<DataFrame> {
    let schema = frame.schema();
    if columns.is_empty() {
        return Err(FugueError::invalid_argument(
            "columns",
            "aggregate needs at least one aggregation",
        ));
    }
    for key in partition_by {
        if !schema.contains_name(key) {
            return Err(FugueError::column_not_found(
                key,
                "the keys of aggregate",
                schema,
                schema.names(),
            ));
        }
    }
    for (name, expr) in columns {
        if !session.is_aggregate(frame, expr, "columns")? {
            return Err(FugueError::invalid_argument(
                "columns",
                format!("every aggregate column must be an aggregation; `{name}` is `{expr}`"),
            ));
        }
    }
    let keys: Vec<String> = partition_by.iter().map(|k| quote(k)).collect();
    let items: Vec<String> = keys
        .iter()
        .cloned()
        .chain(
            columns
                .iter()
                .map(|(n, expr)| format!("({expr}) AS {}", quote(n))),
        )
        .collect();
    let mut sql = format!("SELECT {} FROM \"t0\"", items.join(", "));
    if !keys.is_empty() {
        sql.push_str(&format!(" GROUP BY {}", keys.join(", ")));
    }
    session.query(&[frame], &sql, "columns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote("a b"), "\"a b\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn queries_run_from_inside_another_runtime() {
        let frame = ArrowFrame::from_rows(
            "a:int",
            &[
                vec![crate::value::Value::from(1_i32)],
                vec![crate::value::Value::from(1_i32)],
            ],
        )
        .unwrap();
        let session = Session::new(None, 1).unwrap();
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let input = Input::Frame(frame);
        let result = outer
            .block_on(async { distinct(&session, &input) })
            .unwrap();
        assert_eq!(result.count().unwrap(), 1);
    }

    #[test]
    fn batches_split_evenly() {
        let frame = ArrowFrame::from_rows(
            "a:int",
            &(0..10_i32)
                .map(|i| vec![crate::value::Value::from(i)])
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let parts = split_batches(frame.batches(), 3);
        let sizes: Vec<usize> = parts
            .iter()
            .map(|p| p.iter().map(RecordBatch::num_rows).sum())
            .collect();
        assert_eq!(sizes, [4, 4, 2]);
    }
}
