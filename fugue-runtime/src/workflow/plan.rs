//! The resolved plan: the user's DAG with every argument checked and a schema on every edge
//! where it is known before any data moves (the Polars split between the plan a user builds
//! and the plan that runs).
//!
//! Schemas are known for created data, loads with a declared schema, typed functions
//! ([`PartitionFunction::output_schema`](crate::function::PartitionFunction::output_schema)),
//! joins and set operations of known inputs and the column operations; SQL steps (select,
//! filter conditions, assign, aggregate) and loads without a declared schema are known at run
//! time only, and printed `?`. Every partition function's `check` (validation rules,
//! parameters, callback) runs here when its input schemas are known, so a bad step fails before
//! anything executes; the others are checked by the engine when they run.

use super::builder::Graph;
use super::step::{
    CheckpointKind, FillArg, KeyedBy, LoadColumnsArg, Node, Op, StepId, StepInfo, YieldKind,
};
use crate::engine::{
    DropHow, FillValue, JoinHow, NaPosition, SampleSize, SaveMode, ZipHow, join_plan_named,
};
use crate::frame::ArrowFrame;
use fugue_core::rules::{Step, eval};
use fugue_core::{FugueError, PartitionSpec, Result, Schema};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One resolved step.
#[derive(Debug, Clone)]
pub struct PlannedStep {
    /// The step's identity.
    pub info: StepInfo,
    /// The steps it reads, in order.
    pub inputs: Vec<StepId>,
    /// The output schema when known before running (`None`: known at run time, or no output).
    pub schema: Option<Schema>,
    /// Whether the step produces a frame.
    pub has_output: bool,
    /// The partition spec of its input.
    pub partition: Option<PartitionSpec>,
    /// Its checkpoint.
    pub checkpoint: CheckpointKind,
    /// Whether its output is broadcast.
    pub broadcast: bool,
    /// Its yields.
    pub yields: Vec<(String, YieldKind)>,
    /// Its arguments in text form.
    pub args: String,
    /// The user-set version of its function.
    pub version: Option<String>,
    /// How its function enters deterministic checkpoint keys, for steps that run one.
    pub keyed_by: Option<KeyedBy>,
    /// The steps that read its output.
    pub consumers: Vec<StepId>,
}

/// A workflow resolved before running (see the module docs).
#[derive(Debug, Clone)]
pub struct Plan {
    steps: Vec<PlannedStep>,
}

/// The error of a step that cannot run as declared: `` step `x` (op, file:line) is invalid:
/// <cause> ``.
///
/// A rule's error already names the step in the words of the compile-time check: it gets only
/// the step's source location, at the end. Either way the error keeps its kind.
pub fn step_invalid(info: &StepInfo, error: FugueError) -> FugueError {
    match error {
        FugueError::Rule {
            kind,
            column,
            mut message,
        } => {
            if let Some(source) = &info.source {
                message.push_str(&format!(" (at {source})"));
            }
            FugueError::Rule {
                kind,
                column,
                message,
            }
        }
        other => other.context(format!("{} is invalid", info.describe())),
    }
}

impl Plan {
    /// The steps, in declaration order.
    pub fn steps(&self) -> &[PlannedStep] {
        &self.steps
    }

    /// One step.
    pub fn step(&self, id: StepId) -> Option<&PlannedStep> {
        self.steps.get(id.0)
    }

    /// The output schema of a step when known before running.
    pub fn schema(&self, id: StepId) -> Option<&Schema> {
        self.steps.get(id.0).and_then(|s| s.schema.as_ref())
    }

