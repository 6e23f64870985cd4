//! Measures computed from a city's operational records with Apache DataFusion.
//!
//! A source tree declares tables of records (`sources/<name>.toml`) and, in a measure file,
//! how the measure is computed from them (`[compute]`). [`Engine::new`] registers the tables
//! with DataFusion, with the functions every expression may use (`business_days`,
//! `minutes_between`, `hours_between`, `days_between`); [`Engine::compute`] turns one measure's
//! definition into one query, runs it, and returns the measure's observations with where they
//! came from. Every problem, the engine's included, is a [`Diagnostic`] at the line and column
//! of the source file the SQL is written in. [`Computer`] is the engine as the exporter's
//! `Automation`, which the `civicmetrics` program hands every build.
//!
//! Results do not depend on the order in which the engine's partitions finish: sums are
//! accumulated as decimals and percentiles are taken from values sorted by the engine, so the same records
//! give the same values at any number of partitions.

mod automation;
mod cache;
mod calendar;
#[cfg(feature = "distributed")]
pub mod distributed;
mod download;
mod error;
mod functions;
mod memory;
mod percentile;
mod postgres;
mod query;
mod tables;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use dataset::source::automation::{Computation, Place, RecordTable};
use dataset::{CalendarDate, Diagnostic, Measure, Period};
use time::OffsetDateTime;

pub use automation::{Computer, EngineOptions, KeptMeasure};
pub use cache::UNUSED_DAYS as UNUSED_CACHE_DAYS;
pub use tables::TableFingerprint;

/// How the engine runs, and the dataset's calendar.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The source directory: table paths are relative to it.
    pub source: PathBuf,
    /// The dataset's IANA time zone, with where it is written.
    pub time_zone: (String, Place),
    /// Days `business_days()` skips besides weekends.
    pub holidays: Vec<CalendarDate>,
    /// The first month of the fiscal year.
    pub fiscal_year_start_month: u8,
    /// The publication time: the period containing it is still running.
    pub published: OffsetDateTime,
    /// How many partitions a query is split into; 0 for one per core.
    pub target_partitions: usize,
    /// The most memory the engine's operators may hold before they spill to disk.
    pub memory_limit: Option<usize>,
    /// The results cache's directory, created when missing; `None` computes every measure.
    pub cache: Option<PathBuf>,
    /// Where the queries run.
    pub execution: Execution,
}

/// Where the engine runs its queries: the same plans give the same results either way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Execution {
    /// In this process.
    #[default]
    InProcess,
    /// On an Apache Ballista cluster, whose scheduler listens at `host:port`
    /// (`ballista://host:port`). Its executors read the tables' files themselves, at the paths
    /// this process sees them.
    Ballista {
        /// The scheduler's host name or address.
        host: String,
        /// The scheduler's port.
        port: u16,
    },
}

/// The port a Ballista scheduler listens on unless told otherwise.
pub const DEFAULT_SCHEDULER_PORT: u16 = 50050;

impl std::str::FromStr for Execution {
    type Err = String;

    /// `in-process`, or `ballista://HOST[:PORT]` (port 50050 by default).
    fn from_str(text: &str) -> Result<Execution, String> {
        if text == "in-process" {
            return Ok(Execution::InProcess);
        }
        let Some(address) = text.strip_prefix("ballista://") else {
            return Err(format!(
                "`{text}` is not an engine: give `in-process` or `ballista://HOST:PORT`"
            ));
        };
        let address = address.trim_end_matches('/');
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(':') => (
                host,
                port.parse()
                    .map_err(|_| format!("`{port}` in `{text}` is not a port number"))?,
            ),
            _ => (address, DEFAULT_SCHEDULER_PORT),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains('/') {
            return Err(format!("`{text}` names no scheduler host"));
        }
        Ok(Execution::Ballista {
            host: host.to_owned(),
            port,
        })
    }
}

impl std::fmt::Display for Execution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Execution::InProcess => f.write_str("in-process"),
            Execution::Ballista { host, port } if host.contains(':') => {
                write!(f, "ballista://[{host}]:{port}")
            }
            Execution::Ballista { host, port } => write!(f, "ballista://{host}:{port}"),
        }
    }
}

