//! The model of a function given to one of the transformer macros: the attribute's arguments
//! and the signature, each parameter and the return type classified syntactically (on the last
//! path segment), with the user's tokens kept for spans. Only syntax errors are reported here;
//! the rules are in `validate.rs`.

use crate::diag::Diagnostics;
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::spanned::Spanned;

/// The seven macros: fugue-core's vocabulary of extension kinds.
pub use fugue_core::extension::Kind;

/// `key = "value"` in the attribute.
pub struct AttrArg {
    /// The key.
    pub key: syn::Ident,
    /// The value.
    pub value: syn::LitStr,
}

/// The attribute's arguments.
#[derive(Default)]
pub struct AttrArgs {
    /// `schema = "..."`.
    pub schema: Option<syn::LitStr>,
    /// `on_init = path::to::init`: run once per physical partition.
    pub on_init: Option<syn::Path>,
    /// Every other `key = "value"` (validation rules, checked in `validate.rs`), in order.
    pub rules: Vec<AttrArg>,
}

impl AttrArgs {
    /// Parse `key = "value", ...`; duplicates and non-string values are errors.
    pub fn parse(tokens: TokenStream, diag: &mut Diagnostics) -> Self {
        let mut args = AttrArgs::default();
        let parser = |input: syn::parse::ParseStream<'_>| {
            let mut pairs = Vec::new();
            while !input.is_empty() {
                let key = syn::Ident::parse_any(input)?;
                input.parse::<syn::Token![=]>()?;
                let value = if input.peek(syn::Lit) {
                    ArgValue::Lit(input.parse()?)
                } else if key == "on_init" {
                    ArgValue::Path(input.parse().map_err(|e| {
                        syn::Error::new(
                            e.span(),
                            "expected the path of a function after `on_init =`, e.g. \
                             `on_init = load_model`",
                        )
                    })?)
                } else {
                    return Err(syn::Error::new(
                        input.span(),
                        format!("expected a string after `{key} =`"),
                    ));
                };
                pairs.push((key, value));
                if input.is_empty() {
                    break;
                }
                input.parse::<syn::Token![,]>()?;
            }
            Ok(pairs)
        };
        let pairs = match parser.parse2(tokens) {
            Ok(pairs) => pairs,
            Err(e) => {
                diag.push(syn::Error::new(
                    e.span(),
                    format!(
                        "{e}; expected `key = \"value\"` arguments, e.g. \
                         `schema = \"*,score:double\", partitionby_has = \"city\"`"
                    ),
                ));
                return args;
            }
        };
        for (key, value) in pairs {
            let name = key.unraw().to_string();
            let lit = match value {
                ArgValue::Path(path) => {
                    if args.on_init.is_some() {
                        diag.error(key.span(), "duplicate argument `on_init`");
                    } else {
                        args.on_init = Some(path);
                    }
                    continue;
                }
                ArgValue::Lit(lit) if name == "on_init" => {
                    diag.error(
                        lit.span(),
                        "`on_init` takes the path of a function, not a literal: \
                         `on_init = load_model`",
                    );
                    continue;
                }
                ArgValue::Lit(lit) => lit,
            };
            let syn::Lit::Str(value) = lit else {
                diag.error(
                    lit.span(),
                    format!("the value of `{key}` must be a string, e.g. `{key} = \"...\"`"),
                );
                continue;
            };
            let seen = name == "schema" && args.schema.is_some()
                || args.rules.iter().any(|r| r.key == name);
            if seen {
                diag.error(key.span(), format!("duplicate argument `{name}`"));
                continue;
            }
            if name == "schema" {
                args.schema = Some(value);
            } else {
                args.rules.push(AttrArg { key, value });
            }
        }
        args
    }
}

/// The value of an attribute argument.
enum ArgValue {
    /// `key = "..."` (or another literal, reported in `AttrArgs::parse`).
    Lit(syn::Lit),
    /// `on_init = path`.
    Path(syn::Path),
}

