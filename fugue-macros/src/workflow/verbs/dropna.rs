//! `dropna`: drop rows with NULLs.

use super::{Args, Ctx, Op, Parsed, Verb, names};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::{Call, Column};
use fugue_core::options::DropHow;
use fugue_core::rules::dropna_leaves_no_null;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = dropna(input [, how: any | all] [, subset: [column, ..]]);`
///
/// Drop the rows with a NULL (`any`, the default) or only NULLs (`all`) in the subset's
/// columns (all columns by default). Subset columns are checked at compile time.
///
/// ```text
/// clean = dropna(trips, how: any, subset: [fare]);
/// ```
pub const VERB: Verb = Verb {
    name: "dropna",
    syntax: "name = dropna(input [, how: any | all] [, subset: [column, ..]])",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of a `dropna`.
pub struct DropNa {
    how: DropHow,
    subset: Option<Vec<Column>>,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let how = args
        .named_choice(diag, "how", DropHow::SPELLINGS)
        .unwrap_or_default();
    let subset = args.named_columns(diag, "subset");
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::DropNa(DropNa { how, subset }),
    })
}

/// The input's schema; after `how: any` (or `all` over one column) the checked columns are
/// non-nullable.
fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let input = ctx.input_schema(node, 0);
    let Op::DropNa(d) = &node.op else {
        return quote!(#input);
    };
    let checked = d.subset.as_ref().map(Vec::len);
    if !dropna_leaves_no_null(d.how, None, checked) {
        return quote!(#input);
    }
    match &d.subset {
        Some(cols) => {
            let names = names(cols);
            quote!(#input.fill_nulls(::core::option::Option::Some(&[#(#names),*])))
        }
        None => quote!(#input.fill_nulls(::core::option::Option::None)),
    }
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    match &node.op {
        Op::DropNa(DropNa {
            subset: Some(cols), ..
        }) => ctx.column_checks(node, 0, "subset column", cols),
        _ => TokenStream::new(),
    }
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::DropNa(d) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let how = ctx.choice("DropHow", d.how);
    let subset = match &d.subset {
        Some(cols) => {
            let names = names(cols);
            quote!(::core::option::Option::Some(&[#(#names),*]))
        }
        None => quote!(::core::option::Option::None),
    };
    quote!(#input.dropna(#how, ::core::option::Option::None, #subset))
}
