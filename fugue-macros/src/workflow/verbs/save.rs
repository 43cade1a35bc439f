//! `save`: write a frame to a file.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks, no_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use fugue_core::options::{SAVE_OPTIONS, SaveMode};
use proc_macro2::TokenStream;
use quote::quote;

/// `save(input, path [, mode: overwrite | append | error] [, format: "parquet"]
/// [, header: bool] [, delimiter: ';'] [, compression: zstd]);`
///
/// Write the input to `path` (any Rust expression giving a string) in the format of its
/// extension or the one given; `mode` defaults to `overwrite`. CSV options: `header` (default
/// `true`), `delimiter`; parquet: `compression` (default `snappy`).
///
/// ```text
/// save(trips, &out, mode: overwrite);
/// save(trips, &out_csv, delimiter: ';');
/// ```
pub const VERB: Verb = Verb {
    name: "save",
    syntax: "save(input, path [, mode: overwrite | append | error] [, format: \"parquet\"] \
             [, header: bool] [, delimiter: ';'] [, compression: zstd])",
    output: false,
    modifier: false,
    parse,
    schema: no_schema,
    checks: no_checks,
    build,
};

/// The data of a `save`.
pub struct Save {
    path: TokenStream,
    mode: SaveMode,
    format: Option<TokenStream>,
    /// The format options, as the builder's `option(name, value)`.
    options: Vec<(String, String)>,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let path = args.required(diag, "a path").map(|a| a.value);
    let mode = args
        .named_choice(diag, "mode", SaveMode::SPELLINGS)
        .unwrap_or_default();
    let format = args.named("format").map(|a| a.value);
    let options = args.format_options(diag, SAVE_OPTIONS);
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Save(Save {
            path: path?,
            mode,
            format,
            options,
        }),
    })
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Save(s) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let (path, mode) = (&s.path, ctx.choice("SaveMode", s.mode));
    let options = s
        .options
        .iter()
        .map(|(name, value)| quote!(.option(#name, #value)));
    match &s.format {
        Some(format) => quote!(#input.save_as(#path, #mode, #format) #(#options)*),
        None => quote!(#input.save(#path, #mode) #(#options)*),
    }
}
