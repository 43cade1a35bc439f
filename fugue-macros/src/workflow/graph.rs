//! From the statements to a flat graph: one node per call (its verb found, its arguments read
//! by the verb, its inputs resolved to earlier steps), plus the yields. Every problem is
//! collected: unknown verbs and steps (with the closest name), names defined twice (an error
//! at each place), misplaced names.

use super::parse::{Call, Statement, WorkflowAst};
use super::verbs::{self, Op, Verb};
use crate::diag::Diagnostics;
use proc_macro2::Span;
use std::collections::HashMap;
use syn::Ident;

/// An input of a node: the upstream step's name as written, and its node.
pub struct Input {
    /// The name as written (its span is the use site).
    pub name: Ident,
    /// The upstream node's index.
    pub node: usize,
}

/// One step.
pub struct Node {
    /// Its index (declaration order).
    pub index: usize,
    /// Its name, when assigned.
    pub name: Option<Ident>,
    /// The verb.
    pub verb: &'static Verb,
    /// The verb as written.
    pub verb_ident: Ident,
    /// The call, shortened, for messages.
    pub call_text: String,
    /// The upstream steps.
    pub inputs: Vec<Input>,
    /// The verb's data.
    pub op: Op,
    /// The record type after `as`.
    pub record: Option<syn::Type>,
}

impl Node {
    /// The name messages use: the step's name, or its call for an unnamed step
    /// (`save(top, ..)`), as the builder's run-time checks name it.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(n) => n.to_string(),
            None => self.call_text.clone(),
        }
    }

    /// The span of the statement's verb.
    pub fn span(&self) -> Span {
        self.verb_ident.span()
    }
}

/// A `yield`.
pub struct Yield {
    /// The yielded node.
    pub node: usize,
    /// The name in the result.
    pub alias: String,
    /// Whether as a file.
    pub file: bool,
    /// The span of the step's name in the `yield`.
    pub span: Span,
    /// The record the result is read as (`yield top: Best;`).
    pub record: Option<syn::Type>,
}

/// The workflow as a flat graph.
pub struct WorkflowGraph {
    /// The steps, in declaration order.
    pub nodes: Vec<Node>,
    /// The yields, in order.
    pub yields: Vec<Yield>,
}

impl WorkflowGraph {
    /// The graph as text, one step a line (`2 ranked = transform(trips, rank, ..) <- 0`), then
    /// the yields: what snapshot tests read.
    #[cfg(test)]
    pub fn render(&self) -> String {
        let mut out = String::new();
        for node in &self.nodes {
            let inputs: Vec<String> = node.inputs.iter().map(|i| i.node.to_string()).collect();
            let name = node
                .name
                .as_ref()
                .map(|n| format!("{n} = "))
                .unwrap_or_default();
            out.push_str(&format!("{} {name}{}", node.index, node.call_text));
            if !inputs.is_empty() {
                out.push_str(&format!(" <- {}", inputs.join(", ")));
            }
            out.push('\n');
        }
        for y in &self.yields {
            let kind = if y.file { "file " } else { "" };
            out.push_str(&format!("yield {kind}{} as {}\n", y.node, y.alias));
        }
        out
    }
}

