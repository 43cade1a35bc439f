//! Lazy loads: parquet files read by a DataFusion scan that later steps extend (projection
//! and filters pushed into the reader), instead of being read whole at the load.
//!
//! A scan keeps every guarantee of the eager load ([`super::io`]): the files are resolved by
//! the same expansion (folders, globs, hidden files skipped, name order), and each file's own
//! schema is read from its footer and checked before the scan is made, so DataFusion's schema
//! adapter never converts a value: every file has the same schema (after Fugue's type
//! normalisation), and a declared column takes its type only by a conversion no value can
//! change ([`super::typed_load::check_declared`]). What a scan cannot check without reading
//! rows stays with the eager load, which [`scan`] leaves the load to (it returns `None`):
//! hive partition folders, other formats, files whose schemas differ (the eager load names
//! the file that differs, or reads the declared columns of each), a column declared not
//! nullable (a record field that is not an `Option`) that a file's footer does not prove free
//! of NULLs (then checked row by row), and file lists DataFusion
//! would read in another order (it sorts files by path and reads a file listed twice once):
//! paths out of order, or with characters it would encode or expand.

use super::io::{in_file, input_schema, load};
use super::options::{FileFormat, LoadColumns, LoadFiles, LoadOptions};
use super::relational::Session;
use super::typed_load::{Origin, check_declared, declared_target};
use crate::frame::{PlanFrame, SourceCheck};
use arrow::datatypes::{DataType, Schema as ArrowSchema};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::parquet_column;
use datafusion::prelude::ParquetReadOptions;
use fugue_core::{FugueError, Result, Schema};
use std::path::Path;
use std::sync::Arc;

/// Whether a column of `data_type` holds floats (at any depth).
fn has_float(data_type: &DataType) -> bool {
    match data_type {
        DataType::Float16 | DataType::Float32 | DataType::Float64 => true,
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            has_float(f.data_type())
        }
        DataType::Struct(fields) => fields.iter().any(|f| has_float(f.data_type())),
        DataType::Map(entries, _) => has_float(entries.data_type()),
        _ => false,
    }
}

/// Whether the parquet file's footer proves that none of the top-level `columns` holds a NULL:
/// every row group records a null count of 0 for each (a missing count, a nested column or an
/// unreadable footer proves nothing, and the eager load then checks row by row).
fn holds_no_null(path: &Path, arrow_schema: &ArrowSchema, columns: &[&str]) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(reader) = ParquetRecordBatchReaderBuilder::try_new(file) else {
        return false;
    };
    let metadata = reader.metadata();
    let parquet_schema = metadata.file_metadata().schema_descr();
    columns.iter().all(|name| {
        let Some((leaf, _)) = parquet_column(parquet_schema, arrow_schema, name) else {
            return false;
        };
        metadata.row_groups().iter().all(|group| {
            group
                .column(leaf)
                .statistics()
                .and_then(|s| s.null_count_opt())
                == Some(0)
        })
    })
}

/// The load as a scan, or `None` when the eager load must read it (see the module docs).
pub(crate) fn scan(
    session: &Session,
    files: &LoadFiles,
    options: &LoadOptions,
) -> Result<Option<PlanFrame>> {
    if !session.is_lazy() {
        return Ok(None);
    }
    let files = &files.files;
    if files
        .iter()
        .any(|f| f.format != FileFormat::Parquet || !f.partitions.is_empty())
    {
        return Ok(None);
    }
    // DataFusion takes table paths as text (expanding glob characters, percent-encoding
    // others) and reads the files in the order of their paths: only paths of plain characters
    // in increasing order are read exactly as the eager load reads them.
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,~@".contains(c);
    let mut urls: Vec<String> = Vec::with_capacity(files.len());
    for file in files {
        let Ok(absolute) = std::path::absolute(&file.path) else {
            return Ok(None);
        };
        match absolute.to_str() {
            Some(text)
                if text.chars().all(plain) && urls.last().is_none_or(|l| l.as_str() < text) =>
            {
                urls.push(text.to_string());
            }
            _ => return Ok(None),
        }
    }
    let mut common: Option<Schema> = None;
    for file in files {
        let path = &file.path;
        let Some((raw, schema)) = input_schema(file, options)? else {
            return Ok(None);
        };
        if let Some(LoadColumns::Schema(declared)) = &options.columns {
            let reads = check_declared(&schema, declared, |_| Origin::Typed, path)
                .map_err(|e| in_file(e, path))?;
            let must_hold: Vec<&str> = reads
                .iter()
                .zip(declared.columns())
                .filter(|((index, _), column)| {
                    !column.is_nullable() && raw.field(*index).is_nullable()
                })
                .map(|(_, column)| column.name())
                .collect();
            if !must_hold.is_empty() && !holds_no_null(path, &raw, &must_hold) {
                return Ok(None);
            }
        }
        match &common {
            None => common = Some(schema),
            Some(first) if *first == schema => {}
            Some(_) => return Ok(None),
        }
    }
    let Some(schema) = common else {
        return Ok(None);
    };
    let runner = session.runner()?.clone();
    // DataFusion 55 trusts parquet min/max statistics, which leave NaN out: a float column of
    // `0.5, NaN` has min = max = 0.5 and is read as the constant 0.5, and `c > 0.6` prunes the
    // row group that holds the NaN (which is greater than every number). Our sessions never
    // collect file statistics (no constant columns), and a scan of a table with a float
    // column prunes nothing by statistics (row groups, pages, bloom filters; these settings
    // are kept by the table, whichever context plans it): its filters run on every row.
    let floats = schema.columns().iter().any(|c| has_float(c.data_type()));
    // On a cluster's session the scan is planned in its context: the executors read the
    // files (the paths must be the same on every node).
    let ctx = session.plan_context_with(|config| {
        if floats {
            let options = config.options_mut();
            options.execution.parquet.pruning = false;
            options.execution.parquet.enable_page_index = false;
            options.execution.parquet.bloom_filter_on_read = false;
        }
    })?;
    let table_schema = schema.to_arrow();
    let plan = runner.block_on(async move {
        let read = ParquetReadOptions {
            file_extension: "",
            parquet_pruning: Some(!floats),
            ..ParquetReadOptions::default()
        }
        .schema(&table_schema);
        ctx.read_parquet(urls, read).await.map_err(|e| {
            FugueError::external("DataFusion cannot scan the parquet files", e.to_string())
        })
    })?;
    // A file that turns out corrupt while the plan runs is found and named by the eager
    // reader (only then: this reads the file again).
    let checks = files.iter().map(|file| {
        let path = file.path.to_string_lossy().into_owned();
        SourceCheck {
            name: path.clone(),
            check: Arc::new(move || {
                LoadFiles::resolve(&[&path], None)
                    .and_then(|files| load(&files, &LoadOptions::default()))
                    .err()
            }),
        }
    });
    let plan = PlanFrame::new(plan, runner, Some(&schema))?
        .with_sources(checks.collect::<Vec<_>>())
        .homed(session.home(), []);
    let first = &files[0].path;
    let columns = match &options.columns {
        None => return Ok(Some(plan)),
        Some(LoadColumns::Names(names)) => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            return plan.select(&names).map(Some).map_err(|e| in_file(e, first));
        }
        Some(LoadColumns::Schema(declared)) => declared,
    };
    let names: Vec<&str> = columns.names().collect();
    let target = declared_target(columns)?;
    let selected = plan.select(&names).map_err(|e| in_file(e, first))?;
    selected.conform(&target).map(Some)
}
