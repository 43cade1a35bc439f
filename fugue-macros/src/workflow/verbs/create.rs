//! `create`: in-memory data.

use super::{Args, Ctx, Op, Parsed, Verb, no_checks};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

/// `name = create(data) [as Record];`
///
/// A step whose output is in-memory data: any Rust expression that converts into a dataframe
/// (`Vec<Record>`, a `RecordBatch`, a `DataFrame`, ...). With `as Record` the data is a
/// `Vec<Record>` and its schema is known at compile time.
///
/// ```text
/// dims = create(dim_rows) as Dim;
/// ```
pub const VERB: Verb = Verb {
    name: "create",
    syntax: "name = create(data) [as Record]",
    output: true,
    modifier: false,
    parse,
    schema,
    checks: no_checks,
    build,
};

/// The data of a `create`.
pub struct Create {
    data: TokenStream,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let data = args.required(diag, "the data")?.value;
    args.finish(diag).then_some(Parsed {
        inputs: Vec::new(),
        op: Op::Create(Create { data }),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let p = ctx.p();
    match &node.record {
        Some(record) => {
            quote!(#p::ConstSchema::of_columns(<#record as ::fugue::__private::Record>::COLUMNS))
        }
        None => quote!(#p::ConstSchema::UNKNOWN),
    }
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Create(create) = &node.op else {
        return TokenStream::new();
    };
    let data = &create.data;
    let wf = ctx.wf();
    match &node.record {
        // The record type pins the data's type: `as Record` takes a `Vec<Record>`.
        Some(record) => {
            let typed = quote_spanned! {super::super::parse::span_of(data).unwrap_or_else(proc_macro2::Span::call_site)=>
                let data: ::std::vec::Vec<#record> = #data;
            };
            quote!(#wf.create({ #typed data }))
        }
        None => quote!(#wf.create(#data)),
    }
}
