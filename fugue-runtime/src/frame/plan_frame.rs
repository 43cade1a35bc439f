//! [`PlanFrame`]: a lazy frame, a DataFusion logical plan whose schema is known without
//! running it.
//!
//! The `local` engine's relational operations and parquet loads return plan frames, and so do
//! the Ballista engine's (their plans built in the cluster's context, run as its jobs: see
//! [`PlanHome`]); each relational operation over a plan frame of the same home appends to its
//! plan, so consecutive steps fuse into one DataFusion query (the scan's projection and
//! filters pushed down, a join's output fed straight into the aggregate over it). Nothing runs until the rows are needed: converting to
//! an [`ArrowFrame`] or a [`StreamFrame`], counting, showing, saving or a transformer step.
//!
//! Every plan frame's plan produces exactly the frame's schema: DataFusion's own types (string
//! views, large lists, dictionaries) are cast to Fugue's supported types inside the plan, so a
//! later step sees the types a user sees. Reading keeps a defined order: the plan's
//! partitions are read in order (all of them running at once), never interleaved.

use super::Metadata;
use super::arrow_frame::ArrowFrame;
use super::ops;
use super::stream_frame::StreamFrame;
use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Fields, SchemaRef};
use datafusion::common::Column as DfColumn;
use datafusion::logical_expr::{Expr, cast};
use datafusion::physical_plan::ExecutionPlan;
use fugue_core::{FugueError, Result, Schema};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// Where a plan runs when it does not run on this process's DataFusion: a cluster (the
/// `fugue-cluster` crate's Ballista engine implements it). A plan frame with a home is
/// planned by its home's query planner (a cluster job); plans of one home combine into one
/// query, and a plan of another home is read into rows first.
pub trait PlanHome: Send + Sync + fmt::Debug {
    /// Which cluster (the scheduler's address): plans of equal locations can be combined.
    fn location(&self) -> &str;

    /// A guard for one run of `plan` (its physical plan, about to run). Dropped before
    /// [`JobGuard::finished`] (the reader stopped early, the step was cancelled or out of
    /// time), it stops the job on the cluster.
    fn start(&self, plan: &Arc<dyn ExecutionPlan>) -> Box<dyn JobGuard>;
}

/// A job in flight on a [`PlanHome`] (see [`PlanHome::start`]).
pub trait JobGuard: Send {
    /// The job ran to its end: nothing to stop.
    fn finished(&mut self);
}

/// What a plan needs alive while it can run (staged files of in-memory inputs, say), shared
/// by the plan frames built over it.
pub type KeepAlive = Arc<dyn Any + Send + Sync>;

/// The tokio runtime that runs DataFusion plans, shared by an engine and the plan frames it
/// returns (a plan frame may outlive its engine).
pub(crate) struct Runner {
    /// Always `Some` until dropped (taken out to shut down without blocking).
    runtime: Option<tokio::runtime::Runtime>,
}

impl fmt::Debug for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runner").finish_non_exhaustive()
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        // Never blocks: a runner may be dropped inside another runtime.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A panic's message.
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

impl Runner {
    /// A runner on `threads` worker threads (`None`: the calling thread only).
    pub(crate) fn new(threads: Option<usize>) -> std::result::Result<Self, String> {
        // Timers and sockets: a backend may reach a cluster over the network.
        let runtime = match threads {
            None => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build(),
            Some(n) => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(n.max(1))
                .thread_name("fugue-local")
                .enable_all()
                .build(),
        }
        .map_err(|e| e.to_string())?;
        Ok(Runner {
            runtime: Some(runtime),
        })
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime
            .as_ref()
            .expect("a runner's runtime lives until it drops")
    }

    /// Run a future to completion (from another thread when the caller is itself inside a
    /// tokio runtime, where blocking would panic). A panic inside the future (a reader that
    /// panics on a corrupt file, say) is [`FugueError::External`], never an abort. Under a
    /// step's [`control`](crate::control) the wait ends when the step is cancelled or out of
    /// time, and the query is dropped (DataFusion stops its tasks).
    pub(crate) fn block_on<T, F>(&self, future: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send,
        T: Send,
    {
        let future = crate::control::until_stopped(crate::control::current(), future);
        let runtime = self.runtime();
        let run = move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.block_on(future)))
                .unwrap_or_else(|panic| {
                    Err(FugueError::external(
                        "DataFusion failed while running a query",
                        panic_text(panic.as_ref()),
                    ))
                })
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| match s.spawn(run).join() {
                Ok(out) => out,
                Err(panic) => std::panic::resume_unwind(panic),
            })
        } else {
            run()
        }
    }

    /// The runtime's handle (to spawn tasks on it).
    pub(crate) fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime().handle()
    }
}

