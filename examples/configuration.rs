//! Configuration (reference §1): the typed `fugue.*` tree, its string keys, `FUGUE_*`
//! environment overrides, TOML files, and the precedence
//! defaults < engine conf < workflow conf < per-call.
//!
//! `cargo run --example configuration`

use fugue::config::{self, ConfigOverrides, FugueConfig, TomlConfig};
use fugue::prelude::*;

fn main() -> Result<(), FugueError> {
    // Every key, with its default, type and scope (this list is generated into docs/configs.md).
    for entry in config::entries() {
        let default = entry.default.as_deref().unwrap_or("(unset)");
        println!(
            "{:<36} default {:<10} {}",
            entry.key,
            default,
            entry.scope.name()
        );
    }

    // Typed access and string access read the same value.
    let conf = FugueConfig::new().with("fugue.workflow.concurrency", "4")?;
    println!(
        "\ntyped: {}, string: {:?}",
        conf.fugue.workflow.concurrency,
        conf.get("fugue.workflow.concurrency")
    );

    // Bad keys and values are errors that say what to fix.
    if let Err(e) = FugueConfig::new().with("fugue.workflow.concurency", "4") {
        println!("{e}");
    }
    if let Err(e) = FugueConfig::new().with("fugue.workflow.concurrency", "many") {
        println!("{e}");
    }

    // Environment overrides, here from a list instead of the process environment.
    let from_env = FugueConfig::new().with_env_vars([("FUGUE_WORKFLOW_CONCURRENCY", "8")])?;
    println!(
        "from FUGUE_WORKFLOW_CONCURRENCY=8: {}",
        from_env.fugue.workflow.concurrency
    );

    // TOML, nested or with dotted keys.
    let toml = ConfigOverrides::from_toml_str(
        "[fugue.workflow]\nconcurrency = 2\n[fugue.workflow.checkpoint]\npath = \"/tmp/fugue-checkpoints\"\n",
    )?;
    println!("from TOML: {:?}", toml.to_map());

    // Precedence: defaults < engine < workflow < per-call; a layer only overrides what it sets.
    let engine = ConfigOverrides::new()
        .with("fugue.workflow.concurrency", "2")?
        .with("fugue.default.partitions", "16")?;
    let workflow = ConfigOverrides::new().with("fugue.workflow.concurrency", "3")?;
    let per_call = ConfigOverrides::new().with("fugue.workflow.auto_persist", "true")?;
    let merged = FugueConfig::layered([&engine, &workflow, &per_call]);
    println!(
        "merged: concurrency={} partitions={} auto_persist={}",
        merged.fugue.workflow.concurrency,
        merged.fugue.default.partitions,
        merged.fugue.workflow.auto_persist
    );

    // A per-call override gives a new engine; the shared engine is never changed.
    let shared = fugue::make_engine("local", [("local.workers", "2")])?;
    let per_call_engine = fugue::make_engine(shared.clone(), [("local.workers", "1")])?;
    println!(
        "shared engine: {} workers; per-call engine: {} worker(s); shared still {}",
        shared.parallelism(),
        per_call_engine.parallelism(),
        shared.parallelism()
    );
    Ok(())
}
