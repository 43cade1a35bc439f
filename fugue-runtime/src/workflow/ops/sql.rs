//! `sql`: a SQL query over earlier steps, each a table under its name.

use super::{Op, Operation, PlanContext, RunContext};
use crate::engine::planned;
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::{FugueError, Result, Schema};

/// A SQL query over named frames.
#[derive(Clone)]
pub(crate) struct Sql {
    query: String,
    /// The table name of each input, in order.
    names: Vec<String>,
}

impl Operation for Sql {
    fn name(&self) -> &'static str {
        "sql"
    }

    fn args(&self) -> String {
        self.query.clone()
    }

    fn key_args(&self) -> String {
        format!("query={:?}; tables={:?}", self.query, self.names)
    }

    /// DataFusion plans the query over empty frames of the inputs' schemas
    /// ([`planned::sql`]): its schema is known, and its mistakes reported, before data moves.
    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        cx.expect_inputs(self.name(), self.names.len())?;
        for (i, name) in self.names.iter().enumerate() {
            if self.names[..i].contains(name) {
                return Err(FugueError::invalid_argument(
                    "tables",
                    format!("table `{name}` is given twice; give each table one name"),
                ));
            }
        }
        let Some(schemas) = cx.all_known() else {
            return Ok(None);
        };
        let tables: Vec<(&str, &Schema)> = self
            .names
            .iter()
            .map(String::as_str)
            .zip(schemas.iter())
            .collect();
        planned::sql(&tables, &self.query)
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let tables = self.names.iter().map(String::as_str).zip(inputs).collect();
        Ok(Some(cx.engine.sql(tables, &self.query)?))
    }
}

impl Workflow {
    /// A SQL query (DataFusion's SQL) over earlier steps, each a table under the name given
    /// with it. Names are read as DataFusion reads SQL: unquoted identifiers are lower-cased,
    /// so a table or column name with capitals is quoted (`"byMonth"`). The output schema is
    /// planned before anything runs. In `workflow!`, `sql("..")` finds the tables by the
    /// steps' names and checks the columns at compile time.
    ///
    #[cfg_attr(feature = "datafusion", doc = "```")]
    #[cfg_attr(not(feature = "datafusion"), doc = "```text")]
    /// use fugue_runtime::workflow::Workflow;
    /// use fugue_runtime::{ArrowFrame, Value};
    ///
    /// let rows = vec![
    ///     vec![Value::from("Oslo"), Value::from(10.0)],
    ///     vec![Value::from("Oslo"), Value::from(5.0)],
    /// ];
    /// let wf = Workflow::new();
    /// let trips = wf.create(ArrowFrame::from_rows("city:str,fare:double", &rows)?);
    /// let totals = wf.sql(
    ///     "SELECT city, sum(fare) AS total FROM trips GROUP BY city",
    ///     &[("trips", trips)],
    /// );
    /// totals.yield_as("totals");
    /// let result = wf.run_on("local")?;
    /// let mut totals = result.get("totals")?;
    /// assert_eq!(totals.schema().to_string(), "city:str,total:double");
    /// assert_eq!(totals.as_rows()?[0][1], Value::from(15.0));
    /// # Ok::<(), fugue_core::FugueError>(())
    /// ```
    #[track_caller]
    pub fn sql<'w>(
        &'w self,
        query: &str,
        tables: &[(&str, WorkflowFrame<'w>)],
    ) -> WorkflowFrame<'w> {
        let source = SourceLocation::caller();
        let frames: Vec<WorkflowFrame<'w>> = tables.iter().map(|(_, f)| *f).collect();
        let op = Sql {
            query: query.to_string(),
            names: tables.iter().map(|(n, _)| n.to_string()).collect(),
        };
        self.add_checked(Op::new(op), &frames, None, source)
    }
}
