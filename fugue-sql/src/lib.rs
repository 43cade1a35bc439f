//! The SQL of a `workflow!` `sql` step, read when the macro expands: which steps it names as
//! tables, every column reference with the tables it may belong to, and, for the SQL written
//! every day, its output columns as rules over the tables' columns. The macro turns the result
//! into const checks and a const output schema that rustc evaluates against the steps' schemas
//! (`fugue_core::const_check::sql`); the tests call the same functions and compare with
//! DataFusion's planner.
//!
//! Parsing is sqlparser's, the version and dialect DataFusion 55 plans with (generic), so a
//! statement reads here as it plans there. Names follow DataFusion's resolution: unquoted
//! identifiers are lower-cased (table names included), quoted ones kept; an alias hides the
//! table's own name; an unqualified column is looked up in the innermost query first, and is
//! ambiguous when two of its tables have it (the columns of `USING` and `NATURAL` joins
//! excepted); output aliases may be used in `GROUP BY`, `HAVING`, `QUALIFY` and `ORDER BY`.
//!
//! Whatever this reader does not know (a construct it does not model, a subquery's columns, a
//! table function) is *open*: no check is emitted that could depend on it, and an output it
//! cannot type is unknown. It never reports a mistake DataFusion would accept.
//!
//! ```
//! let sql = "SELECT t.city, count(*) AS trips FROM trips t WHERE fare > 0 GROUP BY t.city";
//! let a = fugue_sql::analyze(sql).unwrap();
//! assert_eq!(a.tables[0].name, "trips");
//! let names: Vec<&str> = a.columns.iter().map(|c| c.name.as_str()).collect();
//! assert_eq!(names, ["city", "fare", "city"]);
//! assert_eq!(a.output.unwrap().len(), 2);
//! ```

use arrow_schema::{DataType, TimeUnit};
use fugue_core::const_check::sql::SqlRule;
use fugue_core::options::JoinKind;
use sqlparser::ast::{
    BinaryOperator, CeilFloorKind, DateTimeField, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, GroupByExpr, Ident, JoinConstraint, JoinOperator, ObjectName,
    ObjectNamePart, OrderByKind, Query, Select, SelectItem, SelectItemQualifiedWildcardKind,
    SetExpr, SetOperator, SetQuantifier, Statement, TableFactor, TableWithJoins, UnaryOperator,
    Value, WildcardAdditionalOptions, WindowType,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// Where something is in the SQL text: in characters from the start, and as a line and a
/// column (both from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// Characters before it.
    pub offset: usize,
    /// Its length in characters (at least 1).
    pub len: usize,
    /// Its line, from 1.
    pub line: usize,
    /// Its column in that line, in characters from 1.
    pub column: usize,
}

/// A step the SQL reads as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableUse {
    /// The step's name, as DataFusion resolves the table name (unquoted: lower-cased).
    pub name: String,
    /// Its first use.
    pub at: Pos,
}

/// One level of name resolution for an unqualified column: the tables of one query's `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// The steps (indexes into [`Analysis::tables`]) whose columns are visible at this level.
    pub tables: Vec<usize>,
    /// Whether the level also has sources whose columns are not known here (a subquery, a
    /// common table expression, a table function): a column not found in `tables` may be
    /// one of theirs.
    pub open: bool,
    /// Whether a column found in two of `tables` is not ambiguous (a `NATURAL` join, or the
    /// column is one of a `USING` join's).
    pub shared: bool,
    /// The positions in `tables` of the sources on the NULL side of an outer join.
    pub outer: Vec<usize>,
}

/// How a column reference resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolve {
    /// Qualified by a step's table (its name or alias): a column of that step (an index into
    /// [`Analysis::tables`]).
    Of(usize),
    /// As [`Resolve::Of`], qualified by a source on the NULL side of an outer join (the right
    /// of a `LEFT JOIN`, the left of a `RIGHT JOIN`, both of a `FULL JOIN`).
    OfOuter(usize),
    /// Unqualified: the levels to search, innermost first. Found at a level in one table, it
    /// is that table's; in two, ambiguous (unless [`Level::shared`]); in none of a level that
    /// is not open, the search goes on outwards; not found anywhere, it is missing.
    Levels(Vec<Level>),
}

/// A column reference the checks verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnUse {
    /// The column's name, as DataFusion resolves it.
    pub name: String,
    /// Where it is written.
    pub at: Pos,
    /// Where it may be.
    pub resolve: Resolve,
}

/// The type of an output column, as a rule over the tables' columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRule {
    /// Not known at compile time.
    Unknown,
    /// This type (a canonical type key of `fugue_core::types::type_key`).
    Fixed(String),
    /// The type of a column (`x`, `MIN(x)`, `MAX(x)`).
    Of(ColumnUse),
    /// A rule over the types of arguments (`SUM(x)`, `a * b`, `round(x)`, ...).
    Apply {
        /// The rule.
        rule: SqlRule,
        /// Its arguments' types.
        args: Vec<TypeRule>,
    },
    /// The type every one of these has (`COALESCE`, `CASE`, `MIN`/`MAX` of an expression):
    /// unknown unless all are known and equal.
    Same(Vec<TypeRule>),
    /// The type `then` (a canonical type key) when `arg` is a string (`str`), else unknown
    /// (`lower(x)`, `length(x)`).
    IfString {
        /// The argument's type.
        arg: Box<TypeRule>,
        /// The result's type.
        then: String,
    },
}

impl TypeRule {
    fn apply(rule: SqlRule, args: Vec<TypeRule>) -> TypeRule {
        TypeRule::Apply { rule, args }
    }

    /// This rule with `f` applied to each column it reads.
    fn map_columns(self, f: &impl Fn(ColumnUse) -> ColumnUse) -> TypeRule {
        let all = |rules: Vec<TypeRule>| rules.into_iter().map(|r| r.map_columns(f)).collect();
        match self {
            TypeRule::Of(c) => TypeRule::Of(f(c)),
            TypeRule::Apply { rule, args } => TypeRule::Apply {
                rule,
                args: all(args),
            },
            TypeRule::Same(rules) => TypeRule::Same(all(rules)),
            TypeRule::IfString { arg, then } => TypeRule::IfString {
                arg: Box::new(arg.map_columns(f)),
                then,
            },
            other @ (TypeRule::Unknown | TypeRule::Fixed(_)) => other,
        }
    }
}

