//! Fuzz and property tests over every parser of fugue-core: schema expressions, type
//! expressions, output-schema hints (`Schema::transform`), partition specs in the text and
//! (with the `json` feature) JSON forms, `num` expressions, validation rules, and config keys
//! and values.
//!
//! Each input, generated from the grammar, random, deep (thousands of nested brackets) or huge
//! (a hundred thousand items, a megabyte name), runs on a thread with a 2 MiB stack. It is
//! parsed; what parses is evaluated (a `num` against row counts, a spec's sort order against a
//! schema, rules against a spec and a schema, a config read back), printed, parsed again and
//! dropped. Nothing may panic or overflow the stack, every error has the kind the parser
//! documents and a short message, and printing then parsing gives back the same value.
//!
//! One documented exception: a tz-naive timestamp of a unit other than `us` prints as
//! `datetime` (as in Fugue, and pinned by the acceptance cases), so a schema or type holding one
//! gives back its printed form, not its value.

use arrow_schema::{DataType, TimeUnit};
use fugue_core::config::{self, ConfigOverrides, ConfigType, IntoConfigOverrides};
use fugue_core::partition::{MAX_PARTITIONS, NumPartitions, SortKey};
use fugue_core::types::{list_of, map_of, parse_type, struct_of, type_expr};
use fugue_core::validation::{Rule, Rules};
use fugue_core::{Column, ErrorKind, FugueConfig, FugueError, PartitionSpec, Schema, quote_name};
use proptest::prelude::*;
use std::time::Duration;

/// The stack of each run: the size of a default spawned thread, much less than a main thread.
const STACK: usize = 2 * 1024 * 1024;

/// The longest message an error of the parsers in scope may have: the echoed input is cut to
/// about 200 characters (twice for a syntax error: the quoted spec and the caret excerpt), the
/// rest is the fixed wording, at most the list of supported types or of config keys.
const MAX_MESSAGE: usize = 2_500;

/// Runs `f` on a thread with a [`STACK`]-byte stack and re-raises its panic, so that proptest
/// sees it (and shrinks the input). A stack overflow aborts the test binary, which fails too.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawning a test thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

/// Asserts that `e` has one of `kinds` and a short message.
fn assert_error(e: &FugueError, kinds: &[ErrorKind], input: &str) {
    let message = e.to_string();
    assert!(
        kinds.contains(&e.kind()),
        "unexpected {:?} for {:?}: {}",
        e.kind(),
        cut(input),
        cut(&message)
    );
    assert!(
        message.chars().count() <= MAX_MESSAGE,
        "a message of {} characters for {:?}: {}",
        message.chars().count(),
        cut(input),
        cut(&message)
    );
}

/// The start of a long text, for assertion messages.
fn cut(text: &str) -> String {
    text.chars().take(300).collect()
}

/// Whether a type holds a tz-naive timestamp whose unit is not `us` (printed as `datetime`).
fn lossy(data_type: &DataType) -> bool {
    match data_type {
        DataType::Timestamp(unit, None) => *unit != TimeUnit::Microsecond,
        DataType::List(item) => lossy(item.data_type()),
        DataType::Struct(fields) => fields.iter().any(|f| lossy(f.data_type())),
        DataType::Map(entries, _) => lossy(entries.data_type()),
        _ => false,
    }
}

fn lossy_schema(schema: &Schema) -> bool {
    schema.columns().iter().any(|c| lossy(c.data_type()))
}

// ---------------------------------------------------------------------------------------------
// One check per parser: parse, evaluate, print, parse again, compare.
// ---------------------------------------------------------------------------------------------

/// Schema expressions.
fn check_schema(text: &str) {
    match Schema::parse(text) {
        Ok(schema) => {
            let printed = schema.to_string();
            let back = Schema::parse(&printed)
                .unwrap_or_else(|e| panic!("`{}` does not parse back: {e}", cut(&printed)));
            assert_eq!(back.to_string(), printed);
            if !lossy_schema(&schema) {
                assert_eq!(back, schema, "{}", cut(&printed));
            }
            // Evaluate: the Arrow schema comes back to the same schema.
            let arrow = Schema::from_arrow(&schema.to_arrow()).expect("arrow round trip");
            assert_eq!(arrow, schema);
        }
        Err(e) => assert_error(
            &e,
            &[ErrorKind::SchemaSyntax, ErrorKind::DuplicateColumn],
            text,
        ),
    }
}

