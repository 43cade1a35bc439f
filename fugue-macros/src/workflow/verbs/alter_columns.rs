//! `alter_columns`: cast columns to other types.

use super::{Args, Ctx, Op, Parsed, Verb};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::{Call, Column};
use proc_macro2::TokenStream;
use quote::quote;

/// `name = alter_columns(input, "column:type, ..");`
///
/// Cast columns to other types, given as a schema expression of the changed columns (Fugue's
/// `alter_columns`). The columns keep their places and their nullability; each must be a column
/// of the input (checked at compile time), and whether its values convert is the engine's cast
/// rule (checked when the step runs: a value that does not fit is an error, never a silent
/// change).
///
/// ```text
/// narrow = alter_columns(trips, "fare:float");
/// ```
pub const VERB: Verb = Verb {
    name: "alter_columns",
    syntax: "name = alter_columns(input, \"column:type, ..\")",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of an `alter_columns`.
pub struct AlterColumns {
    /// The schema expression as written.
    text: String,
    /// Its const columns (canonical types).
    columns: TokenStream,
    /// The changed columns' names, spanned at the literal.
    names: Vec<Column>,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let input = args.step(diag, "the input");
    let changes = match args.positional() {
        None => {
            args.error(
                diag,
                call.paren,
                "`alter_columns` needs the changed columns: `alter_columns(input, \"fare:float\")`",
            );
            None
        }
        Some(arg) => match syn::parse2::<syn::LitStr>(arg.value.clone()) {
            Err(_) => {
                args.error_value(
                    diag,
                    &arg,
                    "the changed columns are a schema expression in a string literal: \
                     `alter_columns(input, \"fare:float,passengers:long\")`",
                );
                None
            }
            Ok(lit) => {
                let text = lit.value();
                match fugue_core::Schema::parse(&text) {
                    Err(e) => {
                        args.error(diag, lit.span(), e.to_string());
                        None
                    }
                    Ok(schema) if schema.is_empty() => {
                        args.error(
                            diag,
                            lit.span(),
                            "`alter_columns` needs at least one `column:type`",
                        );
                        None
                    }
                    Ok(schema) => Some(AlterColumns {
                        columns: super::super::schema_check::const_columns_of(&schema),
                        names: schema
                            .names()
                            .map(|name| Column {
                                name: name.to_string(),
                                span: lit.span(),
                            })
                            .collect(),
                        text,
                    }),
                }
            }
        },
    };
    let ok = args.finish(diag);
    ok.then_some(Parsed {
        inputs: vec![input?],
        op: Op::AlterColumns(changes?),
    })
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::AlterColumns(alter) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_schema(node, 0);
    let columns = &alter.columns;
    quote!(#input.alter(#columns))
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::AlterColumns(alter) = &node.op else {
        return TokenStream::new();
    };
    ctx.column_checks(node, 0, "altered column", &alter.names)
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::AlterColumns(alter) = &node.op else {
        return TokenStream::new();
    };
    let input = ctx.input_handle(node, 0);
    let text = &alter.text;
    quote!(#input.alter_columns(#text))
}