/// One item of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The columns of a step, in order (`*`, `t.*`).
    AllOf(usize),
    /// The columns of a step on the NULL side of an outer join (each may be NULL).
    AllOfOuter(usize),
    /// A column named `name` typed by `ty`.
    Column {
        /// The output name.
        name: String,
        /// Its type.
        ty: TypeRule,
    },
}

/// What the SQL of a `sql` step reads and gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The steps it reads, each once, in order of first use.
    pub tables: Vec<TableUse>,
    /// Every column reference that can be checked, in order.
    pub columns: Vec<ColumnUse>,
    /// The output columns, or `None` when they are known only once DataFusion plans the
    /// statement (an expression without an alias, a set operation, a table function).
    pub output: Option<Vec<Output>>,
    /// The subqueries in `FROM` and the common table expressions whose output columns are
    /// known, in order: table `tables.len() + j` is `derived[j]`, whose items refer only to
    /// the steps and to the derived tables before it.
    pub derived: Vec<Derived>,
}

/// A subquery in `FROM` or a common table expression whose output columns are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Its name in messages: the CTE's name or the subquery's alias.
    pub name: String,
    /// Its columns.
    pub output: Vec<Output>,
}

/// Why the SQL cannot be a `sql` step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// What is wrong.
    pub message: String,
    /// Where, when the parser says.
    pub at: Option<Pos>,
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SqlError {}

/// Read the SQL of a `sql` step: one query (`SELECT`, `WITH`, set operations, `VALUES`).
pub fn analyze(sql: &str) -> Result<Analysis, SqlError> {
    let query = parse_query(sql)?;
    // First the steps (their indexes come first), then everything, the derived tables
    // numbered after the steps.
    let mut first = Reader::new(sql, Vec::new(), None, false);
    first.query(&query, &[]);
    let steps = first.tables.len();
    let mut reader = Reader::new(sql, first.tables, Some(steps), false);
    let output = reader.query(&query, &[]);
    Ok(Analysis {
        tables: reader.tables,
        columns: reader.columns,
        output,
        derived: reader.derived,
    })
}

/// What a SQL fragment of a single-frame step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FragmentKind {
    /// A condition (`filter`): the engines run `SELECT .. FROM "t0" WHERE <condition>`.
    Condition,
    /// An expression (`assign`, `aggregate`): the engines run `SELECT (<expression>) AS name
    /// FROM "t0"`.
    Expression,
}

/// What a fragment reads and gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// Its column references (all of the step's input, table 0), positions in the fragment.
    pub columns: Vec<ColumnUse>,
    /// The type of an expression (unknown for a condition).
    pub ty: TypeRule,
}

/// Read a SQL fragment of `filter`, `assign` or `aggregate` as the engines plan it: embedded in
/// the statement they run over the step's input (table `t0`), names as written (the engines
/// do not lower-case fragments). Positions are in the fragment.
pub fn analyze_fragment(fragment: &str, kind: FragmentKind) -> Result<Fragment, SqlError> {
    let (prefix, suffix) = match kind {
        FragmentKind::Condition => ("SELECT * FROM \"t0\" WHERE ", ""),
        FragmentKind::Expression => ("SELECT (", ") AS \"__fugue_value\" FROM \"t0\""),
    };
    let sql = format!("{prefix}{fragment}{suffix}");
    let within = |pos: Pos| {
        let shift = prefix.chars().count();
        let len = fragment.chars().count();
        let offset = pos.offset.saturating_sub(shift).min(len);
        at_offset(
            fragment,
            offset,
            pos.len.min(len.saturating_sub(offset)).max(1),
        )
    };
    let query = parse_query(&sql).map_err(|e| SqlError {
        message: e.message,
        at: e.at.map(within),
    })?;
    let mut reader = Reader::new(&sql, Vec::new(), None, true);
    let output = reader.query(&query, &[]);
    let moved = |c: ColumnUse| ColumnUse {
        at: within(c.at),
        ..c
    };
    let ty = match (kind, output.and_then(|o| o.into_iter().next())) {
        (FragmentKind::Expression, Some(Output::Column { ty, .. })) => ty.map_columns(&moved),
        _ => TypeRule::Unknown,
    };
    Ok(Fragment {
        columns: reader.columns.into_iter().map(moved).collect(),
        ty,
    })
}

/// The one query of `sql`.
fn parse_query(sql: &str) -> Result<Box<Query>, SqlError> {
    let mut statements = Parser::parse_sql(&GenericDialect {}, sql).map_err(|e| {
        let text = e.to_string();
        // A statement cut short is reported at its end.
        let at =
            error_position(sql, &text).or_else(|| text.ends_with("found: EOF").then(|| end(sql)));
        let message = match text.rfind(" at Line: ") {
            Some(cut) => text[..cut].to_string(),
            None => text,
        };
        let message = message
            .strip_prefix("sql parser error: ")
            .unwrap_or(&message)
            .to_string();
        SqlError { message, at }
    })?;
    match statements.len() {
        0 => Err(plain_error("the SQL is empty; write a query (`SELECT ..`)")),
        1 => match statements.remove(0) {
            Statement::Query(query) => Ok(query),
            _ => Err(plain_error(
                "a `sql` step is a query (`SELECT ..`, `WITH ..`); statements that change \
                 data or the catalog are not run",
            )),
        },
        _ => Err(plain_error(
            "a `sql` step is one query; remove the `;` and what follows",
        )),
    }
}

