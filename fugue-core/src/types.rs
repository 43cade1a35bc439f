//! Type expressions: parsing (`int`, `[str]`, `{a:int}`, `<str,int>`, `decimal(10,2)`, ...),
//! canonical printing, the Arrow spelling of the acceptance cases, and the canonical Arrow types.
//!
//! Fugue has no types of its own: a column type is an Arrow [`DataType`] from the *supported
//! set*: `null`, `bool`, `int8`..`int64`, `uint8`..`uint64`, `float16/32/64`, `utf8`, `binary`,
//! `date32`, `timestamp(unit[, tz])`, `decimal128(p, s)` (`1 <= p <= 38`, `0 <= s <= p`), and
//! `list`, `struct` and `map` of supported types.
//!
//! Arrow types outside that set (`LargeUtf8`, `LargeBinary`, `LargeList`, the view types,
//! `Dictionary`, `Time32/64`, `Duration`, `Interval`, `FixedSizeBinary`, `FixedSizeList`,
//! `Decimal32/64/256`, `Union`, `RunEndEncoded`, ...) have no Fugue spelling. They are **rejected**
//! rather than silently converted: [`canonical_type`] (used by [`crate::Schema::new`] and
//! [`crate::Schema::from_arrow`]) fails with [`FugueError::Unsupported`] naming the column, the
//! Arrow type and the supported types, so the caller decides where to cast (for example
//! `LargeUtf8` to `Utf8`) instead of a schema that does not round-trip.
//!
//! **Canonical form.** Every type held by a [`crate::Schema`] is canonical: a list's item field is
//! named `item`; a map is `Map(Field "entries" Struct{key (non-null), value}, keys_sorted)`;
//! field metadata is dropped. Nullability of nested fields is kept as given (every type parsed
//! from an expression is nullable everywhere, except map keys, which Arrow requires non-null).

use crate::error::{FugueError, Result, closest_name};
use crate::parse::Parser;
use crate::schema::{Column, quote_name};
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use std::collections::HashSet;
use std::sync::Arc;

/// Every name of an argument-free type, canonical names and aliases.
pub const SIMPLE_TYPE_NAMES: &[&str] = &[
    "null", "bool", "boolean", "byte", "int8", "short", "int16", "int", "int32", "long", "int64",
    "ubyte", "uint8", "ushort", "uint16", "uint", "uint32", "ulong", "uint64", "float16", "float",
    "float32", "double", "float64", "str", "string", "bytes", "binary", "date", "datetime",
];

/// A one-line list of the supported type expressions, used in error messages.
pub const SUPPORTED_TYPES: &str = "null, bool, byte/int8, short/int16, int/int32, long/int64, \
ubyte/uint8, ushort/uint16, uint/uint32, ulong/uint64, float16, float/float32, double/float64, \
str/string, bytes/binary, date, datetime, timestamp(unit[,tz]), decimal(p[,s]), [T], \
{name:T,...}, <K,V>";

/// The type of an argument-free type name (`int`, `str`, `datetime`, ...), case sensitive.
pub fn simple_type(name: &str) -> Option<DataType> {
    Some(match name {
        "null" => DataType::Null,
        "bool" | "boolean" => DataType::Boolean,
        "byte" | "int8" => DataType::Int8,
        "short" | "int16" => DataType::Int16,
        "int" | "int32" => DataType::Int32,
        "long" | "int64" => DataType::Int64,
        "ubyte" | "uint8" => DataType::UInt8,
        "ushort" | "uint16" => DataType::UInt16,
        "uint" | "uint32" => DataType::UInt32,
        "ulong" | "uint64" => DataType::UInt64,
        "float16" => DataType::Float16,
        "float" | "float32" => DataType::Float32,
        "double" | "float64" => DataType::Float64,
        "str" | "string" => DataType::Utf8,
        "bytes" | "binary" => DataType::Binary,
        "date" => DataType::Date32,
        "datetime" => DataType::Timestamp(TimeUnit::Microsecond, None),
        _ => return None,
    })
}

