//! `load` and `save` (reference §2.8) with the Arrow/Parquet readers and writers that DataFusion
//! itself uses (re-exported by it), driven file by file.
//!
//! DataFusion's own listing tables read a folder as one table and write straight into the
//! target, so a corrupt file is reported without its name and a failed write leaves partial
//! output. Here every file is read on its own (errors name it) and every save is atomic: the
//! output is written to a hidden temporary path next to the target and renamed into place on
//! success; on failure the temporary output is removed and an existing target is untouched.
//!
//! Folders: every file whose name does not start with `_` or `.` (so `_SUCCESS` and temporary
//! files are ignored), recursively, in name order, keeping the files of the format. Globs
//! (`*`, `?`) are expanded per path component. Files under hive-style partition folders
//! (`k=v/`, as `save` writes them) get each partition value as a `str` column.

use super::checks::same_schema;
use super::options::{
    FileFormat, LoadColumns, LoadOptions, ParquetCompression, SaveMode, SaveOptions,
};
use super::relational::normalize;
use crate::frame::ArrowFrame;
use crate::partitioning::logical_partitions;
use crate::value::value_at;
use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{Compression, GzipLevel, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use fugue_core::{FugueError, PartitionSpec, Result};
use std::fs::{self, File};
use std::io::{self, BufWriter, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

fn io_error(action: &'static str, path: &Path, source: io::Error) -> FugueError {
    FugueError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}

fn read_error(path: &Path, format: FileFormat, source: impl std::fmt::Display) -> FugueError {
    FugueError::external(
        format!("cannot read {format:?} file `{}`", path.display()),
        source.to_string(),
    )
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('.')
}

fn is_gzip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// `*` and `?` wildcard matching of one name.
fn wildcard(pattern: &[char], name: &[char]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some('*'), _) => {
            wildcard(&pattern[1..], name) || (!name.is_empty() && wildcard(pattern, &name[1..]))
        }
        (Some('?'), Some(_)) => wildcard(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => wildcard(&pattern[1..], &name[1..]),
        _ => false,
    }
}

/// The sorted entries of a folder.
fn entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| io_error("listing", dir, e))? {
        out.push(entry.map_err(|e| io_error("listing", dir, e))?.path());
    }
    out.sort();
    Ok(out)
}

/// Expand a glob pattern, one path component at a time.
fn glob(pattern: &str) -> Result<Vec<PathBuf>> {
    let path = Path::new(pattern);
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    for component in path.components() {
        let text = component.as_os_str().to_string_lossy();
        if !text.contains(['*', '?']) {
            current = current.into_iter().map(|p| p.join(component)).collect();
            continue;
        }
        let pattern: Vec<char> = text.chars().collect();
        let mut next = Vec::new();
        for dir in current {
            let listed = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir.clone()
            };
            if !listed.is_dir() {
                continue;
            }
            for entry in entries(&listed)? {
                let name: Vec<char> = entry
                    .file_name()
                    .map(|n| n.to_string_lossy().chars().collect())
                    .unwrap_or_default();
                if wildcard(&pattern, &name) && !is_hidden(&name.iter().collect::<String>()) {
                    next.push(dir.join(entry.file_name().unwrap_or_default()));
                }
            }
        }
        current = next;
    }
    Ok(current.into_iter().filter(|p| p.exists()).collect())
}

/// The files of a folder, recursively, skipping hidden ones.
fn folder_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in entries(dir)? {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if is_hidden(&name) {
            continue;
        }
        if entry.is_dir() {
            folder_files(&entry, out)?;
        } else {
            out.push(entry);
        }
    }
    Ok(())
}

/// A file to read: its path, format, and the hive partition values of its folders.
struct Input {
    path: PathBuf,
    format: FileFormat,
    partitions: Vec<(String, Option<String>)>,
}

