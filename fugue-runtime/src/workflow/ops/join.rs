//! `join`: two frames joined on keys (Fugue's join types and aliases).

use super::{Choice, Op, Operation, PlanContext, RunContext, chosen, owned, strs, two};
use crate::engine::{JoinHow, join_plan_named};
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::{Result, Schema};

/// Join two frames.
#[derive(Clone)]
pub(crate) struct Join {
    how: JoinHow,
    /// The keys; empty = the common columns.
    on: Vec<String>,
}

impl Operation for Join {
    fn name(&self) -> &'static str {
        "join"
    }

    fn args(&self) -> String {
        format!("how={}, on={}", self.how, self.on.join(","))
    }

    fn key_args(&self) -> String {
        format!("how={:?}; on={:?}", self.how.name(), self.on)
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        cx.expect_inputs(self.name(), 2)?;
        Ok(match (cx.inputs[0], cx.inputs[1]) {
            (Some(l), Some(r)) => Some(
                join_plan_named(
                    (cx.name(0), l),
                    (cx.name(1), r),
                    self.how,
                    &strs(&self.on),
                    cx.step,
                )?
                .output,
            ),
            _ => None,
        })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let (a, b) = two(inputs, self.name())?;
        Ok(Some(cx.engine.join(a, b, self.how, &strs(&self.on))?))
    }
}

impl Workflow {
    /// Join frames, folding left (`how` as [`WorkflowFrame::join`]).
    #[track_caller]
    pub fn join<'w>(
        &'w self,
        inputs: &[WorkflowFrame<'w>],
        how: impl Choice<JoinHow>,
        on: &[&str],
    ) -> WorkflowFrame<'w> {
        let source = SourceLocation::caller();
        let (how, error) = chosen(how, JoinHow::Inner);
        let on = owned(on);
        let frame = self.fold(inputs, "join", source, |a, b| {
            self.add_checked(
                Op::new(Join {
                    how,
                    on: on.clone(),
                }),
                &[a, b],
                None,
                source,
            )
        });
        if let Some(e) = error {
            self.note(frame.id, &e);
        }
        frame
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Join with `other` (`how`: a [`JoinHow`] or its name, `inner`, `left_outer`,
    /// `right_outer`, `full_outer`, `semi`, `anti`, `cross`, with Fugue's aliases `left_semi`
    /// and `left_anti`, any case); `on` empty = the common columns.
    #[track_caller]
    pub fn join(
        &self,
        other: WorkflowFrame<'w>,
        how: impl Choice<JoinHow>,
        on: &[&str],
    ) -> WorkflowFrame<'w> {
        let (how, error) = chosen(how, JoinHow::Inner);
        let frame = self.join_kind(other, how, on, SourceLocation::caller());
        if let Some(e) = error {
            self.wf.note(frame.id, &e);
        }
        frame
    }

    /// Inner join.
    #[track_caller]
    pub fn inner_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, JoinHow::Inner, on, SourceLocation::caller())
    }

    /// Left outer join.
    #[track_caller]
    pub fn left_outer_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, JoinHow::LeftOuter, on, SourceLocation::caller())
    }

    /// Right outer join.
    #[track_caller]
    pub fn right_outer_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, JoinHow::RightOuter, on, SourceLocation::caller())
    }

    /// Full outer join.
    #[track_caller]
    pub fn full_outer_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, JoinHow::FullOuter, on, SourceLocation::caller())
    }

    /// Left semi join.
    #[track_caller]
    pub fn semi_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, JoinHow::Semi, on, SourceLocation::caller())
    }

    /// Left anti join.
    #[track_caller]
    pub fn anti_join(&self, other: WorkflowFrame<'w>, on: &[&str]) -> WorkflowFrame<'w> {
        self.join_kind(other, JoinHow::Anti, on, SourceLocation::caller())
    }

    /// Cross join.
    #[track_caller]
    pub fn cross_join(&self, other: WorkflowFrame<'w>) -> WorkflowFrame<'w> {
        self.join_kind(other, JoinHow::Cross, &[], SourceLocation::caller())
    }

    fn join_kind(
        &self,
        other: WorkflowFrame<'w>,
        how: JoinHow,
        on: &[&str],
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        self.then_with(Op::new(Join { how, on: owned(on) }), &[other], source)
    }
}