/// Where `pos` is, as a message shows it: the line of the SQL and a caret under the position.
pub fn pointer(sql: &str, pos: &Pos) -> String {
    let line = sql.lines().nth(pos.line.saturating_sub(1)).unwrap_or("");
    let pad: String = line
        .chars()
        .take(pos.column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!(
        "at line {}, column {} of the SQL:\n    {line}\n    {pad}{}",
        pos.line,
        pos.column,
        "^".repeat(pos.len.max(1))
    )
}

fn plain_error(message: &str) -> SqlError {
    SqlError {
        message: message.to_string(),
        at: None,
    }
}

/// The position a parser message names (`... at Line: 1, Column: 15`).
fn error_position(sql: &str, text: &str) -> Option<Pos> {
    let rest = &text[text.rfind("Line: ")? + "Line: ".len()..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let line: usize = line.trim().parse().ok()?;
    let column: usize = digits.parse().ok()?;
    Some(position(sql, line, column, 1))
}

/// The position just after the SQL's last character.
fn end(sql: &str) -> Pos {
    let line = sql.split('\n').count();
    let column = sql.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    position(sql, line, column, 1)
}

/// The position `offset` characters into `text`.
fn at_offset(text: &str, offset: usize, len: usize) -> Pos {
    let before: String = text.chars().take(offset).collect();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos {
        offset,
        len: len.max(1),
        line,
        column,
    }
}

/// The position at `line` and `column` (both from 1).
fn position(sql: &str, line: usize, column: usize, len: usize) -> Pos {
    let before: usize = sql
        .split('\n')
        .take(line.saturating_sub(1))
        .map(|l| l.chars().count() + 1)
        .sum();
    Pos {
        offset: before + column.saturating_sub(1),
        len: len.max(1),
        line: line.max(1),
        column: column.max(1),
    }
}

/// A name as DataFusion resolves it in a `sql` step: unquoted lower-cased, quoted as written.
fn normalize(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// A source of columns in a `FROM`.
#[derive(Debug, Clone)]
struct Source {
    /// The name its columns are qualified by (its alias, else its table name); `None` for a
    /// source without one.
    name: Option<String>,
    /// The table name an alias hides (a qualifier naming it is not checked).
    hidden: Option<String>,
    /// The step it reads, or `None` when its columns are not known here.
    table: Option<usize>,
}

/// The sources of one query's `FROM`.
#[derive(Debug, Clone, Default)]
struct Scope {
    sources: Vec<Source>,
    /// `USING` columns.
    using: Vec<String>,
    /// A `NATURAL` join.
    natural: bool,
    /// The indexes into `sources` of the sources on the NULL side of an outer join.
    outer: Vec<usize>,
}

impl Scope {
    fn level(&self, name: &str) -> Level {
        let known = self
            .sources
            .iter()
            .enumerate()
            .filter(|(_, s)| s.table.is_some());
        Level {
            tables: self.sources.iter().filter_map(|s| s.table).collect(),
            open: self.sources.iter().any(|s| s.table.is_none()),
            shared: self.natural || self.using.iter().any(|u| u == name),
            outer: known
                .enumerate()
                .filter(|(_, (i, _))| self.outer.contains(i))
                .map(|(position, _)| position)
                .collect(),
        }
    }

    /// The source qualified by `name`, with whether it is on the NULL side of an outer join.
    fn qualified(&self, name: &str) -> Option<(&Source, bool)> {
        let i = self
            .sources
            .iter()
            .position(|s| s.name.as_deref() == Some(name))?;
        Some((&self.sources[i], self.outer.contains(&i)))
    }

    /// Every column of source `i`, as an output item.
    fn all_of(&self, i: usize) -> Option<Output> {
        let t = self.sources[i].table?;
        Some(if self.outer.contains(&i) {
            Output::AllOfOuter(t)
        } else {
            Output::AllOf(t)
        })
    }

    /// Whether every source is a step and no join merges columns: `*` is then the steps'
    /// columns one after the other.
    fn plain(&self) -> bool {
        self.sources.iter().all(|s| s.table.is_some()) && self.using.is_empty() && !self.natural
    }
}

struct Reader<'s> {
    sql: &'s str,
    tables: Vec<TableUse>,
    columns: Vec<ColumnUse>,
    /// The common table expressions in scope (they hide steps of the same name), each with
    /// its derived table when its columns are known.
    ctes: Vec<(String, Option<usize>)>,
    /// Names as written (a fragment), not lower-cased.
    as_written: bool,
    /// The derived tables whose columns are known (see [`Analysis::derived`]).
    derived: Vec<Derived>,
    /// The index of the first derived table (the number of steps), once the steps are known;
    /// `None` while they are collected (no derived table is made).
    base: Option<usize>,
}

impl<'s> Reader<'s> {
    fn new(sql: &'s str, tables: Vec<TableUse>, base: Option<usize>, as_written: bool) -> Self {
        Reader {
            sql,
            tables,
            columns: Vec::new(),
            ctes: Vec::new(),
            as_written,
            derived: Vec::new(),
            base,
        }
    }

    /// A derived table of these columns, when the steps are known.
    fn derive(&mut self, name: String, output: Vec<Output>) -> Option<usize> {
        let base = self.base?;
        self.derived.push(Derived { name, output });
        Some(base + self.derived.len() - 1)
    }

    fn cte(&self, name: &str) -> Option<Option<usize>> {
        self.ctes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| *t)
    }
}

/// What a select list's item names may be used as in the clauses after it.
type Aliases = Vec<String>;

impl Reader<'_> {
    /// A name as the engine resolves it: [`normalize`]d in a `sql` step, as written in a
    /// fragment (the engines plan fragments without lower-casing).
    fn name(&self, ident: &Ident) -> String {
        if self.as_written {
            ident.value.clone()
        } else {
            normalize(ident)
        }
    }

    fn pos(&self, ident: &Ident) -> Pos {
        let len = ident.value.chars().count() + if ident.quote_style.is_some() { 2 } else { 0 };
        let start = ident.span.start;
        position(self.sql, start.line as usize, start.column as usize, len)
    }

    fn table(&mut self, name: String, at: Pos) -> usize {
        if let Some(i) = self.tables.iter().position(|t| t.name == name) {
            return i;
        }
        self.tables.push(TableUse { name, at });
        self.tables.len() - 1
    }

    /// A query; `outer` are the scopes of the queries around it (outermost first).
    fn query(&mut self, query: &Query, outer: &[Scope]) -> Option<Vec<Output>> {
        let ctes_before = self.ctes.len();
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let name = self.name(&cte.alias.name);
                if with.recursive {
                    self.ctes.push((name.clone(), None));
                }
                let output = self.query(&cte.query, outer);
                if !with.recursive {
                    // Columns renamed by the alias (`c(a, b)`) are not modelled.
                    let table = output
                        .filter(|_| cte.alias.columns.is_empty())
                        .and_then(|o| self.derive(name.clone(), o));
                    self.ctes.push((name, table));
                }
            }
        }
        let (output, scope, aliases) = self.set_expr(&query.body, outer);
        if let Some(order) = &query.order_by
            && let OrderByKind::Expressions(items) = &order.kind
        {
            // ORDER BY sees the select's tables (a set operation's: its output only).
            if let Some(scope) = &scope {
                let scopes = with_scope(outer, scope);
                for item in items {
                    self.expr(&item.expr, &scopes, &aliases);
                }
            }
        }
        self.ctes.truncate(ctes_before);
        output
    }

    fn set_expr(
        &mut self,
        body: &SetExpr,
        outer: &[Scope],
    ) -> (Option<Vec<Output>>, Option<Scope>, Aliases) {
        match body {
            SetExpr::Select(select) => {
                let (output, scope, aliases) = self.select(select, outer);
                (output, Some(scope), aliases)
            }
            SetExpr::Query(query) => (self.query(query, outer), None, Vec::new()),
            SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let (left, ..) = self.set_expr(left, outer);
                let (right, ..) = self.set_expr(right, outer);
                let plain = matches!(
                    set_quantifier,
                    SetQuantifier::None | SetQuantifier::All | SetQuantifier::Distinct
                );
                // A UNION's columns are named by its left side and typed by both (DataFusion
                // coerces two types to a common one: known here when they are equal).
                let output = match (op, left, right) {
                    (SetOperator::Union, Some(left), Some(right))
                        if plain && left.len() == right.len() =>
                    {
                        left.into_iter()
                            .zip(right)
                            .map(|pair| match pair {
                                (Output::Column { name, ty: l }, Output::Column { ty: r, .. }) => {
                                    Some(Output::Column {
                                        name,
                                        ty: TypeRule::Same(vec![l, r]),
                                    })
                                }
                                _ => None,
                            })
                            .collect()
                    }
                    _ => None,
                };
                (output, None, Vec::new())
            }
            _ => (None, None, Vec::new()),
        }
    }

    fn select(
        &mut self,
        select: &Select,
        outer: &[Scope],
    ) -> (Option<Vec<Output>>, Scope, Aliases) {
        let mut scope = Scope::default();
        for from in &select.from {
            self.from(from, outer, &mut scope);
        }
        let known = select.lateral_views.is_empty() && select.exclude.is_none();
        if !select.lateral_views.is_empty() {
            scope.sources.push(Source {
                name: None,
                hidden: None,
                table: None,
            });
        }
        let scopes = with_scope(outer, &scope);
        let aliases: Aliases = select
            .projection
            .iter()
            .filter_map(|item| match item {
                SelectItem::ExprWithAlias { alias, .. } => Some(self.name(alias)),
                _ => None,
            })
            .collect();
        let mut output = Some(Vec::new());
        for item in &select.projection {
            let out = self.select_item(item, &scopes, &scope);
            match (&mut output, out) {
                (Some(list), Some(items)) => list.extend(items),
                _ => output = None,
            }
        }
        if let Some(selection) = &select.selection {
            self.expr(selection, &scopes, &[]);
        }
        if let GroupByExpr::Expressions(exprs, _) = &select.group_by {
            for e in exprs {
                self.expr(e, &scopes, &aliases);
            }
        }
        if let Some(having) = &select.having {
            self.expr(having, &scopes, &aliases);
        }
        if let Some(qualify) = &select.qualify {
            self.expr(qualify, &scopes, &aliases);
        }
        if !known || select.into.is_some() || select.top.is_some() {
            output = None;
        }
        (output, scope, aliases)
    }

    fn select_item(
        &mut self,
        item: &SelectItem,
        scopes: &[Scope],
        scope: &Scope,
    ) -> Option<Vec<Output>> {
        match item {
            SelectItem::Wildcard(options) => {
                if !plain_wildcard(options) || !scope.plain() || scope.sources.is_empty() {
                    return None;
                }
                Some(
                    (0..scope.sources.len())
                        .filter_map(|i| scope.all_of(i))
                        .collect(),
                )
            }
            SelectItem::QualifiedWildcard(
                SelectItemQualifiedWildcardKind::ObjectName(name),
                options,
            ) => {
                let [ObjectNamePart::Identifier(q)] = name.0.as_slice() else {
                    return None;
                };
                let q = self.name(q);
                let i = scope
                    .sources
                    .iter()
                    .position(|s| s.name.as_deref() == Some(&q))?;
                if !plain_wildcard(options) || !scope.using.is_empty() || scope.natural {
                    return None;
                }
                scope.all_of(i).map(|o| vec![o])
            }
            SelectItem::QualifiedWildcard(..) => None,
            SelectItem::UnnamedExpr(expr) => {
                let reference = self.expr(expr, scopes, &[]);
                let reference = reference.filter(|_| is_column(expr))?;
                Some(vec![Output::Column {
                    name: reference.name.clone(),
                    ty: TypeRule::Of(reference),
                }])
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                self.expr(expr, scopes, &[]);
                let ty = self.type_rule(expr, scopes);
                Some(vec![Output::Column {
                    name: self.name(alias),
                    ty,
                }])
            }
            SelectItem::ExprWithAliases { expr, .. } => {
                self.expr(expr, scopes, &[]);
                None
            }
        }
    }

    fn from(&mut self, from: &TableWithJoins, outer: &[Scope], scope: &mut Scope) {
        let first = scope.sources.len();
        self.factor(&from.relation, outer, scope);
        for join in &from.joins {
            let start = scope.sources.len();
            self.factor(&join.relation, outer, scope);
            let end = scope.sources.len();
            // The NULL sides (`JoinKind::null_sides`): DataFusion plans their columns nullable.
            let kind = match &join.join_operator {
                JoinOperator::Left(_) | JoinOperator::LeftOuter(_) => JoinKind::LeftOuter,
                JoinOperator::Right(_) | JoinOperator::RightOuter(_) => JoinKind::RightOuter,
                JoinOperator::FullOuter(_) => JoinKind::FullOuter,
                _ => JoinKind::Inner,
            };
            let (left_nulls, right_nulls) = kind.null_sides();
            if left_nulls {
                scope.outer.extend(first..start);
            }
            if right_nulls {
                scope.outer.extend(start..end);
            }
            let constraint = match &join.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::Left(c)
                | JoinOperator::LeftOuter(c)
                | JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::FullOuter(c)
                | JoinOperator::CrossJoin(c)
                | JoinOperator::Semi(c)
                | JoinOperator::LeftSemi(c)
                | JoinOperator::RightSemi(c)
                | JoinOperator::Anti(c)
                | JoinOperator::LeftAnti(c)
                | JoinOperator::RightAnti(c)
                | JoinOperator::StraightJoin(c) => Some(c),
                _ => {
                    scope.sources.push(Source {
                        name: None,
                        hidden: None,
                        table: None,
                    });
                    None
                }
            };
            match constraint {
                Some(JoinConstraint::On(on)) => {
                    let scopes = with_scope(outer, scope);
                    self.expr(on, &scopes, &[]);
                }
                Some(JoinConstraint::Using(names)) => {
                    for name in names {
                        if let Some(ObjectNamePart::Identifier(ident)) = name.0.last() {
                            scope.using.push(self.name(ident));
                        }
                    }
                }
                Some(JoinConstraint::Natural) => scope.natural = true,
                _ => {}
            }
        }
    }

    fn factor(&mut self, factor: &TableFactor, outer: &[Scope], scope: &mut Scope) {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                version: None,
                partitions,
                json_path: None,
                sample: None,
                index_hints,
                ..
            } if with_hints.is_empty() && partitions.is_empty() && index_hints.is_empty() => {
                let alias_name = alias.as_ref().map(|a| self.name(&a.name));
                let renames = alias.as_ref().is_some_and(|a| !a.columns.is_empty());
                let Some(ident) = single_name(name) else {
                    // A qualified name (`public.trips`): not a step; DataFusion decides.
                    scope.sources.push(Source {
                        name: alias_name,
                        hidden: None,
                        table: None,
                    });
                    return;
                };
                let table_name = self.name(ident);
                if let Some(cte) = self.cte(&table_name) {
                    let hidden = alias_name.as_ref().map(|_| table_name.clone());
                    scope.sources.push(Source {
                        name: Some(alias_name.unwrap_or(table_name)),
                        hidden,
                        table: cte.filter(|_| !renames),
                    });
                    return;
                }
                let at = self.pos(ident);
                let index = self.table(table_name.clone(), at);
                let (visible, hidden) = match alias_name {
                    Some(a) => (a, Some(table_name)),
                    None => (table_name, None),
                };
                scope.sources.push(Source {
                    name: Some(visible),
                    hidden,
                    // Columns renamed by the alias (`t(a, b)`) are not the step's.
                    table: (!renames).then_some(index),
                });
            }
            TableFactor::Table {
                name, alias, args, ..
            } => {
                // A hinted table may still name a step; a table function
                // (`generate_series(1, 3)`) is DataFusion's.
                if args.is_none()
                    && let Some(ident) = single_name(name)
                {
                    let n = self.name(ident);
                    if self.cte(&n).is_none() {
                        let at = self.pos(ident);
                        self.table(n, at);
                    }
                }
                scope.sources.push(Source {
                    name: alias.as_ref().map(|a| self.name(&a.name)),
                    hidden: None,
                    table: None,
                });
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let output = if *lateral {
                    let scopes = with_scope(outer, scope);
                    self.query(subquery, &scopes)
                } else {
                    self.query(subquery, outer)
                };
                let renames = alias.as_ref().is_some_and(|a| !a.columns.is_empty());
                let name = alias.as_ref().map(|a| self.name(&a.name));
                let shown = name.clone().unwrap_or_else(|| "the subquery".to_string());
                let table = output
                    .filter(|_| !renames && !*lateral)
                    .and_then(|o| self.derive(shown, o));
                scope.sources.push(Source {
                    name,
                    hidden: None,
                    table,
                });
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => self.from(table_with_joins, outer, scope),
            TableFactor::NestedJoin {
                table_with_joins,
                alias: Some(alias),
            } => {
                let mut inner = Scope::default();
                self.from(table_with_joins, outer, &mut inner);
                scope.sources.push(Source {
                    name: Some(self.name(&alias.name)),
                    hidden: None,
                    table: None,
                });
            }
            _ => scope.sources.push(Source {
                name: None,
                hidden: None,
                table: None,
            }),
        }
    }

    /// The reference of a column written as `ident`, `q.ident`, `q.ident.field`, ..., or
    /// `None` when it is not checked (an output alias, a column of a source not known here).
    fn reference(
        &mut self,
        parts: &[Ident],
        scopes: &[Scope],
        aliases: &[String],
    ) -> Option<ColumnUse> {
        let first = parts.first()?;
        let first_name = self.name(first);
        if parts.len() >= 2 {
            // Innermost first: a source named by the qualifier.
            for scope in scopes.iter().rev() {
                if let Some((source, outer)) = scope.qualified(&first_name) {
                    let table = source.table?;
                    let column = &parts[1];
                    let use_ = ColumnUse {
                        name: self.name(column),
                        at: self.pos(column),
                        resolve: if outer {
                            Resolve::OfOuter(table)
                        } else {
                            Resolve::Of(table)
                        },
                    };
                    self.columns.push(use_.clone());
                    return Some(use_);
                }
                if scope
                    .sources
                    .iter()
                    .any(|s| s.hidden.as_deref() == Some(&first_name))
                {
                    return None;
                }
            }
            if parts.len() >= 3 {
                // `catalog.schema.table.column` and the like: DataFusion decides.
                return None;
            }
            // Not a table: a struct column and its field (checked; not a plain column).
        }
        if parts.len() == 1 && aliases.contains(&first_name) {
            return None;
        }
        let use_ = ColumnUse {
            name: first_name.clone(),
            at: self.pos(first),
            resolve: Resolve::Levels(scopes.iter().rev().map(|s| s.level(&first_name)).collect()),
        };
        self.columns.push(use_.clone());
        (parts.len() == 1).then_some(use_)
    }

    /// Visit an expression, recording its column references; the reference when the
    /// expression is one.
    fn expr(&mut self, expr: &Expr, scopes: &[Scope], aliases: &[String]) -> Option<ColumnUse> {
        match expr {
            Expr::Identifier(ident) => {
                return self.reference(std::slice::from_ref(ident), scopes, aliases);
            }
            Expr::CompoundIdentifier(parts) => return self.reference(parts, scopes, aliases),
            Expr::CompoundFieldAccess { root, .. } => {
                self.expr(root, scopes, aliases);
            }
            Expr::Nested(e) => return self.expr(e, scopes, aliases),
            Expr::IsFalse(e)
            | Expr::IsNotFalse(e)
            | Expr::IsTrue(e)
            | Expr::IsNotTrue(e)
            | Expr::IsNull(e)
            | Expr::IsNotNull(e)
            | Expr::IsUnknown(e)
            | Expr::IsNotUnknown(e) => {
                self.expr(e, scopes, aliases);
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                self.expr(a, scopes, aliases);
                self.expr(b, scopes, aliases);
            }
            Expr::InList { expr, list, .. } => {
                self.expr(expr, scopes, aliases);
                for e in list {
                    self.expr(e, scopes, aliases);
                }
            }
            Expr::InSubquery { expr, subquery, .. } => {
                self.expr(expr, scopes, aliases);
                self.query(subquery, scopes);
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                self.expr(expr, scopes, aliases);
                self.expr(low, scopes, aliases);
                self.expr(high, scopes, aliases);
            }
            Expr::BinaryOp { left, right, .. } => {
                self.expr(left, scopes, aliases);
                self.expr(right, scopes, aliases);
            }
            Expr::Like { expr, pattern, .. }
            | Expr::ILike { expr, pattern, .. }
            | Expr::SimilarTo { expr, pattern, .. } => {
                self.expr(expr, scopes, aliases);
                self.expr(pattern, scopes, aliases);
            }
            Expr::UnaryOp { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::Extract { expr, .. }
            | Expr::Ceil { expr, .. }
            | Expr::Floor { expr, .. } => {
                self.expr(expr, scopes, aliases);
            }
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                self.expr(timestamp, scopes, aliases);
                self.expr(time_zone, scopes, aliases);
            }
            Expr::Position { expr, r#in } => {
                self.expr(expr, scopes, aliases);
                self.expr(r#in, scopes, aliases);
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                self.expr(expr, scopes, aliases);
                for e in [substring_from, substring_for].into_iter().flatten() {
                    self.expr(e, scopes, aliases);
                }
            }
            Expr::Trim {
                expr,
                trim_what,
                trim_characters,
                ..
            } => {
                self.expr(expr, scopes, aliases);
                if let Some(w) = trim_what {
                    self.expr(w, scopes, aliases);
                }
                for e in trim_characters.iter().flatten() {
                    self.expr(e, scopes, aliases);
                }
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                if let Some(o) = operand {
                    self.expr(o, scopes, aliases);
                }
                for when in conditions {
                    self.expr(&when.condition, scopes, aliases);
                    self.expr(&when.result, scopes, aliases);
                }
                if let Some(e) = else_result {
                    self.expr(e, scopes, aliases);
                }
            }
            Expr::Exists { subquery, .. } | Expr::Subquery(subquery) => {
                self.query(subquery, scopes);
            }
            Expr::Tuple(items) => {
                for e in items {
                    self.expr(e, scopes, aliases);
                }
            }
            Expr::Function(f) => {
                match &f.args {
                    FunctionArguments::List(list) => {
                        for arg in &list.args {
                            let arg = match arg {
                                FunctionArg::Named { arg, .. }
                                | FunctionArg::ExprNamed { arg, .. }
                                | FunctionArg::Unnamed(arg) => arg,
                            };
                            if let FunctionArgExpr::Expr(e) = arg {
                                self.expr(e, scopes, aliases);
                            }
                        }
                    }
                    FunctionArguments::Subquery(q) => {
                        self.query(q, scopes);
                    }
                    FunctionArguments::None => {}
                }
                if let Some(filter) = &f.filter {
                    self.expr(filter, scopes, aliases);
                }
                if let Some(WindowType::WindowSpec(spec)) = &f.over {
                    for e in &spec.partition_by {
                        self.expr(e, scopes, aliases);
                    }
                    for o in &spec.order_by {
                        self.expr(&o.expr, scopes, aliases);
                    }
                }
            }
            // Literals, and what this reader does not model: nothing checked inside.
            _ => {}
        }
        None
    }

    /// The type of an aliased select item, as far as it is known here.
    fn type_rule(&mut self, expr: &Expr, scopes: &[Scope]) -> TypeRule {
        // References are recorded by `expr` already; these lookups only read them again.
        let column = |reader: &mut Self, e: &Expr| -> Option<ColumnUse> {
            if !is_column(e) {
                return None;
            }
            let before = reader.columns.len();
            let found = reader.expr(e, scopes, &[]);
            reader.columns.truncate(before);
            found
        };
        let fixed = |t: DataType| TypeRule::Fixed(key(&t));
        match expr {
            Expr::Nested(e) => self.type_rule(e, scopes),
            e if is_column(e) => column(self, e).map_or(TypeRule::Unknown, TypeRule::Of),
            Expr::Cast {
                expr: _,
                data_type,
                format: None,
                array: false,
                ..
            } => sql_type(data_type).map_or(TypeRule::Unknown, TypeRule::Fixed),
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) if n.chars().all(|c| c.is_ascii_digit()) => {
                    // DataFusion types an integer literal as Int64 when it fits.
                    if n.parse::<i64>().is_ok() {
                        fixed(DataType::Int64)
                    } else {
                        TypeRule::Unknown
                    }
                }
                // A decimal literal is a Float64 (DataFusion's `parse_float_as_decimal` is off).
                Value::Number(n, _) if is_decimal_literal(n) => fixed(DataType::Float64),
                Value::SingleQuotedString(_) => fixed(DataType::Utf8),
                Value::Boolean(_) => fixed(DataType::Boolean),
                _ => TypeRule::Unknown,
            },
            Expr::BinaryOp { op, .. } if is_predicate(op) => fixed(DataType::Boolean),
            Expr::BinaryOp { left, op, right } => {
                let rule = match op {
                    BinaryOperator::Plus
                    | BinaryOperator::Minus
                    | BinaryOperator::Multiply
                    | BinaryOperator::Divide
                    | BinaryOperator::Modulo => SqlRule::Arith,
                    BinaryOperator::StringConcat => SqlRule::Concat,
                    _ => return TypeRule::Unknown,
                };
                let args = vec![self.type_rule(left, scopes), self.type_rule(right, scopes)];
                TypeRule::apply(rule, args)
            }
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => TypeRule::apply(SqlRule::Negate, vec![self.type_rule(expr, scopes)]),
            Expr::UnaryOp {
                op: UnaryOperator::Plus,
                expr,
            } => self.type_rule(expr, scopes),
            Expr::Substring { expr, .. } | Expr::Trim { expr, .. } => {
                self.if_string(Some(expr), DataType::Utf8, scopes)
            }
            Expr::Ceil {
                expr,
                field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
            }
            | Expr::Floor {
                expr,
                field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
            } => TypeRule::apply(SqlRule::FloatMath, vec![self.type_rule(expr, scopes)]),
            Expr::Extract { field, .. } => date_part_type(&field.to_string()),
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                ..
            }
            | Expr::IsFalse(_)
            | Expr::IsNotFalse(_)
            | Expr::IsTrue(_)
            | Expr::IsNotTrue(_)
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..)
            | Expr::InList { .. }
            | Expr::InSubquery { .. }
            | Expr::Between { .. }
            | Expr::Like { any: false, .. }
            | Expr::ILike { any: false, .. }
            | Expr::Exists { .. } => fixed(DataType::Boolean),
            Expr::Case {
                conditions,
                else_result,
                ..
            } => {
                let mut rules: Vec<TypeRule> = conditions
                    .iter()
                    .map(|w| self.type_rule(&w.result, scopes))
                    .collect();
                if let Some(e) = else_result {
                    rules.push(self.type_rule(e, scopes));
                }
                TypeRule::Same(rules)
            }
            Expr::Function(f) => {
                let Some(name) = single_name(&f.name).map(|n| n.value.to_lowercase()) else {
                    return TypeRule::Unknown;
                };
                let args = match &f.args {
                    FunctionArguments::List(list) if list.clauses.is_empty() => &list.args[..],
                    FunctionArguments::None => &[][..],
                    _ => return TypeRule::Unknown,
                };
                let exprs: Option<Vec<&Expr>> = args
                    .iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                        _ => None,
                    })
                    .collect();
                let one = match exprs.as_deref() {
                    Some([e]) => Some(*e),
                    _ => None,
                };
                let windowed = f.over.is_some();
                let distinct = matches!(&f.args, FunctionArguments::List(l) if l.duplicate_treatment.is_some());
                match name.as_str() {
                    "count" if !args.is_empty() => fixed(DataType::Int64),
                    "row_number" | "rank" | "dense_rank" if windowed && args.is_empty() => {
                        fixed(DataType::UInt64)
                    }
                    "min" | "max" | "abs" if !distinct => {
                        one.map_or(TypeRule::Unknown, |e| self.type_rule(e, scopes))
                    }
                    // The value of another row: its argument's type.
                    "lag" | "lead" | "first_value" | "last_value" if windowed => {
                        match exprs.as_deref() {
                            Some([e, ..]) => self.type_rule(e, scopes),
                            _ => TypeRule::Unknown,
                        }
                    }
                    "sum" | "avg" | "mean" if !distinct => match one {
                        Some(e) => {
                            let rule = if name == "sum" {
                                SqlRule::Sum
                            } else {
                                SqlRule::Avg
                            };
                            TypeRule::apply(rule, vec![self.type_rule(e, scopes)])
                        }
                        None => TypeRule::Unknown,
                    },
                    "coalesce" if !windowed => match exprs {
                        Some(list) if !list.is_empty() => {
                            TypeRule::Same(list.iter().map(|e| self.type_rule(e, scopes)).collect())
                        }
                        _ => TypeRule::Unknown,
                    },
                    "nullif" if !windowed => match exprs.as_deref() {
                        Some([a, _]) => self.type_rule(a, scopes),
                        _ => TypeRule::Unknown,
                    },
                    "lower" | "upper" | "trim" | "btrim" | "ltrim" | "rtrim" | "initcap"
                    | "reverse"
                        if !windowed =>
                    {
                        self.if_string(one, DataType::Utf8, scopes)
                    }
                    "character_length" | "char_length" | "length" if !windowed => {
                        self.if_string(one, DataType::Int32, scopes)
                    }
                    // The string functions that keep their first argument's string type.
                    "substr" | "substring" | "replace" | "lpad" | "rpad" | "left" | "right"
                    | "repeat" | "split_part" | "translate"
                        if !windowed && exprs.as_ref().is_some_and(|l| l.len() >= 2) =>
                    {
                        let first = exprs.as_ref().and_then(|l| l.first().copied());
                        self.if_string(first, DataType::Utf8, scopes)
                    }
                    "concat" if !windowed => match exprs {
                        Some(list) if !list.is_empty() => TypeRule::apply(
                            SqlRule::Concat,
                            list.iter().map(|e| self.type_rule(e, scopes)).collect(),
                        ),
                        _ => TypeRule::Unknown,
                    },
                    "round" if !windowed => match exprs.as_deref() {
                        Some([e]) | Some([e, _]) => {
                            TypeRule::apply(SqlRule::Round, vec![self.type_rule(e, scopes)])
                        }
                        _ => TypeRule::Unknown,
                    },
                    "floor" | "ceil" | "sqrt" | "cbrt" | "ln" | "log2" | "log10" | "exp"
                    | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "sinh" | "cosh"
                    | "tanh" | "degrees" | "radians"
                        if !windowed =>
                    {
                        match one {
                            Some(e) => {
                                TypeRule::apply(SqlRule::FloatMath, vec![self.type_rule(e, scopes)])
                            }
                            None => TypeRule::Unknown,
                        }
                    }
                    "power" | "pow"
                        if !windowed && exprs.as_ref().is_some_and(|l| l.len() == 2) =>
                    {
                        fixed(DataType::Float64)
                    }
                    "date_trunc" | "datetrunc" if !windowed => match exprs.as_deref() {
                        Some([_, e]) => {
                            TypeRule::apply(SqlRule::DateTrunc, vec![self.type_rule(e, scopes)])
                        }
                        _ => TypeRule::Unknown,
                    },
                    "date_part" | "datepart" if !windowed => match exprs.as_deref() {
                        Some([Expr::Value(v), _]) => match &v.value {
                            Value::SingleQuotedString(part) => date_part_type(part),
                            _ => TypeRule::Unknown,
                        },
                        _ => TypeRule::Unknown,
                    },
                    "to_date" if !windowed && !args.is_empty() => fixed(DataType::Date32),
                    // In the session's time zone, which Fugue's sessions leave unset.
                    "to_timestamp" if !windowed && !args.is_empty() => {
                        fixed(DataType::Timestamp(TimeUnit::Nanosecond, None))
                    }
                    "now" if !windowed && args.is_empty() => {
                        fixed(DataType::Timestamp(TimeUnit::Nanosecond, None))
                    }
                    _ => TypeRule::Unknown,
                }
            }
            _ => TypeRule::Unknown,
        }
    }
}

