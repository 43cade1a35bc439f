//! Row-local operations on Arrow data, shared by every engine of one machine: `dropna`,
//! `fillna` and `sample`.
//!
//! They need no relational planning (each row is decided alone, or drawn by index), so they run
//! on Arrow kernels directly, with the same result on every engine; `dropna` and `fillna` are
//! checked once and then applied batch by batch ([`BatchMap`]), lazily on streams and plans. `sample` in particular must
//! be reproducible with a seed, which DataFusion's `TABLESAMPLE` is not.

use super::checks::subset_indices;
use super::options::{DropHow, FillValue, SampleSize};
use crate::frame::{ArrowFrame, DataFrame};
use crate::value::{array_from_values, convert_value};
use arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch, Scalar, UInt32Array};
use arrow::compute::kernels::zip::zip;
use arrow::compute::{concat_batches, filter_record_batch, is_not_null, take_record_batch};
use fugue_core::{FugueError, Result, Schema};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hash::BuildHasher;

/// The frame's rows as one batch.
fn one_batch(frame: &ArrowFrame) -> Result<RecordBatch> {
    Ok(concat_batches(frame.arrow_schema(), frame.batches())?)
}

/// A row-local operation checked against a schema, applied batch by batch: to every batch of a
/// frame at once, or lazily to a stream or a plan as its batches are read (so a scan, then
/// `dropna`, then a save runs in bounded memory). The checks (columns, values) come first,
/// whatever the frame.
pub type BatchMap = Box<dyn Fn(&RecordBatch) -> Result<RecordBatch> + Send + Sync>;

/// `map` (the operation `name`) applied to a frame (the schema is unchanged): every batch
/// now, or as they are read for a stream; a node of the plan for a plan of this process.
pub(crate) fn apply(df: DataFrame, name: &'static str, map: BatchMap) -> Result<DataFrame> {
    #[cfg(feature = "datafusion")]
    if let DataFrame::Plan(plan) = &df
        && plan.location().is_none()
    {
        let schema = plan.schema().clone();
        return Ok(plan.clone().mapped(name, &schema, None, map.into())?.into());
    }
    #[cfg(not(feature = "datafusion"))]
    let _ = name;
    if df.is_lazy() {
        let stream = df.to_stream_frame()?;
        let schema = stream.schema().clone();
        return Ok(stream.map_batches(schema, move |b, _| map(b)).into());
    }
    let frame = df.to_arrow_frame()?;
    let batches = frame
        .batches()
        .iter()
        .map(&map)
        .collect::<Result<Vec<_>>>()?;
    Ok(ArrowFrame::new(frame.schema().clone(), batches)?
        .with_metadata(frame.metadata().clone())
        .into())
}

/// Drop rows with NULLs among the considered columns (reference §2.5): `Any` drops a row with
/// any NULL there, `All` a row whose considered values are all NULL; `thresh` overrides `how`
/// and keeps rows with at least `thresh` non-NULL considered values. NaN is a value, not NULL.
pub fn dropna(
    schema: &Schema,
    how: DropHow,
    thresh: Option<usize>,
    subset: Option<&[&str]>,
) -> Result<BatchMap> {
    let indices = subset_indices("dropna", schema, subset)?;
    if let Some(&[]) = subset {
        return Err(FugueError::invalid_argument(
            "subset",
            "the subset of dropna is empty; give at least one column or none",
        ));
    }
    let considered = indices.len();
    let keep_if = move |non_null: usize| match (thresh, how) {
        (Some(t), _) => non_null >= t,
        (None, DropHow::Any) => non_null == considered,
        (None, DropHow::All) => non_null > 0,
    };
    Ok(Box::new(move |batch: &RecordBatch| {
        let mut counts = vec![0_usize; batch.num_rows()];
        for &i in &indices {
            let column = batch.column(i);
            match column.logical_nulls() {
                None => counts.iter_mut().for_each(|c| *c += 1),
                Some(nulls) => counts
                    .iter_mut()
                    .zip(nulls.iter())
                    .for_each(|(c, valid)| *c += usize::from(valid)),
            }
        }
        let mask: BooleanArray = counts.into_iter().map(|c| Some(keep_if(c))).collect();
        Ok(filter_record_batch(batch, &mask)?)
    }))
}

/// Replace NULLs (never NaN) by fill values (reference §2.5): one value for the `subset` (or
/// every column), or a value per column (then `subset` is ignored). Each value is converted to
/// its column's type; one that does not fit is [`FugueError::Cast`] naming the column.
pub fn fillna(schema: &Schema, value: &FillValue, subset: Option<&[&str]>) -> Result<BatchMap> {
    let fills = fill_values(schema, value, subset)?;
    Ok(Box::new(move |batch: &RecordBatch| {
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        for (i, fill) in &fills {
            let column = &columns[*i];
            if column.null_count() == 0 && column.logical_nulls().is_none() {
                continue;
            }
            let mask = is_not_null(column.as_ref())?;
            columns[*i] = zip(&mask, column, &Scalar::new(fill.clone()))?;
        }
        Ok(RecordBatch::try_new(batch.schema(), columns)?)
    }))
}

