//! Reading a verb's arguments: positional ones in order, named ones by name, the
//! `partition(..)` and `params(..)` sub-calls; every argument left over is an error naming
//! the verb's syntax.

use crate::diag::Diagnostics;
use crate::workflow::parse::{Arg, ArgKind, Call, Column};
use fugue_core::options::{FormatOption, ParquetCompression};
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

/// The items of an argument written as one bracketed list (`[a, b]`, `[x: a, y: b]`).
fn bracketed(arg: &Arg) -> Option<Vec<Arg>> {
    let mut tokens = arg.value.clone().into_iter();
    match (tokens.next(), tokens.next()) {
        (Some(TokenTree::Group(g)), None) if g.delimiter() == Delimiter::Bracket => {
            Some(crate::workflow::parse::split_args(g.stream()))
        }
        _ => None,
    }
}

/// The arguments of one call, consumed by the verb that reads them.
pub struct Args<'a> {
    call: &'a Call,
    syntax: &'static str,
    used: Vec<bool>,
    next: usize,
    ok: bool,
}

impl<'a> Args<'a> {
    /// Start reading `call`'s arguments for a verb of this syntax.
    pub fn new(call: &'a Call, syntax: &'static str) -> Args<'a> {
        Args {
            call,
            syntax,
            used: vec![false; call.args.len()],
            next: 0,
            ok: true,
        }
    }

    fn verb(&self) -> String {
        self.call.verb.to_string()
    }

    /// Report an error at `span` (and mark the call as failed).
    pub fn error(&mut self, diag: &mut Diagnostics, span: Span, message: impl std::fmt::Display) {
        self.ok = false;
        diag.error(span, message);
    }

    /// Report an error at the value of `arg` (all its tokens).
    pub fn error_value(
        &mut self,
        diag: &mut Diagnostics,
        arg: &Arg,
        message: impl std::fmt::Display,
    ) {
        self.ok = false;
        if arg.value.is_empty() {
            diag.error(arg.span, message);
        } else {
            diag.error_spanned(&arg.value, message);
        }
    }

    /// The next positional argument that is not a sub-call such as `partition(..)`.
    pub fn positional(&mut self) -> Option<Arg> {
        while self.next < self.call.args.len() {
            let i = self.next;
            self.next += 1;
            let arg = &self.call.args[i];
            if self.used[i] || !matches!(arg.kind, ArgKind::Positional) || is_sub_call(arg) {
                continue;
            }
            self.used[i] = true;
            return Some(arg.clone());
        }
        None
    }

    /// The next positional argument, which must be there.
    pub fn required(&mut self, diag: &mut Diagnostics, what: &str) -> Option<Arg> {
        match self.positional() {
            Some(arg) => Some(arg),
            None => {
                let message = format!("`{}` expects {what}: `{}`", self.verb(), self.syntax);
                self.error(diag, self.call.paren, message);
                None
            }
        }
    }

    /// The next positional argument as the name of a step.
    pub fn step(&mut self, diag: &mut Diagnostics, what: &str) -> Option<Ident> {
        let arg = self.required(diag, what)?;
        match arg.ident() {
            Some(ident) => Some(ident),
            None => {
                let message = format!(
                    "expected the name of a step as {what} of `{}` (a step is named by \
                     `name = verb(..);`): `{}`",
                    self.verb(),
                    self.syntax
                );
                self.error_value(diag, &arg, message);
                None
            }
        }
    }

    /// The remaining positional arguments, as names of steps.
    pub fn more_steps(&mut self, diag: &mut Diagnostics, what: &str) -> Vec<Ident> {
        let mut out = Vec::new();
        while let Some(arg) = self.positional() {
            match arg.ident() {
                Some(ident) => out.push(ident),
                None => {
                    let message = format!(
                        "expected the name of a step as {what} of `{}`: `{}`",
                        self.verb(),
                        self.syntax
                    );
                    self.error_value(diag, &arg, message);
                }
            }
        }
        out
    }

    /// One step or a bracketed list of steps (`a` or `[a, b]`).
    pub fn steps(&mut self, diag: &mut Diagnostics, what: &str) -> Vec<Ident> {
        let Some(arg) = self.required(diag, what) else {
            return Vec::new();
        };
        if let Some(ident) = arg.ident() {
            return vec![ident];
        }
        if let Some(inner) = bracketed(&arg) {
            let idents: Option<Vec<Ident>> = inner.iter().map(Arg::ident).collect();
            if let Some(idents) = idents.filter(|i| !i.is_empty()) {
                return idents;
            }
        }
        let message = format!(
            "expected a step or a list of steps (`[a, b]`) as {what} of `{}`: `{}`",
            self.verb(),
            self.syntax
        );
        self.error_value(diag, &arg, message);
        Vec::new()
    }

    /// One step, a bracketed list of steps (`a` or `[a, b]`), or a bracketed list of named
    /// steps (`[left: a, right: b]`): the steps, and the names when they are named (each name
    /// once).
    pub fn steps_maybe_named(
        &mut self,
        diag: &mut Diagnostics,
        what: &str,
    ) -> (Vec<Ident>, Option<Vec<Ident>>) {
        let Some(arg) = self.call.args.get(self.next_positional_index()).cloned() else {
            return (self.steps(diag, what), None);
        };
        let named = bracketed(&arg)
            .filter(|inner| inner.iter().any(|a| matches!(a.kind, ArgKind::Named(_))));
        let Some(inner) = named else {
            return (self.steps(diag, what), None);
        };
        // Consume the argument.
        let _ = self.positional();
        let mut steps = Vec::new();
        let mut names: Vec<Ident> = Vec::new();
        for item in &inner {
            match (&item.kind, item.ident()) {
                (ArgKind::Named(name), Some(step)) => {
                    if names.iter().any(|n| n == name) {
                        let message = format!(
                            "the input name `{name}` is given twice in `{}`; each input needs \
                             its own name",
                            self.verb()
                        );
                        self.error(diag, name.span(), message);
                    }
                    names.push(name.clone());
                    steps.push(step);
                }
                _ => {
                    let message = format!(
                        "expected `name: step` in a list of named inputs of `{}` (name every \
                         input, or none): `{}`",
                        self.verb(),
                        self.syntax
                    );
                    self.error(diag, item.span, message);
                }
            }
        }
        (steps, Some(names))
    }

    /// The index of the argument [`positional`](Self::positional) would return next (or the
    /// number of arguments).
    fn next_positional_index(&self) -> usize {
        (self.next..self.call.args.len())
            .find(|&i| {
                let arg = &self.call.args[i];
                !self.used[i] && matches!(arg.kind, ArgKind::Positional) && !is_sub_call(arg)
            })
            .unwrap_or(self.call.args.len())
    }

    /// The named argument `name: value`.
    pub fn named(&mut self, name: &str) -> Option<Arg> {
        let i = self
            .call
            .args
            .iter()
            .position(|a| matches!(&a.kind, ArgKind::Named(n) if n == name))?;
        self.used[i] = true;
        Some(self.call.args[i].clone())
    }

    /// A named argument whose value is one of `spellings` (`how: inner`, any case): the value of
    /// fugue-core's option vocabulary it names.
    pub fn named_choice<T: Copy>(
        &mut self,
        diag: &mut Diagnostics,
        name: &str,
        spellings: &[(&str, T)],
    ) -> Option<T> {
        let arg = self.named(name)?;
        let found = arg.ident().and_then(|word| {
            let word = word.to_string();
            spellings
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(&word))
                .map(|(_, value)| *value)
        });
        if found.is_none() {
            let message = format!(
                "`{name}` of `{}` is one of {}",
                self.verb(),
                spellings
                    .iter()
                    .map(|(w, _)| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            self.error_value(diag, &arg, message);
        }
        found
    }

    /// The file-format options of `load` or `save` given as named arguments (`header: false`,
    /// `delimiter: ';'`, `null: "NA"`, `compression: zstd`), each checked against its kind
    /// (fugue-core's [`LOAD_OPTIONS`](fugue_core::options::LOAD_OPTIONS) and
    /// [`SAVE_OPTIONS`](fugue_core::options::SAVE_OPTIONS)): `(name, value as text)`, the
    /// builder's `option(name, value)`.
    pub fn format_options(
        &mut self,
        diag: &mut Diagnostics,
        options: &[(&str, FormatOption)],
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, kind) in options {
            let Some(arg) = self.named(name) else {
                continue;
            };
            let value = match kind {
                FormatOption::Flag => syn::parse2::<syn::LitBool>(arg.value.clone())
                    .ok()
                    .map(|b| b.value.to_string())
                    .ok_or("`true` or `false`".to_string()),
                FormatOption::Byte => {
                    let text = syn::parse2::<syn::LitChar>(arg.value.clone())
                        .map(|c| c.value().to_string())
                        .or_else(|_| {
                            syn::parse2::<syn::LitStr>(arg.value.clone()).map(|s| s.value())
                        });
                    match text {
                        Ok(t) if t.len() == 1 => Ok(t),
                        _ => Err("one ASCII character (`';'`)".to_string()),
                    }
                }
                FormatOption::Text => syn::parse2::<syn::LitStr>(arg.value.clone())
                    .map(|s| s.value())
                    .map_err(|_| "a string literal (`\"NA\"`)".to_string()),
                FormatOption::Compression => {
                    let word = arg.ident().map(|i| i.to_string()).or_else(|| {
                        syn::parse2::<syn::LitStr>(arg.value.clone())
                            .ok()
                            .map(|s| s.value())
                    });
                    match word {
                        Some(w) if w.parse::<ParquetCompression>().is_ok() => Ok(w),
                        _ => Err(format!(
                            "one of {}",
                            ParquetCompression::SPELLINGS
                                .iter()
                                .map(|(w, _)| format!("`{w}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    }
                }
            };
            match value {
                Ok(v) => out.push((name.to_string(), v)),
                Err(accepted) => {
                    let message = format!("`{name}` of `{}` is {accepted}", self.verb());
                    self.error_value(diag, &arg, message);
                }
            }
        }
        out
    }

    /// A named argument that lists columns (`on: [city]`, `by: city`).
    pub fn named_columns(&mut self, diag: &mut Diagnostics, name: &str) -> Option<Vec<Column>> {
        let arg = self.named(name)?;
        self.columns_of(diag, &arg, name)
    }

    /// The value of `arg` as a column or a list of columns.
    pub fn columns_of(
        &mut self,
        diag: &mut Diagnostics,
        arg: &Arg,
        what: &str,
    ) -> Option<Vec<Column>> {
        match Column::list_from_tokens(&arg.value) {
            Some(columns) => Some(columns),
            None => {
                let message = format!(
                    "`{what}` of `{}` is a column or a list of columns (`city` or `[city, \"unit \
                     price\"]`)",
                    self.verb()
                );
                self.error_value(diag, arg, message);
                None
            }
        }
    }

    /// The remaining positional arguments as columns.
    pub fn rest_columns(&mut self, diag: &mut Diagnostics) -> Vec<Column> {
        let mut out = Vec::new();
        while let Some(arg) = self.positional() {
            match Column::from_tokens(&arg.value) {
                Some(c) => out.push(c),
                None => {
                    let message = format!(
                        "expected a column name (an identifier or a string literal) in `{}`; \
                         SQL expressions go in `assign` or `filter`",
                        self.verb()
                    );
                    self.error_value(diag, &arg, message);
                }
            }
        }
        out
    }

    /// The positional sub-call `head(..)`: its inner arguments and its span.
    pub fn sub_call(&mut self, head: &str) -> Option<(Span, Vec<Arg>)> {
        let i = self
            .call
            .args
            .iter()
            .position(|a| matches!(a.kind, ArgKind::Positional) && a.call(head).is_some())?;
        self.used[i] = true;
        let arg = &self.call.args[i];
        arg.call(head).map(|(_, inner)| (arg.span, inner))
    }

    /// The `partition(by: .., presort: .., num: .., algo: ..)` argument, or its `by:` and
    /// `presort:` written directly among the call's arguments (`take(trips, 1, by: city,
    /// presort: fare desc)`), as `aggregate` takes its `by:`.
    pub fn partition(&mut self, diag: &mut Diagnostics) -> Option<PartitionArg> {
        let (span, inner) = match self.sub_call("partition") {
            Some(found) => found,
            None => {
                let direct: Vec<usize> = (0..self.call.args.len())
                    .filter(|&i| {
                        !self.used[i]
                            && matches!(&self.call.args[i].kind, ArgKind::Named(n)
                                if n == "by" || n == "presort")
                    })
                    .collect();
                let first = *direct.first()?;
                for &i in &direct {
                    self.used[i] = true;
                }
                let inner = direct.iter().map(|&i| self.call.args[i].clone()).collect();
                (self.call.args[first].span, inner)
            }
        };
        let parsed = PartitionArg::parse(span, &inner, diag);
        if parsed.is_none() {
            self.ok = false;
        }
        parsed
    }

    /// The `params(name: value, ..)` argument.
    pub fn params(&mut self, diag: &mut Diagnostics) -> Params {
        let Some((_, inner)) = self.sub_call("params") else {
            return Params::default();
        };
        let mut values = Vec::new();
        for arg in inner {
            match &arg.kind {
                ArgKind::Named(name) if !arg.value.is_empty() => {
                    values.push((name.clone(), arg.value.clone()))
                }
                _ => self.error(
                    diag,
                    arg.span,
                    "a parameter is `name: value` (`params(threshold: 0.5)`)",
                ),
            }
        }
        Params { values }
    }

    /// The `name = "expression"` arguments.
    pub fn assigned(&mut self, diag: &mut Diagnostics) -> Vec<(Column, syn::LitStr)> {
        let mut out = Vec::new();
        for (i, arg) in self.call.args.iter().enumerate() {
            if let ArgKind::Assigned(name) = &arg.kind {
                self.used[i] = true;
                match syn::parse2::<syn::LitStr>(arg.value.clone()) {
                    Ok(lit) => out.push((
                        Column {
                            name: name.to_string(),
                            span: name.span(),
                        },
                        lit,
                    )),
                    Err(_) => {
                        self.ok = false;
                        value_error(
                            diag,
                            arg,
                            format!(
                                "expected a SQL expression as a string literal: `{name} = \"..\"`"
                            ),
                        );
                    }
                }
            }
        }
        out
    }

    /// Report every argument not read, and whether the call was read without error.
    pub fn finish(mut self, diag: &mut Diagnostics) -> bool {
        for (i, arg) in self.call.args.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let what = match &arg.kind {
                ArgKind::Named(n) => format!("unexpected argument `{n}:`"),
                ArgKind::Assigned(n) => format!("unexpected argument `{n} = ..`"),
                ArgKind::Positional => "unexpected argument".to_string(),
            };
            self.ok = false;
            diag.error(
                arg.span,
                format!("{what} of `{}`; it is `{}`", self.verb(), self.syntax),
            );
        }
        self.ok
    }
}

fn is_sub_call(arg: &Arg) -> bool {
    arg.call("partition").is_some() || arg.call("params").is_some()
}

/// `params(name: value, ..)`: each value a Rust expression, converted to a `Value`.
#[derive(Default)]
pub struct Params {
    /// `(name, expression)` pairs.
    pub values: Vec<(Ident, TokenStream)>,
}

impl Params {
    /// The const checks of the parameters against `function`'s declared ones: each given name
    /// declared (at the name), every declared one given (at the function).
    pub fn checks(
        &self,
        ctx: &super::Ctx,
        node: &super::Node,
        function: &syn::Path,
    ) -> TokenStream {
        let step = ctx.step_const(node.index);
        let f = quote!(<#function as ::fugue::__private::Transformer>);
        let mut out = TokenStream::new();
        for (name, value) in &self.values {
            let p = ctx.p_at(name.span());
            let text = name.to_string();
            out.extend(quote_spanned! {name.span()=>
                const _: () = match #p::check_param_declared(&#step, #f::NAME, #f::PARAMS, #text) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
            });
            // A literal value is checked against the parameter's type, at the value.
            if let Some(literal) = literal_kind(value) {
                let span = crate::workflow::parse::span_of(value).unwrap_or_else(|| name.span());
                let p = ctx.p_at(span);
                let shown = value.to_string().replace("- ", "-");
                out.extend(quote_spanned! {span=>
                    const _: () = match #p::check_param_value(&#step, #f::NAME, #f::PARAMS, #text, #p::Literal::#literal, #shown) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
                });
            }
        }
        let span = function.span();
        let p = ctx.p_at(span);
        let given = self.values.iter().map(|(n, _)| n.to_string());
        out.extend(quote_spanned! {span=>
            const _: () = match #p::check_params_given(&#step, #f::NAME, #f::PARAMS, &[#(#given),*]) { ::core::result::Result::Ok(()) => (), ::core::result::Result::Err(__fugue_message) => ::core::panic!("{}", __fugue_message.as_str()) };
        });
        out
    }

    /// `.params(Params::new().with("name", value)..)`, or nothing.
    pub fn modifier(&self) -> TokenStream {
        if self.values.is_empty() {
            return TokenStream::new();
        }
        let pairs = self.values.iter().map(|(name, value)| {
            let name = name.to_string();
            quote!(.with(#name, #value))
        });
        quote!(.params(::fugue::__private::Params::new() #(#pairs)*))
    }
}

/// `partition(by: city | [a, b], presort: fare desc | [fare desc, city], num: 4, algo: even)`,
/// or `partition(per_row)` (Fugue's one row per physical partition: `num: "ROWCOUNT", algo:
/// even`).
pub struct PartitionArg {
    /// The whole `partition(..)`.
    pub span: Span,
    /// The keys.
    pub by: Vec<Column>,
    /// The presort columns, whether each is descending, and whether its NULLs come first.
    pub presort: Vec<(Column, bool, bool)>,
    /// The number of partitions (an integer or an expression such as `"ROWCOUNT/4"`).
    pub num: Option<String>,
    /// The algorithm.
    pub algo: Option<String>,
}

impl PartitionArg {
    fn parse(span: Span, inner: &[Arg], diag: &mut Diagnostics) -> Option<PartitionArg> {
        let mut out = PartitionArg {
            span,
            by: Vec::new(),
            presort: Vec::new(),
            num: None,
            algo: None,
        };
        let mut ok = true;
        let mut per_row = None;
        for arg in inner {
            let name = match &arg.kind {
                ArgKind::Named(n) => n.to_string(),
                _ => String::new(),
            };
            if name.is_empty() && arg.ident().is_some_and(|i| i == "per_row") {
                // Fugue's `per_row`: one row per physical partition.
                per_row = Some(arg.span);
                continue;
            }
            match name.as_str() {
                "by" => match Column::list_from_tokens(&arg.value) {
                    Some(c) => out.by = c,
                    None => {
                        ok = false;
                        value_error(
                            diag,
                            arg,
                            "`by` is a column or a list of columns: `by: city` or `by: [city, \
                             region]`",
                        );
                    }
                },
                "presort" => match parse_presort(&arg.value) {
                    Some(p) => out.presort = p,
                    None => {
                        ok = false;
                        value_error(
                            diag,
                            arg,
                            "`presort` is `column [asc|desc] [nulls first|nulls last]` or a list \
                             of them: `presort: fare desc` or `presort: [fare desc nulls first, \
                             city]`",
                        );
                    }
                },
                "num" => match syn::parse2::<syn::Lit>(arg.value.clone()) {
                    Ok(syn::Lit::Int(i)) => out.num = Some(i.base10_digits().to_string()),
                    Ok(syn::Lit::Str(s)) => out.num = Some(s.value()),
                    _ => {
                        ok = false;
                        value_error(
                            diag,
                            arg,
                            "`num` is an integer or a string expression: `num: 8` or `num: \
                             \"ROWCOUNT/4\"`",
                        );
                    }
                },
                "algo" => match arg.ident() {
                    Some(a) if ["hash", "rand", "even", "coarse"].iter().any(|w| a == w) => {
                        out.algo = Some(a.to_string())
                    }
                    _ => {
                        ok = false;
                        value_error(
                            diag,
                            arg,
                            "`algo` is one of `hash`, `rand`, `even`, `coarse`",
                        );
                    }
                },
                _ => {
                    ok = false;
                    diag.error(
                        arg.span,
                        "unexpected argument of `partition`; it is `partition(by: .., presort: \
                         .., num: .., algo: ..)` or `partition(per_row)`",
                    );
                }
            }
        }
        if let Some(at) = per_row {
            if out.num.is_some() || out.algo.is_some() {
                ok = false;
                diag.error(
                    at,
                    "`per_row` sets `num: \"ROWCOUNT\"` and `algo: even`; give it without `num` \
                     and `algo`",
                );
            } else {
                out.num = Some("ROWCOUNT".to_string());
                out.algo = Some("even".to_string());
            }
        }
        if !ok {
            return None;
        }
        if let Err(e) = fugue_core::PartitionSpec::parse(&out.spec_text()) {
            diag.error(span, format!("invalid partition: {e}"));
            return None;
        }
        Some(out)
    }

    /// The compact form (`by=city; presort=fare desc`) that the builder parses.
    pub fn spec_text(&self) -> String {
        let mut parts = Vec::new();
        if !self.by.is_empty() {
            let keys: Vec<String> = self
                .by
                .iter()
                .map(|c| fugue_core::quote_name(&c.name))
                .collect();
            parts.push(format!("by={}", keys.join(",")));
        }
        if !self.presort.is_empty() {
            parts.push(format!("presort={}", self.presort_text()));
        }
        if let Some(n) = &self.num {
            parts.push(format!("num={n}"));
        }
        if let Some(a) = &self.algo {
            parts.push(format!("algo={a}"));
        }
        parts.join("; ")
    }

    /// The presort expression (`fare desc,city`).
    pub fn presort_text(&self) -> String {
        self.presort
            .iter()
            .map(|(c, desc, nulls_first)| {
                let name = fugue_core::quote_name(&c.name);
                let dir = if *desc { " desc" } else { "" };
                let nulls = if *nulls_first { " nulls first" } else { "" };
                format!("{name}{dir}{nulls}")
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `&["city"]` and `&[("fare", true, false)]` (name, descending, NULLs first) for the const
    /// rule check.
    pub fn const_tokens(arg: Option<&PartitionArg>) -> (TokenStream, TokenStream) {
        let Some(arg) = arg else {
            return (quote!(&[]), quote!(&[]));
        };
        let by = arg.by.iter().map(|c| &c.name);
        let presort = arg.presort.iter().map(|(c, d, n)| {
            let name = &c.name;
            quote!((#name, #d, #n))
        });
        (quote!(&[#(#by),*]), quote!(&[#(#presort),*]))
    }
}

/// The kind of a literal parameter value (`Int(3)`, `Float`, `Bool`, `Str`), as tokens of the
/// `Literal` variant; `None` for any other expression (checked at run time).
fn literal_kind(value: &TokenStream) -> Option<TokenStream> {
    let trees: Vec<TokenTree> = value.clone().into_iter().collect();
    let (negative, lit) = match trees.as_slice() {
        [TokenTree::Punct(minus), rest] if minus.as_char() == '-' => (true, rest),
        [one] => (false, one),
        _ => return None,
    };
    let lit: syn::Lit = syn::parse2(TokenStream::from(lit.clone())).ok()?;
    Some(match lit {
        syn::Lit::Int(i) if i.suffix().is_empty() => {
            let v: i128 = i.base10_parse().ok()?;
            let v = if negative { -v } else { v };
            quote!(Int(#v))
        }
        syn::Lit::Float(f) if f.suffix().is_empty() => quote!(Float),
        syn::Lit::Bool(_) if !negative => quote!(Bool),
        syn::Lit::Str(_) if !negative => quote!(Str),
        _ => return None,
    })
}

fn parse_presort(tokens: &TokenStream) -> Option<Vec<(Column, bool, bool)>> {
    // A string in Fugue's presort syntax (`"fare desc, city"`), as in a partition spec text.
    if let Ok(lit) = syn::parse2::<syn::LitStr>(tokens.clone())
        && let Some(keys) = presort_text(&lit.value())
    {
        let keys = keys.into_iter().map(|k| {
            let column = Column {
                name: k.name,
                span: lit.span(),
            };
            (column, k.descending, k.nulls_first)
        });
        return Some(keys.collect());
    }
    let mut iter = tokens.clone().into_iter();
    if let (Some(TokenTree::Group(g)), None) = (iter.next(), iter.next())
        && g.delimiter() == Delimiter::Bracket
    {
        return crate::workflow::parse::split_args(g.stream())
            .iter()
            .map(|a| presort_item(&a.value))
            .collect();
    }
    presort_item(tokens).map(|item| vec![item])
}

/// The keys of a presort written as text, read by the partition spec's own parser, when the
/// text is more than one column name (`"fare desc, city"`). Text that the parser reads as just
/// itself, or does not read (`"order date"`), stays one column.
fn presort_text(text: &str) -> Option<Vec<fugue_core::SortKey>> {
    let keys = fugue_core::partition::parse_presort(text).ok()?;
    match keys.as_slice() {
        [] => None,
        [only] if only.name == text.trim() => None,
        _ => Some(keys),
    }
}

/// `column [asc|desc] [nulls first|nulls last]`.
fn presort_item(tokens: &TokenStream) -> Option<(Column, bool, bool)> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let (first, words) = trees.split_first()?;
    let mut words = words
        .iter()
        .map(|t| match t {
            TokenTree::Ident(i) => Some(i.to_string().to_ascii_lowercase()),
            _ => None,
        })
        .collect::<Option<Vec<String>>>()?;
    let column = Column::from_tokens(&TokenStream::from(first.clone()))?;
    let nulls_first = match words.as_slice() {
        [.., n, pos] if n == "nulls" && (pos == "first" || pos == "last") => {
            let first = pos == "first";
            words.truncate(words.len() - 2);
            first
        }
        _ => false,
    };
    match words.as_slice() {
        [] => Some((column, false, nulls_first)),
        [dir] if dir == "asc" => Some((column, false, nulls_first)),
        [dir] if dir == "desc" => Some((column, true, nulls_first)),
        _ => None,
    }
}

fn value_error(diag: &mut Diagnostics, arg: &Arg, message: impl std::fmt::Display) {
    if arg.value.is_empty() {
        diag.error(arg.span, message);
    } else {
        diag.error_spanned(&arg.value, message);
    }
}
