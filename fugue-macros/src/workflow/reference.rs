//! The generated reference page `docs/workflow.md`: every verb of [`VERBS`], in its order,
//! with its syntax (the table's) and its documentation (the doc comment of its `Verb` const,
//! read from the verb's file), each example made a doctest of the `fugue` crate
//! (`fugue::verbs`) over one shared set-up, so that the page can neither drift from the
//! table nor show an example that does not compile and run.

use super::verbs::{VERBS, Verb};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The command that rewrites `docs/workflow.md`.
pub const REGENERATE: &str = "FUGUE_UPDATE_DOCS=1 cargo test -p fugue-macros workflow_reference";

/// What every example starts from: records, functions of every kind, the steps `trips` and
/// `cities`, and paths in a temporary folder. Shown once at the top of the page, hidden in
/// each example.
const SETUP: &str = r#"use fugue::prelude::*;

#[derive(Schema, Debug, Clone, PartialEq)]
struct Trip { city: String, fare: f64 }

#[derive(Schema, Debug, Clone, PartialEq)]
struct City { city: String, region: String }

#[derive(Schema, Debug, Clone, PartialEq)]
struct Ranked { city: String, fare: f64, rank: i64 }

#[derive(Schema, Debug, Clone, PartialEq)]
struct Placed { city: String, fare: f64, region: String }

/// The `top` highest fares of a city, ranked (a transformer).
#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank(trips: Vec<Trip>, top: i64) -> Vec<Ranked> {
    let top = usize::try_from(top).unwrap_or(0);
    (trips.into_iter().take(top).enumerate())
        .map(|(i, t)| Ranked { city: t.city, fare: t.fare, rank: i as i64 + 1 })
        .collect()
}

/// A city's trips with its region (a co-transformer: both inputs zipped by key).
#[cotransformer]
fn with_region(trips: Vec<Trip>, cities: Vec<City>) -> Vec<Placed> {
    let region = cities.first().map(|c| c.region.clone()).unwrap_or_default();
    (trips.into_iter())
        .map(|t| Placed { city: t.city, fare: t.fare, region: region.clone() })
        .collect()
}

/// Print a city's trips (an output transformer).
#[output_transformer]
fn print_city(trips: Vec<Trip>) {
    println!("{} trips", trips.len());
}

/// Print a city's trips and its row (an output co-transformer).
#[output_cotransformer]
fn print_pair(trips: Vec<Trip>, cities: Vec<City>) {
    println!("{} trips, {} cities", trips.len(), cities.len());
}

/// The cheapest trip of the whole frame (a processor).
#[processor]
fn cheapest(trips: Vec<Trip>) -> Vec<Trip> {
    let min = trips.iter().map(|t| t.fare).fold(f64::INFINITY, f64::min);
    trips.into_iter().filter(|t| t.fare == min).take(1).collect()
}

/// Trips with their regions, by SQL over named inputs (a processor of whole frames).
#[processor]
fn with_names(engine: &dyn ExecutionEngine, dfs: DataFrames) -> Result<Vec<Placed>, FugueError> {
    let sql = "SELECT t.city, t.fare, c.region FROM trips t JOIN cities c ON t.city = c.city";
    fugue::records(dfs.sql(engine, sql)?)
}

/// `n` trips (a creator).
#[creator]
fn make_trips(n: i64) -> Vec<Trip> {
    (0..n).map(|i| Trip { city: "Lima".into(), fare: i as f64 }).collect()
}

/// Print a frame (an outputter).
#[outputter]
fn report(trips: Vec<Trip>) {
    println!("{} trips in all", trips.len());
}

let trip_rows = vec![
    Trip { city: "Paris".into(), fare: 10.0 },
    Trip { city: "Paris".into(), fare: 30.0 },
    Trip { city: "Oslo".into(), fare: 7.0 },
];
let city_rows = vec![
    City { city: "Paris".into(), region: "Europe".into() },
    City { city: "Oslo".into(), region: "Europe".into() },
];
let dir = tempfile::tempdir().map_err(|e| FugueError::Internal(e.to_string()))?;
let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
let (trips_csv, semicolon_csv) = (at("trips.csv"), at("semicolon.csv"));
std::fs::write(&trips_csv, "city,fare\nParis,10\nOslo,7\n").unwrap();
std::fs::write(&semicolon_csv, "city;fare\nParis;10\nOslo;NA\n").unwrap();
let (out, out_csv) = (at("out.parquet"), at("out.csv"));
let trip_batch = Trip::to_record_batch(&trip_rows)?;"#;

