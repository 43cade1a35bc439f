//! One binary, every role: [`main`] makes the user's own program the cluster's scheduler,
//! its executors and its driver, so that every node has the same transformers.
//!
//! ```text
//! my-app --help                           # the roles; `my-app executor --help`: its options
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
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// The command line of a program run through [`main`]: its role, and the role's options.
#[derive(Debug, Parser)]
#[command(
    about = "A Fugue program: the driver of its workflow, or a node of a Ballista cluster",
    long_about = "A Fugue program: the driver of its workflow, or a node of a Ballista cluster.\n\n\
                  The same binary is the scheduler, every executor and the driver, so that every \
                  node has the same transformers. With no command, the driver runs on the \
                  default engine."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// The roles.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run a Ballista scheduler until the process is stopped.
    Scheduler(SchedulerArgs),
    /// Run a Ballista executor until the process is stopped.
    Executor(ExecutorArgs),
    /// Run the program (the driver) on a cluster.
    Submit {
        /// The scheduler, `ballista://HOST:PORT`.
        #[arg(value_parser = ballista_url)]
        scheduler: String,
    },
    /// Run the program on a Ballista cluster inside this process.
    Standalone,
    /// Run the program on an engine.
    Run {
        /// The engine (`native`, `local`, `ballista://HOST:PORT`, a registered name); the
        /// default engine when not given.
        engine: Option<String>,
    },
}

/// The scheduler's options.
#[derive(Debug, Args)]
struct SchedulerArgs {
    /// The address the scheduler listens on.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050", value_parser = host_port)]
    bind: (String, u16),
    /// The host name executors and drivers reach the scheduler at (default: the bind host).
    #[arg(long, value_name = "HOST")]
    external_host: Option<String>,
    /// Seconds without a heartbeat after which an executor is dead.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    executor_timeout: u64,
}

/// The executor's options.
#[derive(Debug, Args)]
struct ExecutorArgs {
    /// The scheduler to register with.
    #[arg(long, value_name = "HOST:PORT", default_value = "localhost:50050", value_parser = host_port)]
    scheduler: (String, u16),
    /// The host the executor listens on.
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    bind: String,
    /// The host name the scheduler and other executors reach this executor at.
    #[arg(long, value_name = "HOST")]
    external_host: Option<String>,
    /// The Arrow Flight port (shuffle data).
    #[arg(long, default_value_t = 50051)]
    port: u16,
    /// The gRPC port (tasks).
    #[arg(long, default_value_t = 50052)]
    grpc_port: u16,
    /// Task slots (default: `fugue.ballista.executor_cores`, `FUGUE_BALLISTA_EXECUTOR_CORES`;
    /// 0 is every core).
    #[arg(long, value_name = "N")]
    cores: Option<usize>,
    /// The folder of shuffle files (default: `fugue.ballista.executor_work_dir`).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Seconds between heartbeats to the scheduler.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    heartbeat: u64,
}

/// A command-line error, as clap words it (what was wrong, the usage, `--help`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

/// Parse `args` (without the program name) as `T`: `Ok(None)` when the user asked for the help
/// or the version (printed here), a [`UsageError`] when the line is wrong.
fn parse<T: Parser>(args: &[String]) -> Result<Option<T>, UsageError> {
    let program = std::env::args()
        .next()
        .and_then(|p| {
            std::path::Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "fugue-program".to_string());
    match T::try_parse_from(std::iter::once(program).chain(args.iter().cloned())) {
        Ok(parsed) => Ok(Some(parsed)),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // Printed as clap prints it (coloured on a terminal only).
            let _ = e.print();
            Ok(None)
        }
        Err(e) => Err(UsageError(e.render().to_string().trim_end().to_string())),
    }
}

/// `HOST:PORT`.
fn host_port(text: &str) -> Result<(String, u16), String> {
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| format!("`{text}` is not HOST:PORT"))?;
    if host.is_empty() {
        return Err(format!("`{text}` has no host (HOST:PORT)"));
    }
    let port = port
        .parse()
        .map_err(|_| format!("`{port}` is not a port (0 to 65535)"))?;
    Ok((host.to_string(), port))
}

/// `ballista://HOST:PORT`, as given.
fn ballista_url(text: &str) -> Result<String, String> {
    if text.to_ascii_lowercase().starts_with("ballista://") {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not a scheduler; `submit` takes `ballista://HOST:PORT`"
        ))
    }
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

