//! Engines by plain name (`register_engine`), the thread's engine context and the process-wide
//! engine (reference §2.9: `register_execution_engine`, `engine_context`, `set_global_engine`).
//! A binary of its own: the global engine and the registrations are process-wide, and the
//! tests here hold one lock so that they do not see each other's.

use fugue::Callback;
use fugue::ErrorKind;
use fugue::Workflow;
use fugue::api::{
    clear_global_engine, context_engine, current_conf, current_engine, engine_context,
    register_engine, registered_engines, set_global_engine, unregister_engine,
};
use fugue::prelude::*;
use fugue::{IntoEngine, make_engine};
use fugue_core::config::{ConfigOverrides, FugueConfig};
use fugue_runtime::engine::{RelationalEngine, ZipHow};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

static LOCK: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    clear_global_engine();
    guard
}

/// A user's engine: `native` underneath, counting the partition maps it runs.
#[derive(Debug)]
struct Counting {
    inner: Arc<dyn ExecutionEngine>,
    maps: Arc<AtomicUsize>,
}

impl ExecutionEngine for Counting {
    fn name(&self) -> &str {
        "counting"
    }

    fn parallelism(&self) -> usize {
        self.inner.parallelism()
    }

    fn conf(&self) -> &FugueConfig {
        self.inner.conf()
    }

    fn with_conf(&self, overrides: &ConfigOverrides) -> fugue::Result<Arc<dyn ExecutionEngine>> {
        Ok(Arc::new(Counting {
            inner: self.inner.with_conf(overrides)?,
            maps: self.maps.clone(),
        }))
    }

    fn map(
        &self,
        df: DataFrame,
        function: Arc<dyn PartitionFunction>,
        spec: &PartitionSpec,
        params: Arc<Params>,
        callback: Option<Callback>,
    ) -> fugue::Result<DataFrame> {
        self.maps.fetch_add(1, Ordering::SeqCst);
        self.inner.map(df, function, spec, params, callback)
    }

    fn comap(
        &self,
        dfs: Vec<DataFrame>,
        how: ZipHow,
        spec: &PartitionSpec,
        function: Arc<dyn PartitionFunction>,
        params: Arc<Params>,
        callback: Option<Callback>,
    ) -> fugue::Result<DataFrame> {
        self.inner.comap(dfs, how, spec, function, params, callback)
    }

    fn relational(&self) -> &dyn RelationalEngine {
        self.inner.relational()
    }
}

