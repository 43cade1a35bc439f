//! `select`: keep some columns, in order.

use super::{Args, Ctx, Op, Parsed, Verb, names};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = select(input, column, ..);`
///
/// The listed columns (identifiers, or string literals for other names), in that order. Each
/// must be a column of the input: checked at compile time, at the column, with the closest
/// name suggested. (SQL expressions go in `assign`.)
///
/// ```text
/// slim = select(trips, city);
/// ```
pub const VERB: Verb = Verb {
    name: "select",
    syntax: "name = select(input, column, ..)",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let columns = args.rest_columns(diag);
    if call.args.len() < 2 && input.is_some() {
        args.error(
            diag,
            call.paren,
            "`select` needs at least one column: `select(input, a, b)`",
        );
    }
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Columns(columns),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Columns(columns) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_schema(node, 0);
    let names = names(columns);
    quote!(#input.select(&[#(#names),*]))
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Columns(columns) = &node.op else {
        return TokenStream::new();
    };
    let mut out = ctx.column_checks(node, 0, "selected column", columns);
    out.extend(ctx.columns_op_check(node, "select", &names(columns), &[]));
    out
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Columns(columns) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let names = names(columns).into_iter().map(super::sql_name);
    quote!(#input.select(&[#(#names),*]))
}
