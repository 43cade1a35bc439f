//! `b_schema_ops`: parse `schema`, apply `op` with `arg` and `options`, compare with
//! `expect` (`{schema, arrow}` or `{value}`) or the error kind.

use crate::common::{check_case, check_keys, check_outcome, check_schema, str_field};
use fugue_core::{
    ColumnItem, ExcludeOptions, ExtractOptions, FugueError, IntersectOptions, RenameOptions,
    Schema, UnionOptions,
};
use serde_json::{Map, Value};

/// What an operation gives.
#[derive(Debug)]
enum Outcome {
    Schema(Schema),
    Value(bool),
}

/// Run one case.
pub fn run(case: &Value) -> Result<(), String> {
    let case = check_case(
        case,
        &["op", "schema", "arg", "options", "expect", "expect_error"],
    )?;
    let schema = Schema::parse(str_field(case, "schema")?)
        .map_err(|e| format!("the case's input schema does not parse: {e}"))?;
    let op = str_field(case, "op")?;
    let arg = case.get("arg").ok_or("missing `arg`")?;
    let options = match case.get("options") {
        None => Map::new(),
        Some(Value::Object(options)) => options.clone(),
        Some(_) => return Err("`options` must be an object".to_string()),
    };
    let outcome = apply(&schema, op, arg, &options)?;
    check_outcome(case, outcome, |expect, outcome| match outcome {
        Outcome::Schema(result) => check_schema(expect, &result),
        Outcome::Value(value) => {
            check_keys(expect, &["value"], "expect")?;
            let expected = expect
                .get("value")
                .and_then(Value::as_bool)
                .ok_or("`expect.value` must be a bool")?;
            if value == expected {
                Ok(())
            } else {
                Err(format!("value is {value}, expected {expected}"))
            }
        }
    })
}

/// Apply the operation. The outer `Err` is a malformed case (unknown op or option, wrong arg
/// shape); the inner result is the library's.
fn apply(
    schema: &Schema,
    op: &str,
    arg: &Value,
    options: &Map<String, Value>,
) -> Result<Result<Outcome, FugueError>, String> {
    let allowed: &[&str] = match op {
        "exclude" => &["require_type_match", "ignore_type_mismatch"],
        "extract" => &[
            "ignore_key_mismatch",
            "require_type_match",
            "ignore_type_mismatch",
        ],
        "intersect" => &[
            "require_type_match",
            "ignore_type_mismatch",
            "use_other_order",
        ],
        "union" => &["require_type_match"],
        "rename" => &["ignore_missing"],
        _ => &[],
    };
    if let Some(key) = options.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("unknown option `{key}` for op `{op}`"));
    }
    let flag = |key: &str, default: bool| -> Result<bool, String> {
        match options.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| format!("option `{key}` must be a bool")),
        }
    };
    let text = || {
        arg.as_str()
            .ok_or_else(|| format!("`arg` of `{op}` must be a string"))
    };
    let items = || -> Result<Result<Vec<ColumnItem>, FugueError>, String> {
        let list = arg
            .as_array()
            .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
            .ok_or_else(|| format!("`arg` of `{op}` must be an array of strings"))?;
        Ok(list.into_iter().map(ColumnItem::parse).collect())
    };
    let schema_op = |r: Result<Schema, FugueError>| r.map(Outcome::Schema);
    Ok(match op {
        "add" => schema_op(Schema::parse(text()?).and_then(|other| schema + &other)),
        "remove" => schema_op(items()?.and_then(|items| schema.remove(&items))),
        "exclude" => {
            let options = ExcludeOptions {
                require_type_match: flag("require_type_match", true)?,
                ignore_type_mismatch: flag("ignore_type_mismatch", false)?,
            };
            schema_op(items()?.and_then(|items| schema.exclude(&items, options)))
        }
        "extract" => {
            let options = ExtractOptions {
                ignore_key_mismatch: flag("ignore_key_mismatch", false)?,
                require_type_match: flag("require_type_match", true)?,
                ignore_type_mismatch: flag("ignore_type_mismatch", false)?,
            };
            schema_op(items()?.and_then(|items| schema.extract(&items, options)))
        }
        "intersect" => {
            let options = IntersectOptions {
                require_type_match: flag("require_type_match", true)?,
                ignore_type_mismatch: flag("ignore_type_mismatch", true)?,
                use_other_order: flag("use_other_order", false)?,
            };
            schema_op(items()?.and_then(|items| schema.intersect(&items, options)))
        }
        "union" => {
            let options = UnionOptions {
                require_type_match: flag("require_type_match", false)?,
            };
            schema_op(Schema::parse(text()?).and_then(|other| schema.union(&other, options)))
        }
        "rename" => {
            let mapping = arg
                .as_object()
                .and_then(|m| {
                    m.iter()
                        .map(|(old, new)| new.as_str().map(|new| (old.as_str(), new)))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or("`arg` of `rename` must be an object of strings")?;
            let options = RenameOptions {
                ignore_missing: flag("ignore_missing", false)?,
            };
            schema_op(schema.rename(mapping, options))
        }
        "alter" => schema_op(Schema::parse(text()?).and_then(|changes| schema.alter(&changes))),
        "transform" => schema_op(schema.transform(text()?)),
        "equals" => Schema::parse(text()?).map(|other| Outcome::Value(*schema == other)),
        "contains" => items()?.map(|items| Outcome::Value(schema.contains(&items))),
        other => return Err(format!("unknown op `{other}`")),
    })
}
