//! The engine's plans on an Apache Ballista cluster.
//!
//! The client plans each query as in-process and hands the logical plan to the cluster's
//! scheduler, which splits it into stages for its executors; the results come back as the same
//! record batches. A plan names its functions, and Ballista's own nodes know only DataFusion's:
//! the codecs here carry each of the project's functions with its calendar (time zone and
//! holidays), so that a scheduler or executor made with them (`civicmetrics cluster`) runs
//! exactly the function the client planned with, and no node needs the source tree's
//! settings. A compressed CSV or JSON scan travels as a [`CompressedScan`], since DataFusion's
//! plan format leaves a scan's compression out; everything else (tables, file formats,
//! Ballista's own stages) goes through Ballista's codecs unchanged.

use std::sync::Arc;
use std::time::Duration;

use ballista_core::extension::{SessionConfigExt, SessionStateExt};
use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use chrono::{Datelike, NaiveDate};
use datafusion::common::config::ConfigOptions;
use datafusion::common::parsers::CompressionTypeVariant;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DataFusionError, Result, TableReference};
use datafusion::datasource::TableProvider;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::datasource::physical_plan::{FileScanConfig, FileScanConfigBuilder};
use datafusion::datasource::source::DataSourceExec;
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{Extension, LogicalPlan, ScalarUDF};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};
use serde::{Deserialize, Serialize};

use dataset::Diagnostic;
use dataset::source::automation::Place;

use crate::calendar::Calendar;
use crate::functions;

/// How long the client waits for the scheduler to answer a connection.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The calendar a function travels with.
#[derive(Debug, Serialize, Deserialize)]
struct Definition {
    /// The IANA time zone.
    zone: String,
    /// The holidays, as days since 1 January of year 1 (the first is day 1).
    holidays: Vec<i32>,
}

/// Writes the calendar of one of the project's functions into `buf`; leaves it empty for any
/// other function, which the nodes then find by name among DataFusion's.
fn encode_function(function: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
    let Some(calendar) = functions::calendar_of(function) else {
        return Ok(());
    };
    let definition = Definition {
        zone: calendar.zone.name().to_owned(),
        holidays: calendar
            .holidays()
            .iter()
            .map(|day| day.num_days_from_ce())
            .collect(),
    };
    serde_json::to_writer(buf, &definition).map_err(|error| DataFusionError::External(error.into()))
}

/// The function `name` made with the calendar `buf` holds.
fn decode_function(name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
    let definition: Definition =
        serde_json::from_slice(buf).map_err(|error| DataFusionError::External(error.into()))?;
    let zone = definition.zone.parse().map_err(|_| {
        DataFusionError::Plan(format!(
            "function `{name}` names an unknown time zone `{}`",
            definition.zone
        ))
    })?;
    let holidays = definition.holidays.iter().map(|&day| {
        NaiveDate::from_num_days_from_ce_opt(day).ok_or_else(|| {
            DataFusionError::Plan(format!("function `{name}` names no day as day {day}"))
        })
    });
    let calendar = Calendar::new(zone, holidays.collect::<Result<Vec<_>>>()?);
    functions::all(&calendar)
        .into_iter()
        .find(|function| function.name() == name)
        .map(Arc::new)
        .ok_or_else(|| DataFusionError::Plan(format!("no function `{name}` in this program")))
}

/// A compressed CSV or JSON file scan, as a scheduler hands it to executors. DataFusion's plan
/// format leaves a scan's compression out, so that an executor would read gzip as text: a
/// scheduler made with [`scheduler_session`] wraps each compressed scan in this node, which
/// [`PhysicalCodec`] carries with its compression, and an executor decodes it into the scan it
/// was.
#[derive(Debug)]
pub struct CompressedScan {
    scan: Arc<dyn ExecutionPlan>,
    compression: FileCompressionType,
}

/// What starts a [`CompressedScan`] in the plan format, before its compression's name.
const COMPRESSED_SCAN: &[u8] = b"civicmetrics.compressed-scan:";

