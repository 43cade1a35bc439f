//! The relational operations, run on DataFusion: join, set operations, distinct, take, and the
//! SQL operations (select, filter, assign, aggregate).
//!
//! Each operation registers its input frames as in-memory tables of a fresh `SessionContext`,
//! runs one generated SQL statement, and normalises the result to Fugue's supported Arrow
//! types (DataFusion may produce `Utf8View`, `LargeUtf8`, dictionaries, ...) before it leaves
//! the engine. DataFusion is async: the [`Session`] owns a tokio runtime and blocks on it, so
//! no async type appears in the engine API.
//!
//! Identifiers are always double-quoted (inner quotes doubled) and identifier normalisation is
//! off, so column names with spaces, quotes, backticks or capitals are safe; user SQL (select
//! items, conditions) is inserted as given, as the contract defines it.

use super::checks::{JoinPlan, join_plan, same_schema};
use super::options::{JoinHow, NaPosition, SelectQuery};
use crate::frame::ArrowFrame;
use arrow::array::{ArrayRef, RecordBatch, UInt64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Fields, Schema as ArrowSchema, SchemaRef};
use datafusion::common::SchemaError;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::context::SQLOptions;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::{SessionConfig, SessionContext};
use fugue_core::{FugueError, PartitionSpec, Result, Schema, SortKey};
use std::future::Future;
use std::sync::Arc;

/// Where an engine's relational operations run: how a DataFusion context is made and how the
/// engine's frames become its tables. The engines of one machine use in-memory tables of a
/// local context; a distributed engine (the `fugue-cluster` crate) plugs in a context of its
/// cluster and tables that its nodes can read. Every operation's SQL, checks and result
/// normalisation stay the same whatever the backend.
pub trait SqlBackend: Send + Sync + std::fmt::Debug {
    /// A context with this configuration (Fugue's options already set on it).
    fn context<'a>(
        &'a self,
        config: SessionConfig,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<SessionContext>> + Send + 'a>>;

    /// Register `frame` as table `name` of `ctx`, split into about `partitions` partitions.
    /// The returned value lives until the query's result is collected (for example the
    /// staged files of the table, removed when it drops).
    fn register(
        &self,
        ctx: &SessionContext,
        name: &str,
        frame: &ArrowFrame,
        partitions: usize,
    ) -> Result<Box<dyn std::any::Any + Send>>;
}

/// A DataFusion session factory with its own tokio runtime.
pub(crate) struct Session {
    /// Started on first use: an engine that only maps never starts one.
    runtime: std::sync::OnceLock<std::result::Result<tokio::runtime::Runtime, String>>,
    threads: Option<usize>,
    target_partitions: usize,
    /// Where queries run; `None`: in-memory tables of a local context.
    backend: Option<Arc<dyn SqlBackend>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("target_partitions", &self.target_partitions)
            .finish()
    }
}

/// Double-quote an SQL identifier.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column name that is not in `schema`, starting from `base`.
fn fresh_name(schema: &Schema, base: &str) -> String {
    let mut name = base.to_string();
    while schema.contains_name(&name) {
        name.push('_');
    }
    name
}

/// The supported type DataFusion's `data_type` stands for (views, large and fixed-size
/// variants and dictionaries become their plain form, recursively).
fn normalize_type(data_type: &DataType) -> DataType {
    let field = |f: &Field| {
        Arc::new(Field::new(
            f.name(),
            normalize_type(f.data_type()),
            f.is_nullable(),
        ))
    };
    match data_type {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary | DataType::FixedSizeBinary(_) => {
            DataType::Binary
        }
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f)
        | DataType::LargeListView(f) => DataType::List(Arc::new(Field::new_list_field(
            normalize_type(f.data_type()),
            f.is_nullable(),
        ))),
        DataType::Struct(fields) => DataType::Struct(Fields::from(
            fields.iter().map(|f| field(f)).collect::<Vec<_>>(),
        )),
        DataType::Map(entries, sorted) => DataType::Map(field(entries), *sorted),
        DataType::Dictionary(_, value) => normalize_type(value),
        other => other.clone(),
    }
}

