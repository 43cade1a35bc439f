//! `fillna`: replace NULLs by a value, or a value per column.

use super::{Op, Operation, PlanContext, RunContext, one, owned, strs};
use crate::engine::FillValue;
use crate::frame::DataFrame;
use crate::value::Value;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::rules::eval;
use fugue_core::{Result, Schema};

/// Fill NULLs.
#[derive(Clone)]
pub(crate) struct FillNa {
    value: FillValue,
    /// The columns filled (every column when `None`; ignored with a value per column).
    subset: Option<Vec<String>>,
}

impl Operation for FillNa {
    fn name(&self) -> &'static str {
        "fillna"
    }

    fn args(&self) -> String {
        let v = match &self.value {
            FillValue::All(v) => format!("{v:?}"),
            FillValue::PerColumn(p) => format!("{p:?}"),
        };
        format!(
            "value={v}, subset={}",
            self.subset
                .as_ref()
                .map(|s| s.join(","))
                .unwrap_or_default()
        )
    }

    fn key_args(&self) -> String {
        let value = match &self.value {
            FillValue::All(v) => format!("All({v:?})"),
            FillValue::PerColumn(p) => format!("PerColumn({p:?})"),
        };
        format!("value={value}; subset={:?}", self.subset)
    }

    /// The filled columns become non-nullable (the rule `workflow!` applies too).
    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        self.value.validate()?;
        let Some(s) = cx.first() else {
            return Ok(None);
        };
        let filled: Option<Vec<&str>> = match &self.value {
            FillValue::All(_) => self.subset.as_deref().map(strs),
            FillValue::PerColumn(values) => Some(values.iter().map(|(c, _)| c.as_str()).collect()),
        };
        Ok(Some(eval::fill_nulls(
            &s,
            filled.as_deref(),
            cx.name(0),
            cx.step,
        )?))
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let subset = self.subset.as_deref().map(strs);
        Ok(Some(cx.engine.fillna(
            one(inputs, self.name())?,
            &self.value,
            subset.as_deref(),
        )?))
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Replace NULLs by one value.
    #[track_caller]
    pub fn fillna(&self, value: impl Into<Value>, subset: Option<&[&str]>) -> WorkflowFrame<'w> {
        self.then(
            Op::new(FillNa {
                value: FillValue::All(value.into()),
                subset: subset.map(owned),
            }),
            SourceLocation::caller(),
        )
    }

    /// Replace NULLs by a value per column.
    #[track_caller]
    pub fn fillna_columns(&self, values: Vec<(&str, Value)>) -> WorkflowFrame<'w> {
        self.then(
            Op::new(FillNa {
                value: FillValue::PerColumn(
                    values
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                ),
                subset: None,
            }),
            SourceLocation::caller(),
        )
    }
}