/// The columns `fillna` fills and each one's fill value, converted to the column's type (a
/// one-row array), checked: the rule both the kernel and a cluster plan's `fillna` apply.
pub(crate) fn fill_values(
    schema: &Schema,
    value: &FillValue,
    subset: Option<&[&str]>,
) -> Result<Vec<(usize, ArrayRef)>> {
    value.validate()?;
    let targets: Vec<(usize, &crate::value::Value)> = match value {
        FillValue::All(v) => subset_indices("fillna", schema, subset)?
            .into_iter()
            .map(|i| (i, v))
            .collect(),
        FillValue::PerColumn(pairs) => pairs
            .iter()
            .map(|(name, v)| {
                let i = schema.index_of(name).ok_or_else(|| {
                    FugueError::column_not_found(
                        name,
                        "the fill values of fillna",
                        schema,
                        schema.names(),
                    )
                })?;
                Ok((i, v))
            })
            .collect::<Result<_>>()?,
    };
    let mut fills: Vec<(usize, ArrayRef)> = Vec::with_capacity(targets.len());
    for (i, v) in targets {
        let column = &schema.columns()[i];
        let converted = convert_value(column.name(), v, column.data_type())?;
        if converted.is_null() {
            return Err(FugueError::Cast {
                column: column.name().to_string(),
                value: v.to_string(),
                to: fugue_core::types::type_expr(column.data_type()),
                reason: "the fill value does not fit the column's type".into(),
            });
        }
        fills.push((
            i,
            array_from_values(std::slice::from_ref(&converted), column.data_type())?,
        ));
    }
    Ok(fills)
}

/// A seed when none is given: random per call (from the standard library's randomly keyed
/// hasher), so unseeded samples differ between runs.
fn random_seed() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::collections::hash_map::RandomState::new().hash_one((n, std::process::id()))
}

/// Draw rows at random (reference §2.5): `Rows(n)` takes exactly `n` rows, `Fraction(f)` takes
/// `round(f * rows)` rows; without replacement each row is taken at most once (so `n` may not
/// exceed the row count, and the sampled rows keep their input order), with replacement rows
/// are drawn independently. The same seed gives the same rows on every engine.
pub fn sample(
    frame: ArrowFrame,
    size: SampleSize,
    replace: bool,
    seed: Option<u64>,
) -> Result<ArrowFrame> {
    let batch = one_batch(&frame)?;
    let rows = batch.num_rows();
    let n = match size {
        SampleSize::Rows(n) => n,
        SampleSize::Fraction(f) => {
            if !replace && f > 1.0 {
                return Err(FugueError::invalid_argument(
                    "frac",
                    format!("a fraction above 1 ({f}) needs `replace = true`"),
                ));
            }
            (f * rows as f64).round() as usize
        }
    };
    if !replace && n > rows {
        return Err(FugueError::invalid_argument(
            "n",
            format!("cannot take {n} rows without replacement from {rows} rows"),
        ));
    }
    let too_many = || FugueError::invalid_argument("n", "more than 2^32 rows cannot be sampled");
    let rows32 = u32::try_from(rows).map_err(|_| too_many())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed.unwrap_or_else(random_seed));
    let indices: Vec<u32> = if replace {
        if rows == 0 {
            Vec::new()
        } else {
            (0..n).map(|_| rng.random_range(0..rows32)).collect()
        }
    } else {
        // A partial Fisher-Yates shuffle picks `n` distinct rows; sorting keeps input order.
        let mut all: Vec<u32> = (0..rows32).collect();
        for i in 0..n {
            let j = rng.random_range(i..rows);
            all.swap(i, j);
        }
        all.truncate(n);
        all.sort_unstable();
        all
    };
    let taken = take_record_batch(&batch, &UInt32Array::from(indices))?;
    ArrowFrame::new(frame.schema().clone(), vec![taken])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn frame() -> ArrowFrame {
        let v = |x: Option<f64>| x.map_or(Value::Null, Value::from);
        let rows: Vec<Vec<Value>> = [
            [Some(4.0), None, Some(6.0)],
            [Some(1.0), Some(2.0), Some(3.0)],
            [Some(4.0), None, None],
            [None, None, None],
        ]
        .iter()
        .map(|r| r.iter().map(|x| v(*x)).collect())
        .collect();
        ArrowFrame::from_rows("a:double,b:double,c:double", &rows).unwrap()
    }

    /// An operation applied to the frame, eagerly.
    fn applied(map: Result<BatchMap>) -> ArrowFrame {
        apply(DataFrame::from(frame()), "test", map.unwrap())
            .unwrap()
            .to_arrow_frame()
            .unwrap()
    }

    #[test]
    fn dropna_counts_nulls() {
        assert_eq!(
            applied(dropna(frame().schema(), DropHow::Any, None, None)).count(),
            1
        );
        assert_eq!(
            applied(dropna(frame().schema(), DropHow::All, None, None)).count(),
            3
        );
        assert_eq!(
            applied(dropna(frame().schema(), DropHow::Any, Some(2), None)).count(),
            2
        );
        assert_eq!(
            applied(dropna(frame().schema(), DropHow::Any, None, Some(&["a"]))).count(),
            3
        );
    }

    #[test]
    fn fillna_converts_the_value() {
        let out = applied(fillna(
            frame().schema(),
            &FillValue::All(Value::from(1_i64)),
            Some(&["b"]),
        ));
        let rows = out.to_rows().unwrap();
        assert_eq!(rows[0][1], Value::Float64(1.0));
        assert_eq!(rows[3][0], Value::Null);
    }

    #[test]
    fn sample_is_reproducible() {
        let rows: Vec<Vec<Value>> = (0..50_i32).map(|i| vec![Value::from(i)]).collect();
        let f = ArrowFrame::from_rows("a:int", &rows).unwrap();
        let a = sample(f.clone(), SampleSize::Rows(10), false, Some(7)).unwrap();
        let b = sample(f.clone(), SampleSize::Rows(10), false, Some(7)).unwrap();
        assert_eq!(a.to_rows().unwrap(), b.to_rows().unwrap());
        assert_eq!(a.count(), 10);
        let c = sample(f.clone(), SampleSize::Fraction(0.5), true, Some(1)).unwrap();
        assert_eq!(c.count(), 25);
        assert!(sample(f, SampleSize::Rows(51), false, None).is_err());
    }
}
