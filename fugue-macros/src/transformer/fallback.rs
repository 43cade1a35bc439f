//! The output emitted next to the errors: the unit struct with the user's function as its `call`
//! (so calls of it still type-check) and stub impls of `Transformer` and of the kind's entry (so
//! `fugue::transform(data, f, ..)` does not add a cascade of trait errors). Never run: the crate
//! does not compile.

use super::expand::struct_and_call;
use super::parse::{Kind, TransformerDef};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The fallback for `def`.
pub fn fallback(def: &TransformerDef<'_>) -> TokenStream {
    let p = quote!(::fugue::__private);
    let head = struct_and_call(def);
    let ident = &def.item.sig.ident;
    let name = ident.to_string();
    let kind = format_ident!("{}", def.kind.variant());
    let failed = quote! {
        ::core::result::Result::Err(#p::fugue_core::FugueError::Internal(
            ::std::string::String::from("this function failed to compile"),
        ))
    };
    let entry = match def.kind {
        Kind::Processor => quote! {
            impl #p::Processor for #ident {
                fn process(&self, _: &dyn #p::ExecutionEngine, _: #p::DataFrames, _: &#p::Params)
                    -> #p::fugue_core::Result<#p::DataFrame> { #failed }
            }
        },
        Kind::Creator => quote! {
            impl #p::Creator for #ident {
                fn create(&self, _: &dyn #p::ExecutionEngine, _: &#p::Params)
                    -> #p::fugue_core::Result<#p::DataFrame> { #failed }
            }
        },
        Kind::Outputter => quote! {
            impl #p::Outputter for #ident {
                fn output(&self, _: &dyn #p::ExecutionEngine, _: #p::DataFrames, _: &#p::Params)
                    -> #p::fugue_core::Result<()> { #failed }
            }
        },
        _ => quote! {
            impl #p::PartitionFunction for #ident {
                fn name(&self) -> &str { #name }
                fn output_schema(&self, _: &[#p::fugue_core::Schema])
                    -> #p::fugue_core::Result<#p::fugue_core::Schema> { #failed }
                fn call<'a>(&'a self, _: #p::PartitionContext, _: ::std::vec::Vec<#p::BatchStream<'a>>)
                    -> #p::fugue_core::Result<#p::BatchStream<'a>> { #failed }
            }
        },
    };
    quote! {
        #head

        const _: () = {
            impl #p::Transformer for #ident {
                const NAME: &'static str = #name;
                const KIND: #p::Kind = #p::Kind::#kind;
                const INPUTS: &'static [#p::InputShape] = &[];
                const OUTPUT: #p::OutputShape = #p::OutputShape::None;
                const RULES: &'static [(&'static str, &'static str)] = &[];
                const PARAMS: &'static [(&'static str, &'static str)] = &[];
                const CALLBACK: #p::CallbackUse = #p::CallbackUse::None;
                const CURSOR: bool = false;
            }
            #entry
        };
    }
}
