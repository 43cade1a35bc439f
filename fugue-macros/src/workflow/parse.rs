//! The surface syntax of `workflow!`: statements of calls whose arguments are kept as tokens
//! (each verb reads its own arguments, in `verbs/`), so every error can point at one argument.
//!
//! ```text
//! workflow   := statement*
//! statement  := [name "="] verb "(" args ")" ["as" Type] ";"
//!             | "yield" ["file"] name ["as" alias] [":" Record] ";"
//! args       := arg ("," arg)* [","]
//! arg        := tokens                      positional: an expression, a step, a column, ...
//!             | ident ":" tokens            named: `how: inner`, `on: [city]`
//!             | ident "=" tokens            assigned: `total = "sum(fare)"`
//! ```

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, Token};

/// The whole input.
pub struct WorkflowAst {
    /// The statements, in order.
    pub statements: Vec<Statement>,
}

/// One statement.
pub enum Statement {
    /// `[name =] verb(args) [as Type];`
    Call(Box<Call>),
    /// `yield [file] name [as alias] [: Record];`
    Yield(Box<YieldStatement>),
}

/// `[name =] verb(args) [as Type];`
pub struct Call {
    /// The step's name, when assigned.
    pub name: Option<Ident>,
    /// The verb.
    pub verb: Ident,
    /// The parenthesised arguments.
    pub args: Vec<Arg>,
    /// The span of the parentheses.
    pub paren: Span,
    /// The record type after `as`.
    pub record: Option<syn::Type>,
}

/// `yield [file] name [as alias] [: Record];`
pub struct YieldStatement {
    /// The `yield` keyword.
    pub keyword: Token![yield],
    /// Whether the output is yielded as a file.
    pub file: bool,
    /// The step yielded.
    pub step: Ident,
    /// The name in the result (default: the step's name).
    pub alias: Option<Ident>,
    /// The record the result is read as (`yield top: Best;`), checked at compile time.
    pub record: Option<syn::Type>,
}

/// How an argument is written.
#[derive(Clone)]
pub enum ArgKind {
    /// `tokens`
    Positional,
    /// `name: tokens`
    Named(Ident),
    /// `name = tokens`
    Assigned(Ident),
}

/// One argument, its value as tokens.
#[derive(Clone)]
pub struct Arg {
    /// How it is written.
    pub kind: ArgKind,
    /// The value's tokens.
    pub value: TokenStream,
    /// The span of the whole argument.
    pub span: Span,
}

impl Arg {
    /// The value as a single identifier.
    pub fn ident(&self) -> Option<Ident> {
        syn::parse2::<Ident>(self.value.clone()).ok()
    }

    /// The value as a call `head(...)`: the inner arguments.
    pub fn call(&self, head: &str) -> Option<(Ident, Vec<Arg>)> {
        let mut tokens = self.value.clone().into_iter();
        let (Some(TokenTree::Ident(ident)), Some(TokenTree::Group(group)), None) =
            (tokens.next(), tokens.next(), tokens.next())
        else {
            return None;
        };
        if ident != head || group.delimiter() != Delimiter::Parenthesis {
            return None;
        }
        Some((ident, split_args(group.stream())))
    }
}

/// The span from the first to the last token (the first token's on stable when they cannot
/// be joined).
pub fn span_of(tokens: &TokenStream) -> Option<Span> {
    let mut iter = tokens.clone().into_iter();
    let first = iter.next()?.span();
    let last = iter.last().map(|t| t.span());
    Some(last.and_then(|l| first.join(l)).unwrap_or(first))
}

/// Split a parenthesised argument list at its top-level commas.
pub fn split_args(stream: TokenStream) -> Vec<Arg> {
    let mut args = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let finish = |current: &mut Vec<TokenTree>, args: &mut Vec<Arg>| {
        if current.is_empty() {
            return;
        }
        let tokens: Vec<TokenTree> = std::mem::take(current);
        let whole: TokenStream = tokens.iter().cloned().collect();
        let span = span_of(&whole).unwrap_or_else(Span::call_site);
        let kind = match (tokens.first(), tokens.get(1), tokens.get(2)) {
            (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(p)), next)
                if p.as_char() == ':'
                    && p.spacing() == proc_macro2::Spacing::Alone
                    && !matches!(next, Some(TokenTree::Punct(q)) if q.as_char() == ':') =>
            {
                Some(ArgKind::Named(name.clone()))
            }
            (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(p)), _)
                if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone =>
            {
                Some(ArgKind::Assigned(name.clone()))
            }
            _ => None,
        };
        let (kind, value) = match kind {
            Some(kind) => (kind, tokens[2..].iter().cloned().collect()),
            None => (ArgKind::Positional, whole),
        };
        args.push(Arg { kind, value, span });
    };
    for token in stream {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => finish(&mut current, &mut args),
            _ => current.push(token),
        }
    }
    finish(&mut current, &mut args);
    args
}

impl Parse for WorkflowAst {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut statements = Vec::new();
        while !input.is_empty() {
            statements.push(input.parse()?);
        }
        Ok(WorkflowAst { statements })
    }
}

