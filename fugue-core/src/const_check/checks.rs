//! The compile-time checks of `workflow!` steps, as `const fn`s returning
//! `Result<(), Message>`: the macro wraps each in [`require`](super::require) inside a
//! `const _: () = ...;` item spanned at the user's token, so a failure is
//! `error[E0080]: evaluation panicked: <message>` there. Called at run time, they return the
//! same message (the unit tests check the wording).
//!
//! Every message starts with the step (its name in the workflow and its call, shortened),
//! names the column, prints the schemas involved and, for a missing column, suggests the
//! closest existing one. A check against an unknown schema passes: the runtime checks it.

// A `Message` is a fixed buffer (const evaluation cannot allocate), so the `Err` is large; the
// checks run once per step, at compile time.
#![allow(clippy::result_large_err)]

use super::message::Message;
use super::schema::{ConstSchema, Lookup};
use super::str_eq;
use crate::const_schema::ConstColumn;
use crate::rules::{self, HintItem, JoinKind, Problem};

/// A workflow step as messages name it ([`rules::Step`] of `'static` text, as the macros emit
/// it).
pub type Step = rules::Step<'static>;

/// The message of a rule's problem, for a step.
const fn fail(step: &Step, problem: Problem<'_>) -> Result<(), Message> {
    Err(problem.message(step))
}

/// The column `column`, used by the step as `role` (`partition key`, `selected column`,
/// ...), must be a column of its input `input_name`.
pub const fn check_column(
    step: &Step,
    role: &'static str,
    column: &str,
    input_name: &str,
    input: &ConstSchema,
) -> Result<(), Message> {
    if !input.is_known() {
        return Ok(());
    }
    match rules::check_column(role, column, input.input(input_name)) {
        Ok(()) => Ok(()),
        Err(p) => fail(step, p),
    }
}

/// A rule's problem for the step, unless the schemas are unknown.
const fn outcome(step: &Step, result: Result<(), Problem<'_>>) -> Result<(), Message> {
    match result {
        Ok(()) | Err(Problem::TooWide) => Ok(()),
        Err(p) => fail(step, p),
    }
}

/// The typed input of `function` (the columns of its record type `record`) against the
/// step's input `input_name` ([`rules::check_input`]): every column present, of the same type,
/// and not nullable when the field is not an `Option`.
pub const fn check_input(
    step: &Step,
    input_name: &str,
    input: &ConstSchema,
    function: &str,
    record: &str,
    required: &'static [ConstColumn],
) -> Result<(), Message> {
    if !input.is_known() {
        return Ok(());
    }
    let wanted = ConstSchema::of_columns(required);
    if !wanted.is_known() {
        return Ok(());
    }
    outcome(
        step,
        rules::check_input(function, wanted.input(record), input.input(input_name)),
    )
}

/// A typed yield (`yield top: Best;`, `what` its text) against the yielded step's schema
/// ([`rules::check_input_types`]): every column of the record present and of the same type.
/// NULLs are checked when the result is read (`result.records::<Best>("top")`), row by row.
pub const fn check_yield(
    step: &Step,
    input_name: &str,
    input: &ConstSchema,
    what: &str,
    record: &str,
    required: &'static [ConstColumn],
) -> Result<(), Message> {
    if !input.is_known() {
        return Ok(());
    }
    let wanted = ConstSchema::of_columns(required);
    if !wanted.is_known() {
        return Ok(());
    }
    outcome(
        step,
        rules::check_input_types(what, wanted.input(record), input.input(input_name)),
    )
}

/// A schema hint of `function` (`hint` as written, `items` as the macro parsed it) resolved
/// against the step's input ([`rules::apply_hint`]).
pub const fn check_hint(
    step: &Step,
    function: &str,
    hint: &str,
    items: &'static [HintItem<'static>],
    input_name: &str,
    input: &ConstSchema,
) -> Result<(), Message> {
    if !input.is_known() {
        return Ok(());
    }
    let mut out = [rules::Col::NONE; super::MAX_COLUMNS];
    match rules::apply_hint(
        function,
        hint,
        Some(input.input(input_name)),
        items,
        0,
        &mut out,
    ) {
        Ok(_) | Err(Problem::TooWide) => Ok(()),
        Err(p) => fail(step, p),
    }
}

