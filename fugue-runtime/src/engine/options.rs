//! The typed arguments of engine operations: join and zip types, NULL placement, dropna and
//! save modes, file formats, fill values, sample sizes, select queries and load/save options.
//!
//! Every enum parses from the strings Fugue accepts (case-insensitive) with [`std::str::FromStr`];
//! anything else is [`FugueError::InvalidArgument`] listing the accepted values.

use crate::value::Value;
use fugue_core::{FugueError, Result, Schema};
use std::path::{Path, PathBuf};

/// The type of a join (reference §2.3): one vocabulary, defined in fugue-core with the join
/// rules, for the macros, the builder and the engines. Accepts Fugue's spellings, any case
/// (`left_semi`, `left_anti` too).
pub use fugue_core::rules::JoinKind as JoinHow;

/// The option vocabulary, defined once in fugue-core for the macros, the builder and the engines.
pub use fugue_core::options::{DropHow, FileFormat, NaPosition, ParquetCompression, SaveMode};

/// The value(s) `fillna` puts in place of NULLs.
#[derive(Debug, Clone, PartialEq)]
pub enum FillValue {
    /// One value for every considered column (converted to each column's type).
    All(Value),
    /// A value per column (the `subset` is then ignored).
    PerColumn(Vec<(String, Value)>),
}

impl FillValue {
    /// Check the Fugue rules: no NULL value, no NULL inside a map, a map is not empty
    /// ([`FugueError::InvalidArgument`] otherwise).
    pub fn validate(&self) -> Result<()> {
        match self {
            FillValue::All(v) if v.is_null() => Err(FugueError::invalid_argument(
                "value",
                "NULL is not a fill value; give a value or a map of column to value",
            )),
            FillValue::PerColumn(pairs) if pairs.is_empty() => Err(FugueError::invalid_argument(
                "value",
                "the map of column to fill value is empty",
            )),
            FillValue::PerColumn(pairs) => match pairs.iter().find(|(_, v)| v.is_null()) {
                Some((column, _)) => Err(FugueError::invalid_argument(
                    "value",
                    format!(
                        "the fill value of column `{column}` is NULL; NULL is not a fill value"
                    ),
                )),
                None => Ok(()),
            },
            FillValue::All(_) => Ok(()),
        }
    }
}

impl From<Value> for FillValue {
    fn from(value: Value) -> Self {
        FillValue::All(value)
    }
}

/// How many rows `sample` takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SampleSize {
    /// Exactly this many rows.
    Rows(usize),
    /// This fraction of the rows (rounded to the nearest row count, as pandas does).
    Fraction(f64),
}

impl SampleSize {
    /// From Fugue's two optional arguments: exactly one must be set
    /// ([`FugueError::InvalidArgument`] otherwise); a fraction must be finite and non-negative.
    pub fn from_options(n: Option<usize>, frac: Option<f64>) -> Result<SampleSize> {
        match (n, frac) {
            (Some(n), None) => Ok(SampleSize::Rows(n)),
            (None, Some(f)) if f.is_finite() && f >= 0.0 => Ok(SampleSize::Fraction(f)),
            (None, Some(f)) => Err(FugueError::invalid_argument(
                "frac",
                format!("the fraction must be a non-negative number, got {f}"),
            )),
            _ => Err(FugueError::invalid_argument(
                "n, frac",
                "one and only one of `n` and `frac` must be set",
            )),
        }
    }
}

/// A SQL `SELECT` over one frame: select items (`"a"`, `"CAST(b AS BIGINT) AS c"`,
/// `"SUM(x) AS s"`), an optional `WHERE`, an optional `HAVING` and `DISTINCT`.
///
/// With aggregations, the non-aggregated items are the `GROUP BY` keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SelectQuery {
    /// The select items, SQL.
    pub columns: Vec<String>,
    /// The `WHERE` condition, SQL.
    pub where_clause: Option<String>,
    /// The `HAVING` condition, SQL.
    pub having: Option<String>,
    /// `SELECT DISTINCT`.
    pub distinct: bool,
}

impl SelectQuery {
    /// A query of these select items.
    pub fn new<I, S>(columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        SelectQuery {
            columns: columns.into_iter().map(Into::into).collect(),
            ..SelectQuery::default()
        }
    }

    /// With a `WHERE` condition.
    pub fn filter(mut self, condition: impl Into<String>) -> Self {
        self.where_clause = Some(condition.into());
        self
    }

