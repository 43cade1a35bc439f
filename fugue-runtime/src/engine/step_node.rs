//! A transformer or co-transformer step as a node of a DataFusion plan.
//!
//! [`StepNode`] is the one logical definition of a step inside a plan. The local and the
//! distributed engines share it and differ only in what the node carries (its [`StepBody`])
//! and how it is planned:
//!
//! * **`local`** ([`LocalStep`], planned by this module's query planner into
//!   `LocalStepExec`): the node reads each input plan as one stream, every partition
//!   running at once and read in partition order (the order the eager step reads a plan in),
//!   and hands it to the crossbeam executor
//!   ([`parallel_map_into`](crate::executor::parallel_map_into) /
//!   [`parallel_comap_into`](crate::executor::parallel_comap_into)). The executor routes by key
//!   itself: no DataFusion repartition sits in front of it. It runs on a thread of its own that
//!   owns its inputs and sends its output batches to the plan over a bounded channel. When
//!   the plan stops reading (a `head`, a failure elsewhere, a cancelled step), the channel
//!   closes and the run stops at its next output.
//! * **Ballista** (`fugue-cluster`): the body is the step's wire payload, and the scheduler
//!   plans a hash shuffle of the inputs and one task per partition.
//!
//! The user's function is called per key group exactly as by the eager step (same presort,
//! NULL keys, cursors and checks): the node runs the executor's own code on the same stream.
//! A failure of the function reaches the plan's reader as the executor reported it, with its
//! kind (a [`StepFailure`] inside DataFusion's error); a failure of an input (a corrupt
//! file) reaches it as DataFusion's own error, so that the reader names the file.

use crate::executor::{ExecutorOptions, ZipHow, parallel_comap_into, parallel_map_into};
use crate::frame::{DataFrame, StreamFrame};
use crate::function::{Params, PartitionFunction};
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DFSchema, DFSchemaRef, DataFusionError};
use datafusion::execution::context::QueryPlanner;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{
    Expr, LogicalPlan, UserDefinedLogicalNode, UserDefinedLogicalNodeCore,
};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    Partitioning, PlanProperties,
};
use datafusion::physical_planner::{DefaultPhysicalPlanner, ExtensionPlanner, PhysicalPlanner};
use fugue_core::{FugueError, PartitionSpec, Result, Schema};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

/// What a step's plan node carries: enough to explain it and to know its output without
/// running it. The local engine's body holds the function itself; a distributed engine's, what
/// its tasks need to find it.
pub trait StepBody:
    fmt::Debug + Clone + PartialEq + Eq + Hash + PartialOrd + Send + Sync + 'static
{
    /// The function's name.
    fn function(&self) -> &str;
    /// The step's partition spec.
    fn spec(&self) -> Result<PartitionSpec>;
    /// How zipped inputs are matched (a co-transformer), by [`ZipHow::name`].
    fn zip(&self) -> Option<String>;
    /// The function's output schema.
    fn output_schema(&self) -> Result<Schema>;
    /// The node's output as the plan sees it: the output schema, plus any columns of the
    /// engine's own (the distributed engine's task columns).
    fn plan_schema(&self) -> Result<arrow::datatypes::Schema> {
        Ok(self.output_schema()?.to_arrow())
    }
}

/// A transformer or co-transformer step over its input plans: the logical node both engines
/// plan (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepNode<B> {
    inputs: Vec<LogicalPlan>,
    body: B,
    schema: DFSchemaRef,
}

impl<B: StepBody> StepNode<B> {
    /// The step over these inputs.
    pub fn try_new(inputs: Vec<LogicalPlan>, body: B) -> Result<Self> {
        let schema = DFSchema::try_from(body.plan_schema()?)
            .map_err(|e| FugueError::external("cannot plan a transformer step", e.to_string()))?;
        Ok(StepNode {
            inputs,
            body,
            schema: Arc::new(schema),
        })
    }

    /// What the node carries.
    pub fn body(&self) -> &B {
        &self.body
    }
}

impl<B: StepBody> PartialOrd for StepNode<B> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match self.body.partial_cmp(&other.body) {
            Some(Ordering::Equal) if self != other => None,
            order => order,
        }
    }
}