impl Reader<'_> {
    /// `then` when the one argument `arg` is a string.
    fn if_string(&mut self, arg: Option<&Expr>, then: DataType, scopes: &[Scope]) -> TypeRule {
        match arg {
            Some(e) => TypeRule::IfString {
                arg: Box::new(self.type_rule(e, scopes)),
                then: key(&then),
            },
            None => TypeRule::Unknown,
        }
    }
}

/// Whether a number literal is a decimal one (`2.5`), which DataFusion types as Float64.
fn is_decimal_literal(n: &str) -> bool {
    let mut parts = n.splitn(2, '.');
    let (whole, fraction) = (parts.next().unwrap_or(""), parts.next());
    fraction.is_some_and(|f| {
        (!whole.is_empty() || !f.is_empty())
            && whole.chars().all(|c| c.is_ascii_digit())
            && f.chars().all(|c| c.is_ascii_digit())
    })
}

/// The type of `date_part(part, x)` and `EXTRACT(part FROM x)`: DataFusion's, by the part
/// (`epoch` a Float64, nanoseconds an Int64, the other parts an Int32); unknown for a part
/// not listed here.
fn date_part_type(part: &str) -> TypeRule {
    let ty = match part.to_ascii_lowercase().as_str() {
        "epoch" => DataType::Float64,
        "nanosecond" | "nanoseconds" => DataType::Int64,
        "year" | "years" | "quarter" | "month" | "months" | "week" | "weeks" | "day" | "days"
        | "hour" | "hours" | "minute" | "minutes" | "second" | "seconds" | "millisecond"
        | "milliseconds" | "microsecond" | "microseconds" | "dow" | "doy" => DataType::Int32,
        _ => return TypeRule::Unknown,
    };
    TypeRule::Fixed(key(&ty))
}

