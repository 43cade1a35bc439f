//! What the transformer macros generate code against.
//!
//! `#[transformer]` (and `#[output_transformer]`, `#[cotransformer]`, `#[output_cotransformer]`,
//! `#[processor]`, `#[creator]`, `#[outputter]`) turns a plain function into a unit struct of the
//! same name that implements:
//!
//! * [`Transformer`]: the function's description as associated consts (name, [`Kind`], input
//!   and output shapes with their columns as const data, validation rules, parameters, callback
//!   and cursor use), which the later `workflow!` macro reads in const evaluation;
//! * for the four per-partition kinds, [`PartitionFunction`](crate::function::PartitionFunction):
//!   the entry any engine calls once per logical partition;
//! * for the driver-side kinds, [`Processor`], [`Creator`] or [`Outputter`].
//!
//! The generated code is small: the conversions between a partition's Arrow data and the
//! declared Rust shapes are the generic functions of [`adapt`], and the checks shared by every
//! transformer are [`output_schema`] and [`check`].

pub mod adapt;
mod any_kind;

use crate::engine::ExecutionEngine;
use crate::frame::{DataFrame, DataFrames};
use crate::function::Params;
use fugue_core::rules::Step;
use fugue_core::{FugueError, PartitionSpec, Result, Schema};

pub use any_kind::{AnyKind, WrongKind};
pub use fugue_core::extension::{CallbackUse, InputShape, Kind, OutputShape};

/// The description of a function declared with one of the transformer macros, as const data.
///
/// Implemented by the macros on the unit struct named after the function; the consts can be read
/// in const evaluation (the later `workflow!` macro checks its edges with them).
pub trait Transformer: Send + Sync + 'static {
    /// The function's name.
    const NAME: &'static str;
    /// The function's full path, `module_path::name` (what per-partition kinds are registered
    /// under in [`registry`](crate::registry)). Default: [`NAME`](Self::NAME), for hand-written
    /// impls.
    const PATH: &'static str = Self::NAME;
    /// A hash of the function's code, computed by the macros from its tokens (signature, body
    /// and the attribute's arguments; not doc comments or formatting), part of deterministic
    /// checkpoint keys so that editing the function invalidates its checkpoints. Default:
    /// `None`, for hand-written impls, whose steps are keyed by name and version only.
    ///
    /// Only the function's own tokens are hashed: a helper it calls, a constant it reads or a
    /// crate it uses can change without changing the hash. Bump the step's
    /// [`version`](crate::workflow::WorkflowFrame::version) after such an edit.
    const CODE_HASH: Option<u64> = None;
    /// The kind of extension.
    const KIND: Kind;
    /// One shape per data parameter, in order.
    const INPUTS: &'static [InputShape];
    /// The output.
    const OUTPUT: OutputShape;
    /// The validation rules, `(name, value)` as written.
    const RULES: &'static [(&'static str, &'static str)];
    /// The typed parameters filled from the step's [`Params`]: `(name, Rust type)`.
    const PARAMS: &'static [(&'static str, &'static str)];
    /// Whether the function takes a callback.
    const CALLBACK: CallbackUse;
    /// Whether the function takes the [`PartitionCursor`](crate::function::PartitionCursor).
    const CURSOR: bool;
}

/// What a function declared with one of the macros declares, as one value (its
/// [`Transformer`] consts): the planner checks a step against it with the rules `workflow!`
/// evaluates at compile time, naming the step ([`PartitionFunction::declaration`]).
///
/// [`PartitionFunction::declaration`]: crate::function::PartitionFunction::declaration
#[derive(Debug, Clone, Copy)]
pub struct Declaration {
    /// The function's name.
    pub name: &'static str,
    /// Its kind.
    pub kind: Kind,
    /// One shape per data parameter.
    pub inputs: &'static [InputShape],
    /// The output.
    pub output: OutputShape,
    /// The validation rules, `(name, canonical value)`.
    pub rules: &'static [(&'static str, &'static str)],
    /// The typed parameters, `(name, Rust type)`.
    pub params: &'static [(&'static str, &'static str)],
}

impl Declaration {
    /// The declaration of `T`.
    pub const fn of<T: Transformer>() -> Declaration {
        Declaration {
            name: T::NAME,
            kind: T::KIND,
            inputs: T::INPUTS,
            output: T::OUTPUT,
            rules: T::RULES,
            params: T::PARAMS,
        }
    }

    /// The schema hint of the output, when it has one.
    pub const fn schema_hint(&self) -> Option<&'static str> {
        match self.output {
            OutputShape::Typed { hint, .. } => hint,
            OutputShape::Hint(text) | OutputShape::ParsedHint { text, .. } => Some(text),
            OutputShape::None | OutputShape::Dynamic => None,
        }
    }
}

/// What deterministic checkpoint keys know of a function declared with one of the macros: its
/// full path, the hash of its tokens, and its declared shapes (the record types' columns, which
/// the token hash does not see), validation rules and typed parameters.
#[derive(Debug, Clone, Copy)]
pub struct CodeIdentity {
    /// The full path, `module_path::name` ([`Transformer::PATH`]).
    pub path: &'static str,
    /// The hash of the function's tokens ([`Transformer::CODE_HASH`]).
    pub code_hash: u64,
    /// The data parameters' shapes.
    pub inputs: &'static [InputShape],
    /// The output's shape.
    pub output: OutputShape,
    /// The validation rules.
    pub rules: &'static [(&'static str, &'static str)],
    /// The typed parameters.
    pub params: &'static [(&'static str, &'static str)],
}

