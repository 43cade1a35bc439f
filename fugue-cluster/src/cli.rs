//! One binary, every role: [`main`] makes the user's own program the cluster's scheduler,
//! its executors and its driver, so that every node has the same transformers.
//!
//! ```text
//! my-app scheduler [--bind 127.0.0.1:50050] [--external-host HOST] [--executor-timeout 30]
//! my-app executor  [--scheduler localhost:50050] [--bind 127.0.0.1] [--external-host HOST]
//!                  [--port 50051] [--grpc-port 50052] [--cores N] [--work-dir DIR]
//!                  [--heartbeat 5]
//!                  (`--cores` and `--work-dir` default to `fugue.ballista.executor_cores` and
//!                  `fugue.ballista.executor_work_dir`, e.g. `FUGUE_BALLISTA_EXECUTOR_CORES`)
//! my-app submit ballista://HOST:50050     # run the driver on the cluster
//! my-app standalone                       # run the driver on an in-process cluster
//! my-app [run [ENGINE]]                   # run the driver on ENGINE (default: local)
//! ```

use crate::codec::{FugueLogicalCodec, FuguePhysicalCodec};
use crate::session::{new_config, scheduler_state};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use std::collections::BTreeMap;
use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;

/// The usage text.
pub const USAGE: &str = "\
usage:
  <binary> scheduler [--bind HOST:PORT] [--external-host HOST] [--executor-timeout SECS]
  <binary> executor [--scheduler HOST:PORT] [--bind HOST] [--external-host HOST] [--port PORT]
                    [--grpc-port PORT] [--cores N] [--work-dir DIR] [--heartbeat SECS]
  <binary> submit ballista://HOST:PORT   run the program on a cluster
  <binary> standalone                    run the program on a cluster inside this process
  <binary> [run [ENGINE]]                run the program on ENGINE (default: the local engine)";

/// A command-line error: what was wrong, and the usage.
#[derive(Debug, thiserror::Error)]
#[error("{0}\n{USAGE}")]
pub struct UsageError(String);

/// Parsed `--flag value` options, checked against the flags a role accepts.
struct Flags(BTreeMap<String, String>);

impl Flags {
    fn parse(args: &[String], known: &[&str]) -> Result<Flags, UsageError> {
        let mut map = BTreeMap::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(UsageError(format!("unexpected argument `{arg}`")));
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => {
                    let value = it
                        .next()
                        .ok_or_else(|| UsageError(format!("`--{name}` needs a value")))?;
                    (name.to_string(), value.clone())
                }
            };
            if !known.contains(&name.as_str()) {
                return Err(UsageError(format!(
                    "unknown option `--{name}`; accepted: {}",
                    known
                        .iter()
                        .map(|k| format!("--{k}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            map.insert(name, value);
        }
        Ok(Flags(map))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, UsageError> {
        match self.get(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|_| UsageError(format!("`--{name} {text}` is not a number"))),
        }
    }
}

/// Split `host:port`.
fn host_port(text: &str, flag: &str) -> Result<(String, u16), UsageError> {
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| UsageError(format!("`--{flag} {text}` is not HOST:PORT")))?;
    let port = port
        .parse()
        .map_err(|_| UsageError(format!("`--{flag} {text}`: `{port}` is not a port")))?;
    Ok((host.to_string(), port))
}

/// Ballista's log on standard error: warnings and errors, or what `RUST_LOG` asks for.
fn init_logging() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
}

fn runtime() -> Result<tokio::runtime::Runtime, Box<dyn Error>> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Run the scheduler until the process is stopped.
pub fn run_scheduler(args: &[String]) -> Result<(), Box<dyn Error>> {
    let flags = Flags::parse(args, &["bind", "external-host", "executor-timeout"])?;
    init_logging();
    let (host, port) = host_port(flags.get("bind").unwrap_or("127.0.0.1:50050"), "bind")?;
    let timeout: u64 = flags.number("executor-timeout", 30)?;
    let mut config = SchedulerConfig::default()
        .with_hostname(flags.get("external-host").unwrap_or(&host).to_string())
        .with_port(port)
        .with_scheduler_policy(TaskSchedulingPolicy::PullStaged)
        .with_override_config_producer(Arc::new(new_config))
        .with_override_session_builder(Arc::new(scheduler_state));
    config.bind_host = host.clone();
    config.executor_timeout_seconds = timeout;
    config.expire_dead_executor_interval_seconds = (timeout / 3).max(1);
    config.no_executors_grace_period_seconds = timeout;
    config.override_logical_codec = Some(Arc::new(FugueLogicalCodec::default()));
    config.override_physical_codec = Some(Arc::new(FuguePhysicalCodec::default()));
    let address = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))?
        .next()
        .ok_or_else(|| UsageError(format!("`--bind {host}:{port}` resolves to no address")))?;
    runtime()?.block_on(async move {
        let cluster = BallistaCluster::new_from_config(&config).await?;
        start_server(cluster, address, Arc::new(config)).await?;
        Ok::<(), Box<dyn Error>>(())
    })
}

