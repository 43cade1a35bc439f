//! Exactly-once delivery of a step's rows, whatever the cluster does when it loses an executor.
//!
//! When an executor dies during a job, Ballista re-runs the tasks it had run and rolls back the
//! stages that read them. Under load, a job that lost an executor has been seen to deliver the
//! output of one task twice (a whole reduce partition's rows, duplicated) with no error: silent
//! wrong data. Two guards make a step's result independent of such retries:
//!
//! - every task tags its output with two hidden last columns: the *task* (what identifies its
//!   input: the smallest driver row number it read, with the input's index; every row goes to
//!   exactly one task, so two tasks never share it) and the *run* (a number drawn for this
//!   execution). The driver keeps, per task, the rows of one run only
//!   ([`keep_one_run_per_task`]); the step is deterministic, so any one run is the right one;
//! - a task's shuffled input carries the driver's row numbers (unique per input), so a row read
//!   twice is dropped when the task restores the input order ([`drop_repeated_rows`]);
//! - every run also sends one *marker* row: how many input rows it consumed and a checksum of
//!   their row numbers. The driver adds up the markers of the runs it keeps and compares them
//!   with the inputs it staged ([`Consumed`]): a row consumed by two tasks, or by none, makes
//!   the step fail (the engine runs the job once more first) instead of returning wrong data.

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch, UInt64Array};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use fugue_core::FugueError;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

/// A name for a hidden column that collides with no column of `output`: `base`, with more
/// underscores while it collides. The same on every node.
fn fresh_name(output: &ArrowSchema, base: &str) -> String {
    let mut name = base.to_string();
    while output.fields().iter().any(|f| f.name() == &name) {
        name.push('_');
    }
    name
}

/// The hidden columns after a step's output columns: task, run, consumed rows, checksum.
const HIDDEN: [&str; 4] = [
    "__fugue_task__",
    "__fugue_run__",
    "__fugue_rows__",
    "__fugue_checksum__",
];

/// The schema a step's node produces: its output columns (nullable: a marker row has no
/// values), then the task, run, consumed-rows and checksum columns (the last two set on marker
/// rows only).
pub(crate) fn with_task_columns(output: &ArrowSchema) -> ArrowSchema {
    let mut fields: Vec<Arc<Field>> = output
        .fields()
        .iter()
        .map(|f| Arc::new(f.as_ref().clone().with_nullable(true)))
        .collect();
    for (i, base) in HIDDEN.iter().enumerate() {
        fields.push(Arc::new(Field::new(
            fresh_name(output, base),
            DataType::UInt64,
            i >= 2,
        )));
    }
    ArrowSchema::new_with_metadata(fields, output.metadata().clone())
}

/// One row number of input `input` mixed into a checksum term (splitmix64).
fn mix(input: usize, row: u64) -> u64 {
    let mut z = row
        .wrapping_add((input as u64).wrapping_mul(0xa076_1d64_78bd_642f))
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Input rows consumed: how many, and the sum of their mixed row numbers (0 for inputs
/// without row numbers, where only the count is checked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Consumed {
    /// Rows.
    pub rows: u64,
    /// The checksum of their row numbers.
    pub checksum: u64,
}

impl Consumed {
    /// What a task consumed: each distinct row number once (a repeated row is dropped by the
    /// task too).
    pub fn of_task(inputs: &[(SchemaRef, Vec<RecordBatch>)], numbered: bool) -> Consumed {
        let mut total = Consumed::default();
        for (i, (_, batches)) in inputs.iter().enumerate() {
            if !numbered {
                total.rows += batches.iter().map(|b| b.num_rows() as u64).sum::<u64>();
                continue;
            }
            let mut numbers: Vec<u64> = batches
                .iter()
                .filter_map(|b| {
                    let last = b.num_columns().checked_sub(1)?;
                    let numbers = b.column(last).as_any().downcast_ref::<UInt64Array>()?;
                    Some(numbers.values().to_vec())
                })
                .flatten()
                .collect();
            numbers.sort_unstable();
            numbers.dedup();
            total.rows += numbers.len() as u64;
            for n in numbers {
                total.checksum = total.checksum.wrapping_add(mix(i, n));
            }
        }
        total
    }

    /// What the driver staged: every row of inputs of these sizes, numbered from 0.
    pub fn of_inputs(sizes: &[usize], numbered: bool) -> Consumed {
        let mut total = Consumed::default();
        for (i, n) in sizes.iter().enumerate() {
            total.rows += *n as u64;
            if numbered {
                for row in 0..*n as u64 {
                    total.checksum = total.checksum.wrapping_add(mix(i, row));
                }
            }
        }
        total
    }
}

/// What identifies a task by its input: the smallest driver row number of its first non-empty
/// input (row numbers are the last column of numbered inputs), with the input's index in the
/// top byte; 0 for inputs without row numbers (a step without keys runs as one task), and
/// one shared identity for tasks that read no row.
pub(crate) fn task_of(inputs: &[(SchemaRef, Vec<RecordBatch>)], numbered: bool) -> u64 {
    if !numbered {
        return 0;
    }
    for (i, (_, batches)) in inputs.iter().enumerate() {
        let smallest = batches
            .iter()
            .filter_map(|b| {
                let last = b.num_columns().checked_sub(1)?;
                let numbers = b.column(last).as_any().downcast_ref::<UInt64Array>()?;
                datafusion::arrow::compute::min(numbers)
            })
            .min();
        if let Some(row) = smallest {
            return ((i as u64) << 56) | (row & ((1 << 56) - 1));
        }
    }
    // No input row: the tasks that read nothing share one identity (they consume nothing and,
    // keyed, call nothing).
    EMPTY_TASK
}

/// The identity of the tasks that read no row.
const EMPTY_TASK: u64 = u64::MAX;

/// A number for one run of a task, drawn at random.
pub(crate) fn new_run() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    if let Ok(elapsed) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(elapsed.as_nanos());
    }
    hasher.finish()
}