/// Undo [`hive_value`]'s escaping (`__HIVE_DEFAULT_PARTITION__` is NULL).
fn hive_unescape(text: &str) -> Option<String> {
    if text == "__HIVE_DEFAULT_PARTITION__" {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// The `k=v` folders between `root` and `file`.
fn hive_partitions(root: &Path, file: &Path) -> Vec<(String, Option<String>)> {
    let Ok(relative) = file.strip_prefix(root) else {
        return Vec::new();
    };
    let Some(folders) = relative.parent() else {
        return Vec::new();
    };
    folders
        .components()
        .filter_map(|c| {
            let text = c.as_os_str().to_string_lossy();
            let (k, v) = text.split_once('=')?;
            Some((hive_unescape(k)?, hive_unescape(v)))
        })
        .collect()
}

/// Every file to read, with its format.
fn expand(paths: &[&str], hint: Option<FileFormat>) -> Result<Vec<Input>> {
    if paths.is_empty() {
        return Err(FugueError::invalid_argument("path", "no path to load"));
    }
    let mut files = Vec::new();
    for path in paths {
        let matched = if path.contains(['*', '?']) {
            let found = glob(path)?;
            if found.is_empty() {
                return Err(io_error(
                    "loading",
                    Path::new(path),
                    io::Error::new(io::ErrorKind::NotFound, "the pattern matches no file"),
                ));
            }
            found
        } else {
            vec![PathBuf::from(path)]
        };
        for p in matched {
            let text = p.to_string_lossy().to_string();
            if p.is_dir() {
                let format = hint.or_else(|| FileFormat::from_path(&text));
                let mut inner = Vec::new();
                folder_files(&p, &mut inner)?;
                let before = files.len();
                for file in inner {
                    let name = file.to_string_lossy().to_string();
                    let chosen = match (format, FileFormat::from_path(&name)) {
                        (Some(f), Some(g)) if f == g => Some(f),
                        (Some(f), None) if f == FileFormat::Parquet => Some(f),
                        (None, Some(g)) => Some(g),
                        _ => None,
                    };
                    if let Some(format) = chosen {
                        files.push(Input {
                            partitions: hive_partitions(&p, &file),
                            path: file,
                            format,
                        });
                    }
                }
                if files.len() == before {
                    return Err(io_error(
                        "loading",
                        &p,
                        io::Error::new(io::ErrorKind::NotFound, "the folder has no data file"),
                    ));
                }
            } else if p.exists() {
                files.push(Input {
                    format: FileFormat::resolve(&text, hint)?,
                    path: p,
                    partitions: Vec::new(),
                });
            } else {
                FileFormat::resolve(&text, hint)?;
                return Err(io_error(
                    "loading",
                    &p,
                    io::Error::new(io::ErrorKind::NotFound, "no such file or folder"),
                ));
            }
        }
    }
    Ok(files)
}

/// A file's bytes, gunzipped when its name ends with `.gz`.
fn read_bytes(path: &Path, format: FileFormat) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let file = File::open(path).map_err(|e| io_error("reading", path, e))?;
    if is_gzip(path) {
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .map_err(|e| read_error(path, format, e))?;
    } else {
        io::BufReader::new(file)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error("reading", path, e))?;
    }
    Ok(bytes)
}

fn all_strings(schema: &ArrowSchema) -> SchemaRef {
    Arc::new(ArrowSchema::new(
        schema
            .fields()
            .iter()
            .map(|f| Field::new(f.name(), DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ))
}

/// Read one CSV file under the options (reference §2.8: no header ⇒ `columns` required; no
/// inference ⇒ every column `str`).
fn read_csv(path: &Path, options: &LoadOptions) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    use arrow::csv::ReaderBuilder;
    use arrow::csv::reader::Format;
    let bytes = read_bytes(path, FileFormat::Csv)?;
    let format = Format::default()
        .with_header(options.header)
        .with_delimiter(options.delimiter);
    let infer = |max: Option<usize>| {
        format
            .infer_schema(Cursor::new(&bytes), max)
            .map(|(s, _)| s)
            .map_err(|e| read_error(path, FileFormat::Csv, e))
    };
    let schema: SchemaRef = match (&options.columns, options.header, options.infer_schema) {
        (Some(LoadColumns::Schema(_)), _, true) => {
            return Err(FugueError::invalid_argument(
                "columns",
                "columns cannot be a schema when infer_schema is true; give a list of names",
            ));
        }
        (None, false, _) => {
            return Err(FugueError::invalid_argument(
                "columns",
                "columns must be set when the CSV file has no header",
            ));
        }
        (Some(LoadColumns::Schema(s)), false, false) => Arc::new(s.to_arrow()),
        (Some(LoadColumns::Names(names)), false, infer_types) => {
            let inferred = infer(if infer_types { None } else { Some(0) })?;
            if inferred.fields().len() != names.len() {
                return Err(FugueError::invalid_argument(
                    "columns",
                    format!(
                        "{} column names given but `{}` has {} columns",
                        names.len(),
                        path.display(),
                        inferred.fields().len()
                    ),
                ));
            }
            let fields: Vec<Field> = names
                .iter()
                .zip(inferred.fields())
                .map(|(n, f)| {
                    let t = if infer_types {
                        f.data_type().clone()
                    } else {
                        DataType::Utf8
                    };
                    Field::new(n, t, true)
                })
                .collect();
            Arc::new(ArrowSchema::new(fields))
        }
        (_, true, true) => Arc::new(infer(None)?),
        (_, true, false) => all_strings(&infer(Some(0))?),
    };
    let reader = ReaderBuilder::new(schema.clone())
        .with_format(format)
        .build(Cursor::new(bytes))
        .map_err(|e| read_error(path, FileFormat::Csv, e))?;
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| read_error(path, FileFormat::Csv, e))?;
    Ok((schema, batches))
}

