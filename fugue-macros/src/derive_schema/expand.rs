//! Code generation for a validated struct. Every path is absolute, and the runtime is reached
//! through `::fugue::__private` only; the impls sit in an anonymous `const _: () = { ... };`.

use super::validate::{Explicit, ValidRecord};
use arrow_schema::DataType;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// The impls of `Record`, `RecordImpl` and `ArrowField` for the struct.
pub fn expand(record: &ValidRecord<'_>) -> TokenStream {
    let p = quote!(::fugue::__private);
    let ident = record.def.ident;
    let name = ident.to_string();
    let fields = &record.def.fields;
    let idents: Vec<_> = fields.iter().map(|f| f.ident).collect();
    let columns: Vec<&str> = fields.iter().map(|f| f.column.as_str()).collect();
    let indexes: Vec<usize> = (0..fields.len()).collect();
    // `<FieldTy as ArrowField>`, spanned at the field type so that an unsupported type is
    // reported there, with the trait's `on_unimplemented` message.
    let as_field: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let ty = f.ty;
            quote_spanned!(ty.span()=> <#ty as #p::ArrowField>)
        })
        .collect();
    let tys: Vec<&syn::Type> = fields.iter().map(|f| f.ty).collect();

    let const_columns =
        fields
            .iter()
            .zip(&record.explicit)
            .zip(&as_field)
            .map(|((f, explicit), af)| {
                let column = &f.column;
                let ty = match explicit {
                    // The type's canonical key, so const evaluation compares strings.
                    Some(Explicit { data_type, .. }) => {
                        let key = fugue_core::rules::eval::type_key(data_type);
                        quote!(#p::ConstType::Expr(#key))
                    }
                    None => quote!(#af::TYPE),
                };
                quote! {
                    #p::ConstColumn { name: #column, ty: #ty, nullable: #af::NULLABLE }
                }
            });
    let arrow_fields = fields.iter().zip(&record.explicit).map(|(f, explicit)| {
        let column = &f.column;
        let ty = f.ty;
        let explicit = match explicit {
            Some(Explicit { lit, .. }) => quote!(::core::option::Option::Some(#lit)),
            None => quote!(::core::option::Option::None),
        };
        quote!(#p::support::field::<#ty>(#column, #explicit)?)
    });
    let explicit_checks = fields
        .iter()
        .zip(&record.explicit)
        .zip(&as_field)
        .filter_map(|((_, explicit), af)| {
            let Explicit { lit, data_type } = explicit.as_ref()?;
            let kind = type_kind(&p, data_type);
            // Every token of the call carries the string's span, so that a failed const
            // evaluation points at the string.
            Some(quote_spanned! {lit.span()=>
                const _: () = ::fugue::__private::support::check_explicit_type(#af::KIND, #kind);
            })
        });

    let builder_fields = fields.iter().map(|f| {
        let (ident, ty) = (f.ident, f.ty);
        quote_spanned!(ty.span()=> #ident: <#ty as ::fugue::__private::ArrowField>::Builder,)
    });
    let view_fields = fields.iter().map(|f| {
        let (ident, ty) = (f.ident, f.ty);
        quote_spanned!(ty.span()=> #ident: <#ty as ::fugue::__private::ArrowField>::Column<'__a>,)
    });

    // One bound check per field, spanned at the field type: an unsupported type is reported
    // there first, with the trait's `on_unimplemented` message.
    let field_checks = tys.iter().map(|ty| {
        quote_spanned! {ty.span()=>
            const _: ::fugue::__private::support::IsField<#ty> =
                ::fugue::__private::support::IsField::OK;
        }
    });

    quote! {
        const _: () = {
            #(#field_checks)*
            #(#explicit_checks)*

            #[doc(hidden)]
            pub struct __FugueBuilders {
                #(#builder_fields)*
            }

            #[doc(hidden)]
            pub struct __FugueView<'__a> {
                #(#view_fields)*
                __rows: ::core::marker::PhantomData<&'__a ()>,
            }

            #[automatically_derived]
            impl #p::RecordImpl for #ident {
                const NAME: &'static str = #name;
                type Builders = __FugueBuilders;
                type View<'__a> = __FugueView<'__a>;

                fn arrow_fields() -> ::core::result::Result<
                    &'static #p::arrow::datatypes::Fields,
                    #p::fugue_core::FugueError,
                > {
                    static FIELDS: #p::OnceLock<
                        ::core::result::Result<#p::arrow::datatypes::Fields, ::std::string::String>,
                    > = #p::OnceLock::new();
                    #p::support::cached_fields(&FIELDS, || {
                        ::core::result::Result::Ok(::std::vec![#(#arrow_fields),*])
                    })
                }

                fn new_builders(
                    fields: &#p::arrow::datatypes::Fields,
                    capacity: usize,
                ) -> Self::Builders {
                    let _ = (fields, capacity);
                    __FugueBuilders {
                        #(#idents: #as_field::new_builder(
                            #p::support::nth_type(fields, #indexes),
                            capacity,
                        ),)*
                    }
                }

                #[inline]
                fn append(
                    builders: &mut Self::Builders,
                    row: &Self,
                ) -> ::core::result::Result<(), #p::ConvertError> {
                    let _ = (&builders, row);
                    #(#as_field::append(&mut builders.#idents, &row.#idents)
                        .map_err(|e| e.at(#columns))?;)*
                    ::core::result::Result::Ok(())
                }

                fn append_placeholder(builders: &mut Self::Builders) {
                    let _ = &builders;
                    #(#as_field::append_null(&mut builders.#idents);)*
                }

                fn finish(builders: &mut Self::Builders) -> ::std::vec::Vec<#p::arrow::array::ArrayRef> {
                    let _ = &builders;
                    ::std::vec![#(#p::arrow::array::ArrayBuilder::finish(&mut builders.#idents)),*]
                }

                fn finish_cloned(builders: &Self::Builders) -> ::std::vec::Vec<#p::arrow::array::ArrayRef> {
                    let _ = builders;
                    ::std::vec![#(#p::arrow::array::ArrayBuilder::finish_cloned(&builders.#idents)),*]
                }

                fn view<'__a>(
                    fields: &#p::arrow::datatypes::Fields,
                    source: &dyn ::core::ops::Fn(&str) -> ::core::option::Option<&'__a #p::arrow::array::ArrayRef>,
                    parent_nulls: ::core::option::Option<&#p::arrow::buffer::NullBuffer>,
                ) -> ::core::result::Result<Self::View<'__a>, #p::ConvertError> {
                    let _ = (fields, source, parent_nulls);
                    ::core::result::Result::Ok(__FugueView {
                        #(#idents: #p::support::view_field::<#tys>(
                            source(#columns),
                            #columns,
                            #p::support::nth_type(fields, #indexes),
                            parent_nulls,
                        )?,)*
                        __rows: ::core::marker::PhantomData,
                    })
                }

                #[inline]
                fn get(
                    view: &Self::View<'_>,
                    index: usize,
                ) -> ::core::result::Result<Self, #p::ConvertError> {
                    let _ = (view, index);
                    ::core::result::Result::Ok(#ident {
                        #(#idents: #as_field::get(&view.#idents, index)
                            .map_err(|e| e.at(#columns))?,)*
                    })
                }
            }

            #[automatically_derived]
            impl #p::Record for #ident {
                const COLUMNS: &'static [#p::ConstColumn] = &[#(#const_columns),*];

                fn schema() -> #p::fugue_core::Schema {
                    static SCHEMA: #p::OnceLock<#p::fugue_core::Schema> = #p::OnceLock::new();
                    #p::support::cached_schema(&SCHEMA, <Self as #p::Record>::COLUMNS, #name)
                }
            }

            #[automatically_derived]
            impl #p::ArrowField for #ident {
                const TYPE: #p::ConstType = #p::ConstType::Struct(<Self as #p::Record>::COLUMNS);
                const NULLABLE: bool = false;
                const KIND: #p::TypeKind = #p::TypeKind::Struct;
                const RUST_NAME: &'static str = #name;
                type Builder = #p::StructFieldBuilder<Self>;
                type Column<'__a> = #p::StructColumn<'__a, Self>;

                fn data_type() -> #p::arrow::datatypes::DataType {
                    #p::support::struct_data_type::<Self>()
                }
                fn new_builder(
                    data_type: &#p::arrow::datatypes::DataType,
                    capacity: usize,
                ) -> Self::Builder {
                    #p::StructFieldBuilder::new(data_type, capacity)
                }
                #[inline]
                fn append(
                    builder: &mut Self::Builder,
                    value: &Self,
                ) -> ::core::result::Result<(), #p::ConvertError> {
                    builder.append(value)
                }
                fn append_null(builder: &mut Self::Builder) {
                    builder.append_null();
                }
                fn view(
                    array: &#p::arrow::array::ArrayRef,
                ) -> ::core::result::Result<Self::Column<'_>, #p::ConvertError> {
                    #p::StructColumn::new(array)
                }
                #[inline]
                fn get(
                    column: &Self::Column<'_>,
                    index: usize,
                ) -> ::core::result::Result<Self, #p::ConvertError> {
                    column.get(index)
                }
            }
        };
    }
}

