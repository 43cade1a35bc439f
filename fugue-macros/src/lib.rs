//! # fugue-macros
//!
//! The procedural macros of Fugue for Rust. Users reach them through the `fugue` crate
//! (`fugue::Schema`, also in `fugue::prelude`); the runnable examples live there.
//!
//! ## `#[derive(Schema)]`
//!
//! On a struct with named fields, implements `fugue::record::Record` (the struct's schema as
//! const data, and conversions to and from Arrow record batches) and
//! `fugue::record::ArrowField` (so that the struct can be a field of another derived struct):
//!
//! ```text
//! #[derive(Schema)]
//! struct Order {
//!     id: i64,
//!     #[fugue(rename = "order date")]
//!     date: chrono::NaiveDate,
//!     #[fugue(type = "decimal(10,2)")]
//!     amount: rust_decimal::Decimal,
//!     note: Option<String>,
//! }
//! // Order::COLUMNS, Order::schema() == "id:long,`order date`:date,amount:decimal(10,2),note:str"
//! // Order::to_record_batch(&rows)?, Order::from_record_batch(&batch)?
//! ```
//!
//! Field attributes, combinable as `#[fugue(rename = "..", type = "..")]`:
//! - `rename = "name"`: the column name (default: the field name).
//! - `type = "expr"`: an explicit column type in the schema language, checked when the macro
//!   runs; it must belong to the field type's family (another precision or scale for
//!   `Decimal`, another unit for `NaiveDateTime`, another unit or time zone for
//!   `DateTime<Utc>`; the same type otherwise), which const evaluation checks.
//!
//! The layout is parse → validate → expand, in `derive_schema/`; errors are collected and
//! all reported, each at the smallest span.
//!
//! ## `workflow!`
//!
//! A small Rust-like DSL of steps, expanded into the runtime workflow builder:
//!
//! ```text
//! let wf = workflow! {
//!     trips  = load("trips.parquet") as Trip;
//!     ranked = transform(trips, rank, partition(by: city, presort: fare desc), params(top: 3));
//!     top    = take(ranked, 3, partition(by: city, presort: rank));
//!     joined = join(top, dims, how: inner, on: [city]);
//!     save(top, "top.parquet", mode: overwrite);
//!     yield joined;
//! };
//! ```
//!
//! The layout is parse (`workflow/parse.rs`) → graph (`workflow/graph.rs`, one file per verb
//! in `workflow/verbs/`) → schema checks (`workflow/schema_check.rs`: const items that rustc
//! evaluates with `fugue_core::const_check`) → expansion (`workflow/expand.rs`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod derive_schema;
mod diag;
mod transformer;
mod workflow;

/// Derive `fugue::record::Record` and `fugue::record::ArrowField` for a struct with named
/// fields; see the crate documentation.
#[proc_macro_derive(Schema, attributes(fugue))]
pub fn derive_schema(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive_schema::expand(input.into()).into()
}

/// Declare a transformer: one input partition in, data out; see the `fugue` crate's documentation of this attribute.
#[proc_macro_attribute]
pub fn transformer(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    transformer::expand(transformer::Kind::Transformer, attr.into(), item.into()).into()
}

/// Declare an output transformer: one input partition in, nothing out; see the `fugue` crate's documentation of this attribute.
#[proc_macro_attribute]
pub fn output_transformer(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    transformer::expand(
        transformer::Kind::OutputTransformer,
        attr.into(),
        item.into(),
    )
    .into()
}

/// Declare a co-transformer: several inputs zipped by the same keys in, data out; see the `fugue` crate's documentation of this attribute.
#[proc_macro_attribute]
pub fn cotransformer(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    transformer::expand(transformer::Kind::CoTransformer, attr.into(), item.into()).into()
}

/// Declare an output co-transformer: several zipped inputs in, nothing out; see the `fugue` crate's documentation of this attribute.
#[proc_macro_attribute]
pub fn output_cotransformer(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    transformer::expand(
        transformer::Kind::OutputCoTransformer,
        attr.into(),
        item.into(),
    )
    .into()
}

/// Declare a processor: whole frames in, one frame out, on the driver; see the `fugue` crate's documentation of this attribute.
#[proc_macro_attribute]
pub fn processor(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    transformer::expand(transformer::Kind::Processor, attr.into(), item.into()).into()
}

/// Declare a creator: parameters in, one frame out, on the driver; see the `fugue` crate's documentation of this attribute.
#[proc_macro_attribute]
pub fn creator(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    transformer::expand(transformer::Kind::Creator, attr.into(), item.into()).into()
}

/// Declare an outputter: whole frames in, nothing out, on the driver; see the `fugue` crate's documentation of this attribute.
#[proc_macro_attribute]
pub fn outputter(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    transformer::expand(transformer::Kind::Outputter, attr.into(), item.into()).into()
}

/// Declare a workflow in the `workflow!` DSL: steps composed into a DAG, expanded into the
/// runtime builder, with schema mistakes between steps reported as compile errors; see the
/// `fugue` crate's documentation of this macro.
#[proc_macro]
pub fn workflow(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    workflow::expand(input.into()).into()
}
