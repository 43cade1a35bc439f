//! [`Problem`]: why a rule stops, and the one function that words it for both sides.

use super::ops::{JoinKind, closest, lookup};
use super::params::{Literal, accepted, param_accepts};
use super::text::Suggestion;
use super::validation::{RuleFailure, Site, Sorted, is_input_rule, position};
use super::{Col, Input, write_col, write_cols, write_name, write_type};
use crate::const_check::message::Message;
use crate::error::ErrorKind;

/// A workflow step as messages name it.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// Its name in the workflow (`ranked`), or its call for an unnamed step (`save(top, ..)`,
    /// with `call` empty); empty when the rule runs outside a workflow (then messages have no
    /// head).
    pub name: &'a str,
    /// Its call, shortened (`transform(trips, rank, ..)`).
    pub call: &'a str,
}

impl Step<'static> {
    /// No step: a rule called on schemas directly.
    pub const NONE: Step<'static> = Step { name: "", call: "" };
}

/// What is wrong with one required column of a typed input ([`Problem::Input`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// The input lacks it.
    Missing,
    /// The input's column (at this position) has another type.
    Type {
        /// The position of the column in the input.
        at: usize,
    },
    /// The field is not an `Option` but the input's column may be NULL.
    NotNull,
}

/// Why a rule stops.
#[derive(Debug, Clone, Copy)]
pub enum Problem<'a> {
    /// The output does not fit the caller's buffer (at compile time: wider than
    /// [`MAX_COLUMNS`](crate::const_check::MAX_COLUMNS), so the schema becomes unknown).
    TooWide,
    /// A verb that needs at least one column got none.
    NoColumns {
        /// The verb.
        verb: &'static str,
    },
    /// A column is named twice where each may appear once.
    Repeated {
        /// How the step uses it (`selected column`, `join key`, ...).
        role: &'static str,
        /// The name.
        column: &'a str,
    },
    /// A column the step uses is not a column of its input.
    Missing {
        /// How the step uses it (`selected column`, `join key`, `renamed column`, ...).
        role: &'static str,
        /// The name.
        column: &'a str,
        /// The input that lacks it.
        input: Input<'a, 'a>,
    },
    /// `drop` would remove every column.
    DropsAll {
        /// The input.
        input: Input<'a, 'a>,
    },
    /// A rename onto a column that stays.
    RenameOnto {
        /// The renamed column.
        old: &'a str,
        /// Its new name, already a column of the input.
        new: &'a str,
        /// The input.
        input: Input<'a, 'a>,
    },
    /// A cross join given keys.
    CrossWithKeys,
    /// The inputs of a cross join share a column.
    CrossShared {
        /// The shared column.
        column: &'a str,
        /// The left input.
        left: Input<'a, 'a>,
        /// The right input.
        right: Input<'a, 'a>,
    },
    /// No `on` and no common column.
    NoJoinKey {
        /// The left input.
        left: Input<'a, 'a>,
        /// The right input.
        right: Input<'a, 'a>,
    },
    /// A join or zip key of different types on the two sides.
    KeyTypes {
        /// `join key` or `zip key`.
        role: &'static str,
        /// The key.
        key: &'a str,
        /// The left input.
        left: Input<'a, 'a>,
        /// The right input.
        right: Input<'a, 'a>,
    },
    /// The inputs of a join share a column that is not a key.
    SharedColumn {
        /// The shared column.
        column: &'a str,
        /// The join kind.
        how: JoinKind,
        /// The left input.
        left: Input<'a, 'a>,
        /// The right input.
        right: Input<'a, 'a>,
    },
    /// The inputs of a set operation differ (at `position`, or in width when `usize::MAX`).
    SetOpDiffers {
        /// The verb (`union`, ...).
        verb: &'a str,
        /// The first differing position, `usize::MAX` when only the widths differ.
        position: usize,
        /// The left input.
        left: Input<'a, 'a>,
        /// The right input.
        right: Input<'a, 'a>,
    },
    /// A typed input of a function does not fit the step's input.
    Input {
        /// The function.
        function: &'a str,
        /// The position of the required column in `required`.
        column: usize,
        /// What is wrong with it.
        what: Required,
        /// The function's record (its name and columns).
        required: Input<'a, 'a>,
        /// The step's input.
        input: Input<'a, 'a>,
    },
    /// A `-` or `~` item of a schema hint names a column the input lacks (`-` only).
    HintRemovesMissing {
        /// The function declaring the hint (empty outside a step).
        function: &'a str,
        /// The hint as written.
        hint: &'a str,
        /// The column.
        column: &'a str,
        /// The input.
        input: Input<'a, 'a>,
    },
    /// A parameter given in `params(..)` that the function does not declare.
    ParamUnknown {
        /// The function.
        function: &'a str,
        /// The parameter given.
        name: &'a str,
        /// The declared parameters, `(name, Rust type)`.
        declared: &'a [(&'a str, &'a str)],
    },
    /// A parameter value its declared type does not accept ([`params::param_accepts`]).
    ///
    /// [`params::param_accepts`]: super::params::param_accepts
    ParamValue {
        /// The function.
        function: &'a str,
        /// The parameter.
        name: &'a str,
        /// Its declared Rust type.
        ty: &'a str,
        /// The kind of the value given.
        literal: Literal,
        /// The value as written.
        text: &'a str,
    },
    /// A declared parameter the step does not give.
    ParamMissing {
        /// The function.
        function: &'a str,
        /// The position of the parameter in `declared`.
        at: usize,
        /// The declared parameters, `(name, Rust type)`.
        declared: &'a [(&'a str, &'a str)],
    },
    /// A validation rule of a function is not met ([`validation`](super::validation)).
    Rule {
        /// The function declaring the rule (empty outside a step).
        function: &'a str,
        /// The rule's name (`partitionby_has`, ...).
        rule: &'a str,
        /// Its canonical value.
        value: &'a str,
        /// The column it is about, as the rule writes it (empty for a count or `input_is`).
        column: &'a str,
        /// What is wrong.
        what: RuleFailure,
        /// The step's partition and input.
        site: &'a Site<'a>,
    },
    /// A hint adds a column the output already has.
    HintAddsExisting {
        /// The function declaring the hint (empty outside a step).
        function: &'a str,
        /// The hint as written.
        hint: &'a str,
        /// The column.
        column: &'a str,
        /// The input.
        input: Input<'a, 'a>,
    },
}

