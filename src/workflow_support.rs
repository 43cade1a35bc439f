//! What `workflow!` expansions name in their const items: the const schema checker of
//! `fugue_core::const_check`, and the glue that reads a transformer's description
//! ([`Transformer`](fugue_runtime::transformer::Transformer) consts) in const evaluation. Not a
//! public API.

// A `Message` is a fixed buffer (const evaluation cannot allocate), so the `Err` is large.
#![allow(clippy::result_large_err)]

pub use fugue_core::const_check::{
    ConstSchema, Message, Step, check_column, check_columns_op, check_join, check_join_key,
    check_param_declared, check_param_value, check_params_given, check_rules, check_same_schema,
    check_yield, check_zip_key, require,
};
pub use fugue_core::const_check::{
    SqlColumn, SqlLevel, SqlOutput, SqlResolve, SqlRule, SqlType, check_sql_column,
};
pub use fugue_core::options::{DropHow, SaveMode, ZipHow};
pub use fugue_core::rules::params::Literal;
pub use fugue_core::rules::{HintItem, HintOp, JoinKind, Ty};
use fugue_runtime::transformer::{CallbackUse, InputShape, Kind, OutputShape};

/// How `workflow!` runs a function of this kind.
const fn verb_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Transformer => "`transform(input, f, ..)`",
        Kind::OutputTransformer => "`out_transform(input, f, ..)`",
        Kind::CoTransformer => "`cotransform([a, b], f, ..)`",
        Kind::OutputCoTransformer => "`out_cotransform([a, b], f, ..)`",
        Kind::Processor => "`process(inputs, f)`",
        Kind::Outputter => "`output(inputs, f)`",
        Kind::Creator => "`create(using: f, ..)`",
    }
}

/// ` is a` or ` is an`, as the kind's attribute is read.
const fn article(kind: Kind) -> &'static str {
    match kind {
        Kind::OutputTransformer | Kind::OutputCoTransformer | Kind::Outputter => " an",
        _ => " a",
    }
}

/// The function of a step must be of a kind its verb runs (`verb` runs `accepted`): a
/// `#[transformer]` in `cotransform`, or a `#[cotransformer]` in `transform`, is an error naming
/// the function's kind and the verb to use.
pub const fn check_kind(
    step: &Step,
    verb: &str,
    function: &str,
    kind: Kind,
    accepted: Kind,
) -> Result<(), Message> {
    if kind as u8 == accepted as u8 {
        return Ok(());
    }
    let mut m = Message::new();
    fugue_core::rules::problem::write_head(&mut m, step);
    m.push_ticked(function);
    m.push(" is");
    m.push(article(kind));
    m.push(" `#[");
    m.push(kind.attribute());
    m.push("]`, but `");
    m.push(verb);
    m.push("` runs");
    m.push(article(accepted));
    m.push(" `#[");
    m.push(accepted.attribute());
    m.push("]`; help: run it with ");
    m.push(verb_of(kind));
    Err(m)
}

/// The output schema of a function with this output, given its (first) input's schema.
pub const fn output_schema(output: OutputShape, input: &ConstSchema) -> ConstSchema {
    match output {
        OutputShape::None => ConstSchema::EMPTY,
        OutputShape::Typed { columns, .. } => ConstSchema::of_columns(columns),
        OutputShape::ParsedHint { items, .. } => input.hinted(items),
        OutputShape::Hint(_) | OutputShape::Dynamic => ConstSchema::UNKNOWN,
    }
}

/// The `index`-th typed input of `function` against the step's input; a dynamic input (or a
/// missing one: the builder reports the count) passes.
pub const fn check_transformer_input(
    step: &Step,
    input_name: &str,
    input: &ConstSchema,
    function: &str,
    inputs: &'static [InputShape],
    index: usize,
) -> Result<(), Message> {
    if index >= inputs.len() {
        return Ok(());
    }
    match inputs[index] {
        InputShape::Typed { record, columns } => {
            fugue_core::const_check::check_input(step, input_name, input, function, record, columns)
        }
        InputShape::Dynamic | InputShape::Frames => Ok(()),
    }
}

/// The schema hint of `function` (a dynamic output's) resolved against the step's input.
pub const fn check_transformer_hint(
    step: &Step,
    input_name: &str,
    input: &ConstSchema,
    function: &str,
    output: OutputShape,
) -> Result<(), Message> {
    match output {
        OutputShape::ParsedHint { text, items } => {
            fugue_core::const_check::check_hint(step, function, text, items, input_name, input)
        }
        _ => Ok(()),
    }
}

/// A function that requires a callback (`Callback`, not `Option<Callback>`) must be given one
/// (`callback: handler`).
pub const fn check_callback(
    step: &Step,
    function: &str,
    callback: CallbackUse,
    given: bool,
) -> Result<(), Message> {
    if given || !matches!(callback, CallbackUse::Required) {
        return Ok(());
    }
    let mut m = Message::new();
    fugue_core::rules::problem::write_head(&mut m, step);
    m.push_ticked(function);
    m.push(" takes a `Callback`, which the step does not give; help: add `callback: handler`");
    Err(m)
}
