//! Zip and comap: the co-transformer substrate (reference §2.7).
//!
//! Several frames are grouped by the same keys (the spec's keys, or the columns common to all
//! frames); the function is called once per key group with one stream per frame. Which groups
//! are called depends on [`ZipHow`]; a frame missing from a called group is passed as an
//! **empty** stream of its schema, never left out. Unlike Fugue, nothing is serialised: the
//! frames are routed by key like a map's input ([`super::parallel_map`]), and every worker zips
//! the physical partitions it owns.
//!
//! Decisions where Fugue leaves it open: a NULL key is a key (as partitioning keeps a NULL group);
//! groups of one physical partition are called in key order (ascending, NULL last); without
//! keys (a `cross` zip, or a single frame and no keys) there is exactly one call with every
//! frame whole, even when all are empty. The presort items that exist in a frame's schema order
//! that frame's rows in each group (stable: ties keep input order).

use super::pool::{self, Call, Feeder, Job};
use super::route::Router;
use super::{ExecutorOptions, Handler, count_if_needed, into_stream, placement};
use crate::frame::{ArrowFrame, DataFrame};
use crate::function::{
    Callback, Cursors, Params, PartitionContext, PartitionFunction, PhysicalInit, check_output,
    in_partition, stream_of,
};
use arrow::array::{ArrayRef, RecordBatch, UInt32Array};
use arrow::compute::{SortOptions, concat_batches, take_record_batch};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::row::{OwnedRow, RowConverter, SortField};
use fugue_core::{FugueError, PartitionSpec, Result, Schema, types};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use fugue_core::options::ZipHow;

/// The zip keys of these frames: the spec's keys, or (not `cross`, several frames) the columns
/// common to all frames in the first frame's order.
///
/// Errors: keys with `cross`, or no frame, is [`FugueError::InvalidArgument`]; no common column
/// is [`FugueError::InvalidArgument`]; a key missing from a frame is
/// [`FugueError::ColumnNotFound`]; a key whose type differs between frames is
/// [`FugueError::TypeMismatch`].
pub fn zip_keys(schemas: &[Schema], spec: &PartitionSpec, how: ZipHow) -> Result<Vec<String>> {
    let Some(first) = schemas.first() else {
        return Err(FugueError::invalid_argument(
            "dfs",
            "zip needs at least one dataframe",
        ));
    };
    if how == ZipHow::Cross {
        if !spec.keys().is_empty() {
            return Err(FugueError::invalid_argument(
                "partition_by",
                format!("a cross zip takes no keys, got `{}`", spec.keys().join(",")),
            ));
        }
        return Ok(Vec::new());
    }
    let keys: Vec<String> = if !spec.keys().is_empty() {
        spec.keys().to_vec()
    } else if schemas.len() > 1 {
        let common: Vec<String> = first
            .names()
            .filter(|name| schemas.iter().all(|s| s.contains_name(name)))
            .map(str::to_string)
            .collect();
        if common.is_empty() {
            let all: Vec<String> = schemas.iter().map(|s| format!("`{s}`")).collect();
            return Err(FugueError::invalid_argument(
                "partition_by",
                format!(
                    "the zipped frames have no common column ({}); give the keys with `by`",
                    all.join(", ")
                ),
            ));
        }
        common
    } else {
        Vec::new()
    };
    for key in &keys {
        let mut expected: Option<&DataType> = None;
        for (i, schema) in schemas.iter().enumerate() {
            let column = schema.column(key).ok_or_else(|| {
                FugueError::column_not_found(
                    key,
                    format!("zip input {}", i + 1),
                    schema,
                    schema.names(),
                )
            })?;
            match expected {
                None => expected = Some(column.data_type()),
                Some(t) if !types::same_type(t, column.data_type()) => {
                    return Err(FugueError::TypeMismatch {
                        column: key.clone(),
                        context: format!("zip input {}", i + 1),
                        expected: types::type_expr(t),
                        found: types::type_expr(column.data_type()),
                    });
                }
                Some(_) => {}
            }
        }
    }
    Ok(keys)
}

/// Everything needed to zip the frames of one physical partition.
pub(crate) struct Zip {
    schemas: Vec<SchemaRef>,
    key_indices: Vec<Vec<usize>>,
    key_types: Vec<DataType>,
    presorts: Vec<Vec<(usize, SortOptions)>>,
    how: ZipHow,
    /// Cursors whose row is the group's key values (the columns every frame has).
    cursors: Cursors,
}

