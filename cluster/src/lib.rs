//! The cluster's processes: an Apache Ballista scheduler ([`run_scheduler`]) and executors
//! ([`run_executor`]) made with the project's codecs
//! ([`compute::distributed`]), so that the measures' queries, planned by a build
//! with `--engine ballista://…`, run on them with the project's functions and the source
//! tree's calendar. Plain Ballista processes reject those plans: they know DataFusion's
//! functions only.
//!
//! Each runs until it is stopped, on a runtime of its own. A scheduler keeps its state in
//! memory; executors register with it, take tasks, and keep the shuffle files between stages in
//! a work directory.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ballista_core::JobId;
use ballista_core::serde::protobuf::{ShuffleWritePartition, TaskColumnStats};
use ballista_executor::execution_engine::{
    DefaultExecutionEngine, ExecutionEngine, QueryStageExecutor,
};
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use compute::distributed::{LogicalCodec, PhysicalCodec};
use datafusion::error::{DataFusionError, Result as EngineResult};
use datafusion::execution::TaskContext;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::metrics::MetricsSet;
use datafusion::prelude::SessionConfig;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};

/// What keeps a scheduler or an executor from running.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address to listen on is taken or cannot be used.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// The work directory cannot be created.
    #[error("cannot create the work directory {path}: {source}")]
    WorkDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The process's runtime cannot start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// Ballista stopped with an error.
    #[error("{0}")]
    Ballista(String),
}

/// How long a scheduler waits for an executor's heartbeat before it takes the executor for
/// dead and runs its tasks again elsewhere, unless told otherwise.
pub const DEFAULT_EXECUTOR_TIMEOUT: Duration = Duration::from_secs(20);

/// How often an executor tells the scheduler it is alive: well within any executor timeout a
/// scheduler is given.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// A scheduler's settings.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// The address to listen on; port 0 picks a free one.
    pub bind: SocketAddr,
    /// How long without a heartbeat before an executor is taken for dead. A job with no
    /// executor for that long fails rather than waits.
    pub executor_timeout: Duration,
    /// How many times a task is tried before its job fails.
    pub task_max_failures: usize,
}

impl Default for SchedulerOptions {
    fn default() -> SchedulerOptions {
        SchedulerOptions {
            bind: SocketAddr::from(([127, 0, 0, 1], compute::DEFAULT_SCHEDULER_PORT)),
            executor_timeout: DEFAULT_EXECUTOR_TIMEOUT,
            task_max_failures: 4,
        }
    }
}

/// An executor's settings.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// The address the executor's Arrow Flight service (the results and shuffle files other
    /// nodes fetch) listens on.
    pub bind: SocketAddr,
    /// The port of the executor's gRPC service, on which the scheduler hands it tasks.
    pub grpc_port: u16,
    /// The host name other nodes reach this executor at; by default the address the scheduler
    /// sees it connect from.
    pub external_host: Option<String>,
    /// How many tasks it runs at once; 0 for one per core.
    pub slots: usize,
    /// Where the shuffle files between stages go; a temporary directory removed on exit when
    /// `None`.
    pub work_dir: Option<PathBuf>,
    /// The most memory its tasks may hold before they spill, shared between its slots.
    pub memory_limit: Option<u64>,
}

/// A multi-threaded runtime for one of the cluster's processes.
fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Planning deep expressions recurses: Ballista's own binaries give it this much stack.
        .thread_stack_size(32 << 20)
        .build()
        .map_err(Error::Runtime)
}

/// Runs a scheduler until the process is stopped; calls `listening` with the address it
/// listens on once it does.
pub fn run_scheduler(
    options: &SchedulerOptions,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.bind)
            .await
            .map_err(|source| Error::Listen {
                address: options.bind.to_string(),
                source,
            })?;
        let address = listener.local_addr().map_err(|source| Error::Listen {
            address: options.bind.to_string(),
            source,
        })?;
        let timeout = options.executor_timeout.as_secs().max(1);
        let config = SchedulerConfig {
            bind_host: address.ip().to_string(),
            bind_port: address.port(),
            external_host: address.ip().to_string(),
            executor_timeout_seconds: timeout,
            expire_dead_executor_interval_seconds: timeout.min(5),
            no_executors_grace_period_seconds: timeout,
            task_max_failures: options.task_max_failures,
            override_logical_codec: Some(Arc::new(LogicalCodec::default())),
            override_physical_codec: Some(Arc::new(PhysicalCodec::default())),
            override_session_builder: Some(Arc::new(compute::distributed::scheduler_session)),
            ..SchedulerConfig::default()
        };
        config.validate().map_err(ballista)?;
        let cluster = BallistaCluster::new_from_config(&config)
            .await
            .map_err(ballista)?;
        let scheduler =
            create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, Arc::new(config))
                .await
                .map_err(ballista)?;
        listening(address);
        start_grpc_service_with_listener(listener, scheduler)
            .await
            .map_err(ballista)
    })
}

/// What one task an executor ran wrote: its stage's output, for the next stage or the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskWritten {
    /// The job (one query).
    pub job: String,
    /// The stage of the job.
    pub stage: usize,
    /// The task of the stage.
    pub task: usize,
    /// The output partitions it wrote.
    pub partitions: usize,
    /// The rows it wrote.
    pub rows: u64,
    /// The bytes it wrote (Arrow IPC files).
    pub bytes: u64,
}

impl std::fmt::Display for TaskWritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "job {} stage {} task {}: {} partition(s), {} rows, {} bytes written",
            self.job, self.stage, self.task, self.partitions, self.rows, self.bytes
        )
    }
}

/// Called with each task an executor finishes.
pub type OnTask = Arc<dyn Fn(&TaskWritten) + Send + Sync>;

