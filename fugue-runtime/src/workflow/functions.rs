//! Whole-frame functions a workflow runs: creators ([`CreateFn`]), processors ([`ProcessFn`])
//! and outputters ([`OutputFn`]) (reference §9.1).
//!
//! Any closure of the right shape is one (its name in messages is `closure`); [`named`] gives a
//! closure a name, and [`NamedFn::with_schema`] declares its output schema so that the plan
//! knows it before running.

use crate::engine::ExecutionEngine;
use crate::frame::{DataFrame, DataFrames};
use crate::function::Params;
use crate::transformer::CodeIdentity;
use fugue_core::{Result, Schema};

/// Creates a frame from nothing but its parameters.
pub trait CreateFn: Send + Sync {
    /// The name in messages.
    fn name(&self) -> &str {
        "closure"
    }

    /// What identifies the function's code in deterministic checkpoint keys: `Some` for
    /// functions declared with the macros (through [`Ext`]); `None` (the default: closures,
    /// [`named`] closures, hand-written impls) keys the step by its name and version only.
    fn code_identity(&self) -> Option<CodeIdentity> {
        None
    }

    /// The output schema when it is known before running.
    fn output_schema(&self, params: &Params) -> Option<Schema> {
        let _ = params;
        None
    }

    /// Create the frame, on the run's engine.
    fn create(&self, engine: &dyn ExecutionEngine, params: &Params) -> Result<DataFrame>;
}

/// Computes a frame from whole input frames.
pub trait ProcessFn: Send + Sync {
    /// The name in messages.
    fn name(&self) -> &str {
        "closure"
    }

    /// What identifies the function's code in deterministic checkpoint keys: `Some` for
    /// functions declared with the macros (through [`Ext`]); `None` (the default: closures,
    /// [`named`] closures, hand-written impls) keys the step by its name and version only.
    fn code_identity(&self) -> Option<CodeIdentity> {
        None
    }

    /// The output schema for these input schemas, when it is known before running.
    fn output_schema(&self, inputs: &[Schema], params: &Params) -> Option<Schema> {
        let _ = (inputs, params);
        None
    }

    /// Compute the frame from the step's inputs, on the run's engine.
    fn process(
        &self,
        engine: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<DataFrame>;
}

/// Consumes whole input frames (prints, writes, asserts, ...).
pub trait OutputFn: Send + Sync {
    /// The name in messages.
    fn name(&self) -> &str {
        "closure"
    }

    /// What identifies the function's code in deterministic checkpoint keys: `Some` for
    /// functions declared with the macros (through [`Ext`]); `None` (the default: closures,
    /// [`named`] closures, hand-written impls) keys the step by its name and version only.
    fn code_identity(&self) -> Option<CodeIdentity> {
        None
    }

