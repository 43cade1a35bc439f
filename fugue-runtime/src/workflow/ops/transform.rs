//! `transform` and `out_transform`: a partition function once per logical partition (the map
//! primitive), with or without output.

use super::{FunctionInfo, Modifier, Op, Operation, PlanContext, RunContext};
use super::{one, params_text, partition_function_info};
use crate::Value;
use crate::frame::DataFrame;
use crate::function::{
    BatchStream, Callback, Params, PartitionContext, PartitionFunction, PartitionState,
    PhysicalPartition,
};
use crate::ignore::{IgnoreErrors, run_skipping};
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::rules::{self, Step, eval};
use fugue_core::{FugueError, PartitionSpec, Result, Schema};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What a partition function step runs: the function, its parameters, its callback handler.
#[derive(Clone)]
pub struct FunctionCall {
    /// The function.
    pub function: Arc<dyn PartitionFunction>,
    /// Its parameters.
    pub params: Arc<Params>,
    /// The driver-side handler of its callback, when given.
    pub callback: Option<Callback>,
    /// The errors whose partitions are skipped (`ignore_errors`).
    pub ignore: IgnoreErrors,
}

impl FunctionCall {
    /// A call with no parameters and no callback.
    pub fn new(function: Arc<dyn PartitionFunction>) -> Self {
        FunctionCall {
            function,
            params: Arc::new(Params::new()),
            callback: None,
            ignore: IgnoreErrors::new(),
        }
    }

    pub(super) fn info(&self) -> FunctionInfo<'_> {
        partition_function_info(&self.function, &self.params, self.callback.is_some())
    }

    /// `` `f`<extra>, params(..), callback, ignore_errors(..) `` (explain).
    pub(super) fn text(&self, extra: &str) -> String {
        format!(
            "`{}`{extra}{}{}{}",
            self.function.name(),
            params_text(&self.params),
            if self.callback.is_some() {
                ", callback"
            } else {
                ""
            },
            self.ignore_text(", ")
        )
    }

    /// `<sep>ignore_errors(..)` when errors are ignored (explain and checkpoint keys: skipping
    /// partitions changes the result).
    pub(super) fn ignore_text(&self, separator: &str) -> String {
        if self.ignore.is_empty() {
            String::new()
        } else {
            format!("{separator}ignore_errors({})", self.ignore)
        }
    }

    /// Run `f` with the function as the step runs it: observing the run's cancel flag, and
    /// skipping the partitions whose call fails with an ignored error (reported in the run's
    /// result).
    pub(super) fn run(
        &self,
        cx: &RunContext<'_>,
        map: impl FnOnce(Arc<dyn PartitionFunction>) -> Result<DataFrame>,
    ) -> Result<DataFrame> {
        let function = self.cancellable(cx);
        let returned = function.returned.clone();
        let function = Arc::new(function);
        let (df, skipped) = run_skipping(function, &self.ignore, cx.step, map)?;
        // From now on a call runs inside the plan that a later step reads (a step that is a
        // node of its output's plan): its errors name this step.
        returned.store(true, Ordering::SeqCst);
        cx.skipped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(skipped);
        Ok(df)
    }

    /// Parameters, callback and ignored errors.
    pub(super) fn modify(&mut self, op: &'static str, modifier: Modifier) -> Result<()> {
        match modifier {
            Modifier::Params(p) => self.params = p,
            Modifier::Callback(c) => self.callback = Some(c),
            Modifier::IgnoreErrors(i) => self.ignore = i,
            other => return Err(other.refused(op)),
        }
        Ok(())
    }

    /// The function's checks against known input schemas, in the order `workflow!` checks them
    /// at compile time and with its rules: typed inputs, the schema hint, parameters, validation
    /// rules (then the function's own [`check`](PartitionFunction::check): callback, and the
    /// same again outside a workflow); and its output schema.
    pub(super) fn plan(&self, schemas: &[Schema], cx: &PlanContext<'_>) -> Result<Schema> {
        self.check_typed_inputs(schemas, cx)?;
        if let Some(declared) = self.function.declaration() {
            let input = cx.names.first().copied().unwrap_or("input");
            if let (Some(hint), [schema]) = (declared.schema_hint(), schemas)
                && declared.inputs.len() == 1
            {
                schema.transform_named(hint, declared.name, input, cx.step)?;
            }
            check_params(cx.step, declared.name, declared.params, &self.params)?;
            eval::check_rules(
                cx.step,
                declared.name,
                declared.rules,
                cx.spec,
                input,
                schemas.first(),
            )?;
        }
        self.function
            .check(cx.spec, schemas, &self.params, self.callback.is_some())?;
        self.function.output_schema(schemas)
    }

    /// Each typed input of the function against the step's inputs, with the compile-time rule
    /// (the first check of a step, as at compile time).
    pub(super) fn check_typed_inputs(
        &self,
        schemas: &[Schema],
        cx: &PlanContext<'_>,
    ) -> Result<()> {
        check_typed_inputs(self.function.as_ref(), schemas, cx.names, cx.step)
    }

    /// The function, observing the run's cancel flag and the step's control (a cancel from
    /// another thread, its time limit), and counting its calls.
    pub(super) fn cancellable(&self, cx: &RunContext<'_>) -> Cancellable {
        Cancellable {
            inner: self.function.clone(),
            cancel: cx.cancel.clone(),
            // The run's flags: the time limit is enforced where the step's work is waited
            // for (the executor's driver, or the reader of the plan the step is a node of).
            control: crate::control::current().map(|c| c.without_deadline()),
            calls: cx.partitions.clone(),
            step: cx.step.to_string(),
            returned: Arc::default(),
        }
    }
}

