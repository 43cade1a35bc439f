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
//!
//! Loads never change data silently and never panic:
//!
//! * declared types convert only when no value can change ([`super::typed_load`]);
//! * a corrupt file of any format is an error naming the file and its format: the readers'
//!   own errors are kept, Arrow IPC files are checked against the sizes their footer and
//!   messages claim before anything is allocated, and a panic inside a reader (Arrow IPC
//!   readers can panic on malformed buffers) is contained with `catch_unwind` and reported the
//!   same way.
//!
//! Partitioned saves escape column names and values as Hive, Spark and pyarrow do (`%XX`), so
//! no name or value can leave the target folder or read back differently.
//!
//! JSON columns keep the declared order, or the order in which the file first names them. An
//! empty CSV or JSON file (no column) loads as an empty frame of the declared schema; with no
//! schema declared it is skipped, and a load of only empty files is an error.
//!
//! Appends write a folder (a first append to a new path too, so that it can be appended to
//! again) and check the schema of the folder's files before anything moves into it. An
//! overwrite of a file by a file is one atomic rename; other overwrites move the old output
//! aside first. Hidden temporary siblings left by a killed save (`.<name>.fugue-tmp-<pid>-<n>`,
//! `.<name>.fugue-old-<pid>-<n>`) are removed by the next save to the same target: those of a
//! process that no longer runs (Linux: `/proc`; elsewhere, those older than a day) and those of
//! this process that no save of it uses.

use super::options::{
    FileFormat, LoadColumns, LoadFiles, LoadOptions, ParquetCompression, SaveMode, SaveOptions,
};
use super::relational::normalize;
use super::typed_load::{Origin, apply_declared};
use crate::frame::{ArrowFrame, DataFrame};
use crate::partitioning::logical_partitions;
use crate::value::value_at;
use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, FieldRef, Schema as ArrowSchema, SchemaRef};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{Compression, GzipLevel, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use fugue_core::rules::{Step, eval};
use fugue_core::{Column, FugueError, PartitionSpec, Result, Schema};
use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter, Cursor, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

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
pub(super) type Input = super::options::LoadFile;

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
pub(super) fn expand(paths: &[&str], hint: Option<FileFormat>) -> Result<Vec<Input>> {
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

/// The schema with every column nullable (files are read so, then NULLs are checked where a
/// declared column is not nullable, naming the row).
fn all_nullable(schema: &Schema) -> Schema {
    Schema::new(
        schema
            .columns()
            .iter()
            .map(|c| Column::new(c.name(), c.data_type().clone()))
            .collect(),
    )
    .unwrap_or_else(|_| schema.clone())
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

/// The fields that read as NULL: empty ones, and those equal to the options' `null_value`.
fn null_regex(options: &LoadOptions) -> Result<Option<regex::Regex>> {
    let Some(text) = &options.null_value else {
        return Ok(None);
    };
    let pattern = format!("^(?:{})?$", regex::escape(text));
    regex::Regex::new(&pattern)
        .map(Some)
        .map_err(|e| FugueError::invalid_argument("null", e.to_string()))
}

/// Read one CSV file under the options (reference §2.8: no header ⇒ `columns` required; no
/// inference ⇒ every column `str`).
fn read_csv(path: &Path, options: &LoadOptions) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    use arrow::csv::ReaderBuilder;
    use arrow::csv::reader::Format;
    let bytes = read_bytes(path, FileFormat::Csv)?;
    let mut format = Format::default()
        .with_header(options.header)
        .with_delimiter(options.delimiter);
    if let Some(regex) = null_regex(options)? {
        format = format.with_null_regex(regex);
    }
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
        (Some(LoadColumns::Schema(s)), false, false) => Arc::new(all_nullable(s).to_arrow()),
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
    let hint = header_hint(&bytes, options, &schema);
    let failed = |e: arrow::error::ArrowError| match &hint {
        Some(hint) => read_error(path, FileFormat::Csv, format!("{e}; {hint}")),
        None => read_error(path, FileFormat::Csv, e),
    };
    let reader = ReaderBuilder::new(schema.clone())
        .with_format(format)
        .build(Cursor::new(bytes))
        .map_err(failed)?;
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(failed)?;
    Ok((schema, batches))
}

/// The hint for a header-less CSV read whose first line looks like a header: one of its
/// fields is the name of its column, or it has words under the numeric columns where the
/// second line has numbers.
fn header_hint(bytes: &[u8], options: &LoadOptions, schema: &ArrowSchema) -> Option<String> {
    if options.header {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let mut lines = text.lines();
    let first = lines.next()?;
    let fields = |line: &str| -> Vec<String> {
        (line.split(char::from(options.delimiter)))
            .map(|f| f.trim().trim_matches('"').to_string())
            .collect()
    };
    let (head, next) = (fields(first), lines.next().map(fields));
    let named =
        (head.iter().zip(schema.fields().iter())).any(|(f, c)| f.eq_ignore_ascii_case(c.name()));
    let numeric: Vec<usize> = (schema.fields().iter().enumerate())
        .filter(|(_, c)| c.data_type().is_numeric())
        .map(|(i, _)| i)
        .collect();
    let is_number = |f: Option<&String>| f.is_some_and(|f| f.parse::<f64>().is_ok());
    let words = !numeric.is_empty()
        && numeric.iter().all(|&i| !is_number(head.get(i)))
        && next.is_some_and(|next| numeric.iter().all(|&i| is_number(next.get(i))));
    (named || words).then(|| {
        let shown: String = first.chars().take(80).collect();
        let cut = if shown.len() < first.len() { "..." } else { "" };
        format!(
            "the first line (`{shown}{cut}`) looks like a header, but the file is read without \
             one: read it with a header (`header: true`, the default)"
        )
    })
}

/// The top-level keys of the JSON values of `bytes`, in the order they are first seen (up to
/// the first value that is not an object or does not parse: the reader reports those).
fn json_key_order(bytes: &[u8]) -> Vec<String> {
    use serde_core::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Keys(Vec<String>);

    struct KeysVisitor;

    impl<'de> Visitor<'de> for KeysVisitor {
        type Value = Keys;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Keys, A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                keys.push(key);
            }
            Ok(Keys(keys))
        }
    }

    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Keys, D::Error> {
            d.deserialize_map(KeysVisitor)
        }
    }

    let mut order = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for keys in serde_json::Deserializer::from_slice(bytes).into_iter::<Keys>() {
        let Ok(Keys(keys)) = keys else { break };
        for key in keys {
            if seen.insert(key.clone()) {
                order.push(key);
            }
        }
    }
    order
}