/// DataFusion's result as a frame of supported types: every column cast to its normalised type
/// (an unsupported type that has no supported form is [`FugueError::Unsupported`] naming the
/// column).
pub(crate) fn normalize(schema: &ArrowSchema, batches: Vec<RecordBatch>) -> Result<ArrowFrame> {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| Field::new(f.name(), normalize_type(f.data_type()), true))
        .collect();
    let target: SchemaRef = Arc::new(ArrowSchema::new(fields));
    let fugue_schema = Schema::from_arrow(&target)?;
    let out = batches
        .into_iter()
        .map(|batch| {
            let columns = batch
                .columns()
                .iter()
                .zip(target.fields())
                .map(|(column, field)| {
                    if column.data_type() == field.data_type() {
                        Ok(column.clone())
                    } else {
                        cast(column, field.data_type()).map_err(FugueError::from)
                    }
                })
                .collect::<Result<Vec<ArrayRef>>>()?;
            Ok(RecordBatch::try_new(target.clone(), columns)?)
        })
        .collect::<Result<Vec<_>>>()?;
    ArrowFrame::new(fugue_schema, out)
}

/// A DataFusion error as a Fugue error: a missing column is [`FugueError::ColumnNotFound`],
/// SQL that does not parse or plan is [`FugueError::InvalidArgument`] naming `argument` and the
/// SQL, anything else is [`FugueError::External`].
fn df_error(error: DataFusionError, argument: &str, sql: &str) -> FugueError {
    let root = error.find_root();
    match root {
        DataFusionError::SchemaError(schema_error, _) => match schema_error.as_ref() {
            SchemaError::FieldNotFound {
                field,
                valid_fields,
            } => {
                let names: Vec<String> = valid_fields.iter().map(|c| c.name.clone()).collect();
                FugueError::column_not_found(
                    &field.name,
                    format!("{argument} `{sql}`"),
                    names.join(","),
                    names.iter().map(String::as_str),
                )
            }
            _ => FugueError::invalid_argument(argument, format!("`{sql}`: {root}")),
        },
        DataFusionError::SQL(..)
        | DataFusionError::Plan(_)
        | DataFusionError::NotImplemented(_) => {
            FugueError::invalid_argument(argument, format!("`{sql}`: {root}"))
        }
        _ => FugueError::external(
            format!("DataFusion failed to run {argument}"),
            error.to_string(),
        ),
    }
}

/// What statements user SQL may be: queries only.
fn query_only() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

impl Session {
    /// A session running on `threads` tokio worker threads (`None`: the calling thread only)
    /// with `target_partitions` DataFusion partitions.
    pub(crate) fn new(threads: Option<usize>, target_partitions: usize) -> Result<Self> {
        Ok(Session {
            runtime: std::sync::OnceLock::new(),
            threads,
            target_partitions: target_partitions.max(1),
            backend: None,
        })
    }

    /// This session with queries run by `backend` over `target_partitions` partitions.
    pub(crate) fn with_backend(
        mut self,
        backend: Arc<dyn SqlBackend>,
        target_partitions: usize,
    ) -> Self {
        self.backend = Some(backend);
        self.target_partitions = target_partitions.max(1);
        self
    }

