//! The one generic plan node of a transformer step: [`FugueStepNode`] (logical: the
//! [`StepNode`] the local engine plans too, carrying the step's wire payload),
//! [`FugueStepExec`] (physical) and [`FugueQueryPlanner`], which plans the first into the
//! second on the scheduler.
//!
//! The physical plan of a step with partition keys is a hash shuffle of every input on the
//! keys into `partitions` partitions (Ballista turns it into a shuffle stage), then the step:
//! each task reads one partition of every input and runs the function with the reference
//! `run_map` / `run_comap` of `fugue-runtime`, so a key group is called exactly as on the
//! engines of one machine (presort, NULL keys, empty groups). A step without keys (or a
//! `cross` zip) reads its inputs as one partition, as the engines of one machine do.

use crate::exactly_once;
use crate::remote::to_df;
use crate::wire::{CallbackAddress, StepPayload, decode_params};
use async_trait::async_trait;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::DataFusionError;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::execution::context::QueryPlanner;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{LogicalPlan, UserDefinedLogicalNode};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    Partitioning, PlanProperties,
};
use datafusion::physical_planner::{DefaultPhysicalPlanner, ExtensionPlanner, PhysicalPlanner};
use fugue_core::{FugueError, PartitionAlgo, PartitionSpec, Schema};
use fugue_runtime::engine::{StepBody, StepNode, describe_step};
use fugue_runtime::executor::run_comap_on_partition;
use fugue_runtime::frame::{ArrowFrame, DataFrame};
use fugue_runtime::function::{Callback, run_map_on_partition};
use fugue_runtime::registry;
use futures::{StreamExt, TryStreamExt};
use std::fmt;
use std::sync::Arc;

/// A transformer or co-transformer step over its input plans: the logical node the local
/// engine plans too ([`StepNode`]), carrying the step's wire payload.
pub type FugueStepNode = StepNode<StepPayload>;

impl StepBody for StepPayload {
    fn function(&self) -> &str {
        &self.function
    }

    fn spec(&self) -> Result<PartitionSpec, FugueError> {
        StepPayload::spec(self)
    }

    fn zip(&self) -> Option<String> {
        self.zip.clone()
    }

    fn output_schema(&self) -> Result<Schema, FugueError> {
        StepPayload::output_schema(self)
    }

    /// The output and the task columns of the exactly-once check.
    fn plan_schema(&self) -> Result<datafusion::arrow::datatypes::Schema, FugueError> {
        Ok(exactly_once::with_task_columns(
            &StepPayload::output_schema(self)?.to_arrow(),
        ))
    }
}

/// The step's physical node: one task per partition runs the function on that partition.
#[derive(Debug)]
pub struct FugueStepExec {
    inputs: Vec<Arc<dyn ExecutionPlan>>,
    payload: StepPayload,
    keys: Vec<String>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl FugueStepExec {
    /// The step over these (already partitioned) inputs.
    pub fn try_new(
        inputs: Vec<Arc<dyn ExecutionPlan>>,
        payload: StepPayload,
    ) -> datafusion::common::Result<Self> {
        let spec = payload.spec().map_err(to_df)?;
        let schema = Arc::new(exactly_once::with_task_columns(
            &payload.output_schema().map_err(to_df)?.to_arrow(),
        ));
        let partitions = inputs
            .first()
            .map_or(1, |i| i.output_partitioning().partition_count());
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Final,
            Boundedness::Bounded,
        );
        Ok(FugueStepExec {
            inputs,
            keys: spec.keys().to_vec(),
            payload,
            schema,
            properties: Arc::new(properties),
        })
    }

    /// What the node carries.
    pub fn payload(&self) -> &StepPayload {
        &self.payload
    }

    fn is_keyed(&self) -> bool {
        is_keyed(&self.payload, &self.keys)
    }
}

/// Whether a step is shuffled by its keys (otherwise it reads its inputs as one partition).
fn is_keyed(payload: &StepPayload, keys: &[String]) -> bool {
    !keys.is_empty() && payload.zip.as_deref() != Some("cross")
}

impl DisplayAs for FugueStepExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        describe_step(&self.payload, f)
    }
}

fn key_exprs(
    keys: &[String],
    schema: &SchemaRef,
) -> datafusion::common::Result<Vec<Arc<dyn PhysicalExpr>>> {
    keys.iter()
        .map(|k| datafusion::physical_expr::expressions::col(k, schema))
        .collect()
}