/// The schema of a JSON lines file: arrow's inferred types, in the first-seen order of the keys.
fn json_schema(path: &Path, bytes: &[u8]) -> Result<SchemaRef> {
    let (inferred, _) = arrow::json::reader::infer_json_schema(Cursor::new(bytes), None)
        .map_err(|e| read_error(path, FileFormat::Json, e))?;
    let rank: HashMap<String, usize> = json_key_order(bytes)
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    let mut fields: Vec<FieldRef> = inferred.fields().iter().cloned().collect();
    fields.sort_by_key(|f| rank.get(f.name()).copied().unwrap_or(usize::MAX));
    Ok(Arc::new(ArrowSchema::new(fields)))
}

/// The message of a caught panic.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Run a reader of `path`; a panic inside it (malformed data) is an error naming the file.
fn contained<T>(path: &Path, format: FileFormat, read: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|panic| {
        Err(read_error(
            path,
            format,
            format!(
                "the file is corrupt (the reader failed: {})",
                panic_message(panic.as_ref())
            ),
        ))
    })
}

/// The largest size one compressed Arrow IPC buffer of `compressed` bytes can decompress to:
/// the codec's largest ratio (LZ4 frames: under 256; zstd: under 65,536), plus slack. A file
/// that claims more is corrupt (the reader would allocate the claimed size up front, and an
/// allocation that fails aborts the process).
fn max_decompressed(codec: arrow_ipc::CompressionType, compressed: usize) -> usize {
    let ratio = if codec == arrow_ipc::CompressionType::ZSTD {
        65_536
    } else {
        256
    };
    compressed.saturating_mul(ratio).saturating_add(1 << 20)
}

/// Check the sizes a block of an Arrow IPC file claims before its reader allocates them: the
/// message fits its metadata, and every compressed buffer lies in the body and claims no more
/// than [`max_decompressed`].
fn check_ipc_block(data: &[u8], metadata: usize) -> std::result::Result<(), String> {
    let start = if data.get(..4) == Some(&[0xff; 4][..]) {
        8
    } else {
        4
    };
    let header = data
        .get(start..metadata)
        .ok_or("a message is shorter than its header")?;
    let message =
        arrow_ipc::root_as_message(header).map_err(|e| format!("a message is corrupt: {e}"))?;
    let batch = match message.header_type() {
        arrow_ipc::MessageHeader::RecordBatch => message.header_as_record_batch(),
        arrow_ipc::MessageHeader::DictionaryBatch => {
            message.header_as_dictionary_batch().and_then(|d| d.data())
        }
        _ => None,
    };
    let Some(batch) = batch else {
        return Ok(());
    };
    let Some(compression) = batch.compression() else {
        return Ok(());
    };
    let body = &data[metadata..];
    for buffer in batch.buffers().into_iter().flatten() {
        let (Ok(offset), Ok(length)) = (
            usize::try_from(buffer.offset()),
            usize::try_from(buffer.length()),
        ) else {
            return Err("a buffer has a negative offset or length".into());
        };
        if length == 0 {
            continue;
        }
        let end = offset.checked_add(length).filter(|&end| end <= body.len());
        let prefix = end
            .and_then(|_| body.get(offset..offset + 8))
            .ok_or("a buffer lies outside its message body")?;
        let claimed = i64::from_le_bytes(prefix.try_into().map_err(|_| "a short buffer")?);
        let bound = max_decompressed(compression.codec(), length - 8);
        if usize::try_from(claimed).is_ok_and(|claimed| claimed > bound) {
            return Err(format!(
                "a buffer of {length} bytes claims to decompress to {claimed} bytes"
            ));
        }
    }
    Ok(())
}