impl Zip {
    fn new(schemas: &[Schema], spec: &PartitionSpec, how: ZipHow) -> Result<Self> {
        let keys = zip_keys(schemas, spec, how)?;
        let arrow: Vec<SchemaRef> = schemas.iter().map(|s| Arc::new(s.to_arrow())).collect();
        let key_indices = arrow
            .iter()
            .map(|s| keys.iter().filter_map(|k| s.index_of(k).ok()).collect())
            .collect();
        let key_types = keys
            .iter()
            .filter_map(|k| arrow[0].field_with_name(k).ok())
            .map(|f| f.data_type().clone())
            .collect();
        let presorts = arrow
            .iter()
            .map(|s| {
                spec.presort()
                    .iter()
                    .filter_map(|p| {
                        let options = SortOptions {
                            descending: p.descending,
                            nulls_first: p.nulls_first,
                        };
                        s.index_of(&p.name).ok().map(|i| (i, options))
                    })
                    .collect()
            })
            .collect();
        let key_columns = keys
            .iter()
            .filter_map(|k| schemas[0].column(k).cloned())
            .collect();
        let cursors = Cursors::new(&Schema::new(key_columns)?, &keys)?;
        Ok(Zip {
            schemas: arrow,
            key_indices,
            key_types,
            presorts,
            how,
            cursors,
        })
    }

    fn has_keys(&self) -> bool {
        !self.key_types.is_empty()
    }

    /// The calls of one physical partition: one per key group that `how` keeps, in key order.
    pub(crate) fn calls(
        &self,
        inputs: Vec<Vec<RecordBatch>>,
        physical_no: usize,
    ) -> Result<Vec<Call>> {
        let mut frames = Vec::with_capacity(self.schemas.len());
        for (i, schema) in self.schemas.iter().enumerate() {
            let batches = inputs.get(i).map(Vec::as_slice).unwrap_or_default();
            frames.push(concat_batches(schema, batches)?);
        }
        if !self.has_keys() {
            let inputs = frames
                .into_iter()
                .enumerate()
                .map(|(i, b)| Ok(stream_of(vec![self.presorted(i, b)?])))
                .collect::<Result<Vec<_>>>()?;
            return Ok(vec![Call {
                inputs,
                cursor: self.cursors.cursor(None, None, 0, physical_no)?,
            }]);
        }
        let key_options = SortOptions {
            descending: false,
            nulls_first: false,
        };
        let converter = RowConverter::new(
            self.key_types
                .iter()
                .map(|t| SortField::new_with_options(t.clone(), key_options))
                .collect(),
        )?;
        let mut groups: BTreeMap<OwnedRow, Vec<Vec<u32>>> = BTreeMap::new();
        for (i, frame) in frames.iter().enumerate() {
            if frame.num_rows() == 0 {
                continue;
            }
            let columns: Vec<ArrayRef> = self.key_indices[i]
                .iter()
                .map(|k| frame.column(*k).clone())
                .collect();
            let rows = converter.convert_columns(&columns)?;
            for (r, row) in rows.iter().enumerate() {
                groups
                    .entry(row.owned())
                    .or_insert_with(|| vec![Vec::new(); frames.len()])[i]
                    .push(r as u32);
            }
        }
        let mut calls = Vec::new();
        for indices in groups.into_values() {
            let present: Vec<bool> = indices.iter().map(|r| !r.is_empty()).collect();
            if !self.how.keeps(&present) {
                continue;
            }
            let mut inputs = Vec::with_capacity(frames.len());
            let mut key_batch = None;
            for (i, rows) in indices.into_iter().enumerate() {
                let part = if rows.is_empty() {
                    frames[i].slice(0, 0)
                } else {
                    take_record_batch(&frames[i], &UInt32Array::from(rows))?
                };
                if key_batch.is_none() && part.num_rows() > 0 {
                    key_batch = Some(part.slice(0, 1).project(&self.key_indices[i])?);
                }
                inputs.push(stream_of(vec![self.presorted(i, part)?]));
            }
            let cursor = self.cursors.cursor(
                key_batch.as_ref(),
                key_batch.as_ref(),
                calls.len(),
                physical_no,
            )?;
            calls.push(Call { inputs, cursor });
        }
        Ok(calls)
    }

