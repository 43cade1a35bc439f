//! The rules at run time: the columns of a [`Schema`] as [`Col`]s (types as canonical keys),
//! the rule evaluated into a buffer of the needed size, the output mapped back to Arrow
//! columns, and a [`Problem`] turned into a [`FugueError`] with the same message as at compile
//! time.

use super::hint::{HintItem, HintOp, apply_hint};
use super::ops::{self, JoinKind};
use super::problem::{Problem, Step};
use super::{Col, Input, Nullability, Ty};
use crate::error::{FugueError, Result};
use crate::schema::{Column, Schema};
use crate::transform::ParsedHintItem;
use arrow_schema::DataType;

pub use crate::types::type_key;

/// The type keys of a schema's columns, in order.
pub fn keys(schema: &Schema) -> Vec<String> {
    schema
        .columns()
        .iter()
        .map(|c| type_key(c.data_type()))
        .collect()
}

/// The columns of `schema` as the rules see them, `src` numbered from `offset`. A nullable
/// column is "not declared" ([`Nullability::Unspecified`]: the run time cannot tell an `Option`
/// field from a schema expression's column), a non-nullable one [`Nullability::NotNull`].
pub fn cols<'a>(schema: &'a Schema, keys: &'a [String], offset: usize) -> Vec<Col<'a>> {
    schema
        .columns()
        .iter()
        .zip(keys)
        .enumerate()
        .map(|(i, (c, key))| {
            let null = if c.is_nullable() {
                Nullability::Unspecified
            } else {
                Nullability::NotNull
            };
            Col::new(c.name(), Ty::Key(key), null, offset + i)
        })
        .collect()
}

/// The error of a problem: kind, column and the message [`Problem::write`] gives (the
/// compile-time sentence).
pub fn error(problem: &Problem<'_>, step: &Step<'_>) -> FugueError {
    FugueError::Rule {
        kind: problem.kind(),
        column: problem.column().map(str::to_string),
        message: problem.message(step).to_string(),
    }
}

/// A column the step uses as `role` must be a column of `schema`, its input named `input`
/// ([`ops::check_column`], the compile-time check's rule and sentence).
pub fn check_column(
    schema: &Schema,
    role: &'static str,
    column: &str,
    input: &str,
    step: &Step<'_>,
) -> Result<()> {
    let keys = keys(schema);
    let cols = cols(schema, &keys, 0);
    ops::check_column(
        role,
        column,
        Input {
            name: input,
            cols: &cols,
        },
    )
    .map_err(|p| error(&p, step))
}

/// The validation rules of `function` (`(name, canonical value)` pairs, its
/// `Transformer::RULES`) at run time ([`validation::check_rules`](super::validation::check_rules),
/// the rule `workflow!` evaluates at compile time): against `spec`'s keys and presort and, when
/// known, the input schema named `input_name`. A failure is [`FugueError::ValidationFailed`]
/// with the compile-time sentence.
pub fn check_rules(
    step: &Step<'_>,
    function: &str,
    rules: &[(&str, &str)],
    spec: &crate::PartitionSpec,
    input_name: &str,
    input: Option<&Schema>,
) -> Result<()> {
    let by: Vec<&str> = spec.keys().iter().map(String::as_str).collect();
    let presort: Vec<(&str, bool, bool)> = spec
        .presort()
        .iter()
        .map(|k| (k.name.as_str(), k.descending, k.nulls_first))
        .collect();
    let keys = input.map(keys).unwrap_or_default();
    let cols = input.map(|s| cols(s, &keys, 0)).unwrap_or_default();
    let site = super::validation::Site {
        by: &by,
        presort: &presort,
        input: input.map(|_| Input {
            name: input_name,
            cols: &cols,
        }),
    };
    super::validation::check_rules(function, rules, &site).map_err(|p| {
        let rule = match p {
            Problem::Rule { rule, .. } => rule,
            _ => "",
        };
        FugueError::ValidationFailed {
            rule: rule.to_string(),
            column: p.column().map(str::to_string),
            message: p.message(step).to_string(),
        }
    })
}