impl<B: StepBody> UserDefinedLogicalNodeCore for StepNode<B> {
    fn name(&self) -> &str {
        "FugueStep"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        self.inputs.iter().collect()
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<Expr> {
        Vec::new()
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        describe_step(&self.body, f)
    }

    fn with_exprs_and_inputs(
        &self,
        _exprs: Vec<Expr>,
        inputs: Vec<LogicalPlan>,
    ) -> datafusion::common::Result<Self> {
        Ok(StepNode {
            inputs,
            ..self.clone()
        })
    }
}

/// `FugueStep: function=f, partition=[..], zip=.., output=[..]`: how a step's node (logical
/// or physical, on every engine) shows in a plan.
pub fn describe_step(body: &impl StepBody, f: &mut fmt::Formatter) -> fmt::Result {
    write!(f, "FugueStep: function={}", body.function())?;
    match body.spec() {
        Ok(spec) if spec.is_empty() => {}
        Ok(spec) => write!(f, ", partition=[{spec}]")?,
        Err(e) => write!(f, ", partition=<{e}>")?,
    }
    if let Some(zip) = body.zip() {
        write!(f, ", zip={zip}")?;
    }
    match body.output_schema() {
        Ok(output) => write!(f, ", output=[{output}]"),
        Err(e) => write!(f, ", output=<{e}>"),
    }
}

/// A failure of a step's function inside a plan: the plan's reader gets it back as it is
/// (its kind, message and sources), instead of as a failure of DataFusion's. DataFusion may
/// share one error between several readers (a repartition's outputs): the first to take it
/// gets the error itself, any other its message.
#[derive(Debug)]
pub struct StepFailure {
    message: String,
    error: Mutex<Option<FugueError>>,
}

impl StepFailure {
    /// The failure `error`.
    pub fn new(error: FugueError) -> Self {
        StepFailure {
            message: error.to_string(),
            error: Mutex::new(Some(error)),
        }
    }

    /// The error (once; then a copy of its message).
    pub fn take(&self) -> FugueError {
        self.error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_else(|| {
                FugueError::external("a transformer step failed", self.message.clone())
            })
    }
}

impl fmt::Display for StepFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StepFailure {}

/// The step failure inside `error`, if it is one (through DataFusion's and Arrow's
/// wrappers); `error` itself otherwise.
pub(crate) fn step_failure(
    error: DataFusionError,
) -> std::result::Result<FugueError, DataFusionError> {
    match find_failure(&error) {
        Some(failure) => Ok(failure.take()),
        None => Err(error),
    }
}

fn find_failure(error: &DataFusionError) -> Option<&StepFailure> {
    fn external<'e>(
        e: &'e (dyn std::error::Error + Send + Sync + 'static),
    ) -> Option<&'e StepFailure> {
        if let Some(failure) = e.downcast_ref::<StepFailure>() {
            return Some(failure);
        }
        e.downcast_ref::<DataFusionError>().and_then(find_failure)
    }
    match error {
        DataFusionError::External(e) => external(e.as_ref()),
        DataFusionError::Context(_, inner) => find_failure(inner),
        DataFusionError::Shared(inner) => find_failure(inner),
        DataFusionError::ArrowError(arrow, _) => match arrow.as_ref() {
            arrow::error::ArrowError::ExternalError(e) => external(e.as_ref()),
            _ => None,
        },
        _ => None,
    }
}

/// The error of a step's function as DataFusion carries it.
fn failed(error: FugueError) -> DataFusionError {
    DataFusionError::External(Box::new(StepFailure::new(error)))
}

/// A receiver of one partition's batches, pumped by a task of the runtime.
pub(crate) type Pumped = tokio::sync::mpsc::Receiver<datafusion::common::Result<RecordBatch>>;

