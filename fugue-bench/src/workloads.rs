//! The five workloads, written the way a user of Fugue for Rust would write them, and their
//! checksums (the same as `bench.py`'s).

use crate::{Args, checksum, round};
use arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema as ArrowSchema};
use arrow::error::ArrowError;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use fugue::Result;
use fugue::prelude::*;
use fugue::record::ArrowStr;
use fugue::{ArrowFrame, StreamFrame};
use fugue::{ExecutionEngine, LoadOptions};
use serde_json::{Value as Json, json};
use std::sync::Arc;

// ------------------------------------------------------------------------------ the records

/// A row of the fact table.
#[derive(Schema, Debug, Clone)]
pub struct Fact {
    k: i64,
    v: f64,
    s: String,
}

/// A W1 output row: the fact plus its rank within its key and its centred value.
#[derive(Schema, Debug)]
pub struct Ranked {
    k: i64,
    v: f64,
    s: String,
    rank: i64,
    centered: f64,
}

/// A W2 output row: the fact plus `x = v * 2 + length(s)`.
#[derive(Schema, Debug)]
pub struct Mapped {
    k: i64,
    v: f64,
    s: String,
    x: f64,
}

/// A row of the fact table whose string points into the Arrow column (no copy).
#[derive(Schema, Debug, Clone)]
pub struct FactStr {
    k: i64,
    v: f64,
    s: ArrowStr,
}

/// [`Ranked`] with a zero-copy string.
#[derive(Schema, Debug)]
pub struct RankedStr {
    k: i64,
    v: f64,
    s: ArrowStr,
    rank: i64,
    centered: f64,
}

/// [`Mapped`] with a zero-copy string.
#[derive(Schema, Debug)]
pub struct MappedStr {
    k: i64,
    v: f64,
    s: ArrowStr,
    x: f64,
}

// ------------------------------------------------------------------------------ W1

/// W1 over typed rows: the rows of one key, presorted by `v` descending.
#[transformer(partitionby_has = "k", presort_is = "v desc")]
pub fn w1_rows(rows: Vec<Fact>) -> Vec<Ranked> {
    let mean = rows.iter().map(|r| r.v).sum::<f64>() / rows.len().max(1) as f64;
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| Ranked {
            k: r.k,
            v: r.v,
            s: r.s,
            rank: i as i64 + 1,
            centered: r.v - mean,
        })
        .collect()
}

/// W1 over typed rows whose strings are not copied.
#[transformer(partitionby_has = "k", presort_is = "v desc")]
pub fn w1_rows_str(rows: Vec<FactStr>) -> Vec<RankedStr> {
    let mean = rows.iter().map(|r| r.v).sum::<f64>() / rows.len().max(1) as f64;
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| RankedStr {
            k: r.k,
            v: r.v,
            s: r.s,
            rank: i as i64 + 1,
            centered: r.v - mean,
        })
        .collect()
}

/// The input schema with two more columns.
fn with_columns(
    batch: &RecordBatch,
    extra: Vec<(Field, ArrayRef)>,
) -> Result<RecordBatch, ArrowError> {
    let schema = batch.schema();
    let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
    let mut columns = batch.columns().to_vec();
    for (field, column) in extra {
        fields.push(Arc::new(field));
        columns.push(column);
    }
    RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), columns)
}

fn column<'a, T: arrow::datatypes::ArrowPrimitiveType>(
    batch: &'a RecordBatch,
    name: &str,
) -> Result<&'a arrow::array::PrimitiveArray<T>, ArrowError> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_primitive_opt::<T>())
        .ok_or_else(|| ArrowError::SchemaError(format!("no column `{name}` of the expected type")))
}

/// W1 over one Arrow batch per key (presorted by `v` descending).
#[transformer(schema = "*,rank:long,centered:double")]
pub fn w1_batch(batch: RecordBatch) -> Result<RecordBatch, ArrowError> {
    let v = column::<Float64Type>(&batch, "v")?;
    let n = batch.num_rows();
    let mean = arrow::compute::sum(v).unwrap_or(0.0) / n.max(1) as f64;
    let rank = Int64Array::from_iter_values(1..=n as i64);
    let centered: Float64Array = arrow::compute::kernels::arity::unary(v, |x| x - mean);
    with_columns(
        &batch,
        vec![
            (Field::new("rank", DataType::Int64, false), Arc::new(rank)),
            (
                Field::new("centered", DataType::Float64, true),
                Arc::new(centered),
            ),
        ],
    )
}

