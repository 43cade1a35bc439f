//! The differential test of the two sides of every schema rule (issue 11): generated workflows
//! with one mistake each are written once as `workflow!` programs, compiled together as one
//! crate, and built once more with the run-time builder; each compiler error must be the
//! builder's plan error for the same workflow, word for word, and each mistake must be caught
//! on both sides.
//!
//! The cases are drawn from a fixed seed over schemas whose types are written in varied
//! spellings (`long`/`int64`, `str`/`string`, `decimal(10)`/`decimal(10,0)`, nested `datetime`s),
//! names that need quoting, and every rule `workflow!` checks: select, drop, rename, joins,
//! set operations, typed inputs, schema hints, validation rules, partition keys, parameters,
//! zip keys, alter_columns and aggregate keys.
//!
//! The generated crate is built in trybuild's target folder with trybuild's flags, so it reuses
//! the dependencies the ui test built (and the other way round).

use fugue::prelude::*;
use fugue::{Workflow, WorkflowFrame};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

include!("differential/library.rs");

/// How many cases are generated.
const CASES: usize = 360;

// ---------------------------------------------------------------------------------------------
// Generation.

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Column names: identifiers, and names that need quoting.
const NAMES: &[&str] = &[
    "city",
    "fare",
    "n",
    "ts",
    "amount",
    "region",
    "Total",
    "unit price",
    "a-b",
    "qty",
    "tag",
    "région",
    "x1",
    "tip",
    "month",
    "code",
];

/// Types, each as the spellings that denote it.
const TYPES: &[&[&str]] = &[
    &["long", "int64"],
    &["int", "int32"],
    &["str", "string"],
    &["double", "float64"],
    &["bool", "boolean"],
    &["decimal(10)", "decimal(10,0)"],
    &["[datetime]", "[timestamp(us)]"],
    &["{a:int,b:datetime}", "{a:int32,b:timestamp(us)}"],
    &["date"],
    &["<str,long>", "<string,int64>"],
];

/// A column as generated: its name, the index of its type and the spelling used.
#[derive(Clone, Debug)]
struct Column {
    name: String,
    ty: usize,
    spelling: String,
}

fn quote_name(name: &str) -> String {
    fugue::schema::quote_name(name)
}

fn schema_text(cols: &[Column]) -> String {
    cols.iter()
        .map(|c| format!("{}:{}", quote_name(&c.name), c.spelling))
        .collect::<Vec<_>>()
        .join(",")
}

fn column(rng: &mut Rng, name: &str) -> Column {
    let ty = rng.below(TYPES.len());
    Column {
        name: name.to_string(),
        ty,
        spelling: rng.pick(TYPES[ty]).to_string(),
    }
}

/// Another spelling of a column's type.
fn respell(rng: &mut Rng, c: &Column) -> Column {
    Column {
        spelling: rng.pick(TYPES[c.ty]).to_string(),
        ..c.clone()
    }
}

/// A column of the same name and another type.
fn retype(rng: &mut Rng, c: &Column) -> Column {
    let mut ty = rng.below(TYPES.len());
    if ty == c.ty {
        ty = (ty + 1) % TYPES.len();
    }
    Column {
        name: c.name.clone(),
        ty,
        spelling: rng.pick(TYPES[ty]).to_string(),
    }
}

