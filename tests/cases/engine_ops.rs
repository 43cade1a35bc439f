//! `e_engine_ops`: run every engine operation case on both engines of one machine (`native`
//! and `local`) and compare with `expect` (multiset unless `row_order_matters`, floats with a
//! relative tolerance, NaN equal to NaN), `expect_sample` properties or `expect_calls`.
//!
//! A failure names the engine; the runner adds the case id.

use crate::common::{check_keys, check_outcome, check_schema, str_field, str_list};
use arrow::datatypes::DataType;
use fugue_core::{FugueError, PartitionSpec, Schema};
use fugue_runtime::engine::{
    DropHow, ExecutionEngine, FillValue, JoinHow, LOCAL_WORKERS, NaPosition, SampleSize,
    SelectQuery, make_engine,
};
use fugue_runtime::function::{
    BatchStream, Params, PartitionContext, PartitionFunction, stream_of,
};
use fugue_runtime::value::value_at;
use fugue_runtime::{ArrowFrame, DataFrame, Value as Cell};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex, OnceLock};

/// The engines, created once: `native`, `local` with 3 workers (so data is really split)
/// and, with the `cluster` feature, Ballista on an in-process cluster (3 shuffle partitions).
fn engines() -> &'static [Arc<dyn ExecutionEngine>] {
    static ENGINES: OnceLock<Vec<Arc<dyn ExecutionEngine>>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let local = [
            make_engine("native", ()),
            make_engine("local", [(LOCAL_WORKERS, "3")]),
        ];
        #[cfg(feature = "cluster")]
        let cluster = {
            fugue::cluster::install();
            Some(make_engine(
                "ballista://standalone",
                [
                    ("fugue.ballista.partitions", "3"),
                    ("fugue.ballista.executor_cores", "2"),
                ],
            ))
        };
        #[cfg(not(feature = "cluster"))]
        let cluster = None;
        local
            .into_iter()
            .chain(cluster)
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("cannot create the engines: {e}"))
    })
}

