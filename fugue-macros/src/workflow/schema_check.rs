//! The compile-time schema checks, as generated code: for every step, a const `Step` (its
//! name and call, for messages), a const `ConstSchema` computed from its inputs' (so schemas
//! propagate along the graph in const evaluation), and the verb's check items, each
//! `const _: () = match check_..(..) { Ok(()) => (), Err(m) => panic!("{}", m.as_str()) };`
//! spanned at the user's token (the panic is in the user's crate, so rustc's error points
//! there and adds no note into fugue's sources).
//!
//! Why const evaluation: a proc macro sees only its own tokens, and the schemas of
//! `#[derive(Schema)]` records and `#[transformer]` functions are const data on those types
//! (`Record::COLUMNS`, `Transformer::INPUTS`/`OUTPUT`/`RULES`). Naming those consts in
//! generated const items lets rustc evaluate the checks: a failure is
//! `error[E0080]: evaluation panicked: <message>` at the step's token. The rules themselves
//! are the `const fn`s of `fugue_core::rules`, which the run time evaluates too, called through
//! `fugue_core::const_check`.

use super::graph::WorkflowGraph;
use super::verbs::Ctx;
use proc_macro2::TokenStream;
use quote::quote;

/// The const columns of a schema expression (`"a:int,b:str"`), parsed now by fugue-core's
/// parser (a malformed expression is an error at the literal) and emitted in its const form
/// ([`const_form`](fugue_core::rules::eval::const_form): types as canonical keys).
pub fn const_columns(expr: &str) -> fugue_core::Result<TokenStream> {
    Ok(const_columns_of(&fugue_core::Schema::parse(expr)?))
}

/// The const columns of a parsed schema (see [`const_columns`]).
pub fn const_columns_of(schema: &fugue_core::Schema) -> TokenStream {
    let form = fugue_core::rules::eval::const_form(schema);
    let columns = form.columns.iter().map(|(name, ty, _)| {
        quote! {
            ::fugue::__private::ConstColumn {
                name: #name,
                ty: ::fugue::__private::ConstType::Expr(#ty),
                nullable: true,
            }
        }
    });
    quote!(&[#(#columns),*])
}

/// The `Step` and `ConstSchema` consts of every node, and every check.
pub fn checks(graph: &WorkflowGraph, ctx: &Ctx) -> TokenStream {
    let p = ctx.p();
    let mut out = TokenStream::new();
    for node in &graph.nodes {
        let step = ctx.step_const(node.index);
        let schema = ctx.schema_const(node.index);
        // An unnamed step is named by its call alone (`save(top, ..)`), as the builder's
        // run-time checks name it.
        let name = node.display_name();
        let call = if node.name.is_some() {
            node.call_text.as_str()
        } else {
            ""
        };
        let value = (node.verb.schema)(node, ctx);
        let checks = (node.verb.checks)(node, ctx);
        out.extend(quote! {
            #[allow(non_upper_case_globals, dead_code)]
            const #step: #p::Step = #p::Step { name: #name, call: #call };
            #[allow(non_upper_case_globals, dead_code)]
            const #schema: #p::ConstSchema = #value;
            #checks
        });
    }
    out
}