/// The `TypeKind` of an explicit type (structs and types without a Rust counterpart were
/// rejected by validation; they map to `Struct`, which accepts nothing).
fn type_kind(p: &TokenStream, data_type: &DataType) -> TokenStream {
    let kind = |k: &str| {
        let k = format_ident!("{}", k);
        quote!(#p::TypeKind::#k)
    };
    match data_type {
        DataType::Int8 => kind("Int8"),
        DataType::Int16 => kind("Int16"),
        DataType::Int32 => kind("Int32"),
        DataType::Int64 => kind("Int64"),
        DataType::UInt8 => kind("UInt8"),
        DataType::UInt16 => kind("UInt16"),
        DataType::UInt32 => kind("UInt32"),
        DataType::UInt64 => kind("UInt64"),
        DataType::Float32 => kind("Float32"),
        DataType::Float64 => kind("Float64"),
        DataType::Boolean => kind("Bool"),
        DataType::Utf8 => kind("Str"),
        DataType::Binary => kind("Binary"),
        DataType::Date32 => kind("Date"),
        DataType::Timestamp(_, None) => kind("Timestamp"),
        DataType::Timestamp(_, Some(_)) => kind("TimestampTz"),
        DataType::Decimal128(_, _) => kind("Decimal"),
        DataType::List(item) => {
            let item = type_kind(p, item.data_type());
            quote!(#p::TypeKind::List(&#item))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                let k = type_kind(p, kv[0].data_type());
                let v = type_kind(p, kv[1].data_type());
                quote!(#p::TypeKind::Map(&#k, &#v))
            }
            _ => kind("Struct"),
        },
        _ => kind("Struct"),
    }
}