/// The steps every example's workflow starts with.
const STEPS: &str = "trips = create(trip_rows) as Trip;\ncities = create(city_rows) as City;";

/// The page.
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- Generated from the verb table of fugue-macros/src/workflow/verbs/ (the syntax \
         of each verb and the doc comment of its `Verb` const). Do not edit by hand: edit \
         those, then run\n",
    );
    let _ = writeln!(out, "     {REGENERATE}\n-->\n");
    out.push_str("# The `workflow!` reference\n\n");
    out.push_str(
        "A workflow is a list of statements: `name = verb(args) [as Record];` declares a step \
         with an output, `verb(args);` one without (`save`, `show`, `output`, \
         `out_transform`, ...), and `yield name [as alias] [: Record];` makes a step's frame \
         part of the result (with a record, checked at compile time and read with \
         `result.records::<Record>(\"name\")`). Arguments are positional (input steps, Rust \
         expressions for paths, data and values; columns as identifiers or string literals), \
         named (`how: inner`, `on: [city]`) or assigned (`total = \"sum(fare)\"`); \
         `partition(by: .., presort: ..)` and `params(name: value, ..)` are sub-calls.\n\n\
         **Keys and presorts** are written the same way in every verb: `by: city` or `by: \
         [city, region]`; `presort: fare desc`, `presort: [fare desc nulls first, city]` or \
         Fugue's text `presort: \"fare desc, city\"`; inside `partition(..)` or directly among \
         the arguments (`take(trips, 1, by: city, presort: fare desc)`, `aggregate(trips, by: \
         [city], ..)` or `aggregate(trips, partition(by: [city]), ..)`). Verbs of several \
         inputs take them as a list (`cotransform([trips, cities], ..)`, `process([a, b], ..)`) \
         or positionally where the verb is an operation of two frames (`join(trips, cities, \
         ..)`, `union(a, b)`).\n\n\
         **Checked at compile time**, wherever the schemas are known (a record given with \
         `as`, a `columns:` schema, a function's typed output or schema hint): every column a \
         step names, the types a function takes, join keys, equal schemas of set operations \
         and assertions, validation rules, parameters. A schema known only at run time is \
         checked by the builder before any data moves, with the same messages. Each section \
         below says what its verb checks.\n\n\
         Every example below runs as a doctest of the `fugue` crate (`fugue::verbs`), after \
         this set-up:\n\n",
    );
    let _ = writeln!(
        out,
        "```rust\n{SETUP}\nlet wf = workflow! {{\n{}\n    // ... the example's statements\n}};\n\
         wf.run_on(\"native\")?;\n# Ok::<(), fugue::FugueError>(())\n```\n",
        indent(STEPS, "    ")
    );
    out.push_str("## Verbs\n\n");
    for verb in VERBS {
        let _ = writeln!(out, "- [`{0}`](#{0})", verb.name);
    }
    out.push('\n');
    for verb in VERBS {
        out.push_str(&section(verb));
    }
    out
}

/// One verb's section.
fn section(verb: &Verb) -> String {
    let doc = verb_doc(verb);
    let mut out = format!("## `{}`\n\n```text\n{};\n```\n\n", verb.name, verb.syntax);
    let mut lines = doc.lines().peekable();
    // The doc's first paragraph restates the syntax: the table's is the one shown.
    if lines.peek().is_some_and(|l| l.starts_with('`')) {
        while lines.next_if(|l| !l.trim().is_empty()).is_some() {}
        while lines.next_if(|l| l.trim().is_empty()).is_some() {}
    }
    let mut example = None::<Vec<String>>;
    for line in lines {
        match &mut example {
            None if line.trim() == "```text" => example = Some(Vec::new()),
            None => {
                out.push_str(line);
                out.push('\n');
            }
            Some(body) if line.trim() == "```" => {
                out.push_str(&doctest(body));
                example = None;
            }
            Some(body) => body.push(line.to_string()),
        }
    }
    assert!(example.is_none(), "`{}`: an unclosed example", verb.name);
    format!("{}\n\n", out.trim_end())
}