/// The task's output batches with the hidden columns appended, then its marker row
/// (`schema`: the node's schema).
pub(crate) fn tag(
    batches: Vec<RecordBatch>,
    task: u64,
    run: u64,
    consumed: Consumed,
    schema: &SchemaRef,
) -> Result<Vec<RecordBatch>, FugueError> {
    let failed = |e: datafusion::arrow::error::ArrowError| {
        FugueError::external("cannot tag a task's output", e.to_string())
    };
    let width = schema.fields().len() - HIDDEN.len();
    let mut out = batches
        .into_iter()
        .map(|batch| {
            let n = batch.num_rows();
            let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
            columns.push(Arc::new(UInt64Array::from(vec![task; n])));
            columns.push(Arc::new(UInt64Array::from(vec![run; n])));
            columns.push(datafusion::arrow::array::new_null_array(
                &DataType::UInt64,
                n,
            ));
            columns.push(datafusion::arrow::array::new_null_array(
                &DataType::UInt64,
                n,
            ));
            RecordBatch::try_new(schema.clone(), columns).map_err(failed)
        })
        .collect::<Result<Vec<_>, FugueError>>()?;
    let mut marker: Vec<ArrayRef> = schema.fields()[..width]
        .iter()
        .map(|f| datafusion::arrow::array::new_null_array(f.data_type(), 1))
        .collect();
    for value in [task, run, consumed.rows, consumed.checksum] {
        marker.push(Arc::new(UInt64Array::from(vec![value])));
    }
    out.push(RecordBatch::try_new(schema.clone(), marker).map_err(failed)?);
    Ok(out)
}

/// The rows of one run per task, in the step's `output` schema (the hidden columns and the
/// marker rows removed), how many rows of other runs were dropped, and what the kept runs
/// consumed.
pub(crate) fn keep_one_run_per_task(
    batches: Vec<RecordBatch>,
    output: &SchemaRef,
) -> Result<(Vec<RecordBatch>, usize, Consumed), FugueError> {
    let failed = |e: datafusion::arrow::error::ArrowError| {
        FugueError::external("cannot read the tasks' outputs", e.to_string())
    };
    let column = |batch: &RecordBatch, i: usize| -> Result<UInt64Array, FugueError> {
        batch
            .column(i)
            .as_any()
            .downcast_ref::<UInt64Array>()
            .cloned()
            .ok_or_else(|| FugueError::Internal("a step's task column is not u64".into()))
    };
    let mut chosen: BTreeMap<u64, u64> = BTreeMap::new();
    let mut consumed = Consumed::default();
    let mut out = Vec::with_capacity(batches.len());
    let mut dropped = 0;
    for batch in batches {
        let width = batch
            .num_columns()
            .checked_sub(HIDDEN.len())
            .ok_or_else(|| FugueError::Internal("a step's output has no task columns".into()))?;
        let tasks = column(&batch, width)?;
        let runs = column(&batch, width + 1)?;
        let rows = column(&batch, width + 2)?;
        let sums = column(&batch, width + 3)?;
        let mut keep = Vec::with_capacity(batch.num_rows());
        for i in 0..batch.num_rows() {
            let (task, run) = (tasks.value(i), runs.value(i));
            let kept = *chosen.entry(task).or_insert(run) == run;
            let marker = rows.is_valid(i);
            if kept && marker {
                consumed.rows = consumed.rows.wrapping_add(rows.value(i));
                consumed.checksum = consumed.checksum.wrapping_add(sums.value(i));
            }
            if !kept && !marker {
                dropped += 1;
            }
            keep.push(Some(kept && !marker));
        }
        let keep = BooleanArray::from(keep);
        let kept: Vec<usize> = (0..width).collect();
        let batch =
            filter_record_batch(&batch.project(&kept).map_err(failed)?, &keep).map_err(failed)?;
        if batch.num_rows() > 0 {
            out.push(
                RecordBatch::try_new(output.clone(), batch.columns().to_vec()).map_err(failed)?,
            );
        }
    }
    Ok((out, dropped, consumed))
}