/// The closest known type name to a misspelled one (`INT` -> `int`), for "did you mean".
pub(crate) fn closest_type_name(name: &str) -> Option<&'static str> {
    // No type name has more than 9 characters, and a suggestion is at most a third of the
    // name's length away: a longer word has no close name, and is not compared (the edit
    // distance is quadratic).
    if name.chars().count() > 16 {
        return None;
    }
    closest_name(
        name,
        SIMPLE_TYPE_NAMES
            .iter()
            .copied()
            .chain(["decimal", "timestamp"]),
    )
}

/// Parse one type expression (`int`, `[str]`, `{a:int,b:<str,double>}`, `decimal(10,2)`) into
/// its canonical Arrow type. A malformed expression is [`FugueError::SchemaSyntax`]; a repeated
/// struct field name is [`FugueError::DuplicateColumn`].
pub fn parse_type(expr: &str) -> Result<DataType> {
    let mut parser = Parser::new(expr, "type expression");
    let data_type = parser.data_type()?;
    parser.finish("end of the type expression")?;
    Ok(data_type)
}

/// The canonical type expression (`long`, `[str]`, `datetime`, `timestamp(ms,UTC)`, `decimal(5)`).
///
/// A tz-naive timestamp of any unit prints `datetime` (the expression is then lossy: it parses
/// back as `timestamp(us)`). A type outside the supported set prints as `?` followed by its
/// Arrow debug form, which does not parse back.
pub fn type_expr(data_type: &DataType) -> String {
    let mut out = String::new();
    write_type_expr(&mut out, data_type, false);
    out
}

/// The canonical key of a type: [`type_expr`], except that a tz-naive timestamp keeps its unit
/// (`timestamp(ms)`; `datetime` is `timestamp(us)`), so two types have the same key exactly
/// when they are the same Arrow type. The macros emit types in this form and const evaluation
/// compares keys as strings ([`crate::rules`]).
pub fn type_key(data_type: &DataType) -> String {
    let mut out = String::new();
    write_type_expr(&mut out, data_type, true);
    out
}

/// Write a type expression; `exact` keeps the unit of a tz-naive timestamp other than `us`.
fn write_type_expr(out: &mut String, data_type: &DataType, exact: bool) {
    let simple = match data_type {
        DataType::Null => "null",
        DataType::Boolean => "bool",
        DataType::Int8 => "byte",
        DataType::Int16 => "short",
        DataType::Int32 => "int",
        DataType::Int64 => "long",
        DataType::UInt8 => "ubyte",
        DataType::UInt16 => "ushort",
        DataType::UInt32 => "uint",
        DataType::UInt64 => "ulong",
        DataType::Float16 => "float16",
        DataType::Float32 => "float",
        DataType::Float64 => "double",
        DataType::Utf8 => "str",
        DataType::Binary => "bytes",
        DataType::Date32 => "date",
        DataType::Timestamp(unit, None) if exact && *unit != TimeUnit::Microsecond => {
            out.push_str(&format!("timestamp({})", unit_name(unit)));
            return;
        }
        DataType::Timestamp(_, None) => "datetime",
        DataType::Timestamp(unit, Some(tz)) => {
            out.push_str(&format!("timestamp({},{tz})", unit_name(unit)));
            return;
        }
        DataType::Decimal128(p, 0) => {
            out.push_str(&format!("decimal({p})"));
            return;
        }
        DataType::Decimal128(p, s) => {
            out.push_str(&format!("decimal({p},{s})"));
            return;
        }
        DataType::List(item) => {
            out.push('[');
            write_type_expr(out, item.data_type(), exact);
            out.push(']');
            return;
        }
        DataType::Struct(fields) => {
            out.push('{');
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quote_name(field.name()));
                out.push(':');
                write_type_expr(out, field.data_type(), exact);
            }
            out.push('}');
            return;
        }
        DataType::Map(entries, _) => match map_key_value(entries) {
            Some((key, value)) => {
                out.push('<');
                write_type_expr(out, key.data_type(), exact);
                out.push(',');
                write_type_expr(out, value.data_type(), exact);
                out.push('>');
                return;
            }
            None => {
                out.push_str(&format!("?{data_type:?}"));
                return;
            }
        },
        other => {
            out.push_str(&format!("?{other:?}"));
            return;
        }
    };
    out.push_str(simple);
}

