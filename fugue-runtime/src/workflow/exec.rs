//! One step on an engine: the translation of each [`Op`] into engine calls.

use super::plan::fill_value;
use super::step::{LoadColumnsArg, Op};
use crate::engine::{
    DropHow, ExecutionEngine, FileFormat, JoinHow, LoadColumns, LoadOptions, NaPosition,
    SampleSize, SaveMode, SaveOptions, SelectQuery, ZipHow,
};
use crate::frame::DataFrame;
use crate::function::{BatchStream, Params, PartitionContext, PartitionFunction};
use fugue_core::{FugueError, PartitionSpec, Result, Schema};
use std::sync::atomic::{AtomicBool, Ordering};

/// A partition function that observes the run's cancel flag: once another step has failed,
/// its remaining partitions are not called.
struct Cancellable<'a> {
    inner: &'a dyn PartitionFunction,
    cancel: &'a AtomicBool,
}

impl PartitionFunction for Cancellable<'_> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn registered_name(&self) -> Option<&str> {
        self.inner.registered_name()
    }

    fn code_identity(&self) -> Option<crate::transformer::CodeIdentity> {
        self.inner.code_identity()
    }

    fn output_schema(&self, inputs: &[Schema]) -> Result<Schema> {
        self.inner.output_schema(inputs)
    }

    fn check(
        &self,
        spec: &PartitionSpec,
        inputs: &[Schema],
        params: &Params,
        has_callback: bool,
    ) -> Result<()> {
        self.inner.check(spec, inputs, params, has_callback)
    }

    fn call<'s>(
        &'s self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'s>>,
    ) -> Result<BatchStream<'s>> {
        if self.cancel.load(Ordering::SeqCst) {
            return Err(FugueError::InvalidOperation(
                "cancelled: another step of the workflow failed".to_string(),
            ));
        }
        self.inner.call(ctx, inputs)
    }
}

/// The load options of a load step; an unknown option is [`FugueError::InvalidArgument`]
/// listing the known ones.
pub(crate) fn load_options(
    format: &Option<String>,
    columns: &Option<LoadColumnsArg>,
    options: &[(String, String)],
) -> Result<LoadOptions> {
    let mut o = LoadOptions {
        format: format
            .as_deref()
            .map(str::parse::<FileFormat>)
            .transpose()?,
        columns: columns.as_ref().map(|c| match c {
            LoadColumnsArg::Names(n) => LoadColumns::Names(n.clone()),
            LoadColumnsArg::Schema(s) => LoadColumns::Schema(s.clone()),
        }),
        ..LoadOptions::default()
    };
    let flag = |key: &str, value: &str| -> Result<bool> {
        match value.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err(FugueError::invalid_argument(
                key,
                format!("`{value}` is not a boolean (true or false)"),
            )),
        }
    };
    for (key, value) in options {
        match key.as_str() {
            "header" => o.header = flag(key, value)?,
            "infer_schema" => o.infer_schema = flag(key, value)?,
            "delimiter" => match value.as_bytes() {
                [b] => o.delimiter = *b,
                _ => {
                    return Err(FugueError::invalid_argument(
                        key,
                        format!("`{value}` is not one byte"),
                    ));
                }
            },
            other => {
                return Err(FugueError::invalid_argument(
                    other,
                    "unknown load option; known options are header, delimiter, infer_schema",
                ));
            }
        }
    }
    Ok(o)
}

fn cancellable<'a>(
    function: &'a std::sync::Arc<dyn PartitionFunction>,
    cancel: &'a AtomicBool,
) -> Cancellable<'a> {
    Cancellable {
        inner: function.as_ref(),
        cancel,
    }
}

fn one(mut inputs: Vec<DataFrame>, op: &str) -> Result<DataFrame> {
    if inputs.len() != 1 {
        return Err(FugueError::Internal(format!(
            "{op} got {} inputs instead of 1",
            inputs.len()
        )));
    }
    Ok(inputs.remove(0))
}

fn two(mut inputs: Vec<DataFrame>, op: &str) -> Result<(DataFrame, DataFrame)> {
    if inputs.len() != 2 {
        return Err(FugueError::Internal(format!(
            "{op} got {} inputs instead of 2",
            inputs.len()
        )));
    }
    let b = inputs.remove(1);
    let a = inputs.remove(0);
    Ok((a, b))
}

fn strs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

