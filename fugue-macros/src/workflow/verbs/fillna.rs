//! `fillna`: replace NULLs by a value.

use super::{Args, Ctx, Op, Parsed, Verb, names};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::{Call, Column};
use proc_macro2::TokenStream;
use quote::quote;

/// `name = fillna(input, value [, subset: [column, ..]]);`
///
/// Replace NULLs by `value` (a Rust expression converting into a `Value`) in the subset's
/// columns (all by default). Subset columns are checked at compile time.
///
/// ```text
/// filled = fillna(trips, 0.0, subset: [fare]);
/// ```
pub const VERB: Verb = Verb {
    name: "fillna",
    syntax: "name = fillna(input, value [, subset: [column, ..]])",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of a `fillna`.
pub struct FillNa {
    value: TokenStream,
    subset: Option<Vec<Column>>,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let value = args.required(diag, "a value").map(|a| a.value);
    let subset = args.named_columns(diag, "subset");
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::FillNa(FillNa {
            value: value?,
            subset,
        }),
    })
}

/// The input's schema, the filled columns non-nullable.
fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let input = ctx.input_schema(node, 0);
    match &node.op {
        Op::FillNa(FillNa {
            subset: Some(cols), ..
        }) => {
            let names = names(cols);
            quote!(#input.fill_nulls(::core::option::Option::Some(&[#(#names),*])))
        }
        _ => quote!(#input.fill_nulls(::core::option::Option::None)),
    }
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    match &node.op {
        Op::FillNa(FillNa {
            subset: Some(cols), ..
        }) => ctx.column_checks(node, 0, "subset column", cols),
        _ => TokenStream::new(),
    }
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::FillNa(f) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let value = &f.value;
    let subset = match &f.subset {
        Some(cols) => {
            let names = names(cols);
            quote!(::core::option::Option::Some(&[#(#names),*]))
        }
        None => quote!(::core::option::Option::None),
    };
    quote!(#input.fillna(#value, #subset))
}
