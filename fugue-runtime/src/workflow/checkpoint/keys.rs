//! Deterministic checkpoint keys: named parts of each step, hashed with BLAKE3 (see the
//! parent module's docs for what they cover), and the check, before a result is saved under its
//! key, that the files it was computed from did not change during the run.

use super::content_hash;
use super::hashes::{FileHashes, Stamp, hex};
use crate::engine::LoadFiles;
use crate::workflow::ops::KeySource;
use crate::workflow::plan::Plan;
use crate::workflow::step::{CheckpointKind, Node};
use fugue_core::{FugueError, Schema};
use std::collections::BTreeSet;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// One named part of a step's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyPart {
    pub label: String,
    pub value: String,
}

/// The deterministic key of one step.
#[derive(Debug, Clone)]
pub(crate) struct StepKey {
    /// The key: hex BLAKE3 of the parts.
    pub key: String,
    /// The step's own parts, then one `input:<n>` part per input with its key.
    pub parts: Vec<KeyPart>,
    /// For a load: the files it reads, with their stamps when they were hashed.
    pub files: LoadedFiles,
    /// For a load: its files as resolved for the key, which the load then reads.
    pub resolved: Option<LoadFiles>,
}

/// The files a load reads, each with its stamp when it was hashed.
pub(crate) type LoadedFiles = Vec<(PathBuf, Stamp)>;

/// The key of each step, or why it could not be computed.
pub(crate) type StepKeys = Vec<std::result::Result<StepKey, String>>;

/// The schema's text with the nullability of its columns: how a schema enters deterministic
/// checkpoint keys (planned schemas and operations' schema arguments alike).
pub(crate) fn schema_text(s: &Schema) -> String {
    let nullable: String = s
        .columns()
        .iter()
        .map(|c| if c.is_nullable() { '1' } else { '0' })
        .collect();
    format!("{s} (nullable {nullable})")
}

fn file_label(path: &Path) -> String {
    match path.to_str() {
        Some(text) => format!("file:{text}"),
        None => format!("file:0x{}", hex(path.as_os_str().as_bytes())),
    }
}

/// The files a load step reads, resolved as the load resolves them (`None` for other steps).
fn load_list(node: &Node) -> std::result::Result<Option<LoadFiles>, String> {
    let KeySource::Files { paths, format } = node.op.operation().key_source() else {
        return Ok(None);
    };
    let listing = |e: FugueError| {
        format!(
            "the files of step `{}` cannot be listed: {e}",
            node.info.name
        )
    };
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    LoadFiles::resolve(&paths, format)
        .map(Some)
        .map_err(listing)
}

/// The steps `i` reads, directly or not, and `i` itself, in declaration order.
pub(crate) fn upstream(nodes: &[Node], i: usize) -> Vec<usize> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![i];
    while let Some(j) = todo.pop() {
        if seen.insert(j) {
            todo.extend(nodes[j].inputs.iter().map(|s| s.0));
        }
    }
    seen.into_iter().collect()
}

/// A step's own parts, the files it reads with their stamps, and its resolved files.
type OwnParts = (Vec<KeyPart>, LoadedFiles, Option<LoadFiles>);

