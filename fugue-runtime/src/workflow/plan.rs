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
use super::ops::PlanContext;
use super::step::{CheckpointKind, KeyedBy, StepId, StepInfo, YieldKind};
use fugue_core::rules::Step;
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
        FugueError::ValidationFailed {
            rule,
            column,
            mut message,
        } => {
            if let Some(source) = &info.source {
                message.push_str(&format!(" (at {source})"));
            }
            FugueError::ValidationFailed {
                rule,
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
        if let Some(error) = node.errors.first() {
            return Err(step_invalid(info, error.to_error(info)));
        }
        let partition = match &node.partition {
            None => None,
            Some(Ok(spec)) => Some(spec.clone()),
            // The spec's own error, with its kind (`InvalidPartitionSpec`, ...).
            Some(Err(error)) => return Err(step_invalid(info, error.to_error(info))),
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
        // A step the user did not name is named by its call alone (`save(top, ..)`), as the
        // compile-time checks of `workflow!` name it.
        let step = if node.named {
            Step {
                name: &info.name,
                call: &call,
            }
        } else {
            Step {
                name: &call,
                call: "",
            }
        };
        let empty = PartitionSpec::new();
        let cx = PlanContext {
            inputs: &inputs,
            names: &names,
            step: &step,
            spec: partition.as_ref().unwrap_or(&empty),
        };
        let schema = node
            .op
            .operation()
            .plan(&cx)
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