/// Whether a binary operator gives a boolean.
fn is_predicate(op: &BinaryOperator) -> bool {
    use BinaryOperator as B;
    matches!(
        op,
        B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq | B::And | B::Or
    )
}

/// The scopes `outer` with `scope` innermost.
fn with_scope(outer: &[Scope], scope: &Scope) -> Vec<Scope> {
    let mut all = outer.to_vec();
    all.push(scope.clone());
    all
}

fn single_name(name: &ObjectName) -> Option<&Ident> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] => Some(ident),
        _ => None,
    }
}

fn is_column(expr: &Expr) -> bool {
    match expr {
        Expr::Identifier(_) => true,
        Expr::CompoundIdentifier(parts) => parts.len() == 2,
        Expr::Nested(e) => is_column(e),
        _ => false,
    }
}

fn plain_wildcard(options: &WildcardAdditionalOptions) -> bool {
    options.opt_ilike.is_none()
        && options.opt_exclude.is_none()
        && options.opt_except.is_none()
        && options.opt_replace.is_none()
        && options.opt_rename.is_none()
        && options.opt_alias.is_none()
}

fn key(data_type: &DataType) -> String {
    fugue_core::types::type_key(data_type)
}

/// The type DataFusion gives `CAST(.. AS ty)` in Fugue's sessions (strings as `Utf8`), for
/// the types written every day; `None` for the others.
fn sql_type(ty: &sqlparser::ast::DataType) -> Option<String> {
    use sqlparser::ast::DataType as S;
    let arrow = match ty {
        S::TinyInt(None) => DataType::Int8,
        S::SmallInt(None) => DataType::Int16,
        S::Int(None) | S::Integer(None) => DataType::Int32,
        S::BigInt(None) => DataType::Int64,
        S::Real => DataType::Float32,
        S::Double(sqlparser::ast::ExactNumberInfo::None) | S::DoublePrecision => DataType::Float64,
        S::Boolean | S::Bool => DataType::Boolean,
        S::Varchar(None) | S::Text | S::String(None) => DataType::Utf8,
        S::Date => DataType::Date32,
        _ => return None,
    };
    Some(key(&arrow))
}

