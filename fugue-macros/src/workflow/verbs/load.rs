//! `load`: read files.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = load(path [, format: "csv"] [, columns: "a:int,b:str"]) [as Record];`
///
/// Read a file, a folder or a glob (`path` is any Rust expression giving a string). The schema
/// is known at compile time from `as Record` (a `#[derive(Schema)]` type) or from `columns:`
/// (a schema expression, checked when the macro runs); otherwise only at run time.
///
/// ```text
/// trips = load("trips.parquet") as Trip;
/// raw   = load(path, format: "csv", columns: "a:int,b:str");
/// ```
pub const VERB: Verb = Verb {
    name: "load",
    syntax: "name = load(path [, format: \"csv\"] [, columns: \"a:int,b:str\"]) [as Record]",
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
    if let Some(record) = &node.record {
        out.extend(quote!(.schema(<#record as ::fugue::__private::Record>::schema())));
    }
    out
}
