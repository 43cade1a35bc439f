//! `aggregate`: SQL aggregates per group of keys.

use super::sql::Fragment;
use super::{Args, Ctx, Op, Parsed, Verb, names};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::{Call, Column};
use fugue_sql::FragmentKind;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = aggregate(input, by: [key, ..], column = "SQL aggregate", ..);`
///
/// One row per group of `by` keys (one row overall without `by`), with the keys and the
/// aggregated columns. Each key must be a column of the input (checked at compile time, at
/// the key), and so must every column an aggregate names (at the aggregate); an aggregate's
/// type is known at compile time for `COUNT`, and `SUM`, `AVG`, `MIN`, `MAX` of an expression
/// the `sql` step's rules type. The keys may also be written `partition(by: [..])`, as the
/// other verbs write theirs.
///
/// ```text
/// totals = aggregate(trips, by: [city], total = "sum(fare)", n = "count(*)");
/// ```
pub const VERB: Verb = Verb {
    name: "aggregate",
    syntax: "name = aggregate(input, by: [key, ..], column = \"SQL aggregate\", ..)",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of an `aggregate`.
pub struct Aggregate {
    by: Vec<Column>,
    columns: Vec<(Column, Fragment)>,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let mut by = args.named_columns(diag, "by").unwrap_or_default();
    // The keys may also be written as the other verbs' `partition(by: ..)`.
    if by.is_empty()
        && let Some(pa) = args.partition(diag)
    {
        if !pa.presort.is_empty() || pa.num.is_some() || pa.algo.is_some() {
            args.error(
                diag,
                pa.span,
                "`aggregate` groups by keys only: `partition(by: [city])` or `by: [city]`, \
                 without `presort`, `num` or `algo`",
            );
        }
        by = pa.by;
    }
    let columns: Vec<_> = args
        .assigned(diag)
        .into_iter()
        .map(|(c, e)| (c, Fragment::read(e, FragmentKind::Expression)))
        .collect();
    if columns.is_empty() && input.is_some() {
        args.error(
            diag,
            call.paren,
            "`aggregate` needs at least one `column = \"aggregate\"`, e.g. `total = \"sum(fare)\"`",
        );
    }
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Aggregate(Aggregate { by, columns }),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Aggregate(a) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_schema(node, 0);
    let by = names(&a.by);
    let cols = a.columns.iter().map(|(c, _)| &c.name);
    let aggregated = quote!(#input.aggregate(&[#(#by),*], &[#(#cols),*]));
    let typed: Vec<(&str, &Fragment)> = a
        .columns
        .iter()
        .map(|(c, e)| (c.name.as_str(), e))
        .collect();
    super::sql::typed_schema(node, ctx, aggregated, &typed)
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Aggregate(a) = &node.op else {
        return TokenStream::new();
    };
    let keys = ctx.column_checks(node, 0, "aggregation key", &a.by);
    let columns: TokenStream = a
        .columns
        .iter()
        .map(|(_, e)| super::sql::fragment_checks(node, ctx, e))
        .collect();
    quote!(#keys #columns)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Aggregate(a) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let by = names(&a.by);
    let partition = (!by.is_empty()).then(|| quote!(.partition_by(&[#(#by),*])));
    let pairs = a.columns.iter().map(|(c, e)| {
        let name = &c.name;
        quote!((#name, #e))
    });
    quote!(#input #partition .aggregate(&[#(#pairs),*]))
}