/// The Arrow spelling used by the acceptance cases (`int64`, `list<utf8>`,
/// `timestamp[ms, tz=UTC]`, `decimal128(5,0)`, `map<utf8,int32>`, `struct<x:int32>`).
///
/// No spaces anywhere except the fixed `, tz=` of a zoned timestamp; struct field names follow
/// [`quote_name`]. A type outside the supported set is spelled `?` and its Arrow debug form.
pub fn arrow_spelling(data_type: &DataType) -> String {
    let mut out = String::new();
    write_arrow_spelling(&mut out, data_type);
    out
}

fn write_arrow_spelling(out: &mut String, data_type: &DataType) {
    let simple = match data_type {
        DataType::Null => "null",
        DataType::Boolean => "bool",
        DataType::Int8 => "int8",
        DataType::Int16 => "int16",
        DataType::Int32 => "int32",
        DataType::Int64 => "int64",
        DataType::UInt8 => "uint8",
        DataType::UInt16 => "uint16",
        DataType::UInt32 => "uint32",
        DataType::UInt64 => "uint64",
        DataType::Float16 => "float16",
        DataType::Float32 => "float32",
        DataType::Float64 => "float64",
        DataType::Utf8 => "utf8",
        DataType::Binary => "binary",
        DataType::Date32 => "date32",
        DataType::Timestamp(unit, None) => {
            out.push_str(&format!("timestamp[{}]", unit_name(unit)));
            return;
        }
        DataType::Timestamp(unit, Some(tz)) => {
            out.push_str(&format!("timestamp[{}, tz={tz}]", unit_name(unit)));
            return;
        }
        DataType::Decimal128(p, s) => {
            out.push_str(&format!("decimal128({p},{s})"));
            return;
        }
        DataType::List(item) => {
            out.push_str("list<");
            write_arrow_spelling(out, item.data_type());
            out.push('>');
            return;
        }
        DataType::Struct(fields) => {
            out.push_str("struct<");
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quote_name(field.name()));
                out.push(':');
                write_arrow_spelling(out, field.data_type());
            }
            out.push('>');
            return;
        }
        DataType::Map(entries, _) => match map_key_value(entries) {
            Some((key, value)) => {
                out.push_str("map<");
                write_arrow_spelling(out, key.data_type());
                out.push(',');
                write_arrow_spelling(out, value.data_type());
                out.push('>');
                return;
            }
            None => {
                out.push_str(&format!("?{data_type:?}"));
                return;
            }
        },
        other => {
            out.push_str(&format!("?{other:?}"));
            return;
        }
    };
    out.push_str(simple);
}

/// The short name of a time unit as written in expressions (`s`, `ms`, `us`, `ns`).
pub fn unit_name(unit: &TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    }
}

/// The time unit of a short name (`s`, `ms`, `us`, `ns`), case sensitive.
pub fn parse_unit(name: &str) -> Option<TimeUnit> {
    match name {
        "s" => Some(TimeUnit::Second),
        "ms" => Some(TimeUnit::Millisecond),
        "us" => Some(TimeUnit::Microsecond),
        "ns" => Some(TimeUnit::Nanosecond),
        _ => None,
    }
}

