//! `cotransform` and `out_cotransform`: frames zipped by key, and a co-transformer called once
//! per key group with one input per frame.

use super::transform::{FunctionCall, known};
use super::{Choice, FunctionInfo, Modifier, Op, Operation, PlanContext, RunContext};
use crate::frame::DataFrame;
use crate::function::PartitionFunction;
use crate::like::IntoPartitionSpec;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::options::ZipHow;
use fugue_core::rules::eval;
use fugue_core::{FugueError, PartitionSpec, Result, Schema};
use std::sync::Arc;

/// Zip the inputs by key and call the function once per key group.
#[derive(Clone)]
pub(crate) struct CoTransform {
    call: FunctionCall,
    how: ZipHow,
    out: bool,
}

impl Operation for CoTransform {
    fn name(&self) -> &'static str {
        if self.out {
            "out_cotransform"
        } else {
            "cotransform"
        }
    }

    fn has_output(&self) -> bool {
        !self.out
    }

    fn function(&self) -> Option<FunctionInfo<'_>> {
        Some(self.call.info())
    }

    fn args(&self) -> String {
        self.call.text(&format!(", how={}", self.how))
    }

    fn key_args(&self) -> String {
        format!(
            "how={:?}; out={}{}",
            self.how.name(),
            self.out,
            self.call.ignore_text("; ")
        )
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        if cx.inputs.len() < 2 {
            return Err(FugueError::invalid_argument(
                "zip",
                format!("zips at least two frames, got {}", cx.inputs.len()),
            ));
        }
        let Some(schemas) = cx.all_known() else {
            return Ok(None);
        };
        self.call.check_typed_inputs(&schemas, cx)?;
        let keys: Vec<&str> = cx.spec.keys().iter().map(String::as_str).collect();
        let named: Vec<(&str, &Schema)> = (0..schemas.len())
            .map(|i| (cx.name(i), &schemas[i]))
            .collect();
        eval::check_zip_keys(&keys, &named, cx.step)?;
        let schema = self.call.plan(&schemas, cx)?;
        Ok(if self.out { None } else { known(schema) })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let df = self.call.run(cx, |function| {
            cx.engine
                .comap(
                    inputs,
                    self.how,
                    cx.spec_or_empty(),
                    function,
                    self.call.params.clone(),
                    self.call.callback.clone(),
                )
                .and_then(|df| super::transform::driven(df, self.out))
        })?;
        Ok((!self.out).then_some(df))
    }

    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        let name = self.name();
        self.call.modify(name, modifier)
    }
}

/// Frames zipped by key, waiting for the co-transformer that consumes them.
#[derive(Clone)]
pub struct ZippedFrames<'w> {
    wf: &'w Workflow,
    inputs: Vec<WorkflowFrame<'w>>,
    how: Result<ZipHow, Arc<FugueError>>,
    partition: Option<Result<PartitionSpec, crate::workflow::step::DeclError>>,
}

impl<'w> ZippedFrames<'w> {
    /// The zip keys (and presort) as a partition spec.
    pub fn partition(mut self, spec: impl IntoPartitionSpec) -> Self {
        self.partition = Some(
            spec.into_partition_spec()
                .map_err(crate::workflow::step::DeclError::Error),
        );
        self
    }

    /// Call `function` once per key group with one input per zipped frame.
    #[track_caller]
    pub fn transform<F: PartitionFunction + 'static>(self, function: F) -> WorkflowFrame<'w> {
        self.co(Arc::new(function), false, SourceLocation::caller())
    }

    /// Like [`transform`](Self::transform), output discarded.
    #[track_caller]
    pub fn out_transform<F: PartitionFunction + 'static>(self, function: F) -> WorkflowFrame<'w> {
        self.co(Arc::new(function), true, SourceLocation::caller())
    }

    fn co(
        self,
        function: Arc<dyn PartitionFunction>,
        out: bool,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        let (how, error) = match self.how {
            Ok(how) => (how, None),
            Err(e) => (ZipHow::default(), Some(e)),
        };
        let frame = self.wf.add_checked(
            Op::new(CoTransform {
                call: FunctionCall::new(function),
                how,
                out,
            }),
            &self.inputs,
            self.partition,
            source,
        );
        if let Some(e) = error {
            self.wf.note(frame.id, e.as_ref());
        }
        frame
    }
}

impl Workflow {
    /// Zip frames by key for a co-transformation (`how`: a [`ZipHow`] or its name, `inner`,
    /// `left_outer`, `right_outer`, `full_outer`, `cross`); the keys are those of the spec
    /// given with [`ZippedFrames::partition`], or the first frame's `partition(...)`.
    #[track_caller]
    pub fn zip<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        how: impl Choice<ZipHow>,
    ) -> ZippedFrames<'w> {
        let partition = inputs.first().and_then(|f| f.partition_arg());
        ZippedFrames {
            wf: self,
            inputs: inputs.to_vec(),
            how: how.choice().map_err(Arc::new),
            partition,
        }
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Zip with other frames for a co-transformation (see [`Workflow::zip`]).
    #[track_caller]
    pub fn zip(&self, others: &[WorkflowFrame<'w>], how: impl Choice<ZipHow>) -> ZippedFrames<'w> {
        let mut inputs = vec![*self];
        inputs.extend_from_slice(others);
        ZippedFrames {
            wf: self.wf,
            inputs,
            how: how.choice().map_err(Arc::new),
            partition: self.partition_arg(),
        }
    }
}
