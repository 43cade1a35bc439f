//! `distinct`: the distinct rows (NULLs equal).

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, same_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `[name =] distinct(input);`
///
/// The distinct rows (NULLs equal).
///
/// ```text
/// uniq = distinct(trips);
/// ```
pub const VERB: Verb = Verb {
    name: "distinct",
    syntax: "[name =] distinct(input)",
    output: true,
    modifier: false,
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
    quote!(#input .distinct())
}
