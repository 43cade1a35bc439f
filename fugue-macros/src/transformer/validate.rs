//! The rules of the transformer macros, each written as "if X, error at the smallest span".
//! Every check pushes its error and carries on, so the user sees all of them at once.

use super::parse::{DataShape, Kind, OutShape, ParamDef, Role, TransformerDef};
use crate::diag::Diagnostics;
use fugue_core::validation::Rule;
use fugue_core::{ErrorKind, FugueError, Schema};
use proc_macro2::Span;
use syn::spanned::Spanned;

/// The data shapes of the per-partition kinds, for messages.
pub const PARTITION_INPUTS: &str = "`Vec<T>`, `&[T]`, `impl Iterator<Item = T>` (where `T` derives \
    `Schema`), `RecordBatch`, `impl Iterator<Item = RecordBatch>`";
/// The data shapes of processors and outputters, for messages.
pub const FRAME_INPUTS: &str =
    "`Vec<T>`, `&[T]` (where `T` derives `Schema`), `RecordBatch`, `DataFrame`";
/// The return shapes of transformers, for messages.
pub const PARTITION_OUTPUTS: &str = "`Vec<T>`, `T`, `impl Iterator<Item = T>` (where `T` derives \
    `Schema`), `RecordBatch`, `impl Iterator<Item = RecordBatch>`, \
    `impl Iterator<Item = Result<RecordBatch, E>>`, `DataFrame`, each optionally in `Result<_, E>`";
/// The return shapes of processors and creators, for messages.
pub const FRAME_OUTPUTS: &str = "`Vec<T>`, `T` (where `T` derives `Schema`), `RecordBatch`, \
    `DataFrame`, each optionally in `Result<_, E>`";

/// A schema hint that parses.
pub struct Hint {
    /// The string.
    pub lit: syn::LitStr,
    /// Its value.
    pub text: String,
    /// Its column names, when it has no `*`.
    pub names: Option<Vec<String>>,
    /// Its items, parsed by fugue-core's parser (emitted as const data).
    pub items: Vec<fugue_core::transform::ParsedHintItem>,
}

/// A validation rule that parses.
pub struct ValidRule {
    /// The rule's name.
    pub name: String,
    /// Its value.
    pub value: syn::LitStr,
    /// The columns it names.
    pub columns: Vec<String>,
    /// Its value in canonical form (types as canonical keys), as emitted in `RULES`.
    pub canonical: String,
}

/// A function that passed every check.
pub struct ValidTransformer<'a> {
    /// The model.
    pub def: TransformerDef<'a>,
    /// The schema hint.
    pub hint: Option<Hint>,
    /// The validation rules.
    pub rules: Vec<ValidRule>,
}

/// Check `def`; `None` when an error was pushed.
pub fn validate<'a>(
    def: TransformerDef<'a>,
    diag: &mut Diagnostics,
) -> Option<ValidTransformer<'a>> {
    let before = diag.len();
    check_function(&def, diag);
    check_params(&def, diag);
    check_output(&def, diag);
    check_on_init(&def, diag);
    let hint = check_hint(&def, diag);
    let rules = check_rules(&def, diag);
    (diag.len() == before).then_some(ValidTransformer { def, hint, rules })
}

fn attr(def: &TransformerDef<'_>) -> String {
    format!("#[{}]", def.kind.attribute())
}

fn check_function(def: &TransformerDef<'_>, diag: &mut Diagnostics) {
    let sig = &def.item.sig;
    if let Some(receiver) = sig.receiver() {
        diag.error(
            receiver.span(),
            format!(
                "`{}` cannot be used on methods: write a free function",
                attr(def)
            ),
        );
    }
    if !sig.generics.params.is_empty() {
        diag.error(
            sig.generics.params.span(),
            format!(
                "`{}` functions cannot be generic: their schemas must be known at compile time\n\
                 = help: use concrete types, or `impl Iterator<Item = T>` for streaming",
                attr(def)
            ),
        );
    }
    if let Some(a) = &sig.asyncness {
        diag.error(
            a.span,
            format!("`{}` functions cannot be `async`", attr(def)),
        );
    }
}

