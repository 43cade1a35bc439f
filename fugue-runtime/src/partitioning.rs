//! Splitting Arrow data into the logical partitions of a [`PartitionSpec`] (reference §2.6, §5).
//!
//! This is the single-machine half of the map primitive, shared by every engine of one machine:
//! - with partition keys, one logical partition per distinct key (a NULL key is a key), emitted
//!   in key order with NULL last, rows in input order unless a presort orders them (the sort is
//!   stable, so ties keep input order);
//! - without keys and `num <= 0`, the whole input is one partition (sorted by the presort if any),
//!   even when it is empty;
//! - without keys and `num > 0`, `num` contiguous chunks whose sizes differ by at most one, the
//!   first ones larger; empty chunks are dropped;
//! - with `algo = coarse`, each physical partition is passed whole, sorted by keys then presort.
//!
//! Sorting uses `arrow-row`: the keys (ascending, NULLs last) and the presort columns (with their
//! own direction and NULL placement) are encoded into byte-comparable rows, so one stable sort of
//! row indices orders everything, and key boundaries are found by comparing the key part only.

use arrow::array::{ArrayRef, RecordBatch, UInt32Array};
use arrow::compute::{SortOptions, concat_batches, take_record_batch};
use arrow::datatypes::SchemaRef;
use arrow::row::{RowConverter, Rows, SortField};
use fugue_core::{FugueError, PartitionAlgo, PartitionSpec, Result, Schema};

/// One logical partition: the rows one call of a transformer sees.
#[derive(Debug, Clone)]
pub struct LogicalPartition {
    /// The rows, in the order the function must see them.
    pub batch: RecordBatch,
    /// The logical partition number within its physical partition, from 0.
    pub partition_no: usize,
    /// The row of key values (the partition keys' columns), when the spec has keys.
    pub keys: Option<RecordBatch>,
}

/// Split one physical partition into its logical partitions.
///
/// `concurrency` is the value of `CONCURRENCY` in the spec's `num` expression. Every key and
/// presort column must exist in `schema` ([`FugueError::ColumnNotFound`] otherwise).
pub fn logical_partitions(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    spec: &PartitionSpec,
    concurrency: usize,
) -> Result<Vec<LogicalPartition>> {
    let fugue_schema = Schema::from_arrow(schema)?;
    // Validates that every key and presort column exists.
    spec.sorts(&fugue_schema, true)?;
    let batch = concat_batches(schema, batches)?;
    let rows = batch.num_rows();
    let has_keys = !spec.keys().is_empty();

    if spec.algo() == PartitionAlgo::Coarse {
        if rows == 0 && has_keys {
            return Ok(Vec::new());
        }
        let order = sort_order(&batch, spec, true)?;
        let sorted = take_rows(&batch, order.as_deref())?;
        return Ok(vec![LogicalPartition {
            batch: sorted,
            partition_no: 0,
            keys: None,
        }]);
    }

    if has_keys {
        if rows == 0 {
            return Ok(Vec::new());
        }
        let key_rows = encode(&batch, spec, true, false)?;
        let order = sort_order(&batch, spec, true)?.unwrap_or_else(|| (0..rows as u32).collect());
        let sorted = take_rows(&batch, Some(&order))?;
        let key_indices: Vec<usize> = spec
            .keys()
            .iter()
            .filter_map(|k| schema.index_of(k).ok())
            .collect();
        let mut parts = Vec::new();
        let mut start = 0;
        for i in 1..=rows {
            let boundary =
                i == rows || key_rows.row(order[i] as usize) != key_rows.row(order[start] as usize);
            if boundary {
                let slice = sorted.slice(start, i - start);
                let keys = slice.slice(0, 1).project(&key_indices)?;
                parts.push(LogicalPartition {
                    batch: slice,
                    partition_no: parts.len(),
                    keys: Some(keys),
                });
                start = i;
            }
        }
        return Ok(parts);
    }

    let order = sort_order(&batch, spec, false)?;
    let sorted = take_rows(&batch, order.as_deref())?;
    let num = spec.num_partitions(rows as u64, concurrency as u64)?;
    if num <= 0 {
        return Ok(vec![LogicalPartition {
            batch: sorted,
            partition_no: 0,
            keys: None,
        }]);
    }
    let num = usize::try_from(num)
        .map_err(|_| FugueError::Internal("positive partition count".into()))?;
    Ok(even_chunks(rows, num)
        .into_iter()
        .filter(|(_, len)| *len > 0)
        .enumerate()
        .map(|(no, (offset, len))| LogicalPartition {
            batch: sorted.slice(offset, len),
            partition_no: no,
            keys: None,
        })
        .collect())
}