/// Indices of `sorted` (row numbers in ascending order) without the repeats: a row the
/// shuffle delivered twice is kept once. `None` when there is no repeat.
pub(crate) fn drop_repeated_rows(sorted: &dyn Array) -> Option<BooleanArray> {
    let numbers = sorted.as_any().downcast_ref::<UInt64Array>()?.values();
    if !numbers.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    Some(
        (0..numbers.len())
            .map(|i| Some(i == 0 || numbers[i] != numbers[i - 1]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Int64Array;

    fn plain() -> SchemaRef {
        Arc::new(ArrowSchema::new(vec![Field::new(
            "v",
            DataType::Int64,
            false,
        )]))
    }

    fn output(
        values: &[i64],
        task: u64,
        run: u64,
        rows: u64,
        schema: &SchemaRef,
    ) -> Vec<RecordBatch> {
        let batch =
            RecordBatch::try_new(plain(), vec![Arc::new(Int64Array::from(values.to_vec()))])
                .unwrap();
        let consumed = Consumed {
            rows,
            checksum: rows * 10,
        };
        tag(vec![batch], task, run, consumed, schema).unwrap()
    }

    fn values(batches: &[RecordBatch]) -> Vec<i64> {
        batches
            .iter()
            .flat_map(|b| {
                b.column(0)
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .unwrap()
                    .values()
                    .to_vec()
            })
            .collect()
    }

    #[test]
    fn a_task_delivered_twice_is_kept_once_and_counted_once() {
        let schema = Arc::new(with_task_columns(&plain()));
        let (first, second) = (new_run(), new_run());
        assert_ne!(first, second, "two runs draw two numbers");
        let batches: Vec<RecordBatch> = [
            output(&[1, 2], 0, first, 2, &schema),
            output(&[3, 3, 4], 7, first, 3, &schema),
            output(&[3, 3, 4], 7, second, 3, &schema),
            output(&[], 9, second, 4, &schema),
        ]
        .concat();
        let (kept, dropped, consumed) = keep_one_run_per_task(batches, &plain()).unwrap();
        assert_eq!(values(&kept), vec![1, 2, 3, 3, 4], "real duplicates stay");
        assert_eq!(dropped, 3);
        assert_eq!(
            consumed,
            Consumed {
                rows: 9,
                checksum: 90
            }
        );
        assert!(
            kept.iter().all(|b| b.schema() == plain()),
            "the output schema is restored"
        );
    }

    #[test]
    fn what_tasks_consumed_adds_up_to_what_was_staged_only_when_each_row_is_read_once() {
        let schema = Arc::new(ArrowSchema::new(vec![Field::new(
            "__row",
            DataType::UInt64,
            false,
        )]));
        let numbers = |v: Vec<u64>| {
            RecordBatch::try_new(schema.clone(), vec![Arc::new(UInt64Array::from(v))]).unwrap()
        };
        let task = |v: Vec<u64>| Consumed::of_task(&[(schema.clone(), vec![numbers(v)])], true);
        let staged = Consumed::of_inputs(&[5], true);
        let sum = |parts: &[Consumed]| Consumed {
            rows: parts.iter().map(|c| c.rows).sum(),
            checksum: parts.iter().fold(0u64, |a, c| a.wrapping_add(c.checksum)),
        };
        assert_eq!(sum(&[task(vec![0, 3]), task(vec![4, 1, 2])]), staged);
        // A row read by two tasks and one read by none: the same count, another checksum.
        assert_ne!(sum(&[task(vec![0, 3]), task(vec![3, 1, 2])]), staged);
        // A repeated row inside a task counts once.
        assert_eq!(sum(&[task(vec![0, 3, 3]), task(vec![4, 1, 2])]), staged);
    }

    #[test]
    fn tasks_are_named_by_their_smallest_row_number() {
        let schema = Arc::new(ArrowSchema::new(vec![Field::new(
            "__row",
            DataType::UInt64,
            false,
        )]));
        let numbers = |v: Vec<u64>| {
            RecordBatch::try_new(schema.clone(), vec![Arc::new(UInt64Array::from(v))]).unwrap()
        };
        let inputs = vec![
            (schema.clone(), vec![]),
            (schema.clone(), vec![numbers(vec![9, 4]), numbers(vec![6])]),
        ];
        assert_eq!(task_of(&inputs, true), (1 << 56) | 4);
        assert_eq!(task_of(&inputs, false), 0);
        assert_eq!(task_of(&inputs[..1], true), EMPTY_TASK);
    }

    #[test]
    fn the_task_columns_do_not_collide() {
        let plain = ArrowSchema::new(vec![Field::new("__fugue_task__", DataType::Int64, true)]);
        let schema = with_task_columns(&plain);
        let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [
                "__fugue_task__",
                "__fugue_task___",
                "__fugue_run__",
                "__fugue_rows__",
                "__fugue_checksum__"
            ]
        );
    }

    #[test]
    fn repeated_row_numbers_are_dropped() {
        let sorted = UInt64Array::from(vec![0, 1, 1, 2, 5, 5, 5]);
        let keep = drop_repeated_rows(&sorted).unwrap();
        assert_eq!(keep.true_count(), 4);
        assert!(drop_repeated_rows(&UInt64Array::from(vec![0, 1, 2])).is_none());
    }
}
