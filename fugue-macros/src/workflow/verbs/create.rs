//! `create`: in-memory data, or the output of a `#[creator]`.

use super::{Args, Ctx, Op, Params, Parsed, Verb, no_checks};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// `name = create(data) [as Record];` or `name = create(using: creator [, params(..)]);`
///
/// A step whose output is in-memory data: any Rust expression that converts into a dataframe
/// (`Vec<Record>`, a `RecordBatch`, a `DataFrame`, ...). With `as Record` the step's schema is
/// the record's, known at compile time: the data is a `Vec<Record>`, or a dataframe read as the
/// record when the workflow runs (a missing column, another type or a NULL in a non-`Option`
/// field is an error naming the column). With `using:` the output is what a
/// `#[creator]` function makes (its declared output schema is known at compile time, its
/// parameters are checked like `transform`'s).
///
/// ```text
/// extra = create(vec![Trip { city: "Lima".into(), fare: 12.0 }]) as Trip;
/// from_arrow = create(trip_batch) as Trip;
/// made = create(using: make_trips, params(n: 100));
/// ```
pub const VERB: Verb = Verb {
    name: "create",
    syntax: "name = create(data) [as Record] | create(using: creator [, params(..)])",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of a `create`.
pub enum Create {
    /// In-memory data.
    Data(TokenStream),
    /// A `#[creator]` and its parameters.
    Using {
        /// The function's path.
        function: syn::Path,
        /// The parameters.
        params: Params,
    },
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let create = match args.named("using") {
        Some(using) => {
            let function = match syn::parse2::<syn::Path>(using.value.clone()) {
                Ok(path) => Some(path),
                Err(_) => {
                    args.error_value(
                        diag,
                        &using,
                        "`using:` takes the path of a `#[creator]` function",
                    );
                    None
                }
            };
            let params = args.params(diag);
            if let Some(record) = &call.record {
                args.error(
                    diag,
                    record.span(),
                    "a `#[creator]` declares its output schema; remove `as ..`",
                );
            }
            function.map(|function| Create::Using { function, params })
        }
        None => Some(Create::Data(args.required(diag, "the data")?.value)),
    };
    args.finish(diag).then_some(Parsed {
        inputs: Vec::new(),
        op: Op::Create(create?),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let p = ctx.p();
    match (&node.op, &node.record) {
        (Op::Create(Create::Using { function, .. }), _) => quote!(#p::output_schema(
            <#function as ::fugue::__private::Transformer>::OUTPUT,
            &#p::ConstSchema::EMPTY
        )),
        (_, Some(record)) => {
            quote!(#p::ConstSchema::of_columns(<#record as ::fugue::__private::Record>::COLUMNS))
        }
        _ => quote!(#p::ConstSchema::UNKNOWN),
    }
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Create(Create::Using { function, params }) = &node.op else {
        return no_checks(node, ctx);
    };
    let mut out = ctx.kind_check(node, function, "Creator");
    out.extend(params.checks(ctx, node, function));
    out
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Create(create) = &node.op else {
        return TokenStream::new();
    };
    let wf = ctx.wf();
    let data = match create {
        Create::Using { function, params } => {
            let params = params.modifier();
            // Any kind converts (`AnyKind`): a function of another kind is the const kind
            // check's error.
            return quote!(#wf.create_with(
                ::fugue::__private::transformer::AnyKind::into_create(#function)
            ) #params);
        }
        Create::Data(data) => data,
    };
    match &node.record {
        // `as Record` takes rows of the record or a dataframe read as it (`IntoRecordFrame`):
        // either way the step's schema is the record's, as the compile-time checks assume.
        Some(record) => {
            let typed = quote_spanned! {super::super::parse::span_of(data).unwrap_or_else(proc_macro2::Span::call_site)=>
                ::fugue::__private::IntoRecordFrame::<#record>::into_record_frame(#data)
            };
            quote!(#wf.create(#typed))
        }
        None => quote!(#wf.create(#data)),
    }
}
