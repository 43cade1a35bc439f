//! `show`: print the first rows.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, no_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `show(input [, n] [, title: "..."]);`
///
/// Print the first `n` rows (10 by default) when the workflow runs.
///
/// ```text
/// show(top, 5, title: "best");
/// ```
pub const VERB: Verb = Verb {
    name: "show",
    syntax: "show(input [, n] [, title: \"...\"])",
    output: false,
    modifier: false,
    parse,
    schema: no_schema,
    checks: no_checks,
    build,
};

/// The data of a `show`.
pub struct Show {
    n: TokenStream,
    title: TokenStream,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let n = args.positional().map_or_else(|| quote!(10), |a| a.value);
    let title = args.named("title").map_or_else(
        || quote!(::core::option::Option::None),
        |a| {
            let v = a.value;
            quote!(::core::option::Option::Some(#v))
        },
    );
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Show(Show { n, title }),
    })
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Show(s) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let (n, title) = (&s.n, &s.title);
    quote!(#input.show(#n, #title))
}