fn counting(maps: &Arc<AtomicUsize>, conf: FugueConfig) -> fugue::Result<Arc<dyn ExecutionEngine>> {
    Ok(Arc::new(Counting {
        inner: Arc::new(fugue::LocalEngine::native(conf)?),
        maps: maps.clone(),
    }))
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct N {
    n: i64,
}

#[transformer]
fn plus_one(rows: Vec<N>) -> Vec<N> {
    rows.into_iter().map(|r| N { n: r.n + 1 }).collect()
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Engine {
    name: String,
    tag: Option<String>,
}

/// The engine a workflow's steps run on, and its `user.tag`.
#[creator]
fn engine_of(engine: &dyn ExecutionEngine) -> Vec<Engine> {
    vec![Engine {
        name: engine.name().to_string(),
        tag: engine.conf().get("user.tag"),
    }]
}

fn engine_of_run(engine: impl IntoEngine) -> Engine {
    let wf = workflow! {
        e = create(using: engine_of);
        yield e;
    };
    let rows: Vec<Engine> = fugue::records(wf.run_on(engine).unwrap().get("e").unwrap()).unwrap();
    rows[0].clone()
}

fn data() -> Vec<N> {
    vec![N { n: 1 }, N { n: 2 }]
}

#[test]
fn an_engine_registered_by_name_is_made_by_every_engine_like() -> fugue::Result<()> {
    let _serial = serial();
    let maps = Arc::new(AtomicUsize::new(0));
    let m = maps.clone();
    register_engine("Counting", move |conf| counting(&m, conf))?;
    assert!(registered_engines().contains(&"counting".to_string()));

    // make_engine, any case, with the conf layered as for the built-in engines.
    let engine = make_engine("COUNTING", [("user.tag", "given")])?;
    assert_eq!(engine.name(), "counting");
    assert_eq!(engine.conf().get("user.tag").as_deref(), Some("given"));

    // The function layer and a workflow.
    let out: Vec<N> = fugue::records(fugue::transform(data(), plus_one, (), "counting")?)?;
    assert_eq!(out, vec![N { n: 2 }, N { n: 3 }]);
    assert_eq!(maps.load(Ordering::SeqCst), 1);
    assert_eq!(engine_of_run("counting").name, "counting");
    let wf = Workflow::new();
    wf.create(data()).transform(plus_one).yield_as("out");
    wf.run_on("counting")?;
    assert_eq!(maps.load(Ordering::SeqCst), 2);

    // A failing factory names the engine and keeps its error's kind.
    register_engine("broken", |_| {
        Err(FugueError::invalid_argument("user.key", "missing"))
    })?;
    let e = make_engine("broken", ()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string().contains("the engine registered as `broken`"),
        "{e}"
    );

    // The built-in names stay the built-in engines.
    let m = maps.clone();
    let e = register_engine("native", move |c| counting(&m, c)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(make_engine("native", ())?.name(), "native");

    // Unknown names list the registered ones.
    let e = make_engine("nope", ()).unwrap_err();
    assert!(e.to_string().contains("broken, counting"), "{e}");
    assert!(unregister_engine("counting"));
    assert!(unregister_engine("broken"));
    assert_eq!(
        make_engine("counting", ()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    Ok(())
}

#[test]
fn the_context_engine_is_the_default_of_its_thread() -> fugue::Result<()> {
    let _serial = serial();
    assert!(current_engine().is_none());
    assert_eq!(
        context_engine().unwrap_err().kind(),
        ErrorKind::InvalidOperation
    );
    assert_eq!(engine_of_run(()).name, "local");

    let maps = Arc::new(AtomicUsize::new(0));
    let ctx = engine_context(
        counting(&maps, FugueConfig::default())?,
        [("user.tag", "ctx")],
    )?;
    assert_eq!(context_engine()?.name(), "counting");
    assert_eq!(current_conf()?.get("user.tag").as_deref(), Some("ctx"));
    // Every engine-like that names no engine: the function layer, `()`, `""`, `None`.
    fugue::transform(data(), plus_one, (), ())?;
    fugue::transform(data(), plus_one, (), "")?;
    fugue::transform(data(), plus_one, (), None::<&str>)?;
    fugue::Transform::new(data(), plus_one).run()?;
    assert_eq!(maps.load(Ordering::SeqCst), 4);
    assert_eq!(
        engine_of_run(()),
        Engine {
            name: "counting".into(),
            tag: Some("ctx".into())
        }
    );
    // A conf given with `()` is layered on a new instance; the context's engine is unchanged.
    let layered = make_engine((), [("user.tag", "call")])?;
    assert_eq!(layered.name(), "counting");
    assert_eq!(layered.conf().get("user.tag").as_deref(), Some("call"));
    assert_eq!(ctx.engine().conf().get("user.tag").as_deref(), Some("ctx"));
    // Naming an engine still picks it.
    assert_eq!(engine_of_run("native").name, "native");
    // Another thread has no context.
    let other = std::thread::spawn(|| engine_of_run(()).name)
        .join()
        .unwrap();
    assert_eq!(other, "local");
    // Nested contexts restore the outer one.
    {
        let _inner = engine_context("native", ())?;
        assert_eq!(engine_of_run(()).name, "native");
    }
    assert_eq!(engine_of_run(()).name, "counting");
    drop(ctx);
    assert_eq!(engine_of_run(()).name, "local");
    Ok(())
}

#[test]
fn the_global_engine_is_the_default_of_every_thread_without_a_context() -> fugue::Result<()> {
    let _serial = serial();
    set_global_engine("native", [("user.tag", "global")])?;
    assert_eq!(
        engine_of_run(()),
        Engine {
            name: "native".into(),
            tag: Some("global".into())
        }
    );
    let other = std::thread::spawn(|| engine_of_run(()).name)
        .join()
        .unwrap();
    assert_eq!(other, "native");
    // A context wins over the global engine.
    {
        let _ctx = engine_context("local", ())?;
        assert_eq!(engine_of_run(()).name, "local");
    }
    assert_eq!(engine_of_run(()).name, "native");
    let cleared = clear_global_engine().expect("an engine was set");
    assert_eq!(cleared.name(), "native");
    assert!(current_engine().is_none());
    assert_eq!(engine_of_run(()).name, "local");
    Ok(())
}