/// `(offset, len)` of `num` contiguous chunks of `rows` rows whose sizes differ by at most one,
/// the first ones larger.
pub fn even_chunks(rows: usize, num: usize) -> Vec<(usize, usize)> {
    let num = num.max(1);
    let (base, extra) = (rows / num, rows % num);
    let mut offset = 0;
    (0..num)
        .map(|i| {
            let len = base + usize::from(i < extra);
            let chunk = (offset, len);
            offset += len;
            chunk
        })
        .collect()
}

/// The stable order of the rows by keys (ascending, NULLs last, when `with_keys`) then presort,
/// or `None` when nothing orders them.
fn sort_order(
    batch: &RecordBatch,
    spec: &PartitionSpec,
    with_keys: bool,
) -> Result<Option<Vec<u32>>> {
    let with_keys = with_keys && !spec.keys().is_empty();
    if !with_keys && spec.presort().is_empty() {
        return Ok(None);
    }
    let rows = encode(batch, spec, with_keys, true)?;
    let mut order: Vec<u32> = (0..batch.num_rows() as u32).collect();
    // `sort_by` is stable: rows that tie keep their input order.
    order.sort_by(|a, b| rows.row(*a as usize).cmp(&rows.row(*b as usize)));
    Ok(Some(order))
}

/// Encode the keys (ascending, NULLs last) when `keys`, then the presort columns when `presort`.
fn encode(batch: &RecordBatch, spec: &PartitionSpec, keys: bool, presort: bool) -> Result<Rows> {
    let schema = batch.schema();
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    let key_opts = SortOptions {
        descending: false,
        nulls_first: false,
    };
    let key_iter = spec
        .keys()
        .iter()
        .filter(|_| keys)
        .map(|k| (k.as_str(), key_opts));
    let presort_iter = spec.presort().iter().map(|s| {
        (
            s.name.as_str(),
            SortOptions {
                descending: s.descending,
                nulls_first: s.nulls_first,
            },
        )
    });
    let selected: Vec<(&str, SortOptions)> =
        key_iter.chain(presort_iter.filter(|_| presort)).collect();
    for (name, options) in selected {
        let index = schema.index_of(name).map_err(|_| {
            FugueError::column_not_found(
                name,
                "the partition spec",
                "",
                schema.fields().iter().map(|f| f.name().as_str()),
            )
        })?;
        let column = batch.column(index).clone();
        fields.push(SortField::new_with_options(
            column.data_type().clone(),
            options,
        ));
        columns.push(column);
    }
    let converter = RowConverter::new(fields)?;
    Ok(converter.convert_columns(&columns)?)
}

