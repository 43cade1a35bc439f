use super::*;
use crate::ErrorKind;

fn config_err(result: Result<impl std::fmt::Debug>) -> String {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
            e.to_string()
        }
    }
}

#[test]
fn keys_mirror_the_field_paths() {
    assert_eq!(
        keys(),
        [
            "fugue.workflow.concurrency",
            "fugue.workflow.checkpoint.path",
            "fugue.workflow.auto_persist",
            "fugue.workflow.auto_persist_value",
            "fugue.default.partitions",
            "fugue.rpc.server",
            "fugue.rpc.flask_server.host",
            "fugue.rpc.flask_server.port",
            "fugue.rpc.flask_server.timeout",
            "fugue.rpc.flight_server.host",
            "fugue.rpc.flight_server.port",
            "fugue.rpc.flight_server.timeout",
            "fugue.rpc.flight_server.advertise_host",
            "fugue.rpc.flight_server.allow_insecure",
            "fugue.sql.compile.ignore_case",
            "fugue.sql.compile.dialect",
            "fugue.ballista.shared_dir",
            "fugue.ballista.partitions",
            "fugue.ballista.executor_cores",
            "fugue.ballista.executor_work_dir",
        ]
    );
}

#[test]
fn every_leaf_declares_a_scope_and_a_doc() {
    for (key, _, _, meta) in leaves(&FugueOptions::default()) {
        assert!(meta.scope.is_some(), "{key} has no scope");
        assert!(!doc_text(meta.doc).is_empty(), "{key} has no doc");
    }
}

#[test]
fn defaults_are_fugues() {
    let c = FugueConfig::default();
    assert_eq!(c.fugue.workflow.concurrency, 1);
    assert!(!c.fugue.workflow.auto_persist);
    assert_eq!(c.fugue.workflow.auto_persist_value, None);
    assert_eq!(c.fugue.workflow.checkpoint.path, None);
    assert_eq!(c.fugue.default.partitions, -1);
    assert_eq!(c.fugue.rpc.server, None);
    assert_eq!(c.fugue.rpc.flask_server.port, None);
    assert_eq!(c.fugue.rpc.flask_server.timeout, None);
    assert!(!c.fugue.sql.compile.ignore_case);
    assert_eq!(c.fugue.sql.compile.dialect, "spark");
    assert_eq!(c.get("fugue.sql.compile.dialect").as_deref(), Some("spark"));
    assert_eq!(c.get("fugue.rpc.server"), None);
}

#[test]
fn entries_list_value_default_type_scope_doc_and_env_var() {
    let c = FugueConfig::default()
        .with("fugue.workflow.concurrency", "4")
        .unwrap_or_default();
    let e = c
        .entries()
        .into_iter()
        .find(|e| e.key == "fugue.workflow.concurrency");
    let e = e.as_ref();
    assert_eq!(e.and_then(|e| e.value.as_deref()), Some("4"));
    assert_eq!(e.and_then(|e| e.default.as_deref()), Some("1"));
    assert_eq!(e.map(|e| e.ty), Some(ConfigType::Int));
    assert_eq!(e.map(|e| e.scope), Some(ConfigScope::Compile));
    assert_eq!(
        e.map(|e| e.env_var.as_str()),
        Some("FUGUE_WORKFLOW_CONCURRENCY")
    );
    assert!(e.is_some_and(|e| e.doc.starts_with("Maximum number of DAG steps")));
    let timeout = entry("fugue.rpc.flask_server.timeout");
    assert_eq!(timeout.map(|e| e.ty), Some(ConfigType::Duration));
    assert_eq!(entry("fugue.nope"), None);
}