    /// The plan in a stable indented text form: one line per step (number, name, operation
    /// and arguments, inputs, source), then its partition spec, version, how its function is
    /// keyed (`keyed by: function tokens` for functions declared with the macros, `keyed by:
    /// name and version only` for closures and hand-written impls), schema (`?` when known at
    /// run time only), checkpoint and yields.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "workflow: {} steps", self.steps.len());
        for s in &self.steps {
            let mut head = format!("{} {}: {}", s.info.id, s.info.name, s.info.op);
            if !s.args.is_empty() {
                let _ = write!(head, "({})", s.args);
            }
            if !s.inputs.is_empty() {
                let inputs: Vec<String> = s.inputs.iter().map(|i| i.to_string()).collect();
                let _ = write!(head, " <- {}", inputs.join(", "));
            }
            if let Some(src) = &s.info.source {
                let _ = write!(head, "  [{src}]");
            }
            let _ = writeln!(out, "{head}");
            if let Some(p) = &s.partition {
                let text = p.to_string();
                let _ = writeln!(
                    out,
                    "    partition: {}",
                    if text.is_empty() { "(none)" } else { &text }
                );
            }
            if let Some(v) = &s.version {
                let _ = writeln!(out, "    version: {v}");
            }
            if let Some(k) = &s.keyed_by {
                let _ = writeln!(out, "    keyed by: {k}");
            }
            if s.has_output {
                match &s.schema {
                    Some(schema) => {
                        let _ = writeln!(out, "    schema: {schema}");
                    }
                    None => {
                        let _ = writeln!(out, "    schema: ?");
                    }
                }
            }
            if s.checkpoint != CheckpointKind::None {
                let _ = writeln!(out, "    checkpoint: {}", s.checkpoint.name());
            }
            if s.broadcast {
                let _ = writeln!(out, "    broadcast");
            }
            for (name, kind) in &s.yields {
                let kind = match kind {
                    YieldKind::Frame => "frame",
                    YieldKind::File => "file",
                };
                let _ = writeln!(out, "    yield {kind}: {name}");
            }
        }
        out
    }
}

/// Resolve the graph: check every step's declaration and arguments, propagate schemas, run
/// partition functions' checks where their inputs are known.
pub(crate) fn resolve(graph: &Graph) -> Result<Plan> {
    let mut steps: Vec<PlannedStep> = Vec::with_capacity(graph.nodes.len());
    let mut yield_names: BTreeMap<String, StepId> = BTreeMap::new();
    for node in &graph.nodes {
        let info = &node.info;
        if let Some(message) = node.errors.first() {
            return Err(step_invalid(
                info,
                FugueError::invalid_argument(info.op, message.clone()),
            ));
        }
        let partition = match &node.partition {
            None => None,
            Some(Ok(spec)) => Some(spec.clone()),
            Some(Err(message)) => {
                return Err(step_invalid(
                    info,
                    FugueError::invalid_argument("partition", message.clone()),
                ));
            }
        };
        for (name, _) in &node.yields {
            if let Some(other) = yield_names.insert(name.clone(), info.id) {
                let first = &steps[other.0].info;
                return Err(step_invalid(
                    info,
                    FugueError::invalid_argument(
                        "yield",
                        format!(
                            "the name `{name}` is already yielded by {}",
                            first.describe()
                        ),
                    ),
                ));
            }
        }
        for input in &node.inputs {
            match steps.get(input.0) {
                Some(producer) if producer.has_output => {}
                Some(producer) => {
                    return Err(step_invalid(
                        info,
                        FugueError::invalid_argument(
                            "input",
                            format!("{} has no output to read", producer.info.describe()),
                        ),
                    ));
                }
                None => {
                    return Err(step_invalid(
                        info,
                        FugueError::Internal(format!("input {input} is declared after its reader")),
                    ));
                }
            }
        }
        let inputs: Vec<Option<&Schema>> = node
            .inputs
            .iter()
            .map(|i| steps.get(i.0).and_then(|s| s.schema.as_ref()))
            .collect();
        let names: Vec<&str> = node
            .inputs
            .iter()
            .map(|i| steps.get(i.0).map_or("?", |s| s.info.name.as_str()))
            .collect();
        let call = info.call_text(&names);
        let step = Step {
            name: &info.name,
            call: &call,
        };
        let schema = output_schema(node, &inputs, &names, &step, partition.as_ref())
            .map_err(|e| step_invalid(info, e))?;
        for input in &node.inputs {
            if let Some(s) = steps.get_mut(input.0) {
                s.consumers.push(info.id);
            }
        }
        steps.push(PlannedStep {
            info: info.clone(),
            inputs: node.inputs.clone(),
            schema,
            has_output: node.op.has_output(),
            partition,
            checkpoint: node.checkpoint.clone(),
            broadcast: node.broadcast,
            yields: node.yields.clone(),
            args: node.op.args(),
            version: node.version.clone(),
            keyed_by: node.op.keyed_by(),
            consumers: Vec::new(),
        });
    }
    Ok(Plan { steps })
}

