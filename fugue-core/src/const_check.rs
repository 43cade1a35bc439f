//! Schema checks that run in const evaluation, so that a mistake is a compile error.
//!
//! The transformer macros see a `#[derive(Schema)]` struct only as a type name: its columns are
//! const data ([`ConstColumn`]s), not tokens. So the macros emit
//! `const _: () = match check_rule_columns(..) { Ok(()) => (), Err(m) => panic!("{}", m.as_str()) };`
//! at the span of the user's rule or hint string, and a failed check reads, for example:
//!
//! ```text
//! error[E0080]: evaluation panicked: validation rule `partitionby_has` of `rank` names column `cty`, which is not a column of its input `Trip`; `Trip` is `city:str,fare:double`; help: did you mean `city`?
//! ```
//!
//! The checks return `Result<(), Message>`, so unit tests read the exact wording; the panic is in
//! the generated item, in the user's crate, so rustc points there and adds no note into
//! fugue's sources.
//!
//! `workflow!` goes further: it computes each step's schema as a [`ConstSchema`] in const
//! evaluation ([`schema`]: known columns, or unknown until run time; hints resolved against
//! the real input) and checks every edge with the functions of [`checks`]. Both are thin: the
//! rules are the `const fn`s of [`crate::rules`], the ones the run time evaluates.

// A `Message` is a fixed buffer (const evaluation cannot allocate), so the `Err` of a check is
// large; checks run once per step, at compile time.
#![allow(clippy::result_large_err)]

pub mod checks;
pub mod message;
pub mod schema;
pub mod sql;

pub use checks::{
    Step, check_column, check_columns_op, check_hint, check_input, check_join, check_join_key,
    check_param_declared, check_param_value, check_params_given, check_rules, check_same_schema,
    check_yield, check_zip_key,
};
pub use message::{MESSAGE_CAPACITY, Message, require};
pub use schema::{ConstSchema, Lookup, MAX_COLUMNS, SchemaColumn};
pub use sql::{SqlColumn, SqlLevel, SqlOutput, SqlResolve, SqlRule, SqlType, check_sql_column};

pub use crate::rules::Nullability;
pub use crate::rules::text::str_eq;

use crate::const_schema::ConstColumn;

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

/// Every name in `wanted` must be a column of `columns`, the columns of the record type
/// `record` that the function `function` takes as input; `rule` is the validation rule that
/// names the columns. The message says which column is missing, prints the record's schema and
/// suggests the closest name (the words of [`Problem::Missing`](crate::rules::Problem)).
pub const fn check_rule_columns(
    function: &str,
    rule: &str,
    wanted: &[&str],
    record: &str,
    columns: &'static [ConstColumn],
) -> Result<(), Message> {
    let schema = ConstSchema::of_columns(columns);
    if !schema.is_known() {
        return Ok(());
    }
    let mut i = 0;
    while i < wanted.len() {
        if !schema.has(wanted[i]) {
            let mut m = Message::new();
            m.push("validation rule `");
            m.push(rule);
            m.push("` of ");
            m.push_ticked(function);
            m.push(" names column ");
            m.push_ticked(wanted[i]);
            m.push(", which is not a column of its input ");
            m.push_ticked(record);
            let input = schema.input(record);
            crate::rules::problem::describe(&mut m, &input);
            crate::rules::problem::suggest(&mut m, wanted[i], &input);
            return Err(m);
        }
        i += 1;
    }
    Ok(())
}

/// The column names of a schema hint without `*` (`hint_names`, in order) must be those of the
/// typed output `record` of `function` (`columns`). Types are compared when the step runs.
pub const fn check_hint_matches(
    function: &str,
    hint: &str,
    hint_names: &[&str],
    record: &str,
    columns: &'static [ConstColumn],
) -> Result<(), Message> {
    let mut i = 0;
    let mut name_differs = false;
    let mut at = 0;
    while i < hint_names.len() && i < columns.len() {
        if !str_eq(hint_names[i], columns[i].name) {
            name_differs = true;
            at = i;
            break;
        }
        i += 1;
    }
    if !name_differs && hint_names.len() == columns.len() {
        return Ok(());
    }
    let mut m = Message::new();
    m.push("the schema hint ");
    m.push_ticked(hint);
    m.push(" of ");
    m.push_ticked(function);
    m.push(" contradicts its output ");
    m.push_ticked(record);
    if name_differs {
        m.push(": column ");
        m.push_usize(at + 1);
        m.push(" is ");
        m.push_ticked(hint_names[at]);
        m.push(" in the hint but ");
        m.push_ticked(columns[at].name);
        m.push(" in ");
        m.push_ticked(record);
    } else {
        m.push(": the hint has ");
        m.push_usize(hint_names.len());
        m.push(" columns, ");
        m.push_ticked(record);
        m.push(" has ");
        m.push_usize(columns.len());
    }
    let schema = ConstSchema::of_columns(columns);
    if schema.is_known() {
        crate::rules::problem::describe(&mut m, &schema.input(record));
    }
    Err(m)
}

/// Const data built at run time the way the macros build it at expansion (leaked, for tests).
#[cfg(test)]
pub(crate) mod testing {
    use super::ConstSchema;
    use crate::rules::HintItem;
    use crate::rules::eval::const_form;

    /// The schema of a schema expression, as `workflow!` emits a `columns:` literal.
    pub fn schema(text: &str) -> ConstSchema {
        let columns = const_form(&crate::Schema::parse(text).unwrap()).leak_columns(false);
        ConstSchema::of_expression(columns)
    }

    /// The items of a hint, as the transformer macros emit them.
    pub fn hint(text: &str) -> &'static [HintItem<'static>] {
        crate::rules::eval::leak_hint(&crate::transform::parse_hint(text).unwrap())
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
    const _: () = require(check_rule_columns(
        "rank",
        "partitionby_has",
        &["city", "fare"],
        "Trip",
        COLS,
    ));
    const _: () = require(check_hint_matches(
        "rank",
        "city:str,fare:double",
        &["city", "fare"],
        "T",
        COLS,
    ));

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
        let message = check_rule_columns("rank", "presort_is", &["cty"], "Trip", COLS)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "validation rule `presort_is` of `rank` names column `cty`, which is not a column \
             of its input `Trip`; `Trip` is `city:str,fare:double`; help: did you mean `city`?"
        );
        let message = check_hint_matches("rank", "city:str", &["city"], "Trip", COLS)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("the hint has 1 columns, `Trip` has 2"),
            "{message}"
        );
    }
}