    /// Frame `i`'s rows ordered by the presort items it has (stable).
    fn presorted(&self, i: usize, batch: RecordBatch) -> Result<RecordBatch> {
        let sorts = &self.presorts[i];
        if sorts.is_empty() || batch.num_rows() < 2 {
            return Ok(batch);
        }
        let fields = sorts
            .iter()
            .map(|(c, o)| SortField::new_with_options(batch.column(*c).data_type().clone(), *o))
            .collect();
        let columns: Vec<ArrayRef> = sorts
            .iter()
            .map(|(c, _)| batch.column(*c).clone())
            .collect();
        let rows = RowConverter::new(fields)?.convert_columns(&columns)?;
        let mut order: Vec<u32> = (0..batch.num_rows() as u32).collect();
        order.sort_by(|a, b| rows.row(*a as usize).cmp(&rows.row(*b as usize)));
        Ok(take_record_batch(&batch, &UInt32Array::from(order))?)
    }
}

/// Check the function against the frames and build the zip.
fn prepare(
    dfs: &[DataFrame],
    function: &dyn PartitionFunction,
    spec: &PartitionSpec,
    how: ZipHow,
    params: &Params,
    has_callback: bool,
) -> Result<(Vec<Schema>, Schema, Zip)> {
    let schemas: Vec<Schema> = dfs.iter().map(|d| d.schema().clone()).collect();
    function.check(spec, &schemas, params, has_callback)?;
    let output_schema = function.output_schema(&schemas)?;
    let zip = Zip::new(&schemas, spec, how)?;
    Ok((schemas, output_schema, zip))
}

/// The reference comap, on one thread: zip `dfs` by key, call `function` once per kept key
/// group (in key order, NULL last) with one stream per frame, check and concatenate the
/// outputs. The calls are the same as [`parallel_comap`]'s, and their order is deterministic.
pub fn run_comap(
    dfs: Vec<DataFrame>,
    function: &dyn PartitionFunction,
    spec: &PartitionSpec,
    how: ZipHow,
    params: Arc<Params>,
    callback: Option<Callback>,
) -> Result<DataFrame> {
    run_comap_on_partition(0, dfs, function, spec, how, params, callback)
}

/// [`run_comap`] as physical partition `physical` of a step (a task of a distributed engine):
/// the cursors' physical partition number is `physical`, and `on_init` runs once for the task.
pub fn run_comap_on_partition(
    physical: usize,
    dfs: Vec<DataFrame>,
    function: &dyn PartitionFunction,
    spec: &PartitionSpec,
    how: ZipHow,
    params: Arc<Params>,
    callback: Option<Callback>,
) -> Result<DataFrame> {
    let (_, output_schema, zip) = prepare(&dfs, function, spec, how, &params, callback.is_some())?;
    let inputs = dfs
        .into_iter()
        .map(DataFrame::into_batches)
        .collect::<Result<Vec<_>>>()?;
    let name = function.name();
    let mut out = Vec::new();
    let mut init = PhysicalInit::default();
    for call in zip.calls(inputs, physical)? {
        let cursor = call.cursor;
        let ctx = PartitionContext {
            state: init.state(function, &cursor, &params)?,
            cursor: cursor.clone(),
            params: params.clone(),
            callback: callback.clone(),
        };
        let streams = call.inputs;
        let output = function
            .call(ctx, streams)
            .map_err(|e| in_partition(name, &cursor, e))?;
        for batch in output {
            let batch = batch.map_err(|e| in_partition(name, &cursor, e))?;
            check_output(name, &output_schema, &batch)?;
            out.push(batch);
        }
    }
    Ok(DataFrame::from(ArrowFrame::new(output_schema, out)?))
}

/// The parallel comap: the frames' rows are routed by key to `options.workers` workers
/// (hash of the keys, or `rand` / `even` as in [`super::parallel_map`]; the same key goes to the
/// same worker from every frame), each worker zips its physical partitions and calls `function`
/// once per kept key group. Without keys there is one call with every frame whole.
///
/// The multiset of calls is [`run_comap`]'s; with one worker the order is too.
pub fn parallel_comap(
    dfs: Vec<DataFrame>,
    function: Arc<dyn PartitionFunction>,
    spec: &PartitionSpec,
    how: ZipHow,
    params: Arc<Params>,
    handler: Option<Handler<'_>>,
    options: &ExecutorOptions,
) -> Result<DataFrame> {
    let mut out = Vec::new();
    let output_schema = parallel_comap_into(
        dfs,
        function,
        spec,
        how,
        params,
        handler,
        options,
        &mut |b| {
            out.push(b);
            Ok(())
        },
    )?;
    Ok(DataFrame::from(ArrowFrame::new(output_schema, out)?))
}