/// The supported type DataFusion's `data_type` stands for (views, large and fixed-size
/// variants and dictionaries become their plain form, recursively).
fn normalize_type(data_type: &DataType) -> DataType {
    let field = |f: &Field| {
        Arc::new(Field::new(
            f.name(),
            normalize_type(f.data_type()),
            f.is_nullable(),
        ))
    };
    match data_type {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary | DataType::FixedSizeBinary(_) => {
            DataType::Binary
        }
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f)
        | DataType::LargeListView(f) => DataType::List(Arc::new(Field::new_list_field(
            normalize_type(f.data_type()),
            f.is_nullable(),
        ))),
        DataType::Struct(fields) => DataType::Struct(Fields::from(
            fields.iter().map(|f| field(f)).collect::<Vec<_>>(),
        )),
        DataType::Map(entries, sorted) => DataType::Map(field(entries), *sorted),
        DataType::Dictionary(_, value) => normalize_type(value),
        other => other.clone(),
    }
}

/// The supported Arrow schema (every type normalised, each column's nullability DataFusion's
/// planned one) and the Fugue schema that DataFusion's `fields` stand for.
pub(crate) fn normalized_schema(fields: &Fields) -> Result<(SchemaRef, Schema)> {
    let normalized: Vec<Field> = fields
        .iter()
        .map(|f| Field::new(f.name(), normalize_type(f.data_type()), f.is_nullable()))
        .collect();
    let arrow = Arc::new(arrow::datatypes::Schema::new(normalized));
    let schema = Schema::from_arrow(&arrow)?;
    Ok((arrow, schema))
}

/// A DataFusion error of running or planning a frame's plan.
pub(crate) fn plan_error(error: datafusion::error::DataFusionError) -> FugueError {
    let error = match crate::engine::step_failure(error) {
        Ok(failure) => return failure,
        Err(error) => error,
    };
    if let datafusion::error::DataFusionError::External(e) = error {
        // A Fugue error of ours (a panic in a stream, say): as it is.
        return match e.downcast::<FugueError>() {
            Ok(fugue) => *fugue,
            Err(e) => plan_error_text(datafusion::error::DataFusionError::External(e)),
        };
    }
    plan_error_text(error)
}

fn plan_error_text(error: datafusion::error::DataFusionError) -> FugueError {
    if matches!(
        error.find_root(),
        datafusion::error::DataFusionError::ResourcesExhausted(_)
    ) {
        return out_of_memory(&error);
    }
    FugueError::external("DataFusion failed to run the plan", error.to_string())
}

/// The error of a query that needs more memory than the engine's limit: it names the key to
/// raise (DataFusion 55's hash join cannot spill; sorts and aggregates can).
pub(crate) fn out_of_memory(error: &datafusion::error::DataFusionError) -> FugueError {
    FugueError::external(
        format!(
            "the query needs more memory than `{}` allows (an operation that cannot spill, \
             such as a hash join's build side, must fit): raise the limit or unset it",
            crate::engine::LOCAL_MEMORY_LIMIT
        ),
        error.to_string(),
    )
}

/// One source of a plan (a file a scan reads) and its check, run when the plan fails: the
/// error that names what is wrong with the source (a corrupt file, say), or `None` when the
/// check finds nothing.
#[derive(Clone)]
pub(crate) struct SourceCheck {
    /// What the source is (a file's path).
    pub(crate) name: String,
    /// The check.
    pub(crate) check: Arc<dyn Fn() -> Option<FugueError> + Send + Sync>,
}

/// A physical plan about to run, and the guard of its run on the plan's home (if any).
type Started = (Arc<dyn ExecutionPlan>, Option<Box<dyn JobGuard>>);

