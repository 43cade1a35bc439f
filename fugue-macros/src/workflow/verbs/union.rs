//! `union`: the rows of several frames of the same schema.

use super::{Args, Ctx, Op, Parsed, Verb, same_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

/// `name = union(a, b, .. [, distinct: false]);`
///
/// The rows of all inputs (distinct by default, as in Fugue). The inputs must have the same
/// schema (names, order, types): checked at compile time at each later input.
///
/// ```text
/// extra = create(vec![Trip { city: "Lima".into(), fare: 12.0 }]) as Trip;
/// both = union(trips, extra, distinct: false);
/// ```
pub const VERB: Verb = Verb {
    name: "union",
    syntax: "name = union(a, b, .. [, distinct: false])",
    output: true,
    modifier: false,
    parse,
    schema: same_schema,
    checks,
    build,
};

/// The data of a set operation.
pub struct SetOp {
    distinct: TokenStream,
}

/// Read the arguments of a set operation.
pub fn parse_set_op(call: &Call, syntax: &'static str, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, syntax);
    let inputs = two_or_more_inputs(&mut args, call, syntax, diag);
    let distinct = match args.named("distinct") {
        None => quote!(true),
        Some(arg) => match syn::parse2::<syn::LitBool>(arg.value.clone()) {
            Ok(b) => quote!(#b),
            Err(_) => {
                args.error_value(diag, &arg, "`distinct` is `true` or `false`");
                quote!(true)
            }
        },
    };
    args.finish(diag).then_some(Parsed {
        inputs,
        op: Op::SetOp(SetOp { distinct }),
    })
}

/// The input steps of a verb over two or more frames (`a, b, ..`); fewer is an error at the
/// call naming the verb's syntax.
pub fn two_or_more_inputs(
    args: &mut Args<'_>,
    call: &Call,
    syntax: &'static str,
    diag: &mut Diagnostics,
) -> Vec<syn::Ident> {
    let first = args.step(diag, "the first input");
    let mut inputs: Vec<_> = first.into_iter().collect();
    let rest = args.more_steps(diag, "an input");
    if rest.is_empty() && !inputs.is_empty() {
        args.error(
            diag,
            call.paren,
            format!("`{}` takes at least two inputs: `{syntax}`", call.verb),
        );
    }
    inputs.extend(rest);
    inputs
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    parse_set_op(call, VERB.syntax, diag)
}

/// Every later input has the first input's schema (the error is at the later input).
pub fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let step = ctx.step_const(node.index);
    let first = ctx.input_schema(node, 0);
    let first_name = ctx.input_name(node, 0);
    let verb = node.verb.name;
    (1..node.inputs.len())
        .map(|i| {
            let other = ctx.input_schema(node, i);
            let other_name = ctx.input_name(node, i);
            let p = ctx.p_at(node.inputs[i].name.span());
            quote_spanned! {node.inputs[i].name.span()=>
                const _: () = match #p::check_same_schema(
                    &#step, #verb, #first_name, &#first, #other_name, &#other,
                ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
            }
        })
        .collect()
}

/// `a.union(b, distinct).union(c, distinct)`.
pub fn build_set_op(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::SetOp(s) = &node.op else {
        return TokenStream::new();
    };
    let method = format_ident!("{}", node.verb.name);
    let distinct = &s.distinct;
    let mut out = {
        let first = ctx.input_handle(node, 0);
        quote!(#first)
    };
    for i in 1..node.inputs.len() {
        let other = ctx.input_handle(node, i);
        out = quote!(#out.#method(#other, #distinct));
    }
    out
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    build_set_op(node, ctx)
}