/// One computed observation.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedRow {
    /// The period.
    pub period: Period,
    /// The breakdown (its index in the measure's `breakdowns`, and the group), or `None` for
    /// the citywide value.
    pub breakdown: Option<(usize, String)>,
    /// The value; `None` when it is withheld or cannot be computed.
    pub value: Option<f64>,
    /// How many records the value came from (the denominator of a share); `None` when a
    /// query of its own does not say.
    pub record_count: Option<u64>,
    /// Why the value is missing, when it is.
    pub note: Option<String>,
    /// The period is still running: its value will change.
    pub provisional: bool,
}

/// Where a computed measure's values came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The tables read, with their files' digests.
    pub tables: Vec<TableFingerprint>,
    /// The query run.
    pub sql: String,
    /// The engine and its version.
    pub engine: String,
}

/// A computed measure's observations, sorted by period then breakdown, and their provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    /// The observations.
    pub rows: Vec<ComputedRow>,
    /// Where they came from.
    pub provenance: Provenance,
    /// The latest time among the records read (every record the measure's `where` keeps,
    /// the running period's included), RFC 3339 in the dataset's time zone; `None` for a
    /// measure's own `sql` query, and when no record has a time.
    pub latest_record: Option<String>,
}

/// DataFusion with the source tree's tables registered.
pub struct Engine {
    runtime: tokio::runtime::Runtime,
    context: SessionContext,
    fingerprints: Vec<TableFingerprint>,
    /// Tables whose definition or files have problems, already reported: measures reading
    /// them are skipped rather than reported again.
    unreadable: Vec<String>,
    settings: Settings,
    calendar: calendar::Calendar,
    cache: Option<cache::Cache>,
    /// How many measures were read from the cache rather than computed.
    reused: AtomicUsize,
    /// Text tables (CSV, JSON, copies of PostgreSQL tables) registered.
    text_tables: Vec<String>,
    /// Text tables more than one measure will read, and those already parsed into a columnar
    /// copy (see [`Engine::expect`]).
    parse_once: Mutex<ParseOnce>,
    /// Where tables are downloaded when there is no cache, PostgreSQL tables are copied and
    /// a percentile's values go when memory is short: removed with the engine.
    scratch: tempfile::TempDir,
}

/// Which text tables are parsed once into a columnar copy.
#[derive(Debug, Default)]
struct ParseOnce {
    /// Read by more than one of the measures expected.
    shared: Vec<String>,
    /// Already copied, or tried.
    copied: Vec<String>,
}