/// Run one case on every engine.
pub fn run(case: &Value) -> Result<(), String> {
    let object = case.as_object().ok_or("the case is not an object")?;
    check_keys(
        object,
        &[
            "op",
            "inputs",
            "params",
            "expect",
            "expect_error",
            "expect_sample",
            "expect_calls",
            "row_order_matters",
            "row_order_within_call_matters",
        ],
        "case",
    )?;
    let expectations = ["expect", "expect_error", "expect_sample", "expect_calls"]
        .iter()
        .filter(|k| object.contains_key(**k))
        .count();
    if expectations != 1 {
        return Err(
            "a case needs exactly one of `expect`, `expect_error`, `expect_sample`, \
                    `expect_calls`"
                .into(),
        );
    }
    let mut failures = Vec::new();
    for engine in engines() {
        if let Err(reason) = run_on(engine.as_ref(), object) {
            failures.push(format!("[{}] {reason}", engine.name()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

fn run_on(engine: &dyn ExecutionEngine, case: &Map<String, Value>) -> Result<(), String> {
    let op = str_field(case, "op")?;
    let inputs = case
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or("`inputs` must be an array")?;
    let tables: Vec<(Schema, Vec<Vec<Cell>>)> =
        inputs.iter().map(table).collect::<Result<_, String>>()?;
    let empty = Map::new();
    let params = match case.get("params") {
        None => &empty,
        Some(Value::Object(p)) => p,
        Some(_) => return Err("`params` must be an object".into()),
    };
    if op == "map" {
        return run_map_case(engine, case, params, &tables);
    }
    if let Some(expect) = case.get("expect_sample") {
        return run_sample_case(engine, params, &tables, expect);
    }
    let outcome = apply(engine, op, params, frames(&tables)?)?;
    check_outcome(case, outcome, |expect, mut df| {
        check_keys(expect, &["schema", "arrow", "rows"], "expect")?;
        let schema_only: Map<String, Value> = expect
            .iter()
            .filter(|(k, _)| k.as_str() != "rows")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        check_schema(&schema_only, df.schema())?;
        let expected = expect
            .get("rows")
            .and_then(Value::as_array)
            .ok_or("`expect.rows` must be an array")?;
        let expected = typed_rows(df.schema(), expected)?;
        let got = df
            .as_rows()
            .map_err(|e| format!("reading the result failed: {e}"))?;
        let ordered = case
            .get("row_order_matters")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        compare_rows(&got, &expected, ordered)
    })
}

// ---- tables ----------------------------------------------------------------------------------

/// A case table: its schema and rows of typed cells.
fn table(value: &Value) -> Result<(Schema, Vec<Vec<Cell>>), String> {
    let object = value.as_object().ok_or("a table must be an object")?;
    check_keys(object, &["schema", "rows"], "table")?;
    let schema = Schema::parse(str_field(object, "schema")?)
        .map_err(|e| format!("the table schema does not parse: {e}"))?;
    let rows = object
        .get("rows")
        .and_then(Value::as_array)
        .ok_or("`rows` must be an array")?;
    Ok((schema.clone(), typed_rows(&schema, rows)?))
}

/// JSON rows as cells of the schema's types (per "Values in tables").
fn typed_rows(schema: &Schema, rows: &[Value]) -> Result<Vec<Vec<Cell>>, String> {
    let raw: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| {
            let row = row.as_array().ok_or("a row must be an array")?;
            if row.len() != schema.len() {
                return Err(format!(
                    "a row has {} values for {} columns",
                    row.len(),
                    schema.len()
                ));
            }
            row.iter()
                .zip(schema.columns())
                .map(|(v, c)| cell(v, c.data_type()))
                .collect()
        })
        .collect::<Result<_, String>>()?;
    // Convert through Arrow so every cell has exactly its column's type.
    ArrowFrame::from_rows(schema.clone(), &raw)
        .and_then(|f| f.to_rows())
        .map_err(|e| format!("the case's rows do not fit `{schema}`: {e}"))
}

/// One JSON value as a cell of `data_type`.
fn cell(value: &Value, data_type: &DataType) -> Result<Cell, String> {
    if value.is_null() {
        return Ok(Cell::Null);
    }
    let bad = || format!("`{value}` is not a JSON value of type {data_type}");
    Ok(match data_type {
        DataType::Boolean => Cell::Bool(value.as_bool().ok_or_else(bad)?),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => match value {
            Value::String(s) => match s.as_str() {
                "NaN" => Cell::Float64(f64::NAN),
                "Infinity" => Cell::Float64(f64::INFINITY),
                "-Infinity" => Cell::Float64(f64::NEG_INFINITY),
                _ => return Err(bad()),
            },
            _ => Cell::Float64(value.as_f64().ok_or_else(bad)?),
        },
        DataType::UInt64 => Cell::UInt64(value.as_u64().ok_or_else(bad)?),
        t if t.is_integer() => Cell::Int64(value.as_i64().ok_or_else(bad)?),
        DataType::Binary => Cell::Binary(base64(value.as_str().ok_or_else(bad)?)?),
        DataType::Utf8
        | DataType::Date32
        | DataType::Timestamp(_, _)
        | DataType::Decimal128(_, _) => Cell::Str(value.as_str().ok_or_else(bad)?.to_string()),
        DataType::List(item) => Cell::List(
            value
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(|v| cell(v, item.data_type()))
                .collect::<Result<_, _>>()?,
        ),
        DataType::Struct(fields) => {
            let object = value.as_object().ok_or_else(bad)?;
            Cell::Struct(
                fields
                    .iter()
                    .map(|f| {
                        let v = object.get(f.name()).unwrap_or(&Value::Null);
                        Ok((f.name().clone(), cell(v, f.data_type())?))
                    })
                    .collect::<Result<_, String>>()?,
            )
        }
        DataType::Map(entries, _) => {
            let DataType::Struct(kv) = entries.data_type() else {
                return Err(bad());
            };
            Cell::Map(
                value
                    .as_array()
                    .ok_or_else(bad)?
                    .iter()
                    .map(|pair| match pair.as_array().map(Vec::as_slice) {
                        Some([k, v]) => {
                            Ok((cell(k, kv[0].data_type())?, cell(v, kv[1].data_type())?))
                        }
                        _ => Err(bad()),
                    })
                    .collect::<Result<_, String>>()?,
            )
        }
        DataType::Null => return Err(bad()),
        other => return Err(format!("unknown column type {other} in a case table")),
    })
}

/// Decode standard base64 (with or without padding).
fn base64(text: &str) -> Result<Vec<u8>, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0_u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET
            .iter()
            .position(|a| *a == c)
            .ok_or_else(|| format!("`{text}` is not base64"))? as u32;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn frames(tables: &[(Schema, Vec<Vec<Cell>>)]) -> Result<Vec<DataFrame>, String> {
    tables
        .iter()
        .map(|(schema, rows)| {
            ArrowFrame::from_rows(schema.clone(), rows)
                .map(DataFrame::from)
                .map_err(|e| format!("cannot build an input frame: {e}"))
        })
        .collect()
}

// ---- comparison ------------------------------------------------------------------------------

fn float_eq(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// Equality of result cells: floats with the relative tolerance, NaN equal to NaN, NULL only
/// equal to NULL.
fn cell_eq(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Float64(x), Cell::Float64(y)) => float_eq(*x, *y),
        (Cell::Float32(x), Cell::Float32(y)) => float_eq(f64::from(*x), f64::from(*y)),
        (Cell::Float16(x), Cell::Float16(y)) => float_eq(f64::from(*x), f64::from(*y)),
        (Cell::List(x), Cell::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| cell_eq(a, b))
        }
        (Cell::Struct(x), Cell::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((n, a), (m, b))| n == m && cell_eq(a, b))
        }
        (Cell::Map(x), Cell::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, a), (l, b))| cell_eq(k, l) && cell_eq(a, b))
        }
        _ => a == b,
    }
}

