//! The generated documentation page `docs/configs.md`.

use super::entries;

/// The command that rewrites `docs/configs.md` from the tree.
pub const REGENERATE: &str = "FUGUE_UPDATE_DOCS=1 cargo test -p fugue-core config_doc";

/// The page `docs/configs.md`: every `fugue.*` key with its default, type, scope, environment
/// variable and meaning, generated from the typed tree (the doc comments are the meanings).
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- Generated from the typed tree in fugue-core/src/config/mod.rs by \
         fugue_core::config::markdown(). Do not edit by hand: edit the doc comments, then run\n",
    );
    out.push_str(&format!("     {REGENERATE}\n-->\n\n"));
    out.push_str("# Configuration keys\n\n");
    out.push_str(
        "Every `fugue.*` key, declared once in `fugue_core::config` (typed access: \
         `config.fugue.workflow.concurrency`; string access: `config.get(key)`, \
         `config.set(key, value)`).\n\n\
         * **Scope** says when a key is read: `compile` keys when a workflow run starts, from \
         the run's merged config (so a compile key set on the engine, the workflow or the call \
         applies to the whole run); `engine` keys by the engine when it runs a step.\n\
         * **Precedence**: `defaults < global conf < environment < engine conf < workflow \
         conf < per-call`. The global conf is what the program registered with \
         `fugue_core::config::register_global_conf`; it and the environment are read when an \
         engine is created by name (`make_engine(\"local\", ..)`, `\"native\"`, \
         `ballista://..`). A layer changes only the keys it sets, and a per-call override \
         returns a new config: it never changes the engine's.\n\
         * **Environment**: each key can be set by its variable (dots become underscores, \
         upper case), read by every engine created by name. Invalid values are errors that \
         name the variable; `FUGUE_*` variables that name no key are ignored.\n\
         * **Other keys**: keys outside `fugue.` (engine keys, a user's keys) are kept as \
         strings and passed through; an unknown key under `fugue.` is an error.\n\
         * **Values**: `bool` accepts `true`/`false`, `yes`/`no`, `1`/`0` (any case); \
         `duration` accepts `2 sec`, `500ms`, `1.5s`, `2 min`, `1h` or a number of seconds; \
         an empty default means unset, and setting an optional key to the empty string unsets \
         it.\n\n",
    );
    out.push_str("| key | default | type | scope | env var | meaning |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for e in entries() {
        let default = e
            .default
            .map(|d| format!("`{d}`"))
            .unwrap_or_else(|| "(unset)".to_string());
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | `{}` | {} |\n",
            e.key,
            default,
            e.ty,
            e.scope,
            e.env_var,
            e.doc.replace('|', "\\|")
        ));
    }
    out
}
