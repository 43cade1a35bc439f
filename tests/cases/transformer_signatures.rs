//! Category `f_transformer_signatures`: every case must be covered by a test that exists.
//!
//! A rejected case needs the ui test `fugue-ui-tests/tests/ui/transformer/<id>-*.rs` whose reviewed `.stderr`
//! contains the phrase of its reason kind (the table below); an accepted case needs a test
//! function `fn <id>_...` in `tests/transformer_signatures.rs`, which compiles and runs the
//! signature. So a case added to the folder fails here until its test is written.

use serde_json::Value;
use std::path::Path;

/// The message phrase of each reason kind, as the macros word it.
const PHRASES: &[(&str, &str)] = &[
    ("NoDataParameter", "has no data parameter"),
    ("MissingSchemaHint", "needs a schema hint"),
    (
        "WildcardInCoTransformerHint",
        "`*` cannot be used in a co-transformer schema hint",
    ),
    (
        "CallbackPosition",
        "must come directly after the data parameter",
    ),
    ("UnsupportedType", "unsupported type"),
    ("MissingOutput", "must return data"),
    ("MultipleDataParameters", "takes exactly one data parameter"),
];

/// Check that the case's covering test exists (and, for a rejection, says the right thing).
pub fn run(case: &Value) -> Result<(), String> {
    let id = case
        .get("id")
        .and_then(Value::as_str)
        .ok_or("no string `id`")?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match case.get("expect").and_then(Value::as_str) {
        Some("accepted") => {
            let file = root.join("tests/transformer_signatures.rs");
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
            if text.contains(&format!("fn {id}_")) {
                Ok(())
            } else {
                Err(format!(
                    "accepted case has no test `fn {id}_...` in tests/transformer_signatures.rs"
                ))
            }
        }
        Some("rejected") => {
            let reason = case
                .get("reason")
                .and_then(Value::as_str)
                .ok_or("rejected case without a string `reason`")?;
            let phrase = PHRASES
                .iter()
                .find(|(kind, _)| *kind == reason)
                .map(|(_, phrase)| *phrase)
                .ok_or_else(|| format!("unknown reason kind `{reason}`"))?;
            let dir = root.join("fugue-ui-tests/tests/ui/transformer");
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot list `{}`: {e}", dir.display()))?;
            let prefix = format!("{id}-");
            let mut found = None;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(&prefix) && name.ends_with(".rs") {
                    found = Some(entry.path());
                }
            }
            let rs = found.ok_or_else(|| {
                format!(
                    "rejected case has no ui test `fugue-ui-tests/tests/ui/transformer/{id}-*.rs`"
                )
            })?;
            let stderr = rs.with_extension("stderr");
            let text = std::fs::read_to_string(&stderr)
                .map_err(|e| format!("cannot read `{}`: {e}", stderr.display()))?;
            let first = text.lines().next().unwrap_or_default();
            if first.contains(phrase) {
                Ok(())
            } else {
                Err(format!(
                    "the first error of `{}` does not say `{phrase}` ({reason}): {first}",
                    stderr.display()
                ))
            }
        }
        other => Err(format!(
            "`expect` must be accepted or rejected, got {other:?}"
        )),
    }
}
