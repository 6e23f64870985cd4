//! `civicmetrics`: validate and publish a city's performance measures.

#[cfg(feature = "distributed")]
mod cluster;
mod status;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Context;
use clap::{Parser, Subcommand};
use exporter::{Companion, Error, Formats, Options, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serve::ServeOptions;
use site::{Site, SiteOptions};
use time::OffsetDateTime;

/// Validate a city's performance measures and publish them as open data.
#[derive(Debug, Parser)]
#[command(name = "civicmetrics", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a source tree and report every problem (exit 0 valid, 1 invalid, 2 usage error).
    Validate {
        /// The source directory (dataset.toml, measures/, observations/).
        source: PathBuf,
        #[command(flatten)]
        memory: Memory,
        #[command(flatten)]
        caching: Caching,
    },
    /// Validate, then publish the dataset into OUT atomically.
    Build {
        /// The source directory (dataset.toml, measures/, observations/).
        source: PathBuf,
        /// The output directory; it is replaced as a whole by the new release.
        #[arg(long)]
        out: PathBuf,
        /// The absolute URL OUT is served from, for canonical links, feeds, the sitemap and
        /// embed code (default: the dataset's homepage).
        #[arg(long, value_name = "URL", value_parser = base_url)]
        base_url: Option<String>,
        /// A built widgets package (`pkg/` after `cargo xtask dist`) to publish under
        /// OUT/widgets/, so the pages' cards and charts become interactive.
        #[arg(long, value_name = "DIR")]
        widgets: Option<PathBuf>,
        /// The formats to publish, comma-separated; the site needs json.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "parquet,csv,json,site"
        )]
        formats: Vec<Format>,
        /// Also publish the documents of schema 1 under OUT/data/v1/ (index.json, the measures'
        /// documents, locales and schemas), for readers that have not moved to schema 2.
        #[arg(long)]
        legacy_documents: bool,
        /// Keep the history of published values in FILE too (such as a mounted bucket): read
        /// from it (or from OUT's release, when that one is later) and replaced with the new
        /// history once the release is published. Without it the history lives in OUT alone.
        #[arg(long, value_name = "FILE")]
        history: Option<PathBuf>,
        #[command(flatten)]
        memory: Memory,
        #[command(flatten)]
        caching: Caching,
    },
    /// Compute the measures defined by `[compute]` and print their observations, without
    /// publishing (exit 0, or 1 when the source has errors).
    Compute {
        /// The source directory.
        source: PathBuf,
        /// Compute only this measure (repeatable).
        #[arg(long = "measure", value_name = "ID")]
        measures: Vec<String>,
        /// How to print the observations.
        #[arg(long, value_enum, default_value = "csv")]
        format: Printed,
        #[command(flatten)]
        memory: Memory,
        #[command(flatten)]
        caching: Caching,
    },
    /// Run an SQL query over the source's tables of records, with the functions measures use,
    /// and print the result as a table.
    Sql {
        /// The source directory.
        source: PathBuf,
        /// The query, such as "SELECT request_type, count(*) FROM service_requests GROUP BY 1".
        query: String,
        #[command(flatten)]
        memory: Memory,
    },
    /// Report what needs attention, by department: late and stale measures, values due in the
    /// next 30 days and goals behind pace (exit 0; 1 when the source has errors, or when
    /// `--fail-on` finds what it names).
    Status {
        /// The source directory.
        source: PathBuf,
        /// Exit 1 when any measure is late or stale (`late`), or stale (`stale`).
        #[arg(long, value_enum, value_name = "STATE")]
        fail_on: Option<status::FailOn>,
        /// How to print the report.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        #[command(flatten)]
        memory: Memory,
        #[command(flatten)]
        caching: Caching,
    },
    /// Say what a change does to the published data: BASE and HEAD are each a source tree
    /// (built in memory as `build` would) or a published release (OUT). Exit 0 when nothing
    /// published changed, 1 when something did, 2 on error.
    Diff {
        /// The release or source tree before the change.
        base: PathBuf,
        /// The release or source tree after the change.
        head: PathBuf,
        /// How to print the report: `markdown` is ready for a pull-request comment.
        #[arg(long, value_enum, default_value = "text")]
        format: DiffFormat,
        /// Exit 0 when something changed, too.
        #[arg(long)]
        exit_zero: bool,
        #[command(flatten)]
        memory: Memory,
        #[command(flatten)]
        caching: Caching,
    },
    /// Rebuild what a release showed at a past time from its history of published values:
    /// the observations table of the release then current is printed as CSV, or with `--out`
    /// that whole release is published again; checked against the digests that release
    /// published (exit 0 when they match, 1 when not, 2 on error).
    Asof {
        /// A published release (the `--out` of `build`), or its history file
        /// (`data/revisions.parquet`).
        out: PathBuf,
        /// The time: a date (its end, UTC) such as 2026-11-03, or 2026-11-03T17:00:00Z.
        #[arg(value_parser = instant)]
        date: i64,
        /// Publish that release again into DIR (new or empty), whole: data, documents and
        /// the residents' site, by publishing in turn every release of the history up to it.
        #[arg(long = "out", value_name = "DIR")]
        release: Option<PathBuf>,
        /// With `--out`: the absolute URL DIR is served from (default: the dataset's homepage).
        #[arg(long, value_name = "URL", value_parser = base_url, requires = "release")]
        base_url: Option<String>,
        /// With `--out`: a built widgets package to publish under DIR/widgets/, as `build`'s.
        #[arg(long, value_name = "DIR", requires = "release")]
        widgets: Option<PathBuf>,
    },
    /// Run a process of an Apache Ballista cluster that computes measures for `build
    /// --engine ballista://HOST:PORT`: one scheduler, and executors on as many machines as
    /// needed.
    #[cfg(feature = "distributed")]
    Cluster {
        #[command(subcommand)]
        process: cluster::Process,
    },
    /// Preview a published release over HTTP (until Ctrl-C).
    Serve {
        /// The published release directory (the `--out` of `build`).
        out: PathBuf,
        /// The TCP port to listen on (0 picks a free one).
        #[arg(long, default_value_t = serve::DEFAULT_PORT)]
        port: u16,
        /// The host name or address to listen on; 0.0.0.0 shares the preview on the network.
        #[arg(long, default_value = serve::DEFAULT_HOST)]
        host: String,
    },
}