fn own_parts(
    node: &Node,
    plan: &Plan,
    hashes: &FileHashes,
) -> std::result::Result<OwnParts, String> {
    let mut parts = Vec::new();
    let mut push = |label: &str, value: String| {
        parts.push(KeyPart {
            label: label.to_string(),
            value,
        })
    };
    push("op", node.op.name().to_string());
    push("args", node.op.key_args());
    if let Some((path, identity)) = node.op.function_identity() {
        push("function", path);
        match identity {
            Some(identity) => {
                push("code", format!("{:016x}", identity.code_hash));
                push("declaration", identity.declaration());
            }
            None => push("code", "none (keyed by name and version only)".to_string()),
        }
    }
    push(
        "version",
        node.version
            .as_deref()
            .map_or_else(|| "none".to_string(), |v| format!("{v:?}")),
    );
    if let Some(function) = node.op.operation().function() {
        push("params", format!("{:?}", function.params));
        if let Some(callback) = function.callback {
            push("callback", callback.to_string());
        }
    }
    push("partition", format!("{:?}", node.partition_spec()));
    if let CheckpointKind::Deterministic {
        namespace: Some(ns),
    } = &node.checkpoint
    {
        push("namespace", ns.clone());
    }
    push(
        "schema",
        plan.schema(node.info.id)
            .map(schema_text)
            .unwrap_or_else(|| "?".to_string()),
    );
    let mut files = Vec::new();
    let mut resolved = None;
    match node.op.operation().key_source() {
        KeySource::Data(frame) => {
            let hash = content_hash(frame).map_err(|e| {
                format!(
                    "the data of step `{}` cannot be hashed: {e}",
                    node.info.name
                )
            })?;
            push("data", hash);
        }
        KeySource::Files { .. } => {
            let list = load_list(node)?;
            for path in list.iter().flat_map(LoadFiles::paths) {
                let (hash, stamp) = hashes.hash(path).map_err(|e| {
                    format!("a file of step `{}` cannot be hashed: {e}", node.info.name)
                })?;
                push(&file_label(path), hash);
                files.push((path.to_path_buf(), stamp));
            }
            resolved = list;
        }
        KeySource::None => {}
    }
    Ok((parts, files, resolved))
}

fn key_of(parts: &[KeyPart]) -> String {
    let mut h = blake3::Hasher::new();
    h.update(b"fugue-workflow-step-v2\0");
    for part in parts {
        for text in [&part.label, &part.value] {
            h.update(&(text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
    }
    h.finalize().to_hex().to_string()
}

/// The deterministic keys of the steps marked `needed` (the others are `Err`), computed in
/// declaration order (inputs come first). A key that cannot be computed (a file that cannot be
/// listed or read, data that cannot be hashed) is `Err` with the reason, and so are the keys of
/// the steps that read it: their checkpoints are neither reused nor written.
pub(crate) fn step_keys(
    nodes: &[Node],
    plan: &Plan,
    needed: &[bool],
    hashes: &FileHashes,
) -> StepKeys {
    let mut keys: StepKeys = Vec::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        if !needed.get(i).copied().unwrap_or(false) {
            keys.push(Err("no key was needed".to_string()));
            continue;
        }
        let key = own_parts(node, plan, hashes).and_then(|(mut parts, files, resolved)| {
            for (n, input) in node.inputs.iter().enumerate() {
                match keys.get(input.0) {
                    Some(Ok(k)) => parts.push(KeyPart {
                        label: format!("input:{n}"),
                        value: k.key.clone(),
                    }),
                    Some(Err(e)) => return Err(e.clone()),
                    None => return Err(format!("input {input} is declared after its reader")),
                }
            }
            Ok(StepKey {
                key: key_of(&parts),
                parts,
                files,
                resolved,
            })
        });
        keys.push(key);
    }
    keys
}

/// Whether the files of the loads upstream of step `i` are still those its key was computed
/// from: `Err` naming the first that changed.
pub(crate) fn verify_inputs(
    nodes: &[Node],
    keys: &StepKeys,
    i: usize,
) -> std::result::Result<(), String> {
    for j in upstream(nodes, i) {
        let Some(Ok(key)) = keys.get(j) else {
            continue;
        };
        if !matches!(
            nodes[j].op.operation().key_source(),
            KeySource::Files { .. }
        ) {
            continue;
        }
        let now = load_list(&nodes[j])?;
        let now: Vec<&Path> = now.iter().flat_map(LoadFiles::paths).collect();
        let then: Vec<&Path> = key.files.iter().map(|(p, _)| p.as_path()).collect();
        if now != then {
            return Err(format!(
                "the files step `{}` reads changed during the run",
                nodes[j].info.name
            ));
        }
        for (path, stamp) in &key.files {
            if Stamp::read(path).ok().as_ref() != Some(stamp) {
                return Err(format!(
                    "input file `{}` changed during the run (step `{}`)",
                    path.display(),
                    nodes[j].info.name
                ));
            }
        }
    }
    Ok(())
}