fn str_pairs(items: &[(String, String)]) -> Vec<(&str, &str)> {
    items
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

/// Run one operation; `None` for the steps without output.
pub(crate) fn execute(
    engine: &dyn ExecutionEngine,
    op: &Op,
    spec: Option<&PartitionSpec>,
    inputs: Vec<DataFrame>,
    cancel: &AtomicBool,
) -> Result<Option<DataFrame>> {
    let empty = PartitionSpec::new();
    let spec_or_empty = spec.unwrap_or(&empty);
    let name = op.name();
    Ok(Some(match op {
        Op::Create(frame) => DataFrame::from(frame.clone()),
        Op::CreateWith(f, params) => f.create(params)?,
        Op::Load {
            paths,
            format,
            columns,
            options,
        } => {
            let options = load_options(format, columns, options)?;
            engine.load(&strs(paths), &options)?
        }
        Op::Transform(call) => engine.map(
            one(inputs, name)?,
            &cancellable(&call.function, cancel),
            spec_or_empty,
            call.params.clone(),
            call.callback.clone(),
        )?,
        Op::OutTransform(call) => {
            let out = engine.map(
                one(inputs, name)?,
                &cancellable(&call.function, cancel),
                spec_or_empty,
                call.params.clone(),
                call.callback.clone(),
            )?;
            // Drive a lazy output to its end: the function's effects are the point.
            out.into_batches()?;
            return Ok(None);
        }
        Op::CoTransform { call, how, out } => {
            let df = engine.comap(
                inputs,
                how.parse::<ZipHow>()?,
                spec_or_empty,
                &cancellable(&call.function, cancel),
                call.params.clone(),
                call.callback.clone(),
            )?;
            if *out {
                df.into_batches()?;
                return Ok(None);
            }
            df
        }
        Op::Process(f, params) => f.process(inputs, params)?,
        Op::Output(f, params) => {
            f.output(inputs, params)?;
            return Ok(None);
        }
        Op::Join { how, on } => {
            let (a, b) = two(inputs, name)?;
            engine.join(a, b, how.parse::<JoinHow>()?, &strs(on))?
        }
        Op::Set { op, distinct } => {
            let (a, b) = two(inputs, name)?;
            match op {
                super::step::SetOp::Union => engine.union(a, b, *distinct)?,
                super::step::SetOp::Subtract => engine.subtract(a, b, *distinct)?,
                super::step::SetOp::Intersect => engine.intersect(a, b, *distinct)?,
            }
        }
        Op::Distinct => engine.distinct(one(inputs, name)?)?,
        Op::DropNa {
            how,
            thresh,
            subset,
        } => {
            let subset = subset.as_deref().map(strs);
            engine.dropna(
                one(inputs, name)?,
                how.parse::<DropHow>()?,
                *thresh,
                subset.as_deref(),
            )?
        }
        Op::FillNa { value, subset } => {
            let subset = subset.as_deref().map(strs);
            engine.fillna(one(inputs, name)?, &fill_value(value), subset.as_deref())?
        }
        Op::Sample {
            n,
            frac,
            replace,
            seed,
        } => engine.sample(
            one(inputs, name)?,
            SampleSize::from_options(*n, *frac)?,
            *replace,
            *seed,
        )?,
        Op::Take {
            n,
            presort,
            na_position,
        } => engine.take(
            one(inputs, name)?,
            *n,
            presort,
            na_position.parse::<NaPosition>()?,
            spec,
        )?,
        Op::Select {
            columns,
            filter,
            having,
            distinct,
        } => {
            let query = SelectQuery {
                columns: columns.clone(),
                where_clause: filter.clone(),
                having: having.clone(),
                distinct: *distinct,
            };
            engine.select(one(inputs, name)?, &query)?
        }
        Op::Filter(condition) => engine.filter(one(inputs, name)?, condition)?,
        Op::Assign(columns) => engine.assign(one(inputs, name)?, &str_pairs(columns))?,
        Op::Aggregate(columns) => {
            let keys: Vec<&str> = spec_or_empty.keys().iter().map(String::as_str).collect();
            engine.aggregate(one(inputs, name)?, &keys, &str_pairs(columns))?
        }
        Op::Rename(pairs) => engine.rename(one(inputs, name)?, &str_pairs(pairs))?,
        Op::DropColumns(columns) => engine.drop_columns(one(inputs, name)?, &strs(columns))?,
        Op::AlterColumns(changes) => engine.alter_columns(one(inputs, name)?, changes)?,
        Op::Save { path, mode, format } => {
            let options = SaveOptions {
                format: format
                    .as_deref()
                    .map(str::parse::<FileFormat>)
                    .transpose()?,
                mode: mode.parse::<SaveMode>()?,
                partition_by: spec_or_empty.keys().to_vec(),
                ..SaveOptions::default()
            };
            engine.save(one(inputs, name)?, path, &options)?;
            return Ok(None);
        }
        Op::Show { n, title } => {
            let mut df = one(inputs, name)?;
            print!("{}", df.show_string(*n, title.as_deref())?);
            return Ok(None);
        }
    }))
}
