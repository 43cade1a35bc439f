//! `assign`: columns computed by SQL expressions.

use super::sql::Fragment;
use super::{Args, Ctx, Op, Parsed, Verb};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use fugue_sql::FragmentKind;
use proc_macro2::TokenStream;
use quote::quote;

/// `name = assign(input, column = "SQL expression", ..);`
///
/// Add or replace columns. The expressions' column references are checked at compile time
/// (names as written); a column's type is known at compile time when the `sql` step's typing
/// rules give it (columns, literals, arithmetic, `CASE`, `CAST`, the function table), else at
/// run time (later checks of its type pass at compile time).
///
/// ```text
/// with_tip = assign(trips, total = "fare * 1.1");
/// ```
pub const VERB: Verb = Verb {
    name: "assign",
    syntax: "name = assign(input, column = \"SQL expression\", ..)",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let columns: Vec<_> = args
        .assigned(diag)
        .into_iter()
        .map(|(c, e)| (c, Fragment::read(e, FragmentKind::Expression)))
        .collect();
    if columns.is_empty() && input.is_some() {
        args.error(
            diag,
            call.paren,
            "`assign` needs at least one `column = \"expression\"`",
        );
    }
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Assign(columns),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Assign(columns) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_schema(node, 0);
    let names = columns.iter().map(|(c, _)| &c.name);
    let assigned = quote!(#input.assign(&[#(#names),*]));
    let typed: Vec<(&str, &Fragment)> = columns.iter().map(|(c, e)| (c.name.as_str(), e)).collect();
    super::sql::typed_schema(node, ctx, assigned, &typed)
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Assign(columns) = &node.op else {
        return TokenStream::new();
    };
    columns
        .iter()
        .map(|(_, e)| super::sql::fragment_checks(node, ctx, e))
        .collect()
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Assign(columns) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let pairs = columns.iter().map(|(c, e)| {
        let name = &c.name;
        quote!((#name, #e))
    });
    quote!(#input.assign(&[#(#pairs),*]))
}
