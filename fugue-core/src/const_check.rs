//! Schema checks that run in const evaluation, so that a mistake is a compile error.
//!
//! The transformer macros see a `#[derive(Schema)]` struct only as a type name: its columns are
//! const data ([`ConstColumn`]s), not tokens. So the macros emit
//! `const _: () = require_columns(...);` at the span of the user's rule or hint string, and a
//! failed check reads, for example:
//!
//! ```text
//! error[E0080]: evaluation panicked: validation rule `partitionby_has` of `rank` names column `cty`, which the input `Trip` does not have
//! ```
//!
//! The functions are ordinary `const fn`s: they also run (and panic) when called at run time.
//!
//! `workflow!` goes further: it computes each step's schema as a [`ConstSchema`] in const
//! evaluation ([`schema`]: known columns, or unknown until run time; hints with `*` resolved
//! against the real input) and checks every edge with the functions of [`checks`], which
//! return the full message ([`Message`], written into a fixed buffer) so that unit tests can
//! read it; [`require`] turns a failure into the compile error.

pub mod checks;
pub mod message;
pub mod schema;

pub use checks::{
    Step, check_column, check_hint, check_input, check_join_key, check_param_declared,
    check_params_given, check_rules, check_same_schema,
};
pub use message::{MESSAGE_CAPACITY, Message, require};
pub use schema::{ConstSchema, HintProblem, Lookup, MAX_COLUMNS, Nullability, SchemaColumn};

use crate::const_schema::ConstColumn;

/// Whether two strings are equal (`==` on `str` is not `const`).
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `columns` has a column named `name`.
pub const fn has_column(columns: &[ConstColumn], name: &str) -> bool {
    let mut i = 0;
    while i < columns.len() {
        if str_eq(columns[i].name, name) {
            return true;
        }
        i += 1;
    }
    false
}

/// Fail const evaluation unless every name in `wanted` is a column of `columns`, the columns of
/// the record type `record` that the step `step` takes as input; `rule` is the validation rule
/// that names the columns.
pub const fn require_columns(
    step: &str,
    rule: &str,
    wanted: &[&str],
    record: &str,
    columns: &[ConstColumn],
) {
    let mut i = 0;
    while i < wanted.len() {
        if !has_column(columns, wanted[i]) {
            const_panic::concat_panic!(
                "validation rule `",
                display: rule,
                "` of `",
                display: step,
                "` names column `",
                display: wanted[i],
                "`, which the input `",
                display: record,
                "` does not have"
            );
        }
        i += 1;
    }
}

/// Fail const evaluation unless the column names of a schema hint (`hint_names`, in order) are
/// those of the typed output `record` of `step` (`columns`). Types are compared when the step
/// runs.
pub const fn require_hint_matches(
    step: &str,
    hint: &str,
    hint_names: &[&str],
    record: &str,
    columns: &[ConstColumn],
) {
    let mut i = 0;
    while i < hint_names.len() && i < columns.len() {
        if !str_eq(hint_names[i], columns[i].name) {
            const_panic::concat_panic!(
                "the schema hint `",
                display: hint,
                "` of `",
                display: step,
                "` contradicts its output `",
                display: record,
                "`: column ",
                display: i + 1,
                " is `",
                display: hint_names[i],
                "` in the hint but `",
                display: columns[i].name,
                "` in `",
                display: record,
                "`"
            );
        }
        i += 1;
    }
    if hint_names.len() != columns.len() {
        const_panic::concat_panic!(
            "the schema hint `",
            display: hint,
            "` of `",
            display: step,
            "` contradicts its output `",
            display: record,
            "`: the hint has ",
            display: hint_names.len(),
            " columns, `",
            display: record,
            "` has ",
            display: columns.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ConstType;

    const COLS: &[ConstColumn] = &[
        ConstColumn {
            name: "city",
            ty: ConstType::Expr("str"),
            nullable: false,
        },
        ConstColumn {
            name: "fare",
            ty: ConstType::Expr("double"),
            nullable: false,
        },
    ];

    // Evaluated at compile time: a failure would not compile.
    const _: () = require_columns("rank", "partitionby_has", &["city", "fare"], "Trip", COLS);
    const _: () =
        require_hint_matches("rank", "city:str,fare:double", &["city", "fare"], "T", COLS);

    #[test]
    fn strings_and_columns() {
        assert!(str_eq("abc", "abc"));
        assert!(!str_eq("abc", "abd"));
        assert!(!str_eq("ab", "abc"));
        assert!(has_column(COLS, "fare"));
        assert!(!has_column(COLS, "far"));
    }

    #[test]
    fn a_missing_column_fails_with_a_full_message() {
        let e = std::panic::catch_unwind(|| {
            require_columns("rank", "presort_is", &["cty"], "Trip", COLS)
        })
        .unwrap_err();
        let message = e.downcast_ref::<String>().cloned().unwrap_or_default();
        assert_eq!(
            message,
            "validation rule `presort_is` of `rank` names column `cty`, which the input `Trip` does not have"
        );
        let e = std::panic::catch_unwind(|| {
            require_hint_matches("rank", "city:str", &["city"], "Trip", COLS)
        })
        .unwrap_err();
        let message = e.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            message.contains("the hint has 1 columns, `Trip` has 2"),
            "{message}"
        );
    }
}