/// Each stream driven by a task on `handle`, at most two batches ahead of its reader; a panic
/// inside a stream is an error, never the end of its partition.
pub(crate) fn pump(
    streams: Vec<SendableRecordBatchStream>,
    handle: &tokio::runtime::Handle,
) -> Vec<Pumped> {
    let mut receivers = Vec::with_capacity(streams.len());
    for mut stream in streams {
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        let on_panic = tx.clone();
        drop(handle.spawn(async move {
            use futures::{FutureExt, StreamExt};
            let pump = async move {
                while let Some(batch) = stream.next().await {
                    let failed = batch.is_err();
                    if tx.send(batch).await.is_err() || failed {
                        break;
                    }
                }
            };
            if let Err(panic) = std::panic::AssertUnwindSafe(pump).catch_unwind().await {
                let error = FugueError::external(
                    "DataFusion failed while running a query",
                    crate::frame::panic_text(panic.as_ref()),
                );
                let _ = on_panic
                    .send(Err(DataFusionError::External(Box::new(error))))
                    .await;
            }
        }));
        receivers.push(rx);
    }
    receivers
}

/// The local engine's step: the function itself and how the executor runs it.
#[derive(Clone)]
pub struct LocalStep {
    /// Tells steps apart (two steps never share a node).
    id: u64,
    function: Arc<dyn PartitionFunction>,
    spec: PartitionSpec,
    zip: Option<ZipHow>,
    params: Arc<Params>,
    inputs: Vec<Schema>,
    output: Schema,
    options: ExecutorOptions,
}

impl LocalStep {
    /// The step of `function` over inputs of `inputs` schemas, checked as the executor checks
    /// it before any data moves (the function's checks, keys and presort columns, the zip).
    pub(crate) fn new(
        function: Arc<dyn PartitionFunction>,
        spec: &PartitionSpec,
        zip: Option<ZipHow>,
        params: Arc<Params>,
        inputs: Vec<Schema>,
        options: ExecutorOptions,
    ) -> Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        function.check(spec, &inputs, &params, false)?;
        let output = function.output_schema(&inputs)?;
        match zip {
            None => {
                let input = inputs.first().ok_or_else(|| {
                    FugueError::Internal("a transformer step has no input".into())
                })?;
                spec.sorts(input, true)?;
                crate::function::Cursors::new(input, spec.keys())?;
            }
            Some(how) => {
                crate::executor::zip_keys(&inputs, spec, how)?;
            }
        }
        spec.num_partitions(0, options.worker_count() as u64)?;
        Ok(LocalStep {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            function,
            spec: spec.clone(),
            zip,
            params,
            inputs,
            output,
            options,
        })
    }

    /// Run the step over its input frames, handing every output batch to `sink`.
    fn run(
        &self,
        mut frames: Vec<DataFrame>,
        sink: &mut dyn FnMut(RecordBatch) -> Result<()>,
    ) -> Result<Schema> {
        let function = self.function.clone();
        match self.zip {
            None => {
                let frame = frames.pop().ok_or_else(|| {
                    FugueError::Internal("a transformer step has no input".into())
                })?;
                parallel_map_into(
                    frame,
                    function,
                    &self.spec,
                    self.params.clone(),
                    None,
                    &self.options,
                    sink,
                )
            }
            Some(how) => parallel_comap_into(
                frames,
                function,
                &self.spec,
                how,
                self.params.clone(),
                None,
                &self.options,
                sink,
            ),
        }
    }
}

impl fmt::Debug for LocalStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalStep")
            .field("id", &self.id)
            .field("function", &self.function.name())
            .field("spec", &self.spec.to_string())
            .finish_non_exhaustive()
    }
}

impl PartialEq for LocalStep {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for LocalStep {}

impl Hash for LocalStep {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl PartialOrd for LocalStep {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.id.cmp(&other.id))
    }
}

impl StepBody for LocalStep {
    fn function(&self) -> &str {
        self.function.name()
    }

    fn spec(&self) -> Result<PartitionSpec> {
        Ok(self.spec.clone())
    }

    fn zip(&self) -> Option<String> {
        self.zip.map(|how| how.name().to_string())
    }

    fn output_schema(&self) -> Result<Schema> {
        Ok(self.output.clone())
    }
}

