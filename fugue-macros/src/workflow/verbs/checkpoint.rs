//! `checkpoint`: keep a step's output (weak, strong or deterministic).

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, same_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::quote;

/// `checkpoint(input [, weak | strong | deterministic]);`
///
/// Checkpoint the input step (reference §6): `weak` keeps it in memory, `strong` (the default)
/// writes it under `fugue.workflow.checkpoint.path` for the run, `deterministic` reuses it
/// across runs while the step's inputs, parameters and functions are unchanged. It changes the
/// input step; named, it is the same frame.
///
/// ```text
/// ranked = transform(trips, rank, partition(by: city, presort: fare desc), params(top: 2));
/// checkpoint(ranked, weak);
/// ```
pub const VERB: Verb = Verb {
    name: "checkpoint",
    syntax: "checkpoint(input [, weak | strong | deterministic])",
    output: true,
    modifier: true,
    parse,
    schema: same_schema,
    checks: no_checks,
    build,
};

/// The kind of checkpoint.
#[derive(Clone, Copy)]
pub enum Kind {
    /// In memory.
    Weak,
    /// A file for the run.
    Strong,
    /// A file reused across runs.
    Deterministic,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let kind = match args.positional() {
        None => Kind::Strong,
        Some(arg) => match arg.ident().map(|i| i.to_string()).as_deref() {
            Some("weak") => Kind::Weak,
            Some("strong") => Kind::Strong,
            Some("deterministic") => Kind::Deterministic,
            _ => {
                args.error_value(
                    diag,
                    &arg,
                    "the kind of checkpoint is `weak`, `strong` or `deterministic`",
                );
                Kind::Strong
            }
        },
    };
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Checkpoint(kind),
    })
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Checkpoint(kind) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    match kind {
        Kind::Weak => quote!(#input.weak_checkpoint()),
        Kind::Strong => quote!(#input.strong_checkpoint()),
        Kind::Deterministic => quote!(#input.checkpoint_deterministic()),
    }
}