fn row_eq(a: &[Cell], b: &[Cell]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| cell_eq(x, y))
}

fn show(rows: &[Vec<Cell>]) -> String {
    let shown: Vec<String> = rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(ToString::to_string).collect();
            format!("[{}]", cells.join(", "))
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

/// Compare in order, or as multisets.
fn compare_rows(got: &[Vec<Cell>], expected: &[Vec<Cell>], ordered: bool) -> Result<(), String> {
    let fail = || {
        Err(format!(
            "rows are {}, expected {}{}",
            show(got),
            show(expected),
            if ordered { " (in order)" } else { "" }
        ))
    };
    if got.len() != expected.len() {
        return fail();
    }
    if ordered {
        return if got.iter().zip(expected).all(|(a, b)| row_eq(a, b)) {
            Ok(())
        } else {
            fail()
        };
    }
    let mut used = vec![false; got.len()];
    for want in expected {
        match (0..got.len()).find(|&i| !used[i] && row_eq(&got[i], want)) {
            Some(i) => used[i] = true,
            None => return fail(),
        }
    }
    Ok(())
}

// ---- operations ----------------------------------------------------------------------------

fn opt_list<'a>(params: &'a Map<String, Value>, key: &str) -> Result<Option<Vec<&'a str>>, String> {
    if params.contains_key(key) {
        str_list(params, key).map(Some)
    } else {
        Ok(None)
    }
}

fn pairs<'a>(params: &'a Map<String, Value>, key: &str) -> Result<Vec<(&'a str, &'a str)>, String> {
    params
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("`{key}` must be a list of [name, expression]"))?
        .iter()
        .map(|p| match p.as_array().map(Vec::as_slice) {
            Some([Value::String(n), Value::String(e)]) => Ok((n.as_str(), e.as_str())),
            _ => Err(format!("`{key}` must be a list of [name, expression]")),
        })
        .collect()
}

/// A JSON scalar as an untyped cell (the library converts it to the column's type).
fn scalar(value: &Value) -> Result<Cell, String> {
    Ok(match value {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::String(s) => Cell::Str(s.clone()),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int64(i),
            None => Cell::Float64(n.as_f64().ok_or("a number out of range")?),
        },
        other => return Err(format!("`{other}` is not a scalar")),
    })
}

fn spec(value: Option<&Value>) -> Result<Result<PartitionSpec, FugueError>, String> {
    Ok(match value {
        None => Ok(PartitionSpec::new()),
        Some(v @ Value::Object(_)) => PartitionSpec::from_json_value(v),
        Some(_) => return Err("`partition` must be a spec object".into()),
    })
}

