//! `civicmetrics cluster`: the processes of an Apache Ballista cluster that runs the measures'
//! queries (`--engine ballista://HOST:PORT`), made with the project's functions.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// One of the cluster's processes.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Process {
    /// Run the scheduler, which splits each query into stages and hands their tasks to the
    /// executors (until stopped).
    Scheduler {
        /// The address to listen on; port 0 picks a free one. Builds reach it as
        /// `--engine ballista://HOST:PORT`.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:50050")]
        bind: SocketAddr,
        /// Seconds without a heartbeat before an executor is taken for dead and its tasks run
        /// again on the others; a query with no executor for that long fails.
        #[arg(long, value_name = "SECONDS", default_value_t = cluster::DEFAULT_EXECUTOR_TIMEOUT.as_secs())]
        executor_timeout: u64,
        /// How many times a task is tried before its query fails.
        #[arg(long, value_name = "N", default_value_t = 4)]
        task_max_failures: usize,
    },
    /// Run an executor, which reads the tables' files and runs the tasks the scheduler hands
    /// it (until stopped).
    Executor {
        /// The scheduler: `ballista://HOST:PORT`.
        #[arg(long, value_name = "URL")]
        scheduler: compute::Execution,
        /// How many tasks to run at once (default: one per core).
        #[arg(long, value_name = "N", default_value_t = 0)]
        slots: usize,
        /// Where the files passed between stages go (default: a temporary directory, removed
        /// on exit).
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
        /// The address the executor serves its results on, to the other nodes and to builds.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:50051")]
        bind: SocketAddr,
        /// The port the scheduler hands it tasks on.
        #[arg(long, value_name = "PORT", default_value_t = 50052)]
        grpc_port: u16,
        /// The host name the other nodes reach it at (default: the address the scheduler sees it
        /// connect from).
        #[arg(long, value_name = "HOST")]
        external_host: Option<String>,
        /// The most memory its tasks may hold (such as 2GiB) before they spill to disk, shared
        /// between its slots.
        #[arg(long, value_name = "SIZE", value_parser = crate::size)]
        memory_limit: Option<usize>,
    },
}

/// Runs one of the cluster's processes until it is stopped.
pub(crate) fn run(process: Process) -> ExitCode {
    let result = match process {
        Process::Scheduler {
            bind,
            executor_timeout,
            task_max_failures,
        } => {
            let options = cluster::SchedulerOptions {
                bind,
                executor_timeout: Duration::from_secs(executor_timeout),
                task_max_failures,
            };
            cluster::run_scheduler(&options, |address| {
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(
                    stdout,
                    "Scheduler listening: build with --engine ballista://{address}"
                );
                let _ = stdout.flush();
            })
        }
        Process::Executor {
            scheduler,
            slots,
            work_dir,
            bind,
            grpc_port,
            external_host,
            memory_limit,
        } => {
            let compute::Execution::Ballista { host, port } = scheduler else {
                eprintln!("error: --scheduler takes the scheduler's ballista://HOST:PORT");
                return ExitCode::from(2);
            };
            let options = cluster::ExecutorOptions {
                scheduler_host: host,
                scheduler_port: port,
                bind,
                grpc_port,
                external_host,
                slots,
                work_dir,
                memory_limit: memory_limit.map(|limit| limit as u64),
            };
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(
                stdout,
                "Executor serving on {bind} for the scheduler at {}",
                compute::Execution::Ballista {
                    host: options.scheduler_host.clone(),
                    port,
                }
            );
            let _ = stdout.flush();
            drop(stdout);
            // One line per task, the executor's log of what it did.
            cluster::run_executor(
                &options,
                std::sync::Arc::new(|task: &cluster::TaskWritten| {
                    let mut stdout = std::io::stdout().lock();
                    let _ = writeln!(stdout, "{task}");
                    let _ = stdout.flush();
                }),
            )
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
