//! The model of a derived struct: its fields, their column names and explicit types, with the
//! user's tokens kept for spans. Only syntax errors are reported here.

use crate::diag::Diagnostics;
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

/// The attribute keys accepted in `#[fugue(...)]` on a field.
pub const FIELD_KEYS: &str = "`rename = \"...\"`, `type = \"...\"`";

/// A struct with named fields.
pub struct RecordDef<'a> {
    /// The struct's name.
    pub ident: &'a syn::Ident,
    /// The fields, in declaration order.
    pub fields: Vec<FieldDef<'a>>,
}

/// One field.
pub struct FieldDef<'a> {
    /// The field's identifier.
    pub ident: &'a syn::Ident,
    /// The field's type.
    pub ty: &'a syn::Type,
    /// The column name: the `rename` value or the unraw field name.
    pub column: String,
    /// The span of the column name (the `rename` string, else the field name).
    pub column_span: Span,
    /// The `type = "..."` string.
    pub explicit: Option<syn::LitStr>,
}

impl<'a> RecordDef<'a> {
    /// The model of `input`, or `None` (with errors) when it is not a non-generic struct with
    /// named fields.
    pub fn from_syn(input: &'a syn::DeriveInput, diag: &mut Diagnostics) -> Option<Self> {
        let named = match &input.data {
            syn::Data::Struct(s) => match &s.fields {
                syn::Fields::Named(named) => Some(named),
                syn::Fields::Unnamed(unnamed) => {
                    diag.error(
                        unnamed.span(),
                        "`#[derive(Schema)]` needs named fields (the field names are the column \
                         names); tuple structs are not supported",
                    );
                    None
                }
                syn::Fields::Unit => {
                    diag.error(
                        input.ident.span(),
                        "`#[derive(Schema)]` needs a struct with named fields; a unit struct has \
                         no columns",
                    );
                    None
                }
            },
            syn::Data::Enum(e) => {
                diag.error(
                    e.enum_token.span,
                    "`#[derive(Schema)]` supports structs with named fields only, not enums",
                );
                None
            }
            syn::Data::Union(u) => {
                diag.error(
                    u.union_token.span,
                    "`#[derive(Schema)]` supports structs with named fields only, not unions",
                );
                None
            }
        };
        if !input.generics.params.is_empty() {
            diag.error(
                input.generics.params.span(),
                "`#[derive(Schema)]` does not support generic structs: a schema must be known \
                 at compile time; use concrete field types",
            );
            return None;
        }
        let named = named?;
        let fields = named
            .named
            .iter()
            .filter_map(|f| FieldDef::from_syn(f, diag))
            .collect();
        Some(RecordDef {
            ident: &input.ident,
            fields,
        })
    }
}

impl<'a> FieldDef<'a> {
    fn from_syn(field: &'a syn::Field, diag: &mut Diagnostics) -> Option<Self> {
        let ident = field.ident.as_ref()?;
        let mut rename: Option<syn::LitStr> = None;
        let mut explicit: Option<syn::LitStr> = None;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("fugue")) {
            if !matches!(attr.meta, syn::Meta::List(_)) {
                diag.error_spanned(attr, format!("expected `#[fugue(...)]` with {FIELD_KEYS}"));
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                let slot = if meta.path.is_ident("rename") {
                    &mut rename
                } else if meta.path.is_ident("type") {
                    &mut explicit
                } else {
                    let key = meta
                        .path
                        .get_ident()
                        .map_or_else(|| "this key".to_owned(), |i| format!("`{i}`"));
                    return Err(meta.error(format!(
                        "unknown fugue attribute key {key}; accepted keys: {FIELD_KEYS}"
                    )));
                };
                let value: syn::LitStr = meta.value()?.parse()?;
                if slot.is_some() {
                    return Err(syn::Error::new(
                        meta.path.span(),
                        format!(
                            "duplicate fugue attribute key `{}`",
                            meta.path
                                .get_ident()
                                .map_or(String::new(), |i| i.to_string())
                        ),
                    ));
                }
                *slot = Some(value);
                Ok(())
            });
            if let Err(e) = result {
                diag.push(e);
            }
        }
        let (column, column_span) = match &rename {
            Some(lit) => (lit.value(), lit.span()),
            None => (ident.unraw().to_string(), ident.span()),
        };
        Some(FieldDef {
            ident,
            ty: &field.ty,
            column,
            column_span,
            explicit,
        })
    }
}