/// Type expressions.
fn check_type(text: &str) {
    match parse_type(text) {
        Ok(data_type) => {
            let printed = type_expr(&data_type);
            let back = parse_type(&printed)
                .unwrap_or_else(|e| panic!("`{}` does not parse back: {e}", cut(&printed)));
            assert_eq!(type_expr(&back), printed);
            if !lossy(&data_type) {
                assert_eq!(back, data_type, "{}", cut(&printed));
            }
        }
        Err(e) => assert_error(
            &e,
            &[ErrorKind::SchemaSyntax, ErrorKind::DuplicateColumn],
            text,
        ),
    }
}

/// Output-schema hints, applied to `input`. Messages of hint errors are not bounded here:
/// transform.rs repeats the whole hint and schema (see the report of issue 12).
fn check_hint(input: &Schema, hint: &str) {
    match input.transform(hint) {
        Ok(output) => {
            let printed = output.to_string();
            let back = Schema::parse(&printed)
                .unwrap_or_else(|e| panic!("`{}` does not parse back: {e}", cut(&printed)));
            assert_eq!(back.to_string(), printed);
            if !lossy_schema(&output) {
                assert_eq!(back, output);
            }
        }
        Err(e) => assert!(
            [
                ErrorKind::SchemaSyntax,
                ErrorKind::DuplicateColumn,
                ErrorKind::ColumnNotFound,
                ErrorKind::TypeMismatch,
            ]
            .contains(&e.kind()),
            "unexpected {:?} for {:?}",
            e.kind(),
            cut(hint)
        ),
    }
}

/// `num` expressions: evaluated against a few row counts, never above the maximum.
fn check_num(text: &str) {
    match NumPartitions::parse(text) {
        Ok(num) => {
            for (rows, concurrency) in [(0, 0), (1, 1), (10, 4), (1 << 20, 8), (u64::MAX, 2)] {
                match num.eval(rows, concurrency) {
                    Ok(n) => assert!(n <= MAX_PARTITIONS, "{n} from {}", cut(text)),
                    Err(e) => assert_error(&e, &[ErrorKind::InvalidPartitionSpec], text),
                }
            }
            let back = NumPartitions::parse(num.text()).expect("a num parses back");
            assert_eq!(back, num);
        }
        Err(e) => assert_error(&e, &[ErrorKind::InvalidPartitionSpec], text),
    }
}

/// A valid spec: evaluated, then printed in both forms and parsed back.
fn check_spec_value(spec: &PartitionSpec) {
    // Evaluate the number of partitions and the sort order against a schema of its columns.
    for (rows, concurrency) in [(0, 0), (10, 4), (1 << 30, 16)] {
        match spec.num_partitions(rows, concurrency) {
            Ok(n) => assert!(n <= MAX_PARTITIONS),
            Err(e) => assert_error(&e, &[ErrorKind::InvalidPartitionSpec], &spec.to_string()),
        }
    }
    let names = spec
        .keys()
        .iter()
        .chain(spec.presort().iter().map(|k| &k.name));
    let schema = Schema::new(names.map(|n| Column::new(n, DataType::Int32)).collect())
        .expect("keys and presort names are unique");
    let sorts = spec.sorts(&schema, true).expect("every column exists");
    assert_eq!(sorts.len(), spec.keys().len() + spec.presort().len());
    if let Some(first) = schema.columns().first() {
        let missing = Schema::new(
            schema
                .columns()
                .iter()
                .filter(|c| c.name() != first.name())
                .cloned()
                .collect(),
        )
        .expect("a sub-schema");
        let e = spec.sorts(&missing, true).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ColumnNotFound);
    }

    let text = spec.to_string();
    let back = PartitionSpec::parse(&text)
        .unwrap_or_else(|e| panic!("`{}` does not parse back: {e}", cut(&text)));
    assert_eq!(&back, spec, "{}", cut(&text));
    assert_eq!(back.to_string(), text);
    #[cfg(feature = "json")]
    {
        let json = spec.to_json();
        let back = PartitionSpec::from_json(&json)
            .unwrap_or_else(|e| panic!("`{}` does not parse back: {e}", cut(&json)));
        assert_eq!(&back, spec, "{}", cut(&json));
    }
}

/// Partition specs in the text form.
fn check_spec_text(text: &str) {
    match PartitionSpec::parse(text) {
        Ok(spec) => check_spec_value(&spec),
        Err(e) => assert_error(&e, &[ErrorKind::InvalidPartitionSpec], text),
    }
}