/// A join key (given in `on`), on both sides and of the same type.
pub const fn check_join_key(
    step: &Step,
    key: &'static str,
    left_name: &str,
    left: &ConstSchema,
    right_name: &str,
    right: &ConstSchema,
) -> Result<(), Message> {
    if let Lookup::Missing = left.lookup(key) {
        return check_column(step, "join key", key, left_name, left);
    }
    if let Lookup::Missing = right.lookup(key) {
        return check_column(step, "join key", key, right_name, right);
    }
    if !left.is_known() || !right.is_known() {
        return Ok(());
    }
    let mut keys = [""; 1];
    outcome(
        step,
        match rules::check_join(
            left.input(left_name),
            right.input(right_name),
            JoinKind::Semi,
            &[key],
            &mut keys,
        ) {
            Ok(_) => Ok(()),
            Err(p) => Err(p),
        },
    )
}

/// A zip key (a co-transform's `partition(by: ..)` key) of the first input and of another,
/// of the same type ([`rules::check_zip_key`]); a missing key is left to [`check_column`].
pub const fn check_zip_key(
    step: &Step,
    key: &str,
    first_name: &str,
    first: &ConstSchema,
    other_name: &str,
    other: &ConstSchema,
) -> Result<(), Message> {
    if !first.is_known() || !other.is_known() {
        return Ok(());
    }
    match rules::check_zip_key(key, first.input(first_name), other.input(other_name)) {
        // A missing key is reported at the key, by each input's column check.
        Err(Problem::Missing { .. }) => Ok(()),
        other => outcome(step, other),
    }
}

