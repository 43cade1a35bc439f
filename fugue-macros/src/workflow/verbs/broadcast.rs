//! `broadcast`: mark the output for broadcast; the same frame.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, same_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `[name =] broadcast(input);`
///
/// Mark the output for broadcast; the same frame.
///
/// ```text
/// broadcast(cities);
/// ```
pub const VERB: Verb = Verb {
    name: "broadcast",
    syntax: "[name =] broadcast(input)",
    output: true,
    modifier: true,
    parse,
    schema: same_schema,
    checks: no_checks,
    build,
};

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Plain,
    })
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let input = ctx.input_handle(node, 0);
    quote!(#input .broadcast())
}
