//! [`ConstSchema`]: a schema computed in const evaluation, step by step along a workflow.
//!
//! A schema is either *known* (a fixed-capacity list of [`Col`]s) or *unknown* (known only at
//! run time: an untyped load, a dynamic output, a `*` hint over an unknown input). Every
//! operation on an unknown schema gives an unknown schema, and every check against one passes
//! at compile time: the runtime checks it when the data is there.
//!
//! Every operation is the rule of [`crate::rules`] that the run time evaluates too, called with
//! a fixed array as its output buffer. When a rule reports a problem the schema becomes
//! unknown: the step's check reports the problem, with the same rule and the same words.

use super::message::Message;
use crate::const_schema::ConstColumn;
use crate::rules::{self, Col, HintItem, Input, JoinKind, Nullability, Ty};

/// The most columns a [`ConstSchema`] holds; a wider schema is unknown at compile time (the run
/// time has no such limit).
pub const MAX_COLUMNS: usize = 64;

/// One column of a [`ConstSchema`].
pub type SchemaColumn = Col<'static>;

/// What [`ConstSchema::lookup`] finds.
#[derive(Debug, Clone, Copy)]
pub enum Lookup {
    /// The column at this position.
    Found(usize),
    /// The schema is known and has no such column.
    Missing,
    /// The schema is known only at run time.
    Unknown,
}

/// A schema in const evaluation: known columns, or unknown until run time.
#[derive(Debug, Clone, Copy)]
pub struct ConstSchema {
    known: bool,
    columns: [Col<'static>; MAX_COLUMNS],
    len: usize,
}

impl ConstSchema {
    /// A schema known only at run time.
    pub const UNKNOWN: ConstSchema = ConstSchema {
        known: false,
        columns: [Col::NONE; MAX_COLUMNS],
        len: 0,
    };

    /// The known schema without columns.
    pub const EMPTY: ConstSchema = ConstSchema {
        known: true,
        columns: [Col::NONE; MAX_COLUMNS],
        len: 0,
    };

    const fn from_cols(columns: &[Col<'static>]) -> ConstSchema {
        if columns.len() > MAX_COLUMNS {
            return ConstSchema::UNKNOWN;
        }
        let mut out = ConstSchema::EMPTY;
        let mut i = 0;
        while i < columns.len() {
            out.columns[i] = columns[i];
            i += 1;
        }
        out.len = columns.len();
        out
    }

    const fn of_const(columns: &'static [ConstColumn], declared: bool) -> ConstSchema {
        if columns.len() > MAX_COLUMNS {
            return ConstSchema::UNKNOWN;
        }
        let mut out = ConstSchema::EMPTY;
        let mut i = 0;
        while i < columns.len() {
            out.columns[i] = Col::of_const(&columns[i], i, declared);
            i += 1;
        }
        out.len = columns.len();
        out
    }

    /// The schema of a record's columns (`<T as Record>::COLUMNS`): nullable exactly where the
    /// field is an `Option`. Unknown when wider than [`MAX_COLUMNS`].
    pub const fn of_columns(columns: &'static [ConstColumn]) -> ConstSchema {
        Self::of_const(columns, true)
    }

    /// The schema of a schema expression the macro parsed: every column's nullability is
    /// [`Nullability::Unspecified`].
    pub const fn of_expression(columns: &'static [ConstColumn]) -> ConstSchema {
        Self::of_const(columns, false)
    }

    /// Whether the columns are known at compile time.
    pub const fn is_known(&self) -> bool {
        self.known
    }

    /// The number of columns (0 when unknown).
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the schema is known and has no column.
    pub const fn is_empty(&self) -> bool {
        self.known && self.len == 0
    }

    /// The columns (none when unknown).
    pub const fn cols(&self) -> &[Col<'static>] {
        self.columns.split_at(self.len).0
    }

    /// The schema as the input `name` of a rule.
    pub const fn input<'s>(&'s self, name: &'s str) -> Input<'s, 'static> {
        Input {
            name,
            cols: self.cols(),
        }
    }

    /// The column at `index`.
    pub const fn column_at(&self, index: usize) -> Option<&SchemaColumn> {
        if index < self.len {
            Some(&self.columns[index])
        } else {
            None
        }
    }

    /// Find the column `name`.
    pub const fn lookup(&self, name: &str) -> Lookup {
        if !self.known {
            return Lookup::Unknown;
        }
        match rules::lookup(self.cols(), name) {
            Some(at) => Lookup::Found(at),
            None => Lookup::Missing,
        }
    }

    /// Whether the schema is known and has the column `name`.
    pub const fn has(&self, name: &str) -> bool {
        matches!(self.lookup(name), Lookup::Found(_))
    }

