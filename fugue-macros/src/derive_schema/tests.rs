//! In-process tests of the derive: expansion snapshots (prettyplease + insta) and the
//! diagnostics produced for bad input, as data.

use quote::quote;

fn pretty(tokens: proc_macro2::TokenStream) -> String {
    match syn2::parse2::<syn2::File>(tokens) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => format!("expansion is not a valid file: {e}"),
    }
}

/// The messages of the `compile_error!`s in an expansion, in order.
fn errors(tokens: proc_macro2::TokenStream) -> Vec<String> {
    let text = tokens.to_string();
    text.split("compile_error !")
        .skip(1)
        .filter_map(|s| s.split('"').nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn expansion_of_a_struct_with_rename_explicit_type_and_option() {
    let out = super::expand(quote! {
        struct Order {
            id: i64,
            #[fugue(rename = "order date")]
            date: chrono::NaiveDate,
            #[fugue(type = "decimal(10,2)")]
            amount: rust_decimal::Decimal,
            note: Option<String>,
        }
    });
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn expansion_of_an_empty_struct() {
    let out = super::expand(quote! { struct Empty {} });
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn all_errors_are_reported_at_once() {
    let out = super::expand(quote! {
        struct Bad {
            #[fugue(colour = "red")]
            a: i64,
            #[fugue(type = "nope")]
            b: i64,
            #[fugue(rename = "a")]
            c: i64,
            #[fugue(rename = "")]
            d: i64,
            #[fugue(type = "{x:int}")]
            e: i64,
            #[fugue(rename = "x", rename = "y")]
            f: i64,
        }
    });
    let errors = errors(out);
    assert_eq!(errors.len(), 7, "{errors:#?}");
    assert!(errors[0].starts_with("unknown fugue attribute key `colour`; accepted keys:"));
    assert_eq!(errors[1], "duplicate fugue attribute key `rename`");
    assert!(errors[2].starts_with("duplicate column `a`: field `a` already maps to it (1/2)"));
    assert!(errors[3].starts_with("column `a` is first defined here"));
    assert_eq!(errors[4], "a column name cannot be empty");
    assert!(
        errors[5].starts_with("invalid explicit type:"),
        "{}",
        errors[5]
    );
    assert!(errors[6].starts_with("an explicit type cannot be a struct"));
}

#[test]
fn shapes_other_than_named_structs_are_rejected() {
    let cases = [
        (
            quote!(
                enum E {
                    A,
                }
            ),
            "not enums",
        ),
        (quote!(union U { a: u8 }), "not unions"),
        (
            quote!(
                struct T(i64);
            ),
            "tuple structs are not supported",
        ),
        (
            quote!(
                struct U;
            ),
            "a unit struct has no columns",
        ),
        (
            quote!(
                struct G<T> {
                    t: T,
                }
            ),
            "does not support generic structs",
        ),
    ];
    for (input, message) in cases {
        let generic = input.to_string().contains('<');
        let out = super::expand(input);
        // Stub impls keep code that uses the type free of follow-up errors.
        let stubbed = out.to_string().contains("__private :: Record for");
        assert_eq!(stubbed, !generic, "{out}");
        let errors = errors(out);
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].contains(message), "{errors:#?}");
    }
}
