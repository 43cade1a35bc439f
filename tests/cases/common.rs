//! Helpers shared by the category runners: field access, key checks and error expectations.

use fugue_core::{FugueError, types};
use serde_json::{Map, Value};

/// The error kinds of the contract's closed vocabulary.
const KINDS: &[&str] = &[
    "SchemaSyntax",
    "DuplicateColumn",
    "ColumnNotFound",
    "TypeMismatch",
    "SchemaMismatch",
    "InvalidPartitionSpec",
    "ValidationFailed",
    "InvalidArgument",
    "UnsupportedOperation",
];

/// The keys every case may carry besides its own.
const COMMON_KEYS: &[&str] = &["id", "note", "derived", "diverges_from_fugue"];

/// The case as an object whose keys are all in `allowed` (or common), with exactly one of
/// `expect` and `expect_error`.
pub fn check_case<'a>(case: &'a Value, allowed: &[&str]) -> Result<&'a Map<String, Value>, String> {
    let object = case.as_object().ok_or("the case is not an object")?;
    check_keys(object, allowed, "case")?;
    match (
        object.contains_key("expect"),
        object.contains_key("expect_error"),
    ) {
        (true, false) | (false, true) => Ok(object),
        _ => Err("a case needs exactly one of `expect` and `expect_error`".to_string()),
    }
}

/// Fail on a key outside `allowed` and the common keys.
pub fn check_keys(object: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), String> {
    match object
        .keys()
        .find(|k| !allowed.contains(&k.as_str()) && !COMMON_KEYS.contains(&k.as_str()))
    {
        Some(key) => Err(format!("unknown {what} field `{key}`")),
        None => Ok(()),
    }
}

/// A string field.
pub fn str_field<'a>(object: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("field `{key}` must be a string"))
}

/// An array-of-strings field.
pub fn str_list<'a>(object: &'a Map<String, Value>, key: &str) -> Result<Vec<&'a str>, String> {
    object
        .get(key)
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| format!("field `{key}` must be an array of strings"))
}

/// Check an outcome against the case: `check_ok` compares a success with `expect`; an error
/// must match `expect_error` (`kind` from the closed vocabulary, `message_contains`).
pub fn check_outcome<T: std::fmt::Debug>(
    case: &Map<String, Value>,
    outcome: Result<T, FugueError>,
    check_ok: impl FnOnce(&Map<String, Value>, T) -> Result<(), String>,
) -> Result<(), String> {
    match (case.get("expect"), case.get("expect_error"), outcome) {
        (Some(expect), _, Ok(value)) => {
            let expect = expect.as_object().ok_or("`expect` must be an object")?;
            check_ok(expect, value)
        }
        (Some(_), _, Err(err)) => Err(format!("expected success, got {} error: {err}", err.kind())),
        (_, Some(expected), outcome) => {
            let expected = expected
                .as_object()
                .ok_or("`expect_error` must be an object")?;
            check_keys(expected, &["kind", "message_contains"], "expect_error")?;
            let kind = str_field(expected, "kind")?;
            if !KINDS.contains(&kind) {
                return Err(format!("unknown error kind `{kind}` in the case"));
            }
            let err = match outcome {
                Ok(value) => return Err(format!("expected a {kind} error, got {value:?}")),
                Err(err) => err,
            };
            if err.kind().name() != kind {
                return Err(format!(
                    "expected a {kind} error, got {}: {err}",
                    err.kind()
                ));
            }
            if expected.contains_key("message_contains") {
                let message = err.to_string();
                for part in str_list(expected, "message_contains")? {
                    if !message.contains(part) {
                        return Err(format!("error message lacks `{part}`: {message}"));
                    }
                }
            }
            Ok(())
        }
        (None, None, _) => Err("a case needs `expect` or `expect_error`".to_string()),
    }
}

/// Compare a schema with an expected `{schema, arrow}` object.
pub fn check_schema(expect: &Map<String, Value>, schema: &fugue::Schema) -> Result<(), String> {
    check_keys(expect, &["schema", "arrow"], "expect")?;
    let printed = schema.to_string();
    let expected = str_field(expect, "schema")?;
    if printed != expected {
        return Err(format!("schema is `{printed}`, expected `{expected}`"));
    }
    let arrow: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| types::arrow_spelling(c.data_type()))
        .collect();
    let expected_arrow = str_list(expect, "arrow")?;
    if arrow != expected_arrow {
        return Err(format!(
            "arrow types are {arrow:?}, expected {expected_arrow:?}"
        ));
    }
    Ok(())
}
