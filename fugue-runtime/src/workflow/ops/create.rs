//! `create`: data given in memory, or made by a creator function.

use super::{FunctionInfo, KeySource, Modifier, Op, Operation, PlanContext, RunContext};
use super::{modify_params, params_text, whole_frame_info};
use crate::frame::{ArrowFrame, DataFrame};
use crate::function::Params;
use crate::like::IntoDataFrame;
use crate::workflow::functions::CreateFn;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::{Result, Schema};
use std::sync::Arc;

/// Data given in memory (materialised when the step is declared).
#[derive(Clone)]
pub(crate) struct Create {
    frame: ArrowFrame,
}

impl Operation for Create {
    fn name(&self) -> &'static str {
        "create"
    }

    fn args(&self) -> String {
        format!(
            "schema={}, rows={}",
            self.frame.schema(),
            self.frame.count()
        )
    }

    fn key_args(&self) -> String {
        String::new()
    }

    fn key_source(&self) -> KeySource<'_> {
        KeySource::Data(&self.frame)
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(Some(self.frame.schema().clone()))
    }

    fn run(&self, _: &RunContext<'_>, _: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(DataFrame::from(self.frame.clone())))
    }
}

/// A creator function.
#[derive(Clone)]
pub(crate) struct CreateWith {
    creator: Arc<dyn CreateFn>,
    params: Arc<Params>,
}

impl Operation for CreateWith {
    fn name(&self) -> &'static str {
        "create"
    }

    fn function(&self) -> Option<FunctionInfo<'_>> {
        Some(whole_frame_info(
            self.creator.name(),
            self.creator.code_identity(),
            &self.params,
        ))
    }

    fn args(&self) -> String {
        format!("`{}`{}", self.creator.name(), params_text(&self.params))
    }

    fn key_args(&self) -> String {
        String::new()
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        Ok(self.creator.output_schema(&self.params))
    }

    fn run(&self, cx: &RunContext<'_>, _: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(self.creator.create(cx.engine, &self.params)?))
    }

    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        let op = self.name();
        modify_params(&mut self.params, op, modifier)
    }
}

impl Workflow {
    /// A step whose output is this data (any [`IntoDataFrame`]); the data is materialised now
    /// (a stream is read), and its content hash is part of deterministic checkpoint keys.
    #[track_caller]
    pub fn create(&self, data: impl IntoDataFrame) -> WorkflowFrame<'_> {
        let source = SourceLocation::caller();
        match data.into_dataframe().and_then(|df| df.to_arrow_frame()) {
            Ok(frame) => self.add(Op::new(Create { frame }), vec![], None, source),
            Err(e) => {
                let frame = self.add(Op::new(super::Invalid("create")), vec![], None, source);
                // The error keeps its kind (a NULL in a record's field is a `Conversion`).
                self.note(
                    frame.id,
                    e.context("the data of `create` is not a dataframe"),
                );
                frame
            }
        }
    }

    /// A step whose output a creator function makes.
    #[track_caller]
    pub fn create_with(&self, creator: impl CreateFn + 'static) -> WorkflowFrame<'_> {
        self.add(
            Op::new(CreateWith {
                creator: Arc::new(creator),
                params: Arc::new(Params::new()),
            }),
            vec![],
            None,
            SourceLocation::caller(),
        )
    }
}