/// Partition specs in the JSON form.
#[cfg(feature = "json")]
fn check_spec_json(text: &str) {
    match PartitionSpec::from_json(text) {
        Ok(spec) => check_spec_value(&spec),
        Err(e) => assert_error(&e, &[ErrorKind::InvalidPartitionSpec], text),
    }
}

#[cfg(not(feature = "json"))]
fn check_spec_json(_text: &str) {}

/// Validation rules, checked against a spec and a schema, printed and parsed back.
fn check_rule(name: &str, value: &str, spec: &PartitionSpec, input: &Schema) {
    let rule = match Rule::parse(name, value) {
        Ok(rule) => rule,
        Err(e) => {
            return assert!(
                [
                    ErrorKind::InvalidArgument,
                    ErrorKind::InvalidPartitionSpec,
                    ErrorKind::SchemaSyntax,
                    ErrorKind::DuplicateColumn,
                ]
                .contains(&e.kind()),
                "unexpected {:?} for {name} {:?}",
                e.kind(),
                cut(value)
            );
        }
    };
    let rules = Rules::parse([(name, value)]).expect("the rule parsed alone");
    if let Err(e) = rules.check(spec, Some(input)) {
        assert_eq!(
            e.kind(),
            ErrorKind::ValidationFailed,
            "{}",
            cut(&e.to_string())
        );
    }
    // `Display` is `name = "value"`.
    let printed = rule.to_string();
    let printed_value = printed
        .strip_prefix(&format!("{name} = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("rule printed as {}", cut(&printed)));
    let back = Rule::parse(name, printed_value)
        .unwrap_or_else(|e| panic!("`{}` does not parse back: {e}", cut(&printed)));
    let lossy_rule = match &rule {
        Rule::InputIs(s) => lossy_schema(s),
        Rule::InputHas(items) => items
            .iter()
            .any(|i| i.data_type.as_ref().is_some_and(lossy)),
        _ => false,
    };
    if lossy_rule {
        assert_eq!(back.to_string(), printed);
    } else {
        assert_eq!(back, rule, "{}", cut(&printed));
    }
}

/// Config keys and values: what is set reads back, and the printed config sets the same config.
fn check_config(key: &str, value: &str) {
    let mut config = FugueConfig::default();
    match config.set(key, value) {
        Ok(_) => {
            let printed = config.get(key);
            let is_fugue = key.to_ascii_lowercase().starts_with("fugue.");
            if !is_fugue {
                assert_eq!(printed.as_deref(), Some(value));
            }
            // Setting the printed value again gives the same config.
            let mut again = FugueConfig::default();
            again
                .set(key, printed.as_deref().unwrap_or_default())
                .expect("a printed value sets again");
            assert_eq!(again, config, "{}", cut(key));
            // The printed config reads back to the same config.
            let back = config.to_map().into_config().expect("a printed config");
            assert_eq!(back, config);
            // So does a layer.
            let layer = ConfigOverrides::new()
                .with(key, value)
                .expect("as set above");
            let back = layer.to_map().into_overrides().expect("a printed layer");
            assert_eq!(back, layer);
        }
        Err(e) => assert_error(&e, &[ErrorKind::InvalidArgument], key),
    }
}

/// Durations: what parses prints back to the same duration.
fn check_duration(text: &str) {
    if let Ok(duration) = config::parse_duration(text) {
        let printed = config::format_duration(duration);
        assert_eq!(config::parse_duration(&printed), Ok(duration), "{printed}");
    }
}

/// Every parser on one text (the hint and rules against a small schema and spec).
fn check_everything(text: &str) {
    check_schema(text);
    check_type(text);
    check_num(text);
    check_spec_text(text);
    check_spec_json(text);
    let input = Schema::parse("a:int,b:str,`c d`:[long]").expect("a schema");
    check_hint(&input, text);
    let spec = PartitionSpec::parse("by=a; presort=b desc").expect("a spec");
    for name in Rule::NAMES {
        check_rule(name, text, &spec, &input);
    }
    check_config(text, "1");
    check_config("fugue.workflow.concurrency", text);
    check_config("fugue.rpc.flask_server.timeout", text);
    check_duration(text);
}

// ---------------------------------------------------------------------------------------------
// Deep and huge inputs, each run through every parser.
// ---------------------------------------------------------------------------------------------

fn nested(open: &str, middle: &str, close: &str, depth: usize) -> String {
    format!("{}{middle}{}", open.repeat(depth), close.repeat(depth))
}

/// Inputs built to break recursive or quadratic parsers: 3,000 levels deep, 50,000 chars of
/// one delimiter, lists of 2,000 items, names and values of 100,000 chars. (Lists stay at 2,000
/// items because every parser sees every input, and the hint language and the rules check are
/// still quadratic, outside this test's scope; the 100,000-item lists of the partition spec are
/// in the unit tests of partition.rs.)
fn nasty_inputs() -> Vec<String> {
    let deep = 3_000;
    let many = 2_000;
    let huge = 100_000;
    let columns: Vec<String> = (0..many).map(|i| format!("c{i}:int")).collect();
    let names: Vec<String> = (0..many).map(|i| format!("c{i}")).collect();
    vec![
        nested("[", "int", "]", deep),
        nested("{a:", "int", "}", deep),
        nested("<int,", "int", ">", deep),
        nested("a:[", "int", "]", 1),
        format!("a:{}", nested("[", "int", "]", deep)),
        format!("a:{}", nested("{a:", "int", "}", deep)),
        format!("a:{}", nested("<str,", "int", ">", deep)),
        format!("*+a:{}", nested("[", "int", "]", deep)),
        format!("*-{}", nested("[", "a", "]", deep)),
        "[".repeat(50_000),
        "{".repeat(50_000),
        "<".repeat(50_000),
        "(".repeat(50_000),
        "`".repeat(50_001),
        ",".repeat(50_000),
        nested("(", "1", ")", deep),
        format!("num={}", nested("(", "ROWCOUNT", ")", deep)),
        format!("num={}1", "-".repeat(50_000)),
        format!("num=1{}", "+1".repeat(20_000)),
        format!("num=1{}", "/1".repeat(20_000)),
        "num=1000000000000".to_string(),
        "num=ROWCOUNT*ROWCOUNT*ROWCOUNT".to_string(),
        format!("num={}", "9".repeat(10_000)),
        nested("[", "", "]", deep),
        nested("{\"by\":", "\"a\"", "}", deep),
        columns.join(","),
        format!("{},c0:int", columns.join(",")),
        format!("by={}", names.join(",")),
        format!("by={},c0", names.join(",")),
        format!("presort={}", names.join(" desc nulls first,")),
        format!("by=a; presort={},a", names.join(",")),
        names.join(","),
        format!(
            "{{\"by\": [{}]}}",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(",")
        ),
        "x".repeat(huge),
        format!("`{}`:int", "x".repeat(huge)),
        format!("a:{}", "x".repeat(huge)),
        format!("by=`{}`", "x".repeat(huge)),
        format!("fugue.workflow.{}", "x".repeat(huge)),
        format!("fugue.{}", "a.".repeat(50_000)),
        format!("{}s", "9".repeat(10_000)),
        format!("0.{}", "9".repeat(10_000)),
        "18446744073709551615999999999ns".to_string(),
        "18446744073709551616s".to_string(),
        "fugue.workflow.concurrency.".to_string(),
    ]
}

#[test]
fn deep_and_huge_inputs_never_crash_any_parser() {
    for input in nasty_inputs() {
        on_small_stack(move || check_everything(&input));
    }
}

#[test]
fn long_lists_print_and_parse_back() {
    on_small_stack(|| {
        // 20,000 keys and 20,000 presort items, every name quoted, and a schema of 20,000
        // columns (the 100,000-item lists are in the unit tests of partition.rs).
        let names: Vec<String> = (0..40_000).map(|i| format!("k {i}")).collect();
        let spec = PartitionSpec::builder()
            .by(names[..20_000].iter().cloned())
            .presort_keys(names[20_000..].iter().map(|n| SortKey {
                name: n.clone(),
                descending: true,
                nulls_first: true,
            }))
            .build()
            .expect("unique names");
        check_spec_value(&spec);
        let schema = Schema::new(
            names[..20_000]
                .iter()
                .map(|n| Column::new(n, DataType::Int64))
                .collect(),
        )
        .expect("unique names");
        check_schema(&schema.to_string());
    });
}

// ---------------------------------------------------------------------------------------------
// Generators.
// ---------------------------------------------------------------------------------------------

/// Names, many of which need quoting: every delimiter of every grammar, quotes, backticks,
/// spaces, unicode, the empty name, words of the grammars (`desc`, `nulls`).
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z_][A-Za-z0-9_]{0,6}",
        "[ a-z_0-9`'\";=:,.{}<>()\\[\\]*~+-]{0,6}",
        "[中国é \t]{1,3}",
        prop::sample::select(vec![
            "", "desc", "asc", "nulls", "first", "ROWCOUNT", "by", "num", "*", "`", "``"
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ]
}

fn unique(names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

fn leaf_type() -> impl Strategy<Value = DataType> {
    let unit = prop_oneof![
        Just(TimeUnit::Second),
        Just(TimeUnit::Millisecond),
        Just(TimeUnit::Microsecond),
        Just(TimeUnit::Nanosecond),
    ];
    prop_oneof![
        prop::sample::select(vec![
            DataType::Null,
            DataType::Boolean,
            DataType::Int8,
            DataType::Int16,
            DataType::Int32,
            DataType::Int64,
            DataType::UInt8,
            DataType::UInt16,
            DataType::UInt32,
            DataType::UInt64,
            DataType::Float16,
            DataType::Float32,
            DataType::Float64,
            DataType::Utf8,
            DataType::Binary,
            DataType::Date32,
        ]),
        // Naive timestamps of every unit: only `us` round-trips by value (see the module docs).
        unit.clone()
            .prop_map(|unit| DataType::Timestamp(unit, None)),
        (
            unit,
            prop_oneof!["UTC", "America/New_York", "\\+0[0-9]:00", "Etc/GMT\\+1"]
        )
            .prop_map(|(unit, tz)| DataType::Timestamp(unit, Some(tz.into()))),
        (1u8..=38)
            .prop_flat_map(|p| (Just(p), 0..=p))
            .prop_map(|(p, s)| DataType::Decimal128(p, s as i8)),
    ]
}

fn data_type() -> impl Strategy<Value = DataType> {
    leaf_type().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(list_of),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| map_of(k, v)),
            prop::collection::vec((name(), inner), 0..4).prop_map(|fields| {
                let mut seen = std::collections::HashSet::new();
                let columns: Vec<Column> = fields
                    .into_iter()
                    .filter(|(n, _)| seen.insert(n.clone()))
                    .map(|(n, t)| Column::new(n, t))
                    .collect();
                struct_of(&columns)
            }),
        ]
    })
}