impl CodeIdentity {
    /// The identity of `T`, when its macro computed a code hash (`None` for hand-written
    /// impls).
    pub fn of<T: Transformer>() -> Option<CodeIdentity> {
        T::CODE_HASH.map(|code_hash| CodeIdentity {
            path: T::PATH,
            code_hash,
            inputs: T::INPUTS,
            output: T::OUTPUT,
            rules: T::RULES,
            params: T::PARAMS,
        })
    }

    /// The declared shapes, rules and parameters in a stable text form (hashed into keys).
    pub fn declaration(&self) -> String {
        format!(
            "inputs={:?}; output={:?}; rules={:?}; params={:?}",
            self.inputs, self.output, self.rules, self.params
        )
    }
}

/// A function run once on the driver over whole frames, returning one (`#[processor]`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a processor: `process` runs a function declared with `#[processor]`",
    label = "not a processor",
    note = "a `#[transformer]` runs per partition with `transform(input, f)`, a `#[cotransformer]` with `cotransform([a, b], f)`, an `#[outputter]` with `output(inputs, f)`"
)]
pub trait Processor: Transformer {
    /// Run on `engine` over these frames (one per data parameter, or all of them for a
    /// `DataFrames` parameter) with these parameters.
    fn process(
        &self,
        engine: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<DataFrame>;
}

/// A function run once on the driver that makes a frame from nothing (`#[creator]`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a creator: it must be declared with `#[creator]`",
    label = "not a creator"
)]
pub trait Creator: Transformer {
    /// Run on `engine` with these parameters.
    fn create(&self, engine: &dyn ExecutionEngine, params: &Params) -> Result<DataFrame>;
}

/// A function run once on the driver over whole frames, returning nothing (`#[outputter]`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an outputter: `output` runs a function declared with `#[outputter]`",
    label = "not an outputter",
    note = "an `#[output_transformer]` runs per partition with `out_transform(input, f)`, a `#[processor]` with `process(inputs, f)`"
)]
pub trait Outputter: Transformer {
    /// Run on `engine` over these frames (one per data parameter, or all of them for a
    /// `DataFrames` parameter) with these parameters.
    fn output(
        &self,
        engine: &dyn ExecutionEngine,
        inputs: DataFrames,
        params: &Params,
    ) -> Result<()>;
}

/// The output schema of output kinds (Fugue's `__output_no_data__:int`): they produce no row.
pub const NO_DATA: &str = "__output_no_data__:int";

/// The output schema of `T` for these input schemas: the typed output's schema (checked against
/// a hint given as well), a hint resolved against the first input (`*`), or [`NO_DATA`] for
/// output kinds.
pub fn output_schema<T: Transformer>(inputs: &[Schema]) -> Result<Schema> {
    match T::OUTPUT {
        // Fugue's placeholder: a frame has at least one column.
        OutputShape::None => Schema::parse(NO_DATA),
        OutputShape::Dynamic => Ok(Schema::empty()),
        OutputShape::Typed { columns, hint, .. } => {
            let typed = Schema::from_const(columns)?;
            if let Some(hint) = hint {
                let hinted = resolve_hint::<T>(hint, inputs)?;
                if hinted != typed {
                    return Err(FugueError::SchemaMismatch {
                        context: format!("the schema hint and the output type of `{}`", T::NAME),
                        reason: "they differ".to_string(),
                        left: hinted.to_string(),
                        right: typed.to_string(),
                    });
                }
            }
            Ok(typed)
        }
        OutputShape::Hint(hint) | OutputShape::ParsedHint { text: hint, .. } => {
            resolve_hint::<T>(hint, inputs)
        }
    }
}

fn resolve_hint<T: Transformer>(hint: &str, inputs: &[Schema]) -> Result<Schema> {
    match inputs.first() {
        Some(input) if T::INPUTS.len() == 1 => input.transform(hint),
        // Co-transformer hints have no `*` (the macro rejects it): any schema resolves them.
        _ => Schema::empty().transform(hint),
    }
}

/// The records of `T`'s typed data parameters, as [`PartitionFunction::typed_inputs`] gives
/// them (`None` for a dynamic input).
///
/// [`PartitionFunction::typed_inputs`]: crate::function::PartitionFunction::typed_inputs
pub fn typed_inputs<T: Transformer>() -> Vec<Option<(&'static str, Schema)>> {
    T::INPUTS
        .iter()
        .map(|shape| match shape {
            InputShape::Typed { record, columns } => {
                Schema::from_const(columns).ok().map(|s| (*record, s))
            }
            InputShape::Dynamic | InputShape::Frames => None,
        })
        .collect()
}

/// The checks every transformer runs before any data moves: its validation rules (through
/// [`check_rules`](fugue_core::rules::eval::check_rules), the rule the macros evaluate too) against the partition spec and the
/// first input's schema, the number of inputs, and a required callback.
pub fn check<T: Transformer>(
    spec: &PartitionSpec,
    inputs: &[Schema],
    has_callback: bool,
) -> Result<()> {
    fugue_core::rules::eval::check_rules(
        &Step::NONE,
        T::NAME,
        T::RULES,
        spec,
        "input",
        inputs.first(),
    )?;
    if T::KIND.is_per_partition() && inputs.len() != T::INPUTS.len() {
        return Err(adapt::wrong_input_count(
            T::NAME,
            T::INPUTS.len(),
            inputs.len(),
        ));
    }
    if T::CALLBACK == CallbackUse::Required && !has_callback {
        return Err(adapt::missing_callback(T::NAME));
    }
    Ok(())
}
