//! The relational operations without the `datafusion` feature: the schema checks still run
//! (so a bad request fails the same way), then the operation is unsupported.

use super::checks::{join_plan, same_schema};
use super::options::{JoinHow, NaPosition, SelectQuery};
use crate::frame::{ArrowFrame, DataFrame};
use fugue_core::{FugueError, PartitionSpec, Result};

/// The error of an operation that needs DataFusion.
pub(crate) fn needs_datafusion(operation: &str) -> FugueError {
    FugueError::Unsupported {
        operation: operation.to_string(),
        reason: "relational operations and load/save run on DataFusion; enable the \
                 `datafusion` cargo feature of fugue-runtime (on by default in `fugue`)"
            .into(),
    }
}

/// No session without DataFusion.
#[derive(Debug)]
pub(crate) struct Session;

impl Session {
    /// Nothing to start.
    pub(crate) fn new(threads: Option<usize>, target_partitions: usize) -> Result<Self> {
        let _ = (threads, target_partitions);
        Ok(Session)
    }

    /// Nothing to plan.
    pub(crate) fn lazy(self) -> Self {
        self
    }

    /// No query holds memory.
    pub(crate) fn with_memory(
        self,
        limit: Option<usize>,
        spill_dir: Option<std::path::PathBuf>,
    ) -> Self {
        let _ = (limit, spill_dir);
        self
    }
}

/// An input of a relational operation: rows (no plan exists without DataFusion).
pub(crate) type Input = ArrowFrame;

pub(crate) use fugue_core::options::SetOp;

pub(crate) fn join(
    _: &Session,
    left: &Input,
    right: &Input,
    how: JoinHow,
    on: &[&str],
) -> Result<DataFrame> {
    join_plan(left.schema(), right.schema(), how, on)?;
    Err(needs_datafusion("join"))
}

pub(crate) fn set_operation(
    _: &Session,
    op: SetOp,
    left: &Input,
    right: &Input,
    _distinct: bool,
) -> Result<DataFrame> {
    same_schema(op.name(), left.schema(), right.schema())?;
    Err(needs_datafusion(op.name()))
}

pub(crate) fn distinct(_: &Session, _: &Input) -> Result<DataFrame> {
    Err(needs_datafusion("distinct"))
}

pub(crate) fn take(
    _: &Session,
    _: &Input,
    _: usize,
    _: &[fugue_core::SortKey],
    _: NaPosition,
    _: Option<&PartitionSpec>,
) -> Result<DataFrame> {
    Err(needs_datafusion("take"))
}

pub(crate) fn select(_: &Session, _: &Input, _: &SelectQuery) -> Result<DataFrame> {
    Err(needs_datafusion("select"))
}

pub(crate) fn filter(_: &Session, _: &Input, _: &str) -> Result<DataFrame> {
    Err(needs_datafusion("filter"))
}

pub(crate) fn sql(_: &Session, _: &[(&str, Input)], _: &str) -> Result<DataFrame> {
    Err(needs_datafusion("sql"))
}

pub(crate) fn assign(_: &Session, _: &Input, _: &[(&str, &str)]) -> Result<DataFrame> {
    Err(needs_datafusion("assign"))
}

pub(crate) fn aggregate(
    _: &Session,
    _: &Input,
    _: &[&str],
    _: &[(&str, &str)],
) -> Result<DataFrame> {
    Err(needs_datafusion("aggregate"))
}
