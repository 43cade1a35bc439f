//! `process`: a whole-frame function over one or more frames, on the driver.

use super::{FunctionInfo, Modifier, Op, Operation, PlanContext, RunContext};
use super::{add_named, frames_of, modify_params, names_text, params_text, whole_frame_info};
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
    /// The inputs' names (`process_named`), else positional.
    names: Option<Arc<[String]>>,
}

impl Process {
    fn boxed(processor: impl ProcessFn + 'static, names: Option<Vec<String>>) -> Op {
        Op::new(Process {
            processor: Arc::new(processor),
            params: Arc::new(Params::new()),
            names: names.map(Arc::from),
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
        format!(
            "`{}`{}{}",
            self.processor.name(),
            params_text(&self.params),
            names_text(self.names.as_deref())
        )
    }

    fn key_args(&self) -> String {
        names_text(self.names.as_deref())
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(match cx.all_known() {
            Some(schemas) => self.processor.output_schema(&schemas, &self.params),
            None => None,
        })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let inputs = frames_of(self.names.as_deref(), inputs)?;
        Ok(Some(self.processor.process(
            cx.engine,
            inputs,
            &self.params,
        )?))
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
            Process::boxed(processor, None),
            inputs,
            partition,
            SourceLocation::caller(),
        )
    }

    /// A processor over named frames: it receives them as
    /// [`DataFrames`](crate::frame::DataFrames) under these names (which must differ), for
    /// example to run SQL over them by name ([`DataFrames::sql`](crate::frame::DataFrames::sql)).
    #[track_caller]
    pub fn process_named(
        &self,
        inputs: &[(&str, WorkflowFrame<'_>)],
        processor: impl ProcessFn + 'static,
    ) -> WorkflowFrame<'_> {
        add_named(
            self,
            inputs,
            |names| Process::boxed(processor, Some(names)),
            SourceLocation::caller(),
        )
    }
}

impl<'w> WorkflowFrame<'w> {
    /// A processor over this frame (whole frames, not partitions).
    #[track_caller]
    pub fn process(&self, processor: impl ProcessFn + 'static) -> WorkflowFrame<'w> {
        self.then(Process::boxed(processor, None), SourceLocation::caller())
    }
}
