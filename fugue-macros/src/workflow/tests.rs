//! In-process tests of `workflow!`: the expansion and the graph of a seven-step workflow as
//! snapshots, and the macro-level diagnostics as data.

use crate::diag::Diagnostics;
use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

fn pretty(tokens: TokenStream) -> String {
    let file = quote!(fn workflow() -> ::fugue::__private::Workflow { #tokens });
    match syn2::parse2::<syn2::File>(file) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => format!("expansion is not a valid file: {e}"),
    }
}

/// The messages of the `compile_error!`s in an expansion, in order.
fn errors(input: TokenStream) -> Vec<String> {
    fn walk(tokens: TokenStream, out: &mut Vec<String>) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Ident(ident) if *ident == "compile_error" => {
                    if let Some(TokenTree::Group(g)) = trees.get(i + 2)
                        && let Ok(lit) = syn::parse2::<syn::LitStr>(g.stream())
                    {
                        out.push(lit.value());
                    }
                }
                TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(super::expand(input), &mut out);
    out
}

fn long_workflow() -> TokenStream {
    quote! {
        trips  = load("trips.parquet") as Trip;
        dims   = create(dim_rows) as Dim;
        ranked = transform(trips, rank, partition(by: city, presort: fare desc), params(top: 3));
        top    = take(ranked, 3, partition(by: city, presort: rank));
        joined = join(top, dims, how: inner, on: [city]);
        totals = aggregate(joined, by: [city], total = "sum(fare)");
        checkpoint(ranked, deterministic);
        save(top, "top.parquet", mode: overwrite);
        yield totals;
    }
}

#[test]
fn expansion_of_a_seven_step_workflow() {
    insta::assert_snapshot!(pretty(super::expand(long_workflow())));
}

#[test]
fn graph_of_a_seven_step_workflow() {
    let mut diag = Diagnostics::new();
    let graph = super::check(long_workflow(), &mut diag);
    assert!(diag.is_empty());
    let text = graph.map(|g| g.render()).unwrap_or_default();
    insta::assert_snapshot!(text);
}

#[test]
fn a_valid_workflow_has_no_error() {
    assert_eq!(errors(long_workflow()), Vec::<String>::new());
}

#[test]
fn every_macro_level_error_is_reported_at_once() {
    let errors = errors(quote! {
        trips = load("trips.parquet") as Trip;
        trips = select(trips, city);
        slim = selekt(trips, city);
        top = take(trip, 3);
        joined = join(trips, top, how: sideways);
        save(slim, "x", mode: overwrite);
        s = save(trips, "y");
        yield nothing;
    });
    assert_eq!(
        errors,
        [
            "step `trips` is defined twice (1/2): here, and earlier (see 2/2); give this step \
             another name",
            "step `trips` is defined twice (2/2): first here",
            "unknown verb `selekt`; the verbs are `load`, `create`, `transform`, \
             `out_transform`, `cotransform`, `out_cotransform`, `process`, `output`, `join`, `union`, `subtract`, `intersect`, \
             `distinct`, `dropna`, `fillna`, `sample`, `take`, `select`, `filter`, `assign`, \
             `aggregate`, `sql`, `rename`, `alter_columns`, `drop`, `persist`, `broadcast`, \
             `checkpoint`, `save`, `save_and_use`, `show`, `assert_eq`, `assert_not_eq`; help: \
             did you mean `select`?",
            "unknown step `trip`; the steps defined before it are `slim`, `trips`; help: did \
             you mean `trips`?",
            "`how` of `join` is one of `inner`, `left_outer`, `right_outer`, `full_outer`, \
             `semi`, `left_semi`, `anti`, `left_anti`, `cross`",
            "`save` has no output to name; write it as a statement: `save(trips, \"y\");`",
            "unknown step `nothing`; the steps defined before it are `joined`, `slim`, `top`, \
             `trips`",
        ]
    );
}

#[test]
fn argument_shapes() {
    let cases: &[(TokenStream, &str)] = &[
        (
            quote!(t = load();),
            "`load` expects a path: `name = load(path [, format: \"csv\"] [, columns: \
             \"a:int,b:str\"] [, header: bool] [, delimiter: ';'] [, null: \"NA\"] \
             [, infer_schema: bool]) [as Record]`",
        ),
        (
            quote!(t = load("x", columns: "a:nope");),
            "invalid schema expression:",
        ),
        (
            quote!(t = load("x"); u = transform(t, 3);),
            "expected the path of a function declared with `#[transformer]` as the second \
             argument of `transform`",
        ),
        (
            quote!(t = load("x"); u = transform(t, f, partition(by: [a, b c]));),
            "`by` is a column or a list of columns",
        ),
        (
            quote!(t = load("x"); u = transform(t, f, partition(by: a, presort: a desc));),
            "invalid partition:",
        ),
        (
            quote!(t = load("x"); u = take(t, 3, partition(presort: b sideways));),
            "`presort` is `column [asc|desc] [nulls first|nulls last]` or a list of them",
        ),
        (
            quote!(t = load("x"); u = sample(t);),
            "`sample` takes exactly one of `n: count` and `frac: fraction`",
        ),
        (
            quote!(t = load("x"); u = union(t);),
            "`union` takes at least two inputs",
        ),
        (
            quote!(t = load("x"); u = distinct(t, extra: 1);),
            "unexpected argument `extra:` of `distinct`; it is `[name =] distinct(input)`",
        ),
        (
            quote!(t = load("x"); checkpoint(t, sometimes);),
            "the kind of checkpoint is `weak`, `strong` or `deterministic`",
        ),
        (
            quote!(t = load("x"); u = assign(t, c = 1);),
            "expected a SQL expression as a string literal: `c = \"..\"`",
        ),
        (
            quote!(t = load("x"); u = transform(t, f, params(0.5));),
            "a parameter is `name: value` (`params(threshold: 0.5)`)",
        ),
        (quote!(t = load("x") u = 1;), "expected `;`"),
        (quote!(t = ;), "expected a verb after `=`"),
        (quote!(t = load;), "expected `(` after `load`"),
        (
            quote!(u = select(t, a); t = load("x");),
            "step `t` is used before it is defined; move its definition up",
        ),
    ];
    for (input, expected) in cases {
        let errors = errors(input.clone());
        assert!(
            errors.first().is_some_and(|e| e.starts_with(expected)),
            "{input}: expected `{expected}`, got {errors:?}"
        );
    }
}

#[test]
fn partition_specs_are_passed_in_the_compact_form() {
    let text = super::expand(quote! {
        t = load("x");
        u = transform(t, f, partition(by: [a, "b c"], presort: [d desc, e], num: "ROWCOUNT/2", algo: even));
    })
    .to_string();
    assert!(
        text.contains(r#""by=a,`b c`; presort=d desc,e; num=ROWCOUNT/2; algo=even""#),
        "{text}"
    );
}