    /// The tokio runtime, started on first use.
    fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        let runtime = self.runtime.get_or_init(|| {
            // Timers and sockets: a backend may reach a cluster over the network.
            match self.threads {
                None => tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build(),
                Some(n) => tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(n.max(1))
                    .thread_name("fugue-local")
                    .enable_all()
                    .build(),
            }
            .map_err(|e| e.to_string())
        });
        runtime
            .as_ref()
            .map_err(|e| FugueError::external("cannot start the engine's tokio runtime", e.clone()))
    }

    /// Fugue's DataFusion options: identifiers case-sensitive, plain string types,
    /// `target_partitions`.
    fn config(&self) -> SessionConfig {
        let mut config = SessionConfig::new()
            .with_target_partitions(self.target_partitions)
            .with_information_schema(false);
        let options = config.options_mut();
        options.sql_parser.enable_ident_normalization = false;
        options.sql_parser.map_string_types_to_utf8view = false;
        options.execution.parquet.schema_force_view_types = false;
        config
    }

    /// A fresh local context.
    fn context(&self) -> SessionContext {
        SessionContext::new_with_config(self.config())
    }

    /// Run a future to completion on the runtime (from another thread when the caller is
    /// itself inside a tokio runtime, where blocking would panic).
    fn block_on<T, F>(&self, future: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send,
        T: Send,
    {
        let runtime = self.runtime()?;
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| {
                let handle = s.spawn(|| runtime.block_on(future));
                match handle.join() {
                    Ok(out) => out,
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            })
        } else {
            runtime.block_on(future)
        }
    }

    /// A context with `frames` registered as tables `t0`, `t1`, ... (each split into up to
    /// `target_partitions` partitions).
    fn with_tables(&self, frames: &[&ArrowFrame]) -> Result<SessionContext> {
        let ctx = self.context();
        for (i, frame) in frames.iter().enumerate() {
            let partitions = split_batches(frame.batches(), self.target_partitions);
            let table = MemTable::try_new(frame.arrow_schema().clone(), partitions)
                .map_err(|e| df_error(e, "registering a table", ""))?;
            ctx.register_table(format!("t{i}"), Arc::new(table))
                .map_err(|e| df_error(e, "registering a table", ""))?;
        }
        Ok(ctx)
    }

    /// Run one query over `frames` (tables `t0`, `t1`, ...); errors name `argument`.
    pub(crate) fn query(
        &self,
        frames: &[&ArrowFrame],
        sql: &str,
        argument: &str,
    ) -> Result<ArrowFrame> {
        let partitions = self.target_partitions;
        let (schema, batches) = self.block_on(async move {
            // Where the tables live: in memory, or wherever the backend puts them (kept
            // until the result is collected).
            let (ctx, staged) = match &self.backend {
                None => (self.with_tables(frames)?, Vec::new()),
                Some(backend) => {
                    let ctx = backend.context(self.config()).await?;
                    let mut staged = Vec::with_capacity(frames.len());
                    for (i, frame) in frames.iter().enumerate() {
                        staged.push(backend.register(&ctx, &format!("t{i}"), frame, partitions)?);
                    }
                    (ctx, staged)
                }
            };
            let df = ctx
                .sql_with_options(sql, query_only())
                .await
                .map_err(|e| df_error(e, argument, sql))?;
            let schema = df.schema().as_arrow().clone();
            let batches = df.collect().await.map_err(|e| df_error(e, argument, sql))?;
            drop(staged);
            Ok::<_, FugueError>((schema, batches))
        })?;
        normalize(&schema, batches)
    }

    /// Whether the select item `expr` over `frame` is an aggregation (its plan aggregates).
    /// Planning only: always on a local context, whatever the backend.
    fn is_aggregate(&self, frame: &ArrowFrame, expr: &str, argument: &str) -> Result<bool> {
        let ctx = self.with_tables(&[frame])?;
        let sql = format!("SELECT {expr} FROM \"t0\"");
        let plan = self.block_on(async {
            ctx.state()
                .create_logical_plan(&sql)
                .await
                .map_err(|e| df_error(e, argument, expr))
        })?;
        Ok(has_aggregate(&plan))
    }
}

/// Whether a plan has an aggregation.
fn has_aggregate(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::Aggregate(_)) || plan.inputs().into_iter().any(has_aggregate)
}

/// Batches spread over up to `n` partitions of about equal row counts (at least one,
/// possibly empty; one when there are fewer rows than partitions).
pub fn split_batches(batches: &[RecordBatch], n: usize) -> Vec<Vec<RecordBatch>> {
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    if n <= 1 || rows < n {
        return vec![batches.to_vec()];
    }
    let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); n];
    let chunk = rows.div_ceil(n);
    let (mut part, mut filled) = (0, 0);
    for batch in batches {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = (chunk - filled).min(batch.num_rows() - offset);
            parts[part].push(batch.slice(offset, len));
            offset += len;
            filled += len;
            if filled == chunk && part + 1 < n {
                part += 1;
                filled = 0;
            }
        }
    }
    parts
}

