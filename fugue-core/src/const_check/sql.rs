//! The compile-time side of a `workflow!` `sql` step: its column references checked against
//! the steps it reads, and its output schema, in const evaluation.
//!
//! The macro reads the SQL when it expands (the `fugue-sql` crate: tables, column references
//! with the tables each may belong to, output columns as type rules) and emits that reading as
//! the const data of this module; the steps' schemas are known only to rustc, so the checks and
//! the output schema are computed here. The rules are DataFusion's name resolution and typing
//! (the differential tests of `fugue-runtime` hold the two equal): a reference qualified by a
//! table is that table's column; an unqualified one is searched innermost query first, found
//! in one table it is that table's, in two it is ambiguous (unless a `USING` or `NATURAL` join
//! shares it); whatever is not known (an unknown schema, a subquery's columns) passes.

use super::message::Message;
use super::schema::{ConstSchema, Lookup, MAX_COLUMNS};
use crate::const_schema::ConstType;
use crate::rules::problem::{describe, write_head};
use crate::rules::text::{Suggestion, str_eq};
use crate::rules::{Col, Input, Nullability, Ty};

/// One level of an unqualified column's search: the steps (indexes into the step's tables)
/// of one query's `FROM`.
#[derive(Debug, Clone, Copy)]
pub struct SqlLevel {
    /// The tables whose columns are visible.
    pub tables: &'static [usize],
    /// Whether the level has sources whose columns are not known (a subquery, a CTE).
    pub open: bool,
    /// Whether a column in two tables is shared, not ambiguous (`USING`, `NATURAL`).
    pub shared: bool,
    /// The positions in `tables` of the sources on the NULL side of an outer join (the right
    /// of a `LEFT JOIN`, the left of a `RIGHT JOIN`, both of a `FULL JOIN`).
    pub outer: &'static [usize],
}

