//! The DataFusion sessions of the three roles (driver, scheduler, executor), wired with
//! Fugue's codecs, query planner and SQL options.

use crate::codec::{FugueLogicalCodec, FuguePhysicalCodec};
use crate::node::FugueQueryPlanner;
use ballista::prelude::SessionConfigExt;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::context::SessionState;
use datafusion::prelude::SessionConfig;
use std::sync::Arc;

/// Fugue's SQL options on a config: identifiers case-sensitive and plain string types (the
/// same as the engines of one machine), Fugue's codecs for Ballista.
pub fn fugue_config(config: SessionConfig) -> SessionConfig {
    let mut config = config
        .upgrade_for_ballista()
        .with_ballista_logical_extension_codec(Arc::new(FugueLogicalCodec::default()))
        .with_ballista_physical_extension_codec(Arc::new(FuguePhysicalCodec::default()))
        .with_information_schema(false);
    // The static distributed planner: Ballista 55's adaptive planner does not reschedule the
    // tasks of an executor lost in the middle of a job (the job stalls; measured).
    config = config.set_str("ballista.planner.adaptive.enabled", "false");
    // Pull job tracking (a status request every 50 ms): the client learns the job's id as soon
    // as the scheduler accepts it, so a job dropped by its reader (a time limit, a cancel) is
    // cancelled through the scheduler. With push tracking the id arrives with the first status
    // message: measured, a cluster plan's job stopped 2 s after its submission, its task
    // running, had no id yet and could not be cancelled (tests/timeouts.rs).
    config = config.set_str("ballista.client.pull", "true");
    let options = config.options_mut();
    options.sql_parser.enable_ident_normalization = false;
    options.sql_parser.map_string_types_to_utf8view = false;
    options.execution.parquet.schema_force_view_types = false;
    config
}

/// A config for Ballista with Fugue's options.
pub fn new_config() -> SessionConfig {
    fugue_config(SessionConfig::new_with_ballista())
}

/// The scheduler's session for a job (and the standalone mode's): Ballista's defaults plus
/// Fugue's query planner, which plans transformer steps.
pub fn scheduler_state(config: SessionConfig) -> datafusion::common::Result<SessionState> {
    let config = fugue_config(config);
    Ok(SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .with_optimizer_rules(ballista_core::optimizer::ballista_default_optimizer_rules())
        .with_scalar_functions(ballista_core::extension::ballista_scalar_functions())
        .with_aggregate_functions(ballista_core::extension::ballista_aggregate_functions())
        .with_window_functions(ballista_core::extension::ballista_window_functions())
        .with_query_planner(Arc::new(FugueQueryPlanner))
        .build())
}

/// The driver's session before Ballista upgrades it for a remote scheduler.
pub fn client_state(config: SessionConfig) -> SessionState {
    SessionStateBuilder::new()
        .with_default_features()
        .with_config(fugue_config(config))
        .build()
}