// ------------------------------------------------------------------------------ W2

/// W2 over typed rows.
#[transformer]
pub fn w2_rows(rows: Vec<Fact>) -> Vec<Mapped> {
    rows.into_iter()
        .map(|r| Mapped {
            x: r.v * 2.0 + r.s.chars().count() as f64,
            k: r.k,
            v: r.v,
            s: r.s,
        })
        .collect()
}

/// W2 over typed rows whose strings are not copied.
#[transformer]
pub fn w2_rows_str(rows: Vec<FactStr>) -> Vec<MappedStr> {
    rows.into_iter()
        .map(|r| MappedStr {
            x: r.v * 2.0 + r.s.chars().count() as f64,
            k: r.k,
            v: r.v,
            s: r.s,
        })
        .collect()
}

/// W2 over Arrow batches.
#[transformer(schema = "*,x:double")]
pub fn w2_batch(batch: RecordBatch) -> Result<RecordBatch, ArrowError> {
    let v = column::<Float64Type>(&batch, "v")?;
    let s: &StringArray = batch
        .column_by_name("s")
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or_else(|| ArrowError::SchemaError("no string column `s`".into()))?;
    let offsets = s.value_offsets();
    let bytes = s.value_data();
    let x: Float64Array = v
        .values()
        .iter()
        .zip(offsets.windows(2))
        .map(|(v, w)| {
            // The number of characters: the bytes that do not continue a UTF-8 sequence.
            let chars = bytes[w[0] as usize..w[1] as usize]
                .iter()
                .filter(|b| (**b as i8) >= -0x40)
                .count();
            v * 2.0 + chars as f64
        })
        .collect::<Vec<f64>>()
        .into();
    let nulls = arrow::buffer::NullBuffer::union(v.nulls(), s.nulls());
    let x = Float64Array::new(x.values().clone(), nulls);
    with_columns(
        &batch,
        vec![(Field::new("x", DataType::Float64, true), Arc::new(x))],
    )
}

// ------------------------------------------------------------------------------ the cases

/// A result of one run.
pub enum Output {
    /// A frame in memory.
    Frame(ArrowFrame),
    /// A written parquet file.
    File(String),
}

/// One workload, set up.
pub struct Case {
    workload: String,
    variant: String,
    engine: Arc<dyn ExecutionEngine>,
    /// The fact table in memory (not for W5, which reads `fact_path` inside the timed run).
    fact: Option<ArrowFrame>,
    fact_path: String,
    dim: Option<ArrowFrame>,
    stream_input: bool,
    scratch: String,
}

/// Load a parquet file with the engine (untimed set-up).
fn load(engine: &Arc<dyn ExecutionEngine>, path: &str) -> Result<ArrowFrame> {
    engine
        .load(&[path], &LoadOptions::default())?
        .to_arrow_frame()
}

/// Load the input of `args.workload` (untimed).
pub fn setup(args: &Args, engine: &Arc<dyn ExecutionEngine>) -> Result<Case> {
    let fact_path = format!("{}/fact_{}.parquet", args.data, args.rows);
    let fact = if args.workload == "W5" {
        None
    } else {
        Some(load(engine, &fact_path)?)
    };
    let dim = if args.workload == "W3" {
        Some(load(engine, &format!("{}/dim.parquet", args.data))?)
    } else {
        None
    };
    if args.workload == "W4" || args.workload == "W5" {
        std::fs::create_dir_all(&args.scratch).map_err(|e| {
            fugue::FugueError::external(format!("cannot create {}", args.scratch), e)
        })?;
    }
    Ok(Case {
        workload: args.workload.clone(),
        variant: args.variant.clone(),
        engine: engine.clone(),
        fact,
        fact_path,
        dim,
        // W2 has no partitioning: on the `local` engine the input is handed over as a stream,
        // which the executor runs as parallel chunks of ~64k rows (an in-memory frame without
        // partitioning is one call, as in Fugue's local engines).
        stream_input: args.workload == "W2" && engine.name() == "local",
        scratch: args.scratch.clone(),
    })
}