/// How many sources a failed plan's error names.
const NAMED_SOURCES: usize = 5;

/// A lazy frame: a DataFusion plan and the schema it produces (see the module docs).
///
/// Made by the `local` engine (relational operations, parquet loads); read like any frame
/// through [`super::DataFrame`]. Cloning a plan frame clones the plan, not data: each read runs
/// the plan again.
///
/// ```
/// use fugue_runtime::engine::{LoadOptions, LocalEngine, RelationalEngine, SaveOptions};
/// use fugue_runtime::{ArrowFrame, DataFrame, Value};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("trips.parquet");
/// let path = path.to_str().unwrap();
/// let rows: Vec<Vec<Value>> = (0..100_i64)
///     .map(|i| vec![Value::from(format!("c{}", i % 3)), Value::from(i as f64)])
///     .collect();
/// let trips = DataFrame::from(ArrowFrame::from_rows("city:str,fare:double", &rows)?);
/// let engine = LocalEngine::local(Default::default())?;
/// engine.save(trips, path, &SaveOptions::default())?;
///
/// // The load is a scan; the filter and the aggregate extend its plan: nothing has run yet.
/// let loaded = engine.load(&[path], &LoadOptions::default())?;
/// let cheap = engine.filter(loaded, "fare < 50")?;
/// let mut totals = engine.aggregate(cheap, &["city"], &[("total", "SUM(fare)")])?;
/// assert_eq!(totals.kind_name(), "PlanFrame");
/// assert_eq!(totals.schema().to_string(), "city:str,total:double");
/// if let DataFrame::Plan(plan) = &totals {
///     // One query: the filter is pushed into the parquet scan.
///     assert!(plan.explain(true)?.contains("predicate=fare@1 < 50"));
/// }
/// // Reading the rows runs the plan.
/// assert_eq!(totals.as_rows()?.len(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PlanFrame {
    schema: Schema,
    arrow_schema: SchemaRef,
    /// Boxed: a DataFusion frame holds a whole session state.
    plan: Box<datafusion::dataframe::DataFrame>,
    runner: Arc<Runner>,
    metadata: Metadata,
    /// The checks of the plan's sources, for errors that name the bad file.
    sources: Vec<SourceCheck>,
    /// Where the plan runs (`None`: this process's DataFusion).
    home: Option<Arc<dyn PlanHome>>,
    /// What the plan reads that must live as long as it can run.
    keep: Vec<KeepAlive>,
}

impl fmt::Debug for PlanFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlanFrame")
            .field("schema", &self.schema.to_string())
            .field("metadata", &self.metadata)
            .finish_non_exhaustive()
    }
}

impl PlanFrame {
    /// A frame of `plan`, run by `runner`. Its schema is `target` (same column count; names
    /// and types from `target`), or the plan's own with every type normalised; the plan is
    /// extended with the casts and renames that make it produce exactly that schema.
    pub(crate) fn new(
        plan: datafusion::dataframe::DataFrame,
        runner: Arc<Runner>,
        target: Option<&Schema>,
    ) -> Result<Self> {
        let fields = plan.schema().fields().clone();
        let schema = match target {
            Some(schema) => {
                if schema.len() != fields.len() {
                    return Err(FugueError::Internal(format!(
                        "a plan of {} columns cannot produce the schema `{schema}`",
                        fields.len()
                    )));
                }
                schema.clone()
            }
            None => normalized_schema(&fields)?.1,
        };
        let arrow_schema = ops::arrow_schema_of(&schema);
        let exact = fields
            .iter()
            .zip(arrow_schema.fields())
            .all(|(have, want)| have.name() == want.name() && have.data_type() == want.data_type());
        let plan = if exact {
            plan
        } else {
            let items = (0..fields.len())
                .map(|i| {
                    let want = arrow_schema.field(i);
                    let column = Expr::Column(DfColumn::from(plan.schema().qualified_field(i)));
                    let typed = if fields[i].data_type() == want.data_type() {
                        column
                    } else {
                        cast(column, want.data_type().clone())
                    };
                    typed.alias(want.name())
                })
                .collect::<Vec<_>>();
            plan.select(items).map_err(plan_error)?
        };
        Ok(PlanFrame {
            schema,
            arrow_schema,
            plan: Box::new(plan),
            runner,
            metadata: Metadata::new(),
            sources: Vec::new(),
            home: None,
            keep: Vec::new(),
        })
    }

