//! The cost of every const check `workflow!` and the attributes generate, measured by rustc.
//!
//! rustc's const evaluator counts the steps a const item takes (every loop iteration and every
//! call is at least one) and rejects an item that takes 2,000,000 (the deny-by-default lint
//! `long_running_const_eval`; `fugue-ui-tests`' `const-evaluation-limit` test holds rustc to
//! that number). Each check below runs on its worst case, 64 columns of 64-byte names that
//! differ only in their middle bytes, [`REPEAT`] times in one const item: so this file
//! compiles only while every check takes fewer than 100,000 steps, hence fewer than 100,000
//! loop iterations. The run-time test then checks that each worst case does the work it is
//! meant to (a rename that renames all 64 columns, a typo that is compared with every column),
//! not a cheap early error.

#![deny(long_running_const_eval)]
#![allow(clippy::result_large_err)]

use fugue_core::const_check::{
    ConstSchema, Message, Step, check_column, check_columns_op, check_hint, check_input,
    check_join, check_join_key, check_param_declared, check_params_given, check_rule_columns,
    check_rules, check_same_schema, check_zip_key,
};
use fugue_core::const_schema::{ConstColumn, ConstType};
use fugue_core::rules::{HintItem, HintOp, JoinKind, Ty};

/// How many times each check runs in one const item: 2,000,000 steps / 100,000.
const REPEAT: usize = 20;

/// 64 names of 64 bytes, equal but for two bytes in the middle (every byte compare of two of
/// them reaches the middle); `$x` makes a second set, none equal to the first.
macro_rules! names {
    ($x:literal; $($i:literal)*) => {
        [$(concat!(
            "ccccccccccccccccccccccccccccccc", $x, $i, "cccccccccccccccccccccccccccccc"
        )),*]
    };
}

macro_rules! sixty_four {
    ($m:ident!($($pre:tt)*)) => {
        $m!($($pre)*
            "00" "01" "02" "03" "04" "05" "06" "07" "08" "09" "10" "11" "12" "13" "14" "15"
            "16" "17" "18" "19" "20" "21" "22" "23" "24" "25" "26" "27" "28" "29" "30" "31"
            "32" "33" "34" "35" "36" "37" "38" "39" "40" "41" "42" "43" "44" "45" "46" "47"
            "48" "49" "50" "51" "52" "53" "54" "55" "56" "57" "58" "59" "60" "61" "62" "63")
    };
}

macro_rules! rule {
    ($($i:literal)*) => {
        concat!($("ccccccccccccccccccccccccccccccc", "a", $i, "cccccccccccccccccccccccccccccc,"),*)
    };
}

/// The input's column names.
const N: [&str; 64] = sixty_four!(names!("a";));
/// Other names of the same length and prefix.
const M: [&str; 64] = sixty_four!(names!("b";));
/// `N` as a validation rule's value (`a,b,..`, with a trailing comma, which rules skip).
const RULE: &str = sixty_four!(rule!());

/// Names that are no column, each a different worst case for "did you mean": unlike every
/// name, like every name at both ends, and alike in every other byte.
const MISSING: [&str; 3] = [
    "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
    "zcccccccccccccccccccccccccccccczzzcccccccccccccccccccccccccccccz",
    "cqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcqcq",
];