/// How a data parameter receives its input.
#[derive(Clone, Copy)]
pub enum DataShape<'a> {
    /// `Vec<T>`
    Rows(&'a syn::Type),
    /// `&[T]`
    Slice(&'a syn::Type),
    /// `impl Iterator<Item = T>`
    RowIter(&'a syn::Type),
    /// `RecordBatch`
    Batch,
    /// `impl Iterator<Item = RecordBatch>`
    BatchIter,
    /// `DataFrame`
    Frame,
    /// `DataFrames`: every input of a processor or outputter, named or positional.
    Frames,
}

impl DataShape<'_> {
    /// The record type of typed rows.
    pub fn record(&self) -> Option<&syn::Type> {
        match self {
            DataShape::Rows(t) | DataShape::Slice(t) | DataShape::RowIter(t) => Some(t),
            _ => None,
        }
    }
}

/// What a parameter is, from its type.
pub enum Role<'a> {
    /// Data.
    Data(DataShape<'a>),
    /// A data-shaped type the macros cannot map to a schema, and why.
    Unsupported(String),
    /// `Callback` or `Option<Callback>`.
    Callback {
        /// `Option<Callback>`.
        optional: bool,
    },
    /// `PartitionCursor` or `&PartitionCursor`.
    Cursor {
        /// `&PartitionCursor`.
        by_ref: bool,
    },
    /// `&S` or `Arc<S>` (not `&str`, not a slice, not the cursor): the state `on_init` made for
    /// the call's physical partition.
    State {
        /// `S`.
        ty: &'a syn::Type,
        /// `&S` (else `Arc<S>`).
        by_ref: bool,
    },
    /// `&dyn ExecutionEngine`: the engine a driver-side function runs on.
    Engine,
    /// Any other type: filled from the step's parameters by name.
    Param,
}

/// One parameter.
pub struct ParamDef<'a> {
    /// The pattern's identifier (for parameter names), or `arg<i>`.
    pub name: String,
    /// The pattern's span.
    pub pat_span: Span,
    /// The type.
    pub ty: &'a syn::Type,
    /// What it is.
    pub role: Role<'a>,
}

/// What the function returns.
pub enum OutShape<'a> {
    /// Nothing.
    Unit,
    /// `Vec<T>`
    Rows(&'a syn::Type),
    /// One row `T`.
    Row(&'a syn::Type),
    /// `impl Iterator<Item = T>`
    RowIter(&'a syn::Type),
    /// `RecordBatch`
    Batch,
    /// `impl Iterator<Item = RecordBatch>`
    BatchIter,
    /// `impl Iterator<Item = Result<RecordBatch, E>>`
    ResultBatchIter(&'a syn::Type),
    /// `DataFrame`
    Frame,
    /// A type the macros cannot map to a schema, and why.
    Unsupported(String),
}

impl OutShape<'_> {
    /// Whether the schema is known only at run time.
    pub fn is_dynamic(&self) -> bool {
        matches!(
            self,
            OutShape::Batch | OutShape::BatchIter | OutShape::ResultBatchIter(_) | OutShape::Frame
        )
    }

    /// Whether the output is an iterator, read after the call returns.
    pub fn is_lazy(&self) -> bool {
        matches!(
            self,
            OutShape::RowIter(_) | OutShape::BatchIter | OutShape::ResultBatchIter(_)
        )
    }

    /// The record type of typed rows.
    pub fn record(&self) -> Option<&syn::Type> {
        match self {
            OutShape::Rows(t) | OutShape::Row(t) | OutShape::RowIter(t) => Some(t),
            _ => None,
        }
    }
}

/// The return type.
pub struct OutputDef<'a> {
    /// The error type of `Result<_, E>`.
    pub error: Option<&'a syn::Type>,
    /// The data.
    pub shape: OutShape<'a>,
    /// The function name's span (for a missing return type).
    pub span: Span,
    /// The return type.
    pub ty: Option<&'a syn::Type>,
}

/// A function given to one of the macros.
pub struct TransformerDef<'a> {
    /// Which macro.
    pub kind: Kind,
    /// The function.
    pub item: &'a syn::ItemFn,
    /// The attribute's arguments.
    pub args: AttrArgs,
    /// The typed parameters, in order (a `self` receiver is reported in `validate.rs`).
    pub params: Vec<ParamDef<'a>>,
    /// The return type.
    pub output: OutputDef<'a>,
}