fn schema() -> impl Strategy<Value = Schema> {
    prop::collection::vec((name(), data_type()), 0..6).prop_map(|columns| {
        let mut seen = std::collections::HashSet::new();
        let columns = columns
            .into_iter()
            .filter(|(n, _)| seen.insert(n.clone()))
            .map(|(n, t)| Column::new(n, t))
            .collect();
        Schema::new(columns).expect("unique names, supported types")
    })
}

/// `num` expressions from the grammar, with spaces, signs and parentheses, some nested deeper
/// than the limit.
fn num_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0u64..2_000).prop_map(|n| n.to_string()),
        Just("ROWCOUNT".to_string()),
        Just("CONCURRENCY".to_string()),
        Just("0".to_string()),
        Just("00".to_string()),
        (0u64..u64::MAX).prop_map(|n| n.to_string()),
    ];
    let expr = leaf.prop_recursive(5, 40, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", " + ", " / "]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a}{op}{b}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("+ {a}")),
            inner.prop_map(|a| format!("( {a} )")),
        ]
    });
    (expr, 0usize..80).prop_map(|(e, depth)| nested("(", &e, ")", depth))
}

/// Specs: unique keys, unique presort names disjoint from the keys, a num, an algorithm.
fn spec() -> impl Strategy<Value = PartitionSpec> {
    (
        prop::collection::vec(name(), 0..5),
        prop::collection::vec((name(), any::<bool>(), any::<bool>()), 0..5),
        prop_oneof![
            Just(None),
            num_text().prop_map(Some),
            (-5i64..5).prop_map(|n| Some(n.to_string()))
        ],
        prop::sample::select(vec!["", "hash", "RAND", "even", "Coarse", "default"]),
    )
        .prop_filter_map("an invalid num", |(keys, presort, num, algo)| {
            let keys = unique(keys);
            let mut seen: std::collections::HashSet<String> = keys.iter().cloned().collect();
            let presort: Vec<SortKey> = presort
                .into_iter()
                .filter(|(n, _, _)| seen.insert(n.clone()))
                .map(|(name, descending, nulls_first)| SortKey {
                    name,
                    descending,
                    nulls_first,
                })
                .collect();
            let mut b = PartitionSpec::builder()
                .by(keys)
                .presort_keys(presort)
                .algo(algo);
            if let Some(num) = &num {
                b = b.num(num);
            }
            b.build().ok()
        })
}