/// Whether a time zone can be written in a type expression: not empty, and free of whitespace
/// and of the characters `` ,()[]{}<>:` `` that delimit the grammar (`:` is allowed, as in `+02:00`).
pub(crate) fn is_valid_time_zone(tz: &str) -> bool {
    !tz.is_empty()
        && !tz
            .chars()
            .any(|c| c.is_whitespace() || ",()[]{}<>`".contains(c))
}

/// The canonical list type of an element type (item named `item`, nullable).
pub fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(item, true)))
}

/// The canonical struct type of columns (fields nullable as the columns say). The columns are
/// not checked here: [`crate::Schema::new`] checks names and types.
pub fn struct_of(columns: &[Column]) -> DataType {
    DataType::Struct(
        columns
            .iter()
            .map(|c| Field::new(c.name(), c.data_type().clone(), c.is_nullable()))
            .collect::<Fields>(),
    )
}

/// The canonical map type (`entries` struct of a non-null `key` and a nullable `value`, keys
/// not sorted).
pub fn map_of(key: DataType, value: DataType) -> DataType {
    map_with(key, value, true, false)
}

fn map_with(key: DataType, value: DataType, value_nullable: bool, keys_sorted: bool) -> DataType {
    let entries = Fields::from(vec![
        Field::new("key", key, false),
        Field::new("value", value, value_nullable),
    ]);
    DataType::Map(
        Arc::new(Field::new("entries", DataType::Struct(entries), false)),
        keys_sorted,
    )
}

/// The key and value fields of a map's entries field, when it has the Arrow map shape.
fn map_key_value(entries: &Field) -> Option<(&Field, &Field)> {
    match entries.data_type() {
        DataType::Struct(fields) if fields.len() == 2 => Some((&fields[0], &fields[1])),
        _ => None,
    }
}

/// Whether a type is in the supported set (recursively).
pub fn is_supported(data_type: &DataType) -> bool {
    canonical(data_type).is_ok()
}

/// The canonical form of a type of column `column`: see the module docs. A type outside the
/// supported set is [`FugueError::Unsupported`] naming the column, the Arrow type and the
/// supported types; a repeated struct field name is [`FugueError::DuplicateColumn`].
pub fn canonical_type(column: &str, data_type: &DataType) -> Result<DataType> {
    canonical(data_type).map_err(|problem| match problem {
        Problem::Unsupported(inner) => {
            let inner_note = if &inner == data_type {
                String::new()
            } else {
                format!(" (it contains `{inner:?}`)")
            };
            FugueError::Unsupported {
                operation: format!("Arrow type `{data_type:?}` of column `{column}`"),
                reason: format!(
                    "the type has no Fugue spelling{inner_note}; supported types are: \
                     {SUPPORTED_TYPES}; cast the column first (for example LargeUtf8 to Utf8)"
                ),
            }
        }
        Problem::DuplicateField(field) => FugueError::DuplicateColumn {
            column: field,
            context: format!("a struct type of column `{column}`"),
            schema: String::new(),
        },
    })
}

enum Problem {
    Unsupported(DataType),
    DuplicateField(String),
}

fn canonical(data_type: &DataType) -> std::result::Result<DataType, Problem> {
    let unsupported = || Problem::Unsupported(data_type.clone());
    Ok(match data_type {
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Utf8
        | DataType::Binary
        | DataType::Date32
        | DataType::Timestamp(_, None) => data_type.clone(),
        DataType::Timestamp(_, Some(tz)) if is_valid_time_zone(tz) => data_type.clone(),
        DataType::Decimal128(p, s) if (1..=38).contains(p) && *s >= 0 && (*s as u8) <= *p => {
            data_type.clone()
        }
        DataType::List(item) => DataType::List(Arc::new(Field::new_list_field(
            canonical(item.data_type())?,
            item.is_nullable(),
        ))),
        DataType::Struct(fields) => {
            let mut seen = HashSet::new();
            let mut out = Vec::with_capacity(fields.len());
            for field in fields {
                if !seen.insert(field.name().as_str()) {
                    return Err(Problem::DuplicateField(field.name().clone()));
                }
                out.push(Field::new(
                    field.name(),
                    canonical(field.data_type())?,
                    field.is_nullable(),
                ));
            }
            DataType::Struct(Fields::from(out))
        }
        DataType::Map(entries, keys_sorted) => {
            let (key, value) = map_key_value(entries).ok_or_else(unsupported)?;
            map_with(
                canonical(key.data_type())?,
                canonical(value.data_type())?,
                value.is_nullable(),
                *keys_sorted,
            )
        }
        _ => return Err(unsupported()),
    })
}