impl<'a> TransformerDef<'a> {
    /// The model of `item`.
    pub fn from_syn(kind: Kind, args: AttrArgs, item: &'a syn::ItemFn) -> Self {
        let params = item
            .sig
            .inputs
            .iter()
            .enumerate()
            .filter_map(|(i, arg)| match arg {
                syn::FnArg::Typed(pt) => Some(ParamDef {
                    name: match &*pt.pat {
                        syn::Pat::Ident(p) => p.ident.unraw().to_string(),
                        _ => format!("arg{i}"),
                    },
                    pat_span: pt.pat.span(),
                    ty: &pt.ty,
                    role: classify_param(&pt.ty),
                }),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        let output = match &item.sig.output {
            syn::ReturnType::Default => OutputDef {
                error: None,
                shape: OutShape::Unit,
                span: item.sig.ident.span(),
                ty: None,
            },
            syn::ReturnType::Type(_, ty) => {
                let (error, data) = match result_args(ty) {
                    Some((ok, err)) => (Some(err), ok),
                    None => (None, &**ty),
                };
                OutputDef {
                    error,
                    shape: classify_output(data),
                    span: item.sig.ident.span(),
                    ty: Some(ty),
                }
            }
        };
        TransformerDef {
            kind,
            item,
            args,
            params,
            output,
        }
    }
}

/// The last segment of a plain path type.
pub fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        syn::Type::Group(g) => last_segment(&g.elem),
        syn::Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

/// The type arguments of a path segment.
fn type_args(segment: &syn::PathSegment) -> Vec<&syn::Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `X` of a type whose last segment is `name<X>`.
fn single_arg<'t>(ty: &'t syn::Type, name: &str) -> Option<&'t syn::Type> {
    let segment = last_segment(ty)?;
    if segment.ident != name {
        return None;
    }
    match type_args(segment).as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// `dyn ExecutionEngine` (with any lifetime bound).
fn is_engine(ty: &syn::Type) -> bool {
    let syn::Type::TraitObject(object) = ty else {
        return false;
    };
    object.bounds.iter().any(|bound| {
        matches!(bound, syn::TypeParamBound::Trait(t)
            if t.path.segments.last().is_some_and(|s| s.ident == "ExecutionEngine"))
    })
}

fn is_named(ty: &syn::Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name && s.arguments.is_none())
}

/// `(T, E)` of `Result<T, E>`.
fn result_args(ty: &syn::Type) -> Option<(&syn::Type, &syn::Type)> {
    let segment = last_segment(ty)?;
    if segment.ident != "Result" {
        return None;
    }
    match type_args(segment).as_slice() {
        [ok, err] => Some((ok, err)),
        _ => None,
    }
}

/// `X` of `impl Iterator<Item = X>` (with any extra bounds such as `+ Send`).
fn iterator_item(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::ImplTrait(it) = ty else {
        return None;
    };
    it.bounds.iter().find_map(|b| match b {
        syn::TypeParamBound::Trait(t) => {
            let segment = t.path.segments.last()?;
            if segment.ident != "Iterator" {
                return None;
            }
            match &segment.arguments {
                syn::PathArguments::AngleBracketed(args) => {
                    args.args.iter().find_map(|a| match a {
                        syn::GenericArgument::AssocType(at) if at.ident == "Item" => Some(&at.ty),
                        _ => None,
                    })
                }
                _ => None,
            }
        }
        _ => None,
    })
}

fn is_tuple(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Tuple(t) if !t.elems.is_empty())
}

/// Why a row type cannot be one, if it obviously cannot.
fn bad_row(ty: &syn::Type) -> Option<String> {
    if is_tuple(ty) {
        return Some("tuples have no column names".to_string());
    }
    if is_named(ty, "RecordBatch") {
        return Some(
            "a `Vec<RecordBatch>` is not a shape; take `impl Iterator<Item = RecordBatch>`"
                .to_string(),
        );
    }
    None
}

