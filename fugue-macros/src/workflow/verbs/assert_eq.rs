//! `assert_eq` and `assert_not_eq`: fail the run unless frames hold the same rows (or unless
//! they differ).

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, no_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `assert_eq(a, b, ..);`
///
/// Fail the run unless every later input holds the first one's rows, in any order (floats
/// equal to 8 decimals), under the same schema: the schemas are checked at compile time where
/// they are known (at each later input), the rows when the step runs (Fugue's `assert_eq`).
///
/// ```text
/// same = select(trips, city, fare);
/// assert_eq(trips, same);
/// ```
pub const VERB: Verb = Verb {
    name: "assert_eq",
    syntax: "assert_eq(a, b, ..)",
    output: false,
    modifier: false,
    parse,
    schema: no_schema,
    checks: super::union::checks,
    build,
};

/// `assert_not_eq(a, b, ..);`
///
/// Fail the run if a later input holds the first one's rows (Fugue's `assert_not_eq`).
///
/// ```text
/// paid = filter(trips, "fare > 8");
/// assert_not_eq(trips, paid);
/// ```
pub const NOT_VERB: Verb = Verb {
    name: "assert_not_eq",
    syntax: "assert_not_eq(a, b, ..)",
    output: false,
    modifier: false,
    parse: parse_not,
    schema: no_schema,
    checks: no_checks,
    build,
};

fn parse_with(call: &Call, syntax: &'static str, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, syntax);
    let inputs = super::union::two_or_more_inputs(&mut args, call, syntax, diag);
    args.finish(diag).then_some(Parsed {
        inputs,
        op: Op::Plain,
    })
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    parse_with(call, VERB.syntax, diag)
}

fn parse_not(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    parse_with(call, NOT_VERB.syntax, diag)
}

/// `a.assert_eq(&[b, c])`.
fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let method = format_ident!("{}", node.verb.name);
    let first = ctx.input_handle(node, 0);
    let others = (1..node.inputs.len()).map(|i| ctx.input_handle(node, i));
    quote!(#first.#method(&[#(#others),*]))
}