/// The physical node of a [`LocalStep`]: one partition, the executor's output.
#[derive(Debug)]
struct LocalStepExec {
    inputs: Vec<Arc<dyn ExecutionPlan>>,
    step: LocalStep,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl LocalStepExec {
    fn new(inputs: Vec<Arc<dyn ExecutionPlan>>, step: LocalStep) -> Self {
        let schema = Arc::new(step.output.to_arrow());
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        LocalStepExec {
            inputs,
            step,
            schema,
            properties: Arc::new(properties),
        }
    }
}

impl DisplayAs for LocalStepExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        describe_step(&self.step, f)
    }
}

impl ExecutionPlan for LocalStepExec {
    fn name(&self) -> &str {
        "LocalStepExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        // Read as they are, partition by partition: the executor routes by key itself.
        vec![Distribution::UnspecifiedDistribution; self.inputs.len()]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![false; self.inputs.len()]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false; self.inputs.len()]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        self.inputs.iter().collect()
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> datafusion::common::Result<TreeNodeRecursion>,
    ) -> datafusion::common::Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> datafusion::common::Result<Arc<dyn ExecutionPlan>> {
        Ok(Arc::new(LocalStepExec::new(children, self.step.clone())))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> datafusion::common::Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "a transformer step has one output partition, not {}",
                partition + 1
            )));
        }
        let handle = tokio::runtime::Handle::try_current().map_err(|e| {
            DataFusionError::Internal(format!("a transformer step runs inside a runtime: {e}"))
        })?;
        // The first failure of an input, as DataFusion reported it.
        let input_failure: Arc<Mutex<Option<DataFusionError>>> = Arc::default();
        let mut frames = Vec::with_capacity(self.inputs.len());
        for (input, schema) in self.inputs.iter().zip(&self.step.inputs) {
            let streams = (0..input.output_partitioning().partition_count())
                .map(|p| input.execute(p, context.clone()))
                .collect::<datafusion::common::Result<Vec<_>>>()?;
            frames.push(
                input_frame(schema, pump(streams, &handle), input_failure.clone())
                    .map_err(failed)?,
            );
        }
        let (tx, rx) = tokio::sync::mpsc::channel::<datafusion::common::Result<RecordBatch>>(2);
        let step = self.step.clone();
        let reader = Reader {
            rx,
            gone: Arc::default(),
        };
        let gone = reader.gone.clone();
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        std::thread::Builder::new()
            .name("fugue-step".to_string())
            .spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    let mut sink = |batch: RecordBatch| {
                        tx.blocking_send(Ok(batch))
                            .map_err(|_| FugueError::Cancelled {
                                reason: "the plan reading the step's output stopped".to_string(),
                            })
                    };
                    // The run stops at once (threads detached, inputs dropped) when the plan
                    // stops reading, not only at its next output.
                    let control = crate::control::Control::new(gone, Arc::default(), None);
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        crate::control::under(control, || step.run(frames, &mut sink))
                    }));
                    let error = match outcome {
                        Ok(Ok(_)) => return,
                        Ok(Err(e)) => e,
                        Err(panic) => FugueError::external(
                            format!("transformer step `{}` panicked", step.function.name()),
                            crate::frame::panic_text(panic.as_ref()),
                        ),
                    };
                    let taken = input_failure
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .take();
                    let _ = tx.blocking_send(Err(taken.unwrap_or_else(|| failed(error))));
                });
            })
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let mut reader = reader;
        let stream = futures::stream::poll_fn(move |cx| reader.rx.poll_recv(cx));
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            stream,
        )))
    }
}

