//! The verbs of `workflow!`, as data: one file per verb, each a doc-commented [`Verb`] const
//! stating its syntax, how it reads its arguments, its output schema, its compile-time checks
//! and the builder call it expands into. [`VERBS`] lists them all once.

mod aggregate;
mod alter_columns;
mod assert_eq;
mod assign;
mod broadcast;
mod checkpoint;
mod cotransform;
mod create;
mod distinct;
mod drop;
mod dropna;
mod fillna;
mod filter;
mod intersect;
mod join;
mod load;
mod out_cotransform;
mod out_transform;
mod output;
mod persist;
mod process;
mod rename;
mod sample;
mod save;
mod save_and_use;
mod select;
mod show;
mod sql;
mod subtract;
mod take;
mod transform;
mod union;

pub mod args;

pub use args::{Args, Params, PartitionArg};

use super::graph::Node;
use super::parse::{Call, Column};
use crate::diag::Diagnostics;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

/// A verb of the DSL.
pub struct Verb {
    /// The name users write.
    pub name: &'static str,
    /// The call's shape, for messages (`take(input, n, [partition(..)])`).
    pub syntax: &'static str,
    /// Whether the step has an output frame (and may be named).
    pub output: bool,
    /// Whether the verb changes its input step (`persist`, `checkpoint`) instead of adding one:
    /// a name given to it names the same frame.
    pub modifier: bool,
    /// Read the arguments (errors go to the diagnostics).
    pub parse: fn(&Call, &mut Diagnostics) -> Option<Parsed>,
    /// The const expression of the output schema (a `ConstSchema`).
    pub schema: fn(&Node, &Ctx) -> TokenStream,
    /// The const check items, each spanned at the token it is about.
    pub checks: fn(&Node, &Ctx) -> TokenStream,
    /// The expression declaring the step on the builder (a `WorkflowFrame`, or `()`).
    pub build: fn(&Node, &Ctx) -> TokenStream,
}

/// What a verb read from its arguments.
pub struct Parsed {
    /// The upstream steps, in order.
    pub inputs: Vec<Ident>,
    /// The verb's own data.
    pub op: Op,
}

/// The verb-specific data of a step (each variant's type lives in its verb's file).
pub enum Op {
    /// `load(..)`
    Load(load::Load),
    /// `create(..)`
    Create(create::Create),
    /// `transform(..)`, `out_transform(..)`
    Transform(transform::Transform),
    /// `cotransform(..)`, `out_cotransform(..)`
    CoTransform(cotransform::CoTransform),
    /// `process(..)`, `output(..)`
    Process(process::Process),
    /// `join(..)`
    Join(join::Join),
    /// `union(..)`, `subtract(..)`, `intersect(..)`
    SetOp(union::SetOp),
    /// A verb without data of its own (`distinct`, `persist`, `broadcast`).
    Plain,
    /// `dropna(..)`
    DropNa(dropna::DropNa),
    /// `fillna(..)`
    FillNa(fillna::FillNa),
    /// `sample(..)`
    Sample(sample::Sample),
    /// `take(..)`
    Take(take::Take),
    /// `select(..)`, `drop(..)`
    Columns(Vec<Column>),
    /// `filter(..)`
    Filter(filter::Filter),
    /// `assign(..)`
    Assign(Vec<(Column, sql::Fragment)>),
    /// `aggregate(..)`
    Aggregate(aggregate::Aggregate),
    /// `rename(..)`
    Rename(Vec<(Column, Column)>),
    /// `alter_columns(..)`
    AlterColumns(alter_columns::AlterColumns),
    /// `checkpoint(..)`
    Checkpoint(checkpoint::Kind),
    /// `save(..)`
    Save(save::Save),
    /// `save_and_use(..)`
    SaveAndUse(save_and_use::SaveAndUse),
    /// `show(..)`
    Show(show::Show),
    /// `sql(..)`
    Sql(sql::Sql),
}

/// Every verb, once.
pub const VERBS: &[&Verb] = &[
    &load::VERB,
    &create::VERB,
    &transform::VERB,
    &out_transform::VERB,
    &cotransform::VERB,
    &out_cotransform::VERB,
    &process::VERB,
    &output::VERB,
    &join::VERB,
    &union::VERB,
    &subtract::VERB,
    &intersect::VERB,
    &distinct::VERB,
    &dropna::VERB,
    &fillna::VERB,
    &sample::VERB,
    &take::VERB,
    &select::VERB,
    &filter::VERB,
    &assign::VERB,
    &aggregate::VERB,
    &sql::VERB,
    &rename::VERB,
    &alter_columns::VERB,
    &drop::VERB,
    &persist::VERB,
    &broadcast::VERB,
    &checkpoint::VERB,
    &save::VERB,
    &save_and_use::VERB,
    &show::VERB,
    &assert_eq::VERB,
    &assert_eq::NOT_VERB,
];

/// The verb named `name`.
pub fn find(name: &str) -> Option<&'static Verb> {
    VERBS.iter().copied().find(|v| v.name == name)
}

/// The names the code generators share (consts, handles, the support path).
pub struct Ctx;

impl Ctx {
    /// The path of the compile-time check support.
    pub fn p(&self) -> TokenStream {
        quote!(::fugue::__private::workflow)
    }

