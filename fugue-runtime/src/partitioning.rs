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
//! Ordering uses `arrow-row`: the keys (ascending, NULLs last) and the presort columns (with their
//! own direction and NULL placement) are encoded into byte-comparable rows. With keys, rows are
//! grouped by hashing the key bytes (equal keys have equal bytes), the distinct keys are sorted,
//! a stable counting sort places every row in its group (input order kept), and only then is
//! each group sorted by its presort bytes: `O(n)` plus small sorts instead of one comparison sort
//! of every row. Fixed-width encodings of at most 16 bytes (one or two numeric columns) are
//! compared as packed `u128`s, which sorts (value, index) pairs without indirection.

use arrow::array::{ArrayRef, RecordBatch, UInt32Array};
use arrow::compute::{SortOptions, concat_batches, take_record_batch};
use arrow::datatypes::SchemaRef;
use arrow::row::{RowConverter, Rows, SortField};
use foldhash::fast::FixedState;
use fugue_core::{FugueError, PartitionAlgo, PartitionSpec, Result, Schema};
use std::collections::HashMap;

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
        let (order, groups) = grouped_order(&batch, spec)?;
        let sorted = take_rows(&batch, Some(&order))?;
        drop(order);
        let key_indices: Vec<usize> = spec
            .keys()
            .iter()
            .filter_map(|k| schema.index_of(k).ok())
            .collect();
        let key_columns = sorted.project(&key_indices)?;
        let mut parts = Vec::with_capacity(groups.len());
        for window in groups.windows(2) {
            let (start, end) = (window[0], window[1]);
            parts.push(LogicalPartition {
                batch: sorted.slice(start, end - start),
                partition_no: parts.len(),
                keys: Some(key_columns.slice(start, 1)),
            });
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
    let keys = sort_keys(batch, spec, with_keys, true)?;
    let mut order: Vec<u32> = (0..batch.num_rows() as u32).collect();
    stable_sort(&keys, &mut order, &mut Vec::new());
    Ok(Some(order))
}

/// Sort `indices`, which are increasing (input order), stably by their rows: rows that tie keep
/// their input order.
fn stable_sort(keys: &SortKeys, indices: &mut [u32], scratch: &mut Vec<(u128, u32)>) {
    if indices.len() < 2 {
        return;
    }
    match keys {
        SortKeys::Packed(packed) => {
            // (value, index) pairs are all distinct and the indices increase, so an unstable
            // sort of the pairs is a stable sort of the indices.
            scratch.clear();
            scratch.extend(indices.iter().map(|i| (packed[*i as usize], *i)));
            scratch.sort_unstable();
            for (slot, (_, i)) in indices.iter_mut().zip(scratch.iter()) {
                *slot = *i;
            }
        }
        // `sort_by` is stable: rows that tie keep their order.
        SortKeys::Rows(rows) => {
            indices.sort_by(|a, b| rows.row(*a as usize).cmp(&rows.row(*b as usize)))
        }
    }
}