/// The plan's end of a step's output channel: dropping it (the plan stopped reading) raises
/// the flag the step's run is cancelled by.
struct Reader {
    rx: tokio::sync::mpsc::Receiver<datafusion::common::Result<RecordBatch>>,
    gone: Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.gone.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// One input of a step: the partitions of its plan, read in order, as one frame's stream.
/// An input's failure is kept (for the plan's reader) and the executor sees a copy.
fn input_frame(
    schema: &Schema,
    receivers: Vec<Pumped>,
    failure: Arc<Mutex<Option<DataFusionError>>>,
) -> Result<DataFrame> {
    let mut receivers = receivers.into_iter();
    let mut current = receivers.next();
    let batches = std::iter::from_fn(move || {
        loop {
            let rx = current.as_mut()?;
            match rx.blocking_recv() {
                Some(Ok(batch)) => return Some(Ok(batch)),
                Some(Err(e)) => {
                    current = None;
                    let message = e.to_string();
                    let mut slot = failure.lock().unwrap_or_else(|p| p.into_inner());
                    slot.get_or_insert(e);
                    return Some(Err(FugueError::external(
                        "the input of a transformer step failed",
                        message,
                    )));
                }
                None => current = receivers.next(),
            }
        }
    });
    Ok(DataFrame::Stream(
        StreamFrame::try_from_batches(schema.clone(), batches)?.into_one_frame(),
    ))
}

/// Plans [`StepNode`]s of [`LocalStep`]s into their physical node.
#[derive(Debug, Default)]
struct LocalStepPlanner;

#[async_trait]
impl ExtensionPlanner for LocalStepPlanner {
    async fn plan_extension(
        &self,
        _planner: &dyn PhysicalPlanner,
        node: &dyn UserDefinedLogicalNode,
        _logical_inputs: &[&LogicalPlan],
        physical_inputs: &[Arc<dyn ExecutionPlan>],
        _session: &dyn datafusion::catalog::Session,
        _planning_ctx: &datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext,
    ) -> datafusion::common::Result<Option<Arc<dyn ExecutionPlan>>> {
        if let Some(map) = node.as_any().downcast_ref::<MapNode>() {
            let input = physical_inputs
                .first()
                .ok_or_else(|| DataFusionError::Internal(format!("`{}` has no input", map.name)))?;
            return Ok(Some(Arc::new(MapExec::new(input.clone(), map.clone()))));
        }
        let Some(step) = node.as_any().downcast_ref::<StepNode<LocalStep>>() else {
            return Ok(None);
        };
        Ok(Some(Arc::new(LocalStepExec::new(
            physical_inputs.to_vec(),
            step.body().clone(),
        ))))
    }
}

/// DataFusion's physical planner with the local step's planner: every local context's.
#[derive(Debug, Default)]
pub(crate) struct LocalQueryPlanner;

#[async_trait]
impl QueryPlanner for LocalQueryPlanner {
    async fn create_physical_plan(
        &self,
        logical_plan: &LogicalPlan,
        session: &dyn datafusion::catalog::Session,
    ) -> datafusion::common::Result<Arc<dyn ExecutionPlan>> {
        DefaultPhysicalPlanner::with_extension_planners(vec![Arc::new(LocalStepPlanner)])
            .create_physical_plan(logical_plan, session)
            .await
    }
}

/// The logical plan of a step over input plans.
pub(crate) fn step_plan(inputs: Vec<LogicalPlan>, step: LocalStep) -> Result<LogicalPlan> {
    Ok(LogicalPlan::Extension(
        datafusion::logical_expr::Extension {
            node: Arc::new(StepNode::try_new(inputs, step)?),
        },
    ))
}

/// A batch-by-batch operation of ours (`dropna`, `fillna`, `alter_columns`) on a plan: the
/// same function the eager and streamed frames apply, so the three cannot differ.
pub(crate) type MapFn = Arc<dyn Fn(&RecordBatch) -> Result<RecordBatch> + Send + Sync>;

/// A batch-by-batch operation of ours as a node of a local plan: each partition's batches
/// mapped as they are read, partitions and order kept. It keeps `dropna`, `fillna` and
/// `alter_columns` inside the plan, so the steps after them extend it (a scan, `dropna`, an
/// aggregate stay one query in bounded memory).
#[derive(Clone)]
pub(crate) struct MapNode {
    id: u64,
    name: &'static str,
    input: LogicalPlan,
    map: MapFn,
    output: SchemaRef,
    schema: DFSchemaRef,
}

impl MapNode {
    /// `map` (the operation `name`) over `input`, producing batches of `output`.
    pub(crate) fn new(
        name: &'static str,
        input: LogicalPlan,
        map: MapFn,
        output: SchemaRef,
    ) -> Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let schema = DFSchema::try_from(output.as_ref().clone())
            .map_err(|e| FugueError::external(format!("cannot plan `{name}`"), e.to_string()))?;
        Ok(MapNode {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            name,
            input,
            map,
            output,
            schema: Arc::new(schema),
        })
    }
}

