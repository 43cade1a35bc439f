//! What travels between the driver, the scheduler and the executors: the description of a
//! transformer step ([`StepPayload`]) and dynamically typed values (step parameters, callback
//! calls and answers), encoded as one-row Arrow IPC streams so that every Fugue type keeps its
//! exact Arrow type.
//!
//! **Invariant:** nothing that holds a user's name travels as text to be parsed again. The
//! partition spec travels as its fields ([`WireSpec`]: the key list, the presort items, the
//! `num` expression, the algorithm), the parameters as named Arrow values, the output schema
//! as an Arrow IPC schema; so every legal column or parameter name (`;`, `,`, `=`, quotes,
//! backticks, spaces, unicode) reaches the executors unchanged. The only texts are closed
//! vocabularies (the zip type) and the `num` expression, whose language has no names.
//! Validation rules do not travel at all: the driver checks them
//! (`PartitionFunction::check`) before it submits any job.

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use fugue_core::partition::SortKey;
use fugue_core::{FugueError, PartitionAlgo, PartitionSpec, Result, Schema};
use fugue_runtime::Value;
use fugue_runtime::executor::ZipHow;
use fugue_runtime::function::Params;
use fugue_runtime::value::{array_from_values, value_at};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One presort item of a [`WireSpec`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Serialize, Deserialize)]
pub struct WireSortKey {
    /// The column name, as it is (never quoted).
    pub name: String,
    /// Ascending when true.
    pub ascending: bool,
    /// NULLs before the other values when true.
    pub nulls_first: bool,
}

/// The partitioning algorithm of a [`WireSpec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireAlgo {
    /// [`PartitionAlgo::Default`].
    Default,
    /// [`PartitionAlgo::Hash`].
    Hash,
    /// [`PartitionAlgo::Rand`].
    Rand,
    /// [`PartitionAlgo::Even`].
    Even,
    /// [`PartitionAlgo::Coarse`].
    Coarse,
}

impl From<PartitionAlgo> for WireAlgo {
    fn from(algo: PartitionAlgo) -> Self {
        match algo {
            PartitionAlgo::Default => WireAlgo::Default,
            PartitionAlgo::Hash => WireAlgo::Hash,
            PartitionAlgo::Rand => WireAlgo::Rand,
            PartitionAlgo::Even => WireAlgo::Even,
            PartitionAlgo::Coarse => WireAlgo::Coarse,
        }
    }
}

impl From<WireAlgo> for PartitionAlgo {
    fn from(algo: WireAlgo) -> Self {
        match algo {
            WireAlgo::Default => PartitionAlgo::Default,
            WireAlgo::Hash => PartitionAlgo::Hash,
            WireAlgo::Rand => PartitionAlgo::Rand,
            WireAlgo::Even => PartitionAlgo::Even,
            WireAlgo::Coarse => PartitionAlgo::Coarse,
        }
    }
}

/// A partition spec as its fields, so that no name is ever split or unquoted again:
/// [`WireSpec::to_spec`] of [`WireSpec::from`] gives back an equal [`PartitionSpec`] for
/// every spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Serialize, Deserialize)]
pub struct WireSpec {
    /// The partition keys, as they are.
    pub by: Vec<String>,
    /// The presort items.
    pub presort: Vec<WireSortKey>,
    /// The `num` expression (an integer or an expression over `ROWCOUNT` and `CONCURRENCY`:
    /// a language without names), as [`fugue_core::partition::NumPartitions::text`] gives it.
    pub num: String,
    /// The algorithm.
    pub algo: WireAlgo,
}

impl From<&PartitionSpec> for WireSpec {
    fn from(spec: &PartitionSpec) -> Self {
        WireSpec {
            by: spec.keys().to_vec(),
            presort: spec
                .presort()
                .iter()
                .map(|k| WireSortKey {
                    name: k.name.clone(),
                    ascending: !k.descending,
                    nulls_first: k.nulls_first,
                })
                .collect(),
            num: spec.num().text().to_string(),
            algo: spec.algo().into(),
        }
    }
}

