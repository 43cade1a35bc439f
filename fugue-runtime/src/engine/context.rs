//! Which engine a program means when it names none, and engines registered by name (reference
//! §2.9): Fugue's `engine_context`, `set_global_engine` / `clear_global_engine` and
//! `register_execution_engine`.
//!
//! An engine-like that names no engine (`()`, `None`, `""`) resolves to, in order: the
//! innermost [`engine_context`] of the calling thread, else the process-wide engine of
//! [`set_global_engine`], else a new `local` engine. A name resolves to a built-in engine
//! (`native`, `local`), else to an engine [`register_engine`] registered under that name, else
//! (`scheme://..`) to an installed URL scheme.
//!
//! ```
//! use fugue_runtime::engine::{engine_context, make_engine};
//!
//! assert_eq!(make_engine((), ())?.name(), "local");
//! {
//!     let _native = engine_context("native", ())?;
//!     // Every call that names no engine runs on the context's engine, on this thread.
//!     assert_eq!(make_engine((), ())?.name(), "native");
//! }
//! assert_eq!(make_engine((), ())?.name(), "local");
//! # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
//! ```

use super::{ExecutionEngine, IntoEngine, LocalEngine};
use fugue_core::config::{ConfigOverrides, FugueConfig, IntoConfigOverrides, engine_conf};
use fugue_core::{FugueError, Result};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

/// What makes an engine registered by name, from the configuration of the engine-like that
/// named it (layered as for the built-in engines: defaults < global < `FUGUE_*` < given).
pub type NamedEngineFactory = dyn Fn(FugueConfig) -> Result<Arc<dyn ExecutionEngine>> + Send + Sync;

/// The names [`register_engine`] cannot take: the built-in engines and the default.
pub const BUILT_IN_ENGINES: &[&str] = &["native", "local"];

static NAMED: RwLock<BTreeMap<String, Arc<NamedEngineFactory>>> = RwLock::new(BTreeMap::new());

static GLOBAL: RwLock<Option<Arc<dyn ExecutionEngine>>> = RwLock::new(None);

thread_local! {
    static CONTEXT: RefCell<Vec<Arc<dyn ExecutionEngine>>> = const { RefCell::new(Vec::new()) };
}

/// Register an engine under a plain name (Fugue's `register_execution_engine`), so that any
/// engine-like string (`make_engine("mine", conf)`, `wf.run_on("mine")`, `fugue::transform(..)
/// .engine("mine")`) makes one with `factory`. Names match in any case; registering a name again
/// replaces its factory (Fugue's default `on_dup="overwrite"`).
///
/// A name is letters, digits, `_`, `-` and `.`; the built-in names ([`BUILT_IN_ENGINES`]) cannot
/// be replaced (a library re-registering `local` would change every other caller's engine),
/// and `scheme://..` engine-likes are [`install_engine_scheme`](super::install_engine_scheme)'s.
/// Both are [`FugueError::InvalidArgument`].
///
/// ```
/// use fugue_runtime::engine::{LOCAL_WORKERS, LocalEngine, make_engine, register_engine};
/// use std::sync::Arc;
///
/// // A `local` engine with two workers, whatever the machine.
/// register_engine("two_workers", |conf| {
///     let conf = conf.with(LOCAL_WORKERS, "2")?;
///     Ok(Arc::new(LocalEngine::local(conf)?) as Arc<_>)
/// })?;
/// let engine = make_engine("Two_Workers", [("user.key", "v")])?;
/// assert_eq!(engine.parallelism(), 2);
/// assert_eq!(engine.conf().get("user.key").as_deref(), Some("v"));
/// # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
/// ```
pub fn register_engine(
    name: &str,
    factory: impl Fn(FugueConfig) -> Result<Arc<dyn ExecutionEngine>> + Send + Sync + 'static,
) -> Result<()> {
    let key = registrable(name)?;
    let mut table = NAMED.write().unwrap_or_else(|e| e.into_inner());
    table.insert(key, Arc::new(factory));
    Ok(())
}

/// Remove the engine registered as `name` (any case); whether there was one.
pub fn unregister_engine(name: &str) -> bool {
    let mut table = NAMED.write().unwrap_or_else(|e| e.into_inner());
    table.remove(&name.trim().to_ascii_lowercase()).is_some()
}