    /// This frame run by `home` (see [`PlanHome`]), keeping `keep` alive while it can run.
    pub(crate) fn homed(
        mut self,
        home: Option<Arc<dyn PlanHome>>,
        keep: impl IntoIterator<Item = KeepAlive>,
    ) -> Self {
        self.home = home;
        self.keep.extend(keep);
        self
    }

    /// Where the plan runs: the cluster's address, or `None` on this process's DataFusion.
    pub fn location(&self) -> Option<&str> {
        self.home.as_deref().map(PlanHome::location)
    }

    /// This frame built over `inputs`: it checks their sources when it fails and keeps alive
    /// what they keep.
    pub(crate) fn built_over(mut self, inputs: &[&PlanFrame]) -> Self {
        for input in inputs {
            self.sources.extend(input.sources.iter().cloned());
            self.keep.extend(input.keep.iter().cloned());
        }
        self
    }

    /// The same plan with this frame's metadata, sources, home and kept values.
    fn rebuilt(
        &self,
        plan: datafusion::dataframe::DataFrame,
        target: Option<&Schema>,
    ) -> Result<PlanFrame> {
        Ok(PlanFrame::new(plan, self.runner.clone(), target)?
            .with_metadata(self.metadata.clone())
            .with_sources(self.sources.clone())
            .homed(self.home.clone(), self.keep.clone()))
    }

    /// The physical plan, and the guard of its run on the plan's home (if any).
    fn start(&self) -> Result<Started> {
        let plan = (*self.plan).clone();
        let physical = self.run(plan.create_physical_plan())?;
        let guard = self.home.as_ref().map(|home| home.start(&physical));
        Ok((physical, guard))
    }

    /// This frame with checks of its plan's sources added (see [`SourceCheck`]).
    pub(crate) fn with_sources(mut self, sources: impl IntoIterator<Item = SourceCheck>) -> Self {
        self.sources.extend(sources);
        self
    }

    /// The error of a failed run: the first source found bad names itself (a run fails on a
    /// corrupt file without naming it); else the run's own error.
    fn diagnosed(sources: &[SourceCheck], error: FugueError) -> FugueError {
        if let Some(found) = sources.iter().find_map(|source| (source.check)()) {
            return found;
        }
        if sources.is_empty() {
            return error;
        }
        // Every check passed (DataFusion reads more of a file than the checks: page indexes,
        // statistics): name what the plan read.
        let mut names: Vec<String> = sources
            .iter()
            .take(NAMED_SOURCES)
            .map(|s| format!("`{}`", s.name))
            .collect();
        if sources.len() > NAMED_SOURCES {
            names.push(format!("... ({} more)", sources.len() - NAMED_SOURCES));
        }
        error.context(format!("the plan failed reading {}", names.join(", ")))
    }