/// How much of the observations a run holds in memory.
#[derive(Debug, clap::Args)]
struct Memory {
    /// Observation rows held in memory, across every file and part, before they spill to disk
    /// (beside OUT for `build`, in the temporary directory for `validate`); memory use grows
    /// with it.
    #[arg(long, value_name = "ROWS", default_value_t = exporter::DEFAULT_MEMORY_ROWS)]
    memory_rows: usize,
    /// The most memory the query engine may hold (such as 512MiB or 2GiB) before it spills to
    /// disk; unlimited by default.
    #[arg(long, value_name = "SIZE", value_parser = size)]
    memory_limit: Option<usize>,
    /// How many partitions the query engine splits each query into (default: one per core);
    /// the results are the same at any number.
    #[arg(long, value_name = "N", default_value_t = 0)]
    partitions: usize,
    /// Where the measures' queries run: `in-process`, or `ballista://HOST:PORT`, the scheduler
    /// of an Apache Ballista cluster (`civicmetrics cluster`), whose executors read the
    /// tables' files at the paths this program sees them. The values are the same either way.
    #[arg(
        long,
        value_name = "ENGINE",
        env = compute::ENGINE_VARIABLE,
        default_value = "in-process"
    )]
    engine: compute::Execution,
}

impl Memory {
    /// The engine's options, with the results cache in `cache`.
    fn engine(&self, cache: Option<PathBuf>) -> compute::EngineOptions {
        compute::EngineOptions {
            memory_limit: self.memory_limit,
            target_partitions: self.partitions,
            cache,
            execution: self.engine.clone(),
        }
    }
}

/// Where computed measures, and what a build reuses, are cached.
#[derive(Debug, clap::Args)]
struct Caching {
    /// The directory of the results cache: a measure whose records and definition did not
    /// change since it was last computed is read from it; for `build`, also the build cache:
    /// the table rows of measures unchanged since the release in OUT are copied from it, not
    /// formatted again (default for `build`: `.OUT.cache` beside OUT; `validate` and `compute`
    /// cache only when given one). The output is the same with or without it.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    cache: Option<PathBuf>,
    /// Compute and write everything, neither reading nor writing a cache.
    #[arg(long)]
    no_cache: bool,
}

