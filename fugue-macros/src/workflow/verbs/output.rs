//! `output`: run an `#[outputter]` on the driver over whole frames.

use super::{Ctx, Parsed, Verb, no_schema, process};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;

/// `output(input | [a, b] | [name: a, ..], function [, params(name: value, ..)]);`
///
/// Run an `#[outputter]` once over the whole input frames; typed inputs are checked like
/// `process`'s. It has no output to name.
///
/// ```text
/// output(trips, report);
/// ```
pub const VERB: Verb = Verb {
    name: "output",
    syntax: "output(input | [a, b] | [name: a, ..], function [, params(name: value, ..)])",
    output: false,
    modifier: false,
    parse,
    schema: no_schema,
    checks: process::checks,
    build,
};

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    process::parse_with(call, VERB.syntax, diag)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    process::build_with(node, ctx, "output")
}