    /// A value of fugue-core's option vocabulary as generated code names it
    /// (`::fugue::__private::workflow::SaveMode::Append`): typed from the macro on, never a
    /// word parsed again at run time.
    pub fn choice<T: std::fmt::Debug>(&self, ty: &str, value: T) -> TokenStream {
        let p = self.p();
        let ty = Ident::new(ty, Span::call_site());
        let variant = Ident::new(&format!("{value:?}"), Span::call_site());
        quote!(#p::#ty::#variant)
    }

    /// [`p`](Self::p) spanned at `span`: a check item must start and end with tokens at the
    /// user's span, or rustc underlines the whole macro call.
    pub fn p_at(&self, span: Span) -> TokenStream {
        quote_spanned!(span=> ::fugue::__private::workflow)
    }

    /// The const check that `f`, the function of `node`, is of the kind its verb runs
    /// (`accepted`, a `Kind` variant's name), spanned at `f`. Every verb's expansion
    /// type-checks for a function of any kind (`AnyKind`), so this is the one error a function
    /// of the wrong kind gets.
    pub fn kind_check(&self, node: &Node, f: &syn::Path, accepted: &str) -> TokenStream {
        let fspan = syn::spanned::Spanned::span(f);
        let p = self.p_at(fspan);
        let step = self.step_const(node.index);
        let verb = node.verb.name;
        let accepted = Ident::new(accepted, fspan);
        quote_spanned! {fspan=>
            const _: () = match #p::check_kind(
                &#step, #verb,
                <#f as ::fugue::__private::Transformer>::NAME,
                <#f as ::fugue::__private::Transformer>::KIND,
                ::fugue::__private::Kind::#accepted,
            ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
        }
    }

    /// The variable holding the workflow.
    pub fn wf(&self) -> Ident {
        Ident::new("__fugue_workflow", Span::mixed_site())
    }

    /// The const holding node `index`'s `Step` (name and call for messages).
    pub fn step_const(&self, index: usize) -> Ident {
        format_ident!("__FUGUE_STEP_{}", index)
    }

    /// The const holding node `index`'s output schema.
    pub fn schema_const(&self, index: usize) -> Ident {
        format_ident!("__FUGUE_SCHEMA_{}", index)
    }

    /// The variable holding node `index`'s builder handle.
    pub fn handle(&self, index: usize) -> Ident {
        Ident::new(&format!("__fugue_step_{index}"), Span::mixed_site())
    }

    /// The schema const of `node`'s `i`-th input.
    pub fn input_schema(&self, node: &Node, i: usize) -> Ident {
        self.schema_const(node.inputs[i].node)
    }

    /// The name of `node`'s `i`-th input.
    pub fn input_name(&self, node: &Node, i: usize) -> String {
        node.inputs[i].name.to_string()
    }

    /// The handle of `node`'s `i`-th input.
    pub fn input_handle(&self, node: &Node, i: usize) -> Ident {
        self.handle(node.inputs[i].node)
    }

    /// `const _: () = match check_column(..) { Err(m) => panic!(..), .. };` at the column (the
    /// panic is in the user's crate, at the user's token, so rustc adds no note pointing into
    /// fugue's sources): `column`, used as `role`,
    /// must be a column of `node`'s `i`-th input.
    pub fn column_check(&self, node: &Node, i: usize, role: &str, column: &Column) -> TokenStream {
        let p = self.p_at(column.span);
        let step = self.step_const(node.index);
        let schema = self.input_schema(node, i);
        let input = self.input_name(node, i);
        let name = &column.name;
        quote_spanned! {column.span=>
            const _: () = match #p::check_column(&#step, #role, #name, #input, &#schema) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
        }
    }

    /// The check of [`check_columns_op`](fugue_core::const_check::check_columns_op) at the verb: the rules of `select`,
    /// `drop` or `rename` beyond each column's existence (a column twice, every column
    /// dropped, a rename onto a column that stays).
    pub fn columns_op_check(
        &self,
        node: &Node,
        verb: &str,
        names: &[&str],
        pairs: &[(&str, &str)],
    ) -> TokenStream {
        let span = node.span();
        let p = self.p_at(span);
        let step = self.step_const(node.index);
        let schema = self.input_schema(node, 0);
        let input = self.input_name(node, 0);
        let pairs = pairs.iter().map(|(o, n)| quote!((#o, #n)));
        quote_spanned! {span=>
            const _: () = match #p::check_columns_op(
                &#step, #verb, &[#(#names),*], &[#(#pairs),*], #input, &#schema,
            ) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
        }
    }

    /// [`column_check`](Self::column_check) for every column.
    pub fn column_checks(
        &self,
        node: &Node,
        i: usize,
        role: &str,
        columns: &[Column],
    ) -> TokenStream {
        columns
            .iter()
            .map(|c| self.column_check(node, i, role, c))
            .collect()
    }
}

/// The output schema is the first input's.
pub fn same_schema(node: &Node, ctx: &Ctx) -> TokenStream {
    let input = ctx.input_schema(node, 0);
    quote!(#input)
}

/// No output: the empty schema.
pub fn no_schema(_: &Node, ctx: &Ctx) -> TokenStream {
    let p = ctx.p();
    quote!(#p::ConstSchema::EMPTY)
}

/// No check.
pub fn no_checks(_: &Node, _: &Ctx) -> TokenStream {
    TokenStream::new()
}

/// String literals of column names.
pub fn names(columns: &[Column]) -> Vec<&str> {
    columns.iter().map(|c| c.name.as_str()).collect()
}

/// A column name in SQL: as is when it is an identifier, else in double quotes.
pub fn sql_name(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}