impl<'a> Problem<'a> {
    /// The kind of error this problem is.
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Problem::TooWide => ErrorKind::Internal,
            Problem::Repeated { .. }
            | Problem::RenameOnto { .. }
            | Problem::HintAddsExisting { .. } => ErrorKind::DuplicateColumn,
            Problem::Missing { .. } | Problem::HintRemovesMissing { .. } => {
                ErrorKind::ColumnNotFound
            }
            Problem::KeyTypes { .. } => ErrorKind::TypeMismatch,
            Problem::Rule { .. } => ErrorKind::ValidationFailed,
            Problem::ParamUnknown { .. }
            | Problem::ParamValue { .. }
            | Problem::ParamMissing { .. } => ErrorKind::InvalidArgument,
            Problem::SetOpDiffers { .. } => ErrorKind::SchemaMismatch,
            Problem::Input { what, .. } => match what {
                Required::Missing => ErrorKind::ColumnNotFound,
                Required::Type { .. } | Required::NotNull => ErrorKind::TypeMismatch,
            },
            Problem::NoColumns { .. }
            | Problem::DropsAll { .. }
            | Problem::CrossWithKeys
            | Problem::CrossShared { .. }
            | Problem::NoJoinKey { .. }
            | Problem::SharedColumn { .. } => ErrorKind::InvalidArgument,
        }
    }

    /// The column the problem is about, when there is one.
    pub const fn column(&self) -> Option<&'a str> {
        match *self {
            Problem::Repeated { column, .. }
            | Problem::Missing { column, .. }
            | Problem::CrossShared { column, .. }
            | Problem::SharedColumn { column, .. }
            | Problem::HintRemovesMissing { column, .. }
            | Problem::HintAddsExisting { column, .. } => Some(column),
            Problem::RenameOnto { new, .. } => Some(new),
            Problem::Rule { column, .. } if !column.is_empty() => Some(column),
            Problem::KeyTypes { key, .. } => Some(key),
            Problem::Input {
                column, required, ..
            } => {
                if column < required.cols.len() {
                    Some(required.cols[column].name)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Write the message: the step (when there is one), what is wrong, the schemas involved,
    /// and the closest name for a missing column. The compile-time check and the run-time
    /// error both call this, so they say the same sentence.
    pub const fn write(&self, step: &Step<'_>, m: &mut Message) {
        write_head(m, step);
        match *self {
            Problem::TooWide => m.push("the schema is too wide for this check"),
            Problem::NoColumns { verb } => {
                m.push_ticked(verb);
                m.push(" needs at least one column");
            }
            Problem::Repeated { role, column } => {
                m.push(role);
                m.push_byte(b' ');
                m.push_ticked(column);
                m.push(" is given twice");
            }
            Problem::Missing {
                role,
                column,
                input,
            } => {
                m.push(role);
                m.push_byte(b' ');
                m.push_ticked(column);
                m.push(" is not a column of ");
                m.push_ticked(input.name);
                describe(m, &input);
                suggest(m, column, &input);
            }
            Problem::DropsAll { input } => {
                m.push("`drop` would remove every column of ");
                m.push_ticked(input.name);
                describe(m, &input);
                m.push("; help: `select` the columns to keep instead");
            }
            Problem::RenameOnto { old, new, input } => {
                m.push("renaming ");
                m.push_ticked(old);
                m.push(" to ");
                m.push_ticked(new);
                m.push(" gives two columns ");
                m.push_ticked(new);
                m.push(", because ");
                m.push_ticked(input.name);
                m.push(" already has ");
                m.push_ticked(new);
                describe(m, &input);
                m.push("; help: drop or rename ");
                m.push_ticked(new);
                m.push(" first");
            }
            Problem::CrossWithKeys => {
                m.push("a cross join has no keys; help: remove `on`");
            }
            Problem::CrossShared {
                column,
                left,
                right,
            } => {
                m.push("both inputs of the cross join have column ");
                m.push_ticked(column);
                describe(m, &left);
                describe(m, &right);
                m.push("; help: rename it on one side first");
            }
            Problem::NoJoinKey { left, right } => {
                m.push_ticked(left.name);
                m.push(" and ");
                m.push_ticked(right.name);
                m.push(" have no common column, so no join key can be inferred");
                describe(m, &left);
                describe(m, &right);
                m.push("; help: give the keys (`on: [..]`) or use a cross join");
            }
            Problem::KeyTypes {
                role,
                key,
                left,
                right,
            } => {
                m.push(role);
                m.push_byte(b' ');
                m.push_ticked(key);
                m.push(" has type `");
                if let Some(at) = lookup(left.cols, key) {
                    write_type(m, &left.cols[at].ty);
                }
                m.push("` in ");
                m.push_ticked(left.name);
                m.push(" but `");
                if let Some(at) = lookup(right.cols, key) {
                    write_type(m, &right.cols[at].ty);
                }
                m.push("` in ");
                m.push_ticked(right.name);
                describe(m, &left);
                describe(m, &right);
            }
            Problem::SharedColumn {
                column,
                how,
                left,
                right,
            } => {
                m.push("both inputs of the ");
                m.push(how.name());
                m.push(" join have the non-key column ");
                m.push_ticked(column);
                describe(m, &left);
                describe(m, &right);
                m.push("; help: rename or drop it on one side, or make it a key");
            }
            Problem::SetOpDiffers {
                verb,
                position,
                left,
                right,
            } => {
                m.push("the inputs of ");
                m.push_ticked(verb);
                m.push(" must have the same schema, but ");
                if position < left.cols.len() && position < right.cols.len() {
                    m.push("column ");
                    m.push_usize(position + 1);
                    m.push(" is `");
                    write_col(m, &left.cols[position]);
                    m.push("` in ");
                    m.push_ticked(left.name);
                    m.push(" and `");
                    write_col(m, &right.cols[position]);
                    m.push("` in ");
                    m.push_ticked(right.name);
                } else {
                    m.push_ticked(left.name);
                    m.push(" has ");
                    m.push_usize(left.cols.len());
                    m.push(" columns and ");
                    m.push_ticked(right.name);
                    m.push(" has ");
                    m.push_usize(right.cols.len());
                }
                describe(m, &left);
                describe(m, &right);
            }
            Problem::Input {
                function,
                column,
                what,
                required,
                input,
            } => {
                let want: &Col<'_> = &required.cols[column];
                m.push("column ");
                m.push_ticked(want.name);
                m.push(" of ");
                m.push_ticked(required.name);
                m.push(" required by ");
                m.push_ticked(function);
                match what {
                    Required::Missing => {
                        m.push(" is not a column of ");
                        m.push_ticked(input.name);
                    }
                    Required::Type { at } => {
                        m.push(" has type `");
                        write_type(m, &want.ty);
                        m.push("` but ");
                        m.push_ticked(input.name);
                        m.push(" gives `");
                        write_type(m, &input.cols[at].ty);
                        m.push_byte(b'`');
                    }
                    Required::NotNull => {
                        m.push(" is not an `Option` but ");
                        m.push_ticked(input.name);
                        m.push(
                            " may give it NULL (from an `Option` field, or from the other side \
                             of an outer join)",
                        );
                    }
                }
                describe(m, &input);
                m.push("; ");
                m.push_ticked(function);
                m.push(" takes `");
                write_cols(m, required.cols);
                m.push_byte(b'`');
                match what {
                    Required::Missing => suggest(m, want.name, &input),
                    Required::NotNull => m.push(
                        "; help: make the field an `Option`, or fill the NULLs first (`fillna`)",
                    ),
                    Required::Type { .. } => {}
                }
            }
            Problem::HintRemovesMissing {
                function,
                hint,
                column,
                input,
            } => {
                hint_head(m, hint, function);
                m.push(" removes column ");
                m.push_ticked(column);
                m.push(", which ");
                m.push_ticked(input.name);
                m.push(" does not have");
                describe(m, &input);
                suggest(m, column, &input);
            }
            Problem::ParamUnknown {
                function,
                name,
                declared,
            } => {
                m.push_ticked(function);
                m.push(" has no parameter ");
                m.push_ticked(name);
                m.push("; it takes ");
                write_params(m, declared);
                let mut search = Suggestion::new(name);
                let mut i = 0;
                while i < declared.len() && search.open() {
                    search.offer(declared[i].0, i);
                    i += 1;
                }
                if let Some(at) = search.position() {
                    m.push("; help: did you mean ");
                    m.push_ticked(declared[at].0);
                    m.push_byte(b'?');
                }
            }
            Problem::ParamValue {
                function,
                name,
                ty,
                literal,
                text,
            } => {
                m.push("parameter ");
                m.push_ticked(name);
                m.push(" of ");
                m.push_ticked(function);
                m.push(" is `");
                m.push(ty);
                m.push("`, but the step gives `");
                m.push(text);
                m.push("` (");
                m.push(literal.describe());
                if let Literal::Int(_) = literal
                    && let Some(true) = param_accepts(ty, Literal::Int(0))
                {
                    m.push(" out of the type's range");
                }
                m.push("); help: give ");
                m.push(accepted(ty));
            }
            Problem::ParamMissing {
                function,
                at,
                declared,
            } => {
                m.push_ticked(function);
                m.push(" needs parameter `");
                m.push(declared[at].0);
                m.push(": ");
                m.push(declared[at].1);
                m.push("`, which the step does not give; it takes ");
                write_params(m, declared);
                m.push("; help: add `params(");
                m.push(declared[at].0);
                m.push(": ..)`");
            }
            Problem::Rule {
                function,
                rule,
                value,
                column,
                what,
                site,
            } => {
                let (by, presort, input) = (site.by, site.presort, site.input);
                m.push("validation rule `");
                m.push(rule);
                m.push(" = \"");
                m.push(value);
                m.push_byte(b'"');
                m.push_byte(b'`');
                if !function.is_empty() {
                    m.push(" of ");
                    m.push_ticked(function);
                }
                m.push(" is not met: ");
                match what {
                    RuleFailure::InputDiffers => {
                        m.push("the input must be `");
                        m.push(value);
                        m.push_byte(b'`');
                    }
                    RuleFailure::KeyCount | RuleFailure::PresortCount => {
                        m.push("the step must have ");
                        m.push(what.wanted());
                    }
                    _ => {
                        m.push_ticked(column);
                        m.push(" must be ");
                        m.push(what.wanted());
                    }
                }
                if !is_input_rule(rule) {
                    if by.is_empty() && presort.is_empty() {
                        m.push("; the step has no partition");
                    } else {
                        m.push("; the step's partition is `");
                        write_partition(m, by, presort);
                        m.push_byte(b'`');
                    }
                }
                if let Some(input) = input {
                    let missing = !column.is_empty() && position(input.cols, column).is_none();
                    if missing && !matches!(what, RuleFailure::NotInInput) {
                        m.push("; ");
                        m.push_ticked(column);
                        m.push(" is not a column of ");
                        m.push_ticked(input.name);
                        m.push(" either");
                    }
                    describe(m, &input);
                    if missing {
                        suggest(m, column, &input);
                    }
                }
            }
            Problem::HintAddsExisting {
                function,
                hint,
                column,
                input,
            } => {
                hint_head(m, hint, function);
                m.push(" adds column ");
                m.push_ticked(column);
                m.push(", which ");
                m.push_ticked(input.name);
                m.push(" already has");
                describe(m, &input);
                m.push("; help: `*+");
                m.push(column);
                m.push(":type` changes the type of an existing column");
            }
        }
    }

    /// The message, as [`write`](Self::write) words it.
    pub const fn message(&self, step: &Step<'_>) -> Message {
        let mut m = Message::new();
        self.write(step, &mut m);
        m
    }
}

/// How every message names its step: `` step `ranked` (`transform(trips, rank)`): `` (nothing
/// outside a step).
pub const fn write_head(m: &mut Message, step: &Step<'_>) {
    if !step.name.is_empty() {
        m.push("step ");
        m.push_ticked(step.name);
        if !step.call.is_empty() {
            m.push(" (");
            m.push_ticked(step.call);
            m.push_byte(b')');
        }
        m.push(": ");
    }
}

const fn hint_head(m: &mut Message, hint: &str, function: &str) {
    m.push("the schema hint ");
    m.push_ticked(hint);
    if !function.is_empty() {
        m.push(" of ");
        m.push_ticked(function);
    }
}

/// A step's partition as validation messages print it: `by=a,b; presort=c desc nulls first`.
pub const fn write_partition(m: &mut Message, by: &[&str], presort: &[Sorted<'_>]) {
    if !by.is_empty() {
        m.push("by=");
        let mut i = 0;
        while i < by.len() {
            if i > 0 {
                m.push_byte(b',');
            }
            write_name(m, by[i]);
            i += 1;
        }
    }
    if !presort.is_empty() {
        if !by.is_empty() {
            m.push("; ");
        }
        m.push("presort=");
        let mut i = 0;
        while i < presort.len() {
            if i > 0 {
                m.push_byte(b',');
            }
            write_name(m, presort[i].0);
            if presort[i].1 {
                m.push(" desc");
            }
            if presort[i].2 {
                m.push(" nulls first");
            }
            i += 1;
        }
    }
}

/// `(name, Rust type)` pairs as `top: i64, threshold: f64` (or `no parameter`).
const fn write_params(m: &mut Message, declared: &[(&str, &str)]) {
    if declared.is_empty() {
        m.push("no parameter");
        return;
    }
    m.push_byte(b'`');
    let start = m.len();
    let mut i = 0;
    while i < declared.len() {
        if i > 0 {
            if super::echo_used_up(m, start, ", ", declared.len() - i) {
                m.push_byte(b'`');
                return;
            }
            m.push(", ");
        }
        m.push(declared[i].0);
        m.push(": ");
        m.push(declared[i].1);
        i += 1;
    }
    m.push_byte(b'`');
}

/// `; `name` is `schema``.
pub const fn describe(m: &mut Message, input: &Input<'_, '_>) {
    m.push("; ");
    m.push_ticked(input.name);
    m.push(" is `");
    write_cols(m, input.cols);
    m.push_byte(b'`');
}

/// `; help: did you mean `x`?` when a column of `input` is close to `column`.
pub const fn suggest(m: &mut Message, column: &str, input: &Input<'_, '_>) {
    if let Some(close) = closest(input.cols, column) {
        m.push("; help: did you mean ");
        m.push_ticked(close);
        m.push_byte(b'?');
    }
}