/// The order of the rows grouped by keys (groups in key order, NULLs last), each group in input
/// order or sorted by the presort, and the group boundaries (`groups[i]..groups[i + 1]` is group
/// `i` in the order; the first boundary is 0, the last is the row count).
fn grouped_order(batch: &RecordBatch, spec: &PartitionSpec) -> Result<(Vec<u32>, Vec<usize>)> {
    let n = batch.num_rows();
    let keys = sort_keys(batch, spec, true, false)?;
    // Group ids by first appearance.
    let mut ids: Vec<u32> = Vec::with_capacity(n);
    let mut firsts: Vec<u32> = Vec::new();
    let hasher = FixedState::with_seed(0);
    match &keys {
        SortKeys::Packed(packed) => {
            let mut seen: HashMap<u128, u32, FixedState> = HashMap::with_hasher(hasher);
            for (i, key) in packed.iter().enumerate() {
                let next = firsts.len() as u32;
                let id = *seen.entry(*key).or_insert_with(|| {
                    firsts.push(i as u32);
                    next
                });
                ids.push(id);
            }
        }
        SortKeys::Rows(rows) => {
            let mut seen: HashMap<&[u8], u32, FixedState> = HashMap::with_hasher(hasher);
            for (i, row) in rows.iter().enumerate() {
                let next = firsts.len() as u32;
                let id = *seen.entry(row.data()).or_insert_with(|| {
                    firsts.push(i as u32);
                    next
                });
                ids.push(id);
            }
        }
    }
    // The groups in key order.
    let mut by_key: Vec<u32> = (0..firsts.len() as u32).collect();
    match &keys {
        SortKeys::Packed(packed) => {
            by_key.sort_unstable_by_key(|g| packed[firsts[*g as usize] as usize])
        }
        SortKeys::Rows(rows) => by_key.sort_unstable_by(|a, b| {
            rows.row(firsts[*a as usize] as usize)
                .cmp(&rows.row(firsts[*b as usize] as usize))
        }),
    }
    drop(keys);
    let mut counts = vec![0_usize; firsts.len()];
    for id in &ids {
        counts[*id as usize] += 1;
    }
    // Where each group starts in the order: a stable counting sort.
    let mut next = vec![0_usize; firsts.len()];
    let mut groups = Vec::with_capacity(firsts.len() + 1);
    let mut offset = 0;
    for g in &by_key {
        groups.push(offset);
        next[*g as usize] = offset;
        offset += counts[*g as usize];
    }
    groups.push(offset);
    drop(counts);
    let mut order = vec![0_u32; n];
    for (row, id) in ids.iter().enumerate() {
        let slot = &mut next[*id as usize];
        order[*slot] = row as u32;
        *slot += 1;
    }
    drop(ids);
    if !spec.presort().is_empty() {
        let presort = sort_keys(batch, spec, false, true)?;
        let mut scratch = Vec::new();
        for window in groups.windows(2) {
            stable_sort(&presort, &mut order[window[0]..window[1]], &mut scratch);
        }
    }
    Ok((order, groups))
}

/// Encode the keys (ascending, NULLs last) when `keys`, then the presort columns when `presort`.
/// The row converter and the columns of the keys (ascending, NULLs last) when `keys`, then of
/// the presort columns when `presort`.
fn converter(
    batch: &RecordBatch,
    spec: &PartitionSpec,
    keys: bool,
    presort: bool,
) -> Result<(RowConverter, Vec<ArrayRef>)> {
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
    Ok((RowConverter::new(fields)?, columns))
}

/// Byte-comparable sort keys of every row.
enum SortKeys {
    /// Fixed-width encodings of at most 16 bytes, packed so that integers compare as the bytes.
    Packed(Vec<u128>),
    /// Any other encoding.
    Rows(Rows),
}

/// Rows encoded per chunk when packing, so that the encoded rows of the whole input are never
/// held at once.
const PACK_CHUNK_ROWS: usize = 65_536;

/// The sort keys of the keys (when `keys`) then the presort (when `presort`).
fn sort_keys(
    batch: &RecordBatch,
    spec: &PartitionSpec,
    keys: bool,
    presort: bool,
) -> Result<SortKeys> {
    let (converter, columns) = converter(batch, spec, keys, presort)?;
    let n = batch.num_rows();
    let fixed = columns
        .iter()
        .all(|c| c.data_type().primitive_width().is_some());
    if fixed {
        let mut packed = Vec::with_capacity(n);
        let mut width = None;
        let mut offset = 0;
        while offset < n {
            let len = PACK_CHUNK_ROWS.min(n - offset);
            let chunk: Vec<ArrayRef> = columns.iter().map(|c| c.slice(offset, len)).collect();
            let rows = converter.convert_columns(&chunk)?;
            if !pack_into(&rows, &mut width, &mut packed) {
                return Ok(SortKeys::Rows(converter.convert_columns(&columns)?));
            }
            offset += len;
        }
        return Ok(SortKeys::Packed(packed));
    }
    Ok(SortKeys::Rows(converter.convert_columns(&columns)?))
}

