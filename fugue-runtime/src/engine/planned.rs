//! The output schemas of the SQL-shaped operations, known before anything runs: each operation
//! is planned (never run) over an empty frame of its input's schema by the same code that runs
//! it, on a lazy session of its own, so a workflow's `explain()` and its run-time schema checks
//! see the schema the step will produce, and a mistake in the SQL (an unknown column, a
//! non-aggregate in `aggregate`) fails the plan before any data moves. Without the
//! `datafusion` feature the schemas are unknown (`None`), as before.

use super::options::SelectQuery;
use fugue_core::{Result, Schema};

#[cfg(feature = "datafusion")]
mod imp {
    use super::super::relational::{self, Input, Session};
    use crate::frame::{ArrowFrame, DataFrame};
    use fugue_core::{Result, Schema};
    use std::sync::OnceLock;

    /// The planning session: one thread, plans only.
    fn planner() -> &'static Session {
        static PLANNER: OnceLock<Session> = OnceLock::new();
        PLANNER.get_or_init(|| {
            Session::new(None, 1)
                .expect("a session without a backend starts nothing")
                .lazy()
        })
    }

    /// The schema of `op` over an empty frame of `schema`.
    pub(super) fn planned(
        schema: &Schema,
        op: impl FnOnce(&Session, &Input) -> Result<DataFrame>,
    ) -> Result<Option<Schema>> {
        let input = Input::Frame(ArrowFrame::empty(schema.clone())?);
        Ok(Some(op(planner(), &input)?.schema().clone()))
    }

    pub(super) use relational::{aggregate, assign, select, sql};

    /// The schema of a `sql` step over empty frames of the tables' schemas.
    pub(super) fn planned_sql(tables: &[(&str, &Schema)], query: &str) -> Result<Option<Schema>> {
        let inputs = tables
            .iter()
            .map(|(name, schema)| Ok((*name, Input::Frame(ArrowFrame::empty((*schema).clone())?))))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(sql(planner(), &inputs, query)?.schema().clone()))
    }
}

/// The schema of `aggregate(keys, columns)` over a frame of `schema`.
pub(crate) fn aggregate(
    schema: &Schema,
    keys: &[&str],
    columns: &[(&str, &str)],
) -> Result<Option<Schema>> {
    #[cfg(feature = "datafusion")]
    return imp::planned(schema, |s, input| imp::aggregate(s, input, keys, columns));
    #[cfg(not(feature = "datafusion"))]
    {
        let _ = (schema, keys, columns);
        Ok(None)
    }
}

/// The schema of `assign(columns)` over a frame of `schema`.
pub(crate) fn assign(schema: &Schema, columns: &[(&str, &str)]) -> Result<Option<Schema>> {
    #[cfg(feature = "datafusion")]
    return imp::planned(schema, |s, input| imp::assign(s, input, columns));
    #[cfg(not(feature = "datafusion"))]
    {
        let _ = (schema, columns);
        Ok(None)
    }
}

/// The schema of `select(query)` over a frame of `schema`.
pub(crate) fn select(schema: &Schema, query: &SelectQuery) -> Result<Option<Schema>> {
    #[cfg(feature = "datafusion")]
    return imp::planned(schema, |s, input| imp::select(s, input, query));
    #[cfg(not(feature = "datafusion"))]
    {
        let _ = (schema, query);
        Ok(None)
    }
}

/// The schema of a `sql` step over tables of these schemas (`(name, schema)`).
pub(crate) fn sql(tables: &[(&str, &Schema)], query: &str) -> Result<Option<Schema>> {
    #[cfg(feature = "datafusion")]
    return imp::planned_sql(tables, query);
    #[cfg(not(feature = "datafusion"))]
    {
        let _ = (tables, query);
        Ok(None)
    }
}

#[cfg(all(test, feature = "datafusion"))]
mod tests {
    use super::*;
    use fugue_core::ErrorKind;

    #[test]
    fn sql_steps_have_schemas_before_they_run() {
        let schema: Schema = "k:str,v:double,n:int".parse().unwrap();
        let agg = aggregate(
            &schema,
            &["k"],
            &[("total", "SUM(v)"), ("rows", "COUNT(*)")],
        )
        .unwrap()
        .unwrap();
        assert_eq!(agg.to_string(), "k:str,total:double,rows:long");
        let assigned = assign(&schema, &[("n", "n * 2"), ("w", "v > 1")])
            .unwrap()
            .unwrap();
        assert_eq!(assigned.to_string(), "k:str,v:double,n:long,w:bool");
        let err = aggregate(&schema, &["k"], &[("total", "SUM(vv)")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ColumnNotFound, "{err}");
        let query = SelectQuery::new(["k", "MAX(v) AS top"]);
        assert_eq!(
            select(&schema, &query).unwrap().unwrap().to_string(),
            "k:str,top:double"
        );
        let other: Schema = "k:str,w:long".parse().unwrap();
        let joined = sql(
            &[("a", &schema), ("b", &other)],
            "SELECT A.k, sum(w) AS total FROM a JOIN b ON a.k = b.k GROUP BY a.k",
        )
        .unwrap()
        .unwrap();
        assert_eq!(joined.to_string(), "k:str,total:long");
        let err = sql(&[("a", &schema)], "SELECT nope FROM a").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ColumnNotFound, "{err}");
    }
}