impl WireSpec {
    /// The spec, validated again (by the same builder as every other spec), so bytes that
    /// did not come from [`WireSpec::from`] cannot make an invalid spec.
    pub fn to_spec(&self) -> Result<PartitionSpec> {
        PartitionSpec::builder()
            .by(self.by.iter().cloned())
            .presort_keys(self.presort.iter().map(|k| SortKey {
                name: k.name.clone(),
                descending: !k.ascending,
                nulls_first: k.nulls_first,
            }))
            .num(self.num.as_str())
            .algo(PartitionAlgo::from(self.algo).name())
            .build()
    }
}

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
    /// The partition spec, field by field.
    pub spec: WireSpec,
    /// How zipped inputs are matched (`None`: a transformer with one input), by
    /// [`ZipHow::name`].
    pub zip: Option<String>,
    /// The step's parameters, encoded with `encode_params`.
    pub params: Vec<u8>,
    /// The output schema, encoded with `encode_schema`.
    pub output: Vec<u8>,
    /// The driver's callback server, when the step has a callback.
    pub callback: Option<CallbackAddress>,
    /// Physical partitions of the shuffle (hash partitions of the keys).
    pub partitions: usize,
    /// The name of the input row number column the driver appended to every input of a
    /// shuffled step: tasks sort by it and drop it, so rows keep their input order inside a
    /// group, as on the engines of one machine.
    pub row_index: Option<String>,
}

/// A prefix that marks our payloads among the codecs' bytes (`2`: the spec and the output
/// schema travel structured).
const MAGIC: &[u8] = b"FUGUE-STEP-2\n";

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
        Some(serde_json::from_slice(body).map_err(|e| {
            FugueError::external(
                "cannot decode a cluster step (do the driver and every node of the cluster run \
                 the same binary?)",
                e.to_string(),
            )
        }))
    }

    /// The partition spec.
    pub fn spec(&self) -> Result<PartitionSpec> {
        self.spec.to_spec()
    }

    /// How zipped inputs are matched.
    pub fn zip_how(&self) -> Result<Option<ZipHow>> {
        self.zip.as_deref().map(str::parse).transpose()
    }

    /// The output schema.
    pub fn output_schema(&self) -> Result<Schema> {
        decode_schema(&self.output)
    }
}

/// A schema as an Arrow IPC stream without batches: every name and type exactly.
pub fn encode_schema(schema: &Schema) -> Result<Vec<u8>> {
    let failed =
        |e: arrow::error::ArrowError| FugueError::external("cannot encode a schema", e.to_string());
    let arrow = schema.to_arrow();
    let mut out = Vec::new();
    let mut writer = StreamWriter::try_new(&mut out, &arrow).map_err(failed)?;
    writer.finish().map_err(failed)?;
    drop(writer);
    Ok(out)
}

