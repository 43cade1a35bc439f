//! `process`: run a `#[processor]` on the driver over whole frames.

use super::{Args, Ctx, Op, Params, Parsed, Verb};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// `name = process(input | [a, b] | [name: a, ..], function [, params(name: value, ..)]);`
///
/// Run a `#[processor]` once over the whole input frames. Each typed data parameter is checked
/// against its input at compile time, like `transform`'s. Named inputs (`[trips: t, zones:
/// z]`) reach a `DataFrames` parameter under those names.
///
/// ```text
/// cheap = process(trips, cheapest);
/// placed = process([trips: trips, cities: cities], with_names);
/// ```
pub const VERB: Verb = Verb {
    name: "process",
    syntax: "name = process(input | [a, b] | [name: a, ..], function [, params(name: value, ..)])",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of a `process` or `output`.
pub struct Process {
    /// The function's path (a unit struct made by `#[processor]` or `#[outputter]`).
    pub function: syn::Path,
    /// The parameters.
    pub params: Params,
    /// The inputs' names, when they are named (`[trips: t, zones: z]`).
    pub names: Option<Vec<syn::Ident>>,
}

/// Read `process` or `output` arguments.
pub fn parse_with(call: &Call, syntax: &'static str, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, syntax);
    let (inputs, names) = args.steps_maybe_named(diag, "the input");
    let function = args.required(diag, "a function");
    let function = function.and_then(|f| match syn::parse2::<syn::Path>(f.value.clone()) {
        Ok(path) => Some(path),
        Err(_) => {
            args.error_value(
                diag,
                &f,
                format!(
                    "expected the path of a function as the last argument of `{}`",
                    call.verb
                ),
            );
            None
        }
    });
    let params = args.params(diag);
    let ok = args.finish(diag);
    let function = function?;
    (ok && !inputs.is_empty()).then_some(Parsed {
        inputs,
        op: Op::Process(Process {
            function,
            params,
            names,
        }),
    })
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    parse_with(call, VERB.syntax, diag)
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Process(t) = &node.op else {
        return TokenStream::new();
    };
    let p = ctx.p();
    let f = &t.function;
    let input = ctx.input_schema(node, 0);
    quote!(#p::output_schema(<#f as ::fugue::__private::Transformer>::OUTPUT, &#input))
}

/// The typed inputs of `process` and `output`, one check per input.
pub fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Process(t) = &node.op else {
        return TokenStream::new();
    };
    let f = &t.function;
    let step = ctx.step_const(node.index);
    let accepted = if node.verb.name == "output" {
        "Outputter"
    } else {
        "Processor"
    };
    let mut out = ctx.kind_check(node, f, accepted);
    out.extend(t.params.checks(ctx, node, f));
    for i in 0..node.inputs.len() {
        let p = ctx.p_at(node.inputs[i].name.span());
        let input = ctx.input_schema(node, i);
        let input_name = ctx.input_name(node, i);
        out.extend(quote_spanned! {node.inputs[i].name.span()=>
            const _: () = match #p::check_transformer_input(
                &#step, #input_name, &#input,
                <#f as ::fugue::__private::Transformer>::NAME,
                <#f as ::fugue::__private::Transformer>::INPUTS,
                #i,
            ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
        });
    }
    out
}

/// The builder call of `process` (`method` = `process`) or `output`.
pub fn build_with(node: &Node, ctx: &Ctx, method: &str) -> TokenStream {
    let Op::Process(t) = &node.op else {
        return TokenStream::new();
    };
    let f = &t.function;
    // Any kind converts (`AnyKind`), so that a function of another kind is the const kind
    // check's error rather than a trait bound's.
    let convert = syn::Ident::new(
        if method == "output" {
            "into_output"
        } else {
            "into_process"
        },
        f.span(),
    );
    let f = quote!(::fugue::__private::transformer::AnyKind::#convert(#f));
    let params = t.params.modifier();
    if let Some(names) = &t.names {
        let wf = ctx.wf();
        let method = syn::Ident::new(&format!("{method}_named"), t.function.span());
        let inputs = names.iter().enumerate().map(|(i, name)| {
            let name = name.to_string();
            let input = ctx.input_handle(node, i);
            quote!((#name, #input))
        });
        return quote!(#wf.#method(&[#(#inputs),*], #f) #params);
    }
    let method = syn::Ident::new(method, t.function.span());
    if node.inputs.len() == 1 {
        let input = ctx.input_handle(node, 0);
        return quote!(#input.#method(#f) #params);
    }
    let wf = ctx.wf();
    let inputs = (0..node.inputs.len()).map(|i| ctx.input_handle(node, i));
    quote!(#wf.#method(&[#(#inputs),*], #f) #params)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    build_with(node, ctx, "process")
}