/// Run `op`: the outer `Err` is a malformed case, the inner result the library's.
fn apply(
    engine: &dyn ExecutionEngine,
    op: &str,
    params: &Map<String, Value>,
    mut dfs: Vec<DataFrame>,
) -> Result<Result<DataFrame, FugueError>, String> {
    let allowed: &[&str] = match op {
        "join" => &["how", "on"],
        "union" | "subtract" | "intersect" => &["distinct"],
        "distinct" => &[],
        "dropna" => &["how", "thresh", "subset"],
        "fillna" => &["value", "subset"],
        "sample" => &["n", "frac", "replace", "seed"],
        "take" => &["n", "presort", "na_position", "partition"],
        "select" => &["columns", "where", "having", "distinct"],
        "filter" => &["condition"],
        "assign" => &["columns"],
        "aggregate" => &["partition_by", "columns"],
        "rename" | "drop_columns" | "alter_columns" | "select_columns" => &["columns"],
        other => return Err(format!("unknown op `{other}`")),
    };
    check_keys(params, allowed, "params")?;
    let needed = match op {
        "join" | "union" | "subtract" | "intersect" => 2,
        _ => 1,
    };
    if dfs.len() < needed || (needed == 1 && dfs.len() != 1) {
        return Err(format!("`{op}` got {} inputs", dfs.len()));
    }
    let first = dfs.remove(0);
    let get_str = |k: &str| params.get(k).and_then(Value::as_str);
    Ok(match op {
        "join" => {
            let on = opt_list(params, "on")?.unwrap_or_default();
            let how = get_str("how").unwrap_or("inner");
            let mut acc = Ok(first);
            for df in dfs {
                acc = acc.and_then(|left| {
                    let how: JoinHow = how.parse()?;
                    engine.join(left, df, how, &on)
                });
            }
            acc
        }
        "union" | "subtract" | "intersect" => {
            let distinct = params
                .get("distinct")
                .map(|v| v.as_bool().ok_or("`distinct` must be a bool"))
                .transpose()?
                .unwrap_or(true);
            let mut acc = Ok(first);
            for df in dfs {
                acc = acc.and_then(|left| match op {
                    "union" => engine.union(left, df, distinct),
                    "subtract" => engine.subtract(left, df, distinct),
                    _ => engine.intersect(left, df, distinct),
                });
            }
            acc
        }
        "distinct" => engine.distinct(first),
        "dropna" => {
            let subset = opt_list(params, "subset")?;
            let thresh = params
                .get("thresh")
                .map(|v| {
                    v.as_u64()
                        .map(|t| t as usize)
                        .ok_or("`thresh` must be an integer")
                })
                .transpose()?;
            let how = get_str("how").unwrap_or("any");
            how.parse::<DropHow>()
                .and_then(|how| engine.dropna(first, how, thresh, subset.as_deref()))
        }
        "fillna" => {
            let subset = opt_list(params, "subset")?;
            let value = match params.get("value") {
                Some(Value::Object(map)) => FillValue::PerColumn(
                    map.iter()
                        .map(|(k, v)| Ok((k.clone(), scalar(v)?)))
                        .collect::<Result<_, String>>()?,
                ),
                Some(v) => FillValue::All(scalar(v)?),
                None => return Err("`fillna` needs `value`".into()),
            };
            engine.fillna(first, &value, subset.as_deref())
        }
        "sample" => {
            let n = params.get("n").and_then(Value::as_u64).map(|n| n as usize);
            let frac = params.get("frac").and_then(Value::as_f64);
            let replace = params
                .get("replace")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let seed = params.get("seed").and_then(Value::as_u64);
            SampleSize::from_options(n, frac)
                .and_then(|size| engine.sample(first, size, replace, seed))
        }
        "take" => {
            let n = params
                .get("n")
                .and_then(Value::as_u64)
                .ok_or("`n` must be a non-negative integer")? as usize;
            let presort = get_str("presort").unwrap_or("");
            let partition = spec(params.get("partition"))?;
            get_str("na_position")
                .unwrap_or("last")
                .parse::<NaPosition>()
                .and_then(|na| {
                    let partition = partition?;
                    let sorts = if presort.trim().is_empty() {
                        Vec::new()
                    } else {
                        fugue_core::partition::parse_presort(presort)?
                    };
                    engine.take(first, n, &sorts, na, Some(&partition))
                })
        }
        "select" => {
            let mut query = SelectQuery::new(str_list(params, "columns")?);
            if let Some(w) = get_str("where") {
                query = query.filter(w);
            }
            if let Some(h) = get_str("having") {
                query = query.having(h);
            }
            if params.get("distinct").and_then(Value::as_bool) == Some(true) {
                query = query.distinct();
            }
            engine.select(first, &query)
        }
        "filter" => engine.filter(
            first,
            get_str("condition").ok_or("`condition` must be a string")?,
        ),
        "assign" => engine.assign(first, &pairs(params, "columns")?),
        "aggregate" => {
            let keys = opt_list(params, "partition_by")?.unwrap_or_default();
            engine.aggregate(first, &keys, &pairs(params, "columns")?)
        }
        "rename" => {
            let map = params
                .get("columns")
                .and_then(Value::as_object)
                .ok_or("`columns` must be an object")?;
            let renames: Vec<(&str, &str)> = map
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|v| (k.as_str(), v))
                        .ok_or("a new name must be a string")
                })
                .collect::<Result<_, _>>()?;
            engine.rename(first, &renames)
        }
        "drop_columns" => engine.drop_columns(first, &str_list(params, "columns")?),
        "select_columns" => engine.select_columns(first, &str_list(params, "columns")?),
        "alter_columns" => Schema::parse(get_str("columns").ok_or("`columns` must be a string")?)
            .and_then(|changes| engine.alter_columns(first, &changes)),
        _ => return Err(format!("unknown op `{op}`")),
    })
}

