//! The process-wide configuration, in a test binary of its own (the global layer is shared by
//! every test of a process): `register_global_conf` reaches engines created by name, the conf
//! given with the engine-like wins over it, the strict form refuses to change a value, and the
//! `FUGUE_*` environment is read by `local` and `native` (checked in a child process started
//! with `Command::env`, since the workspace forbids the `unsafe` `set_var`).

use fugue::make_engine;
use fugue_core::config::{
    clear_global_conf, global_conf, register_global_conf, try_register_global_conf,
};
use std::process::Command;
use std::sync::Mutex;

/// The tests of this binary that change the global layer run one at a time.
static GLOBAL: Mutex<()> = Mutex::new(());

/// Set in the child process started by [`the_environment_is_read_by_every_engine_like`].
const CHILD: &str = "FUGUE_GLOBAL_CONF_TEST_CHILD";

#[test]
fn a_registered_global_conf_reaches_engines_created_by_name() -> fugue::Result<()> {
    if std::env::var_os(CHILD).is_some() {
        return Ok(());
    }
    let _guard = GLOBAL.lock().unwrap_or_else(|p| p.into_inner());
    clear_global_conf();
    let before = make_engine("local", ())?;
    register_global_conf([("fugue.default.partitions", "3"), ("user.team", "data")])?;
    for name in ["local", "native"] {
        let engine = make_engine(name, ())?;
        assert_eq!(engine.conf().fugue.default.partitions, 3, "{name}");
        assert_eq!(engine.conf().get("user.team").as_deref(), Some("data"));
        let given = make_engine(name, [("fugue.default.partitions", "5")])?;
        assert_eq!(
            given.conf().fugue.default.partitions,
            5,
            "the given conf wins"
        );
    }
    // An engine made before the registration keeps its conf.
    assert_eq!(before.conf().fugue.default.partitions, -1);
    // Registering again overwrites; the strict form refuses a change and changes nothing.
    register_global_conf([("fugue.default.partitions", "4")])?;
    let err =
        try_register_global_conf([("fugue.default.partitions", "6"), ("user.x", "1")]).unwrap_err();
    assert!(matches!(err, fugue::FugueError::Config { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("fugue.default.partitions"), "{text}");
    assert!(text.contains("`4`") && text.contains("`6`"), "{text}");
    assert_eq!(global_conf().get("user.x"), None, "nothing registered");
    try_register_global_conf([("fugue.default.partitions", "4"), ("user.x", "1")])?;
    assert_eq!(global_conf().get("user.x").as_deref(), Some("1"));
    // A bad key or value registers nothing.
    assert!(register_global_conf([("fugue.default.partitons", "2")]).is_err());
    assert!(register_global_conf([("fugue.default.partitions", "two")]).is_err());
    assert_eq!(
        make_engine("native", ())?.conf().fugue.default.partitions,
        4
    );
    clear_global_conf();
    assert_eq!(
        make_engine("native", ())?.conf().fugue.default.partitions,
        -1
    );
    Ok(())
}

/// The child half of [`the_environment_is_read_by_every_engine_like`]: runs its checks only in
/// the child process, where the parent set the environment.
#[test]
fn child_reads_the_environment() -> fugue::Result<()> {
    let Some(mode) = std::env::var_os(CHILD) else {
        return Ok(());
    };
    match mode.to_str() {
        Some("good") => {
            register_global_conf([("fugue.workflow.concurrency", "2")])?;
            for name in ["local", "native", ""] {
                let engine = make_engine(name, ())?;
                let conf = engine.conf();
                assert_eq!(conf.fugue.default.partitions, 7, "{name}: from FUGUE_*");
                assert_eq!(
                    conf.fugue.workflow.concurrency, 3,
                    "{name}: env over global"
                );
                let given = make_engine(name, [("fugue.default.partitions", "2")])?;
                assert_eq!(given.conf().fugue.default.partitions, 2, "given over env");
            }
            println!("child checks passed");
        }
        _ => {
            let Err(err) = make_engine("local", ()) else {
                panic!("a bad FUGUE_DEFAULT_PARTITIONS is an error");
            };
            let text = err.to_string();
            assert!(text.contains("FUGUE_DEFAULT_PARTITIONS"), "{text}");
            println!("child checks passed");
        }
    }
    Ok(())
}

#[test]
fn the_environment_is_read_by_every_engine_like() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    for (mode, partitions) in [("good", "7"), ("bad", "many")] {
        let out = Command::new(&exe)
            .args(["--exact", "child_reads_the_environment", "--nocapture"])
            .env(CHILD, mode)
            .env("FUGUE_DEFAULT_PARTITIONS", partitions)
            .env("FUGUE_WORKFLOW_CONCURRENCY", "3")
            .output()
            .expect("the child runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{mode}: {stdout}\n{stderr}");
        assert!(
            stdout.contains("child checks passed") && stdout.contains("1 passed"),
            "{mode}: the child ran its checks: {stdout}"
        );
    }
}