/// The engine's name and version, as provenance records it.
pub fn engine_version() -> String {
    format!("Apache DataFusion {}", datafusion::DATAFUSION_VERSION)
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("tables", &self.fingerprints)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Starts the engine and registers `tables`. Returns it with every problem found; `None`
    /// when the time zone is unknown or the engine cannot start.
    pub fn new(settings: Settings, tables: &[RecordTable]) -> (Option<Engine>, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let (zone_name, zone_place) = &settings.time_zone;
        let zone: chrono_tz::Tz = match zone_name.parse() {
            Ok(zone) => zone,
            Err(_) => {
                let names = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
                let help = dataset::diagnostic::suggestion(zone_name, names, || {
                    "use an IANA time zone name such as \"America/Los_Angeles\"".to_owned()
                });
                problems.push(
                    zone_place
                        .error(format!("unknown time zone `{zone_name}`"))
                        .with_help(help),
                );
                return (None, problems);
            }
        };
        let holidays = settings.holidays.iter().filter_map(|day| {
            NaiveDate::from_num_days_from_ce_opt(day.days_since_epoch().checked_add(719_163)?)
        });
        let calendar = calendar::Calendar::new(zone, holidays);

        let partitions = match settings.target_partitions {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        let mut config = SessionConfig::new()
            .with_target_partitions(partitions)
            .with_information_schema(true);
        config.options_mut().sql_parser.collect_spans = true;
        config.options_mut().execution.time_zone = Some(zone.name().to_owned());
        let mut runtime_env = RuntimeEnvBuilder::new();
        if let Some(limit) = settings.memory_limit {
            runtime_env = runtime_env
                .with_memory_pool(Arc::new(memory::SharedFairly::new(limit, partitions)));
            // Each sort keeps back this much for merging what it spilled: by default 10 MiB a
            // partition, which alone would exhaust a small limit before anything spills.
            let execution = &mut config.options_mut().execution;
            execution.sort_spill_reservation_bytes = execution
                .sort_spill_reservation_bytes
                .min(limit / (4 * partitions));
        }
        let started = runtime_env.build_arc().and_then(|env| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(partitions)
                .enable_all()
                .build()
                .map_err(|error| datafusion::common::DataFusionError::External(Box::new(error)))?;
            Ok((env, runtime))
        });
        let (env, runtime) = match started {
            Ok(started) => started,
            Err(error) => {
                problems.push(error::engine_problem(
                    zone_place,
                    "starting the query engine",
                    error,
                ));
                return (None, problems);
            }
        };
        let context = match &settings.execution {
            Execution::InProcess => SessionContext::new_with_config_rt(config, env),
            Execution::Ballista { host, port } => {
                match cluster_session(&runtime, config, env, host, *port) {
                    Ok(context) => context,
                    Err(message) => {
                        // The problem is the engine's address, not a line of the source.
                        let engine = Place {
                            file: settings.execution.to_string(),
                            line: 0,
                            column: 0,
                            source_line: None,
                        };
                        problems.push(engine.error(message).with_help(format!(
                            "start the cluster (`civicmetrics cluster scheduler`, then executors), check `--engine` or {ENGINE_VARIABLE}, or leave the engine out to compute in this process"
                        )));
                        return (None, problems);
                    }
                }
            }
        };
        for function in functions::all(&calendar) {
            context.register_udf(function);
        }
        // A cache that cannot be opened only costs time: every measure is computed.
        let cache = settings
            .cache
            .as_deref()
            .and_then(|dir| cache::Cache::open(dir).ok());
        // Downloads are kept in the cache, for conditional requests next time; without one,
        // and for copies of PostgreSQL tables, in a directory the engine removes when it is
        // done.
        let scratch = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(error) => {
                problems.push(
                    zone_place
                        .error(format!("cannot create a temporary directory: {error}"))
                        .with_help("check that the temporary directory (TMPDIR) is writable"),
                );
                return (None, problems);
            }
        };
        let downloads = match &cache {
            Some(cache) => cache.downloads(),
            None => scratch.path().to_owned(),
        };
        let mut fingerprints = Vec::new();
        let mut unreadable = Vec::new();
        let text_tables = tables
            .iter()
            .filter(|table| tables::is_text(table))
            .map(|table| table.name.clone())
            .collect();
        // A cluster's nodes read the files themselves, wherever they were started.
        let root = match settings.execution {
            Execution::InProcess => settings.source.clone(),
            Execution::Ballista { .. } => {
                std::path::absolute(&settings.source).unwrap_or_else(|_| settings.source.clone())
            }
        };
        for table in tables {
            match runtime.block_on(tables::register(
                &context,
                &root,
                table,
                cache.as_ref(),
                &downloads,
                scratch.path(),
            )) {
                Ok(fingerprint) => fingerprints.push(fingerprint),
                Err(mut table_problems) => {
                    problems.append(&mut table_problems);
                    unreadable.push(table.name.clone());
                }
            }
        }
        let engine = Engine {
            runtime,
            context,
            fingerprints,
            unreadable,
            settings,
            calendar,
            cache,
            reused: AtomicUsize::new(0),
            text_tables,
            parse_once: Mutex::default(),
            scratch,
        };
        (Some(engine), problems)
    }

    /// Tells the engine which measures it will be asked to compute. A text table (CSV, JSON, a
    /// copy of a PostgreSQL table) that more than one of them reads is parsed once, when the
    /// first of them is computed, into a columnar copy in a temporary directory, which the
    /// others read: parsing text is most of the time a measure takes.
    pub fn expect<'c>(&self, computations: impl IntoIterator<Item = &'c Computation>) {
        // The copy would be written where this process is: a cluster's executors parse the
        // text where it is, each measure on its own.
        if self.settings.execution != Execution::InProcess {
            return;
        }
        let mut readers: std::collections::BTreeMap<&str, usize> = Default::default();
        for computation in computations {
            for table in query::tables_read(computation, &self.text_tables) {
                *readers.entry(table).or_default() += 1;
            }
        }
        if let Ok(mut parse_once) = self.parse_once.lock() {
            parse_once.shared = readers
                .into_iter()
                .filter(|(_, count)| *count > 1)
                .map(|(table, _)| table.to_owned())
                .collect();
        }
    }

    /// Parses `table` into its columnar copy if it is shared and has not been tried yet.
    async fn parse_once(&self, table: &str) {
        let wanted = self
            .parse_once
            .lock()
            .map(|p| p.shared.iter().any(|t| t == table) && !p.copied.iter().any(|t| t == table))
            .unwrap_or(false);
        if !wanted {
            return;
        }
        let dir = self.scratch.path().join("columnar").join(table);
        let copied = tables::columnar_copy(&self.context, table, &dir).await;
        if copied.is_err() {
            // The copy reads every column, each measure only those it needs: a value that
            // cannot be read is the problem of the measures that read it, which go on reading
            // the files themselves.
            let _ = std::fs::remove_dir_all(&dir);
        }
        if let Ok(mut parse_once) = self.parse_once.lock() {
            parse_once.copied.push(table.to_owned());
        }
    }

    /// The names of the tables registered.
    pub fn tables(&self) -> Vec<&str> {
        self.fingerprints.iter().map(|f| f.table.as_str()).collect()
    }

    /// Computes one measure's observations from its definition. A measure reading a table
    /// that could not be registered fails with no problems of its own: the table's were
    /// returned by [`Engine::new`].
    pub fn compute(
        &self,
        measure: &Measure,
        computation: &Computation,
    ) -> Result<Computed, Vec<Diagnostic>> {
        self.compute_reporting(measure, computation, &|_| {})
    }

    /// [`Engine::compute`], telling `detail` how far the measure's queries have come on a
    /// cluster (stages and tasks done), every quarter of a second while they run.
    pub fn compute_reporting(
        &self,
        measure: &Measure,
        computation: &Computation,
        detail: &(dyn Fn(&str) + Sync),
    ) -> Result<Computed, Vec<Diagnostic>> {
        let cached = self
            .cache
            .as_ref()
            .zip(self.cache_key(measure, computation));
        if let Some((cache, key)) = &cached
            && let Some(computed) = cache.get(key, self.settings.fiscal_year_start_month)
        {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(computed);
        }
        let computed = self
            .runtime
            .block_on(query::compute(self, measure, computation, detail))?;
        if let Some((cache, key)) = &cached {
            cache.put(key, &computed);
        }
        Ok(computed)
    }

    /// The results cache's key for a measure: everything its values depend on (see
    /// [`cache`](crate::cache)); `None` when the running period cannot be told.
    fn cache_key(&self, measure: &Measure, computation: &Computation) -> Option<String> {
        let running = query::running_period(self, measure, computation)?;
        let settings = &self.settings;
        let mut key = cache::KeyBuilder::new();
        // The definitions' debug forms: keys are only compared with keys the same program
        // wrote (the program is part of every key), so the form needs no stability.
        key.part(&engine_version())
            .part(&settings.time_zone.0)
            .part(&format!("{:?}", settings.holidays))
            .part(&settings.fiscal_year_start_month.to_string())
            .part(&measure.id)
            .part(&format!("{:?}", measure.frequency))
            .part(&format!("{:?}", measure.decimals))
            .part(&format!("{:?}", measure.breakdowns))
            .part(&format!("{computation:?}"))
            .part(&running.label())
            .part(&format!("{:?}", self.fingerprints))
            .part(&format!("{:?}", self.unreadable));
        Some(key.finish())
    }

    /// How many measures were read from the results cache rather than computed.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// Removes what the results cache has not used for a while (see
    /// [`UNUSED_DAYS`](crate::UNUSED_CACHE_DAYS)).
    pub fn sweep_cache(&self) {
        if let Some(cache) = &self.cache {
            cache.sweep();
        }
    }

    /// Runs an ad-hoc query over the tables, with the same functions; the error is the
    /// engine's message.
    pub fn sql(&self, query: &str) -> Result<Vec<RecordBatch>, String> {
        self.runtime.block_on(async {
            let frame = self
                .context
                .sql(query)
                .await
                .map_err(|e| error::message(&e))?;
            frame.collect().await.map_err(|e| error::message(&e))
        })
    }

    /// Runs `work`, the execution of `plan`; on a cluster, tells `detail` how far the job `plan`
    /// submitted has come while it runs.
    async fn watched<T>(
        &self,
        plan: &Arc<dyn datafusion::physical_plan::ExecutionPlan>,
        detail: &(dyn Fn(&str) + Sync),
        work: impl std::future::Future<Output = T>,
    ) -> T {
        match &self.settings.execution {
            Execution::InProcess => work.await,
            #[cfg(feature = "distributed")]
            Execution::Ballista { host, port } => {
                let url = distributed::scheduler_url(host, *port);
                distributed::reporting(plan, &url, detail, work).await
            }
            #[cfg(not(feature = "distributed"))]
            Execution::Ballista { .. } => {
                let _ = (plan, detail);
                work.await
            }
        }
    }

    /// The day of the publication time in the dataset's time zone: its period is still running.
    fn running_day(&self) -> NaiveDate {
        let micros =
            i64::try_from(self.settings.published.unix_timestamp_nanos() / 1_000).unwrap_or(0);
        self.calendar.local_day(micros)
    }
}

