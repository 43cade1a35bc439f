//! The compile-time checks and the run-time planner agree: thousands of generated (schema,
//! operation) pairs, each checked twice.
//!
//! * The compile-time side is what `workflow!` really emits: the schemas are built by the
//!   macros' own code (`const_form`, the const form of a `columns:` literal, types as canonical
//!   keys) from the text, and checked by the const functions the generated items call
//!   (`check_join_key`, `check_join`, `check_column`, `check_columns_op`, `check_same_schema`,
//!   `check_hint`), evaluated here at run time.
//! * The run-time side is the builder of `fugue_runtime::workflow` and its planner, on frames
//!   of the same schemas (type spellings vary: `int64`/`long`, `decimal(10)`/`decimal(10,0)`,
//!   `datetime`/`timestamp(us)`, nested timestamps).
//!
//! For every pair: both fail or neither does; the run-time message is one of the compile-time
//! messages (plus its source location); the output schemas are equal, nullability included.

// The checks return `Result<(), Message>` (a fixed buffer), as the macros call them.
#![allow(clippy::result_large_err)]

use fugue::__private::workflow::{
    ConstSchema, Step, check_column, check_columns_op, check_join, check_join_key,
    check_same_schema,
};
use fugue::ArrowFrame;
use fugue::Workflow;
use fugue_core::rules::JoinKind;
use fugue_core::rules::eval::{const_form, leak_hint};
use fugue_core::{Schema, quote_name};
use proptest::prelude::*;

/// Names, some needing quotes.
const NAMES: &[&str] = &["a", "b", "city", "fare", "unit price", "x-y", "B"];

/// Type spellings: several spell the same Arrow type, some differ only subtly.
const TYPES: &[&str] = &[
    "int",
    "int32",
    "long",
    "int64",
    "double",
    "float64",
    "str",
    "string",
    "decimal(10)",
    "decimal(10,0)",
    "decimal(5,2)",
    "datetime",
    "timestamp(us)",
    "timestamp(ms)",
    "[datetime]",
    "[timestamp(us)]",
    "[timestamp(ms)]",
    "{a:int,b:timestamp(ms)}",
    "{a:int32,b:timestamp(ms)}",
    "<str,int>",
    "<string,int32>",
    "bool",
];

const HOWS: &[JoinKind] = &[
    JoinKind::Inner,
    JoinKind::LeftOuter,
    JoinKind::RightOuter,
    JoinKind::FullOuter,
    JoinKind::Semi,
    JoinKind::Anti,
    JoinKind::Cross,
];

/// A schema expression: 1 to 5 distinct names, each of a random type spelling.
fn schema_text() -> impl Strategy<Value = String> {
    proptest::sample::subsequence(NAMES.to_vec(), 1..=5)
        .prop_flat_map(|names| {
            let n = names.len();
            (
                Just(names).prop_shuffle(),
                proptest::collection::vec(proptest::sample::select(TYPES.to_vec()), n),
            )
        })
        .prop_map(|(names, types)| {
            names
                .iter()
                .zip(types)
                .map(|(n, t)| format!("{}:{t}", quote_name(n)))
                .collect::<Vec<_>>()
                .join(",")
        })
}

fn names() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::collection::vec(proptest::sample::select(NAMES.to_vec()), 0..4)
}

/// The schema as `workflow!` emits a `columns:` literal of this text.
fn compile_time(text: &str) -> ConstSchema {
    let schema = Schema::parse(text).unwrap();
    ConstSchema::of_expression(const_form(&schema).leak_columns(true))
}

/// A schema printed as const evaluation prints it: names quoted, types as keys.
fn keyed(schema: &Schema) -> String {
    const_form(schema)
        .columns
        .iter()
        .map(|(n, k, _)| format!("{}:{k}", quote_name(n)))
        .collect::<Vec<_>>()
        .join(",")
}

fn const_text(schema: &ConstSchema) -> String {
    schema.to_string()
}

fn const_nulls(schema: &ConstSchema) -> Vec<bool> {
    schema
        .cols()
        .iter()
        .map(|c| !matches!(c.null, fugue_core::rules::Nullability::NotNull))
        .collect()
}

fn frame(text: &str) -> ArrowFrame {
    ArrowFrame::empty(Schema::parse(text).unwrap()).unwrap()
}