const fn columns(names: &[&'static str; 64], ty: &'static str) -> [ConstColumn; 64] {
    let mut out = [ConstColumn {
        name: "",
        ty: ConstType::Expr("long"),
        nullable: false,
    }; 64];
    let mut i = 0;
    while i < 64 {
        out[i] = ConstColumn {
            name: names[i],
            ty: ConstType::Expr(ty),
            nullable: false,
        };
        i += 1;
    }
    out
}

const fn pairs(
    a: &[&'static str; 64],
    b: &[&'static str; 64],
) -> [(&'static str, &'static str); 64] {
    let mut out = [("", ""); 64];
    let mut i = 0;
    while i < 64 {
        out[i] = (a[i], b[i]);
        i += 1;
    }
    out
}

const fn presort(names: &[&'static str; 64]) -> [(&'static str, bool, bool); 64] {
    let mut out = [("", false, false); 64];
    let mut i = 0;
    while i < 64 {
        out[i] = (names[i], false, false);
        i += 1;
    }
    out
}

const fn hint_items(names: &[&'static str; 64]) -> [HintItem<'static>; 64] {
    let mut out = [HintItem {
        op: HintOp::Column,
        name: "",
        ty: Ty::Unknown,
    }; 64];
    let mut i = 0;
    while i < 64 {
        out[i] = HintItem {
            op: HintOp::Alter,
            name: names[i],
            ty: Ty::Const(&ConstType::Expr("double")),
        };
        i += 1;
    }
    out
}

const COLUMNS: [ConstColumn; 64] = columns(&N, "long");
const DOUBLES: [ConstColumn; 64] = columns(&N, "double");
const OTHER: [ConstColumn; 64] = columns(&M, "long");
const RENAMES: [(&str, &str); 64] = pairs(&N, &M);
const PARAMS: [(&str, &str); 64] = pairs(&N, &M);
const PRESORT: [(&str, bool, bool); 64] = presort(&N);
const HINT: [HintItem<'static>; 64] = hint_items(&N);
const INPUT: ConstSchema = ConstSchema::of_columns(&COLUMNS);
const RIGHT: ConstSchema = ConstSchema::of_columns(&OTHER);
const STEP: Step = Step {
    name: "wide",
    call: "step(..)",
};

/// `n` (the work a case is expected to have done) when the check passed.
const fn then(result: Result<(), Message>, n: usize) -> Result<usize, Message> {
    match result {
        Ok(()) => Ok(n),
        Err(m) => Err(m),
    }
}

/// Every worst case, by name: the checks `workflow!` emits per step, and those of the
/// transformer attributes.
const fn case(which: usize) -> Result<usize, Message> {
    let (half, _) = N.split_at(32);
    let out = match which {
        0 => ConstSchema::of_columns(&COLUMNS).len(),
        1 => INPUT.select(&N).len(),
        2 => return then(check_columns_op(&STEP, "select", &N, &[], "t", &INPUT), 64),
        3 => INPUT.drop_columns(N.split_at(63).0).len(),
        4 => INPUT.rename(&RENAMES).len(),
        5 => INPUT.alter(&DOUBLES).len(),
        6 => INPUT.fill_nulls(Some(&N)).len(),
        7 => INPUT.assign(&N).len(),
        8 => INPUT.aggregate(half, M.split_at(32).0).len(),
        9 => {
            INPUT.join(&RIGHT, JoinKind::Inner, &[]).len()
                + INPUT.join(&INPUT, JoinKind::Inner, &[]).len()
        }
        10 => INPUT.join(&INPUT, JoinKind::LeftOuter, &N).len(),
        11 => {
            return then(
                check_join(&STEP, JoinKind::Inner, &N, "a", &INPUT, "b", &INPUT),
                64,
            );
        }
        12 => return then(check_join_key(&STEP, N[63], "a", &INPUT, "b", &INPUT), 1),
        13 => return then(check_zip_key(&STEP, N[63], "a", &INPUT, "b", &INPUT), 1),
        14 => {
            return then(
                check_same_schema(&STEP, "union", "a", &INPUT, "b", &INPUT),
                64,
            );
        }
        15 => return then(check_input(&STEP, "t", &INPUT, "f", "Wide", &COLUMNS), 64),
        16..=18 => {
            return then(
                check_column(&STEP, "partition key", MISSING[which - 16], "t", &INPUT),
                0,
            );
        }
        19 => {
            return then(
                check_rule_columns("f", "input_has", &N, "Wide", &COLUMNS),
                64,
            );
        }
        20..=22 => {
            let rule = ["input_has", "partitionby_is", "presort_is"][which - 20];
            let rules = [(rule, RULE)];
            return then(
                check_rules(&STEP, "f", &rules, &N, &PRESORT, "t", &INPUT),
                64,
            );
        }
        23 => INPUT.hinted(&HINT).len(),
        24 => return then(check_hint(&STEP, "f", "wide", &HINT, "t", &INPUT), 64),
        25 => return then(check_params_given(&STEP, "f", &PARAMS, &N), 64),
        26 => return then(check_param_declared(&STEP, "f", &PARAMS, MISSING[1]), 0),
        _ => 0,
    };
    Ok(out)
}

/// How many cases [`case`] has.
const CASES: usize = 27;

/// Run case `which` [`REPEAT`] times in one const item.
macro_rules! within_budget {
    ($($which:literal)*) => {
        $(const _: () = {
            let mut k = 0;
            while k < REPEAT {
                let _ = case($which);
                k += 1;
            }
        };)*
    };
}

within_budget!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26);

#[test]
fn the_worst_cases_do_all_their_work() {
    // What each case gives: the columns (or keys) it produced, or whether its error suggests a name.
    let expected: [(&str, Result<usize, &str>); CASES] = [
        ("of_columns", Ok(64)),
        ("select", Ok(64)),
        ("check_columns_op(select)", Ok(64)),
        ("drop 63", Ok(1)),
        ("rename 64", Ok(64)),
        ("alter 64", Ok(64)),
        ("fill_nulls", Ok(64)),
        ("assign", Ok(64)),
        ("aggregate 32 by 32", Ok(64)),
        ("natural joins (no key: unknown; all 64 keys)", Ok(64)),
        ("left join on 64 keys", Ok(64)),
        ("check_join on 64 keys", Ok(64)),
        ("check_join_key", Ok(1)),
        ("check_zip_key", Ok(1)),
        ("check_same_schema", Ok(64)),
        ("check_input", Ok(64)),
        ("typo unlike every name", Err("no suggestion")),
        ("typo like every name at both ends", Err("suggestion")),
        ("typo alike in every other byte", Err("no suggestion")),
        ("check_rule_columns", Ok(64)),
        ("input_has", Ok(64)),
        ("partitionby_is", Ok(64)),
        ("presort_is", Ok(64)),
        ("hinted", Ok(64)),
        ("check_hint", Ok(64)),
        ("check_params_given", Ok(64)),
        ("check_param_declared", Err("suggestion")),
    ];
    for (which, (what, want)) in expected.iter().enumerate() {
        let got = case(which);
        match (want, &got) {
            (Ok(n), Ok(m)) => assert_eq!(n, m, "case {which}, {what}"),
            (Err(kind), Err(m)) => {
                let text = m.as_str();
                assert_eq!(
                    text.contains("did you mean"),
                    *kind == "suggestion",
                    "case {which}, {what}: {text}"
                );
            }
            _ => panic!(
                "case {which}: expected {want:?}, got {:?}",
                got.map_err(|m| m.as_str().to_string())
            ),
        }
    }
    // The rename renamed every column.
    let renamed = INPUT.rename(&RENAMES);
    assert!(renamed.cols().iter().zip(M).all(|(c, m)| c.name == m));
    // The typo like every name at both ends is the one case that reaches a suggestion, so the
    // suggestion search compared it with the columns until one was close.
    assert!(case(17).unwrap_err().as_str().contains(N[0]));
}