/// Read one file.
fn read_file(
    path: &Path,
    format: FileFormat,
    options: &LoadOptions,
) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let err = |e: &dyn std::fmt::Display| read_error(path, format, e);
    match format {
        FileFormat::Parquet => {
            let file = File::open(path).map_err(|e| io_error("reading", path, e))?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(&e))?;
            let schema = builder.schema().clone();
            let reader = builder.build().map_err(|e| err(&e))?;
            let batches = reader
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| err(&e))?;
            Ok((schema, batches))
        }
        FileFormat::ArrowIpc => {
            let file = File::open(path).map_err(|e| io_error("reading", path, e))?;
            let reader =
                arrow::ipc::reader::FileReader::try_new(file, None).map_err(|e| err(&e))?;
            let schema = reader.schema();
            let batches = reader
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| err(&e))?;
            Ok((schema, batches))
        }
        FileFormat::Json => {
            let bytes = read_bytes(path, format)?;
            let (schema, _) = arrow::json::reader::infer_json_schema(Cursor::new(&bytes), None)
                .map_err(|e| err(&e))?;
            let schema = Arc::new(schema);
            let reader = arrow::json::ReaderBuilder::new(schema.clone())
                .build(Cursor::new(bytes))
                .map_err(|e| err(&e))?;
            let batches = reader
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| err(&e))?;
            Ok((schema, batches))
        }
        FileFormat::Csv => read_csv(path, options),
    }
}

/// Apply `columns`: a name list selects, a schema selects and casts.
fn apply_columns(frame: ArrowFrame, columns: Option<&LoadColumns>) -> Result<ArrowFrame> {
    match columns {
        None => Ok(frame),
        Some(LoadColumns::Names(names)) => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            frame.select(&names)
        }
        Some(LoadColumns::Schema(schema)) => {
            let names: Vec<&str> = schema.names().collect();
            frame.select(&names)?.alter_columns(schema.clone())
        }
    }
}

/// The frame with the hive partition values appended as `str` columns.
fn with_partitions(
    frame: ArrowFrame,
    partitions: &[(String, Option<String>)],
) -> Result<ArrowFrame> {
    if partitions.is_empty() {
        return Ok(frame);
    }
    let mut columns = frame.schema().columns().to_vec();
    for (k, _) in partitions {
        columns.push(fugue_core::Column::new(k, DataType::Utf8));
    }
    let schema = fugue_core::Schema::new(columns)?;
    let target = Arc::new(schema.to_arrow());
    let batches = frame
        .batches()
        .iter()
        .map(|b| {
            let mut cols = b.columns().to_vec();
            for (_, v) in partitions {
                cols.push(Arc::new(arrow::array::StringArray::from(vec![
                    v.as_deref();
                    b.num_rows()
                ])));
            }
            Ok(RecordBatch::try_new(target.clone(), cols)?)
        })
        .collect::<Result<Vec<_>>>()?;
    ArrowFrame::new(schema, batches)
}