/// Runs an executor until the process is stopped (or its scheduler says so); `on_task` hears
/// of every task it finishes.
pub fn run_executor(options: &ExecutorOptions, on_task: OnTask) -> Result<(), Error> {
    // Ballista removes a temporary work directory it made itself before using it: the
    // executor is always given one.
    let temporary;
    let work_dir = match &options.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| Error::WorkDir {
                path: dir.clone(),
                source,
            })?;
            dir.clone()
        }
        None => {
            temporary = tempfile::Builder::new()
                .prefix("civicmetrics-executor")
                .tempdir()
                .map_err(|source| Error::WorkDir {
                    path: std::env::temp_dir(),
                    source,
                })?;
            temporary.path().to_owned()
        }
    };
    let config = ExecutorProcessConfig {
        bind_host: options.bind.ip().to_string(),
        port: options.bind.port(),
        grpc_port: options.grpc_port,
        external_host: options.external_host.clone(),
        scheduler_host: options.scheduler_host.clone(),
        scheduler_port: options.scheduler_port,
        vcores: options.slots,
        work_dir: Some(work_dir.to_string_lossy().into_owned()),
        executor_heartbeat_interval_seconds: HEARTBEAT.as_secs(),
        memory_pool_size: options.memory_limit,
        override_logical_codec: Some(Arc::new(LogicalCodec::default())),
        override_physical_codec: Some(Arc::new(PhysicalCodec::default())),
        ..ExecutorProcessConfig::default()
    };
    let name = format!("{}:{}", host_name(options), options.bind.port());
    runtime()?.block_on(async {
        // Ballista's own engine keeps its shuffle clients in a pool it does not export: here
        // each fetch of another executor's results opens a connection of its own.
        let config = ExecutorProcessConfig {
            override_execution_engine: Some(Arc::new(NamedEngine {
                engine: DefaultExecutionEngine::new(),
                name,
                on_task,
            })),
            ..config
        };
        start_executor_process(Arc::new(config))
            .await
            .map_err(ballista)
    })
}

/// The name other nodes know an executor by, for its errors: the external host, else the bind
/// address, else (bound to every address) the machine's name.
fn host_name(options: &ExecutorOptions) -> String {
    if let Some(host) = &options.external_host {
        return host.clone();
    }
    let ip = options.bind.ip();
    if !ip.is_unspecified() {
        return ip.to_string();
    }
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| ip.to_string())
}

/// Ballista's execution engine, whose tasks' errors name the executor they happened on: a
/// scheduler reports a failed task's error alone, and a missing file or a full disk is a
/// problem of one machine.
struct NamedEngine {
    engine: DefaultExecutionEngine,
    /// `HOST:PORT`, as other nodes reach it.
    name: String,
    on_task: OnTask,
}

impl ExecutionEngine for NamedEngine {
    fn create_query_stage_exec(
        &self,
        job_id: JobId,
        stage_id: usize,
        task_id: usize,
        global_output_partition_ids: Vec<usize>,
        plan: Arc<dyn ExecutionPlan>,
        work_dir: &str,
        config: &SessionConfig,
    ) -> EngineResult<Arc<dyn QueryStageExecutor>> {
        let job = job_id.to_string();
        let stage = self.engine.create_query_stage_exec(
            job_id,
            stage_id,
            task_id,
            global_output_partition_ids,
            plan,
            work_dir,
            config,
        )?;
        Ok(Arc::new(NamedStage {
            stage,
            name: self.name.clone(),
            job,
            stage_id,
            on_task: Arc::clone(&self.on_task),
        }))
    }
}

/// A query stage whose errors name the executor, and whose tasks are reported.
struct NamedStage {
    stage: Arc<dyn QueryStageExecutor>,
    name: String,
    job: String,
    stage_id: usize,
    on_task: OnTask,
}

impl std::fmt::Debug for NamedStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamedStage")
            .field("stage", &self.stage)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Display for NamedStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.stage.fmt(f)
    }
}

#[async_trait::async_trait]
impl QueryStageExecutor for NamedStage {
    async fn execute_query_stage(
        &self,
        task_id: usize,
        context: Arc<TaskContext>,
    ) -> EngineResult<Vec<ShuffleWritePartition>> {
        let written = self
            .stage
            .execute_query_stage(task_id, context)
            .await
            .map_err(|error| {
                DataFusionError::Context(
                    format!("{} {}", compute::distributed::EXECUTOR_AT, self.name),
                    Box::new(error),
                )
            })?;
        (self.on_task)(&TaskWritten {
            job: self.job.clone(),
            stage: self.stage_id,
            task: task_id,
            partitions: written.len(),
            rows: written.iter().map(|p| p.num_rows).sum(),
            bytes: written.iter().map(|p| p.num_bytes).sum(),
        });
        Ok(written)
    }

    fn collect_plan_metrics(&self) -> Vec<MetricsSet> {
        self.stage.collect_plan_metrics()
    }

    fn collect_runtime_stats_reports(
        &self,
    ) -> Vec<ballista_core::serde::protobuf::RuntimeStatsReport> {
        self.stage.collect_runtime_stats_reports()
    }

    fn collect_window_state_reports(
        &self,
    ) -> EngineResult<Vec<ballista_core::serde::protobuf::WindowStateReport>> {
        self.stage.collect_window_state_reports()
    }

    fn collect_column_stats(&self) -> Vec<TaskColumnStats> {
        self.stage.collect_column_stats()
    }
}

/// Ballista's error, in words.
fn ballista(error: ballista_core::error::BallistaError) -> Error {
    Error::Ballista(error.to_string())
}
