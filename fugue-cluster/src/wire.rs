//! What travels between the driver, the scheduler and the executors: the description of a
//! transformer step ([`StepPayload`]) and dynamically typed values (step parameters, callback
//! calls and answers), encoded as one-row Arrow IPC streams so that every Fugue type keeps its
//! exact Arrow type.

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use fugue_core::{FugueError, PartitionSpec, Result, Schema};
use fugue_runtime::Value;
use fugue_runtime::executor::ZipHow;
use fugue_runtime::function::Params;
use fugue_runtime::value::{array_from_values, value_at};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where executors send the callback calls of a step, and the secret they must present.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Serialize, Deserialize)]
pub struct CallbackAddress {
    /// `http://host:port` of the driver's Flight callback server.
    pub url: String,
    /// The run's secret token.
    pub token: String,
    /// How long one call may wait for the driver's answer, in milliseconds.
    pub timeout_ms: u64,
}

/// A transformer (one input) or a co-transformer (several zipped inputs) step, as the
/// custom plan node carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Serialize, Deserialize)]
pub struct StepPayload {
    /// The function's registered name (see `fugue_runtime::registry`).
    pub function: String,
    /// The partition spec, in its compact form.
    pub spec: String,
    /// How zipped inputs are matched (`None`: a transformer with one input).
    pub zip: Option<String>,
    /// The step's parameters, encoded with [`encode_params`].
    pub params: Vec<u8>,
    /// The output schema expression.
    pub output: String,
    /// The driver's callback server, when the step has a callback.
    pub callback: Option<CallbackAddress>,
    /// Physical partitions of the shuffle (hash partitions of the keys).
    pub partitions: usize,
    /// The name of the input row number column the driver appended to every input of a
    /// shuffled step: tasks sort by it and drop it, so rows keep their input order inside a
    /// group, as on the engines of one machine.
    pub row_index: Option<String>,
}

/// A prefix that marks our payloads among the codecs' bytes.
const MAGIC: &[u8] = b"FUGUE-STEP-1\n";

impl StepPayload {
    /// The bytes of this payload.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = MAGIC.to_vec();
        serde_json::to_writer(&mut out, self)
            .map_err(|e| FugueError::external("cannot encode a cluster step", e.to_string()))?;
        Ok(out)
    }

    /// A payload from [`encode`](Self::encode)'s bytes; `None` when the bytes are not ours.
    pub fn decode(bytes: &[u8]) -> Option<Result<Self>> {
        let body = bytes.strip_prefix(MAGIC)?;
        Some(
            serde_json::from_slice(body)
                .map_err(|e| FugueError::external("cannot decode a cluster step", e.to_string())),
        )
    }

    /// The partition spec.
    pub fn spec(&self) -> Result<PartitionSpec> {
        self.spec.parse()
    }

    /// How zipped inputs are matched.
    pub fn zip_how(&self) -> Result<Option<ZipHow>> {
        self.zip.as_deref().map(str::parse).transpose()
    }

    /// The output schema.
    pub fn output_schema(&self) -> Result<Schema> {
        Schema::parse(&self.output)
    }
}

/// The Arrow type of a value by itself: its natural type, or for nested values the type
/// their content gives (a list's first non-NULL item; `null` when nothing tells).
fn value_type(value: &Value) -> DataType {
    match value {
        Value::List(items) => {
            let item = items
                .iter()
                .find(|v| !v.is_null())
                .map_or(DataType::Null, value_type);
            DataType::List(Arc::new(Field::new("item", item, true)))
        }
        Value::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(|(name, v)| Field::new(name, value_type(v), true))
                .collect(),
        ),
        Value::Map(entries) => {
            let (key, value) = entries
                .first()
                .map_or((DataType::Utf8, DataType::Null), |(k, v)| {
                    (value_type(k), value_type(v))
                });
            let entries = Field::new(
                "entries",
                DataType::Struct(
                    vec![
                        Field::new("key", key, false),
                        Field::new("value", value, true),
                    ]
                    .into(),
                ),
                false,
            );
            DataType::Map(Arc::new(entries), false)
        }
        other => other.natural_type().unwrap_or(DataType::Null),
    }
}