impl CompressedScan {
    /// The compression of `plan` when it is a compressed file scan.
    fn compression_of(plan: &Arc<dyn ExecutionPlan>) -> Option<FileCompressionType> {
        let scan = plan.downcast_ref::<DataSourceExec>()?;
        let files = scan.data_source().downcast_ref::<FileScanConfig>()?;
        files
            .file_compression_type
            .is_compressed()
            .then_some(files.file_compression_type)
    }

    /// `scan` (decoded without its compression) reading its files as `compression` again.
    fn restore(
        scan: &Arc<dyn ExecutionPlan>,
        compression: FileCompressionType,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let files = scan
            .downcast_ref::<DataSourceExec>()
            .and_then(|scan| scan.data_source().downcast_ref::<FileScanConfig>())
            .ok_or_else(|| {
                DataFusionError::Internal(format!(
                    "a compressed scan holds {}, not a file scan",
                    scan.name()
                ))
            })?;
        let files = FileScanConfigBuilder::from(files.clone())
            .with_file_compression_type(compression)
            .build();
        Ok(DataSourceExec::from_data_source(files))
    }
}

impl DisplayAs for CompressedScan {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompressedScan: {}", self.compression.get_variant())
    }
}

impl ExecutionPlan for CompressedScan {
    fn name(&self) -> &str {
        "CompressedScan"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.scan.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.scan]
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match (children.pop(), children.is_empty()) {
            (Some(scan), true) => Ok(Arc::new(CompressedScan {
                scan,
                compression: self.compression,
            })),
            _ => Err(DataFusionError::Internal(
                "a compressed scan has one child".to_owned(),
            )),
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        self.scan.execute(partition, context)
    }
}

/// The scheduler's last physical optimisation: each compressed file scan becomes a
/// [`CompressedScan`].
#[derive(Debug, Default)]
struct KeepCompression;

impl PhysicalOptimizerRule for KeepCompression {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_down(|node| {
            if node.is::<CompressedScan>() {
                return Ok(Transformed::new(node, false, TreeNodeRecursion::Jump));
            }
            Ok(match CompressedScan::compression_of(&node) {
                Some(compression) => Transformed::new(
                    Arc::new(CompressedScan {
                        scan: node,
                        compression,
                    }),
                    true,
                    TreeNodeRecursion::Jump,
                ),
                None => Transformed::no(node),
            })
        })
        .map(|transformed| transformed.data)
    }

    fn name(&self) -> &str {
        "keep_compression"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// A scheduler's session: Ballista's, which plans each job at once (rather than stage by
/// stage, whose optimisations a session cannot add to), with compressed scans kept as such.
pub fn scheduler_session(config: SessionConfig) -> Result<SessionState> {
    let state = ballista_core::utils::default_session_builder(config)?;
    Ok(SessionStateBuilder::new_from_existing(state)
        .with_physical_optimizer_rule(Arc::new(KeepCompression))
        .build())
}

/// Ballista's logical codec, with the project's functions and their calendars.
#[derive(Debug, Default)]
pub struct LogicalCodec {
    ballista: BallistaLogicalExtensionCodec,
}

impl LogicalExtensionCodec for LogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.ballista.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: datafusion::arrow::datatypes::SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        self.ballista
            .try_decode_table_provider(buf, table_ref, schema, ctx)
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        self.ballista
            .try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.ballista.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.ballista.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        decode_function(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        encode_function(node, buf)
    }
}

/// Ballista's physical codec, with the project's functions and their calendars.
#[derive(Debug, Default)]
pub struct PhysicalCodec {
    ballista: BallistaPhysicalExtensionCodec,
}

impl PhysicalExtensionCodec for PhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if let Some(compression) = buf.strip_prefix(COMPRESSED_SCAN) {
            let compression = std::str::from_utf8(compression)
                .ok()
                .and_then(|name| name.parse::<CompressionTypeVariant>().ok())
                .ok_or_else(|| {
                    DataFusionError::Internal("a compressed scan of no known compression".into())
                })?;
            return match inputs {
                [scan] => CompressedScan::restore(scan, compression.into()),
                _ => Err(DataFusionError::Internal(
                    "a compressed scan has one child".to_owned(),
                )),
            };
        }
        self.ballista.try_decode(buf, inputs, ctx, proto_converter)
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        if let Some(scan) = node.downcast_ref::<CompressedScan>() {
            buf.extend_from_slice(COMPRESSED_SCAN);
            buf.extend_from_slice(scan.compression.get_variant().to_string().as_bytes());
            return Ok(());
        }
        self.ballista.try_encode(node, buf, proto_converter)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        decode_function(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        encode_function(node, buf)
    }
}

