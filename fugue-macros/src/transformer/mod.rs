//! The transformer macros (`#[transformer]`, `#[output_transformer]`, `#[cotransformer]`,
//! `#[output_cotransformer]`, `#[processor]`, `#[creator]`, `#[outputter]`): parse → validate
//! → expand, with a fallback when a check fails.

mod code_hash;
mod expand;
mod fallback;
mod parse;
mod validate;

#[cfg(test)]
mod tests;

pub use parse::Kind;

use crate::diag::Diagnostics;
use proc_macro2::TokenStream;

/// Expand one of the macros on `item` with the attribute's arguments `attr`. Never fails:
/// errors become `compile_error!`s, emitted with a fallback (the unit struct, its `call` and stub
/// impls) so that code using the function reports only the real errors.
pub fn expand(kind: Kind, attr: TokenStream, item: TokenStream) -> TokenStream {
    // A panic is a bug in the macro: report it as one instead of rustc's bare "proc macro
    // panicked".
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        expand_checked(kind, attr, item)
    })) {
        Ok(out) => out,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let message = format!(
                "internal error in `#[{}]`: {detail} (this is a bug in fugue-macros, please \
                 report it)",
                kind.attribute()
            );
            quote::quote!(::core::compile_error!(#message);)
        }
    }
}

fn expand_checked(kind: Kind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(e) => {
            let message = format!("`#[{}]` applies to a function: {e}", kind.attribute());
            let mut out = syn::Error::new(e.span(), message).to_compile_error();
            out.extend(item);
            return out;
        }
    };
    let mut diag = Diagnostics::new();
    let attr_tokens = attr.clone();
    let args = parse::AttrArgs::parse(attr, &mut diag);
    let def = parse::TransformerDef::from_syn(kind, args, &function);
    let parsed_ok = diag.is_empty();
    match validate::validate(def, &mut diag) {
        Some(valid) if parsed_ok => {
            let code_hash = code_hash::code_hash(kind, &attr_tokens, &function);
            expand::expand(&valid, code_hash)
        }
        _ => {
            let def = parse::TransformerDef::from_syn(kind, Default::default(), &function);
            let mut out = diag.into_compile_errors();
            out.extend(fallback::fallback(&def));
            out
        }
    }
}
