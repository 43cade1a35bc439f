//! `process`: a whole-frame function over one or more frames, on the driver.

use super::{FunctionInfo, Modifier, Op, Operation, PlanContext, RunContext};
use super::{modify_params, params_text, whole_frame_info};
use crate::frame::DataFrame;
use crate::function::Params;
use crate::workflow::functions::ProcessFn;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::{Result, Schema};
use std::sync::Arc;

/// A whole-frame function.
#[derive(Clone)]
pub(crate) struct Process {
    processor: Arc<dyn ProcessFn>,
    params: Arc<Params>,
}

impl Process {
    fn boxed(processor: impl ProcessFn + 'static) -> Op {
        Op::new(Process {
            processor: Arc::new(processor),
            params: Arc::new(Params::new()),
        })
    }
}

impl Operation for Process {
    fn name(&self) -> &'static str {
        "process"
    }

    fn function(&self) -> Option<FunctionInfo<'_>> {
        Some(whole_frame_info(
            self.processor.name(),
            self.processor.code_identity(),
            &self.params,
        ))
    }

    fn args(&self) -> String {
        format!("`{}`{}", self.processor.name(), params_text(&self.params))
    }

    fn key_args(&self) -> String {
        String::new()
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(match cx.all_known() {
            Some(schemas) => self.processor.output_schema(&schemas, &self.params),
            None => None,
        })
    }

    fn run(&self, _: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(self.processor.process(inputs, &self.params)?))
    }

    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        let op = self.name();
        modify_params(&mut self.params, op, modifier)
    }
}

impl Workflow {
    /// A processor over several frames.
    #[track_caller]
    pub fn process(
        &self,
        inputs: &[WorkflowFrame<'_>],
        processor: impl ProcessFn + 'static,
    ) -> WorkflowFrame<'_> {
        let partition = inputs.first().and_then(|f| f.partition_arg());
        self.add_checked(
            Process::boxed(processor),
            inputs,
            partition,
            SourceLocation::caller(),
        )
    }
}

impl<'w> WorkflowFrame<'w> {
    /// A processor over this frame (whole frames, not partitions).
    #[track_caller]
    pub fn process(&self, processor: impl ProcessFn + 'static) -> WorkflowFrame<'w> {
        self.then(Process::boxed(processor), SourceLocation::caller())
    }
}
