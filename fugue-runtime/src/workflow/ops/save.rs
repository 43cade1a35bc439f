//! `save`: write a frame to a file or a folder (partitioned by the spec's keys); `save_and_use`
//! also reads it back as the step's output.

use super::{Choice, Modifier, Op, Operation, PlanContext, RunContext, chosen, one};
use crate::engine::{LoadOptions, SaveOptions};
use crate::frame::DataFrame;
use crate::like::IntoPath;
use crate::workflow::{SourceLocation, WorkflowFrame};
use fugue_core::options::{FileFormat, ParquetCompression, SAVE_OPTIONS, SaveMode, option_names};
use fugue_core::{FugueError, Result, Schema};

/// Save to a file.
#[derive(Clone)]
pub(crate) struct Save {
    path: String,
    mode: SaveMode,
    /// The format, or from the extension.
    format: Option<FileFormat>,
    /// `save_and_use`: the output is the saved data, read back.
    and_use: bool,
    /// CSV: write a header line.
    header: bool,
    /// CSV: the field delimiter (`None`: `,`).
    delimiter: Option<u8>,
    /// Parquet: the compression codec.
    compression: ParquetCompression,
}

impl Save {
    /// Apply a format option given as text; an unknown key or a bad value is
    /// [`FugueError::InvalidArgument`] listing what is accepted.
    fn set_option(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "header" => self.header = super::load::flag(key, value)?,
            "delimiter" => self.delimiter = Some(super::load::one_byte(key, value)?),
            "compression" => self.compression = value.parse()?,
            other => {
                return Err(FugueError::invalid_argument(
                    other,
                    format!(
                        "unknown save option; known options are {}",
                        option_names(SAVE_OPTIONS)
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Operation for Save {
    fn name(&self) -> &'static str {
        if self.and_use { "save_and_use" } else { "save" }
    }

    fn has_output(&self) -> bool {
        self.and_use
    }

    fn args(&self) -> String {
        let mut s = format!("{:?}, mode={}", self.path, self.mode);
        if let Some(f) = self.format {
            s.push_str(&format!(", format={f}"));
        }
        let default = SaveOptions::default();
        if self.header != default.header {
            s.push_str(&format!(", header={}", self.header));
        }
        if let Some(d) = self.delimiter {
            s.push_str(&format!(", delimiter={:?}", char::from(d)));
        }
        if self.compression != default.compression {
            s.push_str(&format!(", compression={}", self.compression));
        }
        s
    }

    fn key_args(&self) -> String {
        format!(
            "path={:?}; mode={:?}; format={:?}; and_use={}; header={}; delimiter={:?}; \
             compression={}",
            self.path,
            self.mode.name(),
            self.format.map(FileFormat::name),
            self.and_use,
            self.header,
            self.delimiter,
            self.compression
        )
    }

    fn plan(&self, cx: &PlanContext<'_>) -> Result<Option<Schema>> {
        if self.path.trim().is_empty() {
            return Err(FugueError::invalid_argument("path", "the path is empty"));
        }
        Ok(if self.and_use { cx.first() } else { None })
    }

    fn run(&self, cx: &RunContext<'_>, inputs: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        let options = SaveOptions {
            format: self.format,
            mode: self.mode,
            partition_by: cx.spec_or_empty().keys().to_vec(),
            header: self.header,
            delimiter: self.delimiter,
            compression: self.compression,
        };
        let df = one(inputs, self.name())?;
        let schema = df.schema().clone();
        cx.engine.save(df, &self.path, &options)?;
        if !self.and_use {
            return Ok(None);
        }
        // Read back what was written, under the frame's schema (partition columns of a
        // partitioned save come back from the folder names).
        let load = LoadOptions {
            format: self.format,
            header: self.header,
            delimiter: self.delimiter.unwrap_or(b','),
            ..LoadOptions::default()
        };
        let back = cx.engine.load(&[self.path.as_str()], &load)?;
        let back = if back.schema() == &schema {
            back
        } else {
            let names: Vec<&str> = schema.names().collect();
            cx.engine
                .alter_columns(cx.engine.select_columns(back, &names)?, &schema)?
        };
        Ok(Some(back))
    }

    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        match modifier {
            Modifier::Option(key, value) => self.set_option(&key, &value),
            other => Err(other.refused(self.name())),
        }
    }
}

impl<'w> WorkflowFrame<'w> {
    /// Save to a file (`mode`: a [`SaveMode`] or its name, `overwrite`, `append`, `error`), in
    /// the format of the extension.
    #[track_caller]
    pub fn save(&self, path: impl IntoPath, mode: impl Choice<SaveMode>) -> WorkflowFrame<'w> {
        self.save_with(path.into_path(), mode, None, SourceLocation::caller())
    }

    /// Save in an explicit format (a [`FileFormat`] or its name).
    #[track_caller]
    pub fn save_as(
        &self,
        path: impl IntoPath,
        mode: impl Choice<SaveMode>,
        format: impl Choice<FileFormat>,
    ) -> WorkflowFrame<'w> {
        let (format, error) = chosen(format, FileFormat::Parquet);
        let frame = self.save_with(
            path.into_path(),
            mode,
            Some(format),
            SourceLocation::caller(),
        );
        if let Some(e) = error {
            self.wf.note(frame.id, &e);
        }
        frame
    }

    fn save_with(
        &self,
        path: Result<String>,
        mode: impl Choice<SaveMode>,
        format: Option<FileFormat>,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        self.save_op(path, mode, format, false, source)
    }

    /// Save, then continue with the saved data read back (Fugue's `save_and_use`): the output
    /// is what the file holds, under this frame's schema.
    #[track_caller]
    pub fn save_and_use(
        &self,
        path: impl IntoPath,
        mode: impl Choice<SaveMode>,
    ) -> WorkflowFrame<'w> {
        self.save_op(path.into_path(), mode, None, true, SourceLocation::caller())
    }

    fn save_op(
        &self,
        path: Result<String>,
        mode: impl Choice<SaveMode>,
        format: Option<FileFormat>,
        and_use: bool,
        source: SourceLocation,
    ) -> WorkflowFrame<'w> {
        let (mode, error) = chosen(mode, SaveMode::default());
        let (path, path_error) = match path {
            Ok(path) => (path, None),
            Err(e) => (String::new(), Some(e)),
        };
        let frame = self.then(
            Op::new(Save {
                path,
                mode,
                format,
                and_use,
                header: SaveOptions::default().header,
                delimiter: None,
                compression: ParquetCompression::default(),
            }),
            source,
        );
        if let Some(e) = error {
            self.wf.note(frame.id, &e);
        }
        if let Some(e) = path_error {
            self.wf.note(frame.id, e);
        }
        frame
    }
}