/// What an executor's errors name it by, before its `HOST:PORT`: Ballista reports a failed
/// task's error alone, so `civicmetrics cluster executor` adds it.
pub const EXECUTOR_AT: &str = "executor at";

/// The text of `error` between `start` and the next `"`.
fn quoted_after<'t>(text: &'t str, start: &str) -> Option<&'t str> {
    let rest = &text[text.find(start)? + start.len()..];
    rest.split('"').next()
}

/// A query the cluster failed, as a problem at `at`: which executor, and, when it found no
/// file, which of `tables`' files and where it looked. `None` when `error` is not a cluster's.
pub(crate) fn problem(
    error: &DataFusionError,
    at: &Place,
    tables: &[crate::TableFingerprint],
) -> Option<Diagnostic> {
    let text = error.to_string();
    let job = text.find("Job ")?;
    let failed = job + text[job..].find(" failed: ")? + " failed: ".len();
    let executor = quoted_after(&text, &format!("Context(\"{EXECUTOR_AT} "));
    let on = executor.map_or_else(String::new, |executor| {
        format!(" on the executor at {executor}")
    });
    if let Some(path) = quoted_after(&text, "NotFound { path: \"") {
        let file = tables.iter().find_map(|table| {
            table
                .files
                .iter()
                .find(|(name, _)| path.ends_with(name.as_str()))
                .map(|(name, _)| format!("`{name}` of table `{}`", table.table))
        });
        let file = file.unwrap_or_else(|| format!("`{path}`"));
        return Some(
            at.error(format!(
                "the cluster cannot read {file}{on}: there is no file {path}"
            ))
            .with_help(
                "a cluster's nodes read the tables' files themselves, at the paths this program sees them: give every node the source directory at the same path (a shared file system), or compute in this process",
            ),
        );
    }
    let reason = text[failed..]
        .trim_start_matches("Job failed due to ")
        .split(DataFusionError::BACK_TRACE_SEP)
        .next()
        .unwrap_or_default();
    Some(
        at.error(format!("the cluster failed computing the measure{on}: {reason}"))
            .with_help(
                "the scheduler retries a failed task on other executors before it gives up: check that they are running and can read the tables' files",
            ),
    )
}

/// The gRPC address of the scheduler at `host:port`.
pub(crate) fn scheduler_url(host: &str, port: u16) -> String {
    match host.contains(':') {
        true => format!("http://[{host}]:{port}"),
        false => format!("http://{host}:{port}"),
    }
}

/// Why a scheduler did not answer.
#[derive(Debug)]
pub(crate) enum Unanswered {
    /// The connection failed, for this reason.
    Refused(String),
    /// Nothing came back within [`CONNECT_TIMEOUT`].
    Silent,
}

/// Asks the scheduler at `url` about a job that does not exist: any answer, even "not found",
/// shows it is there and speaks Ballista's protocol. A session itself connects only when its
/// first query runs, and then once per query: without this, every measure would wait for its
/// own timeout.
pub(crate) async fn ask_scheduler(url: &str) -> std::result::Result<(), Unanswered> {
    use ballista_core::serde::protobuf::GetJobStatusParams;
    use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;

    let asked = async {
        let endpoint = tonic::transport::Endpoint::from_shared(url.to_owned())
            .map_err(|error| Unanswered::Refused(error.to_string()))?
            .connect_timeout(CONNECT_TIMEOUT);
        let channel = endpoint.connect().await.map_err(|error| {
            // The transport's own message is "transport error"; its causes say what happened.
            let mut causes = Vec::new();
            let mut cause = std::error::Error::source(&error);
            while let Some(error) = cause {
                causes.push(error.to_string());
                cause = error.source();
            }
            Unanswered::Refused(causes.join(": "))
        })?;
        let answer = SchedulerGrpcClient::new(channel)
            .get_job_status(GetJobStatusParams {
                job_id: String::new(),
            })
            .await;
        match answer {
            Err(status) if status.code() == tonic::Code::Unavailable => {
                Err(Unanswered::Refused(status.message().to_owned()))
            }
            _ => Ok(()),
        }
    };
    tokio::time::timeout(CONNECT_TIMEOUT, asked)
        .await
        .unwrap_or(Err(Unanswered::Silent))
}