fn take_rows(batch: &RecordBatch, order: Option<&[u32]>) -> Result<RecordBatch> {
    match order {
        None => Ok(batch.clone()),
        Some(order) => {
            let indices = UInt32Array::from(order.to_vec());
            Ok(take_record_batch(batch, &indices)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, Float64Array, Int32Array};
    use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
    use std::sync::Arc;

    fn input() -> (SchemaRef, RecordBatch) {
        let schema = Arc::new(ArrowSchema::new(vec![
            Field::new("a", DataType::Float64, true),
            Field::new("b", DataType::Int32, true),
        ]));
        let a = Float64Array::from(vec![Some(1.0), None, Some(1.0), Some(2.0), None]);
        let b = Int32Array::from(vec![5, 2, 3, 1, 9]);
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(a), Arc::new(b)]).unwrap();
        (schema, batch)
    }

    fn calls(parts: &[LogicalPartition]) -> Vec<Vec<i32>> {
        parts
            .iter()
            .map(|p| {
                let b = p
                    .batch
                    .column(1)
                    .as_any()
                    .downcast_ref::<Int32Array>()
                    .unwrap();
                b.values().to_vec()
            })
            .collect()
    }

    fn run(spec: &str) -> Vec<Vec<i32>> {
        let (schema, batch) = input();
        let parts =
            logical_partitions(&schema, &[batch], &PartitionSpec::parse(spec).unwrap(), 1).unwrap();
        calls(&parts)
    }

    #[test]
    fn keys_group_with_null_last_in_input_order() {
        assert_eq!(run("by=a"), vec![vec![5, 3], vec![1], vec![2, 9]]);
        assert_eq!(
            run("by=a; presort=b desc"),
            vec![vec![5, 3], vec![1], vec![9, 2]]
        );
    }

    #[test]
    fn no_keys_one_call_or_even_chunks() {
        assert_eq!(run(""), vec![vec![5, 2, 3, 1, 9]]);
        assert_eq!(run("presort=b"), vec![vec![1, 2, 3, 5, 9]]);
        assert_eq!(run("num=2"), vec![vec![5, 2, 3], vec![1, 9]]);
        assert_eq!(
            run("num=ROWCOUNT"),
            vec![vec![5], vec![2], vec![3], vec![1], vec![9]]
        );
    }

    #[test]
    fn coarse_sorts_everything_by_keys_then_presort() {
        assert_eq!(
            run("by=a; presort=b; num=1; algo=coarse"),
            vec![vec![3, 5, 1, 2, 9]]
        );
    }

    #[test]
    fn key_values_are_reported() {
        let (schema, batch) = input();
        let parts =
            logical_partitions(&schema, &[batch], &PartitionSpec::parse("by=a").unwrap(), 1)
                .unwrap();
        let keys: Vec<Option<f64>> = parts
            .iter()
            .map(|p| {
                let k = p.keys.as_ref().unwrap();
                let a = k.column(0).as_any().downcast_ref::<Float64Array>().unwrap();
                if a.is_null(0) { None } else { Some(a.value(0)) }
            })
            .collect();
        assert_eq!(keys, vec![Some(1.0), Some(2.0), None]);
        assert_eq!(
            parts.iter().map(|p| p.partition_no).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
    }

    #[test]
    fn empty_input_semantics() {
        let (schema, batch) = input();
        let empty = batch.slice(0, 0);
        let spec = |s: &str| PartitionSpec::parse(s).unwrap();
        assert_eq!(
            logical_partitions(&schema, std::slice::from_ref(&empty), &spec(""), 1)
                .unwrap()
                .len(),
            1
        );
        assert!(
            logical_partitions(&schema, std::slice::from_ref(&empty), &spec("by=a"), 1)
                .unwrap()
                .is_empty()
        );
        assert!(
            logical_partitions(&schema, std::slice::from_ref(&empty), &spec("num=2"), 1)
                .unwrap()
                .is_empty()
        );
        assert!(
            logical_partitions(&schema, &[], &spec("by=a"), 1)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn missing_columns_are_reported() {
        let (schema, batch) = input();
        let e = logical_partitions(&schema, &[batch], &PartitionSpec::parse("by=x").unwrap(), 1)
            .unwrap_err();
        assert_eq!(e.kind(), fugue_core::ErrorKind::ColumnNotFound);
    }

    #[test]
    fn chunks_differ_by_at_most_one() {
        assert_eq!(even_chunks(5, 2), vec![(0, 3), (3, 2)]);
        assert_eq!(even_chunks(2, 3), vec![(0, 1), (1, 1), (2, 0)]);
    }
}