    /// Consume the step's inputs, on the run's engine.
    fn output(
        &self,
        engine: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<()>;
}

impl<F> CreateFn for F
where
    F: Fn(&Params) -> Result<DataFrame> + Send + Sync,
{
    fn create(&self, _: &dyn ExecutionEngine, params: &Params) -> Result<DataFrame> {
        self(params)
    }
}

impl<F> ProcessFn for F
where
    F: Fn(Vec<DataFrame>, &Params) -> Result<DataFrame> + Send + Sync,
{
    fn process(
        &self,
        _: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<DataFrame> {
        self(inputs.into_vec(), params)
    }
}

impl<F> OutputFn for F
where
    F: Fn(Vec<DataFrame>, &Params) -> Result<()> + Send + Sync,
{
    fn output(&self, _: &dyn ExecutionEngine, inputs: DataFrames, params: &Params) -> Result<()> {
        self(inputs.into_vec(), params)
    }
}

/// A closure that also takes the run's engine, and the step's inputs as [`DataFrames`] (named
/// when the step names them): `with_engine(|engine, dfs, params| ..)` is a [`ProcessFn`] (it
/// returns a frame) or an [`OutputFn`] (it returns `()`); `with_engine(|engine, params| ..)` a
/// [`CreateFn`].
///
/// ```
/// # #[cfg(feature = "datafusion")] {
/// use fugue_runtime::engine::ExecutionEngine;
/// use fugue_runtime::frame::DataFrames;
/// use fugue_runtime::function::Params;
/// use fugue_runtime::workflow::{Workflow, with_engine};
/// use fugue_runtime::{IntoDataFrame, Value};
///
/// let wf = Workflow::new();
/// let a = wf.create((vec![vec![Value::from(1_i64)]], "k:long").into_dataframe()?);
/// let b = wf.create((vec![vec![Value::from(1_i64)]], "k:long").into_dataframe()?);
/// let both = wf.process_named(
///     &[("a", a), ("b", b)],
///     with_engine(|engine: &dyn ExecutionEngine, dfs: DataFrames, _: &Params| {
///         dfs.sql(engine, "SELECT a.k FROM a JOIN b ON a.k = b.k")
///     }),
/// );
/// both.yield_as("both");
/// let mut out = wf.run_on("native")?.get("both")?;
/// assert_eq!(out.as_rows()?, vec![vec![Value::from(1_i64)]]);
/// # }
/// # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
/// ```
pub fn with_engine<F>(function: F) -> WithEngine<F> {
    WithEngine(function)
}

/// A closure given the run's engine ([`with_engine`]).
pub struct WithEngine<F>(pub F);

impl<F> ProcessFn for WithEngine<F>
where
    F: Fn(&dyn ExecutionEngine, DataFrames, &Params) -> Result<DataFrame> + Send + Sync,
{
    fn process(
        &self,
        engine: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<DataFrame> {
        (self.0)(engine, inputs, params)
    }
}

impl<F> OutputFn for WithEngine<F>
where
    F: Fn(&dyn ExecutionEngine, DataFrames, &Params) -> Result<()> + Send + Sync,
{
    fn output(
        &self,
        engine: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<()> {
        (self.0)(engine, inputs, params)
    }
}

impl<F> CreateFn for WithEngine<F>
where
    F: Fn(&dyn ExecutionEngine, &Params) -> Result<DataFrame> + Send + Sync,
{
    fn create(&self, engine: &dyn ExecutionEngine, params: &Params) -> Result<DataFrame> {
        (self.0)(engine, params)
    }
}

/// A closure with a name (and optionally a declared output schema).
pub struct NamedFn<F> {
    name: String,
    schema: Option<Schema>,
    function: F,
}

/// Give a closure a name, used in messages and in deterministic checkpoint keys.
///
/// ```
/// use fugue_runtime::workflow::{named, ProcessFn};
/// use fugue_runtime::{DataFrame, function::Params};
///
/// let first = named("first", |mut dfs: Vec<DataFrame>, _: &Params| Ok(dfs.remove(0)));
/// assert_eq!(ProcessFn::name(&first), "first");
/// ```
pub fn named<F>(name: impl Into<String>, function: F) -> NamedFn<F> {
    NamedFn {
        name: name.into(),
        schema: None,
        function,
    }
}

impl<F> NamedFn<F> {
    /// Declare the output schema (a malformed expression keeps it unknown: the run checks the
    /// real output instead).
    pub fn with_schema(mut self, schema: impl crate::like::IntoSchema) -> Self {
        self.schema = schema.into_schema().ok();
        self
    }
}

impl<F> CreateFn for NamedFn<F>
where
    F: Fn(&Params) -> Result<DataFrame> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn output_schema(&self, _: &Params) -> Option<Schema> {
        self.schema.clone()
    }

    fn create(&self, _: &dyn ExecutionEngine, params: &Params) -> Result<DataFrame> {
        (self.function)(params)
    }
}

impl<F> ProcessFn for NamedFn<F>
where
    F: Fn(Vec<DataFrame>, &Params) -> Result<DataFrame> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn output_schema(&self, _: &[Schema], _: &Params) -> Option<Schema> {
        self.schema.clone()
    }

    fn process(
        &self,
        _: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<DataFrame> {
        (self.function)(inputs.into_vec(), params)
    }
}

impl<F> OutputFn for NamedFn<F>
where
    F: Fn(Vec<DataFrame>, &Params) -> Result<()> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn output(&self, _: &dyn ExecutionEngine, inputs: DataFrames, params: &Params) -> Result<()> {
        (self.function)(inputs.into_vec(), params)
    }
}

/// A function declared with `#[processor]`, `#[creator]` or `#[outputter]` (the unit struct the
/// macro generates), used as a workflow step's function: `wf.process(&[df], Ext(my_processor))`.
/// Its name is the declared function's, and its output schema, when declared, is known to the
/// plan.
pub struct Ext<T>(pub T);

fn declared_schema<T: crate::transformer::Transformer>(inputs: &[Schema]) -> Option<Schema> {
    crate::transformer::output_schema::<T>(inputs)
        .ok()
        .filter(|s| !s.is_empty())
}

impl<T: crate::transformer::Processor> ProcessFn for Ext<T> {
    fn name(&self) -> &str {
        T::NAME
    }

    fn code_identity(&self) -> Option<CodeIdentity> {
        CodeIdentity::of::<T>()
    }

    fn output_schema(&self, inputs: &[Schema], _: &Params) -> Option<Schema> {
        declared_schema::<T>(inputs)
    }

    fn process(
        &self,
        engine: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<DataFrame> {
        self.0.process(engine, inputs, params)
    }
}

impl<T: crate::transformer::Creator> CreateFn for Ext<T> {
    fn name(&self) -> &str {
        T::NAME
    }

    fn code_identity(&self) -> Option<CodeIdentity> {
        CodeIdentity::of::<T>()
    }

    fn output_schema(&self, _: &Params) -> Option<Schema> {
        declared_schema::<T>(&[])
    }

    fn create(&self, engine: &dyn ExecutionEngine, params: &Params) -> Result<DataFrame> {
        self.0.create(engine, params)
    }
}

impl<T: crate::transformer::Outputter> OutputFn for Ext<T> {
    fn name(&self) -> &str {
        T::NAME
    }

    fn code_identity(&self) -> Option<CodeIdentity> {
        CodeIdentity::of::<T>()
    }

    fn output(
        &self,
        engine: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<()> {
        self.0.output(engine, inputs, params)
    }
}