#[test]
fn set_parses_each_type() -> Result<()> {
    let mut c = FugueConfig::default();
    c.set("fugue.workflow.concurrency", "4")?
        .set("fugue.workflow.auto_persist", "Yes")?
        .set("fugue.workflow.auto_persist_value", "disk")?
        .set("fugue.workflow.checkpoint.path", "/tmp/ck")?
        .set("fugue.default.partitions", "-1")?
        .set("fugue.rpc.flask_server.host", "0.0.0.0")?
        .set("fugue.rpc.flask_server.port", "8080")?
        .set("fugue.rpc.flask_server.timeout", "1.5s")?
        .set("fugue.sql.compile.dialect", "duckdb")?;
    assert_eq!(c.fugue.workflow.concurrency, 4);
    assert!(c.fugue.workflow.auto_persist);
    assert_eq!(c.fugue.workflow.auto_persist_value.as_deref(), Some("disk"));
    assert_eq!(
        c.fugue.workflow.checkpoint.path,
        Some(PathBuf::from("/tmp/ck"))
    );
    assert_eq!(c.fugue.rpc.flask_server.port, Some(8080));
    assert_eq!(
        c.fugue.rpc.flask_server.timeout,
        Some(Duration::from_millis(1500))
    );
    assert_eq!(
        c.get("fugue.workflow.auto_persist").as_deref(),
        Some("true")
    );
    assert_eq!(
        c.get("fugue.rpc.flask_server.timeout").as_deref(),
        Some("1500ms")
    );
    // The empty string unsets an optional key; reset restores the default.
    c.set("fugue.workflow.checkpoint.path", "")?;
    assert_eq!(c.fugue.workflow.checkpoint.path, None);
    c.reset("fugue.workflow.concurrency")?;
    assert_eq!(c.fugue.workflow.concurrency, 1);
    Ok(())
}

#[test]
fn invalid_values_name_the_key_and_the_expected_form() {
    let mut c = FugueConfig::default();
    assert_eq!(
        config_err(c.set("fugue.workflow.concurrency", "abc")),
        "invalid config `fugue.workflow.concurrency`: expects a non-negative integer, got `abc`"
    );
    assert_eq!(
        config_err(c.set("fugue.workflow.concurrency", "-2")),
        "invalid config `fugue.workflow.concurrency`: expects a non-negative integer, got `-2`"
    );
    let err = config_err(c.set("fugue.workflow.auto_persist", "maybe"));
    assert!(
        err.contains("`fugue.workflow.auto_persist`: expects a boolean"),
        "{err}"
    );
    let err = config_err(c.set("fugue.rpc.flask_server.timeout", "soon"));
    assert!(err.contains("expects a duration such as `2 sec`"), "{err}");
    let err = config_err(c.set("fugue.rpc.flask_server.port", "99999"));
    assert!(err.contains("port between 0 and 65535"), "{err}");
    // A failed set changes nothing.
    assert_eq!(c, FugueConfig::default());
}

#[test]
fn unknown_keys_under_fugue_suggest_the_closest() {
    let mut c = FugueConfig::default();
    assert_eq!(
        config_err(c.set("fugue.workflow.concurency", "4")),
        "invalid config `fugue.workflow.concurency`: unknown key; did you mean `fugue.workflow.concurrency`?"
    );
    // By last segment when the whole key is far.
    let err = config_err(c.set("fugue.concurrency", "4"));
    assert!(
        err.ends_with("did you mean `fugue.workflow.concurrency`?"),
        "{err}"
    );
    // Case matters for keys, but `FUGUE.` is still ours.
    let err = config_err(c.set("FUGUE.workflow.concurrency", "4"));
    assert!(
        err.ends_with("did you mean `fugue.workflow.concurrency`?"),
        "{err}"
    );
    // A namespace is not a key; nothing close lists the keys.
    let err = config_err(c.set("fugue.zzz", "4"));
    assert!(
        err.contains("the `fugue.` keys are: `fugue.workflow.concurrency`"),
        "{err}"
    );
    let err = config_err(c.set("fugue.workflow", "4"));
    assert!(err.contains("unknown key"), "{err}");
    let err = config_err(c.set("fugue.workflow.concurrency.x", "4"));
    assert!(err.contains("unknown key"), "{err}");
    assert!(config_err(c.reset("fugue.nope")).contains("unknown key"));
    assert!(config_err(c.set("", "4")).contains("cannot be empty"));
    assert_eq!(c, FugueConfig::default());
}

