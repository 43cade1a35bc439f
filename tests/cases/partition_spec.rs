//! `c_partition_spec`: build or combine partition specs from their JSON object form, build one
//! from a partition-like (`like`: a string, an integer, a list of keys or of `[field, value]`
//! pairs, as `IntoPartitionSpec` takes them), evaluate `num` expressions, and list the sort
//! order of a spec against a schema.

use crate::common::{check_case, check_keys, check_outcome, str_field};
use fugue_core::{PartitionSpec, Schema};
use serde_json::{Map, Value, json};

/// Run one case.
pub fn run(case: &Value) -> Result<(), String> {
    let case = check_case(
        case,
        &[
            "op",
            "spec",
            "specs",
            "like",
            "num",
            "bindings",
            "schema",
            "with_partition_keys",
            "expect",
            "expect_error",
        ],
    )?;
    match str_field(case, "op")? {
        "build" => {
            let spec = case.get("spec").ok_or("missing `spec`")?;
            check_outcome(case, PartitionSpec::from_json_value(spec), check_spec)
        }
        "like" => {
            let like = case.get("like").ok_or("missing `like`")?;
            check_outcome(case, from_like(like)?, check_spec)
        }
        "combine" => {
            let specs = case
                .get("specs")
                .and_then(Value::as_array)
                .ok_or("`specs` must be an array")?;
            let combined = specs.iter().try_fold(PartitionSpec::new(), |acc, spec| {
                acc.combine(&PartitionSpec::from_json_value(spec)?)
            });
            check_outcome(case, combined, check_spec)
        }
        "num_eval" => {
            let num = match case.get("num") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err("`num` must be a string or an integer".into()),
            };
            let bindings = case
                .get("bindings")
                .and_then(Value::as_object)
                .ok_or("`bindings` must be an object")?;
            check_keys(bindings, &["ROWCOUNT", "CONCURRENCY"], "bindings")?;
            let get = |k: &str| bindings.get(k).and_then(Value::as_u64).unwrap_or(0);
            let value = fugue_core::partition::NumPartitions::parse(&num)
                .and_then(|n| n.eval(get("ROWCOUNT"), get("CONCURRENCY")));
            check_outcome(case, value, |expect, value| {
                check_keys(expect, &["value"], "expect")?;
                let want = expect
                    .get("value")
                    .and_then(Value::as_i64)
                    .ok_or("`expect.value` must be an integer")?;
                if value == want {
                    Ok(())
                } else {
                    Err(format!("value is {value}, expected {want}"))
                }
            })
        }
        "get_sorts" => {
            let spec = case.get("spec").ok_or("missing `spec`")?;
            let schema = Schema::parse(str_field(case, "schema")?)
                .map_err(|e| format!("bad case schema: {e}"))?;
            let with_keys = case
                .get("with_partition_keys")
                .and_then(Value::as_bool)
                .ok_or("`with_partition_keys` must be a bool")?;
            let sorts =
                PartitionSpec::from_json_value(spec).and_then(|s| s.sorts(&schema, with_keys));
            check_outcome(case, sorts, |expect, sorts| {
                check_keys(expect, &["sorts"], "expect")?;
                let got: Vec<Value> = sorts
                    .iter()
                    .map(|k| json!([k.name, k.direction()]))
                    .collect();
                let want = expect.get("sorts").ok_or("missing `expect.sorts`")?;
                if &Value::Array(got.clone()) == want {
                    Ok(())
                } else {
                    Err(format!("sorts are {got:?}, expected {want}"))
                }
            })
        }
        other => Err(format!("unknown op `{other}`")),
    }
}

/// The spec of a partition-like written in JSON: a string, an integer, an array of key names,
/// or an array of `[field, value]` pairs, each through its `IntoPartitionSpec` impl.
fn from_like(like: &Value) -> Result<fugue::Result<PartitionSpec>, String> {
    use fugue::IntoPartitionSpec;
    Ok(match like {
        Value::String(s) => s.as_str().into_partition_spec(),
        Value::Number(n) => n
            .as_i64()
            .ok_or("`like` numbers are integers")?
            .into_partition_spec(),
        Value::Array(items) if items.iter().all(Value::is_array) => {
            let pairs = items
                .iter()
                .map(|pair| match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(k), Value::String(v)]) => Ok((k.clone(), v.clone())),
                    _ => Err(format!("`like` pair {pair} is not [field, value]")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            pairs.into_partition_spec()
        }
        Value::Array(items) => items
            .iter()
            .map(|k| k.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()
            .ok_or("`like` arrays hold key names or [field, value] pairs")?
            .into_partition_spec(),
        other => return Err(format!("`like` {other} is not a partition-like")),
    })
}

fn check_spec(expect: &Map<String, Value>, spec: PartitionSpec) -> Result<(), String> {
    check_keys(
        expect,
        &["num", "algo", "by", "presort", "presort_expr", "empty"],
        "expect",
    )?;
    let got = json!({
        "num": spec.num().text(),
        "algo": spec.algo().name(),
        "by": spec.keys(),
        "presort": spec.presort().iter().map(|k| json!([k.name, k.direction()])).collect::<Vec<_>>(),
        "presort_expr": spec.presort_expr(),
        "empty": spec.is_empty(),
    });
    if got == Value::Object(expect.clone()) {
        Ok(())
    } else {
        Err(format!(
            "spec is {got}, expected {}",
            Value::Object(expect.clone())
        ))
    }
}
