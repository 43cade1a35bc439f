//! `sample`: random rows.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, same_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = sample(input, n: count | frac: fraction [, replace: true] [, seed: 42]);`
///
/// `n` random rows or a fraction of them (exactly one of the two).
///
/// ```text
/// some = sample(trips, frac: 0.5, seed: 7);
/// ```
pub const VERB: Verb = Verb {
    name: "sample",
    syntax: "name = sample(input, n: count | frac: fraction [, replace: true] [, seed: 42])",
    output: true,
    modifier: false,
    parse,
    schema: same_schema,
    checks: no_checks,
    build,
};

/// The data of a `sample`.
pub struct Sample {
    n: Option<TokenStream>,
    frac: Option<TokenStream>,
    replace: TokenStream,
    seed: TokenStream,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let n = args.named("n").map(|a| a.value);
    let frac = args.named("frac").map(|a| a.value);
    if n.is_some() == frac.is_some() {
        args.error(
            diag,
            call.paren,
            "`sample` takes exactly one of `n: count` and `frac: fraction`",
        );
    }
    let replace = args
        .named("replace")
        .map_or_else(|| quote!(false), |a| a.value);
    let seed = args.named("seed").map_or_else(
        || quote!(::core::option::Option::None),
        |a| {
            let v = a.value;
            quote!(::core::option::Option::Some(#v))
        },
    );
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Sample(Sample {
            n,
            frac,
            replace,
            seed,
        }),
    })
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Sample(s) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let (replace, seed) = (&s.replace, &s.seed);
    match (&s.n, &s.frac) {
        (Some(n), _) => quote!(#input.sample_n(#n, #replace, #seed)),
        (None, Some(frac)) => quote!(#input.sample_frac(#frac, #replace, #seed)),
        (None, None) => TokenStream::new(),
    }
}