/// The environment variable that names the engine when `--engine` does not.
pub const ENGINE_VARIABLE: &str = "CIVICMETRICS_ENGINE";

/// A session on the cluster whose scheduler listens at `host:port`, once the scheduler answers;
/// else why not, in words.
#[cfg(feature = "distributed")]
fn cluster_session(
    runtime: &tokio::runtime::Runtime,
    config: SessionConfig,
    env: Arc<datafusion::execution::runtime_env::RuntimeEnv>,
    host: &str,
    port: u16,
) -> Result<SessionContext, String> {
    let url = distributed::scheduler_url(host, port);
    match runtime.block_on(distributed::ask_scheduler(&url)) {
        Ok(()) => {}
        Err(distributed::Unanswered::Refused(reason)) => {
            return Err(format!("cannot reach the Ballista scheduler: {reason}"));
        }
        Err(distributed::Unanswered::Silent) => {
            return Err(format!(
                "the Ballista scheduler did not answer within {} s",
                distributed::CONNECT_TIMEOUT.as_secs()
            ));
        }
    }
    distributed::session(config, env, host, port).map_err(|error| {
        format!(
            "cannot start a session on the Ballista scheduler: {}",
            error::message(&error)
        )
    })
}

/// Without the `distributed` feature, a cluster cannot be used.
#[cfg(not(feature = "distributed"))]
fn cluster_session(
    _runtime: &tokio::runtime::Runtime,
    _config: SessionConfig,
    _env: Arc<datafusion::execution::runtime_env::RuntimeEnv>,
    host: &str,
    port: u16,
) -> Result<SessionContext, String> {
    Err(format!(
        "cannot compute on ballista://{host}:{port}: this civicmetrics was built without the cluster engine (the `distributed` feature)"
    ))
}

