//! `#[derive(Schema)]`: parse → validate → expand.

mod expand;
mod fallback;
mod parse;
mod validate;

#[cfg(test)]
mod tests;

use crate::diag::Diagnostics;
use proc_macro2::TokenStream;

/// Expand `#[derive(Schema)]` on `input` (the item's tokens). Never fails: errors become
/// `compile_error!`s, emitted together with the impls (or, when the item is not a struct with
/// named fields, stub impls), so that code using the type does not get a cascade of unrelated
/// errors.
pub fn expand(input: TokenStream) -> TokenStream {
    // A panic is a bug in the macro: report it as one instead of rustc's bare "proc macro
    // panicked".
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| expand_checked(input))) {
        Ok(out) => out,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let message = format!(
                "internal error in `#[derive(Schema)]`: {detail} (this is a bug in fugue-macros, \
                 please report it)"
            );
            quote::quote!(::core::compile_error!(#message);)
        }
    }
}

fn expand_checked(input: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let mut diag = Diagnostics::new();
    let def = parse::RecordDef::from_syn(&input, &mut diag);
    let def = def.map(|d| validate::validate(d, &mut diag));
    let mut out = diag.into_compile_errors();
    match def {
        Some(def) => out.extend(expand::expand(&def)),
        None => out.extend(fallback::fallback(&input)),
    }
    out
}
