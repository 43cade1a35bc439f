//! The option vocabulary of the operations: NULL placement, dropna, save modes, zip kinds, set
//! operations, file formats, parquet compression, the callback server and the join kinds
//! ([`JoinKind`], also reachable as `rules::JoinKind` beside the join rules).
//!
//! One definition for every user of a choice: `workflow!` checks its words against the
//! [`SPELLINGS`](NaPosition::SPELLINGS) lists while it expands, the builder and the engines parse
//! them with [`std::str::FromStr`], and every message lists the same accepted values. Each enum
//! parses the names Fugue accepts, case-insensitively and trimmed; anything else is
//! [`FugueError::InvalidArgument`] naming the argument and listing the accepted values.

use crate::error::excerpt;
use crate::{FugueError, Result};

/// Declares a choice enum: its variants with their canonical names, extra spellings, and the
/// argument name used in messages.
macro_rules! choice {
    (
        $(#[$meta:meta])*
        $name:ident, argument $argument:literal $(, unknown $unknown:path)? {
            $( $(#[$vmeta:meta])* $variant:ident = $canonical:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every spelling accepted, with its value (matched case-insensitively).
            pub const SPELLINGS: &'static [(&'static str, $name)] = &[
                $( ($canonical, $name::$variant), $( ($alias, $name::$variant), )* )+
            ];

            /// The canonical names, in declaration order (what `workflow!` lists).
            pub const NAMES: &'static [&'static str] = &[ $( $canonical, )+ ];

            /// The argument's name in messages.
            pub const ARGUMENT: &'static str = $argument;

            /// The value spelled `name` (any case), if any.
            pub const fn from_name(name: &str) -> Option<$name> {
                let mut i = 0;
                while i < Self::SPELLINGS.len() {
                    if crate::rules::text::str_eq_ignore_ascii_case(Self::SPELLINGS[i].0, name) {
                        return Some(Self::SPELLINGS[i].1);
                    }
                    i += 1;
                }
                None
            }

            /// The canonical name.
            pub const fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $canonical, )+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = FugueError;

            /// One of [`Self::SPELLINGS`] (any case, trimmed); anything else is
            /// [`FugueError::InvalidArgument`] listing the accepted values.
            fn from_str(s: &str) -> Result<Self> {
                $name::from_name(s.trim()).ok_or_else(|| {
                    #[allow(unused_variables)]
                    let unknown = |text: &str| not_one_of($argument, text, Self::SPELLINGS);
                    $( let unknown = |text: &str| $unknown(text, Self::SPELLINGS); )?
                    unknown(s)
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// The error of a word that is none of `spellings`: `` `x` is not a valid <argument>; accepted
/// values are a, b, c ``.
pub fn not_one_of<T>(argument: &str, text: &str, spellings: &[(&str, T)]) -> FugueError {
    let accepted: Vec<String> = spellings.iter().map(|(n, _)| format!("`{n}`")).collect();
    FugueError::invalid_argument(
        argument,
        format!(
            "`{}` is not a valid {argument}; accepted values are {}",
            excerpt(text),
            accepted.join(", ")
        ),
    )
}

choice! {
    /// The kind of a join (reference §2.3), one vocabulary for the macros, the builder and the
    /// engines; Fugue's aliases `left_semi` and `left_anti` beside `semi` and `anti`.
    JoinKind, argument "join type" {
        /// Rows whose keys match on both sides.
        Inner = "inner",
        /// Every row of the left side, with the right side's columns NULL when unmatched.
        LeftOuter = "left_outer",
        /// Every row of the right side, with the left side's columns NULL when unmatched.
        RightOuter = "right_outer",
        /// Every row of both sides.
        FullOuter = "full_outer",
        /// Rows of the left side that have a match (left columns only).
        Semi = "semi" | "left_semi",
        /// Rows of the left side that have no match (left columns only).
        Anti = "anti" | "left_anti",
        /// Every combination of rows (the two sides must not share a column).
        Cross = "cross",
    }
}

impl JoinKind {
    /// Whether the output has only the left side's columns (semi and anti).
    pub const fn is_filtering(self) -> bool {
        matches!(self, JoinKind::Semi | JoinKind::Anti)
    }

    /// Which sides are NULL sides, `(left, right)`: a row of the other side without a match
    /// gives NULL in their columns (the right of a left join, the left of a right join, both of
    /// a full join). The one definition the `join` verb's rule and a `sql` step's joins use.
    pub const fn null_sides(self) -> (bool, bool) {
        match self {
            JoinKind::LeftOuter => (false, true),
            JoinKind::RightOuter => (true, false),
            JoinKind::FullOuter => (true, true),
            _ => (false, false),
        }
    }
}

/// The value a file-format option of `load` or `save` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatOption {
    /// `true` or `false`.
    Flag,
    /// One byte (a CSV delimiter: `';'`).
    Byte,
    /// Any text (the CSV field that reads as NULL: `"NA"`).
    Text,
    /// A [`ParquetCompression`] name.
    Compression,
}

/// The options of `load` by name, with their values (the builder's `option(key, value)`,
/// `workflow!`'s `load(path, header: false, delimiter: ';', null: "NA", infer_schema: true)`).
pub const LOAD_OPTIONS: &[(&str, FormatOption)] = &[
    ("header", FormatOption::Flag),
    ("delimiter", FormatOption::Byte),
    ("infer_schema", FormatOption::Flag),
    ("null", FormatOption::Text),
];

/// The options of `save` by name, with their values (`workflow!`'s `save(input, path,
/// header: false, delimiter: ';', compression: zstd)`).
pub const SAVE_OPTIONS: &[(&str, FormatOption)] = &[
    ("header", FormatOption::Flag),
    ("delimiter", FormatOption::Byte),
    ("compression", FormatOption::Compression),
];

/// The names of a list of options, for messages (`header, delimiter, ...`).
pub fn option_names(options: &[(&str, FormatOption)]) -> String {
    options
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

choice! {
    /// Where NULLs go in a sort, whatever the direction (reference §2.5, pandas semantics).
    #[derive(Default)]
    NaPosition, argument "na_position" {
        /// NULLs before every value.
        First = "first",
        /// NULLs after every value (the default).
        #[default]
        Last = "last",
    }
}

choice! {
    /// Which rows `dropna` drops.
    #[derive(Default)]
    DropHow, argument "dropna how" {
        /// A row with any NULL among the considered columns (the default).
        #[default]
        Any = "any",
        /// A row whose considered values are all NULL.
        All = "all",
    }
}

choice! {
    /// What `save` does when the target exists.
    #[derive(Default)]
    SaveMode, argument "save mode" {
        /// Replace the existing file or folder (the default).
        #[default]
        Overwrite = "overwrite",
        /// Add files to a folder, created when the target does not exist (a single existing
        /// file cannot be appended to); the folder's schema must be the frame's.
        Append = "append",
        /// Fail when the target exists.
        Error = "error",
    }
}

choice! {
    /// The compression of the parquet files `save` writes.
    #[derive(Default)]
    ParquetCompression, argument "parquet compression" {
        /// Snappy (the default, as pyarrow, pandas and so Fugue write).
        #[default]
        Snappy = "snappy",
        /// No compression.
        Uncompressed = "uncompressed" | "none",
        /// Zstandard at its default level.
        Zstd = "zstd",
        /// LZ4 (the raw LZ4 codec of the parquet format).
        Lz4 = "lz4",
        /// Gzip at its default level.
        Gzip = "gzip",
    }
}

choice! {
    /// Which key groups a co-transformation calls (reference §2.7).
    #[derive(Default)]
    ZipHow, argument "zip type" {
        /// Only keys present in every frame (the default).
        #[default]
        Inner = "inner",
        /// Keys present in the first frame.
        LeftOuter = "left_outer",
        /// Keys present in the last frame.
        RightOuter = "right_outer",
        /// Every key.
        FullOuter = "full_outer",
        /// No keys: one call with every frame whole.
        Cross = "cross",
    }
}

impl ZipHow {
    /// Whether a key group present in these frames is called.
    pub fn keeps(self, present: &[bool]) -> bool {
        match self {
            ZipHow::Inner => present.iter().all(|p| *p),
            ZipHow::LeftOuter => present.first().copied().unwrap_or(false),
            ZipHow::RightOuter => present.last().copied().unwrap_or(false),
            ZipHow::FullOuter | ZipHow::Cross => true,
        }
    }
}

choice! {
    /// The set operations.
    SetOp, argument "set operation" {
        /// `UNION`.
        Union = "union",
        /// `EXCEPT`.
        Subtract = "subtract" | "except",
        /// `INTERSECT`.
        Intersect = "intersect",
    }
}

impl SetOp {
    /// The SQL keyword (`UNION`, `EXCEPT`, `INTERSECT`).
    pub const fn sql(self) -> &'static str {
        match self {
            SetOp::Union => "UNION",
            SetOp::Subtract => "EXCEPT",
            SetOp::Intersect => "INTERSECT",
        }
    }
}

choice! {
    /// A file format of `load` and `save`.
    FileFormat, argument "file format", unknown unsupported_format {
        /// Apache Parquet.
        Parquet = "parquet",
        /// Comma-separated values (optionally gzip-compressed when the name ends with `.gz`).
        Csv = "csv",
        /// JSON lines: one object per line (optionally gzip-compressed).
        Json = "json" | "jsonl",
        /// The Arrow IPC file format.
        ArrowIpc = "arrow" | "ipc",
    }
}

/// A file format that is none of ours: [`FugueError::Unsupported`] (a valid request this
/// implementation does not support), listing the formats.
fn unsupported_format(text: &str, spellings: &[(&str, FileFormat)]) -> FugueError {
    let names: Vec<&str> = spellings.iter().map(|(n, _)| *n).collect();
    FugueError::Unsupported {
        operation: format!("file format `{}`", excerpt(text)),
        reason: format!("supported formats are {}", names.join(", ")),
    }
}

impl FileFormat {
    /// The format of a path from its suffix (`.parquet`, `.csv`, `.csv.gz`, `.json`,
    /// `.json.gz`, `.jsonl`, `.arrow`, `.ipc`, case-insensitive), or `None`.
    pub fn from_path(path: &str) -> Option<FileFormat> {
        let lower = path.to_ascii_lowercase();
        let lower = lower.trim_end_matches('/');
        let lower = lower.strip_suffix(".gz").unwrap_or(lower);
        [
            (".parquet", FileFormat::Parquet),
            (".csv", FileFormat::Csv),
            (".json", FileFormat::Json),
            (".jsonl", FileFormat::Json),
            (".arrow", FileFormat::ArrowIpc),
            (".ipc", FileFormat::ArrowIpc),
        ]
        .into_iter()
        .find(|(suffix, _)| lower.ends_with(suffix))
        .map(|(_, f)| f)
    }

    /// The format of `path`: the hint when given, else the suffix; neither is
    /// [`FugueError::Unsupported`] (give a format hint).
    pub fn resolve(path: &str, hint: Option<FileFormat>) -> Result<FileFormat> {
        hint.or_else(|| FileFormat::from_path(path))
            .ok_or_else(|| FugueError::Unsupported {
                operation: format!("the file format of `{}`", excerpt(path)),
                reason: "the format cannot be inferred from the name; supported suffixes are \
                         .parquet, .csv, .csv.gz, .json, .json.gz, .jsonl, .arrow, .ipc; \
                         otherwise give a format hint"
                    .into(),
            })
    }

    /// The suffix of files written in this format.
    pub fn suffix(self) -> &'static str {
        match self {
            FileFormat::Parquet => ".parquet",
            FileFormat::Csv => ".csv",
            FileFormat::Json => ".json",
            FileFormat::ArrowIpc => ".arrow",
        }
    }
}

choice! {
    /// The callback server of `fugue.rpc.server`: where transformers' callbacks reach the
    /// driver's handler.
    RpcServer, argument "callback server" {
        /// In process: the handler runs on the calling thread (the engines of one machine).
        Native = "native" | "in_process",
        /// The Arrow Flight server of the Ballista engine, configured by
        /// `fugue.rpc.flight_server.*`.
        Flight = "flight",
        /// Fugue's Flask (HTTP) server: here the same Flight server, bound to
        /// `fugue.rpc.flask_server.host` and `.port` (both required) with the client timeout
        /// `fugue.rpc.flask_server.timeout`.
        Flask = "flask" | "http",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(spellings: &[(&str, T)])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::str::FromStr + std::fmt::Display,
        <T as std::str::FromStr>::Err: std::fmt::Debug,
    {
        for (name, value) in spellings {
            assert_eq!(name.parse::<T>().unwrap(), *value);
            assert_eq!(name.to_uppercase().parse::<T>().unwrap(), *value);
            assert_eq!(format!(" {name} ").parse::<T>().unwrap(), *value);
            // The canonical name parses back to the value.
            assert_eq!(value.to_string().parse::<T>().unwrap(), *value);
        }
    }

    #[test]
    fn every_spelling_parses_and_prints_back() {
        round_trip(NaPosition::SPELLINGS);
        round_trip(DropHow::SPELLINGS);
        round_trip(SaveMode::SPELLINGS);
        round_trip(ParquetCompression::SPELLINGS);
        round_trip(ZipHow::SPELLINGS);
        round_trip(SetOp::SPELLINGS);
        round_trip(FileFormat::SPELLINGS);
    }

    #[test]
    fn other_words_are_errors_listing_the_accepted_values() {
        let e = "outer".parse::<ZipHow>().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
        let text = e.to_string();
        assert!(text.contains("`outer` is not a valid zip type"), "{text}");
        assert!(
            text.contains("`left_outer`") && text.contains("`cross`"),
            "{text}"
        );
        let e = "xml".parse::<FileFormat>().unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::UnsupportedOperation);
        assert!(e.to_string().contains("arrow, ipc"), "{e}");
        // A long word is echoed shortened.
        let long = "x".repeat(10_000);
        assert!("x".len() < long.parse::<SaveMode>().unwrap_err().to_string().len());
        assert!(long.parse::<SaveMode>().unwrap_err().to_string().len() < 1_000);
    }

    #[test]
    fn names_are_the_canonical_spellings() {
        assert_eq!(
            ZipHow::NAMES,
            ["inner", "left_outer", "right_outer", "full_outer", "cross"]
        );
        assert_eq!(FileFormat::ArrowIpc.name(), "arrow");
        assert_eq!(FileFormat::from_path("d/x.CSV.gz"), Some(FileFormat::Csv));
        assert_eq!(SetOp::Subtract.sql(), "EXCEPT");
    }
}
