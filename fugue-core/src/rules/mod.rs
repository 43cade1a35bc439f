//! The schema rules, each defined **once** as a `const fn` over column slices and evaluated
//! twice: in const evaluation by the checks `workflow!` emits (over [`ConstSchema`]s, whose
//! columns are a fixed array) and at run time by the builder's planner and the engines (over
//! the columns of a [`Schema`](crate::Schema), see [`eval`]).
//!
//! A rule reads its inputs as [`Input`]s (a name for messages and a slice of [`Col`]s), writes
//! its output columns into a buffer the caller provides (a fixed array at compile time, a
//! buffer of the needed size at run time, so the 64-column limit of compile-time schemas is not
//! a limit at run time) and returns their count, or the [`Problem`] that stops it. The message
//! of a problem is written by one function, [`Problem::write`], for both sides, so the
//! compile-time error and the run-time error of the same mistake are the same sentence.
//!
//! Types are compared by the Arrow type they denote: the macros normalise every type to its
//! canonical key when they expand ([`eval::type_key`], the printed form of the Arrow type with
//! the unit of a tz-naive timestamp kept), and the runtime prints its Arrow types the same way,
//! so const evaluation never parses a type.
//!
//! [`ConstSchema`]: crate::const_check::ConstSchema

pub mod eval;
pub mod hint;
mod ops;
pub mod params;
pub mod problem;
pub mod text;
pub mod validation;

pub use hint::{HintItem, HintOp, apply_hint};
pub use ops::{
    JoinKind, alter, check_column, check_input, check_input_types, check_join, check_same_schema,
    check_zip_key, closest, drop_columns, dropna_leaves_no_null, fill_nulls, join, lookup, rename,
    select,
};
pub use problem::{Problem, Required, Step};

use crate::const_check::message::Message;
use crate::const_schema::{ConstColumn, ConstType};
use text::str_eq;

/// The type of a column as the rules see it.
#[derive(Debug, Clone, Copy)]
pub enum Ty<'a> {
    /// Known only at run time (the result of a SQL expression at compile time).
    Unknown,
    /// A type written as const data by a macro; its [`ConstType::Expr`] leaves are canonical
    /// keys.
    Const(&'a ConstType),
    /// A canonical type key ([`eval::type_key`]).
    Key(&'a str),
}

/// Whether a column may hold NULL, as far as the rules know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nullability {
    /// Never NULL: a non-`Option` field of a record, a column `fillna` filled or `dropna`
    /// checked, the key of an inner join.
    NotNull,
    /// May be NULL: an `Option` field of a record, the columns of an outer join's other side.
    Nullable,
    /// Not declared either way: a column of a schema expression or a hint (nullable in Fugue's
    /// model, usually without NULLs), checked row by row at run time.
    Unspecified,
}

/// One column as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Col<'a> {
    /// The name, unquoted.
    pub name: &'a str,
    /// The [`name_hash`](text::name_hash) of `name` (lookups compare it first); set together
    /// with the name, by [`Col::new`] (and by `rename`, which sets both).
    pub hash: u64,
    /// The type.
    pub ty: Ty<'a>,
    /// Whether it may hold NULL.
    pub null: Nullability,
    /// Where the column comes from, an index the caller defines (the position in the inputs,
    /// inputs counted one after the other; hint items after them): the run time maps an output
    /// column back to the Arrow type it came from.
    pub src: usize,
}

impl<'a> Col<'a> {
    /// A filler for output buffers.
    pub const NONE: Col<'static> = Col::new("", Ty::Unknown, Nullability::Unspecified, usize::MAX);

    /// The column `name`.
    pub const fn new(name: &'a str, ty: Ty<'a>, null: Nullability, src: usize) -> Col<'a> {
        Col {
            name,
            hash: text::name_hash(name),
            ty,
            null,
            src,
        }
    }

    /// The column of const data (a record's field or a parsed schema expression).
    pub const fn of_const(c: &'a ConstColumn, src: usize, declared: bool) -> Col<'a> {
        let null = if !declared {
            Nullability::Unspecified
        } else if c.nullable {
            Nullability::Nullable
        } else {
            Nullability::NotNull
        };
        Col::new(c.name, Ty::Const(&c.ty), null, src)
    }
}

/// An input of a rule: its name (for messages) and its columns, borrowed for `'i`, whose
/// names and types live for `'a` (so a rule's output columns can outlive the borrow).
#[derive(Debug, Clone, Copy)]
pub struct Input<'i, 'a> {
    /// The name messages use (a step, a record, `the left input`).
    pub name: &'i str,
    /// The columns.
    pub cols: &'i [Col<'a>],
}

