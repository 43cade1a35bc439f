//! `rename`: rename columns.

use super::{Args, Ctx, Op, Parsed, Verb};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::{ArgKind, Call, Column};
use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

/// `name = rename(input, old: new, "old name": new, ..);`
///
/// Rename columns; a name is an identifier or a string literal (exactly one column name). Each
/// old name must be a column of the input, and a new name must not be a column that stays
/// (checked at compile time, at the old name and at the verb).
///
/// ```text
/// renamed = rename(trips, fare: price);
/// ```
pub const VERB: Verb = Verb {
    name: "rename",
    syntax: "name = rename(input, old: new, ..)",
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
    let mut pairs = Vec::new();
    for arg in &call.args {
        if let ArgKind::Named(old) = &arg.kind
            && let Some(used) = args.named(&old.to_string())
        {
            match Column::from_tokens(&used.value) {
                Some(new) => pairs.push((
                    Column {
                        name: old.to_string(),
                        span: old.span(),
                    },
                    new,
                )),
                None => args.error_value(
                    diag,
                    &used,
                    "the new name is an identifier or a string literal: `rename(input, old: new)`",
                ),
            }
        }
    }
    // `"old name": new`: a quoted old name is a positional argument `"..": value`.
    while let Some(arg) = args.positional() {
        match quoted_pair(&arg.value) {
            Some(pair) => pairs.push(pair),
            None => args.error_value(
                diag,
                &arg,
                "each rename is `old: new`, each name an identifier or a string literal: \
                 `rename(input, fare: price, \"unit price\": price)`",
            ),
        }
    }
    if pairs.is_empty() && input.is_some() {
        args.error(diag, call.paren, "`rename` needs at least one `old: new`");
    }
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::Rename(pairs),
    })
}

/// `"old name": new` as tokens.
fn quoted_pair(tokens: &TokenStream) -> Option<(Column, Column)> {
    let mut iter = tokens.clone().into_iter();
    let (Some(TokenTree::Literal(lit)), Some(TokenTree::Punct(colon))) = (iter.next(), iter.next())
    else {
        return None;
    };
    if colon.as_char() != ':' {
        return None;
    }
    let old: syn::LitStr = syn::parse2(TokenTree::Literal(lit).into()).ok()?;
    let new = Column::from_tokens(&iter.collect())?;
    Some((
        Column {
            name: old.value(),
            span: old.span(),
        },
        new,
    ))
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Rename(pairs) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_schema(node, 0);
    let pairs = pairs.iter().map(|(o, n)| {
        let (o, n) = (&o.name, &n.name);
        quote!((#o, #n))
    });
    quote!(#input.rename(&[#(#pairs),*]))
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Rename(pairs) = &node.op else {
        return TokenStream::new();
    };
    let old: Vec<Column> = pairs.iter().map(|(o, _)| o.clone()).collect();
    let mut out = ctx.column_checks(node, 0, "renamed column", &old);
    let names: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(o, n)| (o.name.as_str(), n.name.as_str()))
        .collect();
    out.extend(ctx.columns_op_check(node, "rename", &[], &names));
    out
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Rename(pairs) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let pairs = pairs.iter().map(|(o, n)| {
        let (o, n) = (&o.name, &n.name);
        quote!((#o, #n))
    });
    quote!(#input.rename(&[#(#pairs),*]))
}