/// Query results as a text table, for the terminal.
pub fn pretty(batches: &[RecordBatch]) -> Result<String, String> {
    datafusion::arrow::util::pretty::pretty_format_batches(batches)
        .map(|table| table.to_string())
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::Execution;

    #[test]
    fn an_engine_is_in_process_or_a_ballista_scheduler() {
        let ballista = |host: &str, port| Execution::Ballista {
            host: host.to_owned(),
            port,
        };
        for (text, engine) in [
            ("in-process", Execution::InProcess),
            ("ballista://sched:50051", ballista("sched", 50051)),
            ("ballista://10.0.0.1", ballista("10.0.0.1", 50050)),
            ("ballista://[::1]:7000/", ballista("::1", 7000)),
        ] {
            assert_eq!(text.parse::<Execution>(), Ok(engine.clone()), "{text}");
            // Written back as it is read, the port always given.
            assert_eq!(engine.to_string().parse::<Execution>(), Ok(engine));
        }
        assert_eq!(ballista("::1", 7000).to_string(), "ballista://[::1]:7000");
        for wrong in [
            "",
            "local",
            "http://sched:50050",
            "ballista://",
            "ballista://h:port",
        ] {
            assert!(wrong.parse::<Execution>().is_err(), "{wrong}");
        }
    }
}