/// The run-time message without the source location the planner appends.
fn without_location(message: &str) -> &str {
    match message.rfind(" (at ") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// Compare one step: compile-time messages (empty when every check passes) and output, with
/// the planned step.
fn agree(
    compile: Vec<Result<(), fugue::__private::workflow::Message>>,
    compile_out: Option<ConstSchema>,
    wf: &Workflow,
    step: usize,
) -> Result<(), TestCaseError> {
    let messages: Vec<String> = compile
        .into_iter()
        .filter_map(|r| r.err().map(|m| m.to_string()))
        .collect();
    match wf.plan() {
        Ok(plan) => {
            prop_assert!(
                messages.is_empty(),
                "compile time rejects what run time accepts: {messages:?}"
            );
            if let (Some(out), Some(planned)) = (compile_out, plan.steps()[step].schema.as_ref())
                && out.is_known()
            {
                prop_assert_eq!(const_text(&out), keyed(planned));
                let planned_nulls: Vec<bool> =
                    planned.columns().iter().map(|c| c.is_nullable()).collect();
                prop_assert_eq!(const_nulls(&out), planned_nulls);
            }
        }
        Err(e) => {
            let text = e.to_string();
            prop_assert!(
                !messages.is_empty(),
                "run time rejects what compile time accepts: {text}"
            );
            prop_assert!(
                messages.iter().any(|m| m == without_location(&text)),
                "the run-time message is not a compile-time one:\n  run: {text}\n  compile: \
                 {messages:?}"
            );
        }
    }
    Ok(())
}

const STEP: Step = Step {
    name: "s",
    call: "op(a, b)",
};

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn joins(l in schema_text(), r in schema_text(), how in 0..HOWS.len(), on in names()) {
        let how = HOWS[how];
        let (lc, rc) = (compile_time(&l), compile_time(&r));
        let mut compile: Vec<_> = on
            .iter()
            .map(|k| check_join_key(&STEP, k, "a", &lc, "b", &rc))
            .collect();
        compile.push(check_join(&STEP, how, &on, "a", &lc, "b", &rc));
        let out = lc.join(&rc, how, &on);
        let wf = Workflow::new();
        let a = wf.create(frame(&l)).named("a");
        let b = wf.create(frame(&r)).named("b");
        let _ = a.join(b, how.name(), &on).named("s").call_text("op(a, b)");
        agree(compile, Some(out), &wf, 2)?;
    }

    #[test]
    fn set_operations(l in schema_text(), r in schema_text()) {
        let (lc, rc) = (compile_time(&l), compile_time(&r));
        let compile = vec![check_same_schema(&STEP, "union", "a", &lc, "b", &rc)];
        let wf = Workflow::new();
        let a = wf.create(frame(&l)).named("a");
        let b = wf.create(frame(&r)).named("b");
        let _ = a.union(b, true).named("s").call_text("op(a, b)");
        agree(compile, Some(lc), &wf, 2)?;
    }

    #[test]
    fn drops_and_renames(
        text in schema_text(),
        dropped in names(),
        old in names(),
        new in names(),
        nulls in names(),
    ) {
        let input = compile_time(&text);
        // drop
        let mut compile: Vec<_> = dropped
            .iter()
            .map(|c| check_column(&STEP, "dropped column", c, "a", &input))
            .collect();
        compile.push(check_columns_op(&STEP, "drop", &dropped, &[], "a", &input));
        let wf = Workflow::new();
        let a = wf.create(frame(&text)).named("a");
        let _ = a.drop(&dropped).named("s").call_text("op(a, b)");
        agree(compile, Some(input.drop_columns(&dropped)), &wf, 1)?;
        // rename
        let pairs: Vec<(&str, &str)> = old.iter().copied().zip(new.iter().copied()).collect();
        if !pairs.is_empty() {
            let mut compile: Vec<_> = pairs
                .iter()
                .map(|(o, _)| check_column(&STEP, "renamed column", o, "a", &input))
                .collect();
            compile.push(check_columns_op(&STEP, "rename", &[], &pairs, "a", &input));
            let wf = Workflow::new();
            let a = wf.create(frame(&text)).named("a");
            let _ = a.rename(&pairs).named("s").call_text("op(a, b)");
            agree(compile, Some(input.rename(&pairs)), &wf, 1)?;
        }
        // dropna(how: any, subset): the checked columns become non-nullable
        let subset: Vec<&str> = {
            let mut seen = Vec::new();
            for n in nulls {
                if !seen.contains(&n) {
                    seen.push(n);
                }
            }
            seen
        };
        if !subset.is_empty() {
            let compile: Vec<_> = subset
                .iter()
                .map(|c| check_column(&STEP, "subset column", c, "a", &input))
                .collect();
            let wf = Workflow::new();
            let a = wf.create(frame(&text)).named("a");
            let _ = a.dropna("any", None, Some(&subset)).named("s").call_text("op(a, b)");
            agree(compile, Some(input.fill_nulls(Some(&subset))), &wf, 1)?;
        }
    }

    #[test]
    fn hints(text in schema_text(), hint in hint_text()) {
            let input = Schema::parse(&text).unwrap();
        let run = input.transform_named(&hint, "f", "a", &STEP);
        let parsed = fugue_core::transform::parse_hint(&hint);
        match parsed {
            // A hint that does not parse is the macro's error, at the attribute.
            Err(_) => prop_assert!(run.is_err()),
            Ok(items) => {
                let items = leak_hint(&items);
                let compile = fugue_core::const_check::check_hint(
                    &STEP, "f", &hint, items, "a", &compile_time(&text),
                );
                match (&run, compile) {
                    (Ok(out), Ok(())) => {
                        let c = compile_time(&text).hinted(items);
                        prop_assert_eq!(const_text(&c), keyed(out));
                    }
                    (Err(e), Err(m)) => prop_assert_eq!(e.to_string(), m.to_string()),
                    (run, compile) => prop_assert!(
                        false,
                        "disagree: run {run:?}, compile {compile:?}"
                    ),
                }
            }
        }
    }
}