// ---- sample ----------------------------------------------------------------------------------

fn run_sample_case(
    engine: &dyn ExecutionEngine,
    params: &Map<String, Value>,
    tables: &[(Schema, Vec<Vec<Cell>>)],
    expect: &Value,
) -> Result<(), String> {
    check_keys(params, &["n", "frac", "replace", "seed"], "params")?;
    let expect = expect
        .as_object()
        .ok_or("`expect_sample` must be an object")?;
    check_keys(
        expect,
        &[
            "schema",
            "arrow",
            "min_rows",
            "max_rows",
            "rows_from_input",
            "no_duplicate_rows",
            "same_seed_same_rows",
            "other_seed",
            "other_seed_differs",
        ],
        "expect_sample",
    )?;
    let n = params.get("n").and_then(Value::as_u64).map(|n| n as usize);
    let frac = params.get("frac").and_then(Value::as_f64);
    let replace = params
        .get("replace")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let seed = params.get("seed").and_then(Value::as_u64);
    let input = &tables.first().ok_or("sample needs one input")?.1;
    let draw = |seed: Option<u64>| -> Result<DataFrame, String> {
        let size = SampleSize::from_options(n, frac).map_err(|e| format!("sample failed: {e}"))?;
        engine
            .sample(frames(tables)?.remove(0), size, replace, seed)
            .map_err(|e| format!("sample failed: {e}"))
    };
    let mut df = draw(seed)?;
    let schema_only: Map<String, Value> = expect
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "schema" | "arrow"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    check_schema(&schema_only, df.schema())?;
    let rows = df.as_rows().map_err(|e| e.to_string())?;
    let bound = |k: &str| expect.get(k).and_then(Value::as_u64).map(|v| v as usize);
    if let Some(min) = bound("min_rows")
        && rows.len() < min
    {
        return Err(format!("{} rows, expected at least {min}", rows.len()));
    }
    if let Some(max) = bound("max_rows")
        && rows.len() > max
    {
        return Err(format!("{} rows, expected at most {max}", rows.len()));
    }
    let flag = |k: &str| expect.get(k).and_then(Value::as_bool) == Some(true);
    if flag("rows_from_input") && !rows.iter().all(|r| input.iter().any(|i| row_eq(r, i))) {
        return Err(format!(
            "a sampled row is not an input row: {}",
            show(&rows)
        ));
    }
    if flag("no_duplicate_rows") {
        for (i, r) in rows.iter().enumerate() {
            if rows[..i].iter().any(|s| row_eq(r, s)) {
                return Err(format!("duplicate sampled rows: {}", show(&rows)));
            }
        }
    }
    let seed_used = seed.unwrap_or(0);
    let sample_rows = |seed: u64| -> Result<Vec<Vec<Cell>>, String> {
        draw(Some(seed))?.as_rows().map_err(|e| e.to_string())
    };
    if flag("same_seed_same_rows") {
        let (a, b) = (sample_rows(seed_used)?, sample_rows(seed_used)?);
        compare_rows(&a, &b, false).map_err(|e| format!("the same seed differs: {e}"))?;
    }
    if let Some(other) = expect.get("other_seed").and_then(Value::as_u64)
        && flag("other_seed_differs")
    {
        let (a, b) = (sample_rows(seed_used)?, sample_rows(other)?);
        if compare_rows(&a, &b, false).is_ok() {
            return Err(format!("seeds {seed_used} and {other} gave the same rows"));
        }
    }
    Ok(())
}