/// How often a running job's progress is asked for.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Runs `work`, the execution of `plan`, telling `detail` every [`PROGRESS_EVERY`] how many
/// of the stages (and their tasks) of the job `plan` submitted to the scheduler at `url` are
/// done. What the scheduler does not answer is not shown: progress never holds up the work.
pub(crate) async fn reporting<T>(
    plan: &Arc<dyn ExecutionPlan>,
    url: &str,
    detail: &(dyn Fn(&str) + Sync),
    work: impl std::future::Future<Output = T>,
) -> T {
    use ballista_core::execution_plans::DistributedQueryExec;
    use ballista_core::serde::protobuf::GetJobMetricsParams;
    use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
    use datafusion_proto::protobuf::LogicalPlanNode;

    let Some(query) = plan.downcast_ref::<DistributedQueryExec<LogicalPlanNode>>() else {
        return work.await;
    };
    let watch = async {
        let mut client = None;
        loop {
            tokio::time::sleep(PROGRESS_EVERY).await;
            let Some(job) = query.job_id() else {
                continue;
            };
            if client.is_none() {
                client = SchedulerGrpcClient::connect(url.to_owned()).await.ok();
            }
            let Some(scheduler) = client.as_mut() else {
                continue;
            };
            let asked = scheduler
                .get_job_metrics(GetJobMetricsParams {
                    job_id: job.to_string(),
                })
                .await;
            if let Ok(metrics) = asked {
                let stages = &metrics.get_ref().stages;
                let tasks: u32 = stages.iter().map(|stage| stage.partitions).sum();
                detail(&format!(
                    "on the cluster: {} stage(s), {tasks} task(s) done",
                    stages.len()
                ));
            }
        }
    };
    tokio::select! {
        done = work => done,
        () = watch => unreachable!("the watch never ends"),
    }
}

/// A session whose queries run on the cluster whose scheduler listens at `host:port`, planned
/// with `config` and the project's codecs.
pub(crate) fn session(
    config: SessionConfig,
    env: Arc<RuntimeEnv>,
    host: &str,
    port: u16,
) -> Result<SessionContext> {
    let mut config = config
        .upgrade_for_ballista()
        .with_ballista_logical_extension_codec(Arc::new(LogicalCodec::default()))
        .with_ballista_physical_extension_codec(Arc::new(PhysicalCodec::default()));
    // Each job planned at once, so that the scheduler's session keeps compressed scans.
    config = config.with_ballista_adaptive_query_planner(false);
    config.options_mut().set(
        "ballista.client.grpc_connect_timeout_seconds",
        &CONNECT_TIMEOUT.as_secs().to_string(),
    )?;
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(env)
        .with_default_features()
        .build()
        .upgrade_for_ballista(scheduler_url(host, port))?;
    Ok(SessionContext::new_with_state(state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_travels_with_its_calendar() {
        let holiday = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        let calendar = Calendar::new(chrono_tz::America::Chicago, [holiday]);
        for function in functions::all(&calendar) {
            let mut buf = Vec::new();
            encode_function(&function, &mut buf).unwrap();
            let decoded = decode_function(function.name(), &buf).unwrap();
            let calendar = functions::calendar_of(&decoded).unwrap();
            assert_eq!(decoded.name(), function.name());
            assert_eq!(calendar.zone, chrono_tz::America::Chicago);
            assert_eq!(calendar.holidays(), [holiday]);
        }
    }

    #[test]
    fn the_engines_own_functions_travel_by_name() {
        let mut buf = Vec::new();
        let upper = datafusion::functions::string::upper();
        encode_function(&upper, &mut buf).unwrap();
        assert!(buf.is_empty());
    }

    #[test]
    fn a_calendar_in_an_unknown_zone_is_refused() {
        let error = decode_function("business_days", br#"{"zone":"Mars/Olympus","holidays":[]}"#)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("unknown time zone `Mars/Olympus`")
        );
    }
}