/// Named values as a one-row Arrow IPC stream (each value with its own Arrow type).
pub fn encode_named(values: &[(String, Value)]) -> Result<Vec<u8>> {
    let mut fields = Vec::with_capacity(values.len());
    let mut columns = Vec::with_capacity(values.len());
    for (name, value) in values {
        let data_type = value_type(value);
        columns.push(array_from_values(std::slice::from_ref(value), &data_type)?);
        fields.push(Field::new(name, data_type, true));
    }
    let schema = Arc::new(ArrowSchema::new(fields));
    let batch = RecordBatch::try_new_with_options(
        schema.clone(),
        columns,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .map_err(|e| FugueError::external("cannot encode values", e.to_string()))?;
    let mut out = Vec::new();
    {
        let mut writer = StreamWriter::try_new(&mut out, &schema)
            .map_err(|e| FugueError::external("cannot encode values", e.to_string()))?;
        writer
            .write(&batch)
            .and_then(|_| writer.finish())
            .map_err(|e| FugueError::external("cannot encode values", e.to_string()))?;
    }
    Ok(out)
}

/// The named values of [`encode_named`]'s bytes.
pub fn decode_named(bytes: &[u8]) -> Result<Vec<(String, Value)>> {
    let bad = |e: String| FugueError::external("cannot decode values", e);
    let mut reader = StreamReader::try_new(bytes, None).map_err(|e| bad(e.to_string()))?;
    let batch = reader
        .next()
        .ok_or_else(|| bad("no row".to_string()))?
        .map_err(|e| bad(e.to_string()))?;
    let schema = batch.schema();
    schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| Ok((field.name().clone(), value_at(column.as_ref(), 0)?)))
        .collect()
}

/// A step's parameters as bytes.
pub fn encode_params(params: &Params) -> Result<Vec<u8>> {
    let named: Vec<(String, Value)> = params
        .names()
        .filter_map(|n| params.value(n).map(|v| (n.to_string(), v.clone())))
        .collect();
    encode_named(&named)
}

/// The parameters of [`encode_params`]'s bytes.
pub fn decode_params(bytes: &[u8]) -> Result<Params> {
    let mut params = Params::new();
    for (name, value) in decode_named(bytes)? {
        params.insert(name, value);
    }
    Ok(params)
}

/// One value as bytes (a callback's call or answer).
pub fn encode_value(value: &Value) -> Result<Vec<u8>> {
    encode_named(&[("value".to_string(), value.clone())])
}

/// The value of [`encode_value`]'s bytes.
pub fn decode_value(bytes: &[u8]) -> Result<Value> {
    decode_named(bytes)?
        .pop()
        .map(|(_, v)| v)
        .ok_or_else(|| FugueError::external("cannot decode a value", "no column".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_with_their_types() {
        let values = vec![
            Value::from(1_i64),
            Value::from(2.5_f64),
            Value::from("text"),
            Value::Null,
            Value::from(true),
            Value::from(vec![("a", Value::from(1_i32)), ("b", Value::from("x"))]),
            Value::List(vec![Value::Null, Value::from(2_i64)]),
        ];
        for value in values {
            let back = decode_value(&encode_value(&value).unwrap()).unwrap();
            assert_eq!(back, value, "{value}");
            assert_eq!(value_type(&back), value_type(&value));
        }
    }

    #[test]
    fn params_round_trip() {
        let params = Params::new().with("n", 3_i64).with("label", "x");
        assert_eq!(
            decode_params(&encode_params(&params).unwrap()).unwrap(),
            params
        );
        assert_eq!(
            decode_params(&encode_params(&Params::new()).unwrap()).unwrap(),
            Params::new()
        );
    }

    #[test]
    fn payloads_round_trip_and_foreign_bytes_are_not_ours() {
        let payload = StepPayload {
            function: "m::rank".into(),
            spec: PartitionSpec::parse("by=k; presort=v desc")
                .unwrap()
                .to_string(),
            zip: None,
            params: encode_params(&Params::new()).unwrap(),
            output: "k:long,rank:long".into(),
            callback: None,
            partitions: 4,
            row_index: Some("__row".into()),
        };
        let back = StepPayload::decode(&payload.encode().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(back, payload);
        assert_eq!(back.spec().unwrap().keys(), ["k"]);
        assert!(StepPayload::decode(b"something else").is_none());
    }
}
