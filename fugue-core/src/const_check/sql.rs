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
}

/// Where a column reference may be.
#[derive(Debug, Clone, Copy)]
pub enum SqlResolve {
    /// Qualified: a column of this table.
    Of(usize),
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
    /// The type of `SUM(column)`.
    Sum(SqlColumn),
    /// The type of `AVG(column)`.
    Avg(SqlColumn),
    /// The type all of these have: unknown unless all are known and equal.
    Same(&'static [SqlType]),
    /// This type key when the argument is a string, else unknown.
    IfString(&'static SqlType, &'static str),
}

/// One item of the output.
#[derive(Debug, Clone, Copy)]
pub enum SqlOutput {
    /// Every column of a table.
    AllOf(usize),
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
    /// Column `column` of table `table`.
    At { table: usize, column: usize },
    /// In two tables of one level.
    Ambiguous(usize, usize),
    /// In no table; the tables of the innermost level (or the qualifier's) to name.
    Missing,
    /// Not decidable at compile time.
    Unknown,
}

const fn find(tables: &[&ConstSchema], column: &SqlColumn) -> Found {
    match column.resolve {
        SqlResolve::Of(t) => {
            if t >= tables.len() {
                return Found::Unknown;
            }
            match tables[t].lookup(column.name) {
                Lookup::Found(at) => Found::At {
                    table: t,
                    column: at,
                },
                Lookup::Missing => Found::Missing,
                Lookup::Unknown => Found::Unknown,
            }
        }
        SqlResolve::Levels(levels) => {
            let mut l = 0;
            while l < levels.len() {
                let level = &levels[l];
                let mut first: Option<(usize, usize)> = None;
                let mut open = level.open;
                let mut i = 0;
                while i < level.tables.len() {
                    let t = level.tables[i];
                    if t >= tables.len() {
                        open = true;
                    } else {
                        match tables[t].lookup(column.name) {
                            Lookup::Found(at) => match first {
                                None => first = Some((t, at)),
                                Some((f, _)) => {
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
                if let Some((table, column)) = first {
                    // Found in one known table; a source not known here may have it too,
                    // which DataFusion reports as ambiguous: not decided here.
                    return if open {
                        Found::Unknown
                    } else {
                        Found::At { table, column }
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

/// The tables a message about `column` names: the qualifier's, or the innermost level's.
const fn named_tables<'a>(
    names: &[&'a str],
    tables: &[&'a ConstSchema],
    column: &SqlColumn,
    out: &mut [Input<'a, 'static>; MAX_TABLES],
) -> usize {
    let mut n = 0;
    match column.resolve {
        SqlResolve::Of(t) => {
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
    let (column, rule) = match ty {
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
        SqlType::Of(c) => (c, 0),
        SqlType::Sum(c) => (c, 1),
        SqlType::Avg(c) => (c, 2),
    };
    let source = match find(tables, column) {
        Found::At { table, column } => match tables[table].column_at(column) {
            Some(col) => col.ty,
            None => return Some(Ty::Unknown),
        },
        Found::Unknown => return Some(Ty::Unknown),
        Found::Missing | Found::Ambiguous(..) => return None,
    };
    if rule == 0 {
        return Some(source);
    }
    let Some(key) = plain_key(&source) else {
        return Some(Ty::Unknown);
    };
    let out = if rule == 1 && is_one_of(key, SIGNED) {
        "long"
    } else if rule == 1 && is_one_of(key, UNSIGNED) {
        "ulong"
    } else if is_one_of(key, FLOATS)
        || (rule == 2 && (is_one_of(key, SIGNED) || is_one_of(key, UNSIGNED)))
    {
        "double"
    } else {
        return Some(Ty::Unknown);
    };
    Some(Ty::Key(out))
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
    /// macro numbered them): the items of `output`, every column nullable as the engines
    /// return SQL results ([`Nullability::Unspecified`]: checked row by row where a field is
    /// not an `Option`). Unknown when a table it copies is unknown, a reference does not
    /// resolve (the check says why), two outputs share a name, or it is too wide.
    pub const fn sql(tables: &[&ConstSchema], output: &[SqlOutput]) -> ConstSchema {
        let mut cols = [Col::NONE; MAX_COLUMNS];
        let mut n = 0;
        let mut i = 0;
        while i < output.len() {
            match output[i] {
                SqlOutput::AllOf(t) => {
                    if t >= tables.len() || !tables[t].is_known() {
                        return ConstSchema::UNKNOWN;
                    }
                    let from = tables[t].cols();
                    let mut c = 0;
                    while c < from.len() {
                        if n == MAX_COLUMNS {
                            return ConstSchema::UNKNOWN;
                        }
                        cols[n] = Col::new(from[c].name, from[c].ty, Nullability::Unspecified, n);
                        n += 1;
                        c += 1;
                    }
                }
                SqlOutput::Column { name, ty } => {
                    let Some(ty) = output_type(tables, &ty) else {
                        return ConstSchema::UNKNOWN;
                    };
                    if n == MAX_COLUMNS {
                        return ConstSchema::UNKNOWN;
                    }
                    cols[n] = Col::new(name, ty, Nullability::Unspecified, n);
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
        }];
        assert!(check(&col("city", SqlResolve::Levels(shared))).is_ok());
        let open = &[SqlLevel {
            tables: &[0],
            open: true,
            shared: false,
        }];
        assert!(check(&col("nope", SqlResolve::Levels(open))).is_ok());
        // Outer levels are searched when the inner one lacks it.
        let nested = &[
            SqlLevel {
                tables: &[1],
                open: false,
                shared: false,
            },
            SqlLevel {
                tables: &[0],
                open: false,
                shared: false,
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
        let mut m = Message::new();
        schema.write(&mut m);
        m.to_string()
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
                    ty: SqlType::Sum(FARE),
                },
                SqlOutput::Column {
                    name: "mean",
                    ty: SqlType::Avg(FARE),
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
}
