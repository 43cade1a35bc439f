//! The output-schema hint language (`*,c:int`, `*-a`, `*~a`, `*+a:str`; see
//! [`crate::transform`] for the grammar), applied by one `const fn`. The text is parsed once,
//! by fugue-core's parser ([`eval::parse_hint`](super::eval::parse_hint)): at run time by
//! [`Schema::transform`](crate::Schema::transform), and by the transformer macros when they
//! expand, which emit the items as const data.

use super::problem::Problem;
use super::{Col, Input, Nullability, Ty, lookup};

/// What an item of a hint does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintOp {
    /// `*` in the base: every column of the input.
    Star,
    /// `name:type` in the base: a new column.
    Column,
    /// After `-`: remove the column, which must exist.
    Remove,
    /// After `~`: remove the column if it exists.
    RemoveIfPresent,
    /// After `+`: change the type of an existing column in place, or append a new one.
    Alter,
}

/// One item of a parsed hint, in order.
#[derive(Debug, Clone, Copy)]
pub struct HintItem<'a> {
    /// What it does.
    pub op: HintOp,
    /// The column name (empty for `*`).
    pub name: &'a str,
    /// The type of a `Column` or `Alter` item ([`Ty::Unknown`] otherwise).
    pub ty: Ty<'a>,
}

/// The output a hint describes for `input` (`None`: known only at run time), written into
/// `out`; `Ok(None)` when the hint has `*` and the input is unknown. Item `i`'s new columns get
/// `src = src_base + i`. `function` and `hint` are for messages.
pub const fn apply_hint<'i, 'a: 'i>(
    function: &'i str,
    hint: &'i str,
    input: Option<Input<'i, 'a>>,
    items: &'i [HintItem<'a>],
    src_base: usize,
    out: &'i mut [Col<'a>],
) -> Result<Option<usize>, Problem<'i>> {
    let mut len = 0;
    let mut i = 0;
    // The output so far, as an input for messages: the hint's own columns before the
    // operators (the input's when there is a `*`).
    while i < items.len() {
        let item = items[i];
        match item.op {
            HintOp::Star => {
                let input = match input {
                    Some(input) => input,
                    None => return Ok(None),
                };
                let mut c = 0;
                while c < input.cols.len() {
                    let col = input.cols[c];
                    if lookup(slice_of(out, len), col.name).is_some() {
                        return Err(Problem::HintAddsExisting {
                            function,
                            hint,
                            column: col.name,
                            input,
                        });
                    }
                    if len >= out.len() {
                        return Err(Problem::TooWide);
                    }
                    out[len] = col;
                    len += 1;
                    c += 1;
                }
            }
            HintOp::Column => {
                if lookup(slice_of(out, len), item.name).is_some() {
                    return Err(Problem::HintAddsExisting {
                        function,
                        hint,
                        column: item.name,
                        input: messages_input(input, out, len),
                    });
                }
                if len >= out.len() {
                    return Err(Problem::TooWide);
                }
                out[len] = new_col(item, src_base + i);
                len += 1;
            }
            HintOp::Remove | HintOp::RemoveIfPresent => match lookup(slice_of(out, len), item.name)
            {
                Some(at) => {
                    let mut k = at;
                    while k + 1 < len {
                        out[k] = out[k + 1];
                        k += 1;
                    }
                    len -= 1;
                }
                None => {
                    if matches!(item.op, HintOp::Remove) {
                        return Err(Problem::HintRemovesMissing {
                            function,
                            hint,
                            column: item.name,
                            input: messages_input(input, out, len),
                        });
                    }
                }
            },
            HintOp::Alter => match lookup(slice_of(out, len), item.name) {
                Some(at) => {
                    out[at].ty = item.ty;
                    out[at].src = src_base + i;
                    out[at].null = Nullability::Unspecified;
                }
                None => {
                    if len >= out.len() {
                        return Err(Problem::TooWide);
                    }
                    out[len] = new_col(item, src_base + i);
                    len += 1;
                }
            },
        }
        i += 1;
    }
    Ok(Some(len))
}

/// Whether the hint has a `*` (its output depends on the input).
pub const fn has_star(items: &[HintItem<'_>]) -> bool {
    let mut i = 0;
    while i < items.len() {
        if matches!(items[i].op, HintOp::Star) {
            return true;
        }
        i += 1;
    }
    false
}

const fn new_col<'a>(item: HintItem<'a>, src: usize) -> Col<'a> {
    Col::new(item.name, item.ty, Nullability::Unspecified, src)
}

const fn slice_of<'s, 'a>(out: &'s [Col<'a>], len: usize) -> &'s [Col<'a>] {
    out.split_at(len).0
}

/// The input messages describe: the step's input when known, else the output so far (a hint
/// without `*` over an unknown input).
const fn messages_input<'i, 'a: 'i>(
    input: Option<Input<'i, 'a>>,
    _out: &[Col<'a>],
    _len: usize,
) -> Input<'i, 'i> {
    match input {
        Some(input) => input,
        None => Input {
            name: "the input",
            cols: &[],
        },
    }
}