fn row_shape<'t>(t: &'t syn::Type, shape: fn(&'t syn::Type) -> DataShape<'t>) -> Role<'t> {
    match bad_row(t) {
        Some(reason) => Role::Unsupported(reason),
        None => Role::Data(shape(t)),
    }
}

/// What a parameter is.
pub fn classify_param(ty: &syn::Type) -> Role<'_> {
    if let Some(t) = single_arg(ty, "Vec") {
        return row_shape(t, DataShape::Rows);
    }
    if let syn::Type::Reference(r) = ty {
        if let syn::Type::Slice(s) = &*r.elem {
            return row_shape(&s.elem, DataShape::Slice);
        }
        if is_named(&r.elem, "PartitionCursor") {
            return Role::Cursor { by_ref: true };
        }
        if is_engine(&r.elem) {
            return Role::Engine;
        }
        if !is_named(&r.elem, "str") {
            return Role::State {
                ty: &r.elem,
                by_ref: true,
            };
        }
    }
    if let Some(t) = single_arg(ty, "Arc") {
        if is_engine(t) {
            return Role::Unsupported(
                "a function receives the engine as `&dyn ExecutionEngine`".to_string(),
            );
        }
        return Role::State {
            ty: t,
            by_ref: false,
        };
    }
    if let Some(item) = iterator_item(ty) {
        if is_named(item, "RecordBatch") {
            return Role::Data(DataShape::BatchIter);
        }
        if result_args(item).is_some() {
            return Role::Unsupported(
                "an input iterator yields rows or batches, not results".to_string(),
            );
        }
        return row_shape(item, DataShape::RowIter);
    }
    if is_tuple(ty) {
        return Role::Unsupported("tuples have no column names".to_string());
    }
    if is_named(ty, "RecordBatch") {
        return Role::Data(DataShape::Batch);
    }
    if is_named(ty, "DataFrame") {
        return Role::Data(DataShape::Frame);
    }
    if is_named(ty, "DataFrames") {
        return Role::Data(DataShape::Frames);
    }
    if is_engine(ty) {
        return Role::Unsupported(
            "a function receives the engine as `&dyn ExecutionEngine`".to_string(),
        );
    }
    if is_named(ty, "Callback") {
        return Role::Callback { optional: false };
    }
    if single_arg(ty, "Option").is_some_and(|t| is_named(t, "Callback")) {
        return Role::Callback { optional: true };
    }
    if is_named(ty, "PartitionCursor") {
        return Role::Cursor { by_ref: false };
    }
    Role::Param
}

/// What a return type (inside `Result`, if any) is.
pub fn classify_output(ty: &syn::Type) -> OutShape<'_> {
    if matches!(ty, syn::Type::Tuple(t) if t.elems.is_empty()) {
        return OutShape::Unit;
    }
    if let Some(t) = single_arg(ty, "Vec") {
        return match bad_row(t) {
            Some(reason) => OutShape::Unsupported(reason),
            None => OutShape::Rows(t),
        };
    }
    if let Some(item) = iterator_item(ty) {
        if is_named(item, "RecordBatch") {
            return OutShape::BatchIter;
        }
        if let Some((ok, err)) = result_args(item) {
            if is_named(ok, "RecordBatch") {
                return OutShape::ResultBatchIter(err);
            }
            return OutShape::Unsupported(
                "an iterator of results must yield `Result<RecordBatch, E>`".to_string(),
            );
        }
        return match bad_row(item) {
            Some(reason) => OutShape::Unsupported(reason),
            None => OutShape::RowIter(item),
        };
    }
    if is_tuple(ty) {
        return OutShape::Unsupported("tuples have no column names".to_string());
    }
    if is_named(ty, "RecordBatch") {
        return OutShape::Batch;
    }
    if is_named(ty, "DataFrame") {
        return OutShape::Frame;
    }
    match ty {
        syn::Type::Path(_) => OutShape::Row(ty),
        _ => OutShape::Unsupported("the macros cannot map this type to a schema".to_string()),
    }
}
