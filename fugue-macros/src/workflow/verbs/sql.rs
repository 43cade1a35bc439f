//! `sql`: a SQL query over earlier steps, checked at compile time.

use super::{Args, Ctx, Op, Parsed, Verb};
use crate::diag::Diagnostics;
use crate::workflow::graph::Node;
use crate::workflow::parse::Call;
use fugue_core::const_check::sql::{SqlColumn, SqlOutput, SqlResolve, SqlType};
use fugue_sql::Analysis;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// `name = sql("SELECT .. FROM step ..");`
///
/// A query (DataFusion's SQL) whose tables are steps defined before it, named as DataFusion
/// resolves names (unquoted lower-cased: `FROM Trips` reads step `trips`; `"byMonth"` quoted).
/// Checked at compile time: every table is an earlier step, every column reference resolves
/// (qualified or not; an unqualified name in two tables is ambiguous), a syntax error points
/// at its position; for the SQL written every day (column references, `*`, `t.*`, aliased
/// items: literals, predicates, arithmetic, `CASE`, `COALESCE`, `NULLIF`, `CAST`, `COUNT`,
/// `SUM`, `AVG`, `MIN`, `MAX`, the math, string and date functions, windows, `UNION`) the
/// output schema is known, so the steps after it are checked too; an item it cannot type is
/// known at run time. A column from the NULL side of an outer join may be NULL: a typed step
/// after it takes it as an `Option`.
///
/// ```text
/// by_region = sql("SELECT c.region, count(*) AS n FROM trips t JOIN cities c ON t.city = c.city
///                   GROUP BY c.region");
/// ```
pub const VERB: Verb = Verb {
    name: "sql",
    syntax: "name = sql(\"SELECT .. FROM step ..\")",
    output: true,
    modifier: false,
    parse,
    schema,
    checks,
    build,
};

/// The data of a `sql` step.
pub struct Sql {
    literal: syn::LitStr,
    analysis: Analysis,
}

fn parse(call: &Call, diag: &mut Diagnostics) -> Option<Parsed> {
    let mut args = Args::new(call, VERB.syntax);
    let query = args.required(diag, "a SQL query in a string literal");
    let literal = query.and_then(|arg| match syn::parse2::<syn::LitStr>(arg.value.clone()) {
        Ok(lit) => Some(lit),
        Err(_) => {
            args.error_value(
                diag,
                &arg,
                "the query of `sql` is a string literal: `sql(\"SELECT .. FROM step\")`",
            );
            None
        }
    });
    let ok = args.finish(diag);
    let literal = literal?;
    let sql = literal.value();
    let analysis = match fugue_sql::analyze(&sql) {
        Ok(a) => a,
        Err(e) => {
            let at =
                e.at.map(|p| format!("\n{}", fugue_sql::pointer(&sql, &p)))
                    .unwrap_or_default();
            diag.error(
                literal.span(),
                format!("the SQL of `sql` does not parse: {}{at}", e.message),
            );
            return None;
        }
    };
    let mut inputs = Vec::new();
    for table in &analysis.tables {
        match syn::parse_str::<syn::Ident>(&table.name) {
            Ok(mut ident) => {
                ident.set_span(literal.span());
                inputs.push(ident);
            }
            Err(_) => {
                diag.error(
                    literal.span(),
                    format!(
                        "table `{}` of the SQL is not a step: the tables of a `sql` step are the \
                         names of earlier steps\n{}",
                        table.name,
                        fugue_sql::pointer(&sql, &table.at)
                    ),
                );
                return None;
            }
        }
    }
    ok.then_some(Parsed {
        inputs,
        op: Op::Sql(Sql { literal, analysis }),
    })
}

