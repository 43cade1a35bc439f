//! `assert_eq` / `assert_not_eq`: fail the run unless frames hold the same rows (or, for
//! `assert_not_eq`, unless they differ).

use super::{Op, Operation, PlanContext, RunContext};
use crate::frame::DataFrame;
use crate::value::Value;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::{FugueError, Result, Schema};

/// Compare frames: the same schema and the same rows, in any order, floats rounded to
/// `digits` decimals (Fugue's `assert_eq(digits=8, check_order=False)`).
#[derive(Clone)]
pub(crate) struct AssertEq {
    /// `assert_not_eq`: the frames must differ.
    negate: bool,
    digits: u32,
}

impl Operation for AssertEq {
    fn name(&self) -> &'static str {
        if self.negate {
            "assert_not_eq"
        } else {
            "assert_eq"
        }
    }

    fn has_output(&self) -> bool {
        false
    }

    fn args(&self) -> String {
        format!("digits={}", self.digits)
    }

    fn key_args(&self) -> String {
        format!("digits={}; negate={}", self.digits, self.negate)
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        if cx.inputs.len() < 2 {
            return Err(FugueError::invalid_argument(
                self.name(),
                format!("compares at least two frames, got {}", cx.inputs.len()),
            ));
        }
        Ok(None)
    }

    fn run(&self, _: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let mut inputs = inputs.into_iter();
        let Some(mut first) = inputs.next() else {
            return Ok(None);
        };
        let want = canonical(&mut first, self.digits)?;
        for (i, mut other) in inputs.enumerate() {
            let difference = if other.schema() != first.schema() {
                Some(format!(
                    "schema `{}` is not `{}`",
                    other.schema(),
                    first.schema()
                ))
            } else {
                let got = canonical(&mut other, self.digits)?;
                (got != want).then(|| describe(&want, &got))
            };
            match (difference, self.negate) {
                (Some(d), false) => {
                    return Err(FugueError::InvalidOperation(format!(
                        "assert_eq failed: frame {} differs from frame 0: {d}",
                        i + 1
                    )));
                }
                (None, true) => {
                    return Err(FugueError::InvalidOperation(format!(
                        "assert_not_eq failed: frame {} equals frame 0 ({} rows of `{}`)",
                        i + 1,
                        want.len(),
                        first.schema()
                    )));
                }
                _ => {}
            }
        }
        Ok(None)
    }
}

/// The rows as sorted comparable texts (floats rounded; NULL and NaN distinct).
fn canonical(df: &mut DataFrame, digits: u32) -> Result<Vec<String>> {
    let mut rows: Vec<String> = df
        .as_rows()?
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| cell(v, digits))
                .collect::<Vec<_>>()
                .join("\u{1f}")
        })
        .collect();
    rows.sort();
    Ok(rows)
}

fn cell(value: &Value, digits: u32) -> String {
    let round = |x: f64| {
        if x.is_finite() {
            let p = 10f64.powi(digits.min(15) as i32);
            format!("{:?}", (x * p).round() / p)
        } else {
            format!("{x:?}")
        }
    };
    match value {
        Value::Float64(x) => round(*x),
        Value::Float32(x) => round(f64::from(*x)),
        other => format!("{other:?}"),
    }
}

/// How two sorted row multisets differ: their counts and the first row (in sort order) that
/// one side has more often than the other (one merge walk, linear in the rows).
fn describe(want: &[String], got: &[String]) -> String {
    let show = |r: &String| r.replace('\u{1f}', ", ");
    let mut out = format!("{} rows against {}", got.len(), want.len());
    let (mut i, mut j) = (0, 0);
    while i < want.len() || j < got.len() {
        match (want.get(i), got.get(j)) {
            (Some(w), Some(g)) if w == g => {
                i += 1;
                j += 1;
            }
            (Some(w), g) if g.is_none_or(|g| w < g) => {
                out.push_str(&format!("; a row it lacks: [{}]", show(w)));
                return out;
            }
            (_, Some(g)) => {
                out.push_str(&format!("; a row only it has: [{}]", show(g)));
                return out;
            }
            _ => break,
        }
    }
    out
}

impl<'w> WorkflowFrame<'w> {
    /// Fail the run unless `others` hold the same rows as this frame (any order; floats equal
    /// to 8 decimals; the same schema): Fugue's `assert_eq`.
    #[track_caller]
    pub fn assert_eq(&self, others: &[WorkflowFrame<'w>]) -> WorkflowFrame<'w> {
        self.then_with(
            Op::new(AssertEq {
                negate: false,
                digits: 8,
            }),
            others,
            SourceLocation::caller(),
        )
    }

    /// Fail the run if any of `others` holds the same rows as this frame (Fugue's
    /// `assert_not_eq`).
    #[track_caller]
    pub fn assert_not_eq(&self, others: &[WorkflowFrame<'w>]) -> WorkflowFrame<'w> {
        self.then_with(
            Op::new(AssertEq {
                negate: true,
                digits: 8,
            }),
            others,
            SourceLocation::caller(),
        )
    }
}