    /// The columns `names`, in that order ([`rules::select`]).
    pub const fn select(&self, names: &[&'static str]) -> ConstSchema {
        if !self.known {
            return ConstSchema::UNKNOWN;
        }
        let mut out = ConstSchema::EMPTY;
        match rules::select(self.input(""), names, &mut out.columns) {
            Ok(n) => out.len = n,
            Err(_) => return ConstSchema::UNKNOWN,
        }
        out
    }

    /// Without the columns `names` ([`rules::drop_columns`]).
    pub const fn drop_columns(&self, names: &[&'static str]) -> ConstSchema {
        if !self.known {
            return ConstSchema::UNKNOWN;
        }
        let mut out = ConstSchema::EMPTY;
        match rules::drop_columns(self.input(""), names, &mut out.columns) {
            Ok(n) => out.len = n,
            Err(_) => return ConstSchema::UNKNOWN,
        }
        out
    }

    /// With the columns renamed, `(old, new)` pairs ([`rules::rename`]).
    pub const fn rename(&self, pairs: &[(&'static str, &'static str)]) -> ConstSchema {
        if !self.known {
            return ConstSchema::UNKNOWN;
        }
        let mut out = ConstSchema::EMPTY;
        match rules::rename(self.input(""), pairs, &mut out.columns) {
            Ok(n) => out.len = n,
            Err(_) => return ConstSchema::UNKNOWN,
        }
        out
    }

    /// With the columns of `changes` (a schema expression the macro parsed) cast to their
    /// types ([`rules::alter`]).
    pub const fn alter(&self, changes: &'static [ConstColumn]) -> ConstSchema {
        if !self.known {
            return ConstSchema::UNKNOWN;
        }
        let changes = ConstSchema::of_expression(changes);
        if !changes.known {
            return ConstSchema::UNKNOWN;
        }
        let mut out = ConstSchema::EMPTY;
        match rules::alter(self.input(""), changes.cols(), &mut out.columns) {
            Ok(n) => out.len = n,
            Err(_) => return ConstSchema::UNKNOWN,
        }
        out
    }

    /// With NULLs filled in the columns `subset` (every column when `None`): those columns
    /// become non-nullable ([`rules::fill_nulls`]; also `dropna(how: any)`).
    pub const fn fill_nulls(&self, subset: Option<&[&'static str]>) -> ConstSchema {
        if !self.known {
            return ConstSchema::UNKNOWN;
        }
        let mut out = ConstSchema::EMPTY;
        match rules::fill_nulls(self.input(""), subset, &mut out.columns) {
            Ok(n) => out.len = n,
            Err(_) => return ConstSchema::UNKNOWN,
        }
        out
    }

    /// With the columns `names` computed by SQL expressions (`assign`): an existing column
    /// keeps its place, a new one is appended; their types are known only at run time.
    pub const fn assign(&self, names: &[&'static str]) -> ConstSchema {
        if !self.known {
            return ConstSchema::UNKNOWN;
        }
        let mut out = *self;
        let mut i = 0;
        while i < names.len() {
            let column = Col::new(names[i], Ty::Unknown, Nullability::Unspecified, usize::MAX);
            match rules::lookup(out.cols(), names[i]) {
                Some(at) => out.columns[at] = column,
                None => {
                    if out.len == MAX_COLUMNS {
                        return ConstSchema::UNKNOWN;
                    }
                    out.columns[out.len] = column;
                    out.len += 1;
                }
            }
            i += 1;
        }
        out
    }

    /// The keys `by` (from this schema) followed by the aggregated columns `names`, whose
    /// types are known only at run time (`aggregate`).
    pub const fn aggregate(&self, by: &[&'static str], names: &[&'static str]) -> ConstSchema {
        if by.is_empty() {
            return if self.known {
                ConstSchema::EMPTY.assign(names)
            } else {
                ConstSchema::UNKNOWN
            };
        }
        self.select(by).assign(names)
    }

    /// The output of a join of this schema with `right` on the keys `on` (the common columns
    /// when empty), [`rules::join`].
    pub const fn join(
        &self,
        right: &ConstSchema,
        how: JoinKind,
        on: &[&'static str],
    ) -> ConstSchema {
        if !self.known || !right.known {
            return ConstSchema::UNKNOWN;
        }
        let mut keys = [""; MAX_COLUMNS];
        let mut out = ConstSchema::EMPTY;
        match rules::join(
            self.input(""),
            right.input(""),
            how,
            on,
            &mut keys,
            &mut out.columns,
        ) {
            Ok((_, n)) => out.len = n,
            Err(_) => return ConstSchema::UNKNOWN,
        }
        out
    }

    /// The schema a parsed hint (`items`, from the macro) describes for this input
    /// ([`rules::apply_hint`]); a hint without `*` is known even over an unknown input.
    pub const fn hinted(&self, items: &'static [HintItem<'static>]) -> ConstSchema {
        let input = if self.known {
            Some(self.input(""))
        } else {
            None
        };
        let mut out = ConstSchema::EMPTY;
        match rules::apply_hint("", "", input, items, 0, &mut out.columns) {
            Ok(Some(n)) => out.len = n,
            _ => return ConstSchema::UNKNOWN,
        }
        // A hint over an unknown input without `*` borrows nothing from it.
        out
    }

    /// Write the schema in the schema language (`city:str,fare:double`); an unknown type
    /// prints `?`, an unknown schema `(known at run time)`.
    pub const fn write(&self, out: &mut Message) {
        if !self.known {
            out.push("(known at run time)");
            return;
        }
        rules::write_cols(out, self.cols());
    }

    /// The closest column name to `name`, for "did you mean" ([`rules::closest`]).
    pub const fn closest(&self, name: &str) -> Option<&'static str> {
        rules::closest(self.cols(), name)
    }

    /// A copy with the columns' `src` renumbered from 0, for schemas built from others.
    pub const fn from_columns(columns: &[Col<'static>]) -> ConstSchema {
        Self::from_cols(columns)
    }
}

impl std::fmt::Display for ConstSchema {
    /// The schema as [`ConstSchema::write`] writes it (`city:str,fare:?`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = Message::new();
        self.write(&mut m);
        f.write_str(m.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ConstType;
    use crate::rules::HintOp;

    const TRIP: &[ConstColumn] = &[
        ConstColumn {
            name: "city",
            ty: ConstType::Expr("str"),
            nullable: false,
        },
        ConstColumn {
            name: "fare",
            ty: ConstType::Expr("double"),
            nullable: true,
        },
    ];

    fn text(schema: &ConstSchema) -> String {
        schema.to_string()
    }

    const RANK: &[HintItem<'static>] = &[
        HintItem {
            op: HintOp::Star,
            name: "",
            ty: Ty::Unknown,
        },
        HintItem {
            op: HintOp::Column,
            name: "rank",
            ty: Ty::Key("long"),
        },
    ];

    // Evaluated at compile time: the operations work in const evaluation.
    const TRIPS: ConstSchema = ConstSchema::of_columns(TRIP);
    const HINTED: ConstSchema = TRIPS.hinted(RANK);
    const _: () = assert!(HINTED.len() == 3);

    #[test]
    fn lookup_and_print() {
        assert!(matches!(TRIPS.lookup("fare"), Lookup::Found(1)));
        assert!(matches!(TRIPS.lookup("far"), Lookup::Missing));
        assert!(matches!(
            ConstSchema::UNKNOWN.lookup("far"),
            Lookup::Unknown
        ));
        assert_eq!(text(&TRIPS), "city:str,fare:double");
        assert_eq!(text(&ConstSchema::UNKNOWN), "(known at run time)");
        assert_eq!(TRIPS.closest("fair"), Some("fare"));
        assert_eq!(TRIPS.closest("zzzz"), None);
        assert_eq!(text(&HINTED), "city:str,fare:double,rank:long");
        assert!(!ConstSchema::UNKNOWN.hinted(RANK).is_known());
        assert_eq!(text(&ConstSchema::UNKNOWN.hinted(&RANK[1..])), "rank:long");
    }

    #[test]
    fn operations() {
        assert_eq!(
            text(&TRIPS.select(&["fare", "city"])),
            "fare:double,city:str"
        );
        assert!(!TRIPS.select(&["nope"]).is_known());
        assert_eq!(text(&TRIPS.drop_columns(&["city"])), "fare:double");
        assert_eq!(
            text(&TRIPS.rename(&[("fare", "price")])),
            "city:str,price:double"
        );
        assert!(!TRIPS.rename(&[("fare", "city")]).is_known());
        assert_eq!(text(&TRIPS.assign(&["fare", "n"])), "city:str,fare:?,n:?");
        assert_eq!(
            text(&TRIPS.aggregate(&["city"], &["total"])),
            "city:str,total:?"
        );
        let filled = TRIPS.fill_nulls(None);
        assert_eq!(
            filled.column_at(1).map(|c| c.null),
            Some(Nullability::NotNull)
        );
        const POP: &[ConstColumn] = &[
            ConstColumn {
                name: "city",
                ty: ConstType::Expr("str"),
                nullable: true,
            },
            ConstColumn {
                name: "pop",
                ty: ConstType::Expr("long"),
                nullable: false,
            },
        ];
        let other = ConstSchema::of_columns(POP);
        let inner = TRIPS.join(&other, JoinKind::Inner, &[]);
        assert_eq!(text(&inner), "city:str,fare:double,pop:long");
        assert_eq!(
            text(&TRIPS.join(&other, JoinKind::Semi, &["city"])),
            "city:str,fare:double"
        );
        // The other side of an outer join may be NULL; a right join's key is not declared.
        let outer = TRIPS.join(&other, JoinKind::LeftOuter, &["city"]);
        assert_eq!(
            outer.column_at(2).map(|c| c.null),
            Some(Nullability::Nullable)
        );
        let right = TRIPS.join(&other, JoinKind::RightOuter, &["city"]);
        let nulls: Vec<_> = (0..3).map(|i| right.column_at(i).map(|c| c.null)).collect();
        assert_eq!(
            nulls,
            [
                Some(Nullability::Unspecified),
                Some(Nullability::Nullable),
                Some(Nullability::NotNull)
            ]
        );
        // Sharing a non-key column is a problem: unknown (the step's check reports it).
        assert!(!TRIPS.join(&TRIPS, JoinKind::Inner, &["city"]).is_known());
    }
}
