//! `output`: a whole-frame function over one or more frames with no output, on the driver.

use super::{FunctionInfo, Modifier, Op, Operation, PlanContext, RunContext};
use super::{modify_params, params_text, whole_frame_info};
use crate::frame::DataFrame;
use crate::function::Params;
use crate::workflow::functions::OutputFn;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::{Result, Schema};
use std::sync::Arc;

/// A whole-frame function with no output.
#[derive(Clone)]
pub(crate) struct Output {
    outputter: Arc<dyn OutputFn>,
    params: Arc<Params>,
}

impl Output {
    fn boxed(outputter: impl OutputFn + 'static) -> Op {
        Op::new(Output {
            outputter: Arc::new(outputter),
            params: Arc::new(Params::new()),
        })
    }
}

impl Operation for Output {
    fn name(&self) -> &'static str {
        "output"
    }

    fn has_output(&self) -> bool {
        false
    }

    fn function(&self) -> Option<FunctionInfo<'_>> {
        Some(whole_frame_info(
            self.outputter.name(),
            self.outputter.code_identity(),
            &self.params,
        ))
    }

    fn args(&self) -> String {
        format!("`{}`{}", self.outputter.name(), params_text(&self.params))
    }

    fn key_args(&self) -> String {
        String::new()
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(None)
    }

    fn run(&self, _: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        self.outputter.output(inputs, &self.params)?;
        Ok(None)
    }

    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        let op = self.name();
        modify_params(&mut self.params, op, modifier)
    }
}

impl Workflow {
    /// An outputter over several frames.
    #[track_caller]
    pub fn output(&self, inputs: &[WorkflowFrame<'_>], outputter: impl OutputFn + 'static) {
        let partition = inputs.first().and_then(|f| f.partition_arg());
        self.add_checked(
            Output::boxed(outputter),
            inputs,
            partition,
            SourceLocation::caller(),
        );
    }
}

impl<'w> WorkflowFrame<'w> {
    /// An outputter over this frame.
    #[track_caller]
    pub fn output(&self, outputter: impl OutputFn + 'static) -> WorkflowFrame<'w> {
        self.then(Output::boxed(outputter), SourceLocation::caller())
    }
}
