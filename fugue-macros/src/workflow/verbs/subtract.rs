//! `subtract`: the rows of the first input that are in none of the others.

use super::{Ctx, Parsed, Verb, same_schema, union};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;

/// `name = subtract(a, b, .. [, distinct: false]);`
///
/// The inputs must have the same schema (names, order, types): checked at compile time at
/// each later input, as for `union`.
///
/// ```text
/// paris = filter(trips, "city = 'Paris'");
/// elsewhere = subtract(trips, paris);
/// ```
pub const VERB: Verb = Verb {
    name: "subtract",
    syntax: "name = subtract(a, b, .. [, distinct: false])",
    output: true,
    modifier: false,
    parse,
    schema: same_schema,
    checks: union::checks,
    build,
};

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    union::parse_set_op(call, VERB.syntax, diag)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    union::build_set_op(node, ctx)
}
