//! The facade's public API, listed item by item from rustdoc's JSON and snapshotted, so that
//! every change of what users can name is a reviewed change of `tests/snapshots/`.
//!
//! rustdoc's JSON output is unstable: it is produced by the pinned toolchain with
//! `RUSTC_BOOTSTRAP=1`, into a target directory of its own (so the flag never changes the
//! builds of the other tests), and read with `rustdoc-types` of the toolchain's format version.
//! After a deliberate change: `INSTA_UPDATE=always cargo test --test public_api`, then review
//! the snapshot's diff.

use rustdoc_types::{Crate, Id, Item, ItemEnum, ItemKind, MacroKind, Visibility};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory the JSON is built in: beside the other builds, never inside them.
fn target_dir() -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    base.join("public-api")
}

/// rustdoc's JSON of the `fugue` crate, with every feature (the `cluster` module included),
/// whatever features the test itself was built with.
fn facade_json() -> Crate {
    let target = target_dir();
    let output = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTDOCFLAGS")
        .args([
            "rustdoc",
            "--quiet",
            "-p",
            "fugue",
            "--lib",
            "--features",
            "cluster",
        ])
        .arg("--target-dir")
        .arg(&target)
        // A broken or ambiguous doc link fails the test too.
        .args([
            "--",
            "-D",
            "warnings",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo rustdoc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = target.join("doc").join("fugue.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let krate: Crate = serde_json::from_str(&text).expect("rustdoc JSON of the pinned format");
    assert_eq!(krate.format_version, rustdoc_types::FORMAT_VERSION);
    krate
}

/// What an item is, as the listing names it.
fn kind_of(inner: &ItemEnum) -> &'static str {
    match inner {
        ItemEnum::Module(_) => "mod",
        ItemEnum::Struct(_) => "struct",
        ItemEnum::Enum(_) => "enum",
        ItemEnum::Union(_) => "union",
        ItemEnum::Function(_) => "fn",
        ItemEnum::Trait(_) | ItemEnum::TraitAlias(_) => "trait",
        ItemEnum::TypeAlias(_) => "type",
        ItemEnum::Constant { .. } => "const",
        ItemEnum::Static(_) => "static",
        ItemEnum::Macro(_) => "macro",
        ItemEnum::ProcMacro(m) => match m.kind {
            MacroKind::Bang => "macro",
            MacroKind::Attr => "attribute macro",
            MacroKind::Derive => "derive macro",
        },
        _ => "item",
    }
}

/// What an item of another crate is.
fn summary_kind(kind: &ItemKind) -> &'static str {
    match kind {
        ItemKind::Module => "mod",
        ItemKind::Struct => "struct",
        ItemKind::Enum => "enum",
        ItemKind::Union => "union",
        ItemKind::Function => "fn",
        ItemKind::Trait | ItemKind::TraitAlias => "trait",
        ItemKind::TypeAlias => "type",
        ItemKind::Constant => "const",
        ItemKind::Static => "static",
        ItemKind::Macro => "macro",
        ItemKind::ProcAttribute => "attribute macro",
        ItemKind::ProcDerive => "derive macro",
        _ => "item",
    }
}

/// The listing: one line per public item, by the path users write; the methods of the
/// facade's own types under them. A glob re-export or a whole module of another crate is
/// listed as such (and refused below), since it would count as every item in it.
struct Listing<'a> {
    krate: &'a Crate,
    lines: BTreeSet<String>,
    wholesale: Vec<String>,
}

impl Listing<'_> {
    fn module(&mut self, path: &str, id: &Id) {
        let Some(ItemEnum::Module(module)) = self.krate.index.get(id).map(|i| &i.inner) else {
            return;
        };
        for child in &module.items {
            let Some(item) = self.krate.index.get(child) else {
                continue;
            };
            if !matches!(item.visibility, Visibility::Public) {
                continue;
            }
            match &item.inner {
                ItemEnum::Use(u) => self.reexport(path, u),
                ItemEnum::Impl(_) => {}
                inner => {
                    let name = item.name.as_deref().unwrap_or("_");
                    self.item(&format!("{path}::{name}"), child, item, kind_of(inner));
                }
            }
        }
    }

    fn reexport(&mut self, path: &str, u: &rustdoc_types::Use) {
        let at = format!("{path}::{}", u.name);
        if u.is_glob {
            self.wholesale
                .push(format!("{path}::* (glob re-export of `{}`)", u.source));
            self.lines.insert(format!("glob {path}::* = {}", u.source));
            return;
        }
        let Some(id) = &u.id else {
            self.lines.insert(format!("use {at} = {}", u.source));
            return;
        };
        if let Some(item) = self.krate.index.get(id) {
            let kind = kind_of(&item.inner);
            self.item(&at, id, item, kind);
        } else if let Some(summary) = self.krate.paths.get(id) {
            let kind = summary_kind(&summary.kind);
            if kind == "mod" {
                self.wholesale.push(format!(
                    "{at} (the whole module `{}`)",
                    summary.path.join("::")
                ));
            }
            self.lines.insert(format!("{kind} {at}"));
        } else {
            self.lines.insert(format!("use {at} = {}", u.source));
        }
    }

    fn item(&mut self, at: &str, id: &Id, item: &Item, kind: &str) {
        self.lines.insert(format!("{kind} {at}"));
        match &item.inner {
            ItemEnum::Module(_) => self.module(at, id),
            ItemEnum::Struct(s) => self.methods(at, &s.impls),
            ItemEnum::Enum(e) => self.methods(at, &e.impls),
            _ => {}
        }
    }

    /// The public methods of the facade's own types (inherent impls only).
    fn methods(&mut self, at: &str, impls: &[Id]) {
        for imp in impls {
            let Some(ItemEnum::Impl(imp)) = self.krate.index.get(imp).map(|i| &i.inner) else {
                continue;
            };
            if imp.trait_.is_some() {
                continue;
            }
            for method in &imp.items {
                let Some(m) = self.krate.index.get(method) else {
                    continue;
                };
                if matches!(m.visibility, Visibility::Public)
                    && let Some(name) = &m.name
                {
                    self.lines.insert(format!("fn {at}::{name}"));
                }
            }
        }
    }
}

#[test]
fn the_public_api_is_the_reviewed_one() {
    let krate = facade_json();
    let mut listing = Listing {
        krate: &krate,
        lines: BTreeSet::new(),
        wholesale: Vec::new(),
    };
    listing.module("fugue", &krate.root);
    assert!(
        listing.wholesale.is_empty(),
        "the facade re-exports items by name, never a whole module or crate (that would make \
         every item in it public API): {:?}",
        listing.wholesale
    );
    let text = listing.lines.into_iter().collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("public_api", text);
}