/// Where the footer of an Arrow IPC file of `len` bytes lies (checked to be inside the file),
/// from the file's first 6 bytes and its last 10.
fn ipc_footer_range(
    len: usize,
    head: &[u8],
    trailer: [u8; 10],
) -> std::result::Result<std::ops::Range<usize>, String> {
    if len < 18 || head != b"ARROW1" {
        return Err("not an Arrow IPC file (no `ARROW1` magic at its start)".into());
    }
    let length = arrow_ipc::reader::read_footer_length(trailer).map_err(|e| e.to_string())?;
    let start = (len - 10)
        .checked_sub(length)
        .filter(|&start| start >= 8)
        .ok_or("the footer is longer than the file")?;
    Ok(start..len - 10)
}

/// The footer of an Arrow IPC file held in `buffer`, with where it starts.
fn ipc_footer(buffer: &[u8]) -> std::result::Result<(arrow_ipc::Footer<'_>, usize), String> {
    let n = buffer.len();
    let trailer: [u8; 10] = buffer
        .get(n.saturating_sub(10)..)
        .and_then(|t| t.try_into().ok())
        .ok_or("not an Arrow IPC file (too short)")?;
    let range = ipc_footer_range(n, &buffer[..n.min(6)], trailer)?;
    let start = range.start;
    let footer = arrow_ipc::root_as_footer(&buffer[range])
        .map_err(|e| format!("the footer is corrupt: {e}"))?;
    Ok((footer, start))
}

/// The schema of an Arrow IPC file, from its footer only.
fn ipc_schema(path: &Path) -> Result<SchemaRef> {
    use std::io::{Seek, SeekFrom};
    let err = |e: &dyn std::fmt::Display| read_error(path, FileFormat::ArrowIpc, e);
    let io_err = |e| io_error("reading", path, e);
    let mut file = File::open(path).map_err(io_err)?;
    let len = file.metadata().map_err(io_err)?.len();
    let len = usize::try_from(len).map_err(|e| err(&e))?;
    if len < 18 {
        return Err(err(&"not an Arrow IPC file (too short)"));
    }
    let (mut head, mut trailer) = ([0_u8; 6], [0_u8; 10]);
    file.read_exact(&mut head).map_err(io_err)?;
    file.seek(SeekFrom::End(-10)).map_err(io_err)?;
    file.read_exact(&mut trailer).map_err(io_err)?;
    let range = ipc_footer_range(len, &head, trailer).map_err(|e| err(&e))?;
    let mut footer = vec![0_u8; range.len()];
    file.seek(SeekFrom::Start(range.start as u64))
        .map_err(io_err)?;
    file.read_exact(&mut footer).map_err(io_err)?;
    let footer = arrow_ipc::root_as_footer(&footer)
        .map_err(|e| err(&format!("the footer is corrupt: {e}")))?;
    let schema = footer
        .schema()
        .ok_or_else(|| err(&"the footer has no schema"))?;
    Ok(Arc::new(arrow_ipc::convert::fb_to_schema(schema)))
}