/// The names of the engines registered with [`register_engine`], lower-cased and sorted.
pub fn registered_engines() -> Vec<String> {
    let table = NAMED.read().unwrap_or_else(|e| e.into_inner());
    table.keys().cloned().collect()
}

/// A name [`register_engine`] can take, lower-cased.
fn registrable(name: &str) -> Result<String> {
    let key = name.trim().to_ascii_lowercase();
    let wrong = |why: &str| {
        Err(FugueError::invalid_argument(
            "engine name",
            format!("cannot register an engine as `{name}`: {why}"),
        ))
    };
    if key.is_empty() {
        return wrong("the empty name is the default engine (`local`, or the engine context)");
    }
    if BUILT_IN_ENGINES.contains(&key.as_str()) {
        return wrong("it is a built-in engine, which cannot be replaced; choose another name");
    }
    if key.contains("://") {
        return wrong(
            "a URL names an engine of an installed scheme; use `install_engine_scheme` for a \
             scheme",
        );
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return wrong("a name is letters, digits, `_`, `-` and `.`");
    }
    Ok(key)
}

/// The factory registered as `name` (lower-cased already).
pub(super) fn named_factory(name: &str) -> Option<Arc<NamedEngineFactory>> {
    let table = NAMED.read().unwrap_or_else(|e| e.into_inner());
    table.get(name).cloned()
}

/// Make the engine registered as `name`, with the layered configuration.
pub(super) fn make_named(
    factory: &NamedEngineFactory,
    name: &str,
    conf: &ConfigOverrides,
) -> Result<Arc<dyn ExecutionEngine>> {
    factory(engine_conf(conf)?).map_err(|e| {
        e.context(format!(
            "the engine registered as `{name}` could not be made"
        ))
    })
}

/// The engine of an engine-like that names none: the calling thread's innermost
/// [`engine_context`], else the [`set_global_engine`] engine, else a new `local` engine; `conf`
/// is layered on it (a context or global engine is never changed: a new instance is made).
pub(super) fn default_engine(conf: &ConfigOverrides) -> Result<Arc<dyn ExecutionEngine>> {
    match current_engine() {
        Some(engine) => engine.into_engine(conf),
        None => Ok(Arc::new(LocalEngine::local(engine_conf(conf)?)?)),
    }
}

/// The engine a call naming no engine would use when one is set: the calling thread's innermost
/// [`engine_context`], else the [`set_global_engine`] engine; `None` when neither is set (the
/// default `local` engine then applies).
pub fn current_engine() -> Option<Arc<dyn ExecutionEngine>> {
    CONTEXT
        .with(|stack| stack.borrow().last().cloned())
        .or_else(|| GLOBAL.read().unwrap_or_else(|e| e.into_inner()).clone())
}

/// [`current_engine`], or [`FugueError::InvalidOperation`] when neither a context nor a global
/// engine is set (Fugue's `get_context_engine`).
pub fn context_engine() -> Result<Arc<dyn ExecutionEngine>> {
    current_engine()
        .ok_or_else(|| FugueError::InvalidOperation("no global or context engine is set".into()))
}

/// The configuration a call naming no engine runs with (Fugue's `get_current_conf`): the
/// [`current_engine`]'s, else the layered defaults of a new engine (defaults < global <
/// `FUGUE_*`).
pub fn current_conf() -> Result<FugueConfig> {
    match current_engine() {
        Some(engine) => Ok(engine.conf().clone()),
        None => engine_conf(&ConfigOverrides::new()),
    }
}

/// Set the process-wide default engine (Fugue's `set_global_engine`): every call naming no
/// engine, on any thread without an [`engine_context`], runs on it. Replaces an earlier one;
/// returns the engine set.
pub fn set_global_engine(
    engine: impl IntoEngine,
    conf: impl IntoConfigOverrides,
) -> Result<Arc<dyn ExecutionEngine>> {
    let engine = engine.into_engine(&conf.into_overrides()?)?;
    *GLOBAL.write().unwrap_or_else(|e| e.into_inner()) = Some(engine.clone());
    Ok(engine)
}

/// Remove the process-wide default engine (calls naming no engine use `local` again, or the
/// thread's [`engine_context`]); the engine that was set, if any.
pub fn clear_global_engine() -> Option<Arc<dyn ExecutionEngine>> {
    GLOBAL.write().unwrap_or_else(|e| e.into_inner()).take()
}