/// The rest of a join's rules ([`rules::check_join`]): no shared non-key column, a key
/// (inferred or given), each given once, none for a cross join. A key given in `on` that is
/// missing or of different types is reported at the key by [`check_join_key`], not again here.
pub const fn check_join(
    step: &Step,
    how: JoinKind,
    on: &[&'static str],
    left_name: &str,
    left: &ConstSchema,
    right_name: &str,
    right: &ConstSchema,
) -> Result<(), Message> {
    if !left.is_known() || !right.is_known() {
        return Ok(());
    }
    let mut keys = [""; super::MAX_COLUMNS];
    match rules::check_join(
        left.input(left_name),
        right.input(right_name),
        how,
        on,
        &mut keys,
    ) {
        Ok(_) | Err(Problem::TooWide) => Ok(()),
        Err(Problem::Missing { .. } | Problem::KeyTypes { .. }) if !on.is_empty() => Ok(()),
        Err(p) => fail(step, p),
    }
}

/// The inputs of a set operation (`union`, `subtract`, `intersect`) have the same schema:
/// the same names in the same order, of the same types ([`rules::check_same_schema`]).
pub const fn check_same_schema(
    step: &Step,
    verb: &str,
    left_name: &str,
    left: &ConstSchema,
    right_name: &str,
    right: &ConstSchema,
) -> Result<(), Message> {
    if !left.is_known() || !right.is_known() {
        return Ok(());
    }
    outcome(
        step,
        rules::check_same_schema(verb, left.input(left_name), right.input(right_name)),
    )
}

/// A step's column operation against its input: `select` (`verb` `select`), `drop`, or
/// `rename` ([`rules::select`], [`rules::drop_columns`], [`rules::rename`]) — the checks
/// beyond each column's existence (a column given twice, dropping every column, a rename onto
/// a column that stays). Missing columns are reported at each column by [`check_column`].
pub const fn check_columns_op(
    step: &Step,
    verb: &'static str,
    names: &[&'static str],
    pairs: &[(&'static str, &'static str)],
    input_name: &str,
    input: &ConstSchema,
) -> Result<(), Message> {
    if !input.is_known() {
        return Ok(());
    }
    let mut out = [rules::Col::NONE; super::MAX_COLUMNS];
    let i = input.input(input_name);
    let result = if str_eq(verb, "select") {
        match rules::select(i, names, &mut out) {
            Ok(_) => Ok(()),
            Err(p) => Err(p),
        }
    } else if str_eq(verb, "drop") {
        match rules::drop_columns(i, names, &mut out) {
            Ok(_) => Ok(()),
            Err(p) => Err(p),
        }
    } else {
        match rules::rename(i, pairs, &mut out) {
            Ok(_) => Ok(()),
            Err(p) => Err(p),
        }
    };
    match result {
        Err(Problem::Missing { .. }) => Ok(()),
        other => outcome(step, other),
    }
}

/// The validation rules of `function` (`(name, canonical value)` as its `Transformer::RULES`)
/// against the step's partition spec (`by`: its keys; `presort`: `(column, descending,
/// nulls_first)`) and its input ([`rules::validation::check_rules`], the rule the run time
/// evaluates too). Input rules over an unknown input are checked at run time.
pub const fn check_rules(
    step: &Step,
    function: &str,
    rules: &[(&'static str, &'static str)],
    by: &[&str],
    presort: &[(&str, bool, bool)],
    input_name: &str,
    input: &ConstSchema,
) -> Result<(), Message> {
    let site = rules::validation::Site {
        by,
        presort,
        input: if input.is_known() {
            Some(input.input(input_name))
        } else {
            None
        },
    };
    match rules::validation::check_rules(function, rules, &site) {
        Ok(()) => Ok(()),
        Err(problem) => Err(problem.message(step)),
    }
}

/// A parameter given to `function` in `params(..)` must be one it declares (`declared`:
/// `(name, Rust type)`, its `Transformer::PARAMS`; [`rules::params::check_declared`]).
pub const fn check_param_declared(
    step: &Step,
    function: &str,
    declared: &[(&str, &str)],
    name: &str,
) -> Result<(), Message> {
    match rules::params::check_declared(function, declared, name) {
        Ok(()) => Ok(()),
        Err(p) => fail(step, p),
    }
}

/// A literal given to parameter `name` in the step's `params(..)` must convert to the
/// parameter's declared Rust type as the run time converts it
/// ([`rules::params::check_value`]). `text` is the literal as written.
pub const fn check_param_value(
    step: &Step,
    function: &str,
    declared: &[(&str, &str)],
    name: &str,
    literal: rules::params::Literal,
    text: &str,
) -> Result<(), Message> {
    match rules::params::check_value(function, declared, name, literal, text) {
        Ok(()) => Ok(()),
        Err(p) => fail(step, p),
    }
}

/// Every parameter `function` declares must be given in the step's `params(..)` (`given`:
/// the names; [`rules::params::check_given`]).
pub const fn check_params_given(
    step: &Step,
    function: &str,
    declared: &[(&str, &str)],
    given: &[&str],
) -> Result<(), Message> {
    match rules::params::check_given(function, declared, given) {
        Ok(()) => Ok(()),
        Err(p) => fail(step, p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::const_check::testing::{hint, schema};
    use crate::const_schema::ConstType;

    const TRIP: &[ConstColumn] = &[
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
    const TRIPS: ConstSchema = ConstSchema::of_columns(TRIP);
    const STEP: Step = Step {
        name: "ranked",
        call: "transform(trips, rank, ..)",
    };

    // Passing checks, evaluated at compile time.
    const _: () = super::super::require(check_input(&STEP, "trips", &TRIPS, "rank", "Trip", TRIP));
    const _: () = super::super::require(check_rules(
        &STEP,
        "rank",
        &[("partitionby_has", "city"), ("presort_is", "fare desc")],
        &["city"],
        &[("fare", true, false)],
        "trips",
        &TRIPS,
    ));

    fn err(r: Result<(), Message>) -> String {
        r.err().map(|m| m.to_string()).unwrap_or_default()
    }

    #[test]
    fn a_missing_or_mistyped_input_column() {
        let input = schema("city:str,fair:double");
        assert_eq!(
            err(check_input(&STEP, "trips", &input, "rank", "Trip", TRIP)),
            "step `ranked` (`transform(trips, rank, ..)`): column `fare` of `Trip` required by \
             `rank` is not a column of `trips`; `trips` is `city:str,fair:double`; `rank` takes \
             `city:str,fare:double`; help: did you mean `fair`?"
        );
        let input = schema("city:string,fare:str");
        assert_eq!(
            err(check_input(&STEP, "trips", &input, "rank", "Trip", TRIP)),
            "step `ranked` (`transform(trips, rank, ..)`): column `fare` of `Trip` required by \
             `rank` has type `double` but `trips` gives `str`; `trips` is `city:str,fare:str`; \
             `rank` takes `city:str,fare:double`"
        );
        let nullable: &[ConstColumn] = &[ConstColumn {
            name: "fare",
            ty: ConstType::Expr("double"),
            nullable: true,
        }];
        let input = ConstSchema::of_columns(nullable);
        assert!(
            err(check_input(
                &STEP,
                "trips",
                &input,
                "rank",
                "Trip",
                &TRIP[1..]
            ))
            .contains("is not an `Option` but `trips` may give it NULL (from an `Option` field")
        );
        // A schema expression's column (unspecified nullability) and an unknown input pass.
        let input = schema("fare:double");
        assert!(check_input(&STEP, "trips", &input, "rank", "Trip", &TRIP[1..]).is_ok());
        assert!(check_input(&STEP, "t", &ConstSchema::UNKNOWN, "rank", "Trip", TRIP).is_ok());
    }

    #[test]
    fn a_typed_yield_checks_columns_and_types_and_leaves_nulls_to_the_reader() {
        let what = "yield ranked: Trip";
        let input = schema("city:str");
        assert!(
            err(check_yield(&STEP, "ranked", &input, what, "Trip", TRIP)).contains(
                "column `fare` of `Trip` required by `yield ranked: Trip` is not a column of \
                 `ranked`"
            )
        );
        let input = schema("city:str,fare:long");
        assert!(
            err(check_yield(&STEP, "ranked", &input, what, "Trip", TRIP))
                .contains("has type `double` but `ranked` gives `long`")
        );
        // A nullable column into a field that is not an `Option`: read row by row, not refused.
        let nullable: &[ConstColumn] = &[ConstColumn {
            name: "fare",
            ty: ConstType::Expr("double"),
            nullable: true,
        }];
        let input = ConstSchema::of_columns(nullable);
        assert!(check_yield(&STEP, "ranked", &input, what, "Trip", &TRIP[1..]).is_ok());
        assert!(check_input(&STEP, "ranked", &input, what, "Trip", &TRIP[1..]).is_err());
    }

    #[test]
    fn columns_hints_joins_and_set_operations() {
        assert_eq!(
            err(check_column(&STEP, "partition key", "cty", "trips", &TRIPS)),
            "step `ranked` (`transform(trips, rank, ..)`): partition key `cty` is not a column \
             of `trips`; `trips` is `city:str,fare:double`; help: did you mean `city`?"
        );
        assert!(check_column(&STEP, "k", "cty", "t", &ConstSchema::UNKNOWN).is_ok());
        assert_eq!(
            err(check_hint(
                &STEP,
                "f",
                "*-fair",
                hint("*-fair"),
                "trips",
                &TRIPS
            )),
            "step `ranked` (`transform(trips, rank, ..)`): the schema hint `*-fair` of `f` \
             removes column `fair`, which `trips` does not have; `trips` is \
             `city:str,fare:double`; help: did you mean `fare`?"
        );
        assert!(
            err(check_hint(
                &STEP,
                "f",
                "*,fare:int",
                hint("*,fare:int"),
                "trips",
                &TRIPS
            ))
            .contains(
                "adds column `fare`, which `trips` already has; `trips` is `city:str,fare:double`; \
             help: `*+fare:type` changes"
            )
        );
        let dims = schema("city:long,pop:long");
        assert_eq!(
            err(check_join_key(
                &STEP, "city", "trips", &TRIPS, "dims", &dims
            )),
            "step `ranked` (`transform(trips, rank, ..)`): join key `city` has type `str` in \
             `trips` but `long` in `dims`; `trips` is `city:str,fare:double`; `dims` is \
             `city:long,pop:long`"
        );
        assert!(
            err(check_join_key(&STEP, "pop", "trips", &TRIPS, "dims", &dims))
                .contains("join key `pop` is not a column of `trips`")
        );
        assert_eq!(
            err(check_same_schema(&STEP, "union", "a", &TRIPS, "b", &dims)),
            "step `ranked` (`transform(trips, rank, ..)`): the inputs of `union` must have the \
             same schema, but column 1 is `city:str` in `a` and `city:long` in `b`; `a` is \
             `city:str,fare:double`; `b` is `city:long,pop:long`"
        );
        let short = TRIPS.select(&["city"]);
        assert!(
            err(check_same_schema(&STEP, "union", "a", &TRIPS, "b", &short))
                .contains("but `a` has 2 columns and `b` has 1")
        );
        assert!(check_same_schema(&STEP, "union", "a", &TRIPS, "b", &TRIPS).is_ok());
    }

    #[test]
    fn parameters() {
        let declared: &[(&str, &str)] = &[("top", "i64"), ("threshold", "f64")];
        assert!(check_param_declared(&STEP, "rank", declared, "top").is_ok());
        assert_eq!(
            err(check_param_declared(&STEP, "rank", declared, "treshold")),
            "step `ranked` (`transform(trips, rank, ..)`): `rank` has no parameter `treshold`; \
             it takes `top: i64, threshold: f64`; help: did you mean `threshold`?"
        );
        assert!(
            err(check_param_declared(&STEP, "rank", &[], "x")).contains("it takes no parameter")
        );
        assert!(check_params_given(&STEP, "rank", declared, &["threshold", "top"]).is_ok());
        assert_eq!(
            err(check_params_given(&STEP, "rank", declared, &["top"])),
            "step `ranked` (`transform(trips, rank, ..)`): `rank` needs parameter `threshold: \
             f64`, which the step does not give; it takes `top: i64, threshold: f64`; help: add \
             `params(threshold: ..)`"
        );
    }

    #[test]
    fn validation_rules_against_the_partition() {
        let check =
            |rule: &'static str, value: &'static str, by: &[&str], sort: &[(&str, bool, bool)]| {
                err(check_rules(
                    &STEP,
                    "rank",
                    &[(rule, value)],
                    by,
                    sort,
                    "trips",
                    &TRIPS,
                ))
            };
        assert_eq!(
            check("partitionby_has", "city", &["fare"], &[]),
            "step `ranked` (`transform(trips, rank, ..)`): validation rule `partitionby_has = \
             \"city\"` of `rank` is not met: `city` must be a partition key; the step's \
             partition is `by=fare`; `trips` is `city:str,fare:double`"
        );
        // A rule naming a column the input lacks says so.
        assert!(check("partitionby_has", "cty", &["fare"], &[]).contains(
            "the step's partition is `by=fare`; `cty` is not a column of `trips` either; `trips` \
             is `city:str,fare:double`; help: did you mean `city`?"
        ));
        assert!(check("presort_has", "fare", &[], &[]).contains("the step has no partition"));
        assert_eq!(check("partitionby_has", "city", &["fare", "city"], &[]), "");
        assert!(
            check("partitionby_is", "city", &["fare", "city"], &[])
                .contains("the step must have the same number of partition keys")
        );
        assert!(
            check("presort_has", "fare desc", &[], &[("fare", false, false)]).contains(
                "`fare` must be sorted in the other direction; the step's partition is \
                       `presort=fare`"
            )
        );
        assert!(
            check(
                "presort_is",
                "city, fare",
                &[],
                &[("fare", false, false), ("city", false, false)]
            )
            .contains("`city` must be at this position of the presort")
        );
        assert_eq!(
            check("presort_is", "`fare` DESC", &[], &[("fare", true, false)]),
            ""
        );
        // The NULL order is part of a sort key.
        assert!(
            check("presort_is", "fare DESC", &[], &[("fare", true, true)]).contains(
                "`fare` must be sorted with the other NULL order; the step's partition is \
                 `presort=fare desc nulls first`"
            )
        );
        assert_eq!(
            check(
                "presort_has",
                "fare DESC NULLS FIRST",
                &[],
                &[("fare", true, true)]
            ),
            ""
        );
        assert!(
            check("input_has", "fare:long", &[], &[])
                .contains("`fare` must be of this type in the input")
        );
        assert!(check("input_has", "fair", &["city"], &[]).contains(
            "`fair` must be a column of the input; `trips` is `city:str,fare:double`; help: did \
             you mean `fare`?"
        ));
        assert_eq!(
            check("input_is", "x:int", &[], &[]),
            "step `ranked` (`transform(trips, rank, ..)`): validation rule `input_is = \"x:int\"` \
             of `rank` is not met: the input must be `x:int`; `trips` is `city:str,fare:double`"
        );
        // Values are canonical: the transformer macro prints them with fugue-core's parser.
        assert_eq!(check("input_is", "city:str,fare:double", &[], &[]), "");
        assert!(check("input_is", "city:str", &[], &[]).contains("the input must be `city:str`"));
    }
}
