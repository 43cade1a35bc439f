//! `load`: read files.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use fugue_core::options::LOAD_OPTIONS;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = load(path [, format: "csv"] [, columns: "a:int,b:str"] [, header: bool]
/// [, delimiter: ';'] [, null: "NA"] [, infer_schema: bool]) [as Record];`
///
/// Read a file, a folder or a glob (`path` is any Rust expression giving a string). The schema
/// is known at compile time from `as Record` (a `#[derive(Schema)]` type) or from `columns:`
/// (a schema expression, checked when the macro runs); otherwise only at run time. CSV options:
/// `header` (default `true`: the first line names the columns), `delimiter`, `null` (the text
/// that reads as NULL, besides an empty field), `infer_schema` (default `false`: text columns);
/// their values are checked when the macro runs. A file read with `header: false` whose first
/// line fails to parse and looks like a header gets a hint saying so.
///
/// ```text
/// raw = load(&trips_csv, format: "csv", columns: "city:str,fare:double");
/// typed = load(&trips_csv, format: "csv") as Trip;
/// semi = load(&semicolon_csv, delimiter: ';', null: "NA", columns: "city:str,fare:double");
/// ```
pub const VERB: Verb = Verb {
    name: "load",
    syntax: "name = load(path [, format: \"csv\"] [, columns: \"a:int,b:str\"] [, header: bool] \
             [, delimiter: ';'] [, null: \"NA\"] [, infer_schema: bool]) [as Record]",
    output: true,
    modifier: false,
    parse,
    schema,
    checks: no_checks,
    build,
};

/// The data of a `load`.
pub struct Load {
    path: TokenStream,
    format: Option<TokenStream>,
    /// The schema expression and its const columns.
    columns: Option<(String, TokenStream)>,
    /// The format options, as the builder's `option(name, value)`.
    options: Vec<(String, String)>,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let path = args.required(diag, "a path")?.value;
    let format = args.named("format").map(|a| a.value);
    let columns = match args.named("columns") {
        None => None,
        Some(arg) => match syn::parse2::<syn::LitStr>(arg.value.clone()) {
            Ok(lit) => match super::super::schema_check::const_columns(&lit.value()) {
                Ok(tokens) => Some((lit.value(), tokens)),
                Err(e) => {
                    args.error(diag, lit.span(), e.to_string());
                    None
                }
            },
            Err(_) => {
                args.error_value(diag, &arg,
                    "`columns` is a schema expression in a string literal: `columns: \"a:int,b:str\"`",
                );
                None
            }
        },
    };
    let options = args.format_options(diag, LOAD_OPTIONS);
    if columns.is_some() && call.record.is_some() {
        args.error(
            diag,
            call.verb.span(),
            "give the schema of `load` once: `as Record` or `columns: \"..\"`",
        );
    }
    args.finish(diag).then_some(Parsed {
        inputs: Vec::new(),
        op: Op::Load(Load {
            path,
            format,
            columns,
            options,
        }),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let p = ctx.p();
    match (&node.op, &node.record) {
        (_, Some(record)) => {
            quote!(#p::ConstSchema::of_columns(<#record as ::fugue::__private::Record>::COLUMNS))
        }
        (
            Op::Load(Load {
                columns: Some((_, cols)),
                ..
            }),
            None,
        ) => quote!(#p::ConstSchema::of_expression(#cols)),
        _ => quote!(#p::ConstSchema::UNKNOWN),
    }
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Load(load) = &node.op else {
        return TokenStream::new();
    };
    let path = &load.path;
    let wf = ctx.wf();
    let mut out = quote!(#wf.load(#path));
    if let Some(format) = &load.format {
        out.extend(quote!(.format(#format)));
    }
    if let Some((text, _)) = &load.columns {
        out.extend(quote!(.schema(#text)));
    }
    for (name, value) in &load.options {
        out.extend(quote!(.option(#name, #value)));
    }
    if let Some(record) = &node.record {
        out.extend(quote!(.schema(<#record as ::fugue::__private::Record>::schema())));
    }
    out
}
