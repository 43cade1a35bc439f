//! `show`: print the first rows.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, no_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `show(input [, n] [, title: "..."] [, with_count: true]);`
///
/// Print the first `n` rows (10 by default) when the workflow runs, then `Total count: N` when
/// every row was printed, or always with `with_count: true` (Fugue's `show`).
///
/// ```text
/// show(trips, 5, title: "trips", with_count: true);
/// ```
pub const VERB: Verb = Verb {
    name: "show",
    syntax: "show(input [, n] [, title: \"...\"] [, with_count: true])",
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
    with_count: bool,
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
    let with_count = match args.named("with_count") {
        None => false,
        Some(a) => match syn::parse2::<syn::LitBool>(a.value.clone()) {
            Ok(b) => b.value,
            Err(_) => {
                args.error_value(diag, &a, "`with_count` is `true` or `false`");
                false
            }
        },
    };
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Show(Show {
            n,
            title,
            with_count,
        }),
    })
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Show(s) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let (n, title) = (&s.n, &s.title);
    if s.with_count {
        quote!(#input.show_with_count(#n, #title))
    } else {
        quote!(#input.show(#n, #title))
    }
}
