//! The reference co-transformation (zip + comap, reference §2.7) on one thread: the frames are
//! grouped by the zip keys, and the function is called once per key with one input stream per
//! frame (a frame without that key contributes an empty stream of its schema).
//!
//! Differences from Fugue, decided here: the frames are not serialised into one zipped frame
//! (they stay Arrow batches, grouped in place), and a NULL key is a key value like any other, as
//! in partitioning (Fugue joins the serialised groups with SQL, where NULL keys never match).

use super::options::ZipHow;
use crate::frame::{ArrowFrame, DataFrame};
use crate::function::{
    Callback, Params, PartitionContext, PartitionCursor, PartitionFunction, check_output,
    in_partition, stream_of,
};
use crate::partitioning::logical_partitions;
use arrow::array::RecordBatch;
use arrow::compute::SortOptions;
use arrow::row::{RowConverter, SortField};
use fugue_core::types::{same_type, type_expr};
use fugue_core::{FugueError, PartitionSpec, Result, Schema, SortKey};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The zip keys: the spec's keys, or (not cross) the columns common to every frame, in the
/// first frame's order. Keys must exist in every frame with one type.
fn zip_keys(schemas: &[Schema], how: ZipHow, spec: &PartitionSpec) -> Result<Vec<String>> {
    if how == ZipHow::Cross {
        if !spec.keys().is_empty() {
            return Err(FugueError::invalid_argument(
                "partition",
                "a cross zip has no keys; remove the partition keys",
            ));
        }
        return Ok(Vec::new());
    }
    let keys: Vec<String> = if spec.keys().is_empty() {
        schemas[0]
            .names()
            .filter(|n| schemas.iter().all(|s| s.contains_name(n)))
            .map(str::to_string)
            .collect()
    } else {
        spec.keys().to_vec()
    };
    if keys.is_empty() && schemas.len() > 1 {
        return Err(FugueError::invalid_argument(
            "partition",
            "the frames to zip have no common column; give partition keys or use a cross zip",
        ));
    }
    for key in &keys {
        let first = schemas[0].column(key);
        for schema in schemas {
            let Some(column) = schema.column(key) else {
                return Err(FugueError::column_not_found(
                    key,
                    "a frame of the zip",
                    schema,
                    schema.names(),
                ));
            };
            if let Some(first) = first
                && !same_type(first.data_type(), column.data_type())
            {
                return Err(FugueError::TypeMismatch {
                    column: key.clone(),
                    context: "a frame of the zip (zip keys must have equal types)".into(),
                    expected: type_expr(first.data_type()),
                    found: type_expr(column.data_type()),
                });
            }
        }
    }
    Ok(keys)
}

/// One key group: the key row and each frame's rows.
struct Group {
    keys: RecordBatch,
    parts: Vec<Option<RecordBatch>>,
}

/// Run `function` once per key group of the zipped `dfs` (see the module docs).
pub fn run_comap(
    dfs: Vec<DataFrame>,
    how: ZipHow,
    spec: &PartitionSpec,
    function: &dyn PartitionFunction,
    params: Arc<Params>,
    callback: Option<Callback>,
) -> Result<DataFrame> {
    if dfs.is_empty() {
        return Err(FugueError::invalid_argument(
            "dfs",
            "comap needs at least one frame",
        ));
    }
    let frames: Vec<ArrowFrame> = dfs
        .into_iter()
        .map(DataFrame::to_arrow_frame)
        .collect::<Result<_>>()?;
    let schemas: Vec<Schema> = frames.iter().map(|f| f.schema().clone()).collect();
    function.check(spec, &schemas, &params, callback.is_some())?;
    let output_schema = function.output_schema(&schemas)?;
    let keys = zip_keys(&schemas, how, spec)?;
    let name = function.name();
    let mut out = Vec::new();
    let mut call = |cursor: PartitionCursor, inputs: Vec<RecordBatch>| -> Result<()> {
        let ctx = PartitionContext {
            cursor: cursor.clone(),
            params: params.clone(),
            callback: callback.clone(),
        };
        let streams = inputs.into_iter().map(|b| stream_of(vec![b])).collect();
        let stream = function
            .call(ctx, streams)
            .map_err(|e| in_partition(name, &cursor, e))?;
        for batch in stream {
            let batch = batch.map_err(|e| in_partition(name, &cursor, e))?;
            check_output(name, &output_schema, &batch)?;
            out.push(batch);
        }
        Ok(())
    };

    // Per frame: its presort items that exist in it (reference §2.7).
    let spec_for = |schema: &Schema| -> Result<PartitionSpec> {
        let presort: Vec<SortKey> = spec
            .presort()
            .iter()
            .filter(|k| schema.contains_name(&k.name))
            .cloned()
            .collect();
        PartitionSpec::builder()
            .by(keys.iter().map(String::as_str))
            .presort_keys(presort)
            .build()
    };

    if keys.is_empty() {
        let mut inputs = Vec::with_capacity(frames.len());
        for frame in &frames {
            let parts = logical_partitions(
                frame.arrow_schema(),
                frame.batches(),
                &spec_for(frame.schema())?,
                1,
            )?;
            let batch = match parts.into_iter().next() {
                Some(p) => p.batch,
                None => RecordBatch::new_empty(frame.arrow_schema().clone()),
            };
            inputs.push(batch);
        }
        call(PartitionCursor::new(Vec::new(), 0, 0, 0), inputs)?;
    } else {
        let key_fields: Vec<SortField> = keys
            .iter()
            .filter_map(|k| schemas[0].column(k))
            .map(|c| {
                SortField::new_with_options(
                    c.data_type().clone(),
                    SortOptions {
                        descending: false,
                        nulls_first: false,
                    },
                )
            })
            .collect();
        let converter = RowConverter::new(key_fields)?;
        let mut groups: BTreeMap<Vec<u8>, Group> = BTreeMap::new();
        for (i, frame) in frames.iter().enumerate() {
            let parts = logical_partitions(
                frame.arrow_schema(),
                frame.batches(),
                &spec_for(frame.schema())?,
                1,
            )?;
            for part in parts {
                let Some(key_batch) = part.keys else {
                    return Err(FugueError::Internal(
                        "a keyed partition without keys".into(),
                    ));
                };
                let rows = converter.convert_columns(key_batch.columns())?;
                let encoded = rows.row(0).as_ref().to_vec();
                let group = groups.entry(encoded).or_insert_with(|| Group {
                    keys: key_batch.clone(),
                    parts: vec![None; frames.len()],
                });
                group.parts[i] = Some(part.batch);
            }
        }
        // The encoded keys order groups by key, NULLs last, as in partitioning.
        let last = frames.len() - 1;
        for (no, group) in groups
            .into_values()
            .filter(|g| match how {
                ZipHow::Inner => g.parts.iter().all(Option::is_some),
                ZipHow::LeftOuter => g.parts[0].is_some(),
                ZipHow::RightOuter => g.parts[last].is_some(),
                ZipHow::FullOuter | ZipHow::Cross => true,
            })
            .enumerate()
        {
            let cursor = PartitionCursor::from_key_batch(Some(&group.keys), no, 0)?;
            let inputs = group
                .parts
                .into_iter()
                .zip(&frames)
                .map(|(p, f)| p.unwrap_or_else(|| RecordBatch::new_empty(f.arrow_schema().clone())))
                .collect();
            call(cursor, inputs)?;
        }
    }
    Ok(DataFrame::from(ArrowFrame::new(output_schema, out)?))
}
