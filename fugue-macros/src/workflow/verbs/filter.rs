//! `filter`: the rows where a condition holds.

use super::sql::Fragment;
use super::{Args, Ctx, Op, Parsed, Verb, same_schema};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::{Call, Column};
use fugue_sql::FragmentKind;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = filter(input, "SQL condition");` or `name = filter(input, flag_column);`
///
/// A SQL condition in a string literal has its column references checked at compile time
/// (names as written), its types at run time; a boolean column written as an identifier must
/// be a column of the input.
///
/// ```text
/// paid = filter(trips, "fare > 8");
/// flagged = assign(trips, pricey = "fare > 8");
/// pricey = filter(flagged, pricey);
/// ```
pub const VERB: Verb = Verb {
    name: "filter",
    syntax: "name = filter(input, \"SQL condition\" | bool_column)",
    output: true,
    modifier: false,
    parse,
    schema: same_schema,
    checks,
    build,
};

/// The condition of a `filter`.
pub enum Filter {
    /// SQL: its column references checked at compile time, the rest at run time.
    Sql(Fragment),
    /// A boolean column.
    Column(Column),
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let condition = args.required(diag, "a condition");
    let condition = condition.and_then(|arg| {
        if let Ok(lit) = syn::parse2::<syn::LitStr>(arg.value.clone()) {
            return Some(Filter::Sql(Fragment::read(lit, FragmentKind::Condition)));
        }
        if let Some(ident) = arg.ident() {
            return Some(Filter::Column(Column {
                name: ident.to_string(),
                span: ident.span(),
            }));
        }
        args.error_value(
            diag,
            &arg,
            "the condition of `filter` is a SQL string (`\"fare > 0\"`) or a boolean column",
        );
        None
    });
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Filter(condition?),
    })
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    match &node.op {
        Op::Filter(Filter::Column(c)) => ctx.column_check(node, 0, "filter column", c),
        Op::Filter(Filter::Sql(fragment)) => super::sql::fragment_checks(node, ctx, fragment),
        _ => TokenStream::new(),
    }
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let input = ctx.input_handle(node, 0);
    match &node.op {
        Op::Filter(Filter::Sql(fragment)) => quote!(#input.filter(#fragment)),
        Op::Filter(Filter::Column(c)) => {
            let name = super::sql_name(&c.name);
            quote!(#input.filter(#name))
        }
        _ => TokenStream::new(),
    }
}