impl fmt::Debug for MapNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapNode")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl PartialEq for MapNode {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.input == other.input
    }
}

impl Eq for MapNode {}

impl Hash for MapNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl PartialOrd for MapNode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match self.id.cmp(&other.id) {
            Ordering::Equal if self != other => None,
            order => Some(order),
        }
    }
}

impl UserDefinedLogicalNodeCore for MapNode {
    fn name(&self) -> &str {
        "FugueMap"
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input]
    }

    fn schema(&self) -> &DFSchemaRef {
        &self.schema
    }

    fn expressions(&self) -> Vec<Expr> {
        Vec::new()
    }

    fn fmt_for_explain(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "FugueMap: {}", self.name)
    }

    fn with_exprs_and_inputs(
        &self,
        _exprs: Vec<Expr>,
        mut inputs: Vec<LogicalPlan>,
    ) -> datafusion::common::Result<Self> {
        let input = inputs
            .pop()
            .ok_or_else(|| DataFusionError::Internal(format!("`{}` takes one input", self.name)))?;
        Ok(MapNode {
            input,
            ..self.clone()
        })
    }
}

/// The physical node of a [`MapNode`]: its input's partitions, each mapped batch by batch.
#[derive(Debug)]
struct MapExec {
    input: Arc<dyn ExecutionPlan>,
    node: MapNode,
    properties: Arc<PlanProperties>,
}

impl MapExec {
    fn new(input: Arc<dyn ExecutionPlan>, node: MapNode) -> Self {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(node.output.clone()),
            Partitioning::UnknownPartitioning(input.output_partitioning().partition_count()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        MapExec {
            input,
            node,
            properties: Arc::new(properties),
        }
    }
}

impl DisplayAs for MapExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "FugueMap: {}", self.node.name)
    }
}

impl ExecutionPlan for MapExec {
    fn name(&self) -> &str {
        "MapExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        vec![Distribution::UnspecifiedDistribution]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> datafusion::common::Result<TreeNodeRecursion>,
    ) -> datafusion::common::Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> datafusion::common::Result<Arc<dyn ExecutionPlan>> {
        let input = children.pop().ok_or_else(|| {
            DataFusionError::Internal(format!("`{}` takes one input", self.node.name))
        })?;
        Ok(Arc::new(MapExec::new(input, self.node.clone())))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> datafusion::common::Result<SendableRecordBatchStream> {
        use futures::StreamExt;
        let map = self.node.map.clone();
        let stream = self
            .input
            .execute(partition, context)?
            .map(move |batch| batch.and_then(|b| map(&b).map_err(failed)));
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.node.output.clone(),
            stream,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fugue_core::ErrorKind;

    fn failure() -> DataFusionError {
        failed(FugueError::invalid_argument("fare", "refused"))
    }

    #[test]
    fn a_step_failure_comes_back_whole_through_datafusions_wrappers() {
        let wrapped = [
            failure(),
            DataFusionError::Context("while aggregating".into(), Box::new(failure())),
            DataFusionError::ArrowError(
                Box::new(arrow::error::ArrowError::ExternalError(Box::new(failure()))),
                None,
            ),
            DataFusionError::Shared(Arc::new(failure())),
        ];
        for error in wrapped {
            let text = error.to_string();
            let back = step_failure(error).expect("a step failure");
            assert_eq!(back.kind(), ErrorKind::InvalidArgument, "{text}");
            assert!(back.to_string().contains("refused"), "{back}");
        }
        // Shared by two readers: the first gets the error, the other its message.
        let shared = Arc::new(failure());
        let first = step_failure(DataFusionError::Shared(shared.clone())).expect("first");
        let second = step_failure(DataFusionError::Shared(shared)).expect("second");
        assert_eq!(first.kind(), ErrorKind::InvalidArgument);
        assert_eq!(second.kind(), ErrorKind::External);
        assert!(second.to_string().contains("refused"), "{second}");
        // Any other error is DataFusion's.
        let other = step_failure(DataFusionError::Plan("no such column".into())).unwrap_err();
        assert!(matches!(other, DataFusionError::Plan(_)));
    }
}
