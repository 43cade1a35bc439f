//! `save`: write a frame to a file or a folder (partitioned by the spec's keys).

use super::{Choice, Op, Operation, PlanContext, RunContext, chosen, one};
use crate::engine::SaveOptions;
use crate::frame::DataFrame;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::options::{FileFormat, SaveMode};
use fugue_core::{FugueError, Result, Schema};

/// Save to a file.
#[derive(Clone)]
pub(crate) struct Save {
    path: String,
    mode: SaveMode,
    /// The format, or from the extension.
    format: Option<FileFormat>,
}

impl Operation for Save {
    fn name(&self) -> &'static str {
        "save"
    }

    fn has_output(&self) -> bool {
        false
    }

    fn args(&self) -> String {
        let mut s = format!("{:?}, mode={}", self.path, self.mode);
        if let Some(f) = self.format {
            s.push_str(&format!(", format={f}"));
        }
        s
    }

    fn key_args(&self) -> String {
        format!(
            "path={:?}; mode={:?}; format={:?}",
            self.path,
            self.mode.name(),
            self.format.map(FileFormat::name)
        )
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        if self.path.trim().is_empty() {
            return Err(FugueError::invalid_argument("path", "the path is empty"));
        }
        Ok(None)
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let options = SaveOptions {
            format: self.format,
            mode: self.mode,
            partition_by: cx.spec_or_empty().keys().to_vec(),
            ..SaveOptions::default()
        };
        cx.engine
            .save(one(inputs, self.name())?, &self.path, &options)?;
        Ok(None)
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Save to a file (`mode`: a [`SaveMode`] or its name, `overwrite`, `append`, `error`), in
    /// the format of the extension.
    #[track_caller]
    pub fn save(&self, path: impl Into<String>, mode: impl Choice<SaveMode>) -> WorkflowFrame<'w> {
        self.save_with(path.into(), mode, None, SourceLocation::caller())
    }

    /// Save in an explicit format (a [`FileFormat`] or its name).
    #[track_caller]
    pub fn save_as(
        &self,
        path: impl Into<String>,
        mode: impl Choice<SaveMode>,
        format: impl Choice<FileFormat>,
    ) -> WorkflowFrame<'w> {
        let (format, error) = chosen(format, FileFormat::Parquet);
        let frame = self.save_with(path.into(), mode, Some(format), SourceLocation::caller());
        if let Some(e) = error {
            self.wf.note(frame.id, &e);
        }
        frame
    }

    fn save_with(
        &self,
        path: String,
        mode: impl Choice<SaveMode>,
        format: Option<FileFormat>,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        let (mode, error) = chosen(mode, SaveMode::default());
        let frame = self.then(Op::new(Save { path, mode, format }), source);
        if let Some(e) = error {
            self.wf.note(frame.id, &e);
        }
        frame
    }
}