    /// With a `HAVING` condition.
    pub fn having(mut self, condition: impl Into<String>) -> Self {
        self.having = Some(condition.into());
        self
    }

    /// As `SELECT DISTINCT`.
    pub fn distinct(mut self) -> Self {
        self.distinct = true;
        self
    }
}

/// What `load` reads of the columns.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadColumns {
    /// These columns, in this order.
    Names(Vec<String>),
    /// These columns, in this order, converted to these types only when no value can change
    /// (widening; text parsed as declared); a column that is not nullable is checked for NULLs.
    Schema(Schema),
}

/// Whether a CSV file has a header line when the options do not say: `true` for reads and
/// writes alike (as Polars, DuckDB and pandas; Fugue's default is `false`), so a CSV saved with
/// the defaults reads back with the defaults.
pub const CSV_HEADER: bool = true;

/// Options of `load`.
///
/// ```
/// use fugue_runtime::engine::{FileFormat, LoadOptions};
///
/// // A `;`-separated CSV file whose `NA` fields are NULL.
/// let csv = LoadOptions {
///     format: Some(FileFormat::Csv),
///     delimiter: b';',
///     null_value: Some("NA".into()),
///     ..LoadOptions::default()
/// };
/// assert!(csv.header, "a CSV file has a header unless the options say not");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// The format; `None` infers it from each path's suffix.
    pub format: Option<FileFormat>,
    /// The columns to keep (and their types), or all.
    pub columns: Option<LoadColumns>,
    /// CSV: the first line is a header (default [`CSV_HEADER`], true; without a header
    /// `columns` is required).
    pub header: bool,
    /// CSV: the field delimiter (default `,`).
    pub delimiter: u8,
    /// CSV: infer column types (default false: every column is `str`).
    pub infer_schema: bool,
    /// CSV: a field of exactly this text is NULL (`NA`), as an empty field is; `None`: only
    /// empty fields.
    pub null_value: Option<String>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            format: None,
            columns: None,
            header: CSV_HEADER,
            delimiter: b',',
            infer_schema: false,
            null_value: None,
        }
    }
}

/// Options of `save`.
///
/// ```
/// use fugue_runtime::engine::{SaveMode, SaveOptions};
///
/// // Replace the target, one folder per `city` (`city=Paris/part-..`).
/// let options = SaveOptions {
///     mode: SaveMode::Overwrite,
///     partition_by: vec!["city".into()],
///     ..SaveOptions::default()
/// };
/// assert!(options.header, "a CSV file is written with a header unless the options say not");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SaveOptions {
    /// The format; `None` infers it from the path's suffix.
    pub format: Option<FileFormat>,
    /// What to do when the target exists.
    pub mode: SaveMode,
    /// Write a folder with one sub-folder per value of these columns (hive style,
    /// `col=value/`, names and values `%XX`-escaped as Hive does), the columns themselves left
    /// out of the files.
    pub partition_by: Vec<String>,
    /// CSV: write a header line (default [`CSV_HEADER`], true; an empty frame gets one too).
    pub header: bool,
    /// CSV: the field delimiter (`None` = `,`).
    pub delimiter: Option<u8>,
    /// Parquet: the compression codec (default snappy).
    pub compression: ParquetCompression,
}

