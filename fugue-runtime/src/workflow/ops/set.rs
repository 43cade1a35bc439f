//! `union`, `subtract` and `intersect`: set operations of frames with the same schema.

use super::{Op, Operation, PlanContext, RunContext, two};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::options::SetOp;
use fugue_core::rules::eval;
use fugue_core::{Result, Schema};

/// A set operation, distinct or with multiset (`ALL`) semantics.
#[derive(Clone)]
pub(crate) struct SetOperation {
    op: SetOp,
    distinct: bool,
}

impl Operation for SetOperation {
    fn name(&self) -> &'static str {
        self.op.name()
    }

    fn args(&self) -> String {
        format!("distinct={}", self.distinct)
    }

    fn key_args(&self) -> String {
        format!("op={:?}; distinct={}", self.op, self.distinct)
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        cx.expect_inputs(self.name(), 2)?;
        Ok(match (cx.inputs[0], cx.inputs[1]) {
            (Some(l), Some(r)) => {
                eval::same_schema(self.op.name(), (cx.name(0), l), (cx.name(1), r), cx.step)?;
                Some(l.clone())
            }
            _ => None,
        })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let (a, b) = two(inputs, self.name())?;
        let e = cx.engine;
        Ok(Some(match self.op {
            SetOp::Union => e.union(a, b, self.distinct)?,
            SetOp::Subtract => e.subtract(a, b, self.distinct)?,
            SetOp::Intersect => e.intersect(a, b, self.distinct)?,
        }))
    }
}

impl Workflow {
    /// Union of frames with identical schemas, folding left.
    #[track_caller]
    pub fn union<'w>(&'w self, inputs: &[WorkflowFrame<'w>], distinct: bool) -> WorkflowFrame<'w> {
        self.set_op(inputs, SetOp::Union, distinct, SourceLocation::caller())
    }

    /// Rows of the first frame not in the others, folding left.
    #[track_caller]
    pub fn subtract<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        distinct: bool,
    ) -> WorkflowFrame<'w> {
        self.set_op(inputs, SetOp::Subtract, distinct, SourceLocation::caller())
    }

    /// Rows in every frame, folding left.
    #[track_caller]
    pub fn intersect<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        distinct: bool,
    ) -> WorkflowFrame<'w> {
        self.set_op(inputs, SetOp::Intersect, distinct, SourceLocation::caller())
    }

    fn set_op<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        op: SetOp,
        distinct: bool,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        self.fold(inputs, op.name(), source, |a, b| {
            self.add_checked(
                Op::new(SetOperation { op, distinct }),
                &[a, b],
                None,
                source,
            )
        })
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Union with `other` (same schema); `distinct` removes duplicates.
    #[track_caller]
    pub fn union(&self, other: WorkflowFrame<'w>, distinct: bool) -> WorkflowFrame<'w> {
        self.set_op(other, SetOp::Union, distinct)
    }

    /// Rows not in `other`.
    #[track_caller]
    pub fn subtract(&self, other: WorkflowFrame<'w>, distinct: bool) -> WorkflowFrame<'w> {
        self.set_op(other, SetOp::Subtract, distinct)
    }

    /// Rows also in `other`.
    #[track_caller]
    pub fn intersect(&self, other: WorkflowFrame<'w>, distinct: bool) -> WorkflowFrame<'w> {
        self.set_op(other, SetOp::Intersect, distinct)
    }

    #[track_caller]
    fn set_op(&self, other: WorkflowFrame<'w>, op: SetOp, distinct: bool) -> WorkflowFrame<'w> {
        self.then_with(
            Op::new(SetOperation { op, distinct }),
            &[other],
            SourceLocation::caller(),
        )
    }
}