    /// Run a future of this plan; a failure (an error or a panic) is [`PlanFrame::diagnosed`].
    fn run<T, F>(&self, future: F) -> Result<T>
    where
        F: Future<Output = std::result::Result<T, datafusion::error::DataFusionError>> + Send,
        T: Send,
    {
        match self.runner.block_on(async move { Ok(future.await) }) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(Self::failed(&self.sources, error)),
            Err(error) => Err(Self::diagnosed(&self.sources, error)),
        }
    }

    /// The error of a failed run: a step's failure as it is, any other diagnosed.
    fn failed(sources: &[SourceCheck], error: datafusion::error::DataFusionError) -> FugueError {
        match crate::engine::step_failure(error) {
            Ok(failure) => failure,
            Err(error) => Self::diagnosed(sources, plan_error(error)),
        }
    }

    /// The schema (known without running the plan).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The frame with its metadata replaced.
    pub fn with_metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// The DataFusion logical plan, as the steps built it (for engines that add nodes of
    /// their own over it).
    pub fn logical_plan(&self) -> &datafusion::logical_expr::LogicalPlan {
        self.plan.logical_plan()
    }

    /// The DataFusion plan (for engines that extend it).
    pub(crate) fn plan(&self) -> &datafusion::dataframe::DataFrame {
        &self.plan
    }

    /// This frame with the schema `target` (same columns, possibly other types or names).
    pub(crate) fn conform(self, target: &Schema) -> Result<Self> {
        self.rebuilt((*self.plan).clone(), Some(target))
    }

    /// A batch of the plan as a batch of this frame's schema.
    fn conform_batch(&self, batch: RecordBatch) -> Result<RecordBatch> {
        ops::conform_batch(batch, &self.schema, &self.arrow_schema, "the plan's output")
    }

    /// Run the plan and keep every row, in partition order.
    pub fn collect(self) -> Result<ArrowFrame> {
        let (physical, mut guard) = self.start()?;
        let task = Arc::new(self.plan.task_ctx());
        let partitions = self.run(datafusion::physical_plan::collect_partitioned(
            physical, task,
        ))?;
        if let Some(guard) = guard.as_mut() {
            guard.finished();
        }
        let batches = partitions
            .into_iter()
            .flatten()
            .filter(|b| b.num_rows() > 0)
            .map(|b| self.conform_batch(b))
            .collect::<Result<Vec<_>>>()?;
        Ok(ArrowFrame::from_parts(self.schema, batches, self.metadata))
    }

    /// The first `n` rows in the order [`PlanFrame::collect`] gives them, reading the plan's
    /// partitions only as far as they are needed.
    pub fn head(&self, n: usize) -> Result<ArrowFrame> {
        StreamFrame::take(&mut self.clone().into_stream()?, n)
    }

    /// The number of rows (runs a count over the plan).
    pub fn count(&self) -> Result<usize> {
        self.run((*self.plan).clone().count())
    }

    /// The frame as a single-pass stream: every partition of the plan runs at once, each
    /// ahead of the reader by at most two batches, and the reader takes the partitions in
    /// order.
    pub fn into_stream(self) -> Result<StreamFrame> {
        let (physical, mut guard) = self.start()?;
        let task = Arc::new(self.plan.task_ctx());
        let streams = self.run(async move {
            datafusion::physical_plan::execute_stream_partitioned(physical, task)
        })?;
        let receivers = crate::engine::pump(streams, self.runner.handle());
        let sources = self.sources.clone();
        let runner = self.runner.clone();
        // Alive until the stream is read to its end or dropped.
        let keep = self.keep.clone();
        let mut receivers = receivers.into_iter();
        let mut current = receivers.next();
        let batches = std::iter::from_fn(move || {
            let _ = &keep;
            loop {
                let Some(rx) = current.as_mut() else {
                    // Read to its end (or stopped at an error): the job has ended.
                    if let Some(guard) = guard.as_mut() {
                        guard.finished();
                    }
                    return None;
                };
                match runner.block_on(async { Ok(rx.recv().await) }) {
                    Ok(Some(Ok(batch))) => return Some(Ok(batch)),
                    Ok(Some(Err(e))) => {
                        // Nothing more is read after an error.
                        current = None;
                        return Some(Err(Self::failed(&sources, e)));
                    }
                    Ok(None) => current = receivers.next(),
                    Err(e) => return Some(Err(e)),
                }
            }
        });
        Ok(StreamFrame::try_from_batches(self.schema, batches)?
            .with_metadata(self.metadata)
            .into_one_frame())
    }

    /// The listed columns, in the listed order (appended to the plan).
    pub fn select(self, columns: &[&str]) -> Result<PlanFrame> {
        let (schema, indices) = ops::select_schema(&self.schema, columns)?;
        self.project(schema, &indices)
    }

    /// Every column but the listed ones (appended to the plan).
    pub fn drop(self, columns: &[&str]) -> Result<PlanFrame> {
        let (schema, indices) = ops::drop_schema(&self.schema, columns)?;
        self.project(schema, &indices)
    }

    /// The frame with columns renamed by `(old, new)` pairs (appended to the plan).
    pub fn rename(self, pairs: &[(&str, &str)]) -> Result<PlanFrame> {
        let schema = ops::rename_schema(&self.schema, pairs)?;
        let indices: Vec<usize> = (0..schema.len()).collect();
        self.project(schema, &indices)
    }

    /// The frame with `map` (the operation `name`: one of our batch-by-batch functions, the
    /// one eager and streamed frames apply) applied to every batch as the plan is read, giving
    /// frames of `schema` with batches of `output` (default: the plan's own); appended to the
    /// plan as a node, so the steps after it extend the plan. A plan of this process only.
    pub(crate) fn mapped(
        self,
        name: &'static str,
        schema: &Schema,
        output: Option<SchemaRef>,
        map: crate::engine::MapFn,
    ) -> Result<PlanFrame> {
        let output = output.unwrap_or_else(|| Arc::new(self.plan.schema().as_arrow().clone()));
        let (state, input) = (*self.plan).clone().into_parts();
        let node = crate::engine::MapNode::new(name, input, map, output)?;
        let plan = datafusion::dataframe::DataFrame::new(
            state,
            datafusion::logical_expr::LogicalPlan::Extension(datafusion::logical_expr::Extension {
                node: Arc::new(node),
            }),
        );
        self.rebuilt(plan, Some(schema))
    }

    /// The frame with the listed columns cast, with the casts of eager frames (a value that
    /// cannot be cast fails the read of its batch); appended to the plan. A plan of this
    /// process only.
    pub(crate) fn alter_columns(self, changes: &Schema) -> Result<PlanFrame> {
        let schema = ops::alter_schema(&self.schema, changes)?;
        let target = ops::arrow_schema_of(&schema);
        let cast_to = target.clone();
        self.mapped(
            "alter_columns",
            &schema,
            Some(target),
            Arc::new(move |batch| ops::alter_batch(batch, &cast_to)),
        )
    }

    /// The rows `dropna` keeps (the rule of its Arrow kernel: at least `thresh` non-NULL values
    /// among the columns at `indices`, else all of them (`Any`) or one (`All`); NaN is a
    /// value), as a filter of the plan.
    pub(crate) fn dropna(
        self,
        indices: &[usize],
        how: crate::engine::DropHow,
        thresh: Option<usize>,
    ) -> Result<PlanFrame> {
        use datafusion::logical_expr::utils::{conjunction, disjunction};
        use datafusion::logical_expr::{lit, when};
        let df_schema = self.plan.schema().clone();
        let present: Vec<Expr> = indices
            .iter()
            .map(|&i| Expr::Column(DfColumn::from(df_schema.qualified_field(i))).is_not_null())
            .collect();
        let predicate = match (thresh, how) {
            (Some(t), _) => {
                let mut count = lit(0_i64);
                for p in present {
                    let one = when(p, lit(1_i64))
                        .otherwise(lit(0_i64))
                        .map_err(plan_error)?;
                    count = count + one;
                }
                count.gt_eq(lit(i64::try_from(t).unwrap_or(i64::MAX)))
            }
            (None, crate::engine::DropHow::Any) => conjunction(present).unwrap_or(lit(true)),
            (None, crate::engine::DropHow::All) => disjunction(present).unwrap_or(lit(false)),
        };
        let plan = (*self.plan).clone().filter(predicate).map_err(plan_error)?;
        let schema = self.schema.clone();
        self.rebuilt(plan, Some(&schema))
    }

    /// `fillna` as a projection of the plan: each column of `fills` (its index, its fill value
    /// as a one-row array of its type) with its NULLs replaced (never NaN: a value).
    pub(crate) fn fillna(self, fills: &[(usize, arrow::array::ArrayRef)]) -> Result<PlanFrame> {
        use datafusion::common::ScalarValue;
        use datafusion::logical_expr::{lit, when};
        let df_schema = self.plan.schema().clone();
        let mut items = Vec::with_capacity(self.schema.len());
        for (i, column) in self.schema.columns().iter().enumerate() {
            let value = Expr::Column(DfColumn::from(df_schema.qualified_field(i)));
            let item = match fills.iter().find(|(f, _)| *f == i) {
                Some((_, fill)) => {
                    let fill = ScalarValue::try_from_array(fill.as_ref(), 0).map_err(plan_error)?;
                    when(value.clone().is_null(), lit(fill))
                        .otherwise(value)
                        .map_err(plan_error)?
                }
                None => value,
            };
            items.push(item.alias(column.name()));
        }
        let plan = (*self.plan).clone().select(items).map_err(plan_error)?;
        let schema = self.schema.clone();
        self.rebuilt(plan, Some(&schema))
    }

    /// The columns at `indices` under the names and types of `schema`.
    fn project(self, schema: Schema, indices: &[usize]) -> Result<PlanFrame> {
        let df_schema = self.plan.schema().clone();
        let items = indices
            .iter()
            .zip(schema.columns())
            .map(|(&i, column)| {
                Expr::Column(DfColumn::from(df_schema.qualified_field(i))).alias(column.name())
            })
            .collect::<Vec<_>>();
        let plan = (*self.plan).clone().select(items).map_err(plan_error)?;
        self.rebuilt(plan, Some(&schema))
    }

    /// The plan's text: the logical plan as the steps built it; with `physical`, the logical
    /// plan as DataFusion's optimizer rewrote it (views inlined, projections and filters
    /// pushed into the scans) and the physical plan (what runs).
    pub fn explain(&self, physical: bool) -> Result<String> {
        if !physical {
            return Ok(self.plan.logical_plan().display_indent().to_string());
        }
        let logical = (*self.plan)
            .clone()
            .into_optimized_plan()
            .map_err(plan_error)?
            .display_indent()
            .to_string();
        let plan = (*self.plan).clone();
        let physical = self.run(plan.create_physical_plan())?;
        let physical_plan = datafusion::physical_plan::displayable(physical.as_ref())
            .indent(true)
            .to_string();
        Ok(format!("{logical}\n{physical_plan}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use datafusion::prelude::SessionContext;

    fn frame_plan(runner: &Arc<Runner>) -> PlanFrame {
        let ctx = SessionContext::new();
        let sql = "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) AS t(x, y)";
        let df = runner
            .block_on(async move { ctx.sql(sql).await.map_err(plan_error) })
            .unwrap();
        PlanFrame::new(df, runner.clone(), None).unwrap()
    }

    #[test]
    fn types_are_normalised() {
        assert_eq!(normalize_type(&DataType::Utf8View), DataType::Utf8);
        let large = DataType::LargeList(Arc::new(Field::new("item", DataType::LargeUtf8, true)));
        assert_eq!(
            normalize_type(&large),
            DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
        );
        let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        assert_eq!(normalize_type(&dict), DataType::Utf8);
    }

    #[test]
    fn a_plan_reads_as_arrow_stream_head_and_count() {
        let runner = Arc::new(Runner::new(Some(2)).unwrap());
        let plan = frame_plan(&runner);
        assert_eq!(plan.schema().to_string(), "x:long,y:str");
        assert_eq!(plan.count().unwrap(), 3);
        assert_eq!(plan.head(1).unwrap().count(), 1);
        let rows = plan.clone().collect().unwrap().to_rows().unwrap();
        assert_eq!(rows[2], vec![Value::Int64(3), Value::Null]);
        let mut stream = plan.clone().into_stream().unwrap();
        assert_eq!(stream.to_arrow_frame().unwrap().to_rows().unwrap(), rows);
        let renamed = plan
            .rename(&[("y", "name")])
            .unwrap()
            .select(&["name"])
            .unwrap();
        assert_eq!(renamed.schema().to_string(), "name:str");
        assert_eq!(renamed.collect().unwrap().count(), 3);
    }

    #[test]
    fn a_plan_can_be_read_inside_another_runtime_and_outlive_it() {
        let runner = Arc::new(Runner::new(None).unwrap());
        let plan = frame_plan(&runner);
        drop(runner);
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let count = outer.block_on(async { plan.count() }).unwrap();
        assert_eq!(count, 3);
        // Dropping the last handle to the runner inside a runtime does not panic.
        outer.block_on(async move { drop(plan) });
    }

    #[test]
    fn a_target_schema_is_produced_by_the_plan() {
        let runner = Arc::new(Runner::new(None).unwrap());
        let plan = frame_plan(&runner);
        let target: Schema = "x:int,y:str".parse().unwrap();
        let conformed = plan.conform(&target).unwrap();
        assert_eq!(
            conformed.plan().schema().field(0).data_type(),
            &DataType::Int32
        );
        assert_eq!(conformed.collect().unwrap().schema(), &target);
    }
}