#[test]
fn a_trailing_dot_is_an_unknown_key_under_fugue_and_kept_elsewhere() -> Result<()> {
    let mut c = FugueConfig::default();
    for key in [
        "fugue.workflow.concurrency.",
        "fugue.workflow.checkpoint.path.",
        "fugue.workflow.",
        "fugue.",
    ] {
        let err = config_err(c.set(key, "4"));
        assert!(err.contains("unknown key"), "{key}: {err}");
        assert!(config_err(c.reset(key)).contains("unknown key"), "{key}");
        let mut layer = ConfigOverrides::new();
        assert!(layer.set(key, "4").is_err(), "{key}");
    }
    let err = config_err(c.set("fugue.workflow.concurrency.", "4"));
    assert!(
        err.ends_with("did you mean `fugue.workflow.concurrency`?"),
        "{err}"
    );
    assert_eq!(c, FugueConfig::default());
    // Keys outside `fugue.` are kept as given, and read back as set.
    c.set("spark.sql.", "x")?;
    assert_eq!(c.get("spark.sql.").as_deref(), Some("x"));
    assert_eq!(c.get("spark.sql"), None);
    let back = c.to_map().into_config()?;
    assert_eq!(back, c);
    Ok(())
}

#[test]
fn long_keys_and_values_give_short_messages() {
    let mut c = FugueConfig::default();
    let key = format!("fugue.workflow.{}", "x".repeat(1_000_000));
    let err = config_err(c.set(&key, "4"));
    assert!(err.contains("unknown key"), "{}", &err[..200]);
    assert!(err.len() < 2_000, "{}", err.len());
    let value = "9".repeat(1_000_000);
    let err = config_err(c.set("fugue.workflow.concurrency", &value));
    assert!(
        err.contains("expects a non-negative integer"),
        "{}",
        &err[..200]
    );
    assert!(err.len() < 1_000, "{}", err.len());
}

#[test]
fn other_keys_pass_through() -> Result<()> {
    let mut c = FugueConfig::default();
    c.set("datafusion.execution.batch_size", "8192")?
        .set("my.threshold", "0.5")?
        .set("fuguex", "1")?;
    assert_eq!(
        c.get("datafusion.execution.batch_size").as_deref(),
        Some("8192")
    );
    assert_eq!(
        c.extra().collect::<Vec<_>>(),
        [
            ("datafusion.execution.batch_size", "8192"),
            ("fuguex", "1"),
            ("my.threshold", "0.5")
        ]
    );
    let map = c.to_map();
    assert_eq!(map.get("my.threshold").map(String::as_str), Some("0.5"));
    assert_eq!(
        map.get("fugue.workflow.concurrency").map(String::as_str),
        Some("1")
    );
    assert!(!map.contains_key("fugue.rpc.server"));
    assert_eq!(map.clone().into_config()?, c);
    // An unset key whose default is set prints as `""`, so that it reads back unset.
    c.set("fugue.rpc.flight_server.timeout", "")?;
    let map = c.to_map();
    assert_eq!(
        map.get("fugue.rpc.flight_server.timeout")
            .map(String::as_str),
        Some("")
    );
    assert_eq!(map.into_config()?, c);
    c.reset("my.threshold")?;
    assert_eq!(c.get("my.threshold"), None);
    Ok(())
}

#[test]
fn env_var_names_are_mechanical_and_unique() {
    assert_eq!(
        env_var_name("fugue.rpc.flask_server.timeout"),
        "FUGUE_RPC_FLASK_SERVER_TIMEOUT"
    );
    let names: std::collections::BTreeSet<String> =
        entries().into_iter().map(|e| e.env_var).collect();
    assert_eq!(names.len(), keys().len());
}

