//! `save_and_use`: write a frame to a file and continue with what was written.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, same_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use fugue_core::options::SaveMode;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = save_and_use(input, path [, mode: overwrite | append | error]);`
///
/// Write the input to `path` (format from the extension), then continue with the data read
/// back from it, under the input's schema (Fugue's `save_and_use`).
///
/// ```text
/// stored = save_and_use(trips, &out);
/// ```
pub const VERB: Verb = Verb {
    name: "save_and_use",
    syntax: "name = save_and_use(input, path [, mode: overwrite | append | error])",
    output: true,
    modifier: false,
    parse,
    schema: same_schema,
    checks: no_checks,
    build,
};

/// The data of a `save_and_use`.
pub struct SaveAndUse {
    path: TokenStream,
    mode: SaveMode,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let path = args.required(diag, "a path").map(|a| a.value);
    let mode = args
        .named_choice(diag, "mode", SaveMode::SPELLINGS)
        .unwrap_or_default();
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::SaveAndUse(SaveAndUse { path: path?, mode }),
    })
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::SaveAndUse(s) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let (path, mode) = (&s.path, ctx.choice("SaveMode", s.mode));
    quote!(#input.save_and_use(#path, #mode))
}