/// The output of a step; for an output step (`out`), a lazy output driven to its end in the
/// step itself (the function's effects are the point), then nothing.
pub(super) fn driven(df: DataFrame, out: bool) -> Result<DataFrame> {
    if !out {
        return Ok(df);
    }
    let schema = df.schema().clone();
    df.into_batches()?;
    Ok(crate::frame::ArrowFrame::empty(schema)?.into())
}

/// Each typed input of `function` against the step's input, with the compile-time rule.
fn check_typed_inputs(
    function: &dyn PartitionFunction,
    schemas: &[Schema],
    names: &[&str],
    step: &Step<'_>,
) -> Result<()> {
    for (i, typed) in function.typed_inputs().iter().enumerate() {
        if let (Some((record, required)), Some(input)) = (typed, schemas.get(i)) {
            let name = names.get(i).copied().unwrap_or("?");
            eval::check_input(function.name(), (record, required), (name, input), step)?;
        }
    }
    Ok(())
}

/// The step's parameters against the function's declared ones (`(name, Rust type)`), with the
/// rules `workflow!` evaluates on `params(..)` ([`rules::params`]): each given one declared, each
/// value of a kind its type accepts, each declared one given.
fn check_params(
    step: &Step<'_>,
    function: &str,
    declared: &[(&str, &str)],
    params: &Params,
) -> Result<()> {
    let fail = |p: rules::Problem<'_>| eval::error(&p, step);
    for name in params.names() {
        rules::params::check_declared(function, declared, name).map_err(fail)?;
        if let Some((literal, text)) = params.value(name).and_then(literal_of) {
            rules::params::check_value(function, declared, name, literal, &text).map_err(fail)?;
        }
    }
    let given: Vec<&str> = params.names().collect();
    rules::params::check_given(function, declared, &given).map_err(fail)
}

/// A parameter value as the literal `params(..)` would write it, for the parameter rule.
fn literal_of(value: &Value) -> Option<(rules::params::Literal, String)> {
    use rules::params::Literal;
    let int = |i: i128| Some((Literal::Int(i), i.to_string()));
    match value {
        Value::Bool(b) => Some((Literal::Bool, b.to_string())),
        Value::Int8(i) => int((*i).into()),
        Value::Int16(i) => int((*i).into()),
        Value::Int32(i) => int((*i).into()),
        Value::Int64(i) => int((*i).into()),
        Value::UInt8(i) => int((*i).into()),
        Value::UInt16(i) => int((*i).into()),
        Value::UInt32(i) => int((*i).into()),
        Value::UInt64(i) => int((*i).into()),
        Value::Float32(f) => Some((Literal::Float, format!("{f:?}"))),
        Value::Float64(f) => Some((Literal::Float, format!("{f:?}"))),
        Value::Str(s) => Some((Literal::Str, format!("{s:?}"))),
        _ => None,
    }
}

/// An empty schema from a function means "dynamic": known at run time only.
pub(super) fn known(schema: Schema) -> Option<Schema> {
    if schema.is_empty() {
        None
    } else {
        Some(schema)
    }
}

/// A partition function that observes the run's cancel flag (once another step has failed,
/// its remaining partitions are not called) and counts its calls for the run's progress.
pub(super) struct Cancellable {
    inner: Arc<dyn PartitionFunction>,
    cancel: Arc<AtomicBool>,
    control: Option<crate::control::Control>,
    calls: Arc<AtomicU64>,
    /// The step that declared the call, named by the errors of calls made after it returned.
    step: String,
    /// Whether that step has returned (its output a plan that a later step reads).
    returned: Arc<AtomicBool>,
}