impl Case {
    fn input(&self) -> Result<DataFrame> {
        let fact = self.fact.as_ref().ok_or_else(|| {
            fugue::FugueError::Internal(format!("{} has no preloaded input", self.workload))
        })?;
        if self.stream_input {
            let batches = fact.batches().to_vec();
            Ok(DataFrame::from(StreamFrame::from_batches(
                fact.schema().clone(),
                batches,
            )?))
        } else {
            Ok(DataFrame::from(fact.clone()))
        }
    }

    /// A fresh output path in the scratch folder.
    fn scratch_path(&self, name: &str) -> String {
        let p = format!("{}/{name}", self.scratch);
        let _ = std::fs::remove_file(&p);
        let _ = std::fs::remove_dir_all(&p);
        p
    }

    /// One run of the workload; the result is materialised.
    pub fn run(&mut self) -> Result<Output> {
        let engine = &self.engine;
        let frame = match (self.workload.as_str(), self.variant.as_str()) {
            ("W1", "batch") => {
                fugue::transform(self.input()?, w1_batch, "by=k; presort=v desc", engine)?
            }
            ("W1", "rows_str") => {
                fugue::transform(self.input()?, w1_rows_str, "by=k; presort=v desc", engine)?
            }
            ("W1", _) => fugue::transform(self.input()?, w1_rows, "by=k; presort=v desc", engine)?,
            ("W2", "batch") => fugue::transform(self.input()?, w2_batch, (), engine)?,
            ("W2", "rows_str") => fugue::transform(self.input()?, w2_rows_str, (), engine)?,
            ("W2", _) => fugue::transform(self.input()?, w2_rows, (), engine)?,
            ("W3", _) => {
                let dim = self.dim.clone().ok_or_else(|| {
                    fugue::FugueError::Internal("W3 without the dimension table".into())
                })?;
                let (fact, dim) = (self.input()?, DataFrame::from(dim));
                let wf = workflow! {
                    fact = create(fact);
                    dim = create(dim);
                    joined = join(fact, dim, how: inner, on: [k]);
                    totals = aggregate(joined, by: [g], total = "SUM(v)");
                    yield totals;
                };
                wf.run_on(engine.clone())?.get("totals")?
            }
            ("W5", _) => {
                // Nothing preloaded: read, filter, aggregate and write inside the timed run.
                let (input, out) = (self.fact_path.clone(), self.scratch_path("w5_out.parquet"));
                let wf = workflow! {
                    fact = load(input);
                    kept = filter(fact, "v > 0.5");
                    groups = aggregate(kept, by: [k], n = "COUNT(v)", total = "SUM(v)");
                    save(groups, out.clone());
                };
                wf.run_on(engine.clone())?;
                return Ok(Output::File(out));
            }
            _ => {
                // Write the frame, read it back, filter, write the rows kept (parquet is
                // snappy-compressed by default, as the peers write it).
                let (p1, p2) = (
                    self.scratch_path("w4_in.parquet"),
                    self.scratch_path("w4_out.parquet"),
                );
                let fact = self.input()?;
                let wf = workflow! {
                    fact = create(fact);
                    stored = save_and_use(fact, p1);
                    kept = filter(stored, "v > 0.5");
                    save(kept, p2.clone());
                };
                wf.run_on(engine.clone())?;
                return Ok(Output::File(p2));
            }
        };
        Ok(Output::Frame(frame.to_arrow_frame()?))
    }