/// Run the scheduler until the process is stopped (`args`: its options, as after
/// `scheduler` on the command line).
pub fn run_scheduler(args: &[String]) -> Result<(), Box<dyn Error>> {
    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        args: SchedulerArgs,
    }
    match parse::<Line>(args)? {
        Some(line) => scheduler(line.args),
        None => Ok(()),
    }
}

fn scheduler(args: SchedulerArgs) -> Result<(), Box<dyn Error>> {
    init_logging();
    let (host, port) = args.bind;
    let timeout = args.executor_timeout;
    let mut config = SchedulerConfig::default()
        .with_hostname(args.external_host.unwrap_or_else(|| host.clone()))
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

/// Run an executor until the process is stopped (`args`: its options, as after `executor` on
/// the command line).
pub fn run_executor(args: &[String]) -> Result<(), Box<dyn Error>> {
    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        args: ExecutorArgs,
    }
    match parse::<Line>(args)? {
        Some(line) => executor(line.args),
        None => Ok(()),
    }
}

fn executor(args: ExecutorArgs) -> Result<(), Box<dyn Error>> {
    init_logging();
    let (scheduler_host, scheduler_port) = args.scheduler;
    // Defaults from the typed config (its `FUGUE_*` environment variables); flags win.
    let conf = fugue_core::FugueConfig::from_env()?;
    let cores = match args.cores.unwrap_or(conf.fugue.ballista.executor_cores) {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let work_dir = args
        .work_dir
        .or_else(|| conf.fugue.ballista.executor_work_dir.clone())
        .map(|d| d.to_string_lossy().to_string());
    let config = ExecutorProcessConfig {
        bind_host: args.bind,
        external_host: args.external_host,
        port: args.port,
        grpc_port: args.grpc_port,
        scheduler_host,
        scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: cores,
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        work_dir,
        executor_heartbeat_interval_seconds: args.heartbeat,
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
    let Some(cli) = parse::<Cli>(args)? else {
        return Ok(());
    };
    match cli.command {
        None | Some(Command::Run { engine: None }) => driver(""),
        Some(Command::Run {
            engine: Some(engine),
        }) => driver(&engine),
        Some(Command::Scheduler(args)) => scheduler(args),
        Some(Command::Executor(args)) => executor(args),
        Some(Command::Standalone) => driver("ballista://standalone"),
        Some(Command::Submit { scheduler }) => driver(&scheduler),
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
        // clap's message already starts with `error:` and ends with the usage.
        Err(e) if e.is::<UsageError>() => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
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
    fn options_are_checked() {
        let line = parse::<Cli>(&args("executor --port 1 --cores=2 --scheduler h:7"))
            .unwrap()
            .unwrap();
        let Some(Command::Executor(executor)) = line.command else {
            panic!("not the executor: {line:?}");
        };
        assert_eq!((executor.port, executor.cores), (1, Some(2)));
        assert_eq!(executor.scheduler, ("h".to_string(), 7));
        assert_eq!(executor.bind, "127.0.0.1");
        let e = parse::<Cli>(&args("executor --prot 1")).unwrap_err();
        assert!(
            e.to_string().contains("unexpected argument '--prot'")
                && e.to_string().contains("--port"),
            "{e}"
        );
        let e = parse::<Cli>(&args("executor --port")).unwrap_err();
        assert!(e.to_string().contains("a value is required"), "{e}");
        let e = parse::<Cli>(&args("scheduler --bind localhost")).unwrap_err();
        assert!(e.to_string().contains("is not HOST:PORT"), "{e}");
        let e = parse::<Cli>(&args("scheduler --bind h:99999")).unwrap_err();
        assert!(e.to_string().contains("is not a port"), "{e}");
        assert!(host_port(":7").is_err());
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
        dispatch(&args(""), |e| {
            seen = e.to_string();
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, "");
        let e = dispatch(&args("submit local"), |_| Ok(())).unwrap_err();
        assert!(
            e.to_string()
                .contains("`submit` takes `ballista://HOST:PORT`"),
            "{e}"
        );
        let e = dispatch(&args("frobnicate"), |_| Ok(())).unwrap_err();
        assert!(
            e.to_string()
                .contains("unrecognized subcommand 'frobnicate'"),
            "{e}"
        );
        // `--help` prints the help and runs nothing.
        dispatch(&args("--help"), |_| panic!("the driver ran")).unwrap();
        dispatch(&args("executor --help"), |_| panic!("the driver ran")).unwrap();
    }
}