/// Read an Arrow IPC file, checking every size its footer and messages claim before the
/// decoder uses it (a block beyond the footer or an impossible decompressed size is an error,
/// not an allocation of that size).
fn read_ipc(path: &Path) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let err = |e: &dyn std::fmt::Display| read_error(path, FileFormat::ArrowIpc, e);
    let bytes = fs::read(path).map_err(|e| io_error("reading", path, e))?;
    let buffer = arrow::buffer::Buffer::from(bytes);
    let (footer, footer_start) = ipc_footer(&buffer).map_err(|e| err(&e))?;
    let fb_schema = footer
        .schema()
        .ok_or_else(|| err(&"the footer has no schema"))?;
    let schema = Arc::new(arrow_ipc::convert::fb_to_schema(fb_schema));
    let mut decoder = arrow_ipc::reader::FileDecoder::new(schema.clone(), footer.version());
    let block_data = |block: &arrow_ipc::Block| -> Result<arrow::buffer::Buffer> {
        let sizes = (
            usize::try_from(block.offset()),
            usize::try_from(block.metaDataLength()),
            usize::try_from(block.bodyLength()),
        );
        let (Ok(offset), Ok(metadata), Ok(body)) = sizes else {
            return Err(err(&"a block has a negative offset or length"));
        };
        let length = metadata
            .checked_add(body)
            .filter(|&l| offset.checked_add(l).is_some_and(|end| end <= footer_start))
            .ok_or_else(|| err(&"a block lies beyond the end of the data"))?;
        let data = buffer.slice_with_length(offset, length);
        check_ipc_block(&data, metadata).map_err(|e| err(&e))?;
        Ok(data)
    };
    for block in footer.dictionaries().into_iter().flatten() {
        let data = block_data(block)?;
        decoder.read_dictionary(block, &data).map_err(|e| err(&e))?;
    }
    let mut batches = Vec::new();
    for block in footer.recordBatches().into_iter().flatten() {
        let data = block_data(block)?;
        if let Some(batch) = decoder
            .read_record_batch(block, &data)
            .map_err(|e| err(&e))?
        {
            batches.push(batch);
        }
    }
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
        FileFormat::ArrowIpc => read_ipc(path),
        FileFormat::Json => {
            let bytes = read_bytes(path, format)?;
            let schema = json_schema(path, &bytes)?;
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

/// An error while loading `path` that names it: a missing column names the file, a
/// conversion or type error already does, anything else is wrapped with the file's name.
pub(super) fn in_file(error: FugueError, path: &Path) -> FugueError {
    match error {
        FugueError::ColumnNotFound {
            column,
            schema,
            suggestion,
            ..
        } => FugueError::ColumnNotFound {
            column,
            context: format!("file `{}`", path.display()),
            schema,
            suggestion,
        },
        e @ (FugueError::TypeMismatch { .. } | FugueError::Cast { .. }) => e,
        e => e.context(format!("cannot load `{}`", path.display())),
    }
}

/// One file as a frame under the options: its columns (normalised), its hive partition
/// columns, then the selected or declared columns. `None` for a file without columns (an
/// empty CSV or JSON file) when no schema is declared.
fn load_file(input: &Input, options: &LoadOptions) -> Result<Option<ArrowFrame>> {
    let path = &input.path;
    let (schema, batches) = contained(path, input.format, || {
        read_file(path, input.format, options)
    })?;
    if schema.fields().is_empty() {
        return match &options.columns {
            Some(LoadColumns::Schema(declared)) => {
                ArrowFrame::empty(all_nullable(declared)).map(Some)
            }
            _ => Ok(None),
        };
    }
    let frame = normalize(&schema, batches)
        .and_then(|f| with_partitions(f, &input.partitions))
        .map_err(|e| in_file(e, path))?;
    match &options.columns {
        None => Ok(Some(frame)),
        Some(LoadColumns::Names(names)) => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            frame.select(&names).map(Some).map_err(|e| in_file(e, path))
        }
        Some(LoadColumns::Schema(declared)) => {
            let origin = |name: &str| {
                if input.partitions.iter().any(|(k, _)| k == name) {
                    return Origin::Text;
                }
                match input.format {
                    FileFormat::Csv => Origin::Text,
                    FileFormat::Json => Origin::Json,
                    FileFormat::Parquet | FileFormat::ArrowIpc => Origin::Typed,
                }
            };
            apply_declared(&frame, declared, origin, path)
                .map(Some)
                .map_err(|e| in_file(e, path))
        }
    }
}

/// Load files, folders, globs or a list of them into one frame (all files must have the same
/// schema; a file that differs or cannot be read is an error naming it). Files under hive
/// folders (`k=v/`) get the partition values as `str` columns after their own columns.
pub(crate) fn load(files: &LoadFiles, options: &LoadOptions) -> Result<ArrowFrame> {
    let files = &files.files;
    let mut result: Option<(String, Schema)> = None;
    let mut first_empty: Option<&Input> = None;
    let mut all = Vec::new();
    for input in files {
        let Some(frame) = load_file(input, options)? else {
            first_empty.get_or_insert(input);
            continue;
        };
        match &result {
            None => result = Some((input.path.display().to_string(), frame.schema().clone())),
            Some((first_path, first)) => eval::same_schema(
                "load",
                (first_path, first),
                (&input.path.display().to_string(), frame.schema()),
                &Step::NONE,
            )?,
        }
        all.extend(frame.into_batches());
    }
    match (result, first_empty) {
        (Some((_, schema)), _) => ArrowFrame::new(schema, all),
        (None, Some(empty)) => Err(FugueError::invalid_argument(
            "columns",
            format!(
                "`{}` is an empty {:?} file: it has no column; declare the columns as a schema \
                 to load it as an empty dataframe",
                empty.path.display(),
                empty.format
            ),
        )),
        (None, None) => Err(FugueError::Internal("no file after expansion".into())),
    }
}

