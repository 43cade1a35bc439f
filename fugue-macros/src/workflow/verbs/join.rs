//! `join`: join two frames on key columns.

use super::{Args, Ctx, Op, Parsed, Verb, names};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::{Call, Column};
use fugue_core::rules::JoinKind;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

/// `name = join(left, right, how: inner, on: [key, ..]);`
///
/// Join two frames (`how`: `inner` (the default), `left_outer`, `right_outer`, `full_outer`,
/// `semi`, `anti`, `cross`). Each key must be a column of both inputs, of the same type:
/// checked at compile time where both schemas are known, at the key.
///
/// ```text
/// joined = join(trips, cities, how: left_outer, on: [city]);
/// ```
pub const VERB: Verb = Verb {
    name: "join",
    syntax: "name = join(left, right, how: inner, on: [key, ..])",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of a `join`.
pub struct Join {
    how: JoinKind,
    on: Vec<Column>,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let left = args.step(diag, "the left input");
    let right = args.step(diag, "the right input");
    // The spellings of fugue-core's join vocabulary (Fugue's aliases included).
    let how = args
        .named_choice(diag, "how", JoinKind::SPELLINGS)
        .unwrap_or(JoinKind::Inner);
    let on = args.named_columns(diag, "on").unwrap_or_default();
    let ok = args.finish(diag);
    let (left, right) = (left?, right?);
    ok.then_some(Parsed {
        inputs: vec![left, right],
        op: Op::Join(Join { how, on }),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Join(j) = &node.op else {
        return TokenStream::new();
    };
    let (left, right) = (ctx.input_schema(node, 0), ctx.input_schema(node, 1));
    let how = kind(j.how);
    let on = names(&j.on);
    let p = ctx.p();
    quote!(#left.join(&#right, #p::JoinKind::#how, &[#(#on),*]))
}

/// The `JoinKind` variant, as tokens.
fn kind(how: JoinKind) -> proc_macro2::Ident {
    proc_macro2::Ident::new(&format!("{how:?}"), proc_macro2::Span::call_site())
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Join(j) = &node.op else {
        return TokenStream::new();
    };
    let step = ctx.step_const(node.index);
    let (left, right) = (ctx.input_schema(node, 0), ctx.input_schema(node, 1));
    let (left_name, right_name) = (ctx.input_name(node, 0), ctx.input_name(node, 1));
    // The rules beyond each key (shared non-key columns, an inferred key, a cross join), at the
    // right input.
    let how = kind(j.how);
    let on = names(&j.on);
    let span = node.inputs[1].name.span();
    let p = ctx.p_at(span);
    let whole = quote_spanned! {span=>
        const _: () = match #p::check_join(
            &#step, #p::JoinKind::#how, &[#(#on),*], #left_name, &#left, #right_name, &#right,
        ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
    };
    let keys: TokenStream = j.on.iter()
        .map(|key| {
            let name = &key.name;
            let p = ctx.p_at(key.span);
            quote_spanned! {key.span=>
                const _: () = match #p::check_join_key(
                    &#step, #name, #left_name, &#left, #right_name, &#right,
                ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
            }
        })
        .collect();
    quote!(#keys #whole)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Join(j) = &node.op else {
        return TokenStream::new();
    };
    let (left, right) = (ctx.input_handle(node, 0), ctx.input_handle(node, 1));
    let how = ctx.choice("JoinKind", j.how);
    if j.how == JoinKind::Cross {
        return quote!(#left.cross_join(#right));
    }
    let on = names(&j.on);
    quote!(#left.join(#right, #how, &[#(#on),*]))
}