impl Default for SaveOptions {
    fn default() -> Self {
        SaveOptions {
            format: None,
            mode: SaveMode::default(),
            partition_by: Vec::new(),
            header: CSV_HEADER,
            delimiter: None,
            compression: ParquetCompression::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fugue_core::ErrorKind;

    #[test]
    fn join_types_parse_exactly() {
        assert_eq!("LEFT_OUTER".parse::<JoinHow>().unwrap(), JoinHow::LeftOuter);
        assert_eq!(" cross ".parse::<JoinHow>().unwrap(), JoinHow::Cross);
        assert_eq!("Left_Semi".parse::<JoinHow>().unwrap(), JoinHow::Semi);
        assert_eq!("LEFT_ANTI".parse::<JoinHow>().unwrap(), JoinHow::Anti);
        let e = "outer".parse::<JoinHow>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("full_outer"), "{e}");
        for (name, how) in JoinHow::SPELLINGS {
            assert_eq!(how.name().parse::<JoinHow>().unwrap(), *how);
            assert_eq!(name.parse::<JoinHow>().unwrap(), *how);
        }
    }

    #[test]
    fn formats_come_from_suffixes_or_hints() {
        assert_eq!(FileFormat::from_path("x/a.CSV.gz"), Some(FileFormat::Csv));
        assert_eq!(
            FileFormat::from_path("a.parquet/"),
            Some(FileFormat::Parquet)
        );
        assert_eq!(FileFormat::from_path("a.txt"), None);
        let e = FileFormat::resolve("a.txt", None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedOperation);
        assert_eq!(
            FileFormat::resolve("a.txt", Some(FileFormat::Csv)).unwrap(),
            FileFormat::Csv
        );
        assert_eq!(
            "avro".parse::<FileFormat>().unwrap_err().kind(),
            ErrorKind::UnsupportedOperation
        );
    }

    #[test]
    fn parquet_compressions_parse() {
        assert_eq!(
            SaveOptions::default().compression,
            ParquetCompression::Snappy
        );
        assert_eq!(
            "NONE".parse::<ParquetCompression>().unwrap(),
            ParquetCompression::Uncompressed
        );
        assert_eq!(
            "zstd".parse::<ParquetCompression>().unwrap(),
            ParquetCompression::Zstd
        );
        let e = "brotli".parse::<ParquetCompression>().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn sample_sizes_need_exactly_one_option() {
        assert_eq!(
            SampleSize::from_options(Some(3), None).unwrap(),
            SampleSize::Rows(3)
        );
        for (n, f) in [(None, None), (Some(1), Some(0.5)), (None, Some(-1.0))] {
            assert_eq!(
                SampleSize::from_options(n, f).unwrap_err().kind(),
                ErrorKind::InvalidArgument
            );
        }
    }

    #[test]
    fn fill_values_reject_null() {
        assert!(FillValue::All(Value::Null).validate().is_err());
        assert!(FillValue::PerColumn(vec![]).validate().is_err());
        assert!(
            FillValue::PerColumn(vec![("a".into(), Value::Null)])
                .validate()
                .is_err()
        );
        assert!(
            FillValue::PerColumn(vec![("a".into(), Value::from(0_i64))])
                .validate()
                .is_ok()
        );
    }
}

/// The files a load reads, resolved once: its paths, folders and globs expanded into files,
/// each with its format and the hive partition values of its folders, in the order the load
/// reads them. A workflow resolves a load's files once, for its deterministic checkpoint key
/// and for the load itself ([`RelationalEngine::load_files`](super::RelationalEngine::load_files)),
/// so that the files fingerprinted are exactly the files read.
///
/// ```
/// # #[cfg(feature = "datafusion")] {
/// use fugue_runtime::engine::{LoadFiles, LoadOptions, LocalEngine, RelationalEngine, SaveOptions};
/// use fugue_runtime::{ArrowFrame, DataFrame, Value};
///
/// let dir = tempfile::tempdir()?;
/// let rows = vec![vec![Value::from(1_i64)], vec![Value::from(2_i64)]];
/// let frame = ArrowFrame::from_rows("k:long", &rows)?;
/// let engine = LocalEngine::native(Default::default())?;
/// let save = |name: &str| {
///     let path = dir.path().join(name);
///     let frame = DataFrame::from(frame.clone());
///     engine.save(frame, path.to_str().unwrap(), &SaveOptions::default())
/// };
/// save("a.parquet")?;
/// save("b.parquet")?;
/// let pattern = dir.path().join("*.parquet");
/// let files = LoadFiles::resolve(&[pattern.to_str().unwrap()], None)?;
/// assert_eq!(files.len(), 2);
/// // A file added now is not read: the list was resolved before.
/// save("c.parquet")?;
/// assert_eq!(engine.load_files(&files, &LoadOptions::default())?.count()?, 4);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadFiles {
    pub(super) files: Vec<LoadFile>,
}

/// A file to read: its path, format, and the hive partition values of its folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LoadFile {
    pub(super) path: PathBuf,
    pub(super) format: FileFormat,
    pub(super) partitions: Vec<(String, Option<String>)>,
}

impl LoadFiles {
    /// The files a load of `paths` reads (`format`: the format to read, else each file's
    /// extension): a path that matches nothing, a folder without data files or a file of an
    /// unknown format is an error naming it.
    pub fn resolve(paths: &[&str], format: Option<FileFormat>) -> Result<Self> {
        super::io::expand(paths, format).map(|files| LoadFiles { files })
    }

    /// The files' paths, in the order they are read.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there is no file (never, for a list [`LoadFiles::resolve`] gave).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