/// Build the graph; `None` when a statement could not be read (the errors are in `diag`).
pub fn build(ast: &WorkflowAst, diag: &mut Diagnostics) -> Option<WorkflowGraph> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut yields = Vec::new();
    let mut names: HashMap<String, (usize, Span)> = HashMap::new();
    let mut ok = true;
    let before = diag.len();
    for statement in &ast.statements {
        match statement {
            Statement::Call(call) => {
                let Some(verb) = find_verb(call, diag) else {
                    ok = false;
                    remember_failed(call, &mut names);
                    continue;
                };
                if let Some(name) = &call.name
                    && !verb.output
                {
                    diag.error(
                        name.span(),
                        format!(
                            "`{}` has no output to name; write it as a statement: `{};`",
                            verb.name,
                            call.short_text()
                        ),
                    );
                    ok = false;
                }
                let Some(parsed) = (verb.parse)(call, diag) else {
                    ok = false;
                    remember_failed(call, &mut names);
                    continue;
                };
                let mut inputs = Vec::new();
                for input in parsed.inputs {
                    match names.get(&input.to_string()) {
                        // A step that failed to read: its error is reported already.
                        Some((FAILED, _)) => ok = false,
                        Some((node, _)) => inputs.push(Input {
                            node: *node,
                            name: input,
                        }),
                        None => {
                            let table = verb.name == "sql";
                            unknown_step(&input, &names, ast, table, diag);
                            ok = false;
                        }
                    }
                }
                let index = nodes.len();
                if let Some(name) = &call.name {
                    if let Some((_, first)) = names.get(&name.to_string()) {
                        diag.error(
                            name.span(),
                            format!(
                                "step `{name}` is defined twice (1/2): here, and earlier (see \
                                 2/2); give this step another name"
                            ),
                        );
                        diag.error(
                            *first,
                            format!("step `{name}` is defined twice (2/2): first here"),
                        );
                        ok = false;
                    } else if verb.output {
                        names.insert(name.to_string(), (index, name.span()));
                    }
                }
                nodes.push(Node {
                    index,
                    name: call.name.clone(),
                    verb,
                    verb_ident: call.verb.clone(),
                    call_text: call.short_text(),
                    inputs,
                    op: parsed.op,
                    record: call.record.clone(),
                });
            }
            Statement::Yield(y) => match names.get(&y.step.to_string()) {
                Some((FAILED, _)) => ok = false,
                Some((node, _)) => {
                    let alias = y
                        .alias
                        .as_ref()
                        .map_or_else(|| y.step.to_string(), |a| a.to_string());
                    let span = y.alias.as_ref().map_or_else(|| y.step.span(), |a| a.span());
                    if let Some(first) = yields.iter().find(|e: &&Yield| e.alias == alias) {
                        diag.error(
                            span,
                            format!(
                                "the result name `{alias}` is yielded twice (first by step `{}`); \
                                 each yield needs its own name\n= help: give this one another \
                                 name: `yield {} as other_name;`",
                                nodes[first.node].display_name(),
                                y.step
                            ),
                        );
                        ok = false;
                    }
                    yields.push(Yield {
                        node: *node,
                        alias,
                        file: y.file,
                        span: y.step.span(),
                        record: y.record.clone(),
                    });
                }
                None => {
                    unknown_step(&y.step, &names, ast, false, diag);
                    ok = false;
                }
            },
        }
    }
    (ok && diag.len() == before).then_some(WorkflowGraph { nodes, yields })
}

/// The node index of a step whose statement could not be read.
const FAILED: usize = usize::MAX;

/// Define the name of a statement that could not be read, so that its uses report nothing
/// more.
fn remember_failed(call: &Call, names: &mut HashMap<String, (usize, Span)>) {
    if let Some(name) = &call.name {
        names
            .entry(name.to_string())
            .or_insert((FAILED, name.span()));
    }
}

fn find_verb(call: &Call, diag: &mut Diagnostics) -> Option<&'static Verb> {
    let name = call.verb.to_string();
    if let Some(verb) = verbs::find(&name) {
        return Some(verb);
    }
    let all: Vec<&str> = verbs::VERBS.iter().map(|v| v.name).collect();
    let hint = fugue_core::error::closest_name(&name, all.iter().copied())
        .map(|c| format!("; help: did you mean `{c}`?"))
        .unwrap_or_default();
    diag.error(
        call.verb.span(),
        format!(
            "unknown verb `{name}`; the verbs are {}{hint}",
            all.iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    None
}

/// An unknown step (`table`: named as a table in a `sql` step's SQL).
fn unknown_step(
    name: &Ident,
    defined: &HashMap<String, (usize, Span)>,
    ast: &WorkflowAst,
    table: bool,
    diag: &mut Diagnostics,
) {
    let text = name.to_string();
    let what = if table {
        format!("table `{text}` of the SQL")
    } else {
        format!("step `{text}`")
    };
    let later = ast.statements.iter().any(|s| match s {
        Statement::Call(c) => c.name.as_ref().is_some_and(|n| *n == text),
        Statement::Yield(_) => false,
    });
    if later && !defined.contains_key(&text) {
        diag.error(
            name.span(),
            format!("{what} is used before it is defined; move its definition up"),
        );
        return;
    }
    let mut known: Vec<&str> = defined.keys().map(String::as_str).collect();
    known.sort_unstable();
    // SQL lower-cases an unquoted name: a step with capitals is quoted.
    let folded = known
        .iter()
        .find(|k| table && **k != text && k.to_lowercase() == text);
    let hint = match folded {
        Some(k) => format!(
            "; help: unquoted names are lower-cased in SQL, as DataFusion reads them: write \"{k}\""
        ),
        None => fugue_core::error::closest_name(&text, known.iter().copied())
            .map(|c| format!("; help: did you mean `{c}`?"))
            .unwrap_or_default(),
    };
    let list = if known.is_empty() {
        "no step is defined before it".to_string()
    } else {
        format!(
            "the steps defined before it are {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let head = if table {
        format!("table `{text}` of the SQL is not a step")
    } else {
        format!("unknown step `{text}`")
    };
    diag.error(name.span(), format!("{head}; {list}{hint}"));
}