/// The analysis as the const data of `fugue_core::const_check::sql` (text leaked: the macro
/// emits this data as tokens once per expansion, and the tests evaluate it at run time): the
/// column references to check, and the output items (`None`: unknown).
pub fn to_const(analysis: &Analysis) -> ConstSql {
    ConstSql {
        columns: analysis.columns.iter().map(const_column).collect(),
        output: analysis
            .output
            .as_ref()
            .map(|items| items.iter().map(const_output).collect()),
        derived: analysis
            .derived
            .iter()
            .map(|d| d.output.iter().map(const_output).collect())
            .collect(),
        names: analysis
            .tables
            .iter()
            .map(|t| t.name.clone())
            .chain(analysis.derived.iter().map(|d| d.name.clone()))
            .collect(),
    }
}

/// An [`Analysis`] as const data ([`to_const`]).
pub struct ConstSql {
    /// The column references to check.
    pub columns: Vec<sql::SqlColumn>,
    /// The output items (`None`: unknown).
    pub output: Option<Vec<sql::SqlOutput>>,
    /// The derived tables' items ([`Analysis::derived`]).
    pub derived: Vec<Vec<sql::SqlOutput>>,
    /// The names of the steps and then of the derived tables, for messages.
    pub names: Vec<String>,
}

/// A fragment as the const data of `fugue_core::const_check::sql` (see [`to_const`]): its
/// column references (table 0: the step's input) and its type.
pub fn fragment_to_const(fragment: &Fragment) -> (Vec<sql::SqlColumn>, sql::SqlType) {
    let columns = fragment.columns.iter().map(const_column).collect();
    (columns, const_type(&fragment.ty))
}