impl ExecutionPlan for FugueStepExec {
    fn name(&self) -> &str {
        "FugueStepExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn required_input_distribution(&self) -> Vec<Distribution> {
        self.inputs
            .iter()
            .map(|input| {
                if self.is_keyed() {
                    match key_exprs(&self.keys, &input.schema()) {
                        Ok(exprs) => Distribution::KeyPartitioned(exprs),
                        Err(_) => Distribution::SinglePartition,
                    }
                } else {
                    Distribution::SinglePartition
                }
            })
            .collect()
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
        Ok(Arc::new(FugueStepExec::try_new(
            children,
            self.payload.clone(),
        )?))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> datafusion::common::Result<SendableRecordBatchStream> {
        let streams = self
            .inputs
            .iter()
            .map(|input| input.execute(partition, context.clone()))
            .collect::<datafusion::common::Result<Vec<_>>>()?;
        let payload = self.payload.clone();
        let keyed = self.is_keyed();
        let schema = self.schema.clone();
        let run = async move {
            let mut inputs = Vec::with_capacity(streams.len());
            for stream in streams {
                let schema = stream.schema();
                let batches: Vec<RecordBatch> = stream.try_collect().await?;
                inputs.push((schema, batches));
            }
            let numbered = payload.row_index.is_some();
            let task = exactly_once::task_of(&inputs, numbered);
            let consumed = exactly_once::Consumed::of_task(&inputs, numbered);
            let batches =
                tokio::task::spawn_blocking(move || run_step(&payload, keyed, partition, inputs))
                    .await
                    .map_err(|e| DataFusionError::External(Box::new(e)))?
                    .map_err(to_df)?;
            let run = exactly_once::new_run();
            let batches =
                exactly_once::tag(batches, task, run, consumed, &schema).map_err(to_df)?;
            Ok::<_, DataFusionError>(futures::stream::iter(batches.into_iter().map(Ok)))
        };
        let stream = futures::stream::once(run).try_flatten().boxed();
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            stream,
        )))
    }
}

/// The spec a task applies to its partition: a coarse step calls the function once per
/// physical partition.
fn task_spec(spec: &PartitionSpec) -> fugue_core::Result<PartitionSpec> {
    if spec.algo() == PartitionAlgo::Coarse && !spec.keys().is_empty() {
        PartitionSpec::builder()
            .by(spec.keys().iter().cloned())
            .presort_keys(spec.presort().iter().cloned())
            .num(1)
            .algo("coarse")
            .build()
    } else {
        Ok(spec.clone())
    }
}

/// Run the step's function on one partition of its inputs (on an executor).
fn run_step(
    payload: &StepPayload,
    keyed: bool,
    partition: usize,
    inputs: Vec<(SchemaRef, Vec<RecordBatch>)>,
) -> fugue_core::Result<Vec<RecordBatch>> {
    let function = registry::lookup(&payload.function)?;
    let spec = payload.spec()?;
    let spec = if keyed { task_spec(&spec)? } else { spec };
    let params = Arc::new(decode_params(&payload.params)?);
    let callback = payload.callback.clone().map(|address: CallbackAddress| {
        Callback::new(crate::callback::CallbackClient::new(address))
    });
    let frames = inputs
        .into_iter()
        .map(|(schema, batches)| {
            let (schema, batches) = match &payload.row_index {
                Some(_) => in_input_order(&schema, &batches)?,
                None => (schema, batches),
            };
            let schema = Schema::from_arrow(&schema)?;
            Ok(DataFrame::from(ArrowFrame::new(schema, batches)?))
        })
        .collect::<fugue_core::Result<Vec<_>>>()?;
    let span = tracing::debug_span!("fugue_step", function = %payload.function, partition);
    let _enter = span.enter();
    let out = match payload.zip_how()? {
        None => {
            let frame = frames
                .into_iter()
                .next()
                .ok_or_else(|| FugueError::Internal("a transformer step has no input".into()))?;
            run_map_on_partition(partition, frame, function, &spec, params, callback, 1)?
        }
        Some(how) => {
            run_comap_on_partition(partition, frames, function, &spec, how, params, callback)?
        }
    };
    out.into_batches()
}