/// The typed input of the transformer below.
#[derive(fugue::Schema)]
struct Trip {
    city: String,
    fare: f64,
    n: Option<i64>,
}

/// A transformer with a typed input, for the typed-input rule.
#[fugue::transformer]
fn keep(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

/// Input schemas near `Trip`'s: its columns in other spellings and orders, some missing,
/// renamed or of other types.
fn near_trip() -> impl Strategy<Value = String> {
    let city = proptest::sample::select(vec!["city:str", "city:string", "city:long", "cty:str"]);
    let fare = proptest::sample::select(vec![
        "fare:double",
        "fare:float64",
        "fare:float",
        "fare:decimal(10)",
        "",
    ]);
    let n = proptest::sample::select(vec!["n:long", "n:int64", "n:int", "", "x:bool"]);
    (city, fare, n, any::<bool>()).prop_map(|(c, f, n, swap)| {
        let mut items: Vec<&str> = vec![c, f, n];
        if swap {
            items.swap(0, 1);
        }
        items.retain(|i| !i.is_empty());
        items.join(",")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn typed_inputs(text in near_trip()) {
        use fugue::__private::Transformer;
        let input = compile_time(&text);
        let compile = vec![fugue::__private::workflow::check_transformer_input(
            &STEP,
            "a",
            &input,
            keep::NAME,
            keep::INPUTS,
            0,
        )];
        let wf = Workflow::new();
        let a = wf.create(frame(&text)).named("a");
        let _ = a.transform(keep).named("s").call_text("op(a, b)");
        agree(compile, None, &wf, 1)?;
    }
}

fn hint_text() -> impl Strategy<Value = String> {
    let item = (
        proptest::sample::select(NAMES.to_vec()),
        proptest::sample::select(TYPES.to_vec()),
    )
        .prop_map(|(n, t)| format!("{}:{t}", quote_name(n)));
    let name = proptest::sample::select(NAMES.to_vec()).prop_map(quote_name);
    (
        any::<bool>(),
        proptest::collection::vec(item.clone(), 0..3),
        proptest::collection::vec(name, 0..3),
        proptest::collection::vec(item, 0..2),
        any::<bool>(),
    )
        .prop_map(|(star, added, removed, altered, strict)| {
            let mut base: Vec<String> = Vec::new();
            if star {
                base.push("*".into());
            }
            base.extend(added);
            let mut text = base.join(",");
            if !removed.is_empty() {
                text.push(if strict { '-' } else { '~' });
                text.push_str(&removed.join(","));
            }
            if !altered.is_empty() {
                text.push('+');
                text.push_str(&altered.join(","));
            }
            text
        })
}

mod records {
    //! The const data of records (the runtime's hand-written `ArrowField::TYPE` consts and the
    //! derive's nested `ConstType`s) prints as the canonical key of the Arrow type the record
    //! converts to: const evaluation compares what the run time would.

    use super::{const_text, keyed};
    use fugue::__private::workflow::ConstSchema;
    use fugue::prelude::*;
    use std::collections::{BTreeMap, HashMap};

    #[derive(Schema)]
    struct Inner {
        x: i32,
        at: chrono::NaiveDateTime,
    }

    #[derive(Schema)]
    struct Every {
        a: i8,
        b: i16,
        c: i32,
        d: i64,
        e: u8,
        f: u16,
        g: u32,
        h: u64,
        i: f32,
        j: f64,
        k: bool,
        l: String,
        m: fugue::record::Bytes,
        n: chrono::NaiveDate,
        o: chrono::NaiveDateTime,
        p: chrono::DateTime<chrono::Utc>,
        q: rust_decimal::Decimal,
        #[fugue(type = "decimal(10)")]
        r: rust_decimal::Decimal,
        #[fugue(type = "timestamp(ms)")]
        s: chrono::NaiveDateTime,
        t: Option<f64>,
        u: Vec<String>,
        v: Vec<Option<chrono::NaiveDateTime>>,
        w: Inner,
        x: Vec<Inner>,
        y: HashMap<String, i64>,
        z: BTreeMap<String, Vec<Inner>>,
        aa: fugue::record::ArrowStr,
    }

    #[test]
    fn record_types_print_as_their_arrow_keys() {
        let schema = Every::schema();
        let consts = ConstSchema::of_columns(<Every as fugue::record::Record>::COLUMNS);
        assert_eq!(const_text(&consts), keyed(&schema));
        let nullable: Vec<bool> = schema.columns().iter().map(|c| c.is_nullable()).collect();
        let declared: Vec<bool> = consts
            .cols()
            .iter()
            .map(|c| matches!(c.null, fugue_core::rules::Nullability::Nullable))
            .collect();
        assert_eq!(declared, nullable);
    }
}
