//! `take`: the first rows, overall or per group.

use super::{Args, Ctx, Op, Parsed, PartitionArg, Verb, same_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = take(input, n [, partition(by: .., presort: ..)]);`
///
/// The first `n` rows after sorting by the presort, per group of `by` keys when given (NULLs
/// last). The partition's columns are checked at compile time, at each column. `by:` and
/// `presort:` may also be written directly, as `aggregate` takes its `by:`.
///
/// ```text
/// top = take(trips, 1, partition(by: city, presort: fare desc));
/// cheapest = take(trips, 1, presort: "fare asc, city");
/// ```
pub const VERB: Verb = Verb {
    name: "take",
    syntax: "name = take(input, n [, partition(by: .., presort: ..)])",
    output: true,
    modifier: false,
    parse,
    schema: same_schema,
    checks,
    build,
};

/// The data of a `take`.
pub struct Take {
    n: TokenStream,
    partition: Option<PartitionArg>,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let n = args.required(diag, "a number of rows").map(|a| a.value);
    let partition = args.partition(diag);
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Take(Take { n: n?, partition }),
    })
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Take(Take {
        partition: Some(pa),
        ..
    }) = &node.op
    else {
        return TokenStream::new();
    };
    let mut out = ctx.column_checks(node, 0, "partition key", &pa.by);
    let sorted: Vec<_> = pa.presort.iter().map(|(c, _, _)| c.clone()).collect();
    out.extend(ctx.column_checks(node, 0, "presort column", &sorted));
    out
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Take(t) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let n = &t.n;
    match &t.partition {
        None => quote!(#input.take(#n, "")),
        Some(pa) => {
            let presort = pa.presort_text();
            let keys = PartitionArg {
                span: pa.span,
                by: pa.by.clone(),
                presort: Vec::new(),
                num: pa.num.clone(),
                algo: pa.algo.clone(),
            }
            .spec_text();
            let partition = (!keys.is_empty()).then(|| quote!(.partition(#keys)));
            quote!(#input #partition .take(#n, #presort))
        }
    }
}