/// The hidden siblings this process uses now (temporary outputs and moved-aside old outputs),
/// so that a save never removes another live save's files as stale.
static LIVE_SIBLINGS: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// The folder `target` is in, as given (`""` for a bare name).
fn parent_of(target: &Path) -> &Path {
    target.parent().unwrap_or(Path::new(""))
}

/// The key of a sibling in [`LIVE_SIBLINGS`]: its canonical folder and its name.
fn live_key(path: &Path) -> PathBuf {
    let parent = parent_of(path);
    let folder = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let folder = fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    folder.join(path.file_name().unwrap_or_default())
}

fn lock_live() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    LIVE_SIBLINGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A hidden sibling of a target (`.<name>.fugue-<what>-<pid>-<n>`), registered as live while
/// it exists; dropping it removes whatever is still at its path.
struct Sibling {
    path: PathBuf,
    key: PathBuf,
    /// Left on disk when dropped (it holds the only copy of an output).
    kept: bool,
}

impl Sibling {
    /// A fresh sibling of `target` (the target's folder exists).
    fn new(target: &Path, what: &str) -> Sibling {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "output".into());
        let path =
            parent_of(target).join(format!(".{name}.fugue-{what}-{}-{n}", std::process::id()));
        let key = live_key(&path);
        lock_live().insert(key.clone());
        Sibling {
            path,
            key,
            kept: false,
        }
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        if !self.kept {
            let _ = remove_any(&self.path);
        }
        lock_live().remove(&self.key);
    }
}

/// Whether the process `pid` runs (`None` where this cannot be known: no `/proc`).
fn process_runs(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

/// Remove the hidden siblings of `target` that a killed save left behind (see the module
/// docs). Best effort: a sibling that cannot be removed stays, and the save goes on.
fn remove_stale_siblings(target: &Path) {
    let Some(name) = target.file_name() else {
        return;
    };
    let prefix = format!(".{}.fugue-", name.to_string_lossy());
    let parent = parent_of(target);
    let listed = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = fs::read_dir(listed) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let mut parts = rest.splitn(3, '-');
        let (Some(what), Some(pid), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(pid), Ok(_)) = (pid.parse::<u32>(), n.parse::<u64>()) else {
            continue;
        };
        if what != "tmp" && what != "old" {
            continue;
        }
        let path = parent.join(&file_name);
        let stale = if pid == std::process::id() {
            !lock_live().contains(&live_key(&path))
        } else {
            match process_runs(pid) {
                Some(runs) => !runs,
                None => fs::symlink_metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age > Duration::from_secs(24 * 3600)),
            }
        };
        if stale {
            let _ = remove_any(&path);
        }
    }
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