use fugue_core::const_check::sql;

fn leak<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

fn leak_str(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

fn const_column(c: &ColumnUse) -> sql::SqlColumn {
    let resolve = match &c.resolve {
        Resolve::Of(t) => sql::SqlResolve::Of(*t),
        Resolve::OfOuter(t) => sql::SqlResolve::OfOuter(*t),
        Resolve::Levels(levels) => sql::SqlResolve::Levels(leak(
            levels
                .iter()
                .map(|l| sql::SqlLevel {
                    tables: leak(l.tables.clone()),
                    open: l.open,
                    shared: l.shared,
                    outer: leak(l.outer.clone()),
                })
                .collect(),
        )),
    };
    sql::SqlColumn {
        name: leak_str(&c.name),
        resolve,
    }
}

fn const_output(o: &Output) -> sql::SqlOutput {
    match o {
        Output::AllOf(t) => sql::SqlOutput::AllOf(*t),
        Output::AllOfOuter(t) => sql::SqlOutput::AllOfOuter(*t),
        Output::Column { name, ty } => sql::SqlOutput::Column {
            name: leak_str(name),
            ty: const_type(ty),
        },
    }
}

fn const_type(ty: &TypeRule) -> sql::SqlType {
    match ty {
        TypeRule::Unknown => sql::SqlType::Unknown,
        TypeRule::Fixed(k) => sql::SqlType::Fixed(leak_str(k)),
        TypeRule::Of(c) => sql::SqlType::Of(const_column(c)),
        TypeRule::Apply { rule, args } => {
            sql::SqlType::Apply(*rule, leak(args.iter().map(const_type).collect()))
        }
        TypeRule::Same(rules) => sql::SqlType::Same(leak(rules.iter().map(const_type).collect())),
        TypeRule::IfString { arg, then } => {
            sql::SqlType::IfString(Box::leak(Box::new(const_type(arg))), leak_str(then))
        }
    }
}

#[cfg(test)]
mod tests;