/// Run an executor until the process is stopped.
pub fn run_executor(args: &[String]) -> Result<(), Box<dyn Error>> {
    let flags = Flags::parse(
        args,
        &[
            "scheduler",
            "bind",
            "external-host",
            "port",
            "grpc-port",
            "cores",
            "work-dir",
            "heartbeat",
        ],
    )?;
    init_logging();
    let (scheduler_host, scheduler_port) = host_port(
        flags.get("scheduler").unwrap_or("localhost:50050"),
        "scheduler",
    )?;
    // Defaults from the typed config (its `FUGUE_*` environment variables); flags win.
    let conf = fugue_core::FugueConfig::from_env()?;
    let cores = match flags.number("cores", conf.fugue.ballista.executor_cores)? {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let work_dir = flags.get("work-dir").map(str::to_string).or_else(|| {
        conf.fugue
            .ballista
            .executor_work_dir
            .as_ref()
            .map(|d| d.to_string_lossy().to_string())
    });
    let config = ExecutorProcessConfig {
        bind_host: flags.get("bind").unwrap_or("127.0.0.1").to_string(),
        external_host: flags.get("external-host").map(str::to_string),
        port: flags.number("port", 50051)?,
        grpc_port: flags.number("grpc-port", 50052)?,
        scheduler_host,
        scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: cores,
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        work_dir,
        executor_heartbeat_interval_seconds: flags.number("heartbeat", 5)?,
        override_config_producer: Some(Arc::new(new_config)),
        override_logical_codec: Some(Arc::new(FugueLogicalCodec::default())),
        override_physical_codec: Some(Arc::new(FuguePhysicalCodec::default())),
        ..ExecutorProcessConfig::default()
    };
    runtime()?.block_on(async move {
        start_executor_process(Arc::new(config)).await?;
        Ok::<(), Box<dyn Error>>(())
    })
}

/// Dispatch this process's command line (without the program name) to its role; the
/// driver is called with the engine-like to run on.
pub fn dispatch<F>(args: &[String], driver: F) -> Result<(), Box<dyn Error>>
where
    F: FnOnce(&str) -> Result<(), Box<dyn Error>>,
{
    crate::install();
    match args.first().map(String::as_str) {
        None => driver(""),
        Some("scheduler") => run_scheduler(&args[1..]),
        Some("executor") => run_executor(&args[1..]),
        Some("standalone") if args.len() == 1 => driver("ballista://standalone"),
        Some("submit") => match &args[1..] {
            [engine] if engine.to_ascii_lowercase().starts_with("ballista://") => driver(engine),
            _ => Err(UsageError(
                "`submit` needs the scheduler: `submit ballista://HOST:PORT`".into(),
            )
            .into()),
        },
        Some("run") => match &args[1..] {
            [] => driver(""),
            [engine] => driver(engine),
            _ => Err(UsageError("`run` takes at most one engine".into()).into()),
        },
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(UsageError(format!("unknown command `{other}`")).into()),
    }
}

/// The `main` of a program that runs on a cluster: the same binary is the scheduler
/// (`scheduler`), an executor (`executor`) and the driver (`submit ballista://HOST:PORT`,
/// `standalone`, or `run [ENGINE]`); `driver` gets the engine-like to run its workflow on.
///
/// ```no_run
/// use std::error::Error;
///
/// fn main() -> std::process::ExitCode {
///     fugue_cluster::main(|engine| {
///         // build and run the workflow on `engine` here
///         println!("running on `{engine}`");
///         Ok::<(), Box<dyn Error>>(())
///     })
/// }
/// ```
pub fn main<F>(driver: F) -> ExitCode
where
    F: FnOnce(&str) -> Result<(), Box<dyn Error>>,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args, driver) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_are_checked() {
        let flags = Flags::parse(&args("--port 1 --cores=2"), &["port", "cores"]).unwrap();
        assert_eq!(flags.number("port", 0u16).unwrap(), 1);
        assert_eq!(flags.number("cores", 0usize).unwrap(), 2);
        let e = Flags::parse(&args("--prot 1"), &["port"]).err().unwrap();
        assert!(
            e.to_string()
                .contains("unknown option `--prot`; accepted: --port"),
            "{e}"
        );
        let e = Flags::parse(&args("--port"), &["port"]).err().unwrap();
        assert!(e.to_string().contains("`--port` needs a value"), "{e}");
        assert!(host_port("localhost", "bind").is_err());
        assert_eq!(host_port("h:7", "bind").unwrap(), ("h".to_string(), 7));
    }

    #[test]
    fn roles_dispatch_and_the_driver_gets_the_engine() {
        let mut seen = String::new();
        dispatch(&args("submit ballista://h:1"), |e| {
            seen = e.to_string();
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, "ballista://h:1");
        dispatch(&args("run native"), |e| {
            seen = e.to_string();
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, "native");
        let e = dispatch(&args("submit local"), |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("submit ballista://HOST:PORT"), "{e}");
        let e = dispatch(&args("frobnicate"), |_| Ok(())).unwrap_err();
        assert!(
            e.to_string().contains("unknown command `frobnicate`"),
            "{e}"
        );
    }
}
