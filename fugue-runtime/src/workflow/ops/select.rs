//! `select`: a SQL select of column expressions over one frame.

use super::{Op, Operation, PlanContext, RunContext, one, owned};
use crate::engine::SelectQuery;
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
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

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        if self.query.columns.is_empty() {
            return Err(FugueError::invalid_argument(
                "columns",
                "select needs at least one column expression",
            ));
        }
        Ok(None)
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        Ok(Some(
            cx.engine.select(one(inputs, self.name())?, &self.query)?,
        ))
    }
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