impl Caching {
    /// The cache's directory: the one given, else `default` unless caching is off.
    fn dir(&self, default: Option<PathBuf>) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        self.cache.clone().or(default)
    }
}

/// How `compute` prints observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Printed {
    /// The observation CSV's columns, with `record_count`.
    Csv,
    /// One JSON object per observation, one per line.
    Json,
}

/// How `status` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    /// Lines for a terminal, by department.
    Text,
    /// One JSON object.
    Json,
}

/// How `diff` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// Lines for a terminal, by department.
    Text,
    /// A summary line and a table per department, restatements first.
    Markdown,
    /// One JSON object, every change listed.
    Json,
}

/// `--memory-limit`: bytes, with an optional unit (KB, MB, GB; KiB, MiB, GiB).
fn size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 512MiB"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "kib" | "k" => 1024.0,
        "mib" | "m" => 1024.0 * 1024.0,
        "gib" | "g" => 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("unknown unit `{other}`: use KiB, MiB or GiB")),
    };
    Ok((number * factor) as usize)
}

/// A format `build` can publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The tables as Parquet.
    Parquet,
    /// The tables as CSV, with datapackage.json.
    Csv,
    /// `index.json` and `measures/<id>.json`, which the widgets read.
    Json,
    /// The residents' site.
    Site,
}

/// `--base-url`: an absolute http(s) URL with a host, as the pages' canonical links need.
fn base_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|error| format!("`{text}` is not a URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "`{text}` is not an http(s) URL with a host, such as https://example.org/performance/"
        ));
    }
    Ok(text.to_owned())
}

/// A progress bar on a terminal; nothing when stderr is piped.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, phase: &str, total: u64) {
        self.0.set_message(phase.to_owned());
        self.0.reset();
        self.0.set_length(total);
        // Drawn from the first phase on; indicatif draws nothing when stderr is not a terminal.
        self.0.set_draw_target(ProgressDrawTarget::stderr());
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
        self.0.set_prefix("");
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
    fn detail(&self, text: &str) {
        self.0.set_prefix(text.to_owned());
    }
}

/// The publication time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
fn publication_time() -> anyhow::Result<OffsetDateTime> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => {
            let seconds: i64 = epoch
                .trim()
                .parse()
                .context("SOURCE_DATE_EPOCH must be a number of seconds")?;
            OffsetDateTime::from_unix_timestamp(seconds)
                .context("SOURCE_DATE_EPOCH is out of range")
        }
        Err(_) => Ok(OffsetDateTime::now_utc()),
    }
}

/// The publication time for a run on the source directory `source`; a usage error (exit 2)
/// when `SOURCE_DATE_EPOCH` is malformed or `source` is not a directory.
fn publication_time_for(source: &std::path::Path) -> Result<OffsetDateTime, ExitCode> {
    let published = publication_time().map_err(|error| {
        eprintln!("error: {error:#}");
        ExitCode::from(2)
    })?;
    if !source.is_dir() {
        eprintln!("error: {}: not a directory", source.display());
        return Err(ExitCode::from(2));
    }
    Ok(published)
}