/// Whether two types are the same Arrow type; `None` when either is unknown.
pub const fn same_type(a: &Ty<'_>, b: &Ty<'_>) -> Option<bool> {
    match (a, b) {
        (Ty::Unknown, _) | (_, Ty::Unknown) => None,
        (Ty::Key(x), Ty::Key(y)) => Some(str_eq(x, y)),
        (Ty::Const(ConstType::Expr(x)), Ty::Key(y))
        | (Ty::Key(y), Ty::Const(ConstType::Expr(x))) => Some(str_eq(x, y)),
        (Ty::Const(x), Ty::Const(y)) => Some(same_const_type(x, y)),
        _ => {
            let (mut l, mut r) = (Message::new(), Message::new());
            write_type(&mut l, a);
            write_type(&mut r, b);
            Some(str_eq(l.as_str(), r.as_str()))
        }
    }
}

const fn same_const_type(a: &ConstType, b: &ConstType) -> bool {
    match (a, b) {
        (ConstType::Expr(x), ConstType::Expr(y)) => str_eq(x, y),
        (ConstType::List(x), ConstType::List(y)) => same_const_type(x, y),
        (ConstType::Map(xk, xv), ConstType::Map(yk, yv)) => {
            same_const_type(xk, yk) && same_const_type(xv, yv)
        }
        (ConstType::Struct(x), ConstType::Struct(y)) => {
            if x.len() != y.len() {
                return false;
            }
            let mut i = 0;
            while i < x.len() {
                if !str_eq(x[i].name, y[i].name) || !same_const_type(&x[i].ty, &y[i].ty) {
                    return false;
                }
                i += 1;
            }
            true
        }
        // One side written structurally, the other as one expression: compare the keys.
        _ => {
            let (mut l, mut r) = (Message::new(), Message::new());
            write_const_type(&mut l, a);
            write_const_type(&mut r, b);
            str_eq(l.as_str(), r.as_str())
        }
    }
}

/// Write a type as its canonical key (`?` when unknown).
pub const fn write_type(out: &mut Message, ty: &Ty<'_>) {
    match ty {
        Ty::Unknown => out.push_byte(b'?'),
        Ty::Key(k) => out.push(k),
        Ty::Const(c) => write_const_type(out, c),
    }
}

/// Write const type data as its canonical key: `[item]`, `{a:int,b:str}`, `<key,value>`, the
/// leaves as the macros normalised them.
pub const fn write_const_type(out: &mut Message, ty: &ConstType) {
    match ty {
        ConstType::Expr(e) => out.push(e),
        ConstType::List(item) => {
            out.push_byte(b'[');
            write_const_type(out, item);
            out.push_byte(b']');
        }
        ConstType::Struct(columns) => {
            out.push_byte(b'{');
            let mut i = 0;
            while i < columns.len() {
                if i > 0 {
                    out.push_byte(b',');
                }
                write_name(out, columns[i].name);
                out.push_byte(b':');
                write_const_type(out, &columns[i].ty);
                i += 1;
            }
            out.push_byte(b'}');
        }
        ConstType::Map(key, value) => {
            out.push_byte(b'<');
            write_const_type(out, key);
            out.push_byte(b',');
            write_const_type(out, value);
            out.push_byte(b'>');
        }
    }
}

/// Write a column name as schema expressions print it: as is when it is a plain identifier,
/// else in backticks (a backtick inside doubled), as [`quote_name`](crate::quote_name) does.
pub const fn write_name(out: &mut Message, name: &str) {
    if text::is_plain_name(name) {
        out.push(name);
        return;
    }
    out.push_byte(b'`');
    let bytes = name.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            out.push(text::slice(name, start, i + 1));
            out.push_byte(b'`');
            start = i + 1;
        }
        i += 1;
    }
    out.push(text::slice(name, start, bytes.len()));
    out.push_byte(b'`');
}

/// Write `name:type`.
pub const fn write_col(out: &mut Message, col: &Col<'_>) {
    write_name(out, col.name);
    out.push_byte(b':');
    write_type(out, &col.ty);
}

/// How many bytes of a schema a message prints; the columns after them are counted
/// (`a:long,b:long,... (30 more)`), so that the help after a wide schema still fits.
pub const SCHEMA_ECHO: usize = 480;

/// Whether a list written into `out` from `start` has used up [`SCHEMA_ECHO`]; if so, writes
/// `{separator}... (N more)` for the `left` items it will not write.
pub const fn echo_used_up(out: &mut Message, start: usize, separator: &str, left: usize) -> bool {
    if out.len() - start < SCHEMA_ECHO {
        return false;
    }
    out.push(separator);
    out.push("... (");
    out.push_usize(left);
    out.push(" more)");
    true
}

/// Write columns as a schema expression (`city:str,fare:double`), up to [`SCHEMA_ECHO`] bytes.
pub const fn write_cols(out: &mut Message, cols: &[Col<'_>]) {
    let start = out.len();
    let mut i = 0;
    while i < cols.len() {
        if i > 0 {
            if echo_used_up(out, start, ",", cols.len() - i) {
                return;
            }
            out.push_byte(b',');
        }
        write_col(out, &cols[i]);
        i += 1;
    }
}