/// [`parallel_comap`] that hands every output batch to `sink` (on the calling thread) instead
/// of collecting them, and returns the output schema. An error of `sink` fails the run.
#[allow(clippy::too_many_arguments)]
pub fn parallel_comap_into(
    dfs: Vec<DataFrame>,
    function: Arc<dyn PartitionFunction>,
    spec: &PartitionSpec,
    how: ZipHow,
    params: Arc<Params>,
    handler: Option<Handler<'_>>,
    options: &ExecutorOptions,
    sink: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> Result<Schema> {
    let (_, output_schema, zip) = prepare(
        &dfs,
        function.as_ref(),
        spec,
        how,
        &params,
        handler.is_some(),
    )?;
    let zip = Arc::new(zip);
    let workers = options.worker_count();
    let inputs = dfs.len();
    let split = {
        let zip = zip.clone();
        move |physical_no: usize, inputs: Vec<Vec<RecordBatch>>| zip.calls(inputs, physical_no)
    };
    let job = Job {
        function,
        output_schema: output_schema.clone(),
        params,
        inputs,
        routed: zip.has_keys(),
        split: Box::new(split),
    };
    if zip.has_keys() {
        let mut counted = Vec::with_capacity(inputs);
        let mut row_count = 0;
        for df in dfs {
            let (df, rows) = count_if_needed(df, spec)?;
            row_count += rows;
            counted.push(df);
        }
        let num = spec.num_partitions(row_count, workers as u64)?;
        let mut router = Router::new(
            zip.key_types.clone(),
            placement(spec.algo(), num, workers, options.seed),
        )?;
        let key_indices = zip.key_indices.clone();
        let feed = move |feeder: &Feeder| -> Result<()> {
            for (i, df) in counted.into_iter().enumerate() {
                for batch in into_stream(df)? {
                    if feeder.cancelled() || !router.route(feeder, i, &batch?, &key_indices[i])? {
                        return Ok(());
                    }
                }
            }
            Ok(())
        };
        pool::run(job, feed, handler, sink, options)?;
    } else {
        let feed = move |feeder: &Feeder| -> Result<()> {
            let inputs = dfs
                .into_iter()
                .map(DataFrame::into_batches)
                .collect::<Result<Vec<_>>>()?;
            for call in zip.calls(inputs, 0)? {
                if !feeder.call(call) {
                    break;
                }
            }
            Ok(())
        };
        pool::run(job, feed, handler, sink, options)?;
    }
    Ok(output_schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_types_keep_the_groups_of_the_reference() {
        let (both, left, right) = ([true, true], [true, false], [false, true]);
        let keeps = |how: &str| {
            let how = how.parse::<ZipHow>().unwrap();
            [how.keeps(&both), how.keeps(&left), how.keeps(&right)]
        };
        assert_eq!(keeps("inner"), [true, false, false]);
        assert_eq!(keeps("LEFT_OUTER"), [true, true, false]);
        assert_eq!(keeps("right_outer"), [true, false, true]);
        assert_eq!(keeps("full_outer"), [true, true, true]);
        assert_eq!(keeps("cross"), [true, true, true]);
        assert_eq!(
            "full_outer".parse::<ZipHow>().unwrap().to_string(),
            "full_outer"
        );
    }

    #[test]
    fn zip_keys_are_the_common_columns_in_the_first_order() {
        let schemas = [
            Schema::parse("b:int,a:str,x:long").unwrap(),
            Schema::parse("a:str,y:long,b:int").unwrap(),
        ];
        let keys = zip_keys(&schemas, &PartitionSpec::new(), ZipHow::Inner).unwrap();
        assert_eq!(keys, vec!["b", "a"]);
        let spec = PartitionSpec::parse("by=a").unwrap();
        assert_eq!(zip_keys(&schemas, &spec, ZipHow::Inner).unwrap(), vec!["a"]);
        let spec = PartitionSpec::parse("by=x").unwrap();
        let e = zip_keys(&schemas, &spec, ZipHow::Inner).unwrap_err();
        assert_eq!(e.kind(), fugue_core::ErrorKind::ColumnNotFound);
        assert!(
            zip_keys(&schemas, &PartitionSpec::new(), ZipHow::Cross)
                .unwrap()
                .is_empty()
        );
    }
}