/// All input schemas, when every one is known.
fn all_known(inputs: &[Option<&Schema>]) -> Option<Vec<Schema>> {
    inputs.iter().map(|s| s.cloned()).collect()
}

/// An empty schema from a function means "dynamic": known at run time only.
fn known(schema: Schema) -> Option<Schema> {
    if schema.is_empty() {
        None
    } else {
        Some(schema)
    }
}

fn expect_inputs(op: &Op, inputs: &[Option<&Schema>], n: usize) -> Result<()> {
    if inputs.len() == n {
        Ok(())
    } else {
        Err(FugueError::invalid_argument(
            op.name(),
            format!("takes {n} input(s), got {}", inputs.len()),
        ))
    }
}

/// The output schema of a step, when known; checks its arguments either way.
fn output_schema(
    node: &Node,
    inputs: &[Option<&Schema>],
    names: &[&str],
    step: &Step<'_>,
    partition: Option<&PartitionSpec>,
) -> Result<Option<Schema>> {
    let name = |i: usize| names.get(i).copied().unwrap_or("?");
    let first = || inputs.first().copied().flatten().cloned();
    let empty = PartitionSpec::new();
    let spec = partition.unwrap_or(&empty);
    Ok(match &node.op {
        Op::Create(frame) => Some(frame.schema().clone()),
        Op::CreateWith(f, params) => f.output_schema(params),
        Op::Load {
            paths,
            format,
            columns,
            options,
        } => {
            if paths.is_empty() {
                return Err(FugueError::invalid_argument("path", "no path to load"));
            }
            super::exec::load_options(format, columns, options)?;
            match columns {
                Some(LoadColumnsArg::Schema(s)) => Some(s.clone()),
                _ => None,
            }
        }
        Op::Transform(call) | Op::OutTransform(call) => {
            expect_inputs(&node.op, inputs, 1)?;
            match all_known(inputs) {
                Some(schemas) => {
                    check_typed_inputs(call.function.as_ref(), &schemas, names, step)?;
                    call.function
                        .check(spec, &schemas, &call.params, call.callback.is_some())?;
                    let out = call.function.output_schema(&schemas)?;
                    if node.op.has_output() {
                        known(out)
                    } else {
                        None
                    }
                }
                None => None,
            }
        }
        Op::CoTransform { call, how, out } => {
            how.parse::<ZipHow>()?;
            if inputs.len() < 2 {
                return Err(FugueError::invalid_argument(
                    "zip",
                    format!("zips at least two frames, got {}", inputs.len()),
                ));
            }
            match all_known(inputs) {
                Some(schemas) => {
                    let keys: Vec<&str> = spec.keys().iter().map(String::as_str).collect();
                    let named: Vec<(&str, &Schema)> =
                        (0..schemas.len()).map(|i| (name(i), &schemas[i])).collect();
                    eval::check_zip_keys(&keys, &named, step)?;
                    check_typed_inputs(call.function.as_ref(), &schemas, names, step)?;
                    call.function
                        .check(spec, &schemas, &call.params, call.callback.is_some())?;
                    let schema = call.function.output_schema(&schemas)?;
                    if *out { None } else { known(schema) }
                }
                None => None,
            }
        }
        Op::Process(f, params) => match all_known(inputs) {
            Some(schemas) => f.output_schema(&schemas, params),
            None => None,
        },
        Op::Output(..) => None,
        Op::Join { how, on } => {
            expect_inputs(&node.op, inputs, 2)?;
            let how: JoinHow = how.parse()?;
            match (inputs[0], inputs[1]) {
                (Some(l), Some(r)) => {
                    let on: Vec<&str> = on.iter().map(String::as_str).collect();
                    Some(join_plan_named((name(0), l), (name(1), r), how, &on, step)?.output)
                }
                _ => None,
            }
        }
        Op::Set { op, .. } => {
            expect_inputs(&node.op, inputs, 2)?;
            match (inputs[0], inputs[1]) {
                (Some(l), Some(r)) => {
                    eval::same_schema(op.name(), (name(0), l), (name(1), r), step)?;
                    Some(l.clone())
                }
                _ => None,
            }
        }
        Op::Distinct | Op::Filter(_) => first(),
        Op::DropNa {
            how,
            thresh,
            subset,
        } => {
            let how = how.parse::<DropHow>()?;
            match first() {
                // `how: any` (or `all` over one column) leaves no NULL in the checked columns.
                Some(s) => {
                    let subset: Option<Vec<&str>> = subset
                        .as_ref()
                        .map(|c| c.iter().map(String::as_str).collect());
                    let single = subset.as_ref().is_some_and(|c| c.len() == 1);
                    if thresh.is_none() && (how == DropHow::Any || single) {
                        Some(eval::fill_nulls(&s, subset.as_deref(), name(0), step)?)
                    } else {
                        Some(s)
                    }
                }
                None => None,
            }
        }
        Op::FillNa { value, subset } => {
            fill_value(value).validate()?;
            match (first(), value) {
                (Some(s), FillArg::All(_)) => {
                    let subset: Option<Vec<&str>> = subset
                        .as_ref()
                        .map(|c| c.iter().map(String::as_str).collect());
                    Some(eval::fill_nulls(&s, subset.as_deref(), name(0), step)?)
                }
                (Some(s), FillArg::PerColumn(values)) => {
                    let subset: Vec<&str> = values.iter().map(|(c, _)| c.as_str()).collect();
                    Some(eval::fill_nulls(&s, Some(&subset), name(0), step)?)
                }
                (None, _) => None,
            }
        }
        Op::Sample { n, frac, .. } => {
            SampleSize::from_options(*n, *frac)?;
            first()
        }
        Op::Take {
            presort,
            na_position,
            ..
        } => {
            na_position.parse::<NaPosition>()?;
            if !presort.trim().is_empty() {
                fugue_core::partition::parse_presort(presort)?;
            }
            first()
        }
        Op::Select { columns, .. } => {
            if columns.is_empty() {
                return Err(FugueError::invalid_argument(
                    "columns",
                    "select needs at least one column expression",
                ));
            }
            None
        }
        Op::Assign(columns) | Op::Aggregate(columns) => {
            if columns.is_empty() {
                return Err(FugueError::invalid_argument(
                    "columns",
                    format!("{} needs at least one (name, expression)", node.op.name()),
                ));
            }
            None
        }
        Op::Rename(pairs) => match first() {
            Some(s) => {
                let pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                Some(eval::rename(&s, &pairs, name(0), step)?)
            }
            None => None,
        },
        Op::DropColumns(columns) => match first() {
            Some(s) => {
                let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
                Some(eval::drop_columns(&s, &columns, name(0), step)?)
            }
            None => None,
        },
        Op::AlterColumns(changes) => match first() {
            Some(s) => Some(
                ArrowFrame::empty(s)?
                    .alter_columns(changes)?
                    .schema()
                    .clone(),
            ),
            None => None,
        },
        Op::Save { mode, format, path } => {
            mode.parse::<SaveMode>()?;
            if let Some(f) = format {
                f.parse::<crate::engine::FileFormat>()?;
            }
            if path.trim().is_empty() {
                return Err(FugueError::invalid_argument("path", "the path is empty"));
            }
            None
        }
        Op::Show { .. } => None,
    })
}

/// Each typed input of `function` against the step's input, with the compile-time rule.
fn check_typed_inputs(
    function: &dyn crate::function::PartitionFunction,
    schemas: &[Schema],
    names: &[&str],
    step: &Step<'_>,
) -> Result<()> {
    for (i, typed) in function.typed_inputs().iter().enumerate() {
        if let (Some((record, required)), Some(input)) = (typed, schemas.get(i)) {
            let name = names.get(i).copied().unwrap_or("?");
            eval::check_input(function.name(), (record, required), (name, input), step)?;
        }
    }
    Ok(())
}

/// The engine's form of a fill value.
pub(crate) fn fill_value(value: &FillArg) -> FillValue {
    match value {
        FillArg::All(v) => FillValue::All(v.clone()),
        FillArg::PerColumn(p) => FillValue::PerColumn(p.clone()),
    }
}