#[test]
fn env_overrides_known_keys_and_ignores_others() -> Result<()> {
    let base = FugueConfig::default().with("fugue.default.partitions", "4")?;
    let vars = [
        ("FUGUE_WORKFLOW_CONCURRENCY", "3"),
        ("FUGUE_RPC_FLASK_SERVER_TIMEOUT", "2 sec"),
        ("FUGUE_CASES_DIR", "/somewhere"),
        ("FUGUE_WORKFLOW_CONCURENCY", "9"),
        ("PATH", "/bin"),
    ];
    let c = base.with_env_vars(vars)?;
    assert_eq!(c.fugue.workflow.concurrency, 3);
    assert_eq!(
        c.fugue.rpc.flask_server.timeout,
        Some(Duration::from_secs(2))
    );
    // Keys the environment does not set keep the config's values; `base` is unchanged.
    assert_eq!(c.fugue.default.partitions, 4);
    assert_eq!(base.fugue.workflow.concurrency, 1);
    assert_eq!(c.extra().count(), 0);

    let err = config_err(base.with_env_vars([("FUGUE_WORKFLOW_CONCURRENCY", "many")]));
    assert_eq!(
        err,
        "invalid config `fugue.workflow.concurrency`: expects a non-negative integer, got `many` \
         (from environment variable `FUGUE_WORKFLOW_CONCURRENCY`)"
    );
    Ok(())
}

#[test]
fn config_like_forms() -> Result<()> {
    let from_array = [("fugue.workflow.concurrency", "4")].into_config()?;
    assert_eq!(from_array.fugue.workflow.concurrency, 4);
    let from_typed = vec![("fugue.workflow.concurrency", 4)].into_config()?;
    assert_eq!(from_typed, from_array);
    let map: std::collections::HashMap<String, String> = [
        ("fugue.workflow.concurrency".to_string(), "4".to_string()),
        ("x.y".to_string(), "z".to_string()),
    ]
    .into();
    let from_map = FugueConfig::try_from(map)?;
    assert_eq!(from_map.fugue.workflow.concurrency, 4);
    assert_eq!(from_map.get("x.y").as_deref(), Some("z"));
    let btree: BTreeMap<&str, bool> = [("fugue.workflow.auto_persist", true)].into();
    assert!(FugueConfig::try_from(btree)?.fugue.workflow.auto_persist);
    let pairs: &[(&str, &str)] = &[
        ("fugue.default.partitions", "2"),
        ("fugue.default.partitions", "3"),
    ];
    assert_eq!(pairs.into_config()?.fugue.default.partitions, 3);
    // A typed config is a layer setting every key; `None` sets nothing.
    assert_eq!(from_map.clone().into_config()?, from_map);
    assert_eq!(
        None::<ConfigOverrides>.into_config()?,
        FugueConfig::default()
    );
    // Errors come through.
    let err = config_err([("fugue.workflow.concurency", "4")].into_config());
    assert!(err.contains("did you mean"), "{err}");
    Ok(())
}

#[test]
fn overrides_track_only_explicit_keys() -> Result<()> {
    let layer = ConfigOverrides::new()
        .with("fugue.workflow.concurrency", "1")?
        .with("fugue.workflow.checkpoint.path", "")?
        .with("engine.key", "v")?;
    assert!(layer.is_set("fugue.workflow.concurrency"));
    assert!(layer.is_set("fugue.workflow.checkpoint.path"));
    assert!(!layer.is_set("fugue.default.partitions"));
    assert!(layer.is_set("engine.key"));
    assert_eq!(layer.len(), 3);
    assert_eq!(layer.get("fugue.default.partitions"), None);
    assert_eq!(
        layer.to_map().into_iter().collect::<Vec<_>>(),
        [
            ("engine.key".to_string(), "v".to_string()),
            ("fugue.workflow.checkpoint.path".to_string(), String::new()),
            ("fugue.workflow.concurrency".to_string(), "1".to_string()),
        ]
    );
    Ok(())
}

