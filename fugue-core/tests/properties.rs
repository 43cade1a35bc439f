//! Property tests of the schema language and algebra: printing round-trips, Arrow round-trips,
//! the parser never panics, and a few algebra laws.

use arrow_schema::{DataType, TimeUnit};
use fugue_core::types::{list_of, map_of, struct_of};
use fugue_core::{
    Column, ColumnItem, ExcludeOptions, ExtractOptions, Schema, UnionOptions, quote_name,
};
use proptest::prelude::*;

/// Names, many of which need quoting (spaces, backticks, delimiters, unicode, empty, `_`).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z_][A-Za-z0-9_]{0,6}",
        "[ a-z_0-9`:,{}<>()*~+.-]{0,6}",
        "[中国é ]{1,3}",
        any::<String>(),
    ]
}

fn leaf_type() -> impl Strategy<Value = DataType> {
    let unit = prop_oneof![
        Just(TimeUnit::Second),
        Just(TimeUnit::Millisecond),
        Just(TimeUnit::Microsecond),
        Just(TimeUnit::Nanosecond),
    ];
    prop_oneof![
        prop_oneof![
            Just(DataType::Null),
            Just(DataType::Boolean),
            Just(DataType::Int8),
            Just(DataType::Int16),
            Just(DataType::Int32),
            Just(DataType::Int64),
            Just(DataType::UInt8),
            Just(DataType::UInt16),
            Just(DataType::UInt32),
            Just(DataType::UInt64),
            Just(DataType::Float16),
            Just(DataType::Float32),
            Just(DataType::Float64),
            Just(DataType::Utf8),
            Just(DataType::Binary),
            Just(DataType::Date32),
            // tz-naive timestamps print as `datetime`, which is `us`: only `us` round-trips.
            Just(DataType::Timestamp(TimeUnit::Microsecond, None)),
        ],
        (unit, prop_oneof!["UTC", "America/New_York", "\\+0[0-9]:00"])
            .prop_map(|(unit, tz)| DataType::Timestamp(unit, Some(tz.into()))),
        (1u8..=38)
            .prop_flat_map(|p| (Just(p), 0..=p))
            .prop_map(|(p, s)| DataType::Decimal128(p, s as i8)),
    ]
}

fn unique_columns(
    columns: Vec<(String, DataType, bool)>,
    nullable_everywhere: bool,
) -> Vec<Column> {
    let mut out: Vec<Column> = Vec::new();
    for (name, data_type, nullable) in columns {
        if out.iter().all(|c| c.name() != name) {
            out.push(Column::with_nullable(
                name,
                data_type,
                nullable || nullable_everywhere,
            ));
        }
    }
    out
}

fn data_type() -> impl Strategy<Value = DataType> {
    leaf_type().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(list_of),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| map_of(k, v)),
            prop::collection::vec((name(), inner, Just(true)), 0..4)
                .prop_map(|fields| struct_of(&unique_columns(fields, true))),
        ]
    })
}

/// A schema whose columns are all nullable (as parsed ones are).
fn schema() -> impl Strategy<Value = Schema> {
    prop::collection::vec((name(), data_type(), Just(true)), 0..6)
        .prop_map(|cols| Schema::new(unique_columns(cols, true)).expect("generated schema"))
}

/// A schema with random top-level nullability.
fn schema_with_nullability() -> impl Strategy<Value = Schema> {
    prop::collection::vec((name(), data_type(), any::<bool>()), 0..6)
        .prop_map(|cols| Schema::new(unique_columns(cols, false)).expect("generated schema"))
}

/// Text built from the grammar's characters.
fn grammar_text() -> impl Strategy<Value = String> {
    "[a-z :,\\[\\]{}<>()`*0-9~+.-]{0,40}"
}

/// Feed `text` to every parser and print every error (printing must not panic either); a
/// successful schema parse must print to a canonical form that parses and prints the same.
fn exercise(text: &str) {
    match Schema::parse(text) {
        Ok(s) => {
            let printed = s.to_string();
            let reparsed = Schema::parse(&printed).map(|r| r.to_string()).ok();
            assert_eq!(reparsed, Some(printed));
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    if let Err(e) = fugue_core::types::parse_type(text) {
        assert!(!e.to_string().is_empty());
    }
    if let Err(e) = ColumnItem::parse_list(text) {
        assert!(!e.to_string().is_empty());
    }
    let input = Schema::parse("a:int,b:str").expect("valid");
    if let Err(e) = input.transform(text) {
        assert!(!e.to_string().is_empty());
    }
}

proptest! {
    #[test]
    fn printing_round_trips(s in schema()) {
        let printed = s.to_string();
        let parsed = Schema::parse(&printed).expect("printed schema parses");
        prop_assert_eq!(&parsed, &s);
        prop_assert_eq!(parsed.to_arrow(), s.to_arrow());
        prop_assert_eq!(parsed.to_string(), printed);
    }

    #[test]
    fn arrow_round_trips(s in schema_with_nullability()) {
        let arrow = s.to_arrow();
        let back = Schema::from_arrow(&arrow).expect("supported types");
        prop_assert_eq!(&back, &s);
        prop_assert_eq!(back.to_arrow(), arrow);
    }

    #[test]
    fn quoted_names_parse_back(n in name()) {
        let item = ColumnItem::parse(&quote_name(&n)).expect("quoted name parses");
        prop_assert_eq!(item.name, n);
    }

    #[test]
    fn parser_never_panics_on_any_text(text in any::<String>()) {
        exercise(&text);
    }

    #[test]
    fn parser_never_panics_on_grammar_text(text in grammar_text()) {
        exercise(&text);
    }

    #[test]
    fn exclude_then_append_the_excluded_restores_the_columns(
        s in schema(),
        picks in prop::collection::vec(any::<bool>(), 6),
    ) {
        let items: Vec<ColumnItem> = s
            .columns()
            .iter()
            .zip(&picks)
            .filter(|(_, pick)| **pick)
            .map(|(c, _)| ColumnItem::name(c.name()))
            .collect();
        let kept = s.exclude(&items, ExcludeOptions::default()).expect("exclude");
        let excluded = s.extract(&items, ExtractOptions::default()).expect("extract");
        let restored = kept.append(&excluded).expect("append");
        let mut restored: Vec<String> = restored.columns().iter().map(ToString::to_string).collect();
        let mut original: Vec<String> = s.columns().iter().map(ToString::to_string).collect();
        restored.sort();
        original.sort();
        prop_assert_eq!(restored, original);
    }

    #[test]
    fn union_with_self_is_identity(s in schema()) {
        prop_assert_eq!(s.union(&s, UnionOptions { require_type_match: true }).expect("union"), s);
    }

    #[test]
    fn transform_star_is_identity(s in schema()) {
        prop_assert_eq!(s.transform("*").expect("transform"), s.clone());
        prop_assert_eq!(s.transform(" * ").expect("transform"), s);
    }

    #[test]
    fn remove_undoes_append(a in schema(), b in schema()) {
        if let Ok(both) = a.append(&b) {
            prop_assert_eq!(both.remove(&b.items()).expect("remove"), a);
        }
    }
}
