//! `a_schema_parse`: parse `expr`; compare columns (name, canonical type, Arrow spelling) and
//! the canonical printed form, or the error kind.

use crate::common::{check_case, check_keys, check_outcome, str_field};
use fugue_core::{Schema, types};
use serde_json::Value;

/// Run one case.
pub fn run(case: &Value) -> Result<(), String> {
    let case = check_case(case, &["expr", "expect", "expect_error"])?;
    let expr = str_field(case, "expr")?;
    check_outcome(case, Schema::parse(expr), |expect, schema| {
        check_keys(expect, &["canonical", "columns"], "expect")?;
        let canonical = str_field(expect, "canonical")?;
        if schema.to_string() != canonical {
            return Err(format!("prints `{schema}`, expected `{canonical}`"));
        }
        let columns = expect
            .get("columns")
            .and_then(Value::as_array)
            .ok_or("`expect.columns` must be an array")?;
        if columns.len() != schema.len() {
            return Err(format!(
                "{} columns, expected {}",
                schema.len(),
                columns.len()
            ));
        }
        for (column, expected) in schema.columns().iter().zip(columns) {
            let expected = expected
                .as_object()
                .ok_or("each expected column must be an object")?;
            check_keys(expected, &["name", "type", "arrow"], "column")?;
            let got = [
                column.name().to_string(),
                types::type_expr(column.data_type()),
                types::arrow_spelling(column.data_type()),
            ];
            let want = [
                str_field(expected, "name")?,
                str_field(expected, "type")?,
                str_field(expected, "arrow")?,
            ];
            if got != want {
                return Err(format!("column is {got:?}, expected {want:?}"));
            }
        }
        // The canonical form must parse back to the same columns.
        let reparsed = Schema::parse(canonical)
            .map_err(|e| format!("the canonical form does not parse back: {e}"))?;
        if reparsed.to_string() != canonical {
            return Err(format!("the canonical form reprints as `{reparsed}`"));
        }
        Ok(())
    })
}