/// The frame's quoted column list.
fn column_list(schema: &Schema, prefix: &str) -> String {
    schema
        .names()
        .map(|n| format!("{prefix}{}", quote(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The result cast to the schema the operation promised.
fn conform(frame: ArrowFrame, schema: &Schema) -> Result<ArrowFrame> {
    let batches = frame
        .into_batches()
        .into_iter()
        .map(|batch| {
            let target = Arc::new(schema.to_arrow());
            let columns = batch
                .columns()
                .iter()
                .zip(target.fields())
                .map(|(c, f)| {
                    if c.data_type() == f.data_type() {
                        Ok(c.clone())
                    } else {
                        cast(c, f.data_type()).map_err(FugueError::from)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(RecordBatch::try_new(target, columns)?)
        })
        .collect::<Result<Vec<_>>>()?;
    ArrowFrame::new(schema.clone(), batches)
}

/// Join two frames (reference §2.3; checks in [`join_plan`]).
pub(crate) fn join(
    session: &Session,
    left: &ArrowFrame,
    right: &ArrowFrame,
    how: JoinHow,
    on: &[&str],
) -> Result<ArrowFrame> {
    let JoinPlan { keys, output } = join_plan(left.schema(), right.schema(), how, on)?;
    let is_key = |n: &str| keys.iter().any(|k| k == n);
    let condition = keys
        .iter()
        .map(|k| format!("l.{q} = r.{q}", q = quote(k)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let mut items: Vec<String> = left
        .schema()
        .names()
        .map(|n| {
            let q = quote(n);
            match how {
                JoinHow::RightOuter if is_key(n) => format!("r.{q} AS {q}"),
                JoinHow::FullOuter if is_key(n) => format!("COALESCE(l.{q}, r.{q}) AS {q}"),
                _ => format!("l.{q} AS {q}"),
            }
        })
        .collect();
    if !how.is_filtering() {
        items.extend(
            right
                .schema()
                .names()
                .filter(|n| !is_key(n))
                .map(|n| format!("r.{q} AS {q}", q = quote(n))),
        );
    }
    let join = match how {
        JoinHow::Inner => "INNER JOIN",
        JoinHow::LeftOuter => "LEFT OUTER JOIN",
        JoinHow::RightOuter => "RIGHT OUTER JOIN",
        JoinHow::FullOuter => "FULL OUTER JOIN",
        JoinHow::Semi => "LEFT SEMI JOIN",
        JoinHow::Anti => "LEFT ANTI JOIN",
        JoinHow::Cross => "CROSS JOIN",
    };
    let on_clause = if how == JoinHow::Cross {
        String::new()
    } else {
        format!(" ON {condition}")
    };
    let sql = format!(
        "SELECT {} FROM \"t0\" AS l {join} \"t1\" AS r{on_clause}",
        items.join(", ")
    );
    let result = session.query(&[left, right], &sql, "join")?;
    conform(result, &output)
}

pub(crate) use fugue_core::options::SetOp;

/// `UNION`, `EXCEPT` or `INTERSECT`, distinct or with multiset (`ALL`) semantics; NULLs and
/// NaNs compare equal. DataFusion's `EXCEPT ALL` / `INTERSECT ALL` are not multiset operations
/// (each right row removes every equal left row), so `ALL` numbers equal rows on each side
/// (`ROW_NUMBER() OVER (PARTITION BY every column)`) and applies the distinct operation to
/// (row, number) pairs: the k-th copy of a row survives a difference exactly when the right
/// side has fewer than k copies, and an intersection when both sides have at least k copies.
pub(crate) fn set_operation(
    session: &Session,
    op: SetOp,
    left: &ArrowFrame,
    right: &ArrowFrame,
    distinct: bool,
) -> Result<ArrowFrame> {
    same_schema(op.name(), left.schema(), right.schema())?;
    let keyword = op.sql();
    let cols = column_list(left.schema(), "");
    let sql = if distinct {
        format!("SELECT {cols} FROM \"t0\" {keyword} SELECT {cols} FROM \"t1\"")
    } else if op == SetOp::Union {
        format!("SELECT {cols} FROM \"t0\" UNION ALL SELECT {cols} FROM \"t1\"")
    } else {
        let rn = quote(&fresh_name(left.schema(), "__fugue_copy"));
        let numbered = |t: &str| {
            format!("SELECT {cols}, ROW_NUMBER() OVER (PARTITION BY {cols}) AS {rn} FROM \"{t}\"")
        };
        format!(
            "SELECT {cols} FROM ({} {keyword} {}) AS x",
            numbered("t0"),
            numbered("t1")
        )
    };
    let result = session.query(&[left, right], &sql, op.name())?;
    conform(result, left.schema())
}

/// `SELECT DISTINCT *`: NULLs equal each other, NaN equals NaN.
pub(crate) fn distinct(session: &Session, frame: &ArrowFrame) -> Result<ArrowFrame> {
    let sql = format!(
        "SELECT DISTINCT {} FROM \"t0\"",
        column_list(frame.schema(), "")
    );
    let result = session.query(&[frame], &sql, "distinct")?;
    conform(result, frame.schema())
}

/// `frame` with a last column `name` (`uint64`) numbering its rows from 0 (to keep the input
/// order through SQL or a shuffle).
pub fn with_row_numbers(frame: &ArrowFrame, name: &str) -> Result<ArrowFrame> {
    let mut columns = frame.schema().columns().to_vec();
    columns.push(fugue_core::Column::new(name, DataType::UInt64));
    let schema = Schema::new(columns)?;
    let mut offset = 0_u64;
    let batches = frame
        .batches()
        .iter()
        .map(|b| {
            let n = b.num_rows() as u64;
            let ids: ArrayRef = Arc::new(UInt64Array::from_iter_values(offset..offset + n));
            offset += n;
            let mut cols = b.columns().to_vec();
            cols.push(ids);
            Ok(RecordBatch::try_new(Arc::new(schema.to_arrow()), cols)?)
        })
        .collect::<Result<Vec<_>>>()?;
    ArrowFrame::new(schema, batches)
}

/// The first `n` rows overall or per partition-key group (a NULL key is a group), ordered by
/// `presort` (or the spec's presort when `presort` is empty; else the input order), NULLs
/// placed by `na_position` whatever the direction (reference §2.5). The result is ordered by
/// the keys, then the sort.
pub(crate) fn take(
    session: &Session,
    frame: &ArrowFrame,
    n: usize,
    presort: &[SortKey],
    na_position: NaPosition,
    partition: Option<&PartitionSpec>,
) -> Result<ArrowFrame> {
    let schema = frame.schema();
    let keys: Vec<String> = partition.map(|p| p.keys().to_vec()).unwrap_or_default();
    let sorts: Vec<SortKey> = if presort.is_empty() {
        partition.map(|p| p.presort().to_vec()).unwrap_or_default()
    } else {
        presort.to_vec()
    };
    for name in keys.iter().chain(sorts.iter().map(|s| &s.name)) {
        if !schema.contains_name(name) {
            return Err(FugueError::column_not_found(
                name,
                "take",
                schema,
                schema.names(),
            ));
        }
    }
    let row = fresh_name(schema, "__fugue_row");
    let rn = fresh_name(schema, "__fugue_rank");
    let numbered = with_row_numbers(frame, &row)?;
    let mut order: Vec<String> = sorts
        .iter()
        .map(|s| {
            let nulls = if s.nulls_first || na_position == NaPosition::First {
                "NULLS FIRST"
            } else {
                "NULLS LAST"
            };
            format!("{} {} {nulls}", quote(&s.name), s.direction())
        })
        .collect();
    order.push(quote(&row));
    let partition_clause = if keys.is_empty() {
        String::new()
    } else {
        format!(
            "PARTITION BY {} ",
            keys.iter().map(|k| quote(k)).collect::<Vec<_>>().join(", ")
        )
    };
    let final_order: Vec<String> = keys
        .iter()
        .map(|k| format!("{} ASC NULLS LAST", quote(k)))
        .chain(order.iter().cloned())
        .collect();
    let cols = column_list(schema, "");
    let sql = format!(
        "SELECT {cols} FROM (SELECT *, ROW_NUMBER() OVER ({partition_clause}ORDER BY {}) AS {} \
         FROM \"t0\") AS x WHERE {} <= {n} ORDER BY {}",
        order.join(", "),
        quote(&rn),
        quote(&rn),
        final_order.join(", ")
    );
    let result = session.query(&[&numbered], &sql, "take")?;
    conform(result, schema)
}

/// A SQL select over one frame; with aggregations, the non-aggregated items are the
/// `GROUP BY` keys (by position).
pub(crate) fn select(
    session: &Session,
    frame: &ArrowFrame,
    query: &SelectQuery,
) -> Result<ArrowFrame> {
    if query.columns.is_empty() {
        return Err(FugueError::invalid_argument(
            "columns",
            "select needs at least one column",
        ));
    }
    let mut group_by = Vec::new();
    let mut any_aggregate = false;
    for (i, item) in query.columns.iter().enumerate() {
        if session.is_aggregate(frame, item, "columns")? {
            any_aggregate = true;
        } else {
            group_by.push((i + 1).to_string());
        }
    }
    let mut sql = format!(
        "SELECT {}{} FROM \"t0\"",
        if query.distinct { "DISTINCT " } else { "" },
        query.columns.join(", ")
    );
    if let Some(w) = &query.where_clause {
        sql.push_str(&format!(" WHERE {w}"));
    }
    if any_aggregate && !group_by.is_empty() {
        sql.push_str(&format!(" GROUP BY {}", group_by.join(", ")));
    }
    if let Some(h) = &query.having {
        sql.push_str(&format!(" HAVING {h}"));
    }
    session.query(&[frame], &sql, "select")
}

/// The rows where `condition` is true.
pub(crate) fn filter(session: &Session, frame: &ArrowFrame, condition: &str) -> Result<ArrowFrame> {
    let sql = format!(
        "SELECT {} FROM \"t0\" WHERE {condition}",
        column_list(frame.schema(), "")
    );
    let result = session.query(&[frame], &sql, "condition")?;
    conform(result, frame.schema())
}

/// Replace same-named columns in place and append new ones, in order; every expression sees the
/// input columns and must not aggregate.
pub(crate) fn assign(
    session: &Session,
    frame: &ArrowFrame,
    columns: &[(&str, &str)],
) -> Result<ArrowFrame> {
    for (i, (name, expr)) in columns.iter().enumerate() {
        if columns[..i].iter().any(|(n, _)| n == name) {
            return Err(FugueError::DuplicateColumn {
                column: name.to_string(),
                context: "assign".into(),
                schema: String::new(),
            });
        }
        if session.is_aggregate(frame, expr, "columns")? {
            return Err(FugueError::invalid_argument(
                "columns",
                format!("assign cannot aggregate: `{name}` is `{expr}`"),
            ));
        }
    }
    let mut items: Vec<String> = frame
        .schema()
        .names()
        .map(|n| match columns.iter().find(|(c, _)| *c == n) {
            Some((_, expr)) => format!("({expr}) AS {}", quote(n)),
            None => quote(n),
        })
        .collect();
    items.extend(
        columns
            .iter()
            .filter(|(n, _)| !frame.schema().contains_name(n))
            .map(|(n, expr)| format!("({expr}) AS {}", quote(n))),
    );
    let sql = format!("SELECT {} FROM \"t0\"", items.join(", "));
    session.query(&[frame], &sql, "columns")
}

/// Group by `partition_by` and compute `columns` (each must be an aggregation): the output is
/// the keys, then the columns.
pub(crate) fn aggregate(
    session: &Session,
    frame: &ArrowFrame,
    partition_by: &[&str],
    columns: &[(&str, &str)],
) -> Result<ArrowFrame> {
    let schema = frame.schema();
    if columns.is_empty() {
        return Err(FugueError::invalid_argument(
            "columns",
            "aggregate needs at least one aggregation",
        ));
    }
    for key in partition_by {
        if !schema.contains_name(key) {
            return Err(FugueError::column_not_found(
                key,
                "the keys of aggregate",
                schema,
                schema.names(),
            ));
        }
    }
    for (name, expr) in columns {
        if !session.is_aggregate(frame, expr, "columns")? {
            return Err(FugueError::invalid_argument(
                "columns",
                format!("every aggregate column must be an aggregation; `{name}` is `{expr}`"),
            ));
        }
    }
    let keys: Vec<String> = partition_by.iter().map(|k| quote(k)).collect();
    let items: Vec<String> = keys
        .iter()
        .cloned()
        .chain(
            columns
                .iter()
                .map(|(n, expr)| format!("({expr}) AS {}", quote(n))),
        )
        .collect();
    let mut sql = format!("SELECT {} FROM \"t0\"", items.join(", "));
    if !keys.is_empty() {
        sql.push_str(&format!(" GROUP BY {}", keys.join(", ")));
    }
    session.query(&[frame], &sql, "columns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote("a b"), "\"a b\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn types_are_normalised() {
        assert_eq!(normalize_type(&DataType::Utf8View), DataType::Utf8);
        let large = DataType::LargeList(Arc::new(Field::new("item", DataType::LargeUtf8, true)));
        assert_eq!(
            normalize_type(&large),
            DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
        );
        let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        assert_eq!(normalize_type(&dict), DataType::Utf8);
    }

    #[test]
    fn queries_run_from_inside_another_runtime() {
        let frame = ArrowFrame::from_rows(
            "a:int",
            &[
                vec![crate::value::Value::from(1_i32)],
                vec![crate::value::Value::from(1_i32)],
            ],
        )
        .unwrap();
        let session = Session::new(None, 1).unwrap();
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = outer
            .block_on(async { distinct(&session, &frame) })
            .unwrap();
        assert_eq!(result.count(), 1);
    }

    #[test]
    fn batches_split_evenly() {
        let frame = ArrowFrame::from_rows(
            "a:int",
            &(0..10_i32)
                .map(|i| vec![crate::value::Value::from(i)])
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let parts = split_batches(frame.batches(), 3);
        let sizes: Vec<usize> = parts
            .iter()
            .map(|p| p.iter().map(RecordBatch::num_rows).sum())
            .collect();
        assert_eq!(sizes, [4, 4, 2]);
    }
}