    /// The checksums of a result, as `bench.py` prints them.
    pub fn check(&self, output: Output) -> Result<Json> {
        match output {
            Output::File(path) if self.workload == "W5" => {
                let (mut groups, mut rows, mut total) = (0, 0_i64, Sum::default());
                for file in parquet_files(&path)? {
                    let reader = parquet_reader(&file)?
                        .build()
                        .map_err(|e| fugue::FugueError::external("parquet", e))?;
                    for batch in reader {
                        let batch = batch.map_err(arrow_err)?;
                        groups += batch.num_rows();
                        let n = column::<Int64Type>(&batch, "n").map_err(arrow_err)?;
                        rows += n.values().iter().sum::<i64>();
                        let t = column::<Float64Type>(&batch, "total").map_err(arrow_err)?;
                        t.values().iter().for_each(|v| total.add(*v));
                    }
                }
                Ok(checksum(vec![
                    ("groups", json!(groups)),
                    ("rows", json!(rows)),
                    ("total", json!(round(total.total(), 0))),
                ]))
            }
            Output::File(path) => {
                let mut rows = 0;
                for file in parquet_files(&path)? {
                    rows += parquet_reader(&file)?.metadata().file_metadata().num_rows();
                }
                Ok(checksum(vec![("rows", json!(rows))]))
            }
            Output::Frame(frame) => {
                let batches = frame.batches();
                let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
                match self.workload.as_str() {
                    "W1" => {
                        let (mut sum_rank, mut rank_v, mut centered) =
                            (0_i64, Sum::default(), Sum::default());
                        for b in batches {
                            let rank = column::<Int64Type>(b, "rank").map_err(arrow_err)?;
                            let v = column::<Float64Type>(b, "v").map_err(arrow_err)?;
                            let c = column::<Float64Type>(b, "centered").map_err(arrow_err)?;
                            for i in 0..b.num_rows() {
                                sum_rank += rank.value(i);
                                rank_v.add(rank.value(i) as f64 * v.value(i));
                                centered.add(c.value(i));
                            }
                        }
                        Ok(checksum(vec![
                            ("rows", json!(rows)),
                            ("sum_rank", json!(sum_rank)),
                            ("sum_rank_v", json!(round(rank_v.total(), 0))),
                            ("sum_centered", json!(round(centered.total(), 3))),
                        ]))
                    }
                    "W2" => {
                        let mut x = Sum::default();
                        for b in batches {
                            let col = column::<Float64Type>(b, "x").map_err(arrow_err)?;
                            col.values().iter().for_each(|v| x.add(*v));
                        }
                        Ok(checksum(vec![
                            ("rows", json!(rows)),
                            ("sum_x", json!(round(x.total(), 0))),
                        ]))
                    }
                    _ => {
                        let mut total = Sum::default();
                        for b in batches {
                            let col = column::<Float64Type>(b, "total").map_err(arrow_err)?;
                            col.values().iter().for_each(|v| total.add(*v));
                        }
                        Ok(checksum(vec![
                            ("groups", json!(rows)),
                            ("total", json!(round(total.total(), 0))),
                        ]))
                    }
                }
            }
        }
    }
}

/// The parquet files of a saved path: the file, or the files of the folder.
fn parquet_files(path: &str) -> Result<Vec<std::path::PathBuf>> {
    let p = std::path::Path::new(path);
    if !p.is_dir() {
        return Ok(vec![p.to_path_buf()]);
    }
    let mut files = Vec::new();
    let entries = std::fs::read_dir(p)
        .map_err(|e| fugue::FugueError::external(format!("cannot list {path}"), e))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| fugue::FugueError::external(format!("cannot list {path}"), e))?;
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(['.', '_']) {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// A reader of one parquet file (its metadata is read, its data when built).
fn parquet_reader(
    path: &std::path::Path,
) -> Result<ParquetRecordBatchReaderBuilder<std::fs::File>> {
    let file = std::fs::File::open(path)
        .map_err(|e| fugue::FugueError::external(format!("cannot open {}", path.display()), e))?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| fugue::FugueError::external("parquet", e))
}

fn arrow_err(e: ArrowError) -> fugue::FugueError {
    fugue::FugueError::from(e)
}

/// Neumaier's compensated sum (pandas sums pairwise; both are far more exact than the rounding
/// of the checksums).
#[derive(Default)]
struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}