fn check_params(def: &TransformerDef<'_>, diag: &mut Diagnostics) {
    let kind = def.kind;
    let params = &def.params;
    // The engine may come first (as in Fugue: `def p(e: ExecutionEngine, dfs: DataFrames)`).
    let lead = usize::from(matches!(
        params.first().map(|p| &p.role),
        Some(Role::Engine)
    ));
    let prefix = lead
        + params[lead..]
            .iter()
            .take_while(|p| matches!(p.role, Role::Data(_) | Role::Unsupported(_)))
            .count();
    let accepted = if kind.is_per_partition() {
        PARTITION_INPUTS
    } else {
        FRAME_INPUTS
    };
    if lead == 1 {
        check_engine(def, &params[0], diag);
    }

    // Data parameters.
    let data = &params[lead..prefix];
    if let Some(p) = data
        .iter()
        .find(|p| matches!(p.role, Role::Data(DataShape::Frames)))
        && !kind.is_per_partition()
        && data.len() > 1
    {
        diag.error_spanned(
            p.ty,
            format!(
                "`{}: DataFrames` receives every input of the step, so it must be the only data \
                 parameter of `{}`\n= help: take the inputs one by one (`Vec<T>`, `DataFrame`, \
                 ..), or all of them as `DataFrames`",
                p.name, def.item.sig.ident
            ),
        );
    }
    for p in data {
        match &p.role {
            Role::Unsupported(reason) => diag.error_spanned(
                p.ty,
                format!(
                    "unsupported type for data parameter `{}`: {reason}\n\
                     = help: accepted data shapes: {accepted}",
                    p.name
                ),
            ),
            Role::Data(DataShape::Frames) if kind.is_per_partition() => diag.error_spanned(
                p.ty,
                format!(
                    "unsupported type for data parameter `{}`: `DataFrames` collects the whole \
                     inputs of a processor or outputter; a partition arrives as rows or Arrow \
                     batches\n= help: accepted data shapes: {accepted}",
                    p.name
                ),
            ),
            Role::Data(DataShape::Frame) if kind.is_per_partition() => diag.error_spanned(
                p.ty,
                format!(
                    "unsupported type for data parameter `{}`: a partition arrives as rows or \
                     Arrow batches; `DataFrame` is for processors and outputters\n\
                     = help: accepted data shapes: {accepted}",
                    p.name
                ),
            ),
            Role::Data(shape) if !kind.is_per_partition() && kind != Kind::Creator => {
                if matches!(shape, DataShape::RowIter(_) | DataShape::BatchIter) {
                    diag.error_spanned(
                        p.ty,
                        format!(
                            "unsupported type for data parameter `{}` of `{}`: it receives whole \
                             frames, not streams\n= help: accepted data shapes: {accepted}",
                            p.name,
                            attr(def)
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    if kind == Kind::Creator {
        if let Some(p) = params.get(lead).filter(|_| prefix > lead) {
            diag.error_spanned(
                p.ty,
                format!(
                    "`#[creator]` takes no data parameter, but `{}` is one\n\
                     = help: a creator makes data from its parameters; use `#[processor]` to \
                     transform frames",
                    p.name
                ),
            );
        }
    } else if prefix == lead {
        let span = def.item.sig.paren_token.span.join();
        let first = params
            .get(lead)
            .map(|p| format!(" (`{}` is not data)", p.name))
            .unwrap_or_default();
        let message = format!(
            "`{}` has no data parameter: the first parameter must be the data{first}\n\
             = help: accepted data shapes: {accepted}",
            def.item.sig.ident
        );
        match params.first() {
            Some(p) => diag.error_spanned(p.ty, message),
            None => diag.error(span, message),
        }
    } else if matches!(kind, Kind::Transformer | Kind::OutputTransformer) && prefix - lead > 1 {
        let second = &params[lead + 1];
        diag.error_spanned(
            second.ty,
            format!(
                "`{}` takes exactly one data parameter, but `{}` is a second one\n\
                 = help: use `#[cotransformer]` for several inputs zipped by the same keys",
                attr(def),
                second.name
            ),
        );
    }

    // Callback, cursor and typed parameters.
    let mut callback_seen = false;
    let mut cursor_seen = false;
    let mut state_seen = false;
    let mut engine_seen = lead == 1;
    for (i, p) in params.iter().enumerate().skip(prefix) {
        match &p.role {
            Role::Callback { .. } | Role::Cursor { .. } | Role::State { .. }
                if !kind.is_per_partition() =>
            {
                diag.error_spanned(
                    p.ty,
                    format!(
                        "unsupported parameter `{}` of `{}`: it runs on the driver, with no \
                         callback, partition cursor or `on_init` state",
                        p.name,
                        attr(def)
                    ),
                );
            }
            Role::Callback { .. } => {
                if callback_seen {
                    diag.error_spanned(p.ty, "a function takes at most one callback parameter");
                } else if i != prefix {
                    diag.error_spanned(
                        p.ty,
                        format!(
                            "the callback parameter `{}` must come directly after the data \
                             parameter(s)\n= help: order the parameters as data, callback, \
                             cursor, then typed parameters",
                            p.name
                        ),
                    );
                }
                callback_seen = true;
            }
            Role::Cursor { .. } => {
                if cursor_seen {
                    diag.error_spanned(p.ty, "a function takes at most one partition cursor");
                }
                cursor_seen = true;
            }
            Role::State { ty, by_ref } => {
                check_state(def, p, ty, *by_ref, state_seen, diag);
                state_seen = true;
            }
            Role::Unsupported(reason) => diag.error_spanned(
                p.ty,
                format!("unsupported type for parameter `{}`: {reason}", p.name),
            ),
            Role::Engine => {
                if engine_seen {
                    diag.error_spanned(p.ty, "a function takes the engine at most once");
                }
                engine_seen = true;
                check_engine(def, p, diag);
            }
            Role::Data(_) | Role::Param => check_param_name(p, diag),
        }
    }
}

/// `&dyn ExecutionEngine`: only for the kinds that run on the driver.
fn check_engine(def: &TransformerDef<'_>, p: &ParamDef<'_>, diag: &mut Diagnostics) {
    if def.kind.is_per_partition() {
        diag.error_spanned(
            p.ty,
            format!(
                "`{}` cannot take the engine (`{}`): it runs once per partition, on the \
                 workers, where no engine is\n= help: do the engine's work (joins, SQL, loads) \
                 in a `#[processor]`, which runs on the driver and may take `&dyn \
                 ExecutionEngine`",
                attr(def),
                p.name
            ),
        );
    }
}

/// A parameter taking the state of `on_init` (`&S` or `Arc<S>`).
fn check_state(
    def: &TransformerDef<'_>,
    p: &ParamDef<'_>,
    ty: &syn::Type,
    by_ref: bool,
    seen: bool,
    diag: &mut Diagnostics,
) {
    let state = quote::quote!(#ty).to_string().replace(' ', "");
    let declared = p.ty;
    let declared = quote::quote!(#declared).to_string().replace(' ', "");
    if seen {
        diag.error_spanned(
            p.ty,
            "a function takes the state of its `on_init` at most once",
        );
    } else if def.args.on_init.is_none() {
        diag.error_spanned(
            p.ty,
            format!(
                "`{}: {}` takes the state that `on_init` makes for the call's physical \
                 partition, but `{}` has no `on_init`\n= help: add `on_init = path::to::init` \
                 to `{}`, a function `fn(&PhysicalPartition) -> {state}` (or \
                 `-> Result<{state}, E>`) run once per physical partition; a typed parameter \
                 filled from the step's parameters is taken by value",
                p.name,
                declared,
                def.item.sig.ident,
                attr(def),
            ),
        );
    } else if by_ref && def.output.shape.is_lazy() {
        diag.error_spanned(
            p.ty,
            format!(
                "`{}` borrows the state of `on_init` for one call, but the output of `{}` is \
                 lazy and may outlive the call\n= help: take `{}: Arc<{state}>`",
                p.name, def.item.sig.ident, p.name
            ),
        );
    }
}

/// `on_init`: only for the per-partition kinds.
fn check_on_init(def: &TransformerDef<'_>, diag: &mut Diagnostics) {
    let Some(path) = &def.args.on_init else {
        return;
    };
    if !def.kind.is_per_partition() {
        diag.error_spanned(
            path,
            format!(
                "`{}` takes no `on_init`: it runs once, on the driver; do the setup in the \
                 function",
                attr(def)
            ),
        );
    }
}

fn check_param_name(p: &ParamDef<'_>, diag: &mut Diagnostics) {
    if p.name.starts_with("arg") && p.name[3..].chars().all(|c| c.is_ascii_digit()) {
        diag.error(
            p.pat_span,
            "a typed parameter must be a plain name: it is filled from the step's parameters by \
             name",
        );
    }
}

fn check_output(def: &TransformerDef<'_>, diag: &mut Diagnostics) {
    let kind = def.kind;
    let out = &def.output;
    // The whole return type when there is one, else the function's name.
    let mut error = |message: String| match out.ty {
        Some(ty) => diag.error_spanned(ty, message),
        None => diag.error(out.span, message),
    };
    match &out.shape {
        OutShape::Unit if !kind.is_output() => {
            let help = match kind {
                Kind::Transformer => {
                    "\n= help: use `#[output_transformer]` for a function that returns nothing"
                }
                Kind::CoTransformer => {
                    "\n= help: use `#[output_cotransformer]` for a function that returns nothing"
                }
                Kind::Processor => {
                    "\n= help: use `#[outputter]` for a function that returns nothing"
                }
                _ => "",
            };
            error(format!(
                "`{}` must return data, but `{}` returns nothing{help}",
                attr(def),
                def.item.sig.ident
            ));
        }
        OutShape::Unit => {}
        _ if kind.is_output() => {
            error(format!(
                "`{}` returns nothing (or `Result<(), E>`), but `{}` returns data\n\
                     = help: return `()`, or use the data-returning kind",
                attr(def),
                def.item.sig.ident
            ));
        }
        OutShape::Unsupported(reason) => {
            let accepted = if kind.is_per_partition() {
                PARTITION_OUTPUTS
            } else {
                FRAME_OUTPUTS
            };
            error(format!(
                "unsupported return type: {reason}\n= help: accepted: {accepted}"
            ));
        }
        OutShape::RowIter(_) | OutShape::BatchIter | OutShape::ResultBatchIter(_)
            if !kind.is_per_partition() =>
        {
            error(format!(
                "unsupported return type for `{}`: it returns a whole frame, not a stream\n\
                     = help: accepted: {FRAME_OUTPUTS}",
                attr(def)
            ));
        }
        shape if shape.is_dynamic() && kind.is_per_partition() && def.args.schema.is_none() => {
            let example = if kind.is_co() {
                "k:long,n:long"
            } else {
                "*,score:double"
            };
            error(format!(
                "the output of `{}` is dynamic (its schema is known only at run time) and \
                     needs a schema hint\n= help: add `schema = \"...\"`, e.g. \
                     `#[{}(schema = \"{example}\")]`",
                def.item.sig.ident,
                kind.attribute()
            ));
        }
        _ => {}
    }
}

/// The byte offset of the first `*` outside backticks.
fn wildcard_position(text: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '`' => quoted = !quoted,
            '*' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// The span of `len` bytes at `position` inside a string literal without escapes, when the
/// compiler can give one; else the whole literal.
pub fn sub_span(lit: &syn::LitStr, position: usize, len: usize) -> Span {
    let token = lit.token();
    if token.to_string() != format!("\"{}\"", lit.value()) {
        return lit.span();
    }
    token
        .subspan(position + 1..position + 1 + len.max(1))
        .unwrap_or_else(|| lit.span())
}

fn check_hint(def: &TransformerDef<'_>, diag: &mut Diagnostics) -> Option<Hint> {
    let lit = def.args.schema.as_ref()?;
    let kind = def.kind;
    if !matches!(kind, Kind::Transformer | Kind::CoTransformer) {
        let why = if kind.is_output() {
            "it returns no data"
        } else {
            "its output schema is the one of the data it returns"
        };
        diag.error(
            lit.span(),
            format!("`{}` takes no schema hint: {why}", attr(def)),
        );
        return None;
    }
    let text = lit.value();
    let star = wildcard_position(&text);
    if let (Some(pos), true) = (star, kind.is_co()) {
        diag.error(
            sub_span(lit, pos, 1),
            "`*` cannot be used in a co-transformer schema hint: there is no single input \
             schema to expand\n= help: list every output column, e.g. `schema = \"k:long,n:long\"`",
        );
        return None;
    }
    let report = |diag: &mut Diagnostics, e: FugueError| {
        let span = match &e {
            FugueError::SchemaSyntax { position, .. } => sub_span(lit, *position, 1),
            _ => lit.span(),
        };
        diag.error(
            span,
            format!(
                "invalid schema hint: {e}\n= help: a hint is a schema such as \
                 `a:long,b:str`, or `*` (the input's columns) followed by changes: \
                 `*,c:double`, `*-a`, `*~a`, `*+b:str`"
            ),
        );
    };
    let items = match fugue_core::transform::parse_hint(&text) {
        Ok(items) => items,
        Err(e) => {
            report(diag, e);
            return None;
        }
    };
    match Schema::empty().transform(&text) {
        Ok(schema) => Some(Hint {
            lit: lit.clone(),
            names: star
                .is_none()
                .then(|| schema.names().map(str::to_string).collect()),
            text,
            items,
        }),
        // With `*`, only the syntax can be checked here: columns removed by `-` exist in the
        // input, which the macro does not know.
        Err(e) if star.is_some() && e.kind() != ErrorKind::SchemaSyntax => Some(Hint {
            lit: lit.clone(),
            names: None,
            text,
            items,
        }),
        Err(e) => {
            report(diag, e);
            None
        }
    }
}

fn check_rules(def: &TransformerDef<'_>, diag: &mut Diagnostics) -> Vec<ValidRule> {
    let mut out = Vec::new();
    for arg in &def.args.rules {
        let name = syn::ext::IdentExt::unraw(&arg.key).to_string();
        if !Rule::NAMES.contains(&name.as_str()) {
            let candidates = Rule::NAMES.iter().copied().chain(["schema"]);
            let hint = fugue_core::error::closest_name(&name, candidates)
                .map(|s| format!("\n= help: did you mean `{s}`?"))
                .unwrap_or_default();
            let all = Rule::NAMES
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            diag.error(
                arg.key.span(),
                format!(
                    "unknown validation rule `{name}`{hint}\n= note: the arguments are `schema` \
                     and the validation rules {all}"
                ),
            );
            continue;
        }
        if def.kind.is_co() || def.kind == Kind::Creator {
            diag.error(
                arg.key.span(),
                format!(
                    "`{}` takes no validation rule (as in Fugue: its inputs are zipped or absent)",
                    attr(def)
                ),
            );
            continue;
        }
        match Rule::parse(&name, &arg.value.value()) {
            Ok(rule) => out.push(ValidRule {
                columns: rule_columns(&rule),
                canonical: rule.canonical_value(),
                name,
                value: arg.value.clone(),
            }),
            Err(e) => diag.error(
                arg.value.span(),
                format!("invalid value for validation rule `{name}`: {e}"),
            ),
        }
    }
    out
}

fn rule_columns(rule: &Rule) -> Vec<String> {
    match rule {
        Rule::PartitionByHas(k) | Rule::PartitionByIs(k) => k.clone(),
        Rule::PresortHas(k) | Rule::PresortIs(k) => k.iter().map(|s| s.name.clone()).collect(),
        Rule::InputHas(items) => items.iter().map(|i| i.name.clone()).collect(),
        Rule::InputIs(schema) => schema.names().map(str::to_string).collect(),
    }
}
