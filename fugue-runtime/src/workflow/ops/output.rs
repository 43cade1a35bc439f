//! `output`: a whole-frame function over one or more frames with no output, on the driver.

use super::{FunctionInfo, Modifier, Op, Operation, PlanContext, RunContext};
use super::{add_named, frames_of, modify_params, names_text, params_text, whole_frame_info};
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
    /// The inputs' names (`output_named`), else positional.
    names: Option<Arc<[String]>>,
}

impl Output {
    fn boxed(outputter: impl OutputFn + 'static, names: Option<Vec<String>>) -> Op {
        Op::new(Output {
            outputter: Arc::new(outputter),
            params: Arc::new(Params::new()),
            names: names.map(Arc::from),
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
        format!(
            "`{}`{}{}",
            self.outputter.name(),
            params_text(&self.params),
            names_text(self.names.as_deref())
        )
    }

    fn key_args(&self) -> String {
        names_text(self.names.as_deref())
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(None)
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let inputs = frames_of(self.names.as_deref(), inputs)?;
        self.outputter.output(cx.engine, inputs, &self.params)?;
        Ok(None)
    }

    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        let op = self.name();
        modify_params(&mut self.params, op, modifier)
    }
}

impl Workflow {
    /// An outputter over several frames. The handle it returns has no data (an outputter
    /// gives no frame); it takes the step's modifiers (`params`).
    #[track_caller]
    pub fn output<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'_>],
        outputter: impl OutputFn + 'static,
    ) -> WorkflowFrame<'w> {
        let partition = inputs.first().and_then(|f| f.partition_arg());
        self.add_checked(
            Output::boxed(outputter, None),
            inputs,
            partition,
            SourceLocation::caller(),
        )
    }

    /// An outputter over named frames: it receives them as
    /// [`DataFrames`](crate::frame::DataFrames) under these names (which must differ). The
    /// handle it returns takes the step's modifiers (`params`), as [`Workflow::output`]'s.
    #[track_caller]
    pub fn output_named<'w>(
        &'w self,
        inputs: &[(&str, WorkflowFrame<'_>)],
        outputter: impl OutputFn + 'static,
    ) -> WorkflowFrame<'w> {
        add_named(
            self,
            inputs,
            |names| Output::boxed(outputter, Some(names)),
            SourceLocation::caller(),
        )
    }
}

impl<'w> WorkflowFrame<'w> {
    /// An outputter over this frame.
    #[track_caller]
    pub fn output(&self, outputter: impl OutputFn + 'static) -> WorkflowFrame<'w> {
        self.then(Output::boxed(outputter, None), SourceLocation::caller())
    }
}
