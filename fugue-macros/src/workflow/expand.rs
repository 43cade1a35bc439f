//! The expansion: the checks (see `schema_check`), then the builder calls, one `let` per step,
//! each step named as in the workflow and located at its statement, so run-time errors name
//! the step and the user's line. The value is the `Workflow`.

use super::graph::{WorkflowGraph, Yield};
use super::schema_check;
use super::verbs::Ctx;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

/// The line and column (1-based) of `span` in the user's file; `(0, 0)` outside a compiler
/// run (unit tests).
fn location(span: Span) -> (u32, u32) {
    if proc_macro::is_available() {
        // `proc_macro2::Span::unwrap` is the conversion to the compiler's span (it cannot
        // fail inside a macro run, which `is_available` checks).
        let span = span.unwrap();
        (span.line() as u32, span.column() as u32)
    } else {
        (0, 0)
    }
}

/// The whole expansion of a valid workflow.
pub fn expand(graph: &WorkflowGraph) -> TokenStream {
    let ctx = Ctx;
    let checks = schema_check::checks(graph, &ctx);
    let wf = ctx.wf();
    let mut steps = TokenStream::new();
    for node in &graph.nodes {
        let handle = ctx.handle(node.index);
        let build = (node.verb.build)(node, &ctx);
        let span = node.span();
        if node.verb.name == "output" && node.inputs.len() > 1 {
            // The builder's multi-input `output` declares the step and returns nothing.
            steps.extend(quote_spanned!(span=> #build;));
            continue;
        }
        let identity = if node.verb.modifier {
            TokenStream::new()
        } else {
            // An unnamed step keeps the builder's name (its operation and inputs: `save(top)`).
            let name = node.name.as_ref().map(|name| {
                let name = name.to_string();
                quote!(.named(#name))
            });
            let call = &node.call_text;
            let (line, column) = location(span);
            quote!(#name.at(::core::file!(), #line, #column).call_text(#call))
        };
        steps.extend(quote_spanned! {span=>
            #[allow(unused_variables)]
            let #handle = #build #identity;
        });
    }
    for y in &graph.yields {
        if let Some(record) = &y.record {
            steps.extend(yield_check(graph, y, record, &ctx));
        }
        let handle = ctx.handle(y.node);
        let alias = &y.alias;
        let method = if y.file {
            quote!(yield_file_as)
        } else {
            quote!(yield_as)
        };
        steps.extend(quote_spanned!(y.span=> #handle.#method(#alias);));
    }
    quote! {{
        #checks
        let #wf = ::fugue::__private::Workflow::new();
        {
            #steps
        }
        #wf
    }}
}

/// What is emitted when the workflow has errors: the errors, and an empty workflow so the
/// surrounding code still type-checks.
pub fn fallback(errors: TokenStream) -> TokenStream {
    quote! {{
        #errors
        ::fugue::__private::Workflow::new()
    }}
}

/// The const check of a typed yield (`yield top: Best;`): the step's schema can be read as the
/// record (every column present, of the same type), spanned at the record.
fn yield_check(graph: &WorkflowGraph, y: &Yield, record: &syn::Type, ctx: &Ctx) -> TokenStream {
    let span = syn::spanned::Spanned::span(record);
    let p = ctx.p_at(span);
    let step = ctx.step_const(y.node);
    let schema = ctx.schema_const(y.node);
    let name = graph.nodes[y.node].display_name();
    let record_text = record.to_token_stream().to_string().replace(' ', "");
    let what = if y.alias == name {
        format!("yield {name}: {record_text}")
    } else {
        format!("yield {name} as {}: {record_text}", y.alias)
    };
    quote_spanned! {span=>
        const _: () = match #p::check_yield(
            &#step, #name, &#schema, #what, #record_text,
            <#record as ::fugue::__private::Record>::COLUMNS,
        ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
    }
}
