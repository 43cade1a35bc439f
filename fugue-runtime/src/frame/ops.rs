//! Helpers shared by the three frames: the schema side of select / drop / rename / alter
//! (fugue-core's schema algebra, with errors named after the frame method), conforming batches
//! to a schema, rows <-> batches, casts with precise errors, and the `show` table.

use super::Metadata;
use crate::value::{Value, column_from_values, convert_value, value_at, values_from_array};
use arrow::array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::compute::{CastOptions, can_cast_types, cast_with_options};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::util::display::FormatOptions;
use arrow::util::pretty::pretty_format_batches_with_options;
use fugue_core::types::{same_type, type_expr};
use fugue_core::{Column, ColumnItem, ExtractOptions, FugueError, RenameOptions, Result, Schema};
use std::fmt::Write as _;
use std::sync::Arc;

/// A dataframe needs at least one column (Fugue: `Schema can't be empty`).
pub(crate) fn require_columns(schema: &Schema) -> Result<()> {
    if schema.is_empty() {
        Err(FugueError::invalid_argument(
            "schema",
            "a dataframe needs at least one column; the schema is empty",
        ))
    } else {
        Ok(())
    }
}

/// The Arrow schema every batch of a frame of `schema` has.
pub(crate) fn arrow_schema_of(schema: &Schema) -> SchemaRef {
    Arc::new(schema.to_arrow())
}