/// The output schema of a rule's output columns, each column's type taken from its source.
fn build(out: &[Col<'_>], sources: &[&Column]) -> Result<Schema> {
    let columns = out
        .iter()
        .map(|c| {
            let source = sources.get(c.src).ok_or_else(|| {
                FugueError::Internal(format!("rule output `{}` has no source", c.name))
            })?;
            let nullable = !matches!(c.null, Nullability::NotNull);
            Ok(Column::with_nullable(
                c.name,
                source.data_type().clone(),
                nullable,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Schema::new(columns)
}

/// A buffer for a rule's output.
fn buffer<'a>(len: usize) -> Vec<Col<'a>> {
    vec![Col::NONE; len]
}

/// A one-input rule at run time: `schema` as the input named `input`, an output buffer of at
/// least `width` columns (and the input's), the rule's problem as the error of `step`. (A macro:
/// the rule's columns borrow the type keys made here.)
macro_rules! one_input {
    ($schema:expr, $input:expr, $width:expr, $step:expr, |$i:ident, $out:ident| $rule:expr) => {{
        let keys = keys($schema);
        let cols = cols($schema, &keys, 0);
        let mut $out = buffer(($width).max(cols.len()));
        let $i = Input {
            name: $input,
            cols: &cols,
        };
        let n = $rule.map_err(|p| error(&p, $step))?;
        build(&$out[..n], &$schema.columns().iter().collect::<Vec<_>>())
    }};
}

/// `select` at run time ([`ops::select`]).
pub fn select(schema: &Schema, names: &[&str], input: &str, step: &Step<'_>) -> Result<Schema> {
    one_input!(schema, input, names.len(), step, |i, out| ops::select(
        i, names, &mut out
    ))
}

/// `drop` at run time ([`ops::drop_columns`]).
pub fn drop_columns(
    schema: &Schema,
    names: &[&str],
    input: &str,
    step: &Step<'_>,
) -> Result<Schema> {
    one_input!(schema, input, 0, step, |i, out| ops::drop_columns(
        i, names, &mut out
    ))
}

/// `rename` at run time ([`ops::rename`]).
pub fn rename(
    schema: &Schema,
    pairs: &[(&str, &str)],
    input: &str,
    step: &Step<'_>,
) -> Result<Schema> {
    one_input!(schema, input, 0, step, |i, out| ops::rename(
        i, pairs, &mut out
    ))
}

/// `alter_columns` at run time ([`ops::alter`]): the changed columns take their types from
/// `changes`.
pub fn alter(schema: &Schema, changes: &Schema, input: &str, step: &Step<'_>) -> Result<Schema> {
    let (ikeys, ckeys) = (keys(schema), keys(changes));
    let icols = cols(schema, &ikeys, 0);
    let ccols = cols(changes, &ckeys, icols.len());
    let mut out = buffer(icols.len());
    let n = ops::alter(
        Input {
            name: input,
            cols: &icols,
        },
        &ccols,
        &mut out,
    )
    .map_err(|p| error(&p, step))?;
    let sources: Vec<&Column> = schema.columns().iter().chain(changes.columns()).collect();
    build(&out[..n], &sources)
}

/// `fillna` / `dropna(how: any)` at run time ([`ops::fill_nulls`]).
pub fn fill_nulls(
    schema: &Schema,
    subset: Option<&[&str]>,
    input: &str,
    step: &Step<'_>,
) -> Result<Schema> {
    one_input!(schema, input, 0, step, |i, out| ops::fill_nulls(
        i, subset, &mut out
    ))
}

/// A join at run time ([`ops::join`]): its keys and output schema.
pub fn join(
    left: (&str, &Schema),
    right: (&str, &Schema),
    how: JoinKind,
    on: &[&str],
    step: &Step<'_>,
) -> Result<(Vec<String>, Schema)> {
    let (lkeys, rkeys) = (keys(left.1), keys(right.1));
    let lcols = cols(left.1, &lkeys, 0);
    let rcols = cols(right.1, &rkeys, lcols.len());
    let mut keys_out: Vec<&str> = vec![""; lcols.len().max(on.len())];
    let mut out = buffer(lcols.len() + rcols.len());
    let (l, r) = (
        Input {
            name: left.0,
            cols: &lcols,
        },
        Input {
            name: right.0,
            cols: &rcols,
        },
    );
    let (nk, n) = ops::join(l, r, how, on, &mut keys_out, &mut out).map_err(|p| error(&p, step))?;
    let sources: Vec<&Column> = left.1.columns().iter().chain(right.1.columns()).collect();
    Ok((
        keys_out[..nk].iter().map(|k| k.to_string()).collect(),
        build(&out[..n], &sources)?,
    ))
}

/// The same-schema rule of set operations at run time ([`ops::check_same_schema`]).
pub fn same_schema(
    verb: &str,
    left: (&str, &Schema),
    right: (&str, &Schema),
    step: &Step<'_>,
) -> Result<()> {
    let (lkeys, rkeys) = (keys(left.1), keys(right.1));
    let (lcols, rcols) = (cols(left.1, &lkeys, 0), cols(right.1, &rkeys, 0));
    ops::check_same_schema(
        verb,
        Input {
            name: left.0,
            cols: &lcols,
        },
        Input {
            name: right.0,
            cols: &rcols,
        },
    )
    .map_err(|p| error(&p, step))
}

/// The zip-key rule at run time ([`ops::check_zip_key`]): every key in every input, of the
/// first input's type.
pub fn check_zip_keys(keys: &[&str], inputs: &[(&str, &Schema)], step: &Step<'_>) -> Result<()> {
    let Some((first_name, first)) = inputs.first() else {
        return Ok(());
    };
    let first_keys = self::keys(first);
    let first_cols = cols(first, &first_keys, 0);
    for (name, schema) in &inputs[1..] {
        let other_keys = self::keys(schema);
        let other_cols = cols(schema, &other_keys, 0);
        for key in keys {
            ops::check_zip_key(
                key,
                Input {
                    name: first_name,
                    cols: &first_cols,
                },
                Input {
                    name,
                    cols: &other_cols,
                },
            )
            .map_err(|p| error(&p, step))?;
        }
    }
    Ok(())
}

/// The typed-input rule at run time ([`ops::check_input`]): `required` is the function's
/// record (its name and schema), `input` the step's input.
pub fn check_input(
    function: &str,
    required: (&str, &Schema),
    input: (&str, &Schema),
    step: &Step<'_>,
) -> Result<()> {
    check_required(function, required, input, step, true)
}

/// The typed-read rule at run time ([`ops::check_input_types`]: columns and types; NULLs are
/// the reader's, row by row).
pub fn check_input_types(
    function: &str,
    required: (&str, &Schema),
    input: (&str, &Schema),
    step: &Step<'_>,
) -> Result<()> {
    check_required(function, required, input, step, false)
}

fn check_required(
    function: &str,
    required: (&str, &Schema),
    input: (&str, &Schema),
    step: &Step<'_>,
    nulls: bool,
) -> Result<()> {
    let (wkeys, ikeys) = (keys(required.1), keys(input.1));
    let (wcols, icols) = (cols(required.1, &wkeys, 0), cols(input.1, &ikeys, 0));
    let rule = if nulls {
        ops::check_input
    } else {
        ops::check_input_types
    };
    rule(
        function,
        Input {
            name: required.0,
            cols: &wcols,
        },
        Input {
            name: input.0,
            cols: &icols,
        },
    )
    .map_err(|p| error(&p, step))
}

/// A parsed hint applied to `schema` ([`apply_hint`]).
pub fn apply_parsed_hint(
    schema: &Schema,
    items: &[ParsedHintItem],
    function: &str,
    hint: &str,
    input: &str,
    step: &Step<'_>,
) -> Result<Schema> {
    let keys = keys(schema);
    let cols = cols(schema, &keys, 0);
    let item_keys: Vec<Option<String>> = items
        .iter()
        .map(|i| i.data_type.as_ref().map(type_key))
        .collect();
    let hint_items: Vec<HintItem<'_>> = items
        .iter()
        .zip(&item_keys)
        .map(|(i, key)| HintItem {
            op: i.op,
            name: &i.name,
            ty: key.as_deref().map_or(Ty::Unknown, Ty::Key),
        })
        .collect();
    let stars = items.iter().filter(|i| i.op == HintOp::Star).count();
    let mut out = buffer(stars * cols.len() + items.len());
    let input = Input {
        name: input,
        cols: &cols,
    };
    let n = apply_hint(
        function,
        hint,
        Some(input),
        &hint_items,
        cols.len(),
        &mut out,
    )
    .map_err(|p| error(&p, step))?
    .unwrap_or(0);
    let hint_columns: Vec<Column> = items
        .iter()
        .map(|i| {
            Column::new(
                i.name.clone(),
                i.data_type.clone().unwrap_or(DataType::Null),
            )
        })
        .collect();
    let sources: Vec<&Column> = schema.columns().iter().chain(&hint_columns).collect();
    build(&out[..n], &sources)
}

/// A schema in the form the macros emit as const data: each column's name and canonical type
/// key (`ConstType::Expr(key)`). The macros call this when they expand, so what const
/// evaluation compares is what the run time would compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstForm {
    /// `(name, type key, nullable)` per column.
    pub columns: Vec<(String, String, bool)>,
}

/// The const form of a schema ([`ConstForm`]).
pub fn const_form(schema: &Schema) -> ConstForm {
    ConstForm {
        columns: schema
            .columns()
            .iter()
            .map(|c| {
                (
                    c.name().to_string(),
                    type_key(c.data_type()),
                    c.is_nullable(),
                )
            })
            .collect(),
    }
}

impl ConstForm {
    /// The columns as const data, leaked (for tests that build at run time what a macro emits
    /// at expansion). `nullable` is every column's flag.
    #[doc(hidden)]
    pub fn leak_columns(&self, nullable: bool) -> &'static [crate::ConstColumn] {
        let columns: Vec<crate::ConstColumn> = self
            .columns
            .iter()
            .map(|(name, key, _)| crate::ConstColumn {
                name: leak(name),
                ty: crate::ConstType::Expr(leak(key)),
                nullable,
            })
            .collect();
        Box::leak(columns.into_boxed_slice())
    }
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

/// The items of a parsed hint as the transformer macros emit them (types as keys), leaked (for
/// tests).
#[doc(hidden)]
pub fn leak_hint(items: &[ParsedHintItem]) -> &'static [HintItem<'static>] {
    let items: Vec<HintItem<'static>> = items
        .iter()
        .map(|i| HintItem {
            op: i.op,
            name: leak(&i.name),
            ty: match &i.data_type {
                Some(t) => Ty::Key(leak(&type_key(t))),
                None => Ty::Unknown,
            },
        })
        .collect();
    Box::leak(items.into_boxed_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn s(text: &str) -> Schema {
        Schema::parse(text).unwrap()
    }

    /// Past the 64 names whose hashes rules keep (run-time schemas have no column limit), the
    /// names are compared as before: found, repeated, renamed.
    #[test]
    fn wide_schemas_past_the_hashed_names() {
        let names: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
        let text: Vec<String> = names.iter().map(|n| format!("{n}:long")).collect();
        let wide = s(&text.join(","));
        let step = Step {
            name: "w",
            call: "",
        };
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let picked = select(&wide, &refs, "w", &step).unwrap();
        assert_eq!(picked.names().collect::<Vec<_>>(), refs);
        let mut twice = refs.clone();
        twice.push("c90");
        let e = select(&wide, &twice, "w", &step).unwrap_err();
        assert!(e.to_string().contains("`c90`"), "{e}");
        let dropped = drop_columns(&wide, &refs[1..], "w", &step).unwrap();
        assert_eq!(dropped.names().collect::<Vec<_>>(), ["c0"]);
        let new: Vec<String> = names.iter().map(|n| format!("n{n}")).collect();
        let pairs: Vec<(&str, &str)> = refs
            .iter()
            .copied()
            .zip(new.iter().map(String::as_str))
            .collect();
        let renamed = rename(&wide, &pairs, "w", &step).unwrap();
        assert_eq!(renamed.names().collect::<Vec<_>>(), new);
        let mut onto = pairs[..99].to_vec();
        onto[80].1 = "c99";
        let e = rename(&wide, &onto, "w", &step).unwrap_err();
        assert!(e.to_string().contains("`c99`"), "{e}");
    }

    #[test]
    fn keys_are_exact_arrow_types() {
        for (a, b, same) in [
            ("decimal(10)", "decimal(10,0)", true),
            ("datetime", "timestamp(us)", true),
            ("timestamp(ms)", "datetime", false),
            ("[datetime]", "[timestamp(us)]", true),
            ("{a:timestamp(ms)}", "{a:datetime}", false),
            ("int64", "long", true),
            ("<string,float64>", "<str,double>", true),
        ] {
            let (x, y) = (
                crate::types::parse_type(a).unwrap(),
                crate::types::parse_type(b).unwrap(),
            );
            assert_eq!(type_key(&x) == type_key(&y), same, "{a} vs {b}");
            assert_eq!(crate::types::same_type(&x, &y), same, "{a} vs {b}");
            let key = type_key(&x);
            assert_eq!(type_key(&crate::types::parse_type(&key).unwrap()), key);
        }
    }

    #[test]
    fn operations_and_their_messages() {
        let trips = s("city:str,fare:double");
        let step = Step {
            name: "t",
            call: "select(trips, ..)",
        };
        assert_eq!(
            select(&trips, &["fare"], "trips", &step)
                .unwrap()
                .to_string(),
            "fare:double"
        );
        let e = select(&trips, &["fair"], "trips", &step).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
        assert_eq!(
            e.to_string(),
            "step `t` (`select(trips, ..)`): selected column `fair` is not a column of \
             `trips`; `trips` is `city:str,fare:double`; help: did you mean `fare`?"
        );
        let e = rename(&trips, &[("city", "fare")], "trips", &Step::NONE).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DuplicateColumn);
        assert!(
            rename(
                &trips,
                &[("city", "fare"), ("fare", "city")],
                "t",
                &Step::NONE
            )
            .unwrap()
            .to_string()
                == "fare:str,city:double"
        );
        let dims = s("city:str,fare:long");
        let e = join(
            ("trips", &trips),
            ("dims", &dims),
            JoinKind::Inner,
            &["city"],
            &Step::NONE,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("non-key column `fare`"), "{e}");
        let (keys, out) = join(
            ("trips", &trips),
            ("dims", &s("city:str,pop:long")),
            JoinKind::Inner,
            &[],
            &Step::NONE,
        )
        .unwrap();
        assert_eq!(keys, vec!["city".to_string()]);
        assert_eq!(out.to_string(), "city:str,fare:double,pop:long");
        assert!(!out.columns()[0].is_nullable());
        let zip = [("trips", &trips), ("dims", &dims)];
        assert!(check_zip_keys(&["city"], &zip, &Step::NONE).is_ok());
        let e = check_zip_keys(&["fare"], &zip, &Step::NONE).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TypeMismatch);
        assert_eq!(
            e.to_string(),
            "zip key `fare` has type `double` in `trips` but `long` in `dims`; `trips` is \
             `city:str,fare:double`; `dims` is `city:str,fare:long`"
        );
        let e = check_zip_keys(&["pop"], &zip, &Step::NONE).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
    }
}
