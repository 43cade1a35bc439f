//! Code generation for a validated function: the unit struct named after it (with the body as
//! its inherent `call`), the `Transformer` description, and the entry of its kind
//! (`PartitionFunction`, `Processor`, `Creator` or `Outputter`). Every path is absolute; the
//! runtime is reached through `::fugue::__private` only; the impls and checks sit in an
//! anonymous `const _: () = { ... };`.

use super::parse::{DataShape, Kind, OutShape, Role, TransformerDef};
use super::validate::ValidTransformer;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// The unit struct and its inherent `call`, holding the user's body (also the fallback's).
pub fn struct_and_call(def: &TransformerDef<'_>) -> TokenStream {
    let item = def.item;
    let vis = &item.vis;
    let ident = &item.sig.ident;
    let docs: Vec<&syn::Attribute> = item
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let attrs = &item.attrs;
    let mut sig = item.sig.clone();
    sig.ident = syn::Ident::new("call", ident.span());
    if sig.receiver().is_none() {
        sig.inputs.insert(0, syn::parse_quote!(self));
    }
    let block = &item.block;
    let kind = def.kind.attribute();
    // Where the value is used: the function layer for the per-partition kinds, a workflow
    // step for the driver-side ones.
    let used = match def.kind {
        Kind::Transformer => format!("`fugue::transform(data, {ident}, ...)`"),
        Kind::OutputTransformer => format!("`fugue::out_transform(data, {ident}, ...)`"),
        Kind::CoTransformer => format!("`fugue::cotransform((a, b), {ident}, ...)`"),
        Kind::OutputCoTransformer => format!("`fugue::out_cotransform((a, b), {ident}, ...)`"),
        Kind::Processor => format!("a workflow's `process(input, {ident})` step"),
        Kind::Creator => format!("a workflow's `create(using: {ident})` step"),
        Kind::Outputter => format!("a workflow's `output(input, {ident})` step"),
    };
    let note = format!(
        " Declared with `#[{kind}]`: `{ident}` is a value that engines run ({used}); call the \
         function itself as `{ident}.call(...)`."
    );
    quote! {
        #(#docs)*
        #[doc = ""]
        #[doc = #note]
        #[allow(non_camel_case_types)]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::default::Default)]
        #vis struct #ident;

        impl #ident {
            #(#attrs)*
            #[allow(clippy::too_many_arguments)]
            #vis #sig #block
        }
    }
}

/// The whole expansion; `code_hash` is the hash of the function's tokens
/// ([`super::code_hash`]), published as `Transformer::CODE_HASH`.
pub fn expand(v: &ValidTransformer<'_>, code_hash: u64) -> TokenStream {
    let def = &v.def;
    let head = struct_and_call(def);
    let checks = checks(v);
    let description = description(v, code_hash);
    let entry = match def.kind {
        Kind::Processor => processor(def),
        Kind::Creator => creator(def),
        Kind::Outputter => outputter(def),
        _ => partition_function(v),
    };
    let any_kind = any_kind(def);
    quote! {
        #head

        const _: () = {
            #checks
            #description
            #entry
            #any_kind
        };
    }
}