/// `batch` with exactly the Arrow schema `target` (the frame's canonical schema): a batch whose
/// columns have the same names and types up to nested field names and nullability is cast to
/// `target`; any other batch is [`FugueError::SchemaMismatch`] naming `what` and both schemas.
pub(crate) fn conform_batch(
    batch: RecordBatch,
    schema: &Schema,
    target: &SchemaRef,
    what: &str,
) -> Result<RecordBatch> {
    if batch.schema().fields() == target.fields() {
        if batch.schema_ref().metadata().is_empty() {
            return Ok(batch);
        }
        return RecordBatch::try_new_with_options(
            target.clone(),
            batch.columns().to_vec(),
            &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
        )
        .map_err(FugueError::from);
    }
    let mismatch = |reason: String, right: String| FugueError::SchemaMismatch {
        context: what.to_string(),
        reason,
        left: schema.to_string(),
        right,
    };
    let given = match Schema::from_arrow(batch.schema_ref()) {
        Ok(given) => given,
        Err(e) => return Err(mismatch(e.to_string(), batch.schema().to_string())),
    };
    if given.len() != schema.len() {
        return Err(mismatch(
            format!(
                "the frame has {} columns, the batch has {}",
                schema.len(),
                given.len()
            ),
            given.to_string(),
        ));
    }
    for (want, got) in schema.columns().iter().zip(given.columns()) {
        if want.name() != got.name() || !same_type(want.data_type(), got.data_type()) {
            return Err(mismatch(
                format!("column `{want}` of the frame is `{got}` in the batch"),
                given.to_string(),
            ));
        }
    }
    let columns = batch
        .columns()
        .iter()
        .zip(target.fields())
        .map(|(array, field)| {
            let array = if array.data_type() == field.data_type() {
                array.clone()
            } else {
                cast_column(field.name(), array, field.data_type())?
            };
            check_nullable(field.name(), field.is_nullable(), &array)?;
            Ok(array)
        })
        .collect::<Result<Vec<_>>>()?;
    RecordBatch::try_new_with_options(
        target.clone(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .map_err(FugueError::from)
}

fn check_nullable(column: &str, nullable: bool, array: &ArrayRef) -> Result<()> {
    if nullable || array.null_count() == 0 {
        return Ok(());
    }
    let row = (0..array.len()).find(|&i| array.is_null(i)).unwrap_or(0);
    Err(FugueError::Cast {
        column: column.to_string(),
        value: "NULL".into(),
        to: type_expr(array.data_type()),
        reason: format!("row {row}: the column is not nullable"),
    })
}

/// Cast one column to `to` with Arrow's cast (`safe: false`). A failure names the column and
/// the first value that cannot be converted (found by casting with `safe: true` and looking for
/// the first row that became NULL).
pub(crate) fn cast_column(column: &str, array: &ArrayRef, to: &DataType) -> Result<ArrayRef> {
    if array.data_type() == to {
        return Ok(array.clone());
    }
    let from = array.data_type();
    if !can_cast_types(from, to) {
        return Err(FugueError::Cast {
            column: column.to_string(),
            value: "its values".into(),
            to: type_expr(to),
            reason: format!("there is no conversion from `{}`", type_expr(from)),
        });
    }
    let strict = CastOptions {
        safe: false,
        ..Default::default()
    };
    let reason = match cast_with_options(array, to, &strict) {
        Ok(cast) if cast.null_count() <= array.null_count() => return Ok(cast),
        Ok(_) => "the value does not fit the type".to_string(),
        Err(e) => e.to_string(),
    };
    let lenient = CastOptions {
        safe: true,
        ..Default::default()
    };
    let row = cast_with_options(array, to, &lenient)
        .ok()
        .and_then(|cast| (0..array.len()).find(|&i| array.is_valid(i) && cast.is_null(i)));
    let (value, reason) = match row.and_then(|i| value_at(array.as_ref(), i).ok().map(|v| (i, v))) {
        Some((i, v)) => (shown(&v), format!("row {i}: {reason}")),
        None => ("a value".to_string(), reason),
    };
    Err(FugueError::Cast {
        column: column.to_string(),
        value,
        to: type_expr(to),
        reason,
    })
}

fn shown(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// The error of a fugue-core schema operation, reported under the frame method's name
/// (`select` rather than `extract`).
fn in_context(error: FugueError, context: &str) -> FugueError {
    match error {
        FugueError::ColumnNotFound {
            column,
            schema,
            suggestion,
            ..
        } => FugueError::ColumnNotFound {
            column,
            context: context.to_string(),
            schema,
            suggestion,
        },
        FugueError::DuplicateColumn { column, schema, .. } => FugueError::DuplicateColumn {
            column,
            context: context.to_string(),
            schema,
        },
        other => other,
    }
}

fn items(columns: &[&str]) -> Vec<ColumnItem> {
    columns.iter().map(|c| ColumnItem::name(*c)).collect()
}

/// The positions in `schema` of the columns of `sub` (all present by construction).
fn positions(schema: &Schema, sub: &Schema) -> Result<Vec<usize>> {
    sub.names()
        .map(|n| {
            schema.index_of(n).ok_or_else(|| {
                FugueError::Internal(format!("column `{n}` vanished from schema `{schema}`"))
            })
        })
        .collect()
}

/// The schema of the listed columns in the listed order ([`Schema::extract`]), and their
/// positions. An empty list is [`FugueError::InvalidArgument`].
pub(crate) fn select_schema(schema: &Schema, columns: &[&str]) -> Result<(Schema, Vec<usize>)> {
    if columns.is_empty() {
        return Err(FugueError::invalid_argument(
            "columns",
            "select needs at least one column",
        ));
    }
    let selected = schema
        .extract(&items(columns), ExtractOptions::default())
        .map_err(|e| in_context(e, "select"))?;
    let indices = positions(schema, &selected)?;
    Ok((selected, indices))
}

/// The schema without the listed columns ([`Schema::remove`]), and the positions of the kept
/// ones. Dropping every column is [`FugueError::InvalidArgument`].
pub(crate) fn drop_schema(schema: &Schema, columns: &[&str]) -> Result<(Schema, Vec<usize>)> {
    let kept = schema
        .remove(&items(columns))
        .map_err(|e| in_context(e, "drop"))?;
    if kept.is_empty() {
        return Err(FugueError::invalid_argument(
            "columns",
            format!("drop cannot remove every column of a dataframe (schema `{schema}`)"),
        ));
    }
    let indices = positions(schema, &kept)?;
    Ok((kept, indices))
}

/// The schema with columns renamed ([`Schema::rename`]: all pairs apply at once).
pub(crate) fn rename_schema(schema: &Schema, pairs: &[(&str, &str)]) -> Result<Schema> {
    schema.rename(pairs.iter().copied(), RenameOptions::default())
}

/// The schema with the types of the listed columns changed ([`Schema::alter`]).
pub(crate) fn alter_schema(schema: &Schema, changes: &Schema) -> Result<Schema> {
    schema
        .alter(changes)
        .map_err(|e| in_context(e, "alter_columns"))
}

/// Keep the columns at `indices` (in that order) under `target`.
pub(crate) fn project_batch(
    batch: &RecordBatch,
    indices: &[usize],
    target: &SchemaRef,
) -> Result<RecordBatch> {
    let columns = indices.iter().map(|&i| batch.column(i).clone()).collect();
    with_schema(batch.num_rows(), columns, target)
}

/// The same columns under another (renamed) schema.
pub(crate) fn rename_batch(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch> {
    with_schema(batch.num_rows(), batch.columns().to_vec(), target)
}

/// Cast the columns whose type differs in `target`.
pub(crate) fn alter_batch(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(target.fields())
        .map(|(array, field)| cast_column(field.name(), array, field.data_type()))
        .collect::<Result<Vec<_>>>()?;
    with_schema(batch.num_rows(), columns, target)
}

fn with_schema(rows: usize, columns: Vec<ArrayRef>, target: &SchemaRef) -> Result<RecordBatch> {
    RecordBatch::try_new_with_options(
        target.clone(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(FugueError::from)
}

/// One batch of `rows` under `schema` (type-safe: each value is converted to its column type;
/// a failure names the column, the value and the row, counting rows from `first_row`).
pub(crate) fn rows_to_batch(
    rows: &[Vec<Value>],
    schema: &Schema,
    target: &SchemaRef,
    first_row: usize,
) -> Result<RecordBatch> {
    let mut columns = Vec::with_capacity(schema.len());
    for (j, column) in schema.columns().iter().enumerate() {
        let values: Vec<Value> = rows.iter().map(|r| r[j].clone()).collect();
        let array = match column_from_values(column.name(), &values, column.data_type()) {
            Ok(array) => array,
            Err(e) => return Err(locate_row(column, &values, first_row).unwrap_or(e)),
        };
        if !column.is_nullable()
            && let Some(i) = values.iter().position(Value::is_null)
        {
            return Err(FugueError::Cast {
                column: column.name().to_string(),
                value: "NULL".into(),
                to: type_expr(column.data_type()),
                reason: format!("row {}: the column is not nullable", first_row + i),
            });
        }
        columns.push(array);
    }
    with_schema(rows.len(), columns, target)
}

/// The error of the first value of a column that does not convert, with its row index.
fn locate_row(column: &Column, values: &[Value], first_row: usize) -> Option<FugueError> {
    values.iter().enumerate().find_map(|(i, v)| {
        match convert_value(column.name(), v, column.data_type()) {
            Ok(_) => None,
            Err(FugueError::Cast {
                column,
                value,
                to,
                reason,
            }) => Some(FugueError::Cast {
                column,
                value,
                to,
                reason: format!("row {}: {reason}", first_row + i),
            }),
            Err(other) => Some(other),
        }
    })
}

/// Check that every row has one value per column.
pub(crate) fn check_arity(rows: &[Vec<Value>], schema: &Schema, first_row: usize) -> Result<()> {
    match rows.iter().position(|r| r.len() != schema.len()) {
        None => Ok(()),
        Some(i) => Err(FugueError::invalid_argument(
            "rows",
            format!(
                "row {} has {} values but the schema `{schema}` has {} columns",
                first_row + i,
                rows[i].len(),
                schema.len()
            ),
        )),
    }
}

/// The rows of a batch.
pub(crate) fn batch_to_rows(batch: &RecordBatch) -> Result<Vec<Vec<Value>>> {
    let columns = batch
        .columns()
        .iter()
        .map(values_from_array)
        .collect::<Result<Vec<_>>>()?;
    let mut columns: Vec<_> = columns.into_iter().map(Vec::into_iter).collect();
    Ok((0..batch.num_rows())
        .map(|_| {
            columns
                .iter_mut()
                .map(|c| c.next().unwrap_or(Value::Null))
                .collect()
        })
        .collect())
}

/// The first `n` rows of `batches`.
pub(crate) fn head_batches(batches: &[RecordBatch], n: usize) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    let mut left = n;
    for batch in batches {
        if left == 0 {
            break;
        }
        let take = left.min(batch.num_rows());
        if take > 0 {
            out.push(batch.slice(0, take));
        }
        left -= take;
    }
    out
}

/// The text of `show`: optional title, the frame kind, a table whose header cells are
/// `name:type`, NULL as `NULL`, `Total count: N` when `total` is given, then metadata.
pub(crate) fn format_table(
    kind: &str,
    schema: &Schema,
    batches: &[RecordBatch],
    total: Option<usize>,
    title: Option<&str>,
    metadata: &Metadata,
) -> Result<String> {
    let header = Arc::new(arrow::datatypes::Schema::new(
        schema
            .columns()
            .iter()
            .map(|c| {
                arrow::datatypes::Field::new(c.to_string(), c.data_type().clone(), c.is_nullable())
            })
            .collect::<Vec<_>>(),
    ));
    let mut shown_batches = Vec::with_capacity(batches.len().max(1));
    for batch in batches {
        shown_batches.push(rename_batch(batch, &header)?);
    }
    if shown_batches.is_empty() {
        shown_batches.push(RecordBatch::new_empty(header));
    }
    let options = FormatOptions::default()
        .with_null("NULL")
        .with_display_error(true);
    let table = pretty_format_batches_with_options(&shown_batches, &options)?;
    let mut out = String::new();
    if let Some(title) = title {
        out.push_str(title);
        out.push('\n');
    }
    out.push_str(kind);
    out.push('\n');
    let _ = writeln!(out, "{table}");
    if let Some(total) = total {
        let _ = writeln!(out, "Total count: {total}");
    }
    if !metadata.is_empty() {
        out.push_str("Metadata:\n");
        for (k, v) in metadata {
            let _ = writeln!(out, "{k}: {v}");
        }
    }
    Ok(out)
}