#[test]
fn precedence_defaults_engine_workflow_per_call() -> Result<()> {
    let engine = ConfigOverrides::new()
        .with("fugue.default.partitions", "8")?
        .with("fugue.workflow.checkpoint.path", "/engine")?
        .with("fugue.workflow.concurrency", "2")?
        .with("engine.only", "e")?
        .with("shared", "engine")?;
    let workflow = ConfigOverrides::new()
        .with("fugue.workflow.concurrency", "4")?
        .with("fugue.sql.compile.ignore_case", "true")?
        .with("shared", "workflow")?;
    let per_call = ConfigOverrides::new()
        .with("fugue.default.partitions", "16")?
        .with("shared", "call")?;

    // Defaults only.
    let c = FugueConfig::layered([]);
    assert_eq!(c, FugueConfig::default());
    // Engine over defaults: set keys change, the rest keep defaults.
    let c = FugueConfig::layered([&engine]);
    assert_eq!(c.fugue.default.partitions, 8);
    assert_eq!(c.fugue.workflow.concurrency, 2);
    assert_eq!(c.fugue.sql.compile.dialect, "spark");
    // Workflow over engine: its keys win, the engine's others survive (not reset to defaults).
    let c = FugueConfig::layered([&engine, &workflow]);
    assert_eq!(c.fugue.workflow.concurrency, 4);
    assert!(c.fugue.sql.compile.ignore_case);
    assert_eq!(c.fugue.default.partitions, 8);
    assert_eq!(
        c.fugue.workflow.checkpoint.path,
        Some(PathBuf::from("/engine"))
    );
    assert_eq!(c.get("shared").as_deref(), Some("workflow"));
    assert_eq!(c.get("engine.only").as_deref(), Some("e"));
    // Per call over everything.
    let c = FugueConfig::layered([&engine, &workflow, &per_call]);
    assert_eq!(c.fugue.default.partitions, 16);
    assert_eq!(c.fugue.workflow.concurrency, 4);
    assert_eq!(c.get("shared").as_deref(), Some("call"));
    assert_eq!(c.get("engine.only").as_deref(), Some("e"));
    // Composing layers first gives the same result.
    let composed = engine.merge(&workflow).merge(&per_call);
    assert_eq!(FugueConfig::layered([&composed]), c);
    // An explicit unset in a higher layer wins over a lower layer's value.
    let unset = ConfigOverrides::new().with("fugue.workflow.checkpoint.path", "")?;
    let c = FugueConfig::layered([&engine, &unset]);
    assert_eq!(c.fugue.workflow.checkpoint.path, None);
    // An explicit default in a higher layer also wins.
    let back_to_one = ConfigOverrides::new().with("fugue.workflow.concurrency", "1")?;
    let c = FugueConfig::layered([&engine, &back_to_one]);
    assert_eq!(c.fugue.workflow.concurrency, 1);
    Ok(())
}

#[test]
fn per_call_override_never_mutates_the_engine_config() -> Result<()> {
    let engine_conf = FugueConfig::layered([&ConfigOverrides::new()
        .with("fugue.default.partitions", "8")?
        .with("k", "engine")?]);
    let snapshot = engine_conf.clone();
    let per_call = [("fugue.default.partitions", "2"), ("k", "override")].into_overrides()?;
    let effective = engine_conf.merge(&per_call);
    assert_eq!(effective.fugue.default.partitions, 2);
    assert_eq!(effective.get("k").as_deref(), Some("override"));
    assert_eq!(engine_conf, snapshot);
    assert_eq!(engine_conf.get("k").as_deref(), Some("engine"));
    // Layers are not changed by merging either.
    let layer = ConfigOverrides::new().with("fugue.default.partitions", "3")?;
    let copy = layer.clone();
    let _ = layer.merge(&per_call);
    assert_eq!(layer, copy);
    Ok(())
}

#[test]
fn config_doc_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/configs.md");
    let generated = markdown();
    if std::env::var_os("FUGUE_UPDATE_DOCS").is_some_and(|v| v == "1") {
        if let Err(e) = std::fs::write(&path, &generated) {
            panic!("cannot write `{}`: {e}", path.display());
        }
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "`{}` is stale or missing; regenerate it with\n    {}\n",
        path.display(),
        doc::REGENERATE
    );
}

#[test]
fn markdown_lists_every_key_once() {
    let page = markdown();
    assert!(page.starts_with("<!-- Generated"));
    for key in keys() {
        let row = format!("| `{key}` |");
        assert_eq!(page.matches(&row).count(), 1, "{key}");
    }
    assert!(page.contains(
        "| `fugue.workflow.concurrency` | `1` | int | compile | `FUGUE_WORKFLOW_CONCURRENCY` |"
    ));
    assert!(page.contains("| `fugue.rpc.flask_server.timeout` | (unset) | duration | engine |"));
}