/// An example's statements as a doctest over the set-up.
fn doctest(statements: &[String]) -> String {
    let mut out = String::from("```rust\n");
    out.push_str(&indent(SETUP, "# "));
    out.push_str("\nlet wf = workflow! {\n");
    out.push_str(&indent(STEPS, "#     "));
    out.push('\n');
    for line in statements {
        let _ = writeln!(out, "    {line}");
    }
    out.push_str("};\nwf.run_on(\"native\")?;\n# Ok::<(), fugue::FugueError>(())\n```\n");
    out
}

/// `text` with `prefix` before every line (a hidden line of a doctest is `# `, or `#` alone).
fn indent(text: &str, prefix: &str) -> String {
    (text.lines())
        .map(|l| match (l.is_empty(), prefix.trim_end()) {
            (true, "#") => "#".to_string(),
            (true, _) => String::new(),
            _ => format!("{prefix}{l}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The verbs' folder.
fn verbs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/workflow/verbs")
}

/// The doc comment of the `Verb` const named `verb.name`, from the verbs' files.
fn verb_doc(verb: &Verb) -> String {
    for entry in std::fs::read_dir(verbs_dir()).expect("the verbs' folder") {
        let path = entry.expect("a verb file").path();
        let text = std::fs::read_to_string(&path).expect("a verb file");
        let file = syn2::parse_file(&text).expect("a verb file parses");
        for item in file.items {
            let syn2::Item::Const(c) = item else { continue };
            if type_name(&c.ty) != "Verb" || const_name(&c.expr) != Some(verb.name) {
                continue;
            }
            let lines: Vec<String> = (c.attrs.iter())
                .filter_map(|a| match &a.meta {
                    syn2::Meta::NameValue(nv) if a.path().is_ident("doc") => match &nv.value {
                        syn2::Expr::Lit(syn2::ExprLit {
                            lit: syn2::Lit::Str(s),
                            ..
                        }) => Some(s.value()),
                        _ => None,
                    },
                    _ => None,
                })
                .map(|l| l.strip_prefix(' ').unwrap_or(&l).to_string())
                .collect();
            return lines.join("\n");
        }
    }
    panic!("no `Verb` const named `{}` in {:?}", verb.name, verbs_dir())
}

/// The `name: ".."` field of a `Verb { .. }` expression.
fn const_name(expr: &syn2::Expr) -> Option<&'static str> {
    let syn2::Expr::Struct(s) = expr else {
        return None;
    };
    s.fields.iter().find_map(|f| match (&f.member, &f.expr) {
        (
            syn2::Member::Named(m),
            syn2::Expr::Lit(syn2::ExprLit {
                lit: syn2::Lit::Str(v),
                ..
            }),
        ) if m == "name" => VERBS.iter().map(|v| v.name).find(|n| *n == v.value()),
        _ => None,
    })
}

/// The last segment of a type's path (`Verb`).
fn type_name(ty: &syn2::Type) -> String {
    match ty {
        syn2::Type::Path(p) => (p.path.segments.last())
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[test]
fn workflow_reference_is_current() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/workflow.md");
    let generated = markdown();
    if std::env::var_os("FUGUE_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&page, &generated).expect("write docs/workflow.md");
    }
    let written = std::fs::read_to_string(&page).unwrap_or_default();
    assert!(
        written == generated,
        "docs/workflow.md is stale: run `{REGENERATE}` and commit the result"
    );
}

#[test]
fn every_verb_has_a_section_with_an_example() {
    let page = markdown();
    for verb in VERBS {
        let section = section(verb);
        assert!(
            section.contains("```rust\n"),
            "`{}` has no example (a ```text block in its doc comment)",
            verb.name
        );
        assert!(page.contains(&format!("## `{}`", verb.name)));
    }
}