/// Text that uses the characters of every grammar.
fn grammar_soup() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_:,;=`'\"{}<>()\\[\\]* ~+./-]{0,40}"
}

/// A hint over `input`: a base of `*` and columns, then `-`, `~` and `+` parts.
fn hint(input: Schema) -> impl Strategy<Value = (Schema, String)> {
    let names: Vec<String> = input.names().map(quote_name).collect();
    let pick = if names.is_empty() {
        Just(Vec::<String>::new()).boxed()
    } else {
        prop::collection::vec(prop::sample::select(names), 0..3).boxed()
    };
    let base = prop::collection::vec(
        prop_oneof![Just("*".to_string()), schema().prop_map(|s| s.to_string())],
        0..3,
    );
    let parts = prop::collection::vec(
        (
            prop::sample::select(vec!['-', '~', '+']),
            pick,
            schema().prop_map(|s| s.to_string()),
        ),
        0..3,
    );
    (Just(input), base, parts).prop_map(|(input, base, parts)| {
        let mut text = base.join(",");
        for (op, names, columns) in parts {
            text.push(op);
            text.push_str(&if op == '+' { columns } else { names.join(",") });
        }
        (input, text)
    })
}

/// A rule's name and a value from the grammar of that rule.
fn rule() -> impl Strategy<Value = (&'static str, String)> {
    let keys = prop::collection::vec(name(), 0..4).prop_map(|names| {
        unique(names)
            .iter()
            .map(|n| quote_name(n))
            .collect::<Vec<_>>()
            .join(",")
    });
    let presort = spec().prop_map(|s| s.presort_expr());
    let items = schema().prop_map(|s| {
        s.columns()
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_string()
                } else {
                    quote_name(c.name())
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    });
    prop_oneof![
        (
            prop::sample::select(vec!["partitionby_has", "partitionby_is"]),
            keys
        ),
        (
            prop::sample::select(vec!["presort_has", "presort_is"]),
            presort
        ),
        (Just("input_has"), items),
        (Just("input_is"), schema().prop_map(|s| s.to_string())),
        (prop::sample::select(Rule::NAMES.to_vec()), grammar_soup()),
        (prop::sample::select(Rule::NAMES.to_vec()), any::<String>()),
    ]
}

/// A config key: a known one, a variant of one (trailing dot, case, a typo), or another key.
fn config_key() -> impl Strategy<Value = String> {
    let known = prop::sample::select(config::keys());
    prop_oneof![
        known.clone(),
        known.clone().prop_map(|k| format!("{k}.")),
        known.clone().prop_map(|k| k.to_ascii_uppercase()),
        (known, any::<prop::sample::Index>(), "[a-z.]").prop_map(|(k, at, c)| {
            let at = at.index(k.len());
            format!("{}{c}{}", &k[..at], &k[at..])
        }),
        "[a-z]{1,8}(\\.[a-z_]{0,8}){0,3}\\.?",
        any::<String>(),
    ]
}

/// A value for `key`: one of its type, or anything.
fn config_value(key: String) -> impl Strategy<Value = (String, String)> {
    let ty = config::entry(&key).map(|e| e.ty);
    let typed = match ty {
        Some(ConfigType::Int) => prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            (0u32..70_000).prop_map(|n| n.to_string()),
            " ?[0-9]{1,30} ?",
        ]
        .boxed(),
        Some(ConfigType::Bool) => {
            prop::sample::select(vec!["true", "FALSE", "yes", "No", "1", "0", " true "])
                .prop_map(str::to_string)
                .boxed()
        }
        Some(ConfigType::Duration) => prop_oneof![
            (any::<u64>(), 0u32..1_000_000_000)
                .prop_map(|(s, n)| config::format_duration(Duration::new(s, n))),
            (
                "[0-9]{0,30}(\\.[0-9]{0,30})?",
                prop::sample::select(vec![
                    "", "ns", " us", "ms", "s", " sec", "min", "h", " days"
                ])
            )
                .prop_map(|(n, u)| format!("{n}{u}")),
        ]
        .boxed(),
        _ => any::<String>().boxed(),
    };
    (
        Just(key),
        prop_oneof![typed, any::<String>(), Just(String::new())],
    )
}

// ---------------------------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn schemas_print_and_parse_back(s in schema()) {
        on_small_stack(move || check_schema(&s.to_string()));
    }

    #[test]
    fn types_print_and_parse_back(t in data_type()) {
        on_small_stack(move || check_type(&type_expr(&t)));
    }

    #[test]
    fn deep_types_are_errors_or_values(
        opens in prop::collection::vec(prop::sample::select(vec!["[", "{a:", "<int,", "<", "{", "("]), 0..200),
        leaf in prop::sample::select(vec!["int", "", "str]", "x"]),
        closes in prop::collection::vec(prop::sample::select(vec!["]", "}", ">", ",", ")"]), 0..200),
    ) {
        let text = format!("{}{leaf}{}", opens.concat(), closes.concat());
        on_small_stack(move || {
            check_type(&text);
            check_schema(&format!("a:{text}"));
        });
    }

    #[test]
    fn hints_give_schemas_that_print_and_parse_back((input, hint) in schema().prop_flat_map(hint)) {
        on_small_stack(move || check_hint(&input, &hint));
    }

    #[test]
    fn nums_evaluate_within_the_limit_and_parse_back(text in num_text()) {
        on_small_stack(move || {
            check_num(&text);
            check_spec_text(&format!("num={text}"));
        });
    }

    #[test]
    fn specs_print_and_parse_back_in_both_forms(spec in spec()) {
        on_small_stack(move || check_spec_value(&spec));
    }

    #[test]
    fn spec_text_parses_or_fails_cleanly(
        parts in prop::collection::vec(
            (prop::sample::select(vec!["by", "presort", "num", "algo", "bye", ""]), grammar_soup()),
            0..5,
        )
    ) {
        let text = parts
            .iter()
            .map(|(f, v)| format!("{f}={v}"))
            .collect::<Vec<_>>()
            .join(";");
        on_small_stack(move || check_spec_text(&text));
    }

    #[test]
    fn rules_check_print_and_parse_back((name, value) in rule(), spec in spec(), input in schema()) {
        on_small_stack(move || check_rule(name, &value, &spec, &input));
    }

    #[test]
    fn config_keys_and_values_read_back((key, value) in config_key().prop_flat_map(config_value)) {
        on_small_stack(move || {
            check_config(&key, &value);
            check_duration(&value);
        });
    }

    #[test]
    fn durations_print_and_parse_back(secs in any::<u64>(), nanos in 0u32..1_000_000_000) {
        let duration = Duration::new(secs, nanos);
        let printed = config::format_duration(duration);
        prop_assert_eq!(config::parse_duration(&printed), Ok(duration));
    }

    #[test]
    fn random_text_never_crashes_a_parser(text in any::<String>()) {
        on_small_stack(move || check_everything(&text));
    }

    #[test]
    fn grammar_text_never_crashes_a_parser(text in grammar_soup()) {
        on_small_stack(move || check_everything(&text));
    }
}

#[cfg(feature = "json")]
mod json {
    use super::*;

    /// JSON values of the spec's shape, some of the wrong shape, some nested deep.
    fn spec_json() -> impl Strategy<Value = String> {
        let field = prop_oneof![
            spec().prop_map(|s| s.to_json()),
            (
                prop::sample::select(vec!["by", "presort", "num", "algo", "partition_by"]),
                prop_oneof![
                    any::<i64>().prop_map(|n| n.to_string()),
                    any::<f64>().prop_map(|f| serde_json::json!(f).to_string()),
                    any::<String>().prop_map(|s| serde_json::json!(s).to_string()),
                    prop::collection::vec(name(), 0..4)
                        .prop_map(|v| serde_json::json!(v).to_string()),
                    Just("null".to_string()),
                    Just("true".to_string()),
                    (0usize..300).prop_map(|d| nested("[", "", "]", d)),
                ],
            )
                .prop_map(|(f, v)| format!("{{\"{f}\": {v}}}")),
        ];
        prop_oneof![field, any::<String>(), grammar_soup()]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn json_specs_parse_or_fail_cleanly(text in spec_json()) {
            on_small_stack(move || check_spec_json(&text));
        }
    }
}