/// Load files, folders, globs or a list of them into one frame (all files must have the same
/// schema; a file that differs or cannot be read is an error naming it). Files under hive
/// folders (`k=v/`) get the partition values as `str` columns after their own columns.
pub(crate) fn load(paths: &[&str], options: &LoadOptions) -> Result<ArrowFrame> {
    let files = expand(paths, options.format)?;
    let mut result: Option<ArrowFrame> = None;
    let mut all = Vec::new();
    for input in files {
        let path = &input.path;
        let (schema, batches) = read_file(path, input.format, options)?;
        let frame = normalize(&schema, batches)
            .and_then(|f| with_partitions(f, &input.partitions))
            .and_then(|f| apply_columns(f, options.columns.as_ref()))
            .map_err(|e| FugueError::external(format!("cannot load `{}`", path.display()), e))?;
        match &result {
            None => result = Some(ArrowFrame::new(frame.schema().clone(), Vec::new())?),
            Some(first) => same_schema(
                &format!(
                    "loaded files (`{}` differs from the first file)",
                    path.display()
                ),
                first.schema(),
                frame.schema(),
            )?,
        }
        all.extend(frame.into_batches());
    }
    let schema = result
        .map(|f| f.schema().clone())
        .ok_or_else(|| FugueError::Internal("no file after expansion".into()))?;
    ArrowFrame::new(schema, all)
}

/// A unique hidden sibling of `target` (`.<name>.fugue-<what>-<pid>-<n>`).
fn sibling(target: &Path, what: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "output".into());
    let parent = target.parent().unwrap_or(Path::new(""));
    parent.join(format!(".{name}.fugue-{what}-{}-{n}", std::process::id()))
}

fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn write_error(path: &Path, source: impl std::fmt::Display) -> FugueError {
    FugueError::external(
        format!("writing `{}` failed", path.display()),
        source.to_string(),
    )
}

/// Where a file's bytes go: plain or gzip-compressed.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(Box<flate2::write::GzEncoder<BufWriter<File>>>),
}