/// Write one file of batches, as they come (a stream or a plan is written while it is read; an
/// error of the source fails the write).
fn write_file(
    path: &Path,
    format: FileFormat,
    gzip: bool,
    schema: &SchemaRef,
    batches: &mut dyn Iterator<Item = Result<RecordBatch>>,
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
                writer.write(&b?).map_err(|e| err(&e))?;
            }
            let sink = writer.into_inner().map_err(|e| err(&e))?;
            sink.finish().map_err(|e| io_error("writing", path, e))?;
        }
        FileFormat::Csv => {
            let mut writer = arrow::csv::WriterBuilder::new()
                .with_header(options.header)
                .with_delimiter(options.delimiter.unwrap_or(b','))
                .build(sink);
            // The header line is written with the first batch: an empty frame gets one too.
            let mut written = false;
            for b in batches {
                writer.write(&b?).map_err(|e| err(&e))?;
                written = true;
            }
            if !written {
                writer
                    .write(&RecordBatch::new_empty(schema.clone()))
                    .map_err(|e| err(&e))?;
            }
            writer
                .into_inner()
                .finish()
                .map_err(|e| io_error("writing", path, e))?;
        }
        FileFormat::Json => {
            // NULLs are written (`"k":null`, as pandas writes them), so that every line names
            // every column in the frame's order.
            let mut writer = arrow::json::WriterBuilder::new()
                .with_explicit_nulls(true)
                .build::<_, arrow::json::writer::LineDelimited>(sink);
            for b in batches {
                writer.write(&b?).map_err(|e| err(&e))?;
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
                writer.write(&b?).map_err(|e| err(&e))?;
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

/// The name of a NULL partition value (Hive's).
const HIVE_NULL: &str = "__HIVE_DEFAULT_PARTITION__";

/// Hive's escaping of a folder name part, as Hive, Spark and pyarrow read it back: `%XX` (the
/// UTF-8 bytes) for control characters, `/ \ = % : * ? " < > | # ' [ ] ^ { }`, and a leading
/// `.`; other characters, non-ASCII ones included, are kept.
fn hive_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if c.is_control() || "/\\=%:*?\"<>|#'[]^{}".contains(c) || (i == 0 && c == '.') {
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

/// A hive folder name part for a partition column name: [`hive_escape`], with a leading `_`
/// escaped too (loads skip folders whose names start with `_` or `.`).
fn hive_name(name: &str) -> String {
    match name.strip_prefix('_') {
        Some(rest) => format!("%5F{}", hive_escape(rest)),
        None => hive_escape(name),
    }
}

/// A hive folder name part for a key value: `NULL` is `__HIVE_DEFAULT_PARTITION__` (and a
/// string of that text is escaped so that it reads back as itself), anything else
/// [`hive_escape`]d.
fn hive_value(value: &crate::value::Value) -> String {
    if value.is_null() {
        return HIVE_NULL.into();
    }
    let text = match value.as_str() {
        Some(s) => s.to_string(),
        None => value.to_string(),
    };
    if text == HIVE_NULL {
        return format!("%5F{}", &HIVE_NULL[1..]);
    }
    hive_escape(&text)
}

/// The folder of one partition: `root/name=value/...`, every part escaped; a part that would
/// not be one plain folder name under `root` is [`FugueError::Internal`] (escaping makes it
/// impossible; this guards the invariant that nothing is written outside the target).
fn partition_folder(root: &Path, keys: &[(String, crate::value::Value)]) -> Result<PathBuf> {
    let mut dir = root.to_path_buf();
    for (name, value) in keys {
        let part = format!("{}={}", hive_name(name), hive_value(value));
        let mut components = Path::new(&part).components();
        match (components.next(), components.next()) {
            (Some(std::path::Component::Normal(c)), None) if c == part.as_str() => dir.push(c),
            _ => {
                return Err(FugueError::Internal(format!(
                    "the partition folder `{part}` is not one folder name"
                )));
            }
        }
    }
    Ok(dir)
}

/// Write the frame's output (a file, or a hive-partitioned folder) at `path`. A file is written
/// from the frame's stream (a plan runs while it is written, in bounded memory); a partitioned
/// folder needs every row first.
fn write_output(
    df: DataFrame,
    path: &Path,
    format: FileFormat,
    gzip: bool,
    options: &SaveOptions,
) -> Result<()> {
    if options.partition_by.is_empty() {
        let mut stream = df.to_stream_frame()?;
        let schema = stream.arrow_schema().clone();
        return write_file(path, format, gzip, &schema, &mut stream, options);
    }
    let frame = df.to_arrow_frame()?;
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
        let mut values = Vec::new();
        if let Some(keys) = &part.keys {
            let key_schema = keys.schema();
            for (field, column) in key_schema.fields().iter().zip(keys.columns()) {
                values.push((field.name().clone(), value_at(column.as_ref(), 0)?));
            }
        }
        let dir = partition_folder(path, &values)?;
        fs::create_dir_all(&dir).map_err(|e| io_error("writing", &dir, e))?;
        let batch = part.batch.project(&keep)?;
        let file = dir.join(format!("part-{:05}{suffix}", part.partition_no));
        write_file(
            &file,
            format,
            gzip,
            &batch.schema(),
            &mut std::iter::once(Ok(batch.clone())),
            options,
        )?;
    }
    Ok(())
}

/// Move every file of `from` (recursively) into `into`, under fresh names (never over an
/// existing file: a name that exists is skipped for the next one).
fn merge_into(from: &Path, into: &Path) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let stamp = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for entry in entries(from)? {
        let name = entry.file_name().unwrap_or_default().to_owned();
        let target = into.join(&name);
        if entry.is_dir() {
            fs::create_dir_all(&target).map_err(|e| io_error("writing", &target, e))?;
            merge_into(&entry, &target)?;
        } else {
            let fresh = loop {
                let n = COUNTER.fetch_add(1, Ordering::Relaxed);
                let fresh = into.join(format!(
                    "append-{stamp:x}-{}-{n}-{}",
                    std::process::id(),
                    name.to_string_lossy()
                ));
                if fs::symlink_metadata(&fresh).is_err() {
                    break fresh;
                }
            };
            fs::rename(&entry, &fresh).map_err(|e| io_error("writing", &fresh, e))?;
        }
    }
    Ok(())
}

/// The schema a load of the first data file under `root` (a file or a folder) would give,
/// with its hive partition columns; `None` when there is no data file or it has no column.
/// JSON columns that are NULL throughout have the type `null`.
fn stored_schema(root: &Path, format: FileFormat, options: &LoadOptions) -> Result<Option<Schema>> {
    let Some(text) = root.to_str() else {
        return Ok(None);
    };
    let files = match expand(&[text], Some(format)) {
        Ok(files) => files,
        Err(FugueError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let Some(first) = files.first() else {
        return Ok(None);
    };
    Ok(input_schema(first, options)?.map(|(_, schema)| schema))
}

/// One input's schema without reading its data: the file's own Arrow schema, and the columns a
/// load of it has (normalised, with its hive partition columns); `None` for a file without
/// columns (an empty CSV or JSON file).
pub(super) fn input_schema(
    input: &Input,
    options: &LoadOptions,
) -> Result<Option<(SchemaRef, Schema)>> {
    let path = &input.path;
    let raw = contained(path, input.format, || {
        file_schema(path, input.format, options)
    })?;
    if raw.fields().is_empty() {
        return Ok(None);
    }
    let frame = normalize(&raw, Vec::new())
        .and_then(|f| with_partitions(f, &input.partitions))
        .map_err(|e| in_file(e, path))?;
    Ok(Some((raw, frame.schema().clone())))
}

/// The schema of one file without reading its data (parquet, Arrow IPC: the footer; CSV: the
/// first line, every column `str`, named `_c0, _c1, ...` without a header; JSON: inferred).
fn file_schema(path: &Path, format: FileFormat, options: &LoadOptions) -> Result<SchemaRef> {
    let err = |e: &dyn std::fmt::Display| read_error(path, format, e);
    let open = || File::open(path).map_err(|e| io_error("reading", path, e));
    match format {
        FileFormat::Parquet => Ok(ParquetRecordBatchReaderBuilder::try_new(open()?)
            .map_err(|e| err(&e))?
            .schema()
            .clone()),
        FileFormat::ArrowIpc => ipc_schema(path),
        FileFormat::Json => json_schema(path, &read_bytes(path, format)?),
        FileFormat::Csv => {
            let reader: Box<dyn Read> = if is_gzip(path) {
                Box::new(flate2::read::GzDecoder::new(open()?))
            } else {
                Box::new(open()?)
            };
            let (schema, _) = arrow::csv::reader::Format::default()
                .with_header(options.header)
                .with_delimiter(options.delimiter)
                .infer_schema(reader, Some(0))
                .map_err(|e| err(&e))?;
            let fields: Vec<Field> = schema
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let name = if options.header {
                        f.name().clone()
                    } else {
                        format!("_c{i}")
                    };
                    Field::new(name, DataType::Utf8, true)
                })
                .collect();
            Ok(Arc::new(ArrowSchema::new(fields)))
        }
    }
}

/// An append to the folder `target` needs its files' schema to be the appended data's
/// (`written`, the new files): otherwise [`FugueError::SchemaMismatch`] naming both, and
/// nothing moves into the target. JSON columns NULL throughout match any type.
fn check_append(
    target: &Path,
    written: &Path,
    format: FileFormat,
    options: &SaveOptions,
) -> Result<()> {
    let load = LoadOptions {
        format: Some(format),
        header: options.header,
        delimiter: options.delimiter.unwrap_or(b','),
        ..LoadOptions::default()
    };
    let (Some(existing), Some(new)) = (
        stored_schema(target, format, &load)?,
        stored_schema(written, format, &load)?,
    ) else {
        return Ok(());
    };
    // JSON has no type for a column that is NULL throughout: take the other side's.
    let untyped = |schema: &Schema, other: &Schema| -> Result<Schema> {
        Schema::new(
            schema
                .columns()
                .iter()
                .map(|c| match other.column(c.name()) {
                    Some(o) if c.data_type() == &DataType::Null => {
                        c.with_type(o.data_type().clone())
                    }
                    _ => c.clone(),
                })
                .collect(),
        )
    };
    let (left, right) = (untyped(&existing, &new)?, untyped(&new, &existing)?);
    let target = target.display().to_string();
    eval::same_schema(
        "append",
        (&target, &left),
        ("the appended data", &right),
        &Step::NONE,
    )
    .map_err(|e| e.context(format!("appending to `{target}` (nothing was appended)")))
}

/// Save a frame atomically (see the module docs).
pub(crate) fn save(frame: DataFrame, path: &str, options: &SaveOptions) -> Result<()> {
    let format = FileFormat::resolve(path, options.format)?;
    let target = PathBuf::from(path.trim_end_matches('/'));
    let gzip = is_gzip(&target);
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| io_error("writing", parent, e))?;
    }
    remove_stale_siblings(&target);
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
    let temp = Sibling::new(&target, "tmp");
    let append = options.mode == SaveMode::Append;
    if append && options.partition_by.is_empty() {
        // An append writes a folder (also to a new target, so that it can be appended to
        // again): the new file goes inside it.
        fs::create_dir_all(&temp.path).map_err(|e| io_error("writing", &temp.path, e))?;
        let file = temp.path.join(format!(
            "part-00000{}{}",
            format.suffix(),
            if gzip { ".gz" } else { "" }
        ));
        write_output(frame, &file, format, gzip, options)?;
    } else {
        write_output(frame, &temp.path, format, gzip, options)?;
    }
    if append && exists {
        check_append(&target, &temp.path, format, options)?;
        return merge_into(&temp.path, &target);
    }
    if !exists {
        return fs::rename(&temp.path, &target).map_err(|e| io_error("writing", &target, e));
    }
    if !temp.path.is_dir() && !target.is_dir() {
        // A file over a file: one atomic rename.
        return fs::rename(&temp.path, &target).map_err(|e| io_error("replacing", &target, e));
    }
    // Overwrite of a folder: move the old output aside, move the new one in, then drop the old.
    let mut backup = Sibling::new(&target, "old");
    fs::rename(&target, &backup.path).map_err(|e| io_error("replacing", &target, e))?;
    if let Err(e) = fs::rename(&temp.path, &target) {
        // Put the old output back; if even that fails, it stays in the backup.
        backup.kept = fs::rename(&backup.path, &target).is_err();
        return Err(io_error("replacing", &target, e));
    }
    remove_any(&backup.path).map_err(|e| io_error("removing", &backup.path, e))
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
        use crate::value::Value;
        assert_eq!(hive_value(&Value::from("a/b")), "a%2Fb");
        assert_eq!(hive_value(&Value::Null), "__HIVE_DEFAULT_PARTITION__");
        assert_eq!(
            hive_value(&Value::from("__HIVE_DEFAULT_PARTITION__")),
            "%5F_HIVE_DEFAULT_PARTITION__"
        );
        assert_eq!(hive_value(&Value::from(3_i64)), "3");
        assert_eq!(hive_value(&Value::from("..")), "%2E.");
        assert_eq!(hive_value(&Value::from("a b_é")), "a b_é");
        assert_eq!(hive_name("../x"), "%2E.%2Fx");
        assert_eq!(hive_name("_k"), "%5Fk");
        assert_eq!(hive_name("/abs"), "%2Fabs");
        assert_eq!(hive_name("{a}[b]^'"), "%7Ba%7D%5Bb%5D%5E%27");
    }

    proptest::proptest! {
        #[test]
        fn hive_parts_are_one_plain_folder_name_and_read_back(
            name in "(?s).{0,12}|[./_=%\\\\]{0,4}",
            value in "(?s).{0,12}|[./_=%\\\\]{0,4}",
        ) {
            let part = format!("{}={}", hive_name(&name), hive_value(&crate::value::Value::from(value.as_str())));
            let folder = partition_folder(
                Path::new("root"),
                &[(name.clone(), crate::value::Value::from(value.as_str()))],
            );
            proptest::prop_assert_eq!(folder.ok(), Some(Path::new("root").join(&part)));
            proptest::prop_assert!(!is_hidden(&part));
            let file = Path::new("root").join(&part).join("part-0.parquet");
            proptest::prop_assert_eq!(
                hive_partitions(Path::new("root"), &file),
                vec![(name, Some(value))]
            );
        }
    }

    #[test]
    fn only_siblings_no_save_uses_are_stale() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("t.parquet");
        let live = Sibling::new(&target, "tmp");
        fs::create_dir(&live.path).expect("mkdir");
        let leaked = dir.path().join(format!(
            ".t.parquet.fugue-tmp-{}-999999999",
            std::process::id()
        ));
        fs::create_dir(&leaked).expect("mkdir");
        remove_stale_siblings(&target);
        assert!(live.path.exists(), "a live temporary output was removed");
        assert!(!leaked.exists(), "a leaked temporary output was kept");
        let path = live.path.clone();
        drop(live);
        assert!(!path.exists(), "a dropped temporary output was kept");
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
            save(frame.clone().into(), path.to_str().expect("utf8"), options).expect("save");
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
        let files = LoadFiles::resolve(
            &[dir.path().join("a.parquet").to_str().expect("utf8")],
            None,
        )
        .expect("resolve");
        let load = load(&files, &LoadOptions::default()).expect("load");
        assert_eq!(load.count(), 1);
    }
}
