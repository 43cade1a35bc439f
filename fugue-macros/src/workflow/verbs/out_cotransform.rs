//! `out_cotransform`: run an `#[output_cotransformer]` over several inputs zipped by key.

use super::{Ctx, Parsed, Verb, cotransform, no_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;

/// `out_cotransform([a, b, ..], function, partition(by: ..) [, how: inner] [, params(..)]
/// [, callback: handler]);`
///
/// Like `cotransform`, for a function that returns nothing; the same compile-time checks
/// apply. It has no output to name.
///
/// ```text
/// out_cotransform([trips, cities], print_pair, partition(by: city));
/// ```
pub const VERB: Verb = Verb {
    name: "out_cotransform",
    syntax: "out_cotransform([a, b, ..], function, partition(by: ..) [, how: inner] [, params(name: value, ..)] [, callback: handler])",
    output: false,
    modifier: false,
    parse,
    schema: no_schema,
    checks: cotransform::checks,
    build,
};

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    cotransform::parse_with(call, VERB.syntax, diag)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    cotransform::build_with(node, ctx, "out_transform")
}