impl Sink {
    /// Flush everything (and the gzip trailer).
    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush(),
            Sink::Gzip(w) => w.finish()?.flush(),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

/// The parquet codec of a compression option.
fn parquet_codec(compression: ParquetCompression) -> Compression {
    match compression {
        ParquetCompression::Snappy => Compression::SNAPPY,
        ParquetCompression::Uncompressed => Compression::UNCOMPRESSED,
        ParquetCompression::Zstd => Compression::ZSTD(ZstdLevel::default()),
        ParquetCompression::Lz4 => Compression::LZ4_RAW,
        ParquetCompression::Gzip => Compression::GZIP(GzipLevel::default()),
    }
}

/// Write one file of batches.
fn write_file(
    path: &Path,
    format: FileFormat,
    gzip: bool,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    options: &SaveOptions,
) -> Result<()> {
    let file = File::create(path).map_err(|e| io_error("writing", path, e))?;
    let err = |e: &dyn std::fmt::Display| write_error(path, e);
    let buffered = BufWriter::new(file.try_clone().map_err(|e| io_error("writing", path, e))?);
    let sink = if gzip {
        Sink::Gzip(Box::new(flate2::write::GzEncoder::new(
            buffered,
            flate2::Compression::default(),
        )))
    } else {
        Sink::Plain(buffered)
    };
    match format {
        FileFormat::Parquet => {
            let props = WriterProperties::builder()
                .set_compression(parquet_codec(options.compression))
                .build();
            let mut writer =
                ArrowWriter::try_new(sink, schema.clone(), Some(props)).map_err(|e| err(&e))?;
            for b in batches {
                writer.write(b).map_err(|e| err(&e))?;
            }
            let sink = writer.into_inner().map_err(|e| err(&e))?;
            sink.finish().map_err(|e| io_error("writing", path, e))?;
        }
        FileFormat::Csv => {
            let mut writer = arrow::csv::WriterBuilder::new()
                .with_header(options.header)
                .with_delimiter(options.delimiter.unwrap_or(b','))
                .build(sink);
            for b in batches {
                writer.write(b).map_err(|e| err(&e))?;
            }
            writer
                .into_inner()
                .finish()
                .map_err(|e| io_error("writing", path, e))?;
        }
        FileFormat::Json => {
            let mut writer = arrow::json::LineDelimitedWriter::new(sink);
            for b in batches {
                writer.write(b).map_err(|e| err(&e))?;
            }
            writer.finish().map_err(|e| err(&e))?;
            writer
                .into_inner()
                .finish()
                .map_err(|e| io_error("writing", path, e))?;
        }
        FileFormat::ArrowIpc => {
            let mut writer =
                arrow::ipc::writer::FileWriter::try_new(sink, schema).map_err(|e| err(&e))?;
            for b in batches {
                writer.write(b).map_err(|e| err(&e))?;
            }
            writer.finish().map_err(|e| err(&e))?;
            writer
                .into_inner()
                .map_err(|e| err(&e))?
                .finish()
                .map_err(|e| io_error("writing", path, e))?;
        }
    }
    file.sync_all().map_err(|e| io_error("writing", path, e))
}

/// A hive folder name part for a key value: `NULL` is `__HIVE_DEFAULT_PARTITION__`, characters
/// that cannot be in a file name are `%XX`-escaped.
fn hive_value(value: &crate::value::Value) -> String {
    if value.is_null() {
        return "__HIVE_DEFAULT_PARTITION__".into();
    }
    let text = match value.as_str() {
        Some(s) => s.to_string(),
        None => value.to_string(),
    };
    let mut out = String::new();
    for c in text.chars() {
        if c.is_control() || "/\\=%:*?\"<>|#".contains(c) {
            let mut buf = [0_u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Write the frame's output (a file, or a hive-partitioned folder) at `path`.
fn write_output(
    frame: &ArrowFrame,
    path: &Path,
    format: FileFormat,
    gzip: bool,
    options: &SaveOptions,
) -> Result<()> {
    if options.partition_by.is_empty() {
        return write_file(
            path,
            format,
            gzip,
            frame.arrow_schema(),
            frame.batches(),
            options,
        );
    }
    let spec = PartitionSpec::by(options.partition_by.iter().map(String::as_str))?;
    let schema = frame.schema();
    let keep: Vec<usize> = (0..schema.len())
        .filter(|i| {
            !options
                .partition_by
                .contains(&schema.columns()[*i].name().to_string())
        })
        .collect();
    if keep.is_empty() {
        return Err(FugueError::invalid_argument(
            "partition_by",
            "partitioning by every column leaves no column to write",
        ));
    }
    fs::create_dir_all(path).map_err(|e| io_error("writing", path, e))?;
    let parts = logical_partitions(frame.arrow_schema(), frame.batches(), &spec, 1)?;
    let suffix = format!("{}{}", format.suffix(), if gzip { ".gz" } else { "" });
    for part in parts {
        let mut dir = path.to_path_buf();
        if let Some(keys) = &part.keys {
            for (field, column) in keys.schema().fields().iter().zip(keys.columns()) {
                let value = value_at(column.as_ref(), 0)?;
                dir.push(format!("{}={}", field.name(), hive_value(&value)));
            }
        }
        fs::create_dir_all(&dir).map_err(|e| io_error("writing", &dir, e))?;
        let batch = part.batch.project(&keep)?;
        let file = dir.join(format!("part-{:05}{suffix}", part.partition_no));
        write_file(&file, format, gzip, &batch.schema(), &[batch], options)?;
    }
    Ok(())
}

/// Move every file of `from` (recursively) into `into`, under fresh names.
fn merge_into(from: &Path, into: &Path) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    for entry in entries(from)? {
        let name = entry.file_name().unwrap_or_default().to_owned();
        let target = into.join(&name);
        if entry.is_dir() {
            fs::create_dir_all(&target).map_err(|e| io_error("writing", &target, e))?;
            merge_into(&entry, &target)?;
        } else {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let fresh = into.join(format!(
                "{}-{}-{n}-{}",
                "append",
                std::process::id(),
                name.to_string_lossy()
            ));
            fs::rename(&entry, &fresh).map_err(|e| io_error("writing", &fresh, e))?;
        }
    }
    Ok(())
}

/// Save a frame atomically (see the module docs).
pub(crate) fn save(frame: &ArrowFrame, path: &str, options: &SaveOptions) -> Result<()> {
    let format = FileFormat::resolve(path, options.format)?;
    let target = PathBuf::from(path.trim_end_matches('/'));
    let gzip = is_gzip(&target);
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| io_error("writing", parent, e))?;
    }
    let exists = fs::symlink_metadata(&target).is_ok();
    match (options.mode, exists) {
        (SaveMode::Error, true) => {
            return Err(io_error(
                "saving",
                &target,
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "the target exists (mode `error`)",
                ),
            ));
        }
        (SaveMode::Append, true) if !target.is_dir() => {
            return Err(FugueError::Unsupported {
                operation: format!("appending to the file `{}`", target.display()),
                reason: "only a folder can be appended to; save to a folder (for example with \
                         partition_by) or use mode `overwrite`"
                    .into(),
            });
        }
        _ => {}
    }
    let temp = sibling(&target, "tmp");
    let append = options.mode == SaveMode::Append && exists;
    let written = if append && options.partition_by.is_empty() {
        // A folder target: the new file goes inside it.
        fs::create_dir_all(&temp)
            .map_err(|e| io_error("writing", &temp, e))
            .and_then(|()| {
                let file = temp.join(format!(
                    "part-00000{}{}",
                    format.suffix(),
                    if gzip { ".gz" } else { "" }
                ));
                write_output(frame, &file, format, gzip, options)
            })
    } else {
        write_output(frame, &temp, format, gzip, options)
    };
    if let Err(e) = written {
        let _ = remove_any(&temp);
        return Err(e);
    }
    if append {
        let merged = merge_into(&temp, &target);
        let _ = remove_any(&temp);
        return merged;
    }
    if !exists {
        return fs::rename(&temp, &target).map_err(|e| {
            let _ = remove_any(&temp);
            io_error("writing", &target, e)
        });
    }
    // Overwrite: move the old output aside, move the new one in, then drop the old one.
    let backup = sibling(&target, "old");
    if let Err(e) = fs::rename(&target, &backup) {
        let _ = remove_any(&temp);
        return Err(io_error("replacing", &target, e));
    }
    if let Err(e) = fs::rename(&temp, &target) {
        let _ = fs::rename(&backup, &target);
        let _ = remove_any(&temp);
        return Err(io_error("replacing", &target, e));
    }
    remove_any(&backup).map_err(|e| io_error("removing", &backup, e))
}

/// The files a load of `paths` reads, in the order it reads them: the expansion [`load`] uses
/// (deterministic checkpoint keys fingerprint exactly these files).
pub(crate) fn load_files(paths: &[&str], format: Option<FileFormat>) -> Result<Vec<PathBuf>> {
    Ok(expand(paths, format)?
        .into_iter()
        .map(|input| input.path)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_names() {
        let m = |p: &str, n: &str| {
            wildcard(
                &p.chars().collect::<Vec<_>>(),
                &n.chars().collect::<Vec<_>>(),
            )
        };
        assert!(m("*.csv", "a.csv"));
        assert!(m("p?rt-*", "part-1"));
        assert!(!m("*.csv", "a.json"));
    }

    #[test]
    fn hive_folders_give_partition_values() {
        let root = Path::new("/data/out");
        let file = Path::new("/data/out/k=a%2Fb/j=__HIVE_DEFAULT_PARTITION__/part-0.parquet");
        assert_eq!(
            hive_partitions(root, file),
            [
                ("k".to_string(), Some("a/b".to_string())),
                ("j".to_string(), None)
            ]
        );
        assert!(hive_partitions(root, Path::new("/data/out/x.parquet")).is_empty());
    }

    #[test]
    fn hive_values_are_escaped() {
        assert_eq!(hive_value(&crate::value::Value::from("a/b")), "a%2Fb");
        assert_eq!(
            hive_value(&crate::value::Value::Null),
            "__HIVE_DEFAULT_PARTITION__"
        );
        assert_eq!(hive_value(&crate::value::Value::from(3_i64)), "3");
    }

    #[test]
    fn parquet_is_written_with_the_chosen_codec() {
        let dir = tempfile::tempdir().expect("temp dir");
        let frame = ArrowFrame::from_rows(
            "k:long,s:str",
            &[vec![crate::value::Value::from(1_i64), "a".into()]],
        )
        .expect("frame");
        let codec = |options: &SaveOptions, name: &str| {
            let path = dir.path().join(name);
            save(&frame, path.to_str().expect("utf8"), options).expect("save");
            let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).expect("open"))
                .expect("parquet");
            reader.metadata().row_group(0).column(0).compression()
        };
        assert_eq!(
            codec(&SaveOptions::default(), "a.parquet"),
            Compression::SNAPPY
        );
        let plain = SaveOptions {
            compression: ParquetCompression::Uncompressed,
            ..SaveOptions::default()
        };
        assert_eq!(codec(&plain, "b.parquet"), Compression::UNCOMPRESSED);
        let load = load(
            &[dir.path().join("a.parquet").to_str().expect("utf8")],
            &LoadOptions::default(),
        )
        .expect("load");
        assert_eq!(load.count(), 1);
    }
}
