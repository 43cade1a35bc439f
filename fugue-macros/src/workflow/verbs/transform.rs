//! `transform`: run a `#[transformer]` once per logical partition.

use super::{Args, Ctx, Op, Params, Parsed, PartitionArg, Verb};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// `name = transform(input, function [, partition(by: .., presort: ..)] [, params(k: v, ..)]
/// [, callback: handler]);`
///
/// Run a `#[transformer]` (or `#[cotransformer]`-free per-partition function) on `input`,
/// partitioned as given. Checked at compile time when the input's schema is known: the
/// function's typed input columns (present, same type, no `Option` into a plain field), its
/// schema hint resolved against the input, its validation rules against the partition and
/// the partition's columns.
///
/// ```text
/// ranked = transform(trips, rank, partition(by: city, presort: fare desc), params(top: 3));
/// ```
pub const VERB: Verb = Verb {
    name: "transform",
    syntax: "name = transform(input, function [, partition(by: .., presort: ..)] [, params(name: value, ..)] [, callback: handler])",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of a `transform` or `out_transform`.
pub struct Transform {
    /// The function's path (a unit struct made by `#[transformer]`).
    pub function: syn::Path,
    /// The partition.
    pub partition: Option<PartitionArg>,
    /// The parameters.
    pub params: Params,
    /// The callback handler expression.
    pub callback: Option<TokenStream>,
}

/// Read `transform` or `out_transform` arguments.
pub fn parse_with(call: &Call, syntax: &'static str, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, syntax);
    let input = args.step(diag, "the input");
    let function = args.required(diag, "a function");
    let function = function.and_then(|f| match syn::parse2::<syn::Path>(f.value.clone()) {
        Ok(path) => Some(path),
        Err(_) => {
            args.error_value(
                diag,
                &f,
                format!(
                    "expected the path of a function declared with `#[transformer]` as the \
                     second argument of `{}`",
                    call.verb
                ),
            );
            None
        }
    });
    let partition = args.partition(diag);
    let params = args.params(diag);
    let callback = args.named("callback").map(|a| a.value);
    let ok = args.finish(diag);
    let (input, function) = (input?, function?);
    ok.then_some(Parsed {
        inputs: vec![input],
        op: Op::Transform(Transform {
            function,
            partition,
            params,
            callback,
        }),
    })
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    parse_with(call, VERB.syntax, diag)
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Transform(t) = &node.op else {
        return TokenStream::new();
    };
    let p = ctx.p();
    let f = &t.function;
    let input = ctx.input_schema(node, 0);
    quote!(#p::output_schema(<#f as ::fugue::__private::Transformer>::OUTPUT, &#input))
}

/// The checks of `transform` and `out_transform`.
pub fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Transform(t) = &node.op else {
        return TokenStream::new();
    };
    let f = &t.function;
    let fspan = f.span();
    let p = ctx.p_at(fspan);
    let step = ctx.step_const(node.index);
    let input = ctx.input_schema(node, 0);
    let input_name = ctx.input_name(node, 0);
    let (by, presort) = PartitionArg::const_tokens(t.partition.as_ref());
    let rules_span = t.partition.as_ref().map_or(fspan, |pa| pa.span);
    let has_callback = t.callback.is_some();
    let accepted = if node.verb.name == "out_transform" {
        "OutputTransformer"
    } else {
        "Transformer"
    };
    let mut out = ctx.kind_check(node, f, accepted);
    out.extend(quote_spanned! {fspan=>
        const _: () = match #p::check_transformer_input(
            &#step, #input_name, &#input,
            <#f as ::fugue::__private::Transformer>::NAME,
            <#f as ::fugue::__private::Transformer>::INPUTS,
            0,
        ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
        const _: () = match #p::check_transformer_hint(
            &#step, #input_name, &#input,
            <#f as ::fugue::__private::Transformer>::NAME,
            <#f as ::fugue::__private::Transformer>::OUTPUT,
        ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
        const _: () = match #p::check_callback(
            &#step,
            <#f as ::fugue::__private::Transformer>::NAME,
            <#f as ::fugue::__private::Transformer>::CALLBACK,
            #has_callback,
        ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
    });
    out.extend(t.params.checks(ctx, node, f));
    let p = ctx.p_at(rules_span);
    out.extend(quote_spanned! {rules_span=>
        const _: () = match #p::check_rules(
            &#step,
            <#f as ::fugue::__private::Transformer>::NAME,
            <#f as ::fugue::__private::Transformer>::RULES,
            #by, #presort, #input_name, &#input,
        ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
    });
    if let Some(pa) = &t.partition {
        out.extend(ctx.column_checks(node, 0, "partition key", &pa.by));
        let sorted: Vec<_> = pa.presort.iter().map(|(c, _, _)| c.clone()).collect();
        out.extend(ctx.column_checks(node, 0, "presort column", &sorted));
    }
    out
}

/// The builder call of `transform` (`method` = `transform`) or `out_transform`.
pub fn build_with(node: &Node, ctx: &Ctx, method: &str) -> TokenStream {
    let Op::Transform(t) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let f = &t.function;
    let method = syn::Ident::new(method, f.span());
    let partition = t.partition.as_ref().map(|pa| {
        let spec = pa.spec_text();
        quote!(.partition(#spec))
    });
    let params = t.params.modifier();
    let callback = t.callback.as_ref().map(|c| quote!(.callback(#c)));
    // Any kind converts (`AnyKind`): a function of another kind is the const kind check's
    // error, not a trait bound's.
    let f = quote!(::fugue::__private::transformer::AnyKind::into_partition(#f));
    quote!(#input #partition .#method(#f) #params #callback)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    build_with(node, ctx, "transform")
}