// ---- map -------------------------------------------------------------------------------------

/// The identity function, recording the rows of each call. One instance, registered, so
/// that the Ballista engine's executor (in this process) finds it by name.
struct Recorder {
    calls: &'static Mutex<Vec<Vec<Vec<Cell>>>>,
}

/// The calls every recorder (the registered one, and the ones the cases run) records.
static CALLS: Mutex<Vec<Vec<Vec<Cell>>>> = Mutex::new(Vec::new());

static RECORDER: Recorder = Recorder { calls: &CALLS };

fugue::__private::inventory::submit! {
    fugue::__private::RegisteredFunction::new("cases::engine_ops::recorder", &RECORDER)
}

impl PartitionFunction for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }

    fn registered_name(&self) -> Option<&str> {
        Some("cases::engine_ops::recorder")
    }

    fn output_schema(&self, inputs: &[Schema]) -> fugue::Result<Schema> {
        Ok(inputs[0].clone())
    }

    fn call<'a>(
        &'a self,
        _ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> fugue::Result<BatchStream<'a>> {
        let mut rows = Vec::new();
        let mut batches = Vec::new();
        for stream in inputs {
            for batch in stream {
                let batch = batch?;
                for r in 0..batch.num_rows() {
                    rows.push(
                        batch
                            .columns()
                            .iter()
                            .map(|c| value_at(c.as_ref(), r))
                            .collect::<fugue::Result<Vec<_>>>()?,
                    );
                }
                batches.push(batch);
            }
        }
        self.calls
            .lock()
            .map_err(|_| FugueError::Internal("poisoned recorder".into()))?
            .push(rows);
        Ok(stream_of(batches))
    }
}

fn run_map_case(
    engine: &dyn ExecutionEngine,
    case: &Map<String, Value>,
    params: &Map<String, Value>,
    tables: &[(Schema, Vec<Vec<Cell>>)],
) -> Result<(), String> {
    check_keys(params, &["partition"], "params")?;
    let (schema, _) = tables.first().ok_or("map needs one input")?;
    let recorder = Arc::new(Recorder { calls: &CALLS });
    recorder
        .calls
        .lock()
        .map_err(|_| "poisoned recorder".to_string())?
        .clear();
    let input = frames(tables)?.remove(0);
    let outcome = spec(params.get("partition"))?.and_then(|spec| {
        engine.map(
            input,
            recorder.clone(),
            &spec,
            Arc::new(Params::new()),
            None,
        )
    });
    let outcome = outcome.map_err(|e| format!("map failed: {e}"));
    if case.contains_key("expect_error") {
        return match outcome {
            Ok(_) => Err("expected an error".into()),
            Err(_) => Ok(()),
        };
    }
    let mut out = outcome?;
    let expected = case
        .get("expect_calls")
        .and_then(Value::as_array)
        .ok_or("`expect_calls` must be an array")?;
    let expected: Vec<Vec<Vec<Cell>>> = expected
        .iter()
        .map(|call| typed_rows(schema, call.as_array().ok_or("a call must be an array")?))
        .collect::<Result<_, _>>()?;
    let calls = std::mem::take(
        &mut *recorder
            .calls
            .lock()
            .map_err(|_| "poisoned recorder".to_string())?,
    );
    let ordered = case
        .get("row_order_within_call_matters")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if calls.len() != expected.len() {
        return Err(format!(
            "{} calls, expected {}: got {:?}",
            calls.len(),
            expected.len(),
            calls.iter().map(|c| show(c)).collect::<Vec<_>>()
        ));
    }
    let mut used = vec![false; calls.len()];
    for want in &expected {
        match (0..calls.len()).find(|&i| !used[i] && compare_rows(&calls[i], want, ordered).is_ok())
        {
            Some(i) => used[i] = true,
            None => {
                return Err(format!(
                    "no call received {}; calls were {:?}",
                    show(want),
                    calls.iter().map(|c| show(c)).collect::<Vec<_>>()
                ));
            }
        }
    }
    if out.schema() != schema {
        return Err(format!(
            "map output schema `{}` is not `{schema}`",
            out.schema()
        ));
    }
    let got = out.as_rows().map_err(|e| e.to_string())?;
    let concatenated: Vec<Vec<Cell>> = calls.into_iter().flatten().collect();
    compare_rows(&got, &concatenated, false)
        .map_err(|e| format!("the map output is not the concatenation of the calls: {e}"))
}