/// Where a column reference may be.
#[derive(Debug, Clone, Copy)]
pub enum SqlResolve {
    /// Qualified: a column of this table.
    Of(usize),
    /// Qualified by a source on the NULL side of an outer join: a column of this table, which
    /// may be NULL.
    OfOuter(usize),
    /// Unqualified: these levels, innermost first.
    Levels(&'static [SqlLevel]),
}

/// A column reference of the SQL.
#[derive(Debug, Clone, Copy)]
pub struct SqlColumn {
    /// The name, as DataFusion resolves it.
    pub name: &'static str,
    /// Where it may be.
    pub resolve: SqlResolve,
}

/// The type of an output column.
#[derive(Debug, Clone, Copy)]
pub enum SqlType {
    /// Known at run time only.
    Unknown,
    /// A canonical type key.
    Fixed(&'static str),
    /// The type of a column.
    Of(SqlColumn),
    /// A typing rule of DataFusion's over the types of its arguments.
    Apply(SqlRule, &'static [SqlType]),
    /// The type all of these have: unknown unless all are known and equal.
    Same(&'static [SqlType]),
    /// This type key when the argument is a string, else unknown.
    IfString(&'static SqlType, &'static str),
}

/// A typing rule of DataFusion's (its aggregates', operators' and functions' return types) over
/// the types of the arguments; unknown when an argument is unknown or outside the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlRule {
    /// `SUM(x)`: `long` for signed integers, `ulong` for unsigned ones, `double` for floats.
    Sum,
    /// `AVG(x)`: `double` for integers and floats.
    Avg,
    /// `a + b`, `-`, `*`, `/`, `%` of two numbers: the same type when both have it, else the
    /// narrowest type holding both (DataFusion's numeric coercion: `int + long` is `long`,
    /// `float * long` is `float`, `uint + int` is `long`, `ulong + int` is `decimal(20)`).
    Arith,
    /// `-x`: a signed integer's or float's own type.
    Negate,
    /// `round(x[, n])`: an integer's own type, `float` for `float`, else `double`.
    Round,
    /// `floor`, `ceil`, `sqrt`, `ln`, `exp` and the other one-argument float functions:
    /// `float` for `float`, `double` for the other numbers.
    FloatMath,
    /// `concat(..)` and `||`: `str` when every argument is a number, a string, a bool or a
    /// date.
    Concat,
    /// `date_trunc(part, x)` over `x`: a timestamp's own type, `timestamp(ns)` for a date or a
    /// string.
    DateTrunc,
}

impl SqlRule {
    /// Every rule, in declaration order.
    pub const ALL: &'static [SqlRule] = &[
        SqlRule::Sum,
        SqlRule::Avg,
        SqlRule::Arith,
        SqlRule::Negate,
        SqlRule::Round,
        SqlRule::FloatMath,
        SqlRule::Concat,
        SqlRule::DateTrunc,
    ];

    /// The variant's name, as generated code spells it (`SqlRule::Arith`).
    pub const fn ident(self) -> &'static str {
        match self {
            SqlRule::Sum => "Sum",
            SqlRule::Avg => "Avg",
            SqlRule::Arith => "Arith",
            SqlRule::Negate => "Negate",
            SqlRule::Round => "Round",
            SqlRule::FloatMath => "FloatMath",
            SqlRule::Concat => "Concat",
            SqlRule::DateTrunc => "DateTrunc",
        }
    }
}

/// One item of the output.
#[derive(Debug, Clone, Copy)]
pub enum SqlOutput {
    /// Every column of a table.
    AllOf(usize),
    /// Every column of a table on the NULL side of an outer join (each may be NULL).
    AllOfOuter(usize),
    /// One column.
    Column {
        /// Its name.
        name: &'static str,
        /// Its type.
        ty: SqlType,
    },
}

/// The most tables one `sql` step reads with known schemas in one message.
const MAX_TABLES: usize = 16;

/// What a column reference resolves to.
#[derive(Debug, Clone, Copy)]
enum Found {
    /// Column `column` of table `table`, read from the NULL side of an outer join when
    /// `outer`.
    At {
        table: usize,
        column: usize,
        outer: bool,
    },
    /// In two tables of one level.
    Ambiguous(usize, usize),
    /// In no table; the tables of the innermost level (or the qualifier's) to name.
    Missing,
    /// Not decidable at compile time.
    Unknown,
}

const fn find(tables: &[&ConstSchema], column: &SqlColumn) -> Found {
    match column.resolve {
        SqlResolve::Of(t) | SqlResolve::OfOuter(t) => {
            if t >= tables.len() {
                return Found::Unknown;
            }
            match tables[t].lookup(column.name) {
                Lookup::Found(at) => Found::At {
                    table: t,
                    column: at,
                    outer: matches!(column.resolve, SqlResolve::OfOuter(_)),
                },
                Lookup::Missing => Found::Missing,
                Lookup::Unknown => Found::Unknown,
            }
        }
        SqlResolve::Levels(levels) => {
            let mut l = 0;
            while l < levels.len() {
                let level = &levels[l];
                // The table, column and position in the level of the first table having it.
                let mut first: Option<(usize, usize, usize)> = None;
                let mut open = level.open;
                let mut i = 0;
                while i < level.tables.len() {
                    let t = level.tables[i];
                    if t >= tables.len() {
                        open = true;
                    } else {
                        match tables[t].lookup(column.name) {
                            Lookup::Found(at) => match first {
                                None => first = Some((t, at, i)),
                                Some((f, _, _)) => {
                                    if !level.shared && f != t {
                                        return Found::Ambiguous(f, t);
                                    }
                                }
                            },
                            Lookup::Missing => {}
                            Lookup::Unknown => open = true,
                        }
                    }
                    i += 1;
                }
                if let Some((table, column, position)) = first {
                    // Found in one known table; a source not known here may have it too,
                    // which DataFusion reports as ambiguous: not decided here.
                    return if open {
                        Found::Unknown
                    } else {
                        Found::At {
                            table,
                            column,
                            outer: is_position(level.outer, position),
                        }
                    };
                }
                if open {
                    return Found::Unknown;
                }
                l += 1;
            }
            Found::Missing
        }
    }
}

const fn is_position(positions: &[usize], position: usize) -> bool {
    let mut i = 0;
    while i < positions.len() {
        if positions[i] == position {
            return true;
        }
        i += 1;
    }
    false
}

/// The tables a message about `column` names: the qualifier's, or the innermost level's.
const fn named_tables<'a>(
    names: &[&'a str],
    tables: &[&'a ConstSchema],
    column: &SqlColumn,
    out: &mut [Input<'a, 'static>; MAX_TABLES],
) -> usize {
    let mut n = 0;
    match column.resolve {
        SqlResolve::Of(t) | SqlResolve::OfOuter(t) => {
            if t < tables.len() && t < names.len() {
                out[0] = tables[t].input(names[t]);
                n = 1;
            }
        }
        SqlResolve::Levels(levels) => {
            if !levels.is_empty() {
                let level = &levels[0];
                let mut i = 0;
                while i < level.tables.len() && n < MAX_TABLES {
                    let t = level.tables[i];
                    if t < tables.len() && t < names.len() {
                        // A table read twice is named once.
                        let mut seen = false;
                        let mut j = 0;
                        while j < n {
                            if str_eq(out[j].name, names[t]) {
                                seen = true;
                            }
                            j += 1;
                        }
                        if !seen {
                            out[n] = tables[t].input(names[t]);
                            n += 1;
                        }
                    }
                    i += 1;
                }
            }
        }
    }
    n
}

/// A column reference of the `sql` step `step` (its tables `names`, with schemas `tables`)
/// must resolve: a column of its table, of exactly one table of its query (or of a query
/// around it), never missing or ambiguous. `at` shows where it is written (the macro's
/// pointer into the SQL).
pub const fn check_sql_column(
    step: &super::Step,
    names: &[&str],
    tables: &[&ConstSchema],
    column: &SqlColumn,
    at: &str,
) -> Result<(), Message> {
    let mut m = Message::new();
    match find(tables, column) {
        Found::At { .. } | Found::Unknown => return Ok(()),
        Found::Ambiguous(a, b) => {
            write_head(&mut m, step);
            m.push("column ");
            m.push_ticked(column.name);
            m.push(" is ambiguous: both ");
            m.push_ticked(names[a]);
            m.push(" and ");
            m.push_ticked(names[b]);
            m.push(" have it");
            describe(&mut m, &tables[a].input(names[a]));
            describe(&mut m, &tables[b].input(names[b]));
            m.push("; help: qualify it with its table or alias (`");
            m.push(names[a]);
            m.push_byte(b'.');
            m.push(column.name);
            m.push("`)");
        }
        Found::Missing => {
            write_head(&mut m, step);
            let mut buf = [Input {
                name: "",
                cols: &[],
            }; MAX_TABLES];
            let n = named_tables(names, tables, column, &mut buf);
            let named = buf.split_at(n).0;
            m.push("column ");
            m.push_ticked(column.name);
            if n == 0 {
                m.push(" is not a column of any table: the query has no `FROM`");
            } else {
                m.push(" is not a column of ");
                let mut i = 0;
                while i < n {
                    if i > 0 {
                        m.push(if i + 1 == n { " or " } else { ", " });
                    }
                    m.push_ticked(named[i].name);
                    i += 1;
                }
                let mut i = 0;
                while i < n {
                    describe(&mut m, &named[i]);
                    i += 1;
                }
                // The closest name of all the tables named.
                let mut search = Suggestion::new(column.name);
                let mut best: &str = "";
                let mut k = 0;
                let mut i = 0;
                while i < n {
                    let mut c = 0;
                    while c < named[i].cols.len() {
                        search.offer(named[i].cols[c].name, k);
                        if let Some(p) = search.position()
                            && p == k
                        {
                            best = named[i].cols[c].name;
                        }
                        k += 1;
                        c += 1;
                    }
                    i += 1;
                }
                if search.position().is_some() {
                    m.push("; help: did you mean ");
                    m.push_ticked(best);
                    m.push_byte(b'?');
                }
            }
        }
    }
    m.push("\n");
    m.push(at);
    Err(m)
}

/// The canonical key of a type, when it is a plain one.
const fn plain_key(ty: &Ty<'static>) -> Option<&'static str> {
    match ty {
        Ty::Key(k) => Some(k),
        Ty::Const(ConstType::Expr(k)) => Some(k),
        _ => None,
    }
}

const fn is_one_of(key: &str, keys: &[&str]) -> bool {
    let mut i = 0;
    while i < keys.len() {
        if str_eq(key, keys[i]) {
            return true;
        }
        i += 1;
    }
    false
}

const SIGNED: &[&str] = &["byte", "short", "int", "long"];
const UNSIGNED: &[&str] = &["ubyte", "ushort", "uint", "ulong"];
const FLOATS: &[&str] = &["float", "double"];

/// The type of an output column; `None` when the reference it needs does not resolve (the
/// check reports it).
const fn output_type(tables: &[&ConstSchema], ty: &SqlType) -> Option<Ty<'static>> {
    let column = match ty {
        SqlType::Unknown => return Some(Ty::Unknown),
        SqlType::Fixed(k) => return Some(Ty::Key(k)),
        SqlType::Same(list) => {
            let mut common: Option<&'static str> = None;
            let mut known = true;
            let mut i = 0;
            while i < list.len() {
                let Some(t) = output_type(tables, &list[i]) else {
                    return None;
                };
                match plain_key(&t) {
                    Some(k) => match common {
                        None => common = Some(k),
                        Some(c) => {
                            if !str_eq(c, k) {
                                known = false;
                            }
                        }
                    },
                    None => known = false,
                }
                i += 1;
            }
            return Some(match common {
                Some(k) if known => Ty::Key(k),
                _ => Ty::Unknown,
            });
        }
        SqlType::IfString(arg, then) => {
            let Some(t) = output_type(tables, arg) else {
                return None;
            };
            return Some(match plain_key(&t) {
                Some(k) if str_eq(k, "str") => Ty::Key(then),
                _ => Ty::Unknown,
            });
        }
        SqlType::Of(c) => c,
        SqlType::Apply(rule, args) => return apply(tables, *rule, args),
    };
    Some(match find(tables, column) {
        Found::At { table, column, .. } => match tables[table].column_at(column) {
            Some(col) => col.ty,
            None => Ty::Unknown,
        },
        Found::Unknown => Ty::Unknown,
        Found::Missing | Found::Ambiguous(..) => return None,
    })
}

/// The most arguments a rule types (more: unknown).
const MAX_ARGS: usize = 8;

/// The type `rule` gives over `args`; `None` when a reference of an argument does not resolve.
const fn apply(tables: &[&ConstSchema], rule: SqlRule, args: &[SqlType]) -> Option<Ty<'static>> {
    let mut keys: [&'static str; MAX_ARGS] = [""; MAX_ARGS];
    let mut known = args.len() <= MAX_ARGS && !args.is_empty();
    let mut i = 0;
    while i < args.len() {
        // Every argument is resolved (its reference checked) even when the result is unknown.
        let Some(t) = output_type(tables, &args[i]) else {
            return None;
        };
        match plain_key(&t) {
            Some(k) if i < MAX_ARGS => keys[i] = k,
            _ => known = false,
        }
        i += 1;
    }
    if !known {
        return Some(Ty::Unknown);
    }
    let a = keys[0];
    let out = match rule {
        SqlRule::Sum => {
            if is_one_of(a, SIGNED) {
                Some("long")
            } else if is_one_of(a, UNSIGNED) {
                Some("ulong")
            } else if is_one_of(a, FLOATS) {
                Some("double")
            } else {
                None
            }
        }
        SqlRule::Avg => {
            if is_number(a) {
                Some("double")
            } else {
                None
            }
        }
        SqlRule::Arith => {
            if args.len() == 2 {
                numeric_coercion(a, keys[1])
            } else {
                None
            }
        }
        SqlRule::Negate => {
            if is_one_of(a, SIGNED) || is_one_of(a, FLOATS) {
                Some(a)
            } else {
                None
            }
        }
        SqlRule::Round => {
            if is_one_of(a, SIGNED) || is_one_of(a, UNSIGNED) || str_eq(a, "float") {
                Some(a)
            } else if str_eq(a, "double") {
                Some("double")
            } else {
                None
            }
        }
        SqlRule::FloatMath => {
            if str_eq(a, "float") {
                Some("float")
            } else if is_number(a) {
                Some("double")
            } else {
                None
            }
        }
        SqlRule::Concat => {
            let mut all = true;
            let mut i = 0;
            while i < args.len() {
                let k = keys[i];
                if !(is_number(k) || is_one_of(k, &["str", "bool", "date"])) {
                    all = false;
                }
                i += 1;
            }
            if all { Some("str") } else { None }
        }
        SqlRule::DateTrunc => {
            if str_eq(a, "datetime") || starts_with(a, "timestamp(") {
                Some(a)
            } else if is_one_of(a, &["date", "str"]) {
                Some("timestamp(ns)")
            } else {
                None
            }
        }
    };
    Some(match out {
        Some(k) => Ty::Key(k),
        None => Ty::Unknown,
    })
}

const fn is_number(key: &str) -> bool {
    is_one_of(key, SIGNED) || is_one_of(key, UNSIGNED) || is_one_of(key, FLOATS)
}

const fn starts_with(text: &str, prefix: &str) -> bool {
    let (t, p) = (text.as_bytes(), prefix.as_bytes());
    if t.len() < p.len() {
        return false;
    }
    let mut i = 0;
    while i < p.len() {
        if t[i] != p[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// DataFusion's type of arithmetic over numbers `a` and `b` (its `numerical_coercion`, after
/// Arrow's kernels give a type its own): the narrowest type holding both.
const fn numeric_coercion(a: &'static str, b: &'static str) -> Option<&'static str> {
    if !is_number(a) || !is_number(b) {
        return None;
    }
    if str_eq(a, b) {
        return Some(a);
    }
    const fn either(a: &str, b: &str, k: &str) -> bool {
        str_eq(a, k) || str_eq(b, k)
    }
    const fn pair(a: &str, b: &str, x: &str, ys: &[&str]) -> bool {
        (str_eq(a, x) && is_one_of(b, ys)) || (str_eq(b, x) && is_one_of(a, ys))
    }
    Some(if either(a, b, "double") {
        "double"
    } else if either(a, b, "float") {
        "float"
    } else if pair(a, b, "ulong", SIGNED) {
        "decimal(20)"
    } else if either(a, b, "ulong") {
        "ulong"
    } else if either(a, b, "long") || pair(a, b, "uint", &["int", "short", "byte"]) {
        "long"
    } else if either(a, b, "uint") {
        "uint"
    } else if either(a, b, "int") || pair(a, b, "ushort", &["short", "byte"]) {
        "int"
    } else if either(a, b, "ushort") {
        "ushort"
    } else if either(a, b, "short") || pair(a, b, "byte", &["ubyte"]) {
        "short"
    } else if either(a, b, "byte") {
        "byte"
    } else {
        "ubyte"
    })
}

/// The nullability of a column copied from one of nullability `source`, read from the NULL
/// side of an outer join when `outer`.
const fn copied_null(source: Nullability, outer: bool) -> Nullability {
    if outer || matches!(source, Nullability::Nullable) {
        Nullability::Nullable
    } else {
        Nullability::Unspecified
    }
}

/// The nullability of an output column of rule `ty`: a column reference copies its column's
/// ([`copied_null`]); an expression is not declared.
const fn output_null(tables: &[&ConstSchema], ty: &SqlType) -> Nullability {
    let SqlType::Of(column) = ty else {
        return Nullability::Unspecified;
    };
    match find(tables, column) {
        Found::At {
            table,
            column,
            outer,
        } => match tables[table].column_at(column) {
            Some(col) => copied_null(col.null, outer),
            None => Nullability::Unspecified,
        },
        _ => Nullability::Unspecified,
    }
}

impl ConstSchema {
    /// This schema with the columns `names` typed by the rules `types` over `input` (the
    /// expressions of `assign` or `aggregate`, read by the macro): a rule that cannot type its
    /// column leaves it unknown.
    pub const fn typed(
        self,
        names: &[&'static str],
        types: &[SqlType],
        input: &ConstSchema,
    ) -> ConstSchema {
        if !self.is_known() {
            return self;
        }
        let mut cols = [Col::NONE; MAX_COLUMNS];
        let own = self.cols();
        let mut i = 0;
        while i < own.len() {
            cols[i] = own[i];
            let mut j = 0;
            while j < names.len() && j < types.len() {
                if str_eq(own[i].name, names[j])
                    && let Some(ty) = output_type(&[input], &types[j])
                {
                    cols[i].ty = ty;
                }
                j += 1;
            }
            i += 1;
        }
        ConstSchema::from_columns(cols.split_at(own.len()).0)
    }

    /// The output schema of a `sql` step over `tables` (its steps' schemas, in the order the
    /// macro numbered them): the items of `output`. A column copied from a column that may be
    /// NULL, or read from the NULL side of an outer join, may be NULL
    /// ([`Nullability::Nullable`], as DataFusion plans it); every other column is not declared
    /// ([`Nullability::Unspecified`]: checked row by row where a field is not an `Option`).
    /// Unknown when a table it copies is unknown, a reference does not resolve (the check says
    /// why), two outputs share a name, or it is too wide.
    pub const fn sql(tables: &[&ConstSchema], output: &[SqlOutput]) -> ConstSchema {
        let mut cols = [Col::NONE; MAX_COLUMNS];
        let mut n = 0;
        let mut i = 0;
        while i < output.len() {
            match output[i] {
                SqlOutput::AllOf(t) | SqlOutput::AllOfOuter(t) => {
                    if t >= tables.len() || !tables[t].is_known() {
                        return ConstSchema::UNKNOWN;
                    }
                    let outer = matches!(output[i], SqlOutput::AllOfOuter(_));
                    let from = tables[t].cols();
                    let mut c = 0;
                    while c < from.len() {
                        if n == MAX_COLUMNS {
                            return ConstSchema::UNKNOWN;
                        }
                        let null = copied_null(from[c].null, outer);
                        cols[n] = Col::new(from[c].name, from[c].ty, null, n);
                        n += 1;
                        c += 1;
                    }
                }
                SqlOutput::Column { name, ty: ty_rule } => {
                    let Some(ty) = output_type(tables, &ty_rule) else {
                        return ConstSchema::UNKNOWN;
                    };
                    if n == MAX_COLUMNS {
                        return ConstSchema::UNKNOWN;
                    }
                    cols[n] = Col::new(name, ty, output_null(tables, &ty_rule), n);
                    n += 1;
                }
            }
            i += 1;
        }
        // Two outputs of one name: the engines reject the frame; unknown here.
        let mut a = 0;
        while a < n {
            let mut b = a + 1;
            while b < n {
                if str_eq(cols[a].name, cols[b].name) {
                    return ConstSchema::UNKNOWN;
                }
                b += 1;
            }
            a += 1;
        }
        ConstSchema::from_columns(cols.split_at(n).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ConstColumn;

    const TRIP: &[ConstColumn] = &[
        ConstColumn {
            name: "city",
            ty: ConstType::Expr("str"),
            nullable: false,
        },
        ConstColumn {
            name: "fare",
            ty: ConstType::Expr("int"),
            nullable: true,
        },
    ];
    const ZONE: &[ConstColumn] = &[
        ConstColumn {
            name: "city",
            ty: ConstType::Expr("str"),
            nullable: false,
        },
        ConstColumn {
            name: "pop",
            ty: ConstType::Expr("long"),
            nullable: false,
        },
    ];
    const TRIPS: ConstSchema = ConstSchema::of_columns(TRIP);
    const ZONES: ConstSchema = ConstSchema::of_columns(ZONE);
    const STEP: super::super::Step = super::super::Step {
        name: "top",
        call: "sql(\"SELECT ..\")",
    };
    const BOTH: &[SqlLevel] = &[SqlLevel {
        tables: &[0, 1],
        open: false,
        shared: false,
        outer: &[],
    }];

    fn check(column: &SqlColumn) -> Result<(), String> {
        check_sql_column(
            &STEP,
            &["trips", "zones"],
            &[&TRIPS, &ZONES],
            column,
            "HERE",
        )
        .map_err(|m| m.as_str().to_string())
    }

    #[test]
    fn references_resolve_like_datafusion() {
        let col = |name, resolve| SqlColumn { name, resolve };
        assert!(check(&col("fare", SqlResolve::Levels(BOTH))).is_ok());
        assert!(check(&col("city", SqlResolve::Of(1))).is_ok());
        let e = check(&col("city", SqlResolve::Levels(BOTH))).unwrap_err();
        assert_eq!(
            e,
            "step `top` (`sql(\"SELECT ..\")`): column `city` is ambiguous: both `trips` and \
             `zones` have it; `trips` is `city:str,fare:int`; `zones` is `city:str,pop:long`; \
             help: qualify it with its table or alias (`trips.city`)\nHERE"
        );
        let e = check(&col("popp", SqlResolve::Levels(BOTH))).unwrap_err();
        assert!(
            e.contains("column `popp` is not a column of `trips` or `zones`; `trips` is")
                && e.contains("help: did you mean `pop`?\nHERE"),
            "{e}"
        );
        let e = check(&col("fair", SqlResolve::Of(0))).unwrap_err();
        assert!(e.contains("not a column of `trips`; `trips` is `city:str,fare:int`; help: did you mean `fare`?"), "{e}");
        // Shared by USING, or a level with an unknown source: not an error.
        let shared = &[SqlLevel {
            tables: &[0, 1],
            open: false,
            shared: true,
            outer: &[],
        }];
        assert!(check(&col("city", SqlResolve::Levels(shared))).is_ok());
        let open = &[SqlLevel {
            tables: &[0],
            open: true,
            shared: false,
            outer: &[],
        }];
        assert!(check(&col("nope", SqlResolve::Levels(open))).is_ok());
        // Outer levels are searched when the inner one lacks it.
        let nested = &[
            SqlLevel {
                tables: &[1],
                open: false,
                shared: false,
                outer: &[],
            },
            SqlLevel {
                tables: &[0],
                open: false,
                shared: false,
                outer: &[],
            },
        ];
        assert!(check(&col("fare", SqlResolve::Levels(nested))).is_ok());
        assert!(
            check(&col("nope", SqlResolve::Levels(nested)))
                .unwrap_err()
                .contains("not a column of `zones`")
        );
        // An unknown schema passes.
        let unknown = check_sql_column(
            &STEP,
            &["t"],
            &[&ConstSchema::UNKNOWN],
            &col("x", SqlResolve::Of(0)),
            "",
        );
        assert!(unknown.is_ok());
    }

    fn text(schema: &ConstSchema) -> String {
        schema.to_string()
    }

    #[test]
    fn output_schemas() {
        const FARE: SqlColumn = SqlColumn {
            name: "fare",
            resolve: SqlResolve::Levels(BOTH),
        };
        const OUT: ConstSchema = ConstSchema::sql(
            &[&TRIPS, &ZONES],
            &[
                SqlOutput::AllOf(1),
                SqlOutput::Column {
                    name: "total",
                    ty: SqlType::Apply(SqlRule::Sum, &[SqlType::Of(FARE)]),
                },
                SqlOutput::Column {
                    name: "mean",
                    ty: SqlType::Apply(SqlRule::Avg, &[SqlType::Of(FARE)]),
                },
                SqlOutput::Column {
                    name: "top",
                    ty: SqlType::Of(FARE),
                },
                SqlOutput::Column {
                    name: "n",
                    ty: SqlType::Fixed("long"),
                },
                SqlOutput::Column {
                    name: "x",
                    ty: SqlType::Unknown,
                },
            ],
        );
        assert_eq!(
            text(&OUT),
            "city:str,pop:long,total:long,mean:double,top:int,n:long,x:?"
        );
        assert_eq!(
            OUT.column_at(0).map(|c| c.null),
            Some(Nullability::Unspecified)
        );
        let dup = ConstSchema::sql(&[&TRIPS], &[SqlOutput::AllOf(0), SqlOutput::AllOf(0)]);
        assert!(!dup.is_known());
        let missing = SqlColumn {
            name: "nope",
            resolve: SqlResolve::Of(0),
        };
        let bad = ConstSchema::sql(
            &[&TRIPS],
            &[SqlOutput::Column {
                name: "a",
                ty: SqlType::Of(missing),
            }],
        );
        assert!(!bad.is_known());
        assert!(!ConstSchema::sql(&[&ConstSchema::UNKNOWN], &[SqlOutput::AllOf(0)]).is_known());
    }

    /// The type of `rule` over columns of these types.
    fn rule_type(rule: SqlRule, keys: &[&'static str]) -> String {
        let cols: Vec<ConstColumn> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| ConstColumn {
                name: ["a", "b", "c"][i],
                ty: ConstType::Expr(k),
                nullable: false,
            })
            .collect();
        let table = ConstSchema::of_columns(Box::leak(cols.into_boxed_slice()));
        let args: Vec<SqlType> = (0..keys.len())
            .map(|i| {
                SqlType::Of(SqlColumn {
                    name: ["a", "b", "c"][i],
                    resolve: SqlResolve::Of(0),
                })
            })
            .collect();
        let args: &'static [SqlType] = Box::leak(args.into_boxed_slice());
        let out = ConstSchema::sql(
            &[&table],
            &[SqlOutput::Column {
                name: "v",
                ty: SqlType::Apply(rule, args),
            }],
        );
        text(&out).trim_start_matches("v:").to_string()
    }

    #[test]
    fn rules_follow_datafusions_return_types() {
        use SqlRule::*;
        let cases: &[(SqlRule, &[&str], &str)] = &[
            (Arith, &["int", "int"], "int"),
            (Arith, &["int", "long"], "long"),
            (Arith, &["short", "byte"], "short"),
            (Arith, &["float", "long"], "float"),
            (Arith, &["float", "double"], "double"),
            (Arith, &["uint", "int"], "long"),
            (Arith, &["ushort", "byte"], "int"),
            (Arith, &["ulong", "int"], "decimal(20)"),
            (Arith, &["ulong", "ubyte"], "ulong"),
            (Arith, &["ubyte", "byte"], "short"),
            (Arith, &["str", "int"], "?"),
            (Arith, &["date", "long"], "?"),
            (Negate, &["int"], "int"),
            (Negate, &["uint"], "?"),
            (Sum, &["short"], "long"),
            (Sum, &["ubyte"], "ulong"),
            (Sum, &["float"], "double"),
            (Sum, &["str"], "?"),
            (Avg, &["int"], "double"),
            (Round, &["int"], "int"),
            (Round, &["float"], "float"),
            (Round, &["double"], "double"),
            (Round, &["decimal(10,2)"], "?"),
            (FloatMath, &["float"], "float"),
            (FloatMath, &["int"], "double"),
            (FloatMath, &["str"], "?"),
            (Concat, &["str", "int", "date"], "str"),
            (Concat, &["str", "bytes"], "?"),
            (DateTrunc, &["timestamp(ms)"], "timestamp(ms)"),
            (DateTrunc, &["datetime"], "datetime"),
            (DateTrunc, &["date"], "timestamp(ns)"),
            (DateTrunc, &["int"], "?"),
        ];
        for (rule, keys, want) in cases {
            assert_eq!(rule_type(*rule, keys), *want, "{rule:?} over {keys:?}");
        }
        assert_eq!(SqlRule::ALL.len(), 8);
        assert!(SqlRule::ALL.iter().all(|r| format!("{r:?}") == r.ident()));
    }

    #[test]
    fn the_null_side_of_an_outer_join_may_be_null() {
        // `trips LEFT JOIN zones`: zones (position 1 of the level) is on the NULL side.
        const LEFT: &[SqlLevel] = &[SqlLevel {
            tables: &[0, 1],
            open: false,
            shared: false,
            outer: &[1],
        }];
        let col = |name, resolve| SqlType::Of(SqlColumn { name, resolve });
        let out = ConstSchema::sql(
            &[&TRIPS, &ZONES],
            &[
                SqlOutput::Column {
                    name: "fare",
                    ty: col("fare", SqlResolve::Levels(LEFT)),
                },
                SqlOutput::Column {
                    name: "pop",
                    ty: col("pop", SqlResolve::Levels(LEFT)),
                },
                SqlOutput::Column {
                    name: "city",
                    ty: col("city", SqlResolve::OfOuter(1)),
                },
                SqlOutput::Column {
                    name: "c2",
                    ty: col("city", SqlResolve::Of(0)),
                },
            ],
        );
        let nulls: Vec<_> = (0..4).map(|i| out.column_at(i).map(|c| c.null)).collect();
        use Nullability::*;
        // `fare` is an `Option` field of trips, `city` of trips is not.
        assert_eq!(
            nulls,
            [
                Some(Nullable),
                Some(Nullable),
                Some(Nullable),
                Some(Unspecified)
            ]
        );
        let all = ConstSchema::sql(
            &[&TRIPS, &ZONES],
            &[SqlOutput::AllOf(0), SqlOutput::AllOfOuter(1)],
        );
        assert!(!all.is_known(), "two `city` columns");
        let all = ConstSchema::sql(&[&ZONES, &TRIPS], &[SqlOutput::AllOfOuter(0)]);
        let nulls: Vec<_> = (0..2).map(|i| all.column_at(i).map(|c| c.null)).collect();
        assert_eq!(nulls, [Some(Nullable), Some(Nullable)]);
        let all = ConstSchema::sql(&[&TRIPS], &[SqlOutput::AllOf(0)]);
        let nulls: Vec<_> = (0..2).map(|i| all.column_at(i).map(|c| c.null)).collect();
        assert_eq!(nulls, [Some(Unspecified), Some(Nullable)]);
    }
}
