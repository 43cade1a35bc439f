//! `assign`: columns computed by SQL expressions.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = assign(input, column = "SQL expression", ..);`
///
/// Add or replace columns. The expressions are checked at run time; the new columns' types are
/// known only then (later checks of their types pass at compile time).
///
/// ```text
/// priced = assign(trips, total = "fare + tip");
/// ```
pub const VERB: Verb = Verb {
    name: "assign",
    syntax: "name = assign(input, column = \"SQL expression\", ..)",
    output: true,
    modifier: false,
    parse,
    schema,
    checks: no_checks,
    build,
};

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let columns = args.assigned(diag);
    if columns.is_empty() && input.is_some() {
        args.error(
            diag,
            call.paren,
            "`assign` needs at least one `column = \"expression\"`",
        );
    }
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Assign(columns),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Assign(columns) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_schema(node, 0);
    let names = columns.iter().map(|(c, _)| &c.name);
    quote!(#input.assign(&[#(#names),*]))
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Assign(columns) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let pairs = columns.iter().map(|(c, e)| {
        let name = &c.name;
        quote!((#name, #e))
    });
    quote!(#input.assign(&[#(#pairs),*]))
}