/// `civicmetrics serve`: exit 0 after Ctrl-C, 2 when OUT is not a directory, 1 otherwise.
fn serve(out: PathBuf, host: String, port: u16) -> ExitCode {
    let options = ServeOptions {
        root: out.clone(),
        host,
        port,
    };
    let result = serve::run(&options, |address| {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "Serving {} at http://{address}/", out.display());
        let _ = stdout.flush();
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error @ serve::Error::NotADirectory { .. }) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (source, out, site, formats, memory, cache, history) = match cli.command {
        Command::Validate {
            source,
            memory,
            caching,
        } => {
            let cache = caching.dir(None);
            (source, None, None, Formats::ALL, memory, cache, None)
        }
        Command::Build {
            source,
            out,
            base_url,
            widgets,
            formats,
            legacy_documents,
            history,
            memory,
            caching,
        } => {
            let site = formats.contains(&Format::Site);
            let formats = Formats {
                parquet: formats.contains(&Format::Parquet),
                csv: formats.contains(&Format::Csv),
                json: formats.contains(&Format::Json),
                legacy_documents,
            };
            if legacy_documents && !formats.json {
                eprintln!(
                    "error: --legacy-documents needs the json format, whose older form they are"
                );
                return ExitCode::from(2);
            }
            if site && !formats.json {
                eprintln!("error: the site needs the json format, which its pages and embeds load");
                return ExitCode::from(2);
            }
            let site = site.then(|| {
                Site::new(SiteOptions {
                    base_url,
                    widgets,
                    previous: Some(out.clone()),
                })
            });
            let cache = caching.dir(exporter::cache_beside(&out).ok());
            (source, Some(out), site, formats, memory, cache, history)
        }
        Command::Serve { out, port, host } => return serve(out, host, port),
        #[cfg(feature = "distributed")]
        Command::Cluster { process } => return cluster::run(process),
        Command::Asof {
            out,
            date,
            release,
            base_url,
            widgets,
        } => {
            let history = match out.is_dir() {
                true => out.join("data").join("revisions.parquet"),
                false => out,
            };
            return match release {
                None => asof_command(&history, date),
                Some(release) => republish_command(&history, date, release, base_url, widgets),
            };
        }
        Command::Compute {
            source,
            measures,
            format,
            memory,
            caching,
        } => {
            let engine = memory.engine(caching.dir(None));
            return compute_command(source, measures, format, &memory, engine);
        }
        Command::Sql {
            source,
            query,
            memory,
        } => return sql_command(&source, &query, &memory),
        Command::Status {
            source,
            fail_on,
            format,
            memory,
            caching,
        } => {
            let engine = memory.engine(caching.dir(None));
            return status_command(source, fail_on, format, &memory, engine);
        }
        Command::Diff {
            base,
            head,
            format,
            exit_zero,
            memory,
            caching,
        } => return diff_command(&base, &head, format, exit_zero, &memory, &caching),
    };
    let published = match publication_time_for(&source) {
        Ok(time) => time,
        Err(code) => return code,
    };
    let bar = ProgressBar::hidden();
    bar.set_style(
        ProgressStyle::with_template("{msg:24} {wide_bar} {percent:>3}% {elapsed} {prefix}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut options = Options::new(source, out.clone(), published);
    options.formats = formats;
    options.history = history;
    options.memory_rows = memory.memory_rows;
    options.cache = cache.clone().filter(|_| out.is_some());
    let computer = Arc::new(compute::Computer {
        engine: memory.engine(cache.clone()),
        ..Default::default()
    });
    options.automation = Some(computer.clone());
    let started = std::time::Instant::now();
    let mut site = site;
    let mut companions: Vec<&mut dyn Companion> = Vec::new();
    if let Some(site) = &mut site {
        companions.push(site);
    }
    let result = exporter::run(&options, &mut companions, &Bar(bar));
    let mut stderr = std::io::stderr().lock();
    let reused = computer.reused.load(Ordering::Relaxed);
    if let Some(cache) = cache.filter(|_| reused > 0) {
        let _ = writeln!(
            stderr,
            "{reused} computed measure(s) unchanged since they were cached in {}",
            cache.display()
        );
    }
    match result {
        Ok(outcome) => {
            for diagnostic in &outcome.diagnostics {
                let _ = writeln!(stderr, "{diagnostic}");
            }
            let summary = format!(
                "{} measures, {} observations, {} warning(s)",
                outcome.measures,
                outcome.observations,
                outcome.diagnostics.len()
            );
            match out {
                Some(out) => {
                    let bytes: u64 = outcome.files.iter().map(|(_, size)| size).sum();
                    let _ = writeln!(
                        stderr,
                        "published {summary}: {} files, {bytes} bytes in {} ({:.2?})",
                        outcome.files.len(),
                        out.display(),
                        started.elapsed()
                    );
                    if let Some(history) = outcome.history {
                        let _ = writeln!(
                            stderr,
                            "history of published values: {} version(s), {} published now, {} \
                             restated or removed now ({:.3} s on it)",
                            history.versions,
                            history.added,
                            history.superseded,
                            history.elapsed.as_secs_f64()
                        );
                    }
                    if outcome.cache.reused > 0 {
                        let _ = writeln!(
                            stderr,
                            "build cache: the table rows of {} of {} measures copied from the \
                             release replaced",
                            outcome.cache.reused, outcome.measures
                        );
                    }
                    if let Some(unused) = &outcome.cache.unused {
                        let _ = writeln!(stderr, "build cache not used: {unused}");
                    }
                }
                None => {
                    let _ = writeln!(stderr, "valid: {summary}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(Error::Invalid {
            errors,
            diagnostics,
        }) => {
            for diagnostic in &diagnostics {
                let _ = writeln!(stderr, "{diagnostic}");
            }
            let warnings = diagnostics.len() - errors;
            let _ = writeln!(
                stderr,
                "invalid: {errors} error(s), {warnings} warning(s); nothing was published"
            );
            ExitCode::from(1)
        }
        Err(error @ Error::BadOutput { .. }) => {
            let _ = writeln!(stderr, "error: {error}");
            ExitCode::from(2)
        }
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            ExitCode::from(1)
        }
    }
}

/// Prints `diagnostics` to standard error.
fn report(diagnostics: &[dataset::Diagnostic]) {
    let mut stderr = std::io::stderr().lock();
    for diagnostic in diagnostics {
        let _ = writeln!(stderr, "{diagnostic}");
    }
}

/// `civicmetrics compute`: validates the source as `validate` does, computing the measures
/// asked for, and prints what was computed. Exit 0, 1 when the source has errors, 2 for a
/// usage error.
fn compute_command(
    source: PathBuf,
    measures: Vec<String>,
    format: Printed,
    memory: &Memory,
    engine: compute::EngineOptions,
) -> ExitCode {
    let published = match publication_time_for(&source) {
        Ok(time) => time,
        Err(code) => return code,
    };
    let computer = Arc::new(compute::Computer {
        engine,
        only: measures.clone(),
        ..Default::default()
    });
    let mut options = Options::new(source, None, published);
    options.memory_rows = memory.memory_rows;
    options.automation = Some(computer.clone());
    let result = exporter::run(&options, &mut [], &exporter::Quiet);
    let computed = computer
        .computed
        .lock()
        .map(|computed| computed.clone())
        .unwrap_or_default();
    for id in &measures {
        if !computed.iter().any(|(measure, _, _)| measure == id) && result.is_ok() {
            eprintln!("error: no measure `{id}` is computed from records");
            return ExitCode::from(2);
        }
    }
    let printed = match format {
        Printed::Csv => print_csv(&computed),
        Printed::Json => print_json(&computed),
    };
    if let Err(error) = printed {
        eprintln!("error: {error:#}");
        return ExitCode::from(1);
    }
    match result {
        Ok(outcome) => {
            report(&outcome.diagnostics);
            ExitCode::SUCCESS
        }
        Err(Error::Invalid { diagnostics, .. }) => {
            report(&diagnostics);
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

/// The computed observations as CSV: the observation CSV's columns (a column per breakdown of
/// any measure printed), then `record_count` and `provisional`.
fn print_csv(computed: &[compute::KeptMeasure]) -> anyhow::Result<()> {
    let mut breakdowns: Vec<&str> = Vec::new();
    for (_, names, _) in computed {
        for name in names {
            if !breakdowns.contains(&name.as_str()) {
                breakdowns.push(name);
            }
        }
    }
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    let mut header = vec!["measure", "period"];
    header.extend(&breakdowns);
    header.extend(["value", "note", "record_count", "provisional"]);
    writer.write_record(&header)?;
    for (id, names, measure) in computed {
        for row in &measure.rows {
            let mut record = vec![id.clone(), row.period.label()];
            for column in &breakdowns {
                record.push(match &row.breakdown {
                    Some((index, group)) if names[*index] == *column => group.clone(),
                    _ => String::new(),
                });
            }
            record.push(row.value.map_or(String::new(), |v| v.to_string()));
            record.push(row.note.clone().unwrap_or_default());
            record.push(row.record_count.map_or(String::new(), |n| n.to_string()));
            record.push(row.provisional.to_string());
            writer.write_record(&record)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// The computed observations as JSON lines.
fn print_json(computed: &[compute::KeptMeasure]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for (id, names, measure) in computed {
        for row in &measure.rows {
            let mut object = serde_json::Map::new();
            object.insert("measure".into(), id.clone().into());
            object.insert("period".into(), row.period.label().into());
            if let Some((index, group)) = &row.breakdown {
                object.insert(names[*index].clone(), group.clone().into());
            }
            object.insert("value".into(), row.value.into());
            object.insert("note".into(), row.note.clone().into());
            object.insert("record_count".into(), row.record_count.into());
            object.insert("provisional".into(), row.provisional.into());
            writeln!(stdout, "{}", serde_json::Value::Object(object))?;
        }
    }
    Ok(())
}

/// `civicmetrics status`: builds the release in a temporary directory, publishing no format,
/// and reports on its index. Exit 0; 1 when the source has errors or `fail_on` finds what it
/// names; 2 for a usage error.
fn status_command(
    source: PathBuf,
    fail_on: Option<status::FailOn>,
    format: ReportFormat,
    memory: &Memory,
    engine: compute::EngineOptions,
) -> ExitCode {
    let published = match publication_time_for(&source) {
        Ok(time) => time,
        Err(code) => return code,
    };
    let mut collect = status::Collect::default();
    if let Err(error) = build_in_memory(&source, published, memory, engine, &mut collect) {
        if let Some(error) = error {
            eprintln!("error: {error}");
        }
        return ExitCode::from(1);
    }
    let Some(index) = collect.index else {
        eprintln!("error: the build published no index");
        return ExitCode::from(1);
    };
    let today = dataset::CalendarDate(published.to_offset(time::UtcOffset::UTC).date());
    let status = status::Report::new(&index, today);
    match format {
        ReportFormat::Text => print!("{}", status.text()),
        ReportFormat::Json => println!("{}", status.json()),
    }
    match fail_on {
        Some(fail_on) if status.fails(fail_on) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Builds `source` as `build` would at `published` (computed measures included) in a temporary
/// directory, publishing no format, for `collect` to keep what it needs. Every problem is
/// reported; `Err(None)` when the source has errors (reported), `Err(Some(why))` when the build
/// could not run.
fn build_in_memory(
    source: &Path,
    published: OffsetDateTime,
    memory: &Memory,
    engine: compute::EngineOptions,
    collect: &mut status::Collect,
) -> Result<(), Option<String>> {
    let temp = tempfile::tempdir()
        .map_err(|error| Some(format!("cannot make a temporary directory: {error}")))?;
    let mut options = Options::new(
        source.to_owned(),
        Some(temp.path().join("release")),
        published,
    );
    options.memory_rows = memory.memory_rows;
    options.formats = Formats {
        parquet: false,
        csv: false,
        json: false,
        legacy_documents: false,
    };
    options.automation = Some(Arc::new(compute::Computer {
        engine,
        ..Default::default()
    }));
    match exporter::run(&options, &mut [collect], &exporter::Quiet) {
        Ok(outcome) => {
            report(&outcome.diagnostics);
            Ok(())
        }
        Err(Error::Invalid { diagnostics, .. }) => {
            report(&diagnostics);
            Err(None)
        }
        Err(error) => Err(Some(error.to_string())),
    }
}

/// `asof` takes a date (its last second, UTC) or a time as the tables write it.
fn instant(text: &str) -> Result<i64, String> {
    exporter::tables::timestamp_seconds(text)
        .or_else(|| exporter::tables::timestamp_seconds(&format!("{text}T23:59:59Z")))
        .ok_or_else(|| "expected a date (2026-11-03) or a UTC time (2026-11-03T17:00:00Z)".into())
}

/// `asof` without `--out`: prints the observations table of the release current at `at`.
fn asof_command(history: &Path, at: i64) -> ExitCode {
    // The files are written into a temporary directory, removed at the end.
    let scratch = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("error: cannot create a temporary directory: {error}");
            return ExitCode::from(2);
        }
    };
    let formats = Formats {
        parquet: false,
        csv: true,
        json: false,
        legacy_documents: false,
    };
    let vintage = match exporter::asof(history, at, scratch.path(), formats) {
        Ok(vintage) => vintage,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let csv = scratch.path().join("observations.csv");
    let copied = std::fs::File::open(&csv)
        .and_then(|mut file| std::io::copy(&mut file, &mut std::io::stdout().lock()));
    if let Err(error) = copied {
        eprintln!("error: {}: {error}", csv.display());
        return ExitCode::from(2);
    }
    vintage_verdict(&vintage, at)
}

/// `asof --out DIR`: publishes the release current at `at` again into `dir`, with the site.
fn republish_command(
    history: &Path,
    at: i64,
    dir: PathBuf,
    base_url: Option<String>,
    widgets: Option<PathBuf>,
) -> ExitCode {
    let mut site = Site::new(SiteOptions {
        base_url,
        widgets,
        previous: Some(dir.clone()),
    });
    let bar = ProgressBar::hidden();
    let started = std::time::Instant::now();
    let vintage = match exporter::republish(history, at, &dir, &mut [&mut site], &Bar(bar)) {
        Ok(vintage) => vintage,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "published again into {} in {:.2} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    vintage_verdict(&vintage, at)
}

/// Says which release was current at `at` and whether the files rebuilt are the ones it
/// published: exit 0 when they are, 1 when one is not.
fn vintage_verdict(vintage: &exporter::Vintage, at: i64) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "the release published at {} ({} observations) was current at {}",
        vintage.publication.published_at,
        vintage.observation_rows,
        exporter::tables::timestamp_text(at)
    );
    let mut identical = true;
    for (name, matches) in &vintage.files {
        let verdict = match matches {
            Some(true) => "identical to the file that release published",
            Some(false) => {
                identical = false;
                "DIFFERS from the file that release published (its SHA-256 is not the one on record)"
            }
            None => "that release did not publish this file",
        };
        let _ = writeln!(stderr, "{name}: {verdict}");
    }
    match identical {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(1),
    }
}

/// `civicmetrics diff`: reads or builds both sides, then prints what changed. Exit 0 when
/// nothing published changed (or `--exit-zero`), 1 when something did, 2 on error.
fn diff_command(
    base: &Path,
    head: &Path,
    format: DiffFormat,
    exit_zero: bool,
    memory: &Memory,
    caching: &Caching,
) -> ExitCode {
    let side = |path: &Path| -> Result<review::Release, String> {
        if review::Release::is_release(path) {
            return review::Release::read(path).map_err(|error| error.to_string());
        }
        release_of_tree(path, memory, caching)
    };
    let (old, new) = match (side(base), side(head)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let report = review::diff(
        &old,
        &new,
        &base.display().to_string(),
        &head.display().to_string(),
    );
    match format {
        DiffFormat::Text => print!("{}", report.text()),
        DiffFormat::Markdown => print!("{}", report.markdown()),
        DiffFormat::Json => println!("{}", report.json()),
    }
    if report.is_empty() || exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The release the source tree at `source` would publish now, built in memory (no files
/// written), its computed measures included.
fn release_of_tree(
    source: &Path,
    memory: &Memory,
    caching: &Caching,
) -> Result<review::Release, String> {
    if !source.join("dataset.toml").is_file() {
        return Err(format!(
            "{} is neither a source tree (no dataset.toml) nor a release (no data/index.json)",
            source.display()
        ));
    }
    let published = publication_time_for(source)
        .map_err(|_| format!("{}: no publication time", source.display()))?;
    let mut collect = status::Collect {
        documents: Some(BTreeMap::new()),
        ..Default::default()
    };
    let engine = memory.engine(caching.dir(None));
    build_in_memory(source, published, memory, engine, &mut collect)
        .map_err(|error| error.unwrap_or_else(|| format!("{} has errors", source.display())))?;
    match (collect.index, collect.documents) {
        (Some(index), Some(documents)) => Ok(review::Release { index, documents }),
        _ => Err(format!(
            "{}: the build published no index",
            source.display()
        )),
    }
}

/// `civicmetrics sql`: exit 0 with the result, 1 when the source or the query has a problem.
fn sql_command(source: &std::path::Path, query: &str, memory: &Memory) -> ExitCode {
    let published = match publication_time_for(source) {
        Ok(time) => time,
        Err(code) => return code,
    };
    let definitions = match exporter::definitions(source) {
        Ok(definitions) => definitions,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let Some(manifest) = definitions.manifest else {
        report(&definitions.diagnostics);
        return ExitCode::from(1);
    };
    let (engine, problems) =
        memory
            .engine(None)
            .start(source, &manifest, &definitions.tables, published);
    let mut problems: Vec<_> = definitions
        .diagnostics
        .into_iter()
        .chain(problems)
        .filter(|d| d.file.contains("sources/") || d.file.ends_with("dataset.toml"))
        .collect();
    problems.retain(dataset::Diagnostic::is_error);
    let Some(engine) = engine.filter(|_| problems.is_empty()) else {
        report(&problems);
        return ExitCode::from(1);
    };
    match engine
        .sql(query)
        .and_then(|batches| compute::pretty(&batches))
    {
        Ok(table) => {
            println!("{table}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
