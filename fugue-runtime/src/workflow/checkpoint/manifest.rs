//! Why a deterministic checkpoint was not found: `<root>/.fugue/steps/` holds, per namespace,
//! step name and operation, the parts of the key of the last checkpoint written for such a step
//! and of every step upstream; a miss is explained by comparing them with the current parts
//! ("input file `d/a.csv` changed (step `load`)").

use super::STEP_MANIFESTS;
use super::hashes::write_atomically;
use super::keys::{StepKeys, upstream};
use crate::workflow::step::{CheckpointKind, Node};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One line of a manifest: the step's name, the part's label, its value.
type ManifestLine = (String, String, String);

const MANIFEST_HEADER: &str = "fugue-checkpoint-manifest 1";

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The parts of the key of step `i` and of every step upstream, each with its step's name
/// (with its number when two steps upstream share a name).
fn manifest(nodes: &[Node], keys: &StepKeys, i: usize) -> Vec<ManifestLine> {
    let steps = upstream(nodes, i);
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for &j in &steps {
        *names.entry(nodes[j].info.name.as_str()).or_default() += 1;
    }
    let mut lines = Vec::new();
    for j in steps {
        let info = &nodes[j].info;
        let step = if names.get(info.name.as_str()).copied().unwrap_or(0) > 1 {
            format!("{} ({})", info.name, info.id)
        } else {
            info.name.clone()
        };
        if let Some(Ok(key)) = keys.get(j) {
            for part in &key.parts {
                lines.push((step.clone(), part.label.clone(), part.value.clone()));
            }
        }
    }
    lines
}

/// The manifest file of the step: one per namespace, step name and operation.
fn manifest_path(root: &Path, node: &Node) -> PathBuf {
    let mut h = blake3::Hasher::new();
    h.update(b"fugue-step-slot\0");
    if let CheckpointKind::Deterministic {
        namespace: Some(ns),
    } = &node.checkpoint
    {
        h.update(ns.as_bytes());
    }
    h.update(b"\0");
    h.update(node.info.name.as_bytes());
    h.update(b"\0");
    h.update(node.op.name().as_bytes());
    root.join(STEP_MANIFESTS).join(&h.finalize().to_hex()[..32])
}

/// Record the parts of the checkpoint just written for step `i` (best effort: a failure only
/// makes the next miss less well explained).
pub(crate) fn write_manifest(root: &Path, nodes: &[Node], keys: &StepKeys, i: usize) {
    let Some(Ok(key)) = keys.get(i) else {
        return;
    };
    let mut text = format!("{MANIFEST_HEADER}\nkey {}\n", key.key);
    for (step, label, value) in manifest(nodes, keys, i) {
        text.push_str(&format!(
            "{}\t{}\t{}\n",
            escape(&step),
            escape(&label),
            escape(&value)
        ));
    }
    let path = manifest_path(root, &nodes[i]);
    if let Err(e) = write_atomically(&path, text.as_bytes()) {
        tracing::warn!(path = %path.display(), error = %e, "could not write the checkpoint manifest");
    }
}