fn usizes(items: &[usize]) -> TokenStream {
    quote!(&[#(#items),*])
}

/// The const data of `fugue_core::const_check::sql` as tokens (the values of
/// [`fugue_sql::to_const`], the data the tests evaluate).
fn column_tokens(p: &TokenStream, c: &SqlColumn) -> TokenStream {
    let name = c.name;
    let resolve = match c.resolve {
        SqlResolve::Of(t) => quote!(#p::SqlResolve::Of(#t)),
        SqlResolve::OfOuter(t) => quote!(#p::SqlResolve::OfOuter(#t)),
        SqlResolve::Levels(levels) => {
            let levels = levels.iter().map(|l| {
                let (tables, outer) = (usizes(l.tables), usizes(l.outer));
                let (open, shared) = (l.open, l.shared);
                quote!(#p::SqlLevel { tables: #tables, open: #open, shared: #shared, outer: #outer })
            });
            quote!(#p::SqlResolve::Levels(&[#(#levels),*]))
        }
    };
    quote!(#p::SqlColumn { name: #name, resolve: #resolve })
}

fn output_tokens(p: &TokenStream, o: &SqlOutput) -> TokenStream {
    match o {
        SqlOutput::AllOf(t) => quote!(#p::SqlOutput::AllOf(#t)),
        SqlOutput::AllOfOuter(t) => quote!(#p::SqlOutput::AllOfOuter(#t)),
        SqlOutput::Column { name, ty } => {
            let ty = output_type_tokens(p, ty);
            quote!(#p::SqlOutput::Column { name: #name, ty: #ty })
        }
    }
}

fn output_type_tokens(p: &TokenStream, ty: &SqlType) -> TokenStream {
    match ty {
        SqlType::Unknown => quote!(#p::SqlType::Unknown),
        SqlType::Fixed(k) => quote!(#p::SqlType::Fixed(#k)),
        SqlType::Of(c) => {
            let c = column_tokens(p, c);
            quote!(#p::SqlType::Of(#c))
        }
        SqlType::Apply(rule, args) => {
            let rule = syn::Ident::new(rule.ident(), proc_macro2::Span::call_site());
            let args = args.iter().map(|t| output_type_tokens(p, t));
            quote!(#p::SqlType::Apply(#p::SqlRule::#rule, &[#(#args),*]))
        }
        SqlType::Same(list) => {
            let list = list.iter().map(|t| output_type_tokens(p, t));
            quote!(#p::SqlType::Same(&[#(#list),*]))
        }
        SqlType::IfString(arg, then) => {
            let arg = output_type_tokens(p, arg);
            quote!(#p::SqlType::IfString(&#arg, #then))
        }
    }
}

/// The const holding derived table `j` (a subquery or CTE whose columns are known) of the
/// `sql` step `node`.
fn derived_const(node: &Node, j: usize) -> syn::Ident {
    quote::format_ident!("__FUGUE_SQL_{}_{}", node.index, j)
}

/// The schemas of the step's tables, in the analysis's order: its steps', then the first
/// `derived` derived tables'.
fn tables(node: &Node, ctx: &Ctx, derived: usize) -> Vec<TokenStream> {
    let steps = (0..node.inputs.len()).map(|i| {
        let s = ctx.input_schema(node, i);
        quote!(&#s)
    });
    let derived = (0..derived).map(|j| {
        let d = derived_const(node, j);
        quote!(&#d)
    });
    steps.chain(derived).collect()
}

fn schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Sql(s) = &node.op else {
        return TokenStream::new();
    };
    let p = ctx.p();
    let constant = fugue_sql::to_const(&s.analysis);
    match constant.output {
        None => quote!(#p::ConstSchema::UNKNOWN),
        Some(items) => {
            let tables = tables(node, ctx, constant.derived.len());
            let items = items.iter().map(|o| output_tokens(&p, o));
            quote!(#p::ConstSchema::sql(&[#(#tables),*], &[#(#items),*]))
        }
    }
}

fn checks(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Sql(s) = &node.op else {
        return TokenStream::new();
    };
    let span: Span = s.literal.span();
    let p = ctx.p_at(span);
    let step = ctx.step_const(node.index);
    let constant = fugue_sql::to_const(&s.analysis);
    // The derived tables' schemas, each over the steps and the derived tables before it.
    let derived: TokenStream = constant
        .derived
        .iter()
        .enumerate()
        .map(|(j, items)| {
            let name = derived_const(node, j);
            let tables = tables(node, ctx, j);
            let items = items.iter().map(|o| output_tokens(&p, o));
            quote! {
                #[allow(non_upper_case_globals, dead_code)]
                const #name: #p::ConstSchema = #p::ConstSchema::sql(&[#(#tables),*], &[#(#items),*]);
            }
        })
        .collect();
    let names: Vec<&str> = constant.names.iter().map(String::as_str).collect();
    let tables = tables(node, ctx, constant.derived.len());
    let at = Checked {
        span,
        step: &step,
        names: &names,
        tables: &tables,
        sql: &s.literal.value(),
    };
    let checks = column_checks(&p, &at, &s.analysis.columns, &constant.columns);
    quote!(#derived #checks)
}

/// Where column references are checked: the literal (`span`, its text `sql`) of step `step`,
/// whose tables are `names` with schemas `tables`.
struct Checked<'a> {
    span: Span,
    step: &'a syn::Ident,
    names: &'a [&'a str],
    tables: &'a [TokenStream],
    sql: &'a str,
}

/// A `check_sql_column` const item per column reference (`uses`, with their const data
/// `columns`), failing at the literal with a pointer to the reference.
fn column_checks(
    p: &TokenStream,
    at: &Checked<'_>,
    uses: &[fugue_sql::ColumnUse],
    columns: &[SqlColumn],
) -> TokenStream {
    let Checked {
        span,
        step,
        names,
        tables,
        sql,
    } = *at;
    uses.iter()
        .zip(columns)
        .map(|(c, constant)| {
            let column = column_tokens(p, constant);
            let pointer = fugue_sql::pointer(sql, &c.at);
            quote_spanned! {span=>
                const _: () = match #p::check_sql_column(
                    &#step, &[#(#names),*], &[#(#tables),*], &#column, #pointer,
                ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
            }
        })
        .collect()
}

fn build(node: &Node, ctx: &Ctx) -> TokenStream {
    let Op::Sql(s) = &node.op else {
        return TokenStream::new();
    };
    let wf = ctx.wf();
    let lit = &s.literal;
    let tables = (0..node.inputs.len()).map(|i| {
        let name = ctx.input_name(node, i);
        let handle = ctx.input_handle(node, i);
        quote!((#name, #handle))
    });
    quote!(#wf.sql(#lit, &[#(#tables),*]))
}

/// A SQL fragment of a single-frame step (`filter`'s condition, an expression of `assign` or
/// `aggregate`), read once when the step is parsed.
pub struct Fragment {
    /// The literal as written: the step's argument at run time.
    literal: syn::LitStr,
    /// Its reading, or why it does not parse.
    reading: Result<fugue_sql::Fragment, fugue_sql::SqlError>,
}

impl Fragment {
    /// Read `literal` as a fragment of this kind.
    pub fn read(literal: syn::LitStr, kind: fugue_sql::FragmentKind) -> Fragment {
        let reading = fugue_sql::analyze_fragment(&literal.value(), kind);
        Fragment { literal, reading }
    }
}

impl quote::ToTokens for Fragment {
    /// The literal.
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.literal.to_tokens(tokens);
    }
}

/// The checks of a SQL fragment against the step's input, at the literal: each column
/// reference must be a column of the input (names as written: the engines do not lower-case
/// fragments). A fragment that does not parse is a compile error there (the engine's parser,
/// the same version, would reject it when the step runs).
pub fn fragment_checks(node: &Node, ctx: &Ctx, fragment: &Fragment) -> TokenStream {
    let span = fragment.literal.span();
    let text = fragment.literal.value();
    let fragment = match &fragment.reading {
        Ok(f) => f,
        Err(e) => {
            let at =
                e.at.map(|p| format!("\n{}", fugue_sql::pointer(&text, &p)))
                    .unwrap_or_default();
            let message = format!(
                "step `{}`: the SQL `{text}` does not parse: {}{at}",
                node.display_name(),
                e.message
            );
            return quote_spanned!(span=> ::core::compile_error!(#message););
        }
    };
    let p = ctx.p_at(span);
    let step = ctx.step_const(node.index);
    let name = ctx.input_name(node, 0);
    let schema = ctx.input_schema(node, 0);
    let (columns, _) = fugue_sql::fragment_to_const(fragment);
    let at = Checked {
        span,
        step: &step,
        names: &[name.as_str()],
        tables: &[quote!(&#schema)],
        sql: &text,
    };
    column_checks(&p, &at, &fragment.columns, &columns)
}

/// `schema` with the columns of `(name, expression)` typed where the expressions' types are
/// known ([`ConstSchema::typed`](fugue_core::const_check::ConstSchema::typed) over the step's
/// input).
pub fn typed_schema(
    node: &Node,
    ctx: &Ctx,
    schema: TokenStream,
    columns: &[(&str, &Fragment)],
) -> TokenStream {
    let p = ctx.p();
    let input = ctx.input_schema(node, 0);
    let names = columns.iter().map(|(n, _)| *n);
    let types = columns.iter().map(|(_, fragment)| match &fragment.reading {
        Ok(f) => output_type_tokens(&p, &fugue_sql::fragment_to_const(f).1),
        Err(_) => quote!(#p::SqlType::Unknown),
    });
    quote!(#schema.typed(&[#(#names),*], &[#(#types),*], &#input))
}