/// Structural type equality as Fugue defines it: the same type, ignoring the nullability of
/// nested fields and whether map keys are sorted (`timestamp(us)` equals `datetime`;
/// `timestamp(s)` does not). Both types are expected canonical.
pub fn same_type(a: &DataType, b: &DataType) -> bool {
    match (a, b) {
        (DataType::List(x), DataType::List(y)) => same_type(x.data_type(), y.data_type()),
        (DataType::Struct(x), DataType::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(f, g)| f.name() == g.name() && same_type(f.data_type(), g.data_type()))
        }
        (DataType::Map(x, _), DataType::Map(y, _)) => match (map_key_value(x), map_key_value(y)) {
            (Some((xk, xv)), Some((yk, yv))) => {
                same_type(xk.data_type(), yk.data_type())
                    && same_type(xv.data_type(), yv.data_type())
            }
            _ => a == b,
        },
        _ => a == b,
    }
}

/// A type for messages: its expression, plus the Arrow spelling when the expression alone is
/// ambiguous (every tz-naive timestamp prints `datetime`).
pub(crate) fn describe_type(data_type: &DataType) -> String {
    let expr = type_expr(data_type);
    if matches!(data_type, DataType::Timestamp(unit, None) if *unit != TimeUnit::Microsecond) {
        format!("{expr} ({})", arrow_spelling(data_type))
    } else {
        expr
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn every_simple_name_parses_and_prints_canonically() {
        for name in SIMPLE_TYPE_NAMES {
            let data_type = parse_type(name).expect(name);
            assert_eq!(simple_type(name), Some(data_type.clone()));
            let canonical = type_expr(&data_type);
            assert_eq!(parse_type(&canonical).expect(name), data_type);
        }
        assert_eq!(type_expr(&parse_type("int32").unwrap()), "int");
        assert_eq!(type_expr(&parse_type("string").unwrap()), "str");
        assert_eq!(type_expr(&parse_type("binary").unwrap()), "bytes");
    }

    #[test]
    fn parameterised_types() {
        assert_eq!(
            parse_type("decimal(5)").unwrap(),
            DataType::Decimal128(5, 0)
        );
        assert_eq!(
            parse_type(" decimal ( 10 , 2 ) ").unwrap(),
            DataType::Decimal128(10, 2)
        );
        assert_eq!(type_expr(&DataType::Decimal128(5, 0)), "decimal(5)");
        assert_eq!(
            arrow_spelling(&DataType::Decimal128(5, 0)),
            "decimal128(5,0)"
        );
        let zoned = parse_type("timestamp(ms,UTC)").unwrap();
        assert_eq!(type_expr(&zoned), "timestamp(ms,UTC)");
        assert_eq!(arrow_spelling(&zoned), "timestamp[ms, tz=UTC]");
        let offset = parse_type("timestamp(s,+02:00)").unwrap();
        assert_eq!(type_expr(&offset), "timestamp(s,+02:00)");
        let naive = parse_type("timestamp(ns)").unwrap();
        assert_eq!(type_expr(&naive), "datetime");
        assert_eq!(arrow_spelling(&naive), "timestamp[ns]");
        assert_eq!(
            parse_type("timestamp(us)").unwrap(),
            parse_type("datetime").unwrap()
        );
    }

    #[test]
    fn bad_parameters_are_syntax_errors() {
        for bad in [
            "decimal",
            "decimal()",
            "decimal(0)",
            "decimal(39)",
            "decimal(5,6)",
            "decimal(5,-1)",
            "decimal(x)",
            "decimal(1,2,3)",
            "decimal(5",
            "timestamp",
            "timestamp(xs)",
            "timestamp(s,)",
            "timestamp(s,a b)",
            "int(3)",
            "datetime(us)",
        ] {
            let err = parse_type(bad).expect_err(bad);
            assert_eq!(err.kind(), ErrorKind::SchemaSyntax, "{bad}: {err}");
        }
    }

    #[test]
    fn nested_types_and_spellings() {
        let t = parse_type("[{x:int,y:[str]}]").unwrap();
        assert_eq!(type_expr(&t), "[{x:int,y:[str]}]");
        assert_eq!(arrow_spelling(&t), "list<struct<x:int32,y:list<utf8>>>");
        let m = parse_type("<str,[int]>").unwrap();
        assert_eq!(m, map_of(DataType::Utf8, list_of(DataType::Int32)));
        assert_eq!(arrow_spelling(&m), "map<utf8,list<int32>>");
        let empty = parse_type("{}").unwrap();
        assert_eq!(type_expr(&empty), "{}");
        assert_eq!(arrow_spelling(&empty), "struct<>");
        let quoted = parse_type("{`a b`:int}").unwrap();
        assert_eq!(type_expr(&quoted), "{`a b`:int}");
        assert_eq!(arrow_spelling(&quoted), "struct<`a b`:int32>");
    }

    #[test]
    fn misspelled_type_suggests_the_right_one() {
        let err = parse_type("INT").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("did you mean `int`?"), "{text}");
        let err = parse_type("large_string").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SchemaSyntax);
        assert!(err.to_string().contains("decimal(p[,s])"), "{err}");
    }

    #[test]
    fn unsupported_arrow_types_are_rejected_with_the_column_named() {
        for data_type in [
            DataType::LargeUtf8,
            DataType::LargeBinary,
            DataType::Utf8View,
            DataType::Time32(TimeUnit::Second),
            DataType::Duration(TimeUnit::Second),
            DataType::FixedSizeBinary(4),
            DataType::Decimal256(10, 2),
            DataType::Decimal128(5, -1),
            DataType::Date64,
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            list_of(DataType::LargeUtf8),
        ] {
            let err = canonical_type("col", &data_type).expect_err("unsupported");
            assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
            let text = err.to_string();
            assert!(text.contains("`col`"), "{text}");
            assert!(text.contains("supported types are"), "{text}");
        }
    }

    #[test]
    fn canonical_type_renames_list_and_map_fields_and_keeps_nullability() {
        let odd_list = DataType::List(Arc::new(Field::new("element", DataType::Int32, false)));
        let canonical = canonical_type("c", &odd_list).unwrap();
        assert_eq!(
            canonical,
            DataType::List(Arc::new(Field::new("item", DataType::Int32, false)))
        );
        assert!(same_type(&canonical, &list_of(DataType::Int32)));
        assert_ne!(canonical, list_of(DataType::Int32));
        let odd_map = DataType::Map(
            Arc::new(Field::new(
                "kv",
                DataType::Struct(Fields::from(vec![
                    Field::new("k", DataType::Utf8, false),
                    Field::new("v", DataType::Int32, true),
                ])),
                false,
            )),
            false,
        );
        assert_eq!(
            canonical_type("m", &odd_map).unwrap(),
            map_of(DataType::Utf8, DataType::Int32)
        );
    }

    #[test]
    fn same_type_distinguishes_timestamp_units() {
        let s = parse_type("timestamp(s)").unwrap();
        let us = parse_type("datetime").unwrap();
        assert!(!same_type(&s, &us));
        assert_eq!(describe_type(&s), "datetime (timestamp[s])");
        assert_eq!(describe_type(&us), "datetime");
    }
}