/// `width` distinct columns, always including `required`.
fn schema(rng: &mut Rng, width: usize, required: &[&str]) -> Vec<Column> {
    let mut names: Vec<&str> = required.to_vec();
    while names.len() < width {
        let n = *rng.pick(NAMES);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    // Shuffle.
    for i in (1..names.len()).rev() {
        names.swap(i, rng.below(i + 1));
    }
    names.into_iter().map(|n| column(rng, n)).collect()
}

/// A name close to `name` that is not in `cols` (a typo), or an unrelated one.
fn missing_name(rng: &mut Rng, cols: &[Column], name: &str) -> String {
    let taken = |n: &str| cols.iter().any(|c| c.name == n);
    let mut chars: Vec<char> = name.chars().collect();
    let candidates = [
        {
            let mut c = chars.clone();
            if c.len() > 2 {
                c.remove(c.len() / 2);
            }
            c.into_iter().collect::<String>()
        },
        {
            chars.push('s');
            chars.iter().collect::<String>()
        },
        "nothing_like_it".to_string(),
    ];
    for c in candidates.iter().skip(rng.below(2)) {
        if !taken(c) && !c.is_empty() {
            return c.clone();
        }
    }
    "zz_missing".to_string()
}

/// A column reference as `workflow!` writes it: an identifier, or a string literal for other
/// names (and, now and then, for identifiers too).
fn col_ref(rng: &mut Rng, name: &str) -> String {
    let ident = fugue_core::rules::text::is_plain_name(name) && !is_keyword(name);
    if ident && !rng.chance(20) {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "fn" | "in" | "let" | "type" | "match" | "move" | "ref" | "self" | "where"
    )
}

/// How SQL names a column (as `workflow!` hands `select` columns to the builder).
fn sql_name(name: &str) -> String {
    if fugue_core::rules::text::is_plain_name(name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A source of a case: a load with a schema expression, or a typed load.
#[derive(Clone, Debug)]
enum Source {
    Columns(Vec<Column>),
    Record(&'static str),
}

/// A step of a case.
#[derive(Clone, Debug)]
enum Op {
    Load(Source),
    Select(Vec<String>),
    Drop(Vec<String>),
    Rename(Vec<(String, String)>),
    Join {
        how: &'static str,
        on: Option<Vec<String>>,
    },
    Union,
    Transform {
        function: &'static str,
        by: Vec<String>,
        presort: Vec<(String, bool, bool)>,
        params: Vec<(String, Literal)>,
    },
    Cotransform {
        by: Vec<String>,
    },
    AlterColumns(Vec<Column>),
    Aggregate {
        by: Vec<String>,
    },
    Take {
        by: Vec<String>,
        presort: Vec<(String, bool, bool)>,
    },
    FillNa(Vec<String>),
    DropNa(Vec<String>),
    SetOperation(&'static str),
}

/// A parameter literal.
#[derive(Clone, Debug)]
enum Literal {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
}

impl Literal {
    fn rust(&self) -> String {
        match self {
            Literal::Int(i) => i.to_string(),
            Literal::Float(f) => format!("{f:?}"),
            Literal::Str(s) => format!("{s:?}"),
            Literal::Bool(b) => b.to_string(),
        }
    }
}

/// A step: its name, its inputs (names of earlier steps) and what it does.
#[derive(Clone, Debug)]
struct Step {
    name: String,
    inputs: Vec<String>,
    op: Op,
}

/// A workflow whose last step is the mistake.
#[derive(Clone, Debug)]
struct Case {
    id: usize,
    steps: Vec<Step>,
}

impl Case {
    fn name(&self) -> String {
        format!("case{}", self.id)
    }
}

/// One generated case of the kind `kind`.
fn generate(rng: &mut Rng, id: usize, kind: usize) -> Case {
    let a = format!("a{id}");
    let b = format!("b{id}");
    let me = format!("case{id}");
    let load = |name: &str, source: Source| Step {
        name: name.to_string(),
        inputs: vec![],
        op: Op::Load(source),
    };
    let step = |inputs: Vec<&String>, op: Op| Step {
        name: me.clone(),
        inputs: inputs.into_iter().cloned().collect(),
        op,
    };
    let width = 2 + rng.below(4);
    let steps = match kind {
        // select: a missing column, or one given twice.
        0 => {
            let cols = schema(rng, width, &[]);
            let pick = rng.pick(&cols).name.clone();
            let mut names: Vec<String> = cols
                .iter()
                .take(1 + rng.below(2))
                .map(|c| c.name.clone())
                .collect();
            if rng.chance(70) {
                names.insert(rng.below(names.len() + 1), missing_name(rng, &cols, &pick));
            } else {
                names.push(names[0].clone());
            }
            vec![
                load(&a, Source::Columns(cols)),
                step(vec![&a], Op::Select(names)),
            ]
        }
        // drop: a missing column, or every column.
        1 => {
            let cols = schema(rng, width, &[]);
            let names = if rng.chance(70) {
                let pick = rng.pick(&cols).name.clone();
                vec![missing_name(rng, &cols, &pick)]
            } else {
                cols.iter().map(|c| c.name.clone()).collect()
            };
            vec![
                load(&a, Source::Columns(cols)),
                step(vec![&a], Op::Drop(names)),
            ]
        }
        // rename: of a missing column, or onto a column that stays.
        2 => {
            let cols = schema(rng, width.max(2), &[]);
            let pairs = if rng.chance(50) {
                let pick = rng.pick(&cols).name.clone();
                vec![(missing_name(rng, &cols, &pick), "renamed".to_string())]
            } else {
                vec![(cols[0].name.clone(), cols[1].name.clone())]
            };
            vec![
                load(&a, Source::Columns(cols)),
                step(vec![&a], Op::Rename(pairs)),
            ]
        }
        // join: key types differ, a shared non-key column, a missing key, no common column.
        3 => {
            let left = schema(rng, width, &["city"]);
            let key = left.iter().find(|c| c.name == "city").cloned().unwrap();
            let mut right = vec![respell(rng, &key)];
            let mut how = *rng.pick(&["inner", "left_outer", "full_outer", "semi", "anti"]);
            let on;
            match rng.below(4) {
                0 => {
                    right[0] = retype(rng, &key);
                    right.push(column(rng, "pop"));
                    on = Some(vec!["city".to_string()]);
                }
                1 => {
                    // A shared non-key column (fine for semi and anti joins, which keep only the
                    // left's columns).
                    let other = left.iter().find(|c| c.name != "city").cloned().unwrap();
                    right.push(respell(rng, &other));
                    on = Some(vec!["city".to_string()]);
                    if matches!(how, "semi" | "anti") {
                        how = "right_outer";
                    }
                }
                2 => {
                    right.push(column(rng, "pop"));
                    on = Some(vec!["city".to_string(), "pop".to_string()]);
                }
                _ => {
                    right = vec![column(rng, "pop"), column(rng, "zone")];
                    on = None;
                }
            }
            vec![
                load(&a, Source::Columns(left)),
                load(&b, Source::Columns(right)),
                step(vec![&a, &b], Op::Join { how, on }),
            ]
        }
        // cross join: a shared column.
        4 => {
            let left = schema(rng, width, &[]);
            let shared = rng.pick(&left).clone();
            let right = vec![column(rng, "zz_other"), respell(rng, &shared)];
            vec![
                load(&a, Source::Columns(left)),
                load(&b, Source::Columns(right)),
                step(
                    vec![&a, &b],
                    Op::Join {
                        how: "cross",
                        on: None,
                    },
                ),
            ]
        }
        // union: another width, type or name.
        5 => {
            let left = schema(rng, width, &[]);
            let mut right: Vec<Column> = left.iter().map(|c| respell(rng, c)).collect();
            match rng.below(3) {
                0 => {
                    right.pop();
                }
                1 => {
                    let i = rng.below(right.len());
                    right[i] = retype(rng, &right[i].clone());
                }
                _ => {
                    let i = rng.below(right.len());
                    right[i].name = missing_name(rng, &left, &left[i].name.clone());
                }
            }
            vec![
                load(&a, Source::Columns(left)),
                load(&b, Source::Columns(right)),
                step(vec![&a, &b], Op::Union),
            ]
        }
        // A typed input: a missing field, another type, or NULLs for a non-Option field.
        6 => {
            let source = match rng.below(3) {
                0 => {
                    let mut cols = vec![
                        Column {
                            name: "city".into(),
                            ty: 2,
                            spelling: "str".into(),
                        },
                        Column {
                            name: "fare".into(),
                            ty: 3,
                            spelling: "double".into(),
                        },
                        Column {
                            name: "n".into(),
                            ty: 0,
                            spelling: "long".into(),
                        },
                    ];
                    let i = rng.below(3);
                    cols[i].name = missing_name(rng, &cols.clone(), &cols[i].name.clone());
                    Source::Columns(cols)
                }
                1 => {
                    let mut cols = vec![
                        Column {
                            name: "city".into(),
                            ty: 2,
                            spelling: "string".into(),
                        },
                        Column {
                            name: "fare".into(),
                            ty: 3,
                            spelling: "float64".into(),
                        },
                        Column {
                            name: "n".into(),
                            ty: 0,
                            spelling: "int64".into(),
                        },
                    ];
                    let i = rng.below(3);
                    cols[i] = retype(rng, &cols[i].clone());
                    Source::Columns(cols)
                }
                _ => Source::Record("Fare"),
            };
            let partition = rng.chance(50);
            vec![
                load(&a, source),
                step(
                    vec![&a],
                    Op::Transform {
                        function: "top",
                        by: if partition {
                            vec!["city".into()]
                        } else {
                            vec![]
                        },
                        presort: vec![],
                        params: vec![
                            ("k".into(), Literal::Int(3)),
                            ("label".into(), Literal::Str("x".into())),
                        ],
                    },
                ),
            ]
        }
        // Validation rules of `rank` and `grouped`.
        7 => {
            let (function, record) = if rng.chance(50) {
                ("rank", "Trip")
            } else {
                ("grouped", "Fare")
            };
            let keys = ["city", "n"];
            let mut by: Vec<String> = Vec::new();
            for k in keys {
                if rng.chance(45) {
                    by.push(k.to_string());
                }
            }
            let mut presort = Vec::new();
            if rng.chance(70) {
                presort.push(("fare".to_string(), rng.chance(60), rng.chance(40)));
            }
            if rng.chance(30) && !by.iter().any(|k| k == "n") {
                presort.insert(0, ("n".to_string(), false, false));
            }
            // Keep the mistake: a spec satisfying every rule would not be a case.
            let ok = match function {
                "rank" => {
                    by.iter().any(|k| k == "city")
                        && presort.len() == 1
                        && presort[0].1
                        && !presort[0].2
                }
                _ => {
                    by.len() == 1
                        && by[0] == "city"
                        && presort.iter().any(|p| p.0 == "fare" && p.1 && p.2)
                }
            };
            if ok {
                by.clear();
            }
            vec![
                load(&a, Source::Record(record)),
                step(
                    vec![&a],
                    Op::Transform {
                        function,
                        by,
                        presort,
                        params: vec![],
                    },
                ),
            ]
        }
        // Input rules over a dynamic input, and a schema hint.
        8 => {
            let function = *rng.pick(&["needs", "exact", "share"]);
            let mut cols = vec![
                Column {
                    name: "city".into(),
                    ty: 2,
                    spelling: "str".into(),
                },
                Column {
                    name: "fare".into(),
                    ty: 3,
                    spelling: "double".into(),
                },
            ];
            match function {
                "needs" => {
                    if rng.chance(50) {
                        cols[1].name = missing_name(rng, &cols.clone(), "fare");
                    } else {
                        cols[0] = retype(rng, &cols[0].clone());
                    }
                }
                "exact" => match rng.below(3) {
                    0 => cols.swap(0, 1),
                    1 => cols.push(column(rng, "extra")),
                    _ => cols[1] = retype(rng, &cols[1].clone()),
                },
                _ => {
                    if rng.chance(50) {
                        cols.push(column(rng, "share"));
                        cols.push(column(rng, "n"));
                    }
                }
            }
            vec![
                load(&a, Source::Columns(cols)),
                step(
                    vec![&a],
                    Op::Transform {
                        function,
                        by: vec![],
                        presort: vec![],
                        params: vec![],
                    },
                ),
            ]
        }
        // A partition key or presort column the input lacks.
        9 => {
            let cols = schema(rng, width, &["city", "fare", "n"]);
            let missing = missing_name(rng, &cols, "city");
            let (by, presort) = if rng.chance(50) {
                (vec![missing], vec![])
            } else {
                (vec![], vec![(missing, false, false)])
            };
            vec![
                load(&a, Source::Columns(cols)),
                step(
                    vec![&a],
                    Op::Transform {
                        function: "top",
                        by,
                        presort,
                        params: vec![
                            ("k".into(), Literal::Int(1)),
                            ("label".into(), Literal::Str("x".into())),
                        ],
                    },
                ),
            ]
        }
        // Parameters: of the wrong type, unknown, or missing.
        10 => {
            let params = match rng.below(3) {
                0 => vec![
                    (
                        "k".into(),
                        rng.pick(&[
                            Literal::Str("20".into()),
                            Literal::Float(2.5),
                            Literal::Bool(true),
                        ])
                        .clone(),
                    ),
                    ("label".into(), Literal::Str("x".into())),
                ],
                1 => vec![
                    ("k".into(), Literal::Int(1)),
                    ("label".into(), Literal::Str("x".into())),
                    ("kk".into(), Literal::Int(2)),
                ],
                _ => vec![("k".into(), Literal::Int(1))],
            };
            vec![
                load(&a, Source::Record("Trip")),
                step(
                    vec![&a],
                    Op::Transform {
                        function: "top",
                        by: vec![],
                        presort: vec![],
                        params,
                    },
                ),
            ]
        }
        // Zip keys of different types.
        11 => {
            let left = vec![
                Column {
                    name: "city".into(),
                    ty: 2,
                    spelling: "str".into(),
                },
                Column {
                    name: "fare".into(),
                    ty: 3,
                    spelling: "double".into(),
                },
                Column {
                    name: "n".into(),
                    ty: 0,
                    spelling: "long".into(),
                },
            ];
            let city = retype(rng, &left[0]);
            let right = vec![
                city,
                Column {
                    name: "fare".into(),
                    ty: 3,
                    spelling: "double".into(),
                },
            ];
            vec![
                load(&a, Source::Columns(left)),
                load(&b, Source::Columns(right)),
                step(
                    vec![&a, &b],
                    Op::Cotransform {
                        by: vec!["city".into()],
                    },
                ),
            ]
        }
        // alter_columns of a missing column.
        12 => {
            let cols = schema(rng, width, &[]);
            let pick = rng.pick(&cols).name.clone();
            let name = missing_name(rng, &cols, &pick);
            let mut change = column(rng, &name);
            change.spelling = "str".into();
            vec![
                load(&a, Source::Columns(cols)),
                step(vec![&a], Op::AlterColumns(vec![change])),
            ]
        }
        // take by a missing key or presort column.
        14 => {
            let cols = schema(rng, width, &[]);
            let pick = rng.pick(&cols).name.clone();
            let missing = missing_name(rng, &cols, &pick);
            let other = cols[0].name.clone();
            let (by, presort) = if rng.chance(50) {
                (vec![missing], vec![(other, rng.chance(50), rng.chance(30))])
            } else {
                (vec![], vec![(missing, rng.chance(50), false)])
            };
            vec![
                load(&a, Source::Columns(cols)),
                step(vec![&a], Op::Take { by, presort }),
            ]
        }
        // fillna or dropna of a missing subset column.
        15 => {
            let cols = schema(rng, width, &[]);
            let pick = rng.pick(&cols).name.clone();
            let subset = vec![cols[0].name.clone(), missing_name(rng, &cols, &pick)];
            let op = if rng.chance(50) {
                Op::FillNa(subset)
            } else {
                Op::DropNa(subset)
            };
            vec![load(&a, Source::Columns(cols)), step(vec![&a], op)]
        }
        // intersect and subtract: schemas that differ.
        16 => {
            let left = schema(rng, width, &[]);
            let mut right: Vec<Column> = left.iter().map(|c| respell(rng, c)).collect();
            let i = rng.below(right.len());
            right[i] = retype(rng, &right[i].clone());
            let verb = *rng.pick(&["intersect", "subtract"]);
            vec![
                load(&a, Source::Columns(left)),
                load(&b, Source::Columns(right)),
                step(vec![&a, &b], Op::SetOperation(verb)),
            ]
        }
        // A chain: a schema-changing step, then a select of a column it no longer has (the
        // message prints the middle step's schema, computed on each side).
        17 => {
            let cols = schema(rng, width.max(3), &[]);
            let mid = format!("m{id}");
            let (op, gone) = match rng.below(5) {
                0 => (
                    Op::Rename(vec![(cols[0].name.clone(), "renamed".to_string())]),
                    cols[0].name.clone(),
                ),
                1 => (Op::Drop(vec![cols[1].name.clone()]), cols[1].name.clone()),
                2 => (
                    Op::Select(vec![cols[2].name.clone(), cols[0].name.clone()]),
                    cols[1].name.clone(),
                ),
                3 => {
                    let mut change = retype(rng, &cols[1]);
                    if TYPES[change.ty][0].starts_with(['[', '{', '<']) {
                        change = Column {
                            ty: 2,
                            spelling: "str".into(),
                            ..change
                        };
                    }
                    (Op::AlterColumns(vec![change]), "zz_missing".to_string())
                }
                _ => (
                    Op::FillNa(vec![cols[0].name.clone()]),
                    "zz_missing".to_string(),
                ),
            };
            vec![
                load(&a, Source::Columns(cols)),
                Step {
                    name: mid.clone(),
                    inputs: vec![a.clone()],
                    op,
                },
                step(vec![&mid], Op::Select(vec![gone])),
            ]
        }
        // aggregate by a missing key.
        _ => {
            let cols = schema(rng, width, &[]);
            let pick = rng.pick(&cols).name.clone();
            vec![
                load(&a, Source::Columns(cols.clone())),
                step(
                    vec![&a],
                    Op::Aggregate {
                        by: vec![missing_name(rng, &cols, &pick)],
                    },
                ),
            ]
        }
    };
    Case { id, steps }
}

const KINDS: usize = 18;

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x5eed_f00d_1234_5678);
    (0..CASES)
        .map(|id| generate(&mut rng, id, id % KINDS))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The `workflow!` side.

/// The partition modifier as `workflow!` writes it.
fn partition_arg(rng: &mut Rng, by: &[String], presort: &[(String, bool, bool)]) -> Option<String> {
    if by.is_empty() && presort.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !by.is_empty() {
        let keys: Vec<String> = by.iter().map(|k| col_ref(rng, k)).collect();
        parts.push(if keys.len() == 1 && rng.chance(50) {
            format!("by: {}", keys[0])
        } else {
            format!("by: [{}]", keys.join(", "))
        });
    }
    if !presort.is_empty() {
        let items: Vec<String> = presort
            .iter()
            .map(|(c, desc, nulls_first)| {
                let mut s = col_ref(rng, c);
                if *desc {
                    s.push_str(" desc");
                }
                if *nulls_first {
                    s.push_str(" nulls first");
                }
                s
            })
            .collect();
        parts.push(format!("presort: [{}]", items.join(", ")));
    }
    Some(format!("partition({})", parts.join(", ")))
}

/// The case as a function holding one `workflow!`, and each step's call as the macro shortens
/// it for messages.
fn program(rng: &mut Rng, case: &Case) -> (String, BTreeMap<String, String>) {
    let mut out = format!("fn {}() {{\n    let _wf = workflow! {{\n", case.name());
    let mut calls = BTreeMap::new();
    for step in &case.steps {
        let (verb, mut args): (&str, Vec<(String, bool)>) = match &step.op {
            Op::Load(_) => (
                "load",
                vec![(format!("{:?}", format!("{}.parquet", step.name)), true)],
            ),
            Op::Select(names) => (
                "select",
                names.iter().map(|n| (col_ref(rng, n), true)).collect(),
            ),
            Op::Drop(names) => (
                "drop",
                names.iter().map(|n| (col_ref(rng, n), true)).collect(),
            ),
            Op::Rename(pairs) => (
                "rename",
                pairs
                    .iter()
                    .map(|(o, n)| (format!("{}: {}", col_ref(rng, o), col_ref(rng, n)), false))
                    .collect(),
            ),
            Op::Join { how, on } => {
                let mut args = vec![(format!("how: {how}"), false)];
                if let Some(on) = on {
                    let keys: Vec<String> = on.iter().map(|k| col_ref(rng, k)).collect();
                    args.push((format!("on: [{}]", keys.join(", ")), false));
                }
                ("join", args)
            }
            Op::Union => ("union", vec![]),
            Op::Transform {
                function,
                by,
                presort,
                params,
            } => {
                let mut args = vec![(function.to_string(), true)];
                if let Some(p) = partition_arg(rng, by, presort) {
                    args.push((p, false));
                }
                if !params.is_empty() {
                    let items: Vec<String> = params
                        .iter()
                        .map(|(n, v)| format!("{n}: {}", v.rust()))
                        .collect();
                    args.push((format!("params({})", items.join(", ")), false));
                }
                ("transform", args)
            }
            Op::Cotransform { by } => {
                let p = partition_arg(rng, by, &[]).unwrap();
                ("cotransform", vec![("pair".to_string(), true), (p, false)])
            }
            Op::AlterColumns(cols) => (
                "alter_columns",
                vec![(format!("{:?}", schema_text(cols)), true)],
            ),
            Op::Take { by, presort } => {
                let p = partition_arg(rng, by, presort).unwrap();
                ("take", vec![("2".to_string(), true), (p, false)])
            }
            Op::FillNa(subset) | Op::DropNa(subset) => {
                let cols: Vec<String> = subset.iter().map(|c| col_ref(rng, c)).collect();
                let mut args = Vec::new();
                if matches!(step.op, Op::FillNa(_)) {
                    args.push(("0".to_string(), true));
                }
                args.push((format!("subset: [{}]", cols.join(", ")), false));
                (
                    if matches!(step.op, Op::FillNa(_)) {
                        "fillna"
                    } else {
                        "dropna"
                    },
                    args,
                )
            }
            Op::SetOperation(verb) => (*verb, vec![]),
            Op::Aggregate { by } => {
                let keys: Vec<String> = by.iter().map(|k| col_ref(rng, k)).collect();
                (
                    "aggregate",
                    vec![
                        (format!("by: [{}]", keys.join(", ")), false),
                        ("rows = \"count(*)\"".to_string(), false),
                    ],
                )
            }
        };
        // The inputs come first, positional (a co-transform's as a list).
        let inputs: Vec<(String, bool)> = match &step.op {
            Op::Cotransform { .. } => vec![(format!("[{}]", step.inputs.join(", ")), true)],
            _ => step.inputs.iter().map(|i| (i.clone(), true)).collect(),
        };
        let mut all = inputs;
        all.append(&mut args);
        let mut record = String::new();
        if let Op::Load(source) = &step.op {
            match source {
                Source::Columns(cols) => {
                    all.push((format!("columns: {:?}", schema_text(cols)), false))
                }
                Source::Record(r) => record = format!(" as {r}"),
            }
        }
        let text: Vec<&str> = all.iter().map(|(t, _)| t.as_str()).collect();
        writeln!(
            out,
            "        {} = {verb}({}){record};",
            step.name,
            text.join(", ")
        )
        .unwrap();
        calls.insert(step.name.clone(), short_call(verb, &all));
    }
    writeln!(out, "        yield {};\n    }};\n}}\n", case.name()).unwrap();
    (out, calls)
}

/// `workflow!`'s shortened call text: the first two arguments when positional and short, then
/// `..` when there are more.
fn short_call(verb: &str, args: &[(String, bool)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (text, positional) in args.iter().take(2) {
        if *positional && text.len() <= 24 {
            parts.push(text.clone());
        } else {
            break;
        }
    }
    if parts.len() < args.len() {
        parts.push("..".to_string());
    }
    format!("{verb}({})", parts.join(", "))
}

/// Build the generated crate once, in trybuild's target folder; return each compiler error.
fn compile(source: &str) -> Vec<String> {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().unwrap().to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let trybuild = target.join("tests").join("trybuild");
    let project = trybuild.join("fugue-differential");
    std::fs::create_dir_all(&project).unwrap();
    let library = manifest_dir.join("tests/differential/library.rs");
    let manifest = format!(
        r#"[package]
name = "fugue-differential"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
fugue = {{ path = {root:?}, default-features = false }}
fugue-ui-tests = {{ path = {ui:?}, default-features = false }}
chrono = {{ version = "0.4", default-features = false, features = ["std", "clock"] }}
rust_decimal = "1"

[[bin]]
name = "fugue-differential"
path = "main.rs"

[workspace]
"#,
        root = root.display().to_string(),
        ui = manifest_dir.display().to_string(),
    );
    write_if_changed(&project.join("Cargo.toml"), &manifest);
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    write_if_changed(&project.join("Cargo.lock"), &lock);
    let main = format!(
        "#![allow(unused)]\nuse fugue::prelude::*;\ninclude!({:?});\n\n{source}\nfn main() {{}}\n",
        library.display().to_string()
    );
    write_if_changed(&project.join("main.rs"), &main);

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let flags = r#"build.rustflags=["--cfg", "trybuild", "--verbose", "-A", "dead_code", "--diagnostic-width=140"]"#;
    let output = Command::new(cargo)
        .current_dir(&project)
        .env_remove("RUSTFLAGS")
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TARGET_DIR", &trybuild)
        .arg("build")
        .arg(format!("--config={flags}"))
        .args([
            "--bin",
            "fugue-differential",
            "--quiet",
            "--color=never",
            "--message-format=json",
        ])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut errors = Vec::new();
    for line in stdout.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if value["reason"] != "compiler-message" || value["message"]["level"] != "error" {
            continue;
        }
        if let Some(text) = value["message"]["message"].as_str()
            && !text.starts_with("aborting due to")
        {
            errors.push(text.to_string());
        }
    }
    if errors.is_empty() {
        panic!(
            "the generated crate compiled without errors, or cargo failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    errors
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// The builder side.

/// Build the case with the run-time builder, as `workflow!` would, and plan it.
fn builder_error(case: &Case, calls: &BTreeMap<String, String>) -> Option<String> {
    let wf = Workflow::new();
    let mut frames: BTreeMap<String, WorkflowFrame<'_>> = BTreeMap::new();
    for step in &case.steps {
        let input = |i: usize| frames[&step.inputs[i]];
        let frame = match &step.op {
            Op::Load(source) => {
                let f = wf.load(format!("{}.parquet", step.name));
                match source {
                    Source::Columns(cols) => {
                        f.schema(fugue::Schema::parse(&schema_text(cols)).unwrap())
                    }
                    Source::Record("Trip") => f.schema(<Trip as Record>::schema()),
                    Source::Record(_) => f.schema(<Fare as Record>::schema()),
                }
            }
            Op::Select(names) => {
                let names: Vec<String> = names.iter().map(|n| sql_name(n)).collect();
                input(0).select(&names.iter().map(String::as_str).collect::<Vec<_>>())
            }
            Op::Drop(names) => input(0).drop(&names.iter().map(String::as_str).collect::<Vec<_>>()),
            Op::Rename(pairs) => input(0).rename(
                &pairs
                    .iter()
                    .map(|(o, n)| (o.as_str(), n.as_str()))
                    .collect::<Vec<_>>(),
            ),
            Op::Join { how, on } => {
                if *how == "cross" {
                    input(0).cross_join(input(1))
                } else {
                    let on: Vec<&str> = on.iter().flatten().map(String::as_str).collect();
                    input(0).join(input(1), *how, &on)
                }
            }
            Op::Union => input(0).union(input(1), false),
            Op::Transform {
                function,
                by,
                presort,
                params,
            } => {
                let mut f = input(0);
                if !by.is_empty() || !presort.is_empty() {
                    let spec = PartitionSpec::builder()
                        .by(by.iter().map(String::as_str))
                        .presort_keys(presort.iter().map(|(c, d, n)| fugue::SortKey {
                            name: c.clone(),
                            descending: *d,
                            nulls_first: *n,
                        }))
                        .build()
                        .unwrap();
                    f = f.partition(spec);
                }
                let f = match *function {
                    "rank" => f.transform(rank),
                    "grouped" => f.transform(grouped),
                    "needs" => f.transform(needs),
                    "exact" => f.transform(exact),
                    "share" => f.transform(share),
                    _ => f.transform(top),
                };
                if params.is_empty() {
                    f
                } else {
                    let mut p = Params::new();
                    for (name, value) in params {
                        p = match value {
                            Literal::Int(i) => p.with(name, *i),
                            Literal::Float(x) => p.with(name, *x),
                            Literal::Str(s) => p.with(name, s.clone()),
                            Literal::Bool(b) => p.with(name, *b),
                        };
                    }
                    f.params(p)
                }
            }
            Op::Cotransform { by } => wf
                .zip(&[input(0), input(1)], "inner")
                .partition(PartitionSpec::by(by.iter().map(String::as_str)).unwrap())
                .transform(pair),
            Op::AlterColumns(cols) => {
                input(0).alter_columns(fugue::Schema::parse(&schema_text(cols)).unwrap())
            }
            Op::Take { by, presort } => {
                let mut f = input(0);
                if !by.is_empty() {
                    f = f.partition(PartitionSpec::by(by.iter().map(String::as_str)).unwrap());
                }
                let presort: Vec<String> = presort
                    .iter()
                    .map(|(c, d, n)| {
                        let dir = if *d { " desc" } else { "" };
                        let nulls = if *n { " nulls first" } else { "" };
                        format!("{}{dir}{nulls}", quote_name(c))
                    })
                    .collect();
                f.take(2, &presort.join(","))
            }
            Op::FillNa(subset) => input(0).fillna(
                0,
                Some(&subset.iter().map(String::as_str).collect::<Vec<_>>()),
            ),
            Op::DropNa(subset) => input(0).dropna(
                "any",
                None,
                Some(&subset.iter().map(String::as_str).collect::<Vec<_>>()),
            ),
            Op::SetOperation(verb) => {
                if *verb == "intersect" {
                    input(0).intersect(input(1), true)
                } else {
                    input(0).subtract(input(1), true)
                }
            }
            Op::Aggregate { by } => input(0)
                .partition_by(&by.iter().map(String::as_str).collect::<Vec<_>>())
                .aggregate(&[("rows", "count(*)")]),
        };
        let frame = frame
            .named(step.name.clone())
            .call_text(calls[&step.name].clone());
        frames.insert(step.name.clone(), frame);
    }
    frames[&case.name()].yield_as(case.name());
    wf.plan().err().map(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------

#[test]
fn compile_time_errors_are_the_builders_errors() {
    let cases = cases();
    let mut rng = Rng(0xc0de_5eed);
    let mut source = String::new();
    let mut calls = Vec::new();
    for case in &cases {
        let (text, c) = program(&mut rng, case);
        source.push_str(&text);
        calls.push(c);
    }
    let errors = compile(&source);

    // The compiler's errors by case.
    let mut by_case: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut other = Vec::new();
    for e in &errors {
        let text = e.strip_prefix("evaluation panicked: ").unwrap_or(e);
        let id = text
            .strip_prefix("step `case")
            .and_then(|rest| rest.split('`').next())
            .and_then(|n| n.parse::<usize>().ok());
        match (e.starts_with("evaluation panicked: "), id) {
            (true, Some(id)) => by_case.entry(id).or_default().push(text.to_string()),
            _ => other.push(e.clone()),
        }
    }

    let mut disagreements = Vec::new();
    for (case, calls) in cases.iter().zip(&calls) {
        // The run-time error may add the step's source line.
        let built = builder_error(case, calls).map(|e| match e.rfind(" (at ") {
            Some(at) if e.ends_with(')') => e[..at].to_string(),
            _ => e,
        });
        let compiled = by_case.get(&case.id).cloned().unwrap_or_default();
        let agree = match (&built, compiled.as_slice()) {
            (Some(b), [first, ..]) => b == first,
            _ => false,
        };
        if !agree {
            disagreements.push(format!(
                "{}:\n  steps: {:?}\n  compiler: {compiled:#?}\n  builder:  {built:?}",
                case.name(),
                case.steps.iter().map(|s| &s.op).collect::<Vec<_>>(),
            ));
        }
    }
    eprintln!(
        "differential: {} cases, {} compiler errors, {} disagreements, {} other errors",
        cases.len(),
        errors.len(),
        disagreements.len(),
        other.len()
    );
    assert!(
        other.is_empty() && disagreements.is_empty(),
        "other compiler errors:\n{}\n\ndisagreements:\n{}",
        other.join("\n"),
        disagreements.join("\n\n")
    );
}