/// The schema of [`encode_schema`]'s bytes.
pub fn decode_schema(bytes: &[u8]) -> Result<Schema> {
    let reader = StreamReader::try_new(bytes, None)
        .map_err(|e| FugueError::external("cannot decode a schema", e.to_string()))?;
    Schema::from_arrow(&reader.schema())
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

    /// Names that a text form has to quote, split or trim: every one must arrive unchanged.
    const HOSTILE: &[&str] = &[
        "a;b",
        "a,b",
        "k=v",
        "`tick`",
        "it's",
        "say \"hi\"",
        " padded ",
        "two words",
        "é日本🦀",
        "by=k; num=4",
        "c desc nulls first",
        "tab\there",
        "new\nline",
        "ROWCOUNT",
        "``",
    ];

    fn payload_of(spec: &PartitionSpec, output: &Schema, params: &Params) -> StepPayload {
        StepPayload {
            function: "m::rank".into(),
            spec: WireSpec::from(spec),
            zip: None,
            params: encode_params(params).unwrap(),
            output: encode_schema(output).unwrap(),
            callback: None,
            partitions: 4,
            row_index: Some("__row".into()),
        }
    }

    #[test]
    fn payloads_round_trip_and_foreign_bytes_are_not_ours() {
        let spec = PartitionSpec::parse("by=k; presort=v desc").unwrap();
        let output = Schema::parse("k:long,rank:long").unwrap();
        let payload = payload_of(&spec, &output, &Params::new());
        let back = StepPayload::decode(&payload.encode().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(back, payload);
        assert_eq!(back.spec().unwrap(), spec);
        assert_eq!(back.output_schema().unwrap(), output);
        assert!(StepPayload::decode(b"something else").is_none());
        let e = StepPayload::decode(b"FUGUE-STEP-2\n{not json")
            .unwrap()
            .unwrap_err();
        assert!(
            e.to_string().contains("cannot decode a cluster step"),
            "{e}"
        );
    }

    #[test]
    fn every_hostile_name_travels_unchanged_as_key_presort_column_and_parameter() {
        for (i, name) in HOSTILE.iter().enumerate() {
            let other = format!("{name}_sorted");
            let spec = PartitionSpec::builder()
                .by([name.to_string()])
                .presort_keys([SortKey {
                    name: other.clone(),
                    descending: i % 2 == 0,
                    nulls_first: true,
                }])
                .num("ROWCOUNT/4")
                .algo("even")
                .build()
                .unwrap();
            let output = Schema::new(vec![
                fugue_core::Column::new(*name, DataType::Int64),
                fugue_core::Column::new(other, DataType::Utf8),
            ])
            .unwrap();
            let params = Params::new().with(*name, Value::from(*name));
            let back = StepPayload::decode(&payload_of(&spec, &output, &params).encode().unwrap())
                .unwrap()
                .unwrap();
            let spec_back = back.spec().unwrap();
            assert_eq!(spec_back, spec, "{name:?}");
            assert_eq!(spec_back.keys(), [name.to_string()], "{name:?}");
            assert_eq!(back.output_schema().unwrap(), output, "{name:?}");
            assert_eq!(decode_params(&back.params).unwrap(), params, "{name:?}");
        }
    }

    #[test]
    fn a_forged_spec_is_validated_again() {
        let wire = WireSpec {
            by: vec!["a;b".into(), "a;b".into()],
            presort: Vec::new(),
            num: "0".into(),
            algo: WireAlgo::Hash,
        };
        let e = wire.to_spec().unwrap_err();
        assert_eq!(e.kind(), fugue_core::ErrorKind::InvalidPartitionSpec, "{e}");
        assert!(e.to_string().contains("appears twice"), "{e}");
        let wire = WireSpec {
            by: Vec::new(),
            presort: Vec::new(),
            num: "((".into(),
            algo: WireAlgo::Default,
        };
        assert!(wire.to_spec().is_err());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn name() -> impl Strategy<Value = String> {
            prop_oneof![
                proptest::sample::select(HOSTILE).prop_map(str::to_string),
                "[a-zA-Z0-9_;,=`'\" ()*/+.:\\-éß日🦀\t\n]{1,10}",
            ]
        }

        #[derive(Debug, Clone)]
        enum Num {
            Int(i64),
            Text(&'static str),
        }

        fn num() -> impl Strategy<Value = Num> {
            prop_oneof![
                (-1000_i64..100_000).prop_map(Num::Int),
                proptest::sample::select(vec![
                    "0",
                    "4",
                    "-3",
                    "007",
                    "ROWCOUNT/4",
                    " (ROWCOUNT + 4) / CONCURRENCY ",
                    "CONCURRENCY*2-1",
                    "-(ROWCOUNT)",
                ])
                .prop_map(Num::Text),
            ]
        }

        fn spec() -> impl Strategy<Value = PartitionSpec> {
            (
                proptest::collection::btree_set(name(), 0..7),
                0_usize..7,
                proptest::collection::vec(any::<(bool, bool)>(), 7),
                num(),
                proptest::sample::select(vec!["", "hash", "rand", "even", "coarse"]),
            )
                .prop_map(|(names, split, orders, num, algo)| {
                    let names: Vec<String> = names.into_iter().collect();
                    let (keys, sorted) = names.split_at(split.min(names.len()));
                    let b = PartitionSpec::builder()
                        .by(keys.to_vec())
                        .presort_keys(sorted.iter().zip(orders).map(
                            |(name, (descending, nulls_first))| SortKey {
                                name: name.clone(),
                                descending,
                                nulls_first,
                            },
                        ))
                        .algo(algo);
                    let b = match num {
                        Num::Int(n) => b.num(n),
                        Num::Text(t) => b.num(t),
                    };
                    b.build().expect("a valid spec")
                })
        }

        fn value() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                any::<i64>().prop_map(Value::from),
                any::<bool>().prop_map(Value::from),
                (-1e12_f64..1e12).prop_map(Value::from),
                name().prop_map(Value::from),
                proptest::collection::vec(any::<i32>().prop_map(Value::from), 0..4)
                    .prop_map(Value::List),
            ]
        }

        proptest! {
            #[test]
            fn specs_schemas_and_params_round_trip(
                spec in spec(),
                columns in proptest::collection::btree_set(name(), 0..6),
                params in proptest::collection::btree_map(name(), value(), 0..6),
            ) {
                let output = Schema::new(
                    columns
                        .iter()
                        .map(|c| fugue_core::Column::new(c.as_str(), DataType::Float64))
                        .collect(),
                )
                .unwrap();
                let mut p = Params::new();
                for (k, v) in params {
                    p.insert(k, v);
                }
                let payload = payload_of(&spec, &output, &p);
                let back = StepPayload::decode(&payload.encode().unwrap()).unwrap().unwrap();
                prop_assert_eq!(&back, &payload);
                prop_assert_eq!(back.spec().unwrap(), spec);
                let schema_back = back.output_schema().unwrap();
                prop_assert_eq!(
                    schema_back.names().collect::<Vec<_>>(),
                    columns.iter().map(String::as_str).collect::<Vec<_>>()
                );
                prop_assert_eq!(schema_back, output);
                prop_assert_eq!(decode_params(&back.params).unwrap(), p);
            }
        }
    }
}