fn read_manifest(path: &Path) -> Option<(String, Vec<ManifestLine>)> {
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    if lines.next()? != MANIFEST_HEADER {
        return None;
    }
    let key = lines.next()?.strip_prefix("key ")?.to_string();
    let mut out = Vec::new();
    for line in lines {
        let mut fields = line.split('\t');
        if let (Some(s), Some(l), Some(v), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        {
            out.push((unescape(s), unescape(l), unescape(v)));
        }
    }
    Some((key, out))
}

/// What changed between the parts of an earlier key and the current ones, in words, inputs
/// last (a changed input is explained by the parts of the steps upstream when they are there).
fn differences(old: &[ManifestLine], new: &[ManifestLine]) -> Vec<String> {
    let key = |(s, l, _): &ManifestLine| (s.clone(), l.clone());
    let old_map: BTreeMap<(String, String), &str> = old
        .iter()
        .map(|line| (key(line), line.2.as_str()))
        .collect();
    let new_map: BTreeMap<(String, String), &str> = new
        .iter()
        .map(|line| (key(line), line.2.as_str()))
        .collect();
    let old_steps: BTreeSet<&str> = old.iter().map(|l| l.0.as_str()).collect();
    let new_steps: BTreeSet<&str> = new.iter().map(|l| l.0.as_str()).collect();
    let function = |step: &str| {
        new_map
            .get(&(step.to_string(), "function".to_string()))
            .copied()
            .unwrap_or("its function")
            .to_string()
    };
    let mut out = Vec::new();
    let mut inputs = Vec::new();
    for step in new_steps.difference(&old_steps) {
        out.push(format!("step `{step}` is new"));
    }
    for step in old_steps.difference(&new_steps) {
        out.push(format!("step `{step}` is gone"));
    }
    for (step, label, value) in new {
        if !old_steps.contains(step.as_str()) {
            continue;
        }
        let before = old_map.get(&(step.clone(), label.clone())).copied();
        if before == Some(value.as_str()) {
            continue;
        }
        let text = match (label.as_str(), before) {
            (l, None) if l.starts_with("file:") => format!(
                "a new file `{}` is loaded (step `{step}`)",
                &l["file:".len()..]
            ),
            (l, Some(_)) if l.starts_with("file:") => {
                format!(
                    "input file `{}` changed (step `{step}`)",
                    &l["file:".len()..]
                )
            }
            (l, _) if l.starts_with("input:") => {
                inputs.push(format!("the input of step `{step}` changed"));
                continue;
            }
            ("code", Some(_)) => {
                format!("the code of `{}` changed (step `{step}`)", function(step))
            }
            ("function", Some(b)) => {
                format!("step `{step}` runs `{value}` instead of `{b}`")
            }
            ("version", Some(b)) => {
                format!("the version of step `{step}` changed ({b} to {value})")
            }
            ("declaration", Some(_)) => format!(
                "the declared records, rules or parameters of `{}` changed (step `{step}`)",
                function(step)
            ),
            ("params", _) => format!("the parameters of step `{step}` changed"),
            ("partition", _) => format!("the partition spec of step `{step}` changed"),
            ("schema", _) => format!("the schema of step `{step}` changed"),
            ("data", _) => format!("the data of step `{step}` changed"),
            ("args", _) => format!("the arguments of step `{step}` changed"),
            (l, _) => format!("the {l} of step `{step}` changed"),
        };
        out.push(text);
    }
    for (step, label, _) in old {
        if new_steps.contains(step.as_str())
            && label.starts_with("file:")
            && !new_map.contains_key(&(step.clone(), label.clone()))
        {
            out.push(format!(
                "file `{}` is no longer loaded (step `{step}`)",
                &label["file:".len()..]
            ));
        }
    }
    if out.is_empty() {
        out = inputs;
    }
    out
}

/// Why step `i` has no checkpoint with its key, compared with the last checkpoint written for
/// a step of its name: "no checkpoint with this key; since the last checkpoint of step `x`:
/// input file `a.csv` changed (step `load`)".
pub(crate) fn why_missing(root: &Path, nodes: &[Node], keys: &StepKeys, i: usize) -> String {
    const MISSING: &str = "no checkpoint with this key";
    let name = &nodes[i].info.name;
    let Some((old_key, old)) = read_manifest(&manifest_path(root, &nodes[i])) else {
        return format!("{MISSING}; step `{name}` has no earlier checkpoint");
    };
    if keys.get(i).and_then(|k| k.as_ref().ok()).map(|k| &k.key) == Some(&old_key) {
        return format!("{MISSING}; its file was removed");
    }
    let mut changes = differences(&old, &manifest(nodes, keys, i));
    if changes.is_empty() {
        return format!("{MISSING}; the last checkpoint of step `{name}` had another key");
    }
    let more = changes.len().saturating_sub(3);
    changes.truncate(3);
    let mut text = format!(
        "{MISSING}; since the last checkpoint of step `{name}`: {}",
        changes.join("; ")
    );
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_text_round_trips_and_differences_are_worded() {
        for text in ["plain", "tab\there", "new\nline", "back\\slash\\n", ""] {
            assert_eq!(unescape(&escape(text)), text);
            assert!(!escape(text).contains(['\t', '\n']));
        }
        let line = |s: &str, l: &str, v: &str| (s.to_string(), l.to_string(), v.to_string());
        let old = vec![
            line("load", "file:d/p1/in.csv", "aa"),
            line("load", "file:d/p2/in.csv", "bb"),
            line("score", "function", "m::score"),
            line("score", "code", "01"),
            line("score", "version", "none"),
            line("score", "input:0", "k1"),
        ];
        let new = vec![
            line("load", "file:d/p1/in.csv", "cc"),
            line("load", "file:d/p3/in.csv", "dd"),
            line("score", "function", "m::score"),
            line("score", "code", "02"),
            line("score", "version", "\"2\""),
            line("score", "input:0", "k2"),
        ];
        assert_eq!(
            differences(&old, &new),
            vec![
                "input file `d/p1/in.csv` changed (step `load`)",
                "a new file `d/p3/in.csv` is loaded (step `load`)",
                "the code of `m::score` changed (step `score`)",
                "the version of step `score` changed (none to \"2\")",
                "file `d/p2/in.csv` is no longer loaded (step `load`)",
            ]
        );
        // Only an input differs (its step is not in the manifest): said so.
        assert_eq!(
            differences(&old[5..], &new[5..]),
            vec!["the input of step `score` changed"]
        );
    }
}
