//! `d_validation`: declare `rules`, check them against `partition` (the compile stage) and
//! against `input_schema` (the run-time stage), and compare the stage and kind of the first
//! failure.

use crate::common::{check_case, check_keys, check_outcome, str_field};
use fugue_core::validation::Rules;
use fugue_core::{PartitionSpec, Schema};
use serde_json::Value;

/// Run one case.
pub fn run(case: &Value) -> Result<(), String> {
    let case = check_case(
        case,
        &[
            "rules",
            "partition",
            "input_schema",
            "expect",
            "expect_error",
        ],
    )?;
    let rules = case
        .get("rules")
        .and_then(Value::as_object)
        .ok_or("`rules` must be an object")?;
    let pairs: Vec<(&str, &str)> = rules
        .iter()
        .map(|(k, v)| {
            v.as_str()
                .map(|v| (k.as_str(), v))
                .ok_or(format!("rule `{k}` must be a string"))
        })
        .collect::<Result<_, _>>()?;
    let spec = PartitionSpec::from_json_value(case.get("partition").ok_or("missing `partition`")?)
        .map_err(|e| format!("bad case partition: {e}"))?;
    let input = match case.get("input_schema") {
        Some(_) => Some(
            Schema::parse(str_field(case, "input_schema")?)
                .map_err(|e| format!("bad case schema: {e}"))?,
        ),
        None => None,
    };

    // The three stages, stopping at the first failure.
    let (stage, outcome) = match Rules::parse(pairs) {
        Err(e) => ("declaration", Err(e)),
        Ok(rules) => match rules.check(&spec, None) {
            Err(e) => ("compile", Err(e)),
            Ok(()) => match &input {
                Some(input) => ("runtime", rules.check(&spec, Some(input))),
                None => ("runtime", Ok(())),
            },
        },
    };

    if let Some(expected) = case.get("expect_error").and_then(Value::as_object) {
        let want = expected
            .get("stage")
            .and_then(Value::as_str)
            .ok_or("`expect_error.stage` must be a string")?;
        if outcome.is_err() && want != stage {
            return Err(format!(
                "failed at stage `{stage}`, expected stage `{want}`"
            ));
        }
        let mut trimmed = case.clone();
        if let Some(Value::Object(e)) = trimmed.get_mut("expect_error") {
            e.remove("stage");
        }
        return check_outcome(&trimmed, outcome, |_, ()| Ok(()));
    }
    check_outcome(case, outcome, |expect, ()| {
        check_keys(expect, &["outcome"], "expect")?;
        match expect.get("outcome").and_then(Value::as_str) {
            Some("pass") => Ok(()),
            other => Err(format!("unknown expected outcome {other:?}")),
        }
    })
}
