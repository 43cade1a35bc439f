//! In-process tests of the transformer macros: expansion snapshots (prettyplease + insta), one
//! per kind, and the diagnostics produced for bad input, as data.

use super::Kind;
use quote::quote;

fn pretty(tokens: proc_macro2::TokenStream) -> String {
    match syn2::parse2::<syn2::File>(tokens) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => format!("expansion is not a valid file: {e}"),
    }
}

/// The messages of the `compile_error!`s in an expansion, in order.
fn errors(
    kind: Kind,
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> Vec<String> {
    let text = super::expand(kind, attr, item).to_string();
    text.split("compile_error !")
        .skip(1)
        .filter_map(|s| s.split('"').nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn expansion_of_a_transformer() {
    let out = super::expand(
        Kind::Transformer,
        quote!(partitionby_has = "city", presort_is = "fare desc"),
        quote! {
            /// Rank the trips of a city.
            pub fn rank(trips: Vec<Trip>, cb: Option<Callback>, top: i64) -> Result<Vec<Ranked>, MyError> {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_a_transformer_with_on_init() {
    let out = super::expand(
        Kind::Transformer,
        quote!(on_init = models::load),
        quote! {
            fn score(rows: Vec<Trip>, model: &Model, cursor: &PartitionCursor) -> Vec<Scored> {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_an_output_transformer() {
    let out = super::expand(
        Kind::OutputTransformer,
        quote!(),
        quote! {
            fn save(rows: impl Iterator<Item = Trip>, cursor: &PartitionCursor) {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_a_cotransformer() {
    let out = super::expand(
        Kind::CoTransformer,
        quote!(schema = "k:long,n:long"),
        quote! {
            fn count(a: RecordBatch, b: &[Trip]) -> impl Iterator<Item = RecordBatch> {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_an_output_cotransformer() {
    let out = super::expand(
        Kind::OutputCoTransformer,
        quote!(),
        quote! {
            fn check(a: Vec<Trip>, b: Vec<Trip>) -> Result<(), MyError> {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_a_processor() {
    let out = super::expand(
        Kind::Processor,
        quote!(input_has = "city"),
        quote! {
            fn dedup(trips: Vec<Trip>, all: DataFrame) -> DataFrame {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_a_processor_with_the_engine_and_every_input() {
    let out = super::expand(
        Kind::Processor,
        quote!(),
        quote! {
            fn join_all(engine: &dyn ExecutionEngine, dfs: DataFrames, min: f64) -> DataFrame {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_a_creator() {
    let out = super::expand(
        Kind::Creator,
        quote!(),
        quote! {
            fn make(n: i64) -> Vec<Trip> {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_an_outputter() {
    let out = super::expand(
        Kind::Outputter,
        quote!(),
        quote! {
            fn print(trips: RecordBatch) {
                body()
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn all_errors_are_reported_at_once() {
    let errors = errors(
        Kind::Transformer,
        quote!(
            schema = "a:nope",
            partitionby_hass = "a",
            presort_is = "b sideways"
        ),
        quote! {
            fn f(threshold: f64, cb: Callback) -> RecordBatch { body() }
        },
    );
    assert_eq!(errors.len(), 5, "{errors:#?}");
    assert!(
        errors[0].starts_with("`f` has no data parameter"),
        "{}",
        errors[0]
    );
    assert!(errors[1].starts_with("the callback parameter `cb` must come directly after"));
    let errors = &errors[1..];
    assert!(
        errors[1].starts_with("invalid schema hint: invalid"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].starts_with("unknown validation rule `partitionby_hass`"),
        "{}",
        errors[2]
    );
    assert!(
        errors[2].contains("did you mean `partitionby_has`?"),
        "{}",
        errors[2]
    );
    assert!(
        errors[3].starts_with("invalid value for validation rule `presort_is`"),
        "{}",
        errors[3]
    );
}

#[test]
fn each_kind_checks_its_shape() {
    let cases = [
        (
            Kind::Transformer,
            quote!(
                fn f(a: Vec<P>, b: Vec<P>) -> Vec<P> {
                    x
                }
            ),
            "takes exactly one data parameter",
        ),
        (
            Kind::Transformer,
            quote!(
                fn f(a: Vec<P>) {}
            ),
            "must return data",
        ),
        (
            Kind::Transformer,
            quote!(
                fn f(a: Vec<P>, t: f64, cb: Callback) -> Vec<P> {
                    x
                }
            ),
            "must come directly after the data parameter",
        ),
        (
            Kind::Transformer,
            quote!(
                fn f(a: Vec<(i64, String)>) -> Vec<P> {
                    x
                }
            ),
            "unsupported type for data parameter `a`: tuples have no column names",
        ),
        (
            Kind::Transformer,
            quote!(
                fn f(a: Vec<P>) -> RecordBatch {
                    x
                }
            ),
            "needs a schema hint",
        ),
        (
            Kind::Transformer,
            quote!(
                fn f(a: Vec<P>) -> (i64, i64) {
                    x
                }
            ),
            "unsupported return type",
        ),
        (
            Kind::Transformer,
            quote!(
                fn f<T>(a: Vec<T>) -> Vec<T> {
                    x
                }
            ),
            "cannot be generic",
        ),
        (
            Kind::OutputTransformer,
            quote!(
                fn f(a: Vec<P>) -> Vec<P> {
                    x
                }
            ),
            "returns nothing",
        ),
        (
            Kind::Creator,
            quote!(
                fn f(a: Vec<P>) -> Vec<P> {
                    x
                }
            ),
            "takes no data parameter",
        ),
        (
            Kind::Processor,
            quote!(
                fn f(a: impl Iterator<Item = P>) -> Vec<P> {
                    x
                }
            ),
            "receives whole frames",
        ),
        (
            Kind::Processor,
            quote!(
                fn f(a: Vec<P>, cb: Callback) -> Vec<P> {
                    x
                }
            ),
            "runs on the driver",
        ),
    ];
    let on_init_cases = [
        (
            Kind::Transformer,
            quote!(),
            quote!(
                fn f(a: Vec<P>, model: &Model) -> Vec<P> {
                    x
                }
            ),
            "takes the state that `on_init` makes for the call's physical partition, but `f` has no `on_init`",
        ),
        (
            Kind::Transformer,
            quote!(on_init = load),
            quote!(
                fn f(a: impl Iterator<Item = P>, model: &Model) -> impl Iterator<Item = P> {
                    x
                }
            ),
            "`model` borrows the state of `on_init` for one call, but the output of `f` is lazy",
        ),
        (
            Kind::Transformer,
            quote!(on_init = load),
            quote!(
                fn f(a: Vec<P>, model: &Model, other: Arc<Model>) -> Vec<P> {
                    x
                }
            ),
            "takes the state of its `on_init` at most once",
        ),
        (
            Kind::Processor,
            quote!(on_init = load),
            quote!(
                fn f(a: Vec<P>) -> Vec<P> {
                    x
                }
            ),
            "`#[processor]` takes no `on_init`: it runs once, on the driver",
        ),
        (
            Kind::Transformer,
            quote!(on_init = "load"),
            quote!(
                fn f(a: Vec<P>) -> Vec<P> {
                    x
                }
            ),
            "`on_init` takes the path of a function, not a literal",
        ),
    ];
    for (kind, attr, item, message) in on_init_cases {
        let errors = errors(kind, attr, item);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].contains(message), "{errors:#?}");
    }
    for (kind, item, message) in cases {
        let errors = errors(kind, quote!(), item);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].contains(message), "{errors:#?}");
    }
    let co = errors(
        Kind::CoTransformer,
        quote!(schema = "*,n:long"),
        quote!(
            fn f(a: RecordBatch, b: RecordBatch) -> RecordBatch {
                x
            }
        ),
    );
    assert!(
        co[0].starts_with("`*` cannot be used in a co-transformer schema hint"),
        "{co:#?}"
    );
    let rules = errors(
        Kind::CoTransformer,
        quote!(input_has = "a"),
        quote!(
            fn f(a: Vec<P>) -> Vec<P> {
                x
            }
        ),
    );
    assert!(rules[0].contains("takes no validation rule"), "{rules:#?}");
}

#[test]
fn a_failed_check_still_emits_the_struct_and_stubs() {
    let out = super::expand(
        Kind::Transformer,
        quote!(),
        quote!(
            fn f(t: f64) -> Vec<P> {
                x
            }
        ),
    )
    .to_string();
    assert!(out.contains("struct f"), "{out}");
    assert!(out.contains("__private :: Transformer for f"), "{out}");
    assert!(
        out.contains("__private :: PartitionFunction for f"),
        "{out}"
    );
}