impl PartitionFunction for Cancellable {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn registered_name(&self) -> Option<&str> {
        self.inner.registered_name()
    }

    fn code_identity(&self) -> Option<crate::transformer::CodeIdentity> {
        self.inner.code_identity()
    }

    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        self.inner.output_schema(inputs)
    }

    fn typed_inputs(&self) -> Vec<Option<(&'static str, Schema)>> {
        self.inner.typed_inputs()
    }

    fn declaration(&self) -> Option<crate::transformer::Declaration> {
        self.inner.declaration()
    }

    fn init(&self, partition: &PhysicalPartition) -> Result<Option<PartitionState>> {
        self.inner.init(partition)
    }

    fn check(
        &self,
        spec: &PartitionSpec,
        inputs: &[Schema],
        params: &Params,
        has_callback: bool,
    ) -> Result<()> {
        self.inner.check(spec, inputs, params, has_callback)
    }

    fn call<'s>(
        &'s self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'s>>,
    ) -> Result<BatchStream<'s>> {
        match &self.control {
            Some(control) => control.check()?,
            None if self.cancel.load(Ordering::SeqCst) => {
                return Err(FugueError::InvalidOperation(
                    "cancelled: another step of the workflow failed".to_string(),
                ));
            }
            None => {}
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        if !self.returned.load(Ordering::SeqCst) {
            return self.inner.call(ctx, inputs);
        }
        // A call inside the plan a later step reads: its errors name the step it belongs to.
        let context = format!(
            "in step `{}`, run when a later step read its plan",
            self.step
        );
        let named = {
            let context = context.clone();
            move |e: FugueError| e.context(context.clone())
        };
        match self.inner.call(ctx, inputs) {
            Err(e) => Err(e.context(context)),
            Ok(output) => Ok(Box::new(output.map(move |b| b.map_err(&named)))),
        }
    }
}

/// The map primitive; `out`: the output is discarded (the function's effects are the point).
#[derive(Clone)]
pub(crate) struct Transform {
    call: FunctionCall,
    out: bool,
}

impl Operation for Transform {
    fn name(&self) -> &'static str {
        if self.out {
            "out_transform"
        } else {
            "transform"
        }
    }

    fn has_output(&self) -> bool {
        !self.out
    }

    fn function(&self) -> Option<FunctionInfo<'_>> {
        Some(self.call.info())
    }

    fn args(&self) -> String {
        self.call.text("")
    }

    fn key_args(&self) -> String {
        self.call.ignore_text("")
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        cx.expect_inputs(self.name(), 1)?;
        let Some(schemas) = cx.all_known() else {
            return Ok(None);
        };
        let out = self.call.plan(&schemas, cx)?;
        for key in cx.spec.keys() {
            eval::check_column(&schemas[0], "partition key", key, cx.name(0), cx.step)?;
        }
        for key in cx.spec.presort() {
            eval::check_column(
                &schemas[0],
                "presort column",
                &key.name,
                cx.name(0),
                cx.step,
            )?;
        }
        Ok(if self.out { None } else { known(out) })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let input = one(inputs, self.name())?;
        let df = self.call.run(cx, |function| {
            let df = cx.engine.map(
                input,
                function,
                cx.spec_or_empty(),
                self.call.params.clone(),
                self.call.callback.clone(),
            )?;
            driven(df, self.out)
        })?;
        Ok((!self.out).then_some(df))
    }

    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        let name = self.name();
        self.call.modify(name, modifier)
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Run a partition function once per logical partition (the map primitive; the partition
    /// spec is the one given with [`partition`](Self::partition)).
    #[track_caller]
    pub fn transform<F: PartitionFunction + 'static>(&self, function: F) -> WorkflowFrame<'w> {
        self.transform_arc(Arc::new(function))
    }

    /// [`transform`](Self::transform) with a shared function.
    #[track_caller]
    pub fn transform_arc(&self, function: Arc<dyn PartitionFunction>) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Transform {
                call: FunctionCall::new(function),
                out: false,
            }),
            SourceLocation::caller(),
        )
    }

    /// Like [`transform`](Self::transform), for the function's effects only (no output).
    #[track_caller]
    pub fn out_transform<F: PartitionFunction + 'static>(&self, function: F) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Transform {
                call: FunctionCall::new(Arc::new(function)),
                out: true,
            }),
            SourceLocation::caller(),
        )
    }
}
