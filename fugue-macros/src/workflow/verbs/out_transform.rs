//! `out_transform`: run an `#[output_transformer]` once per logical partition.

use super::{Ctx, Parsed, Verb, no_schema, transform};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;

/// `out_transform(input, function [, partition(..)] [, params(..)] [, callback: handler]);`
///
/// Like `transform`, for a function that returns nothing (an `#[output_transformer]`); the
/// same compile-time checks apply. It has no output to name.
///
/// ```text
/// out_transform(trips, print_city, partition(by: city));
/// ```
pub const VERB: Verb = Verb {
    name: "out_transform",
    syntax: "out_transform(input, function [, partition(by: .., presort: ..)] [, params(name: value, ..)] [, callback: handler])",
    output: false,
    modifier: false,
    parse,
    schema: no_schema,
    checks: transform::checks,
    build,
};

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    transform::parse_with(call, VERB.syntax, diag)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    transform::build_with(node, ctx, "out_transform")
}