/// A shuffled partition back in input order: sorted by its last column (the driver's row
/// numbers), which is then dropped; a row delivered twice is kept once.
fn in_input_order(
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> fugue_core::Result<(SchemaRef, Vec<RecordBatch>)> {
    let failed = |e: datafusion::arrow::error::ArrowError| {
        FugueError::external(
            "cannot restore the input order of a partition",
            e.to_string(),
        )
    };
    let last =
        schema.fields().len().checked_sub(1).ok_or_else(|| {
            FugueError::Internal("a shuffled input has no row number column".into())
        })?;
    let kept: Vec<usize> = (0..last).collect();
    let projected = Arc::new(schema.project(&kept).map_err(failed)?);
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if rows == 0 {
        return Ok((projected, Vec::new()));
    }
    let batch = datafusion::arrow::compute::concat_batches(schema, batches).map_err(failed)?;
    let order = datafusion::arrow::compute::sort_to_indices(batch.column(last), None, None)
        .map_err(failed)?;
    let sorted = datafusion::arrow::compute::take_record_batch(&batch, &order).map_err(failed)?;
    // A row the shuffle delivered twice (a retried map task) is kept once.
    let sorted = match exactly_once::drop_repeated_rows(sorted.column(last)) {
        Some(keep) => {
            tracing::warn!(
                "a shuffled partition held {} repeated rows (a retried task); kept one copy",
                keep.len() - keep.true_count()
            );
            datafusion::arrow::compute::filter_record_batch(&sorted, &keep).map_err(failed)?
        }
        None => sorted,
    };
    let sorted = sorted.project(&kept).map_err(failed)?;
    Ok((projected, vec![sorted]))
}

/// Plans [`FugueStepNode`] into [`FugueStepExec`] over shuffled inputs.
#[derive(Debug, Default)]
pub struct FugueExtensionPlanner;

#[async_trait]
impl ExtensionPlanner for FugueExtensionPlanner {
    async fn plan_extension(
        &self,
        _planner: &dyn PhysicalPlanner,
        node: &dyn UserDefinedLogicalNode,
        _logical_inputs: &[&LogicalPlan],
        physical_inputs: &[Arc<dyn ExecutionPlan>],
        _session: &dyn Session,
        _planning_ctx: &datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext,
    ) -> datafusion::common::Result<Option<Arc<dyn ExecutionPlan>>> {
        let Some(step) = node.as_any().downcast_ref::<FugueStepNode>() else {
            return Ok(None);
        };
        let payload = step.body().clone();
        let spec = payload.spec().map_err(to_df)?;
        let keyed = is_keyed(&payload, spec.keys());
        let partitions = payload.partitions.max(1);
        let inputs = physical_inputs
            .iter()
            .map(
                |input| -> datafusion::common::Result<Arc<dyn ExecutionPlan>> {
                    if keyed {
                        let exprs = key_exprs(spec.keys(), &input.schema())?;
                        Ok(Arc::new(RepartitionExec::try_new(
                            input.clone(),
                            Partitioning::Hash(exprs, partitions),
                        )?))
                    } else if input.output_partitioning().partition_count() > 1 {
                        Ok(Arc::new(CoalescePartitionsExec::new(input.clone())))
                    } else {
                        Ok(input.clone())
                    }
                },
            )
            .collect::<datafusion::common::Result<Vec<_>>>()?;
        Ok(Some(Arc::new(FugueStepExec::try_new(inputs, payload)?)))
    }
}

/// DataFusion's physical planner with [`FugueExtensionPlanner`]: the query planner of the
/// scheduler (and of the standalone mode).
#[derive(Debug, Default)]
pub struct FugueQueryPlanner;

#[async_trait]
impl QueryPlanner for FugueQueryPlanner {
    async fn create_physical_plan(
        &self,
        logical_plan: &LogicalPlan,
        session: &dyn Session,
    ) -> datafusion::common::Result<Arc<dyn ExecutionPlan>> {
        DefaultPhysicalPlanner::with_extension_planners(vec![Arc::new(FugueExtensionPlanner)])
            .create_physical_plan(logical_plan, session)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{WireSpec, encode_params, encode_schema};
    use datafusion::arrow::array::Int64Array;
    use datafusion::arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
    use fugue_runtime::function::Params;

    fn payload(function: &str) -> StepPayload {
        StepPayload {
            function: function.to_string(),
            spec: WireSpec::from(&PartitionSpec::by(["k"]).unwrap()),
            zip: None,
            params: encode_params(&Params::new()).unwrap(),
            output: encode_schema(&Schema::parse("k:long").unwrap()).unwrap(),
            callback: None,
            partitions: 2,
            row_index: Some("__row".to_string()),
        }
    }

    #[test]
    fn an_executor_without_the_function_says_so() {
        let e = run_step(&payload("no::such::function"), true, 0, Vec::new()).unwrap_err();
        assert!(
            e.to_string()
                .contains("no transformer `no::such::function` is registered in this binary"),
            "{e}"
        );
    }

    #[test]
    fn shuffled_rows_go_back_to_input_order() {
        let schema = Arc::new(ArrowSchema::new(vec![
            Field::new("k", DataType::Int64, false),
            Field::new("__row", DataType::UInt64, false),
        ]));
        let batch = |k: Vec<i64>, rows: Vec<u64>| {
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(Int64Array::from(k)),
                    Arc::new(datafusion::arrow::array::UInt64Array::from(rows)),
                ],
            )
            .unwrap()
        };
        let (projected, batches) = in_input_order(
            &schema,
            &[batch(vec![30, 10], vec![3, 1]), batch(vec![20], vec![2])],
        )
        .unwrap();
        assert_eq!(projected.fields().len(), 1);
        let k = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        assert_eq!(k.values(), &[10, 20, 30]);
        let (_, none) = in_input_order(&schema, &[]).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn coarse_tasks_call_once_per_partition() {
        let spec = PartitionSpec::parse("by=k; presort=v desc; num=4; algo=coarse").unwrap();
        let task = task_spec(&spec).unwrap();
        assert_eq!(task.keys(), ["k"]);
        assert_eq!(task.num().to_string(), "1");
        let hash = PartitionSpec::parse("by=k; num=4").unwrap();
        assert_eq!(task_spec(&hash).unwrap(), hash);
    }
}