/// Make `engine` (any engine-like, with `conf` layered on it) the default of the calling thread
/// until the returned guard is dropped (Fugue's `with engine_context(engine):`). Contexts nest:
/// dropping a guard restores the context it replaced. The guard cannot leave its thread.
///
/// Fugue stops an engine when its last context exits; here an engine lives while anything
/// holds it (the guard, a frame, a caller's `Arc`) and is dropped with the last holder.
pub fn engine_context(
    engine: impl IntoEngine,
    conf: impl IntoConfigOverrides,
) -> Result<EngineContext> {
    // Resolved first: `engine_context((), conf)` layers `conf` on the current default.
    let engine = engine.into_engine(&conf.into_overrides()?)?;
    CONTEXT.with(|stack| stack.borrow_mut().push(engine.clone()));
    Ok(EngineContext {
        engine,
        _not_send: PhantomData,
    })
}

/// The guard of an [`engine_context`]: the thread's default engine until it is dropped.
#[must_use = "the context ends when the guard is dropped"]
pub struct EngineContext {
    engine: Arc<dyn ExecutionEngine>,
    _not_send: PhantomData<std::rc::Rc<()>>,
}

impl EngineContext {
    /// The context's engine.
    pub fn engine(&self) -> &Arc<dyn ExecutionEngine> {
        &self.engine
    }
}

impl std::fmt::Debug for EngineContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineContext")
            .field("engine", &self.engine.name())
            .finish()
    }
}

impl Drop for EngineContext {
    fn drop(&mut self) {
        CONTEXT.with(|stack| {
            let mut stack = stack.borrow_mut();
            // Guards drop in reverse order on one thread (they cannot move), except when a
            // program drops an outer one first (`mem::drop`): remove this guard's own entry.
            if let Some(i) = stack.iter().rposition(|e| Arc::ptr_eq(e, &self.engine)) {
                stack.remove(i);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fugue_core::ErrorKind;

    fn local(conf: FugueConfig) -> Result<Arc<dyn ExecutionEngine>> {
        Ok(Arc::new(LocalEngine::native(conf)?))
    }

    #[test]
    fn names_are_checked() {
        for bad in ["", "  ", "native", "LOCAL", "x://y", "a b", "é"] {
            let e = register_engine(bad, local).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}");
            assert!(e.to_string().contains("cannot register"), "{e}");
        }
        assert!(register_engine("ctx-tests.ok_1", local).is_ok());
        assert!(registered_engines().contains(&"ctx-tests.ok_1".to_string()));
        assert!(unregister_engine("CTX-tests.OK_1"));
        assert!(!unregister_engine("ctx-tests.ok_1"));
    }

    #[test]
    fn contexts_nest_and_restore() {
        assert!(CONTEXT.with(|s| s.borrow().is_empty()));
        let outer = engine_context("native", ()).unwrap();
        assert_eq!(current_engine().unwrap().name(), "native");
        {
            let inner = engine_context("local", [("user.k", "v")]).unwrap();
            assert_eq!(current_engine().unwrap().name(), "local");
            assert_eq!(inner.engine().conf().get("user.k").as_deref(), Some("v"));
            // `()` layers the call's conf on the context's engine without changing it.
            let layered = super::super::make_engine((), [("user.k", "w")]).unwrap();
            assert_eq!(layered.conf().get("user.k").as_deref(), Some("w"));
            assert_eq!(
                current_engine().unwrap().conf().get("user.k").as_deref(),
                Some("v")
            );
        }
        assert_eq!(current_engine().unwrap().name(), "native");
        // Another thread does not see this thread's context.
        let other = std::thread::spawn(|| CONTEXT.with(|s| s.borrow().len()))
            .join()
            .unwrap();
        assert_eq!(other, 0);
        drop(outer);
        assert!(CONTEXT.with(|s| s.borrow().is_empty()));
    }

    #[test]
    fn dropping_an_outer_guard_first_keeps_the_inner() {
        let outer = engine_context("native", ()).unwrap();
        let inner = engine_context("local", ()).unwrap();
        drop(outer);
        assert_eq!(
            CONTEXT.with(|s| s.borrow().last().map(|e| e.name().to_string())),
            Some("local".to_string())
        );
        drop(inner);
        assert!(CONTEXT.with(|s| s.borrow().is_empty()));
    }
}
