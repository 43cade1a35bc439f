//! `cotransform`: run a `#[cotransformer]` over several inputs zipped by key.

use super::{Args, Ctx, Op, Parsed, Verb, transform::Transform};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use fugue_core::options::ZipHow;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// `name = cotransform([a, b, ..], function, partition(by: ..) [, how: inner]
/// [, params(..)] [, callback: handler]);`
///
/// Zip the inputs by the partition keys and run a `#[cotransformer]` once per key, with one
/// data parameter per input. Checked at compile time: each typed data parameter against its
/// input, the partition keys in every input, the parameters and the callback.
///
/// ```text
/// placed = cotransform([trips, cities], with_region, partition(by: city));
/// ```
pub const VERB: Verb = Verb {
    name: "cotransform",
    syntax: "name = cotransform([a, b, ..], function, partition(by: ..) [, how: inner] [, params(name: value, ..)] [, callback: handler])",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of a `cotransform` or `out_cotransform`.
pub struct CoTransform {
    /// The function, partition, parameters and callback.
    pub call: Transform,
    /// How the inputs are zipped.
    pub how: ZipHow,
}

/// Read `cotransform` or `out_cotransform` arguments.
pub fn parse_with(call: &Call, syntax: &'static str, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, syntax);
    let inputs = args.steps(diag, "the inputs");
    let function = args.required(diag, "a function");
    let function = function.and_then(|f| match syn::parse2::<syn::Path>(f.value.clone()) {
        Ok(path) => Some(path),
        Err(_) => {
            args.error_value(
                diag,
                &f,
                format!(
                    "expected the path of a function declared with `#[cotransformer]` as the \
                     second argument of `{}`",
                    call.verb
                ),
            );
            None
        }
    });
    let partition = args.partition(diag);
    let how = args
        .named_choice(diag, "how", ZipHow::SPELLINGS)
        .unwrap_or_default();
    let params = args.params(diag);
    let callback = args.named("callback").map(|a| a.value);
    if inputs.len() == 1 {
        args.error(
            diag,
            call.paren,
            format!("`{}` zips at least two inputs: `{syntax}`", call.verb),
        );
    }
    let ok = args.finish(diag);
    let function = function?;
    ok.then_some(Parsed {
        inputs,
        op: Op::CoTransform(CoTransform {
            call: Transform {
                function,
                partition,
                params,
                callback,
            },
            how,
        }),
    })
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    parse_with(call, VERB.syntax, diag)
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::CoTransform(c) = &node.op else {
        return TokenStream::new();
    };
    let p = ctx.p();
    let f = &c.call.function;
    // A co-transformer's hint has no `*`: it resolves over any input.
    quote!(#p::output_schema(<#f as ::fugue::__private::Transformer>::OUTPUT, &#p::ConstSchema::UNKNOWN))
}

/// The checks of `cotransform` and `out_cotransform`.
pub fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::CoTransform(c) = &node.op else {
        return TokenStream::new();
    };
    let f = &c.call.function;
    let step = ctx.step_const(node.index);
    let mut out = c.call.params.checks(ctx, node, f);
    let fspan = f.span();
    let p = ctx.p_at(fspan);
    let has_callback = c.call.callback.is_some();
    let accepted = if node.verb.name == "out_cotransform" {
        "OutputCoTransformer"
    } else {
        "CoTransformer"
    };
    out.extend(ctx.kind_check(node, f, accepted));
    out.extend(quote_spanned! {fspan=>
        const _: () = match #p::check_callback(
            &#step,
            <#f as ::fugue::__private::Transformer>::NAME,
            <#f as ::fugue::__private::Transformer>::CALLBACK,
            #has_callback,
        ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
    });
    for i in 0..node.inputs.len() {
        let input = ctx.input_schema(node, i);
        let input_name = ctx.input_name(node, i);
        let p = ctx.p_at(node.inputs[i].name.span());
        out.extend(quote_spanned! {node.inputs[i].name.span()=>
            const _: () = match #p::check_transformer_input(
                &#step, #input_name, &#input,
                <#f as ::fugue::__private::Transformer>::NAME,
                <#f as ::fugue::__private::Transformer>::INPUTS,
                #i,
            ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
        });
        if let Some(pa) = &c.call.partition {
            out.extend(ctx.column_checks(node, i, "zip key", &pa.by));
            if i > 0 {
                let (first, first_name) = (ctx.input_schema(node, 0), ctx.input_name(node, 0));
                for key in &pa.by {
                    let name = &key.name;
                    let span = node.inputs[i].name.span();
                    let p = ctx.p_at(span);
                    out.extend(quote_spanned! {span=>
                        const _: () = match #p::check_zip_key(
                            &#step, #name, #first_name, &#first, #input_name, &#input,
                        ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
                    });
                }
            }
        }
    }
    out
}

/// The builder call of `cotransform` (`method` = `transform`) or `out_cotransform`.
pub fn build_with(node: &Node, ctx: &Ctx, method: &str) -> TokenStream {
    let Op::CoTransform(c) = &node.op else {
        return TokenStream::new();
    };
    let wf = ctx.wf();
    let inputs = (0..node.inputs.len()).map(|i| ctx.input_handle(node, i));
    let f = &c.call.function;
    let how = ctx.choice("ZipHow", c.how);
    let method = syn::Ident::new(method, f.span());
    let partition = c.call.partition.as_ref().map(|pa| {
        let spec = pa.spec_text();
        quote!(.partition(#spec))
    });
    let params = c.call.params.modifier();
    let callback = c.call.callback.as_ref().map(|cb| quote!(.callback(#cb)));
    let f = quote!(::fugue::__private::transformer::AnyKind::into_partition(#f));
    quote!(#wf.zip(&[#(#inputs),*], #how) #partition .#method(#f) #params #callback)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    build_with(node, ctx, "transform")
}