impl Parse for Statement {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![yield]) {
            let keyword: Token![yield] = input.parse()?;
            let file = input.peek(Ident) && input.peek2(Ident) && {
                let fork = input.fork();
                let word: Ident = fork.parse()?;
                word == "file"
            };
            if file {
                let _: Ident = input.parse()?;
            }
            let step: Ident = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected the name of a step to yield: `yield top;`",
                )
            })?;
            let alias = if input.peek(Token![as]) {
                let _: Token![as] = input.parse()?;
                Some(input.parse()?)
            } else {
                None
            };
            let record = if input.peek(Token![:]) {
                let _: Token![:] = input.parse()?;
                Some(input.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected the record the result is read as: `yield top: Best;`",
                    )
                })?)
            } else {
                None
            };
            expect_semicolon(input)?;
            return Ok(Statement::Yield(Box::new(YieldStatement {
                keyword,
                file,
                step,
                alias,
                record,
            })));
        }
        let lookahead = input.lookahead1();
        if !lookahead.peek(Ident) {
            let mut e = lookahead.error();
            e.combine(syn::Error::new(
                e.span(),
                "a statement is `name = verb(args);`, `verb(args);` or `yield name;`",
            ));
            return Err(e);
        }
        let first: Ident = input.parse()?;
        let (name, verb) = if input.peek(Token![=]) {
            let _: Token![=] = input.parse()?;
            let verb: Ident = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected a verb after `=`: `name = verb(args);`, e.g. `top = take(ranked, 3);`",
                )
            })?;
            (Some(first), verb)
        } else {
            (None, first)
        };
        if !input.peek(syn::token::Paren) {
            return Err(syn::Error::new(
                input.span(),
                format!("expected `(` after `{verb}`: a step is `verb(args)`"),
            ));
        }
        let content;
        let paren = syn::parenthesized!(content in input);
        let args = split_args(content.parse()?);
        let record = if input.peek(Token![as]) {
            let _: Token![as] = input.parse()?;
            Some(input.parse()?)
        } else {
            None
        };
        expect_semicolon(input)?;
        Ok(Statement::Call(Box::new(Call {
            name,
            verb,
            args,
            paren: paren.span.join(),
            record,
        })))
    }
}

fn expect_semicolon(input: ParseStream<'_>) -> syn::Result<()> {
    let lookahead = input.lookahead1();
    if lookahead.peek(Token![;]) {
        let _: Token![;] = input.parse()?;
        Ok(())
    } else {
        Err(lookahead.error())
    }
}

impl Call {
    /// The call as written, shortened for messages: `transform(trips, rank, ..)`.
    pub fn short_text(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for arg in self.args.iter().take(2) {
            let text = compact(&arg.value.to_string());
            match &arg.kind {
                // A string-keyed pair (`"unit price": cost`) reads as a named argument.
                ArgKind::Positional if text.len() <= 24 && !is_pair(&arg.value) => parts.push(text),
                _ => break,
            }
        }
        if parts.len() < self.args.len() {
            parts.push("..".to_string());
        }
        format!("{}({})", self.verb, parts.join(", "))
    }
}

/// Whether the tokens are `key: value` (a single `:` at their top level, not a path's `::`).
fn is_pair(tokens: &TokenStream) -> bool {
    let tokens: Vec<proc_macro2::TokenTree> = tokens.clone().into_iter().collect();
    let colon = |t: Option<&proc_macro2::TokenTree>| matches!(t, Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ':');
    (0..tokens.len()).any(|i| {
        colon(tokens.get(i))
            && !colon(i.checked_sub(1).and_then(|j| tokens.get(j)))
            && !colon(tokens.get(i + 1))
    })
}

/// `a . b` as tokens print with spaces; messages show `a.b`.
fn compact(text: &str) -> String {
    text.replace(" :: ", "::")
        .replace(" . ", ".")
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" ,", ",")
}

impl ToTokens for YieldStatement {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.keyword.to_tokens(tokens);
        self.step.to_tokens(tokens);
    }
}

/// A column reference written as an identifier or a string literal (for names that are not
/// identifiers), with its span.
#[derive(Clone)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

impl Column {
    /// Parse one column from tokens.
    pub fn from_tokens(tokens: &TokenStream) -> Option<Column> {
        if let Ok(ident) = syn::parse2::<Ident>(tokens.clone()) {
            return Some(Column {
                name: ident.to_string().trim_start_matches("r#").to_string(),
                span: ident.span(),
            });
        }
        if let Ok(lit) = syn::parse2::<syn::LitStr>(tokens.clone()) {
            return Some(Column {
                name: lit.value(),
                span: lit.span(),
            });
        }
        None
    }

    /// Parse a column or a bracketed list of columns (`city` or `[city, region]`).
    pub fn list_from_tokens(tokens: &TokenStream) -> Option<Vec<Column>> {
        if let Some(c) = Column::from_tokens(tokens) {
            return Some(vec![c]);
        }
        let mut iter = tokens.clone().into_iter();
        match (iter.next(), iter.next()) {
            (Some(TokenTree::Group(g)), None) if g.delimiter() == Delimiter::Bracket => {
                split_args(g.stream())
                    .iter()
                    .map(|a| match a.kind {
                        ArgKind::Positional => Column::from_tokens(&a.value),
                        _ => None,
                    })
                    .collect()
            }
            _ => None,
        }
    }
}
