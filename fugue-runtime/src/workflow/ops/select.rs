//! `select`: a SQL select of column expressions over one frame.

use super::{Op, Operation, PlanContext, RunContext, one, owned};
use crate::engine::SelectQuery;
use crate::engine::planned;
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::rules::eval;
use fugue_core::{FugueError, Result, Schema};

/// A SQL select.
#[derive(Clone)]
pub(crate) struct Select {
    query: SelectQuery,
}

impl Operation for Select {
    fn name(&self) -> &'static str {
        "select"
    }

    fn args(&self) -> String {
        let q = &self.query;
        let mut s = q.columns.join(", ");
        if q.distinct {
            s = format!("DISTINCT {s}");
        }
        if let Some(w) = &q.where_clause {
            s.push_str(&format!(" WHERE {w}"));
        }
        if let Some(h) = &q.having {
            s.push_str(&format!(" HAVING {h}"));
        }
        s
    }

    fn key_args(&self) -> String {
        let q = &self.query;
        format!(
            "columns={:?}; filter={:?}; having={:?}; distinct={}",
            q.columns, q.where_clause, q.having, q.distinct
        )
    }

    /// A select of plain column references (`city`, `"unit price"`: what `workflow!`'s
    /// `select` hands over) over a known schema is `select`'s rule ([`eval::select`], the
    /// compile-time check's rule and sentence); a select with expressions is planned by the
    /// code that runs the step ([`crate::engine::planned`]).
    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        if self.query.columns.is_empty() {
            return Err(FugueError::invalid_argument(
                "columns",
                "select needs at least one column expression",
            ));
        }
        let Some(schema) = cx.first() else {
            return Ok(None);
        };
        let Some(names) = self
            .query
            .columns
            .iter()
            .map(|c| column_reference(c))
            .collect::<Option<Vec<String>>>()
        else {
            return planned::select(&schema, &self.query);
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        eval::select(&schema, &names, cx.name(0), cx.step).map(Some)
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(
            cx.engine.select(one(inputs, self.name())?, &self.query)?,
        ))
    }
}

/// The column a SQL select item names when it is only a column reference: an identifier
/// (kept as written: the engines do not normalise identifiers) or a double-quoted name (`""`
/// inside for `"`); `None` for an expression.
fn column_reference(item: &str) -> Option<String> {
    let item = item.trim();
    let plain = item
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && item.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        return Some(item.to_string());
    }
    let inner = item.strip_prefix('"')?.strip_suffix('"')?;
    let mut name = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            // Only a doubled quote may appear inside.
            if chars.next() != Some('"') {
                return None;
            }
        }
        name.push(c);
    }
    Some(name)
}

impl<'w> WorkflowFrame<'w> {
    /// A SQL select of column expressions (`"a"`, `"b * 2 AS c"`, `"SUM(x) AS s"`).
    #[track_caller]
    pub fn select(&self, columns: &[&str]) -> WorkflowFrame<'w> {
        self.select_where(columns, None, None, false)
    }

    /// A SQL select with `WHERE`, `HAVING` and `DISTINCT`.
    #[track_caller]
    pub fn select_where(
        &self,
        columns: &[&str],
        filter: Option<&str>,
        having: Option<&str>,
        distinct: bool,
    ) -> WorkflowFrame<'w> {
        self.then(
            Op::new(Select {
                query: SelectQuery {
                    columns: owned(columns),
                    where_clause: filter.map(str::to_string),
                    having: having.map(str::to_string),
                    distinct,
                },
            }),
            SourceLocation::caller(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::column_reference;

    #[test]
    fn column_references_and_expressions() {
        assert_eq!(column_reference(" fare ").as_deref(), Some("fare"));
        assert_eq!(column_reference("Fare_2").as_deref(), Some("Fare_2"));
        assert_eq!(
            column_reference("\"unit price\"").as_deref(),
            Some("unit price")
        );
        assert_eq!(column_reference("\"a\"\"b\"").as_deref(), Some("a\"b"));
        for expression in ["fare * 2", "\"a\" AS b", "\"a\"b\"", "*", "1", "sum(x)", ""] {
            assert_eq!(column_reference(expression), None, "{expression}");
        }
    }
}