/// `AnyKind`: the function as the step function of every verb, its own kind's conversion the
/// function itself (or its `Ext`), the others `WrongKind` (so every verb's expansion
/// type-checks, and a function of the wrong kind is the const kind check's error).
fn any_kind(def: &TransformerDef<'_>) -> TokenStream {
    let p = quote!(::fugue::__private);
    let ident = &def.item.sig.ident;
    let wrong = quote!(#p::transformer::WrongKind<#ident>);
    let wrong_value = quote!(#p::transformer::WrongKind::new());
    let ext = quote!(#p::Ext<#ident>);
    let (mut partition, mut create, mut process, mut output) = (
        (wrong.clone(), wrong_value.clone()),
        (wrong.clone(), wrong_value.clone()),
        (wrong.clone(), wrong_value.clone()),
        (wrong.clone(), wrong_value.clone()),
    );
    match def.kind {
        Kind::Processor => process = (ext, quote!(#p::Ext(self))),
        Kind::Creator => create = (ext, quote!(#p::Ext(self))),
        Kind::Outputter => output = (ext, quote!(#p::Ext(self))),
        _ => partition = (quote!(#ident), quote!(self)),
    }
    let ((pt, pv), (ct, cv), (rt, rv), (ot, ov)) = (partition, create, process, output);
    quote! {
        impl #p::transformer::AnyKind for #ident {
            type Partition = #pt;
            type Create = #ct;
            type Process = #rt;
            type Output = #ot;

            fn into_partition(self) -> #pt {
                #pv
            }

            fn into_create(self) -> #ct {
                #cv
            }

            fn into_process(self) -> #rt {
                #rv
            }

            fn into_output(self) -> #ot {
                #ov
            }
        }
    }
}

/// Bound checks spanned at the user's types, and const-evaluated column checks spanned at the
/// rule and hint strings.
fn checks(v: &ValidTransformer<'_>) -> TokenStream {
    let def = &v.def;
    let name = def.item.sig.ident.to_string();
    let mut out = TokenStream::new();
    let records = def
        .params
        .iter()
        .filter_map(|p| match &p.role {
            Role::Data(shape) => shape.record(),
            _ => None,
        })
        .chain(def.output.shape.record());
    for ty in records {
        out.extend(quote_spanned! {ty.span()=>
            const _: ::fugue::__private::adapt::IsRecord<#ty> = ::fugue::__private::adapt::IsRecord::OK;
        });
    }
    let errors = def.output.error.into_iter().chain(match &def.output.shape {
        OutShape::ResultBatchIter(e) => Some(*e),
        _ => None,
    });
    for ty in errors {
        out.extend(quote_spanned! {ty.span()=>
            const _: ::fugue::__private::adapt::IsError<#ty> = ::fugue::__private::adapt::IsError::OK;
        });
    }
    // Rules naming columns of a typed input.
    let typed_input = def.params.iter().find_map(|p| match &p.role {
        Role::Data(shape) => shape.record(),
        _ => None,
    });
    if let Some(record) = typed_input {
        let record_name = type_name(record);
        for rule in &v.rules {
            let (rule_name, columns) = (&rule.name, &rule.columns);
            out.extend(quote_spanned! {rule.value.span()=>
                const _: () = match ::fugue::__private::fugue_core::const_check::check_rule_columns(
                    #name, #rule_name, &[#(#columns),*], #record_name,
                    <#record as ::fugue::__private::Record>::COLUMNS,
                ) {
                    ::core::result::Result::Ok(()) => (),
                    ::core::result::Result::Err(__fugue_message) => {
                        ::core::panic!("{}", __fugue_message.as_str())
                    }
                };
            });
        }
    }
    // A hint without `*` must agree with a typed output.
    if let (Some(hint), Some(record)) = (&v.hint, def.output.shape.record())
        && let Some(names) = &hint.names
    {
        let (text, record_name) = (&hint.text, type_name(record));
        out.extend(quote_spanned! {hint.lit.span()=>
            const _: () = match ::fugue::__private::fugue_core::const_check::check_hint_matches(
                #name, #text, &[#(#names),*], #record_name,
                <#record as ::fugue::__private::Record>::COLUMNS,
            ) {
                ::core::result::Result::Ok(()) => (),
                ::core::result::Result::Err(__fugue_message) => {
                    ::core::panic!("{}", __fugue_message.as_str())
                }
            };
        });
    }
    out
}

/// The const items of a parsed hint, types as canonical keys.
fn hint_items(
    p: &TokenStream,
    items: &[fugue_core::transform::ParsedHintItem],
) -> Vec<TokenStream> {
    items
        .iter()
        .map(|item| {
            let op = syn::Ident::new(&format!("{:?}", item.op), proc_macro2::Span::call_site());
            let name = &item.name;
            let ty = match &item.data_type {
                Some(t) => {
                    let key = fugue_core::rules::eval::type_key(t);
                    quote!(#p::workflow::Ty::Key(#key))
                }
                None => quote!(#p::workflow::Ty::Unknown),
            };
            quote!(#p::workflow::HintItem { op: #p::workflow::HintOp::#op, name: #name, ty: #ty })
        })
        .collect()
}

fn type_name(ty: &syn::Type) -> String {
    quote!(#ty).to_string().replace(' ', "")
}

fn description(v: &ValidTransformer<'_>, code_hash: u64) -> TokenStream {
    let def = &v.def;
    let p = quote!(::fugue::__private);
    let ident = &def.item.sig.ident;
    let name = ident.to_string();
    let kind = format_ident!("{}", def.kind.variant());
    let inputs = def.params.iter().filter_map(|param| match &param.role {
        Role::Data(DataShape::Frames) => Some(quote!(#p::InputShape::Frames)),
        Role::Data(shape) => Some(match shape.record() {
            Some(t) => {
                let record = type_name(t);
                quote!(#p::InputShape::Typed { record: #record, columns: <#t as #p::Record>::COLUMNS })
            }
            None => quote!(#p::InputShape::Dynamic),
        }),
        _ => None,
    });
    let hint = v.hint.as_ref().map(|h| h.text.as_str());
    let output = match (def.output.shape.record(), hint) {
        _ if def.kind.is_output() => quote!(#p::OutputShape::None),
        (Some(t), hint) => {
            let record = type_name(t);
            let hint = match hint {
                Some(h) => quote!(::core::option::Option::Some(#h)),
                None => quote!(::core::option::Option::None),
            };
            quote!(#p::OutputShape::Typed { record: #record, columns: <#t as #p::Record>::COLUMNS, hint: #hint })
        }
        (None, Some(h)) => {
            let items = hint_items(&p, v.hint.as_ref().map_or(&[][..], |h| &h.items));
            quote!(#p::OutputShape::ParsedHint { text: #h, items: &[#(#items),*] })
        }
        (None, None) => quote!(#p::OutputShape::Dynamic),
    };
    // Rule values in canonical form (types as keys), so const evaluation compares strings.
    let rules = v.rules.iter().map(|r| {
        let (n, value) = (&r.name, &r.canonical);
        quote!((#n, #value))
    });
    let params = def
        .params
        .iter()
        .filter(|p| matches!(p.role, Role::Param))
        .map(|param| {
            let (n, t) = (&param.name, type_name(param.ty));
            quote!((#n, #t))
        });
    let callback = def
        .params
        .iter()
        .find_map(|p| match p.role {
            Role::Callback { optional: true } => Some(quote!(Optional)),
            Role::Callback { optional: false } => Some(quote!(Required)),
            _ => None,
        })
        .unwrap_or(quote!(None));
    let cursor = def
        .params
        .iter()
        .any(|p| matches!(p.role, Role::Cursor { .. }));
    let code_hash = syn::LitInt::new(
        &format!("0x{code_hash:016x}_u64"),
        proc_macro2::Span::call_site(),
    );
    quote! {
        #[automatically_derived]
        impl #p::Transformer for #ident {
            const NAME: &'static str = #name;
            const PATH: &'static str =
                ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#ident));
            const CODE_HASH: ::core::option::Option<u64> = ::core::option::Option::Some(#code_hash);
            const KIND: #p::Kind = #p::Kind::#kind;
            const INPUTS: &'static [#p::InputShape] = &[#(#inputs),*];
            const OUTPUT: #p::OutputShape = #output;
            const RULES: &'static [(&'static str, &'static str)] = &[#(#rules),*];
            const PARAMS: &'static [(&'static str, &'static str)] = &[#(#params),*];
            const CALLBACK: #p::CallbackUse = #p::CallbackUse::#callback;
            const CURSOR: bool = #cursor;
        }
    }
}

/// The arguments of the call, in order, with the statements that prepare them. `data(i, shape)`
/// gives the expression of the `i`th data parameter.
fn call_args(
    def: &TransformerDef<'_>,
    data: &dyn Fn(usize, &DataShape<'_>, &syn::Type) -> (TokenStream, bool),
    params_expr: &TokenStream,
) -> (TokenStream, Vec<TokenStream>) {
    let p = quote!(::fugue::__private);
    let mut prepare = TokenStream::new();
    let mut args = Vec::new();
    let mut data_index = 0;
    for (i, param) in def.params.iter().enumerate() {
        let var = format_ident!("__arg{i}");
        let ty = param.ty;
        match &param.role {
            Role::Data(shape) => {
                let (expr, borrow) = data(data_index, shape, ty);
                data_index += 1;
                prepare.extend(quote!(let #var = #expr;));
                args.push(if borrow { quote!(&#var) } else { quote!(#var) });
            }
            Role::Callback { optional: true } => {
                prepare.extend(quote!(let #var = ctx.callback.clone();));
                args.push(quote!(#var));
            }
            Role::Callback { optional: false } => {
                prepare.extend(quote! {
                    let #var = ctx.callback.clone().ok_or_else(|| #p::adapt::missing_callback(NAME))?;
                });
                args.push(quote!(#var));
            }
            Role::State { ty, by_ref: true } => {
                prepare.extend(quote_spanned! {ty.span()=>
                    let #var: &#ty = #p::adapt::state::<#ty>(NAME, ctx.state.as_ref())?;
                });
                args.push(quote!(#var));
            }
            Role::State { ty, by_ref: false } => {
                prepare.extend(quote_spanned! {ty.span()=>
                    let #var: ::std::sync::Arc<#ty> =
                        #p::adapt::shared_state::<#ty>(NAME, ctx.state.as_ref())?;
                });
                args.push(quote!(#var));
            }
            Role::Cursor { by_ref: true } => args.push(quote!(&ctx.cursor)),
            Role::Cursor { by_ref: false } => args.push(quote!(ctx.cursor.clone())),
            // Driver-side kinds only (`validate.rs`): their entry's `engine` argument.
            Role::Engine => args.push(quote!(engine)),
            Role::Param | Role::Unsupported(_) => {
                let n = &param.name;
                prepare.extend(quote_spanned! {ty.span()=>
                    let #var: #ty = #params_expr.get::<#ty>(NAME, #n)?;
                });
                args.push(quote!(#var));
            }
        }
    }
    (prepare, args)
}

/// The call of the user's function, with panics caught and a `Result`'s error wrapped.
fn invoke(def: &TransformerDef<'_>, args: &[TokenStream]) -> TokenStream {
    let p = quote!(::fugue::__private);
    let ident = &def.item.sig.ident;
    let unwrap = def
        .output
        .error
        .map(|_| quote!(let __out = __out.map_err(|e| #p::adapt::user_error(NAME, e))?;));
    quote! {
        let __out = #p::adapt::guard(NAME, move || #ident::call(#ident, #(#args),*))?;
        #unwrap
    }
}

fn partition_function(v: &ValidTransformer<'_>) -> TokenStream {
    let def = &v.def;
    let p = quote!(::fugue::__private);
    let ident = &def.item.sig.ident;
    let count = def
        .params
        .iter()
        .filter(|p| matches!(p.role, Role::Data(_)))
        .count();
    let data = |_: usize, shape: &DataShape<'_>, _: &syn::Type| match shape {
        DataShape::Rows(t) => (quote!(#p::adapt::rows::<#t>(__inputs.next())?), false),
        DataShape::Slice(t) => (quote!(#p::adapt::rows::<#t>(__inputs.next())?), true),
        DataShape::RowIter(t) => (
            quote!(#p::adapt::row_iter::<#t>(__inputs.next(), &__slot)),
            false,
        ),
        // `DataFrame` is rejected in `validate.rs` for the per-partition kinds.
        DataShape::Batch | DataShape::Frame | DataShape::Frames => {
            (quote!(#p::adapt::batch(__inputs.next())?), false)
        }
        DataShape::BatchIter => (
            quote!(#p::adapt::batch_iter(__inputs.next(), &__slot)),
            false,
        ),
    };
    let (prepare, args) = call_args(def, &data, &quote!(ctx.params));
    let invoke = invoke(def, &args);
    let stream = match &def.output.shape {
        OutShape::Rows(t) => quote!(#p::adapt::from_rows::<#t>(__out)?),
        OutShape::Row(t) => quote!(#p::adapt::from_row::<#t>(__out)?),
        OutShape::RowIter(t) => quote!(#p::adapt::from_row_iter::<#t, _>(__out)),
        OutShape::Batch => quote!(#p::adapt::from_batch(__out)),
        OutShape::BatchIter => quote!(#p::adapt::from_batch_iter(__out)),
        OutShape::ResultBatchIter(_) => quote!(#p::adapt::from_result_batch_iter(NAME, __out)),
        OutShape::Frame => quote!(#p::adapt::from_frame(__out)?),
        OutShape::Unit | OutShape::Unsupported(_) => {
            quote!({ let () = __out; #p::adapt::nothing() })
        }
    };
    let param_checks = def
        .params
        .iter()
        .filter(|p| matches!(p.role, Role::Param))
        .map(|param| {
            let (ty, n) = (param.ty, &param.name);
            quote_spanned!(ty.span()=> params.get::<#ty>(NAME, #n)?;)
        });
    let init = def.args.on_init.as_ref().map(|path| {
        let state = def
            .params
            .iter()
            .find_map(|p| match &p.role {
                Role::State { ty, .. } => Some(quote!(#ty)),
                _ => None,
            })
            .unwrap_or(quote!(()));
        let init_name = quote!(#path).to_string().replace(' ', "");
        // Spanned at the path: a function of the wrong signature or state is reported there.
        let call = quote_spanned! {path.span()=>
            #p::adapt::init::<#state, _>(#init_name, #path, partition)
        };
        quote! {
            fn init(
                &self,
                partition: &#p::PhysicalPartition,
            ) -> #p::fugue_core::Result<::core::option::Option<#p::PartitionState>> {
                #call
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #p::PartitionFunction for #ident {
            fn name(&self) -> &str {
                <Self as #p::Transformer>::NAME
            }

            #init

            fn registered_name(&self) -> ::core::option::Option<&str> {
                ::core::option::Option::Some(<Self as #p::Transformer>::PATH)
            }

            fn code_identity(&self) -> ::core::option::Option<#p::transformer::CodeIdentity> {
                #p::transformer::CodeIdentity::of::<Self>()
            }

            fn output_schema(
                &self,
                inputs: &[#p::fugue_core::Schema],
            ) -> #p::fugue_core::Result<#p::fugue_core::Schema> {
                #p::transformer::output_schema::<Self>(inputs)
            }

            fn typed_inputs(
                &self,
            ) -> ::std::vec::Vec<::core::option::Option<(&'static str, #p::fugue_core::Schema)>> {
                #p::transformer::typed_inputs::<Self>()
            }

            fn declaration(&self) -> ::core::option::Option<#p::transformer::Declaration> {
                ::core::option::Option::Some(#p::transformer::Declaration::of::<Self>())
            }

            fn check(
                &self,
                spec: &#p::fugue_core::PartitionSpec,
                inputs: &[#p::fugue_core::Schema],
                params: &#p::Params,
                has_callback: bool,
            ) -> #p::fugue_core::Result<()> {
                const NAME: &str = <#ident as #p::Transformer>::NAME;
                #p::transformer::check::<Self>(spec, inputs, has_callback)?;
                #(#param_checks)*
                ::core::result::Result::Ok(())
            }

            fn call<'a>(
                &'a self,
                ctx: #p::PartitionContext,
                inputs: ::std::vec::Vec<#p::BatchStream<'a>>,
            ) -> #p::fugue_core::Result<#p::BatchStream<'a>> {
                const NAME: &str = <#ident as #p::Transformer>::NAME;
                let mut __inputs = #p::adapt::inputs(NAME, inputs, #count)?;
                let __slot = #p::adapt::ErrorSlot::new();
                #prepare
                #invoke
                ::core::result::Result::Ok(#p::adapt::finish(NAME, #stream, __slot))
            }
        }

        #p::inventory::submit! {
            #p::RegisteredFunction::new(<#ident as #p::Transformer>::PATH, &#ident)
        }
    }
}

/// The input frames of a driver-side kind.
fn frame_data(shape: &DataShape<'_>) -> (TokenStream, bool) {
    let p = quote!(::fugue::__private);
    match shape {
        DataShape::Rows(t) => (
            quote!(#p::adapt::frame_rows::<#t>(__inputs.next()?)?),
            false,
        ),
        DataShape::Slice(t) => (quote!(#p::adapt::frame_rows::<#t>(__inputs.next()?)?), true),
        DataShape::Batch => (quote!(#p::adapt::frame_batch(__inputs.next()?)?), false),
        // The only data parameter (`validate.rs`): every input.
        DataShape::Frames => (quote!(inputs), false),
        _ => (quote!(__inputs.next()?), false),
    }
}

/// How a driver-side kind reads its inputs: every input as `DataFrames`, or one frame per data
/// parameter (their number checked).
fn frame_inputs(def: &TransformerDef<'_>) -> TokenStream {
    let p = quote!(::fugue::__private);
    let all = def
        .params
        .iter()
        .any(|p| matches!(p.role, Role::Data(DataShape::Frames)));
    if all {
        return TokenStream::new();
    }
    let count = data_count(def);
    quote!(let mut __inputs = #p::adapt::frames(NAME, inputs, #count)?;)
}

fn frame_output(def: &TransformerDef<'_>) -> TokenStream {
    let p = quote!(::fugue::__private);
    match &def.output.shape {
        OutShape::Row(_) => quote!(#p::IntoDataFrame::into_dataframe(::std::vec![__out])),
        OutShape::Frame => quote!(::core::result::Result::Ok(__out)),
        _ => quote!(#p::IntoDataFrame::into_dataframe(__out)),
    }
}

fn data_count(def: &TransformerDef<'_>) -> usize {
    def.params
        .iter()
        .filter(|p| matches!(p.role, Role::Data(_)))
        .count()
}

fn processor(def: &TransformerDef<'_>) -> TokenStream {
    let p = quote!(::fugue::__private);
    let ident = &def.item.sig.ident;
    let read = frame_inputs(def);
    let (prepare, args) = call_args(def, &|_, shape, _| frame_data(shape), &quote!(params));
    let invoke = invoke(def, &args);
    let output = frame_output(def);
    quote! {
        #[automatically_derived]
        impl #p::Processor for #ident {
            fn process(
                &self,
                engine: &dyn #p::ExecutionEngine,
                inputs: #p::DataFrames,
                params: &#p::Params,
            ) -> #p::fugue_core::Result<#p::DataFrame> {
                const NAME: &str = <#ident as #p::Transformer>::NAME;
                let _ = engine;
                #read
                #prepare
                #invoke
                #output
            }
        }
    }
}

fn creator(def: &TransformerDef<'_>) -> TokenStream {
    let p = quote!(::fugue::__private);
    let ident = &def.item.sig.ident;
    let (prepare, args) = call_args(def, &|_, shape, _| frame_data(shape), &quote!(params));
    let invoke = invoke(def, &args);
    let output = frame_output(def);
    quote! {
        #[automatically_derived]
        impl #p::Creator for #ident {
            fn create(
                &self,
                engine: &dyn #p::ExecutionEngine,
                params: &#p::Params,
            ) -> #p::fugue_core::Result<#p::DataFrame> {
                const NAME: &str = <#ident as #p::Transformer>::NAME;
                let _ = engine;
                #prepare
                #invoke
                #output
            }
        }
    }
}

fn outputter(def: &TransformerDef<'_>) -> TokenStream {
    let p = quote!(::fugue::__private);
    let ident = &def.item.sig.ident;
    let read = frame_inputs(def);
    let (prepare, args) = call_args(def, &|_, shape, _| frame_data(shape), &quote!(params));
    let invoke = invoke(def, &args);
    quote! {
        #[automatically_derived]
        impl #p::Outputter for #ident {
            fn output(
                &self,
                engine: &dyn #p::ExecutionEngine,
                inputs: #p::DataFrames,
                params: &#p::Params,
            ) -> #p::fugue_core::Result<()> {
                const NAME: &str = <#ident as #p::Transformer>::NAME;
                let _ = engine;
                #read
                #prepare
                #invoke
                let () = __out;
                ::core::result::Result::Ok(())
            }
        }
    }
}
