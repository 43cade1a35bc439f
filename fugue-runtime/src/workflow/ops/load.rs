//! `load`: files read by the engine (a path, a folder or a glob; several paths as one frame).

use super::{KeySource, Modifier, Op, Operation, PlanContext, RunContext, schema_key, strs};
use crate::engine::{LoadColumns, LoadOptions};
use crate::frame::DataFrame;
use crate::like::IntoPath;
use crate::workflow::{SourceLocation, Workflow, WorkflowFrame};
use fugue_core::options::{FileFormat, LOAD_OPTIONS, option_names};
use fugue_core::{FugueError, Result, Schema};

/// Files read by the engine, with typed options.
#[derive(Clone)]
pub(crate) struct Load {
    paths: Vec<String>,
    options: LoadOptions,
}

impl Load {
    /// Apply a format option given as text (`header`, `delimiter`, `infer_schema`, `null`);
    /// an unknown key or a bad value is [`FugueError::InvalidArgument`] listing what is
    /// accepted.
    fn set_option(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "header" => self.options.header = flag(key, value)?,
            "infer_schema" => self.options.infer_schema = flag(key, value)?,
            "delimiter" => self.options.delimiter = one_byte(key, value)?,
            "null" => self.options.null_value = Some(value.to_string()),
            other => {
                return Err(FugueError::invalid_argument(
                    other,
                    format!(
                        "unknown load option; known options are {}",
                        option_names(LOAD_OPTIONS)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A boolean option: `true`/`false` (also `yes`/`no`, `1`/`0`).
pub(crate) fn flag(key: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(FugueError::invalid_argument(
            key,
            format!(
                "`{}` is not a boolean (true or false)",
                fugue_core::error::excerpt(value)
            ),
        )),
    }
}

/// A one-byte option (a CSV delimiter).
pub(crate) fn one_byte(key: &str, value: &str) -> Result<u8> {
    match value.as_bytes() {
        [b] => Ok(*b),
        _ => Err(FugueError::invalid_argument(
            key,
            format!("`{}` is not one byte", fugue_core::error::excerpt(value)),
        )),
    }
}

impl Operation for Load {
    fn name(&self) -> &'static str {
        "load"
    }

    fn args(&self) -> String {
        let o = &self.options;
        let mut s = format!("{:?}", self.paths.join(","));
        if let Some(f) = o.format {
            s.push_str(&format!(", format={f}"));
        }
        match &o.columns {
            Some(LoadColumns::Names(n)) => s.push_str(&format!(", columns={}", n.join(","))),
            Some(LoadColumns::Schema(sc)) => s.push_str(&format!(", schema={sc}")),
            None => {}
        }
        let default = LoadOptions::default();
        if o.header != default.header {
            s.push_str(&format!(", header={}", o.header));
        }
        if o.delimiter != default.delimiter {
            s.push_str(&format!(", delimiter={:?}", char::from(o.delimiter)));
        }
        if o.infer_schema != default.infer_schema {
            s.push_str(&format!(", infer_schema={}", o.infer_schema));
        }
        if let Some(null) = &o.null_value {
            s.push_str(&format!(", null={null:?}"));
        }
        s
    }

    fn key_args(&self) -> String {
        let o = &self.options;
        let columns = match &o.columns {
            None => "none".to_string(),
            Some(LoadColumns::Names(n)) => format!("names {n:?}"),
            Some(LoadColumns::Schema(s)) => format!("schema {}", schema_key(s)),
        };
        format!(
            "paths={:?}; format={:?}; columns={columns}; header={}; delimiter={}; infer_schema={}; \
             null={:?}",
            self.paths,
            o.format.map(FileFormat::name),
            o.header,
            o.delimiter,
            o.infer_schema,
            o.null_value
        )
    }

    fn key_source(&self) -> KeySource<'_> {
        KeySource::Files {
            paths: &self.paths,
            format: self.options.format,
        }
    }

    fn plan(&self, _: &PlanContext<'_>) -> Result<Option<Schema>> {
        if self.paths.is_empty() {
            return Err(FugueError::invalid_argument("path", "no path to load"));
        }
        Ok(match &self.options.columns {
            Some(LoadColumns::Schema(s)) => Some(s.clone()),
            _ => None,
        })
    }

    fn run(&self, cx: &RunContext<'_>, _: Vec<DataFrame>) -> Result<Option<DataFrame>> {
        // The files the step's checkpoint key fingerprinted, when it has one.
        let loaded = match cx.files {
            Some(files) => cx.engine.load_files(files, &self.options)?,
            None => cx.engine.load(&strs(&self.paths), &self.options)?,
        };
        Ok(Some(loaded))
    }

    fn modify(&mut self, modifier: Modifier) -> Result<()> {
        match modifier {
            Modifier::Format(f) => self.options.format = Some(f),
            Modifier::Columns(names) => self.options.columns = Some(LoadColumns::Names(names)),
            Modifier::Schema(s) => self.options.columns = Some(LoadColumns::Schema(s)),
            Modifier::Option(key, value) => self.set_option(&key, &value)?,
            other => return Err(other.refused(self.name())),
        }
        Ok(())
    }
}

impl Workflow {
    /// Load files (a path, a folder or a glob), in the format of their extension (see
    /// [`WorkflowFrame::format`] and [`WorkflowFrame::columns`] to be explicit).
    #[track_caller]
    pub fn load(&self, path: impl IntoPath) -> WorkflowFrame<'_> {
        self.load_many([path])
    }

    /// Load several paths as one frame.
    #[track_caller]
    pub fn load_many<I, S>(&self, paths: I) -> WorkflowFrame<'_>
    where
        I: IntoIterator<Item = S>,
        S: IntoPath,
    {
        let mut errors = Vec::new();
        let paths = paths
            .into_iter()
            .filter_map(|p| p.into_path().map_err(|e| errors.push(e)).ok())
            .collect();
        let frame = self.add(
            Op::new(Load {
                paths,
                options: LoadOptions::default(),
            }),
            vec![],
            None,
            SourceLocation::caller(),
        );
        for e in errors {
            self.note(frame.id, e);
        }
        frame
    }
}