/// Append `rows` packed into `u128`s to `out`, when every row has the same length (`width`, set
/// by the first chunk) of at most 16 bytes; `false` otherwise.
fn pack_into(rows: &Rows, width: &mut Option<usize>, out: &mut Vec<u128>) -> bool {
    let n = rows.num_rows();
    if n == 0 {
        return true;
    }
    let w = *width.get_or_insert(rows.row_len(0));
    if w > 16 || (0..n).any(|i| rows.row_len(i) != w) {
        return false;
    }
    out.extend(rows.iter().map(|row| {
        // Right-aligned big-endian: equal lengths make the integer order the byte order.
        let mut buf = [0_u8; 16];
        buf[16 - w..].copy_from_slice(row.data());
        u128::from_be_bytes(buf)
    }));
    true
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
    use arrow::array::{Array, Float64Array, Int32Array, Int64Array};
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

    /// The reference: one stable comparison sort of (keys, presort) rows, groups where the key
    /// bytes change; returns each group's row numbers (column `i`).
    fn reference(batch: &RecordBatch, spec: &PartitionSpec) -> Vec<Vec<i64>> {
        let (converter, columns) = converter(batch, spec, true, true).unwrap();
        let rows = converter.convert_columns(&columns).unwrap();
        let (key_conv, key_cols) = converter_for_keys(batch, spec);
        let keys = key_conv.convert_columns(&key_cols).unwrap();
        let mut order: Vec<usize> = (0..batch.num_rows()).collect();
        order.sort_by(|a, b| rows.row(*a).cmp(&rows.row(*b)));
        let ids = batch
            .column_by_name("i")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let mut out: Vec<Vec<i64>> = Vec::new();
        for (pos, row) in order.iter().enumerate() {
            if pos == 0 || keys.row(*row) != keys.row(order[pos - 1]) {
                out.push(Vec::new());
            }
            out.last_mut().unwrap().push(ids.value(*row));
        }
        out
    }

    fn converter_for_keys(
        batch: &RecordBatch,
        spec: &PartitionSpec,
    ) -> (RowConverter, Vec<ArrayRef>) {
        converter(batch, spec, true, false).unwrap()
    }

    fn ids_of(parts: &[LogicalPartition]) -> Vec<Vec<i64>> {
        parts
            .iter()
            .map(|p| {
                let ids = p.batch.column_by_name("i").unwrap();
                let ids = ids.as_any().downcast_ref::<Int64Array>().unwrap();
                ids.values().to_vec()
            })
            .collect()
    }

    #[test]
    fn grouping_matches_a_full_stable_sort() {
        // Deterministic pseudo-random data with NULLs, NaNs, -0.0, ties and string keys, longer
        // than one packing chunk.
        let n = 150_000_usize;
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut k, mut f, mut s) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let r = next();
            k.push((r % 97 != 0).then_some((r % 300) as i64 - 150));
            f.push(match r % 11 {
                0 => None,
                1 => Some(f64::NAN),
                2 => Some(-0.0),
                3 => Some(0.0),
                _ => Some(((r >> 20) % 50) as f64 / 7.0),
            });
            s.push((r % 13 != 0).then(|| format!("w{}", (r >> 8) % 40)));
        }
        let schema = Arc::new(ArrowSchema::new(vec![
            Field::new("k", DataType::Int64, true),
            Field::new("f", DataType::Float64, true),
            Field::new("s", DataType::Utf8, true),
            Field::new("i", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(k)),
                Arc::new(Float64Array::from(f)),
                Arc::new(arrow::array::StringArray::from(s)),
                Arc::new(Int64Array::from_iter_values(0..n as i64)),
            ],
        )
        .unwrap();
        for text in [
            "by=k",
            "by=k; presort=f desc",
            "by=k; presort=f asc",
            "by=f; presort=k desc",
            "by=s; presort=f desc, k",
            "by=s,k",
            "by=k,f; presort=s",
        ] {
            let spec = PartitionSpec::parse(text).unwrap();
            let parts =
                logical_partitions(&schema, std::slice::from_ref(&batch), &spec, 1).unwrap();
            assert_eq!(ids_of(&parts), reference(&batch, &spec), "{text}");
        }
        // A whole-input presort (no keys) agrees too.
        let spec = PartitionSpec::parse("presort=f desc, k").unwrap();
        let parts = logical_partitions(&schema, std::slice::from_ref(&batch), &spec, 1).unwrap();
        let (converter, columns) = converter(&batch, &spec, false, true).unwrap();
        let rows = converter.convert_columns(&columns).unwrap();
        let mut order: Vec<i64> = (0..n as i64).collect();
        order.sort_by(|a, b| rows.row(*a as usize).cmp(&rows.row(*b as usize)));
        assert_eq!(ids_of(&parts), vec![order]);
    }

    #[test]
    fn chunks_differ_by_at_most_one() {
        assert_eq!(even_chunks(5, 2), vec![(0, 3), (3, 2)]);
        assert_eq!(even_chunks(2, 3), vec![(0, 1), (1, 1), (2, 0)]);
    }
}
