//! `workflow!`: a small Rust-like DSL of steps that expands into the runtime workflow builder,
//! with the schema mistakes between steps turned into compile errors.
//!
//! parse (`parse.rs`: statements, arguments kept as tokens) → graph (`graph.rs`: verbs found,
//! arguments read by each verb in `verbs/`, names resolved) → schema checks
//! (`schema_check.rs`: const schemas and const-evaluated checks at the user's tokens) →
//! expansion (`expand.rs`: builder calls). All macro-level errors are collected and reported
//! together, with an empty `Workflow` as the value.

mod expand;
mod graph;
mod parse;
mod schema_check;
mod verbs;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

use crate::diag::Diagnostics;
use proc_macro2::TokenStream;

/// Expand `workflow! { .. }`. Never fails: errors become `compile_error!`s next to an empty
/// workflow.
pub fn expand(input: TokenStream) -> TokenStream {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| expand_checked(input))) {
        Ok(out) => out,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let message = format!(
                "internal error in `workflow!`: {detail} (this is a bug in fugue-macros, please \
                 report it)"
            );
            expand::fallback(quote::quote!(::core::compile_error!(#message);))
        }
    }
}

fn expand_checked(input: TokenStream) -> TokenStream {
    let mut diag = Diagnostics::new();
    match check(input, &mut diag) {
        Some(graph) if diag.is_empty() => expand::expand(&graph),
        _ => expand::fallback(diag.into_compile_errors()),
    }
}

/// Parse and build the graph; the errors go to `diag`.
fn check(input: TokenStream, diag: &mut Diagnostics) -> Option<graph::WorkflowGraph> {
    let ast: parse::WorkflowAst = match syn::parse2(input) {
        Ok(ast) => ast,
        Err(e) => {
            diag.push(e);
            return None;
        }
    };
    graph::build(&ast, diag)
}
