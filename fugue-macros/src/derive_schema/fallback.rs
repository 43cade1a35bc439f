//! The impls emitted next to the errors when the input is not a struct with named fields, so
//! that code using the type reports only the real error (thiserror's `fallback.rs`). They are
//! never run: the crate does not compile.

use proc_macro2::TokenStream;
use quote::quote;

/// Stub impls of `RecordImpl`, `Record` and `ArrowField` for a non-generic type.
pub fn fallback(input: &syn::DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let ident = &input.ident;
    let name = ident.to_string();
    let p = quote!(::fugue::__private);
    let never = quote! {
        ::core::unreachable!("`#[derive(Schema)]` failed to compile on this type")
    };
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #p::RecordImpl for #ident {
                const NAME: &'static str = #name;
                type Builders = ();
                type View<'__a> = ();
                fn arrow_fields() -> ::core::result::Result<
                    &'static #p::arrow::datatypes::Fields,
                    #p::fugue_core::FugueError,
                > {
                    #never
                }
                fn new_builders(_: &#p::arrow::datatypes::Fields, _: usize) {}
                fn append(_: &mut (), _: &Self) -> ::core::result::Result<(), #p::ConvertError> {
                    #never
                }
                fn append_placeholder(_: &mut ()) {}
                fn finish(_: &mut ()) -> ::std::vec::Vec<#p::arrow::array::ArrayRef> {
                    #never
                }
                fn finish_cloned(_: &()) -> ::std::vec::Vec<#p::arrow::array::ArrayRef> {
                    #never
                }
                fn view<'__a>(
                    _: &#p::arrow::datatypes::Fields,
                    _: &dyn ::core::ops::Fn(&str) -> ::core::option::Option<&'__a #p::arrow::array::ArrayRef>,
                    _: ::core::option::Option<&#p::arrow::buffer::NullBuffer>,
                ) -> ::core::result::Result<(), #p::ConvertError> {
                    #never
                }
                fn get(_: &(), _: usize) -> ::core::result::Result<Self, #p::ConvertError> {
                    #never
                }
            }

            #[automatically_derived]
            impl #p::Record for #ident {
                const COLUMNS: &'static [#p::ConstColumn] = &[];
                fn schema() -> #p::fugue_core::Schema {
                    #never
                }
            }

            #[automatically_derived]
            impl #p::ArrowField for #ident {
                const TYPE: #p::ConstType = #p::ConstType::Struct(&[]);
                const NULLABLE: bool = false;
                const KIND: #p::TypeKind = #p::TypeKind::Struct;
                const RUST_NAME: &'static str = #name;
                type Builder = #p::StructFieldBuilder<Self>;
                type Column<'__a> = #p::StructColumn<'__a, Self>;
                fn data_type() -> #p::arrow::datatypes::DataType {
                    #never
                }
                fn new_builder(_: &#p::arrow::datatypes::DataType, _: usize) -> Self::Builder {
                    #never
                }
                fn append(_: &mut Self::Builder, _: &Self) -> ::core::result::Result<(), #p::ConvertError> {
                    #never
                }
                fn append_null(_: &mut Self::Builder) {}
                fn view(
                    _: &#p::arrow::array::ArrayRef,
                ) -> ::core::result::Result<Self::Column<'_>, #p::ConvertError> {
                    #never
                }
                fn get(_: &Self::Column<'_>, _: usize) -> ::core::result::Result<Self, #p::ConvertError> {
                    #never
                }
            }
        };
    }
}
