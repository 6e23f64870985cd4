//! `cargo xtask bench`: the exporter and the widgets measured against the tools people would use
//! instead, in the same run on the same machine, alternating, with medians and ratios.
//!
//! The exporter's anchors are pyarrow and DuckDB converting the same CSV to Parquet (from PyPI,
//! in `bench-venv` in the target directory); the widgets' are Chart.js and uPlot
//! (`benchmarks/widgets/`). Every program runs under `cargo xtask bench measure`, which records
//! its wall time, its peak resident memory (`getrusage(RUSAGE_CHILDREN)`, so a Python anchor's
//! interpreter counts too) and the most files it had open (sampled from `/proc/PID/fd`); the
//! exporter runs with at most [`OPEN_FILES_BOUND`] files allowed open (`RLIMIT_NOFILE`), so that
//! needing more fails it.

mod cluster;
mod compute;
mod generate;
mod history;
mod rebuild;
mod report;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{Profile, run, target_dir};
use report::{Provenance, Report, Row};

const USAGE: &str = "usage: cargo xtask bench [--smoke] [--runs N] [--sizes ROWS,ROWS,...] \
[--many-files ROWS] [--compute-sizes ROWS,...] [--compute-only] [--no-history] [--no-widgets]
       cargo xtask bench generate DIR [--measures N] [--days N] [--files N]

  --smoke           every benchmark once at a tiny size: checks that they run, times nothing
  --runs N          timed runs of each program (default 5; at most 3 of validation and the full
                    build)
  --sizes ...       observation counts for the exporter (default 1000000,3000000,10000000; 0
                    skips them)
  --many-files ROWS observations in 20 files, built once each way to measure memory and open
                    files (default 30000000; 0 skips it)
  --compute-sizes   service requests the computed measures are computed from (default
                    10000000,40000000; 0 skips them)
  --no-history      skip the history of published values: 100 builds of 1,000,000 rows into
                    one OUT, 1% of the values restated before each
  --compute-only    the computed measures alone; results go to benchmarks/RESULTS-compute.md
  --no-widgets      skip the browser benchmarks";

/// Measures in the synthetic source; the number of days follows from the size.
const MEASURES: usize = 2_000;

/// The exporter's memory bound, whatever the size.
const MEMORY_BOUND_MIB: f64 = 256.0;

/// The most files the exporter may have open at once, whatever the size and the cores.
const OPEN_FILES_BOUND: usize = 256;

/// The days of every measure in the many-files source; the number of measures follows from the
/// size, so the dates stay those of the sizes above.
const MANY_FILES_DAYS: usize = 5_000;

/// The files of the many-files source.
const MANY_FILES: usize = 20;

/// What to run.
struct Settings {
    smoke: bool,
    runs: usize,
    sizes: Vec<usize>,
    /// Observations of the many-files measurement; 0 skips it.
    many_files: usize,
    /// Service requests of the computed-measure benchmark, by size; none skips it.
    compute_sizes: Vec<usize>,
    /// Only the computed measures, with results of their own.
    compute_only: bool,
    /// Whether to measure the history of published values over successive builds.
    history: bool,
    widgets: bool,
    command: String,
}

impl Settings {
    fn parse(args: &[String]) -> Result<Settings> {
        let mut settings = Settings {
            smoke: false,
            runs: 5,
            sizes: vec![1_000_000, 3_000_000, 10_000_000],
            many_files: 30_000_000,
            compute_sizes: vec![10_000_000, 40_000_000],
            compute_only: false,
            history: true,
            widgets: true,
            command: std::iter::once("cargo xtask bench")
                .chain(args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--smoke" => settings.smoke = true,
                "--runs" => settings.runs = number(args.next(), arg)?.max(1),
                "--sizes" => {
                    settings.sizes = sizes(args.next(), arg)?
                        .into_iter()
                        .filter(|&size| size > 0)
                        .collect();
                }
                "--many-files" => settings.many_files = number(args.next(), arg)?,
                "--compute-sizes" => {
                    settings.compute_sizes = sizes(args.next(), arg)?
                        .into_iter()
                        .filter(|&size| size > 0)
                        .collect();
                }
                "--no-widgets" => settings.widgets = false,
                "--no-history" => settings.history = false,
                "--compute-only" => settings.compute_only = true,
                _ => bail!("unexpected argument {arg}\n{USAGE}"),
            }
        }
        if settings.compute_only {
            settings.sizes.clear();
            settings.many_files = 0;
            settings.widgets = false;
            settings.history = false;
        }
        if settings.smoke && !settings.compute_only {
            settings.sizes = vec![2_000];
            settings.many_files = 2_000;
        }
        if settings.smoke {
            settings.runs = 1;
            // The sample's own number of requests: the generator at scale 1.
            settings.compute_sizes = vec![1];
        }
        Ok(settings)
    }

    /// Runs of the slower, bigger programs.
    fn long_runs(&self) -> usize {
        self.runs.min(3)
    }
}

/// A comma-separated list of sizes.
fn sizes(value: Option<&String>, name: &str) -> Result<Vec<usize>> {
    value
        .with_context(|| format!("{name} needs a value"))?
        .split(',')
        .map(|size| number(Some(&size.to_owned()), name))
        .collect()
}

fn number(value: Option<&String>, name: &str) -> Result<usize> {
    value
        .with_context(|| format!("{name} needs a value"))?
        .replace('_', "")
        .parse()
        .with_context(|| format!("{name} needs a whole number"))
}

/// Runs `cargo xtask bench ARGS`.
pub(crate) fn main(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("generate") => generate_command(&args[1..]),
        Some("measure") => measure_command(&args[1..]),
        Some("help" | "--help" | "-h") => {
            eprintln!("{USAGE}");
            Ok(())
        }
        _ => bench(&Settings::parse(args)?),
    }
}

/// `cargo xtask bench generate DIR [--measures N] [--days N] [--files N]`.
fn generate_command(args: &[String]) -> Result<()> {
    let mut dir = None;
    let (mut measures, mut days, mut files) = (MEASURES, 5_000, 1);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--measures" => measures = number(args.next(), arg)?,
            "--days" => days = number(args.next(), arg)?,
            "--files" => files = number(args.next(), arg)?.max(1),
            _ if dir.is_none() && !arg.starts_with('-') => dir = Some(PathBuf::from(arg)),
            _ => bail!("unexpected argument {arg}\n{USAGE}"),
        }
    }
    let dir = dir.context(USAGE)?;
    let rows = generate::generate(&dir, measures, days, files)?;
    eprintln!(
        "{rows} observations of {measures} measures written to {} in {files} file(s)",
        dir.display()
    );
    Ok(())
}

/// `cargo xtask bench measure LOG [--open-files N] -- PROGRAM ARGS...`: runs the program with
/// its output in LOG, at most N files open if given, and prints `WALL_NANOSECONDS PEAK_RSS_KIB
/// PEAK_OPEN_FILES`. Run in a process of its own so that the peak memory of its children is the
/// program's alone.
fn measure_command(args: &[String]) -> Result<()> {
    const MEASURE_USAGE: &str =
        "usage: cargo xtask bench measure LOG [--open-files N] -- PROGRAM ARGS...";
    let [log, rest @ ..] = args else {
        bail!(MEASURE_USAGE);
    };
    let (limit, rest) = match rest {
        [flag, limit, rest @ ..] if flag == "--open-files" => {
            (Some(number(Some(limit), flag)?), rest)
        }
        _ => (None, rest),
    };
    let [dashes, program, rest @ ..] = rest else {
        bail!(MEASURE_USAGE);
    };
    if dashes != "--" {
        bail!(MEASURE_USAGE);
    }
    if let Some(limit) = limit {
        use nix::sys::resource::{Resource, getrlimit, setrlimit};
        // The program inherits the limit: opening a file past it fails (EMFILE).
        let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
        setrlimit(Resource::RLIMIT_NOFILE, limit as u64, hard)?;
    }
    let log = fs::File::create(log).with_context(|| format!("cannot create {log}"))?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    let done = AtomicBool::new(false);
    let fds = PathBuf::from(format!("/proc/{}/fd", child.id()));
    let (status, open_files) = std::thread::scope(|scope| {
        // Sampled: a peak shorter than the interval can go unseen, as the limit cannot.
        let sampler = scope.spawn(|| {
            let mut peak = 0;
            while !done.load(Ordering::Relaxed) {
                if let Ok(entries) = fs::read_dir(&fds) {
                    peak = peak.max(entries.count());
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            peak
        });
        let status = child.wait();
        done.store(true, Ordering::Relaxed);
        (status, sampler.join())
    });
    let wall = started.elapsed();
    let status = status?;
    if !status.success() {
        bail!("{program} failed ({status})");
    }
    let open_files = open_files.map_err(|_| anyhow::anyhow!("the open-file sampler panicked"))?;
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)?;
    // Linux reports ru_maxrss in KiB.
    println!("{} {} {open_files}", wall.as_nanos(), usage.max_rss());
    Ok(())
}

/// One timed run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub(crate) wall: Duration,
    pub(crate) peak_kib: u64,
    /// The most files the program was seen to have open at once.
    pub(crate) open_files: u64,
}

/// The runs of one program.
#[derive(Debug, Default, Clone)]
pub(crate) struct Samples(pub(crate) Vec<Sample>);

impl Samples {
    pub(crate) fn median_seconds(&self) -> f64 {
        let mut walls: Vec<f64> = self.0.iter().map(|s| s.wall.as_secs_f64()).collect();
        median(&mut walls)
    }

    pub(crate) fn peak_mib(&self) -> f64 {
        self.0.iter().map(|s| s.peak_kib).max().unwrap_or(0) as f64 / 1024.0
    }

    pub(crate) fn open_files(&self) -> u64 {
        self.0.iter().map(|s| s.open_files).max().unwrap_or(0)
    }
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Runs `program args` under `bench measure`, logging into `work/logs/<label>.log`, with at most
/// `open_files` files open if given.
fn measure(
    work: &Path,
    label: &str,
    open_files: Option<usize>,
    program: &Path,
    args: &[&str],
) -> Result<Sample> {
    let logs = work.join("logs");
    fs::create_dir_all(&logs)?;
    let log = logs.join(format!("{label}.log"));
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["bench", "measure"]).arg(&log);
    if let Some(limit) = open_files {
        command.args(["--open-files", &limit.to_string()]);
    }
    let output = command.arg("--").arg(program).args(args).output()?;
    if !output.status.success() {
        let text = fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(20).collect();
        bail!(
            "{label} failed: {}\n{}",
            String::from_utf8_lossy(&output.stderr).trim(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let text = String::from_utf8(output.stdout)?;
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    let (Some(Ok(nanos)), Some(Ok(peak_kib)), Some(Ok(open_files))) =
        (fields.next(), fields.next(), fields.next())
    else {
        bail!("{label}: unexpected measurement `{text}`");
    };
    eprintln!(
        "  {label:<28} {:>8.3} s {:>8.1} MiB {open_files:>5} files",
        nanos as f64 / 1e9,
        peak_kib as f64 / 1024.0
    );
    Ok(Sample {
        wall: Duration::from_nanos(nanos),
        peak_kib,
        open_files,
    })
}

/// The bench's own virtual environment with the anchors, from `benchmarks/requirements.txt`.
fn anchors_python() -> Result<PathBuf> {
    crate::python_environment(
        &target_dir()?.join("bench-venv"),
        Path::new("benchmarks/requirements.txt"),
    )
}

/// Reads the whole file once so that every program starts with it in the page cache.
fn warm(path: &Path) -> Result<()> {
    let mut file = fs::File::open(path)?;
    std::io::copy(&mut file, &mut std::io::sink())?;
    Ok(())
}

fn remove(path: &Path) -> Result<()> {
    if path.is_dir() {
        fs::remove_dir_all(path)?;
    } else if path.exists() {
        fs::remove_file(path)?;
    }
    Ok(())
}

/// Facts about a Parquet file, read by pyarrow.
#[derive(Debug, Clone, Default)]
struct ParquetFacts {
    bytes: u64,
    rows: u64,
    statistics: bool,
    page_index: bool,
}

fn parquet_facts(python: &Path, file: &Path) -> Result<ParquetFacts> {
    let output = Command::new(python)
        .args(["benchmarks/anchors.py", "inspect"])
        .arg(file)
        .output()?;
    if !output.status.success() {
        bail!(
            "cannot inspect {}: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let facts: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let flag = |name: &str| facts[name].as_bool().unwrap_or(false);
    Ok(ParquetFacts {
        bytes: facts["bytes"].as_u64().context("no byte count")?,
        rows: facts["rows"].as_u64().context("no row count")?,
        statistics: flag("statistics"),
        page_index: flag("column_index") && flag("offset_index"),
    })
}

/// What the exporter is measured doing.
#[derive(Debug, Clone, Copy)]
enum Task {
    /// `build --formats parquet`.
    Parquet,
    /// `validate`.
    Validate,
    /// `build` with every format and the site.
    Full,
}

/// Runs the exporter's `task` on `source` under `bench measure` with at most
/// [`OPEN_FILES_BOUND`] files open, `extra` arguments last; a build goes into `out`, removed
/// first.
fn run_exporter(
    work: &Path,
    label: &str,
    exporter: &Path,
    task: Task,
    source: &Path,
    out: &Path,
    extra: &[&str],
) -> Result<Sample> {
    let source = source.to_str().context("non-UTF-8 path")?;
    let out_arg = out.to_str().context("non-UTF-8 path")?;
    let mut args = match task {
        Task::Parquet => vec!["build", source, "--out", out_arg, "--formats", "parquet"],
        Task::Validate => vec!["validate", source],
        Task::Full => vec!["build", source, "--out", out_arg],
    };
    args.extend(extra);
    remove(out)?;
    measure(work, label, Some(OPEN_FILES_BOUND), exporter, &args)
}

/// The exporter at one size: ours (Parquet only), pyarrow and DuckDB alternating, then
/// validation and the full build.
struct SizeResult {
    rows: u64,
    csv_bytes: u64,
    ours_parquet: Samples,
    pyarrow: Samples,
    duckdb: Samples,
    validate: Samples,
    full: Samples,
    ours_file: ParquetFacts,
    duckdb_file: ParquetFacts,
    /// Rebuilds after one measure changed, at the largest size.
    rebuild: Option<rebuild::RebuildResult>,
}

fn bench_size(
    settings: &Settings,
    work: &Path,
    exporter: &Path,
    python: &Path,
    size: usize,
) -> Result<SizeResult> {
    let (measures, days) = if settings.smoke {
        (20, size / 20)
    } else {
        (MEASURES, size / MEASURES)
    };
    let source = work.join(format!("source-{size}"));
    eprintln!(
        "generating {measures} measures × {days} days into {}",
        source.display()
    );
    let rows = generate::generate(&source, measures, days, 1)?;
    let csv = source.join("observations/observations.csv");
    let csv_bytes = fs::metadata(&csv)?.len();
    warm(&csv)?;
    let csv_arg = csv.to_str().context("non-UTF-8 path")?;
    let out = work.join("out");
    let anchor_file = work.join("anchor.parquet");
    let anchor_arg = anchor_file.to_str().context("non-UTF-8 path")?;

    let (mut ours_parquet, mut pyarrow, mut duckdb) =
        (Samples::default(), Samples::default(), Samples::default());
    let (mut ours_file, mut duckdb_file) = Default::default();
    eprintln!(
        "Parquet from {rows} rows ({csv_bytes} bytes of CSV), {} runs each",
        settings.runs
    );
    for run in 0..settings.runs {
        ours_parquet.0.push(run_exporter(
            work,
            &format!("{size}-ours-parquet-{run}"),
            exporter,
            Task::Parquet,
            &source,
            &out,
            &[],
        )?);
        ours_file = parquet_facts(python, &out.join("data/observations.parquet"))?;
        for (name, samples) in [("pyarrow", &mut pyarrow), ("duckdb", &mut duckdb)] {
            remove(&anchor_file)?;
            samples.0.push(measure(
                work,
                &format!("{size}-{name}-{run}"),
                None,
                python,
                &["benchmarks/anchors.py", name, csv_arg, anchor_arg],
            )?);
            if name == "duckdb" {
                duckdb_file = parquet_facts(python, &anchor_file)?;
            }
        }
    }
    let mut validate = Samples::default();
    let mut full = Samples::default();
    eprintln!(
        "validation and the full build, {} runs each",
        settings.long_runs()
    );
    for run in 0..settings.long_runs() {
        validate.0.push(run_exporter(
            work,
            &format!("{size}-validate-{run}"),
            exporter,
            Task::Validate,
            &source,
            &out,
            &[],
        )?);
        full.0.push(run_exporter(
            work,
            &format!("{size}-full-{run}"),
            exporter,
            Task::Full,
            &source,
            &out,
            &[],
        )?);
    }
    remove(&out)?;
    remove(&anchor_file)?;
    let rebuild = match settings.sizes.iter().max() {
        Some(&largest) if largest == size => Some(rebuild::bench_rebuild(
            settings,
            work,
            exporter,
            &source,
            (rows, measures),
        )?),
        _ => None,
    };
    fs::remove_dir_all(&source)?;
    Ok(SizeResult {
        rows,
        csv_bytes,
        ours_parquet,
        pyarrow,
        duckdb,
        validate,
        full,
        ours_file,
        duckdb_file,
        rebuild,
    })
}

/// The exporter on a source split into many files, once each way: its memory and open files,
/// which must not grow with the rows, the files or the cores.
struct ManyFilesResult {
    rows: u64,
    files: usize,
    csv_bytes: u64,
    parquet: Samples,
    validate: Samples,
    full: Samples,
}

fn bench_many_files(settings: &Settings, work: &Path, exporter: &Path) -> Result<ManyFilesResult> {
    let size = settings.many_files;
    // The smoke run holds 10 rows in memory: it writes more runs than are merged at once.
    let (measures, days, files, extra): (usize, usize, usize, &[&str]) = if settings.smoke {
        (20, size / 20, 4, &["--memory-rows", "10"])
    } else {
        (size / MANY_FILES_DAYS, MANY_FILES_DAYS, MANY_FILES, &[])
    };
    let source = work.join(format!("source-{size}-in-{files}"));
    eprintln!(
        "generating {measures} measures × {days} days in {files} files into {}",
        source.display()
    );
    let rows = generate::generate(&source, measures, days, files)?;
    let mut csv_bytes = 0;
    for file in generate::observation_files(&source, files) {
        csv_bytes += fs::metadata(&file)?.len();
        warm(&file)?;
    }
    eprintln!(
        "{rows} rows ({csv_bytes} bytes of CSV) in {files} files: Parquet only, validation and \
         the full build, once each"
    );
    let out = work.join("out");
    let mut result = ManyFilesResult {
        rows,
        files,
        csv_bytes,
        parquet: Samples::default(),
        validate: Samples::default(),
        full: Samples::default(),
    };
    for (task, samples) in [
        (Task::Parquet, &mut result.parquet),
        (Task::Validate, &mut result.validate),
        (Task::Full, &mut result.full),
    ] {
        let label = format!("{size}-in-{files}-{task:?}").to_lowercase();
        samples.0.push(run_exporter(
            work, &label, exporter, task, &source, &out, extra,
        )?);
    }
    remove(&out)?;
    fs::remove_dir_all(&source)?;
    Ok(result)
}

/// Builds a release of the bundled sample with the widgets, for the widgets' page benchmarks.
fn sample_release(work: &Path, exporter: &Path) -> Result<PathBuf> {
    let release = work.join("sample-release");
    remove(&release)?;
    run(Command::new(exporter)
        .args(["build", "examples/seattle", "--widgets", "pkg", "--out"])
        .arg(&release))?;
    Ok(release)
}

fn bench(settings: &Settings) -> Result<()> {
    let work = target_dir()?.join("bench");
    fs::create_dir_all(&work)?;
    // The smoke run only checks that every benchmark runs: the debug build the tests made will do.
    let exporter = crate::civicmetrics(if settings.smoke {
        Profile::Dev
    } else {
        Profile::Release
    })?;
    let python = anchors_python()?;
    // A smoke run writes no results: it needs neither the commit nor the load.
    let start = if settings.smoke {
        None
    } else {
        let start = Provenance::of_work_tree()?;
        if !start.clean() {
            eprintln!(
                "warning: the tree has uncommitted changes; the results will be marked not for \
                 publication and written to {} instead of benchmarks/",
                results_path(&start, &work, settings.compute_only).display()
            );
        }
        let load = report::load_average()?;
        eprintln!(
            "load average (1, 5 and 15 minutes) {:.2}, {:.2}, {:.2} on {} cores",
            load[0],
            load[1],
            load[2],
            std::thread::available_parallelism().map_or(0, usize::from)
        );
        Some((start, load))
    };
    let mut report = Report::new(settings.command.clone(), settings.smoke);

    let mut sizes = Vec::new();
    for &size in &settings.sizes {
        sizes.push(bench_size(settings, &work, &exporter, &python, size)?);
    }
    exporter_rows(&mut report, &sizes);
    let rebuilt = sizes.iter().find_map(|size| size.rebuild.as_ref());
    if let Some(result) = rebuilt {
        rebuild::rows(&mut report, result);
    }
    let many_files = if settings.many_files > 0 {
        let result = bench_many_files(settings, &work, &exporter)?;
        many_files_rows(&mut report, &result);
        Some(result)
    } else {
        None
    };

    let history = if settings.history {
        let result = history::bench_history(settings, &work, &exporter)?;
        history::rows(&mut report, &result);
        Some(result)
    } else {
        None
    };

    let mut computed = Vec::new();
    for &size in &settings.compute_sizes {
        computed.push(compute::bench_compute(
            settings, &work, &exporter, &python, size,
        )?);
    }
    compute::rows(&mut report, &computed);
    let scaling: Vec<_> = computed.iter().map(compute::scaling).collect();
    cluster::rows(&mut report, &scaling);

    if settings.widgets {
        let tools = crate::node_tools()?;
        crate::dist::dist()?;
        let release = sample_release(&work, &exporter)?;
        let json = work.join("widgets.json");
        let mut command = Command::new("node");
        command
            .arg("benchmarks/widgets/bench.mjs")
            .arg("--pkg")
            .arg("pkg")
            .arg("--tools")
            .arg(&tools)
            .arg("--release")
            .arg(&release)
            .arg("--runs")
            .arg(settings.runs.to_string())
            .arg("--json")
            .arg(&json);
        if settings.smoke {
            command.arg("--smoke");
        }
        run(&mut command)?;
        report.widgets(&fs::read_to_string(&json)?)?;
    }

    print!("{}", report.summary());
    if let Some((start, load_start)) = start {
        let machine = report::machine(load_start, report::load_average()?, &python)?;
        let provenance = start.through(Provenance::of_work_tree()?);
        let results = results_path(&provenance, &work, settings.compute_only);
        fs::write(
            &results,
            report.markdown(
                &machine,
                &format!(
                    "{}{}{}{}",
                    if sizes.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "## Exporter by size\n\n{}{}",
                            sizes_table(&sizes),
                            rebuilt.map(rebuild::table).unwrap_or_default()
                        )
                    },
                    many_files
                        .as_ref()
                        .map(many_files_table)
                        .unwrap_or_default(),
                    history
                        .as_ref()
                        .map(|result| format!(
                            "\n## Every value ever published\n{}",
                            history::table(result)
                        ))
                        .unwrap_or_default(),
                    if computed.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "\n## Computed measures\n{}{}",
                            compute::table(&computed),
                            cluster::section(&scaling)
                        )
                    }
                ),
                &provenance,
            ),
        )?;
        if provenance.clean() {
            eprintln!("written to {}", results.display());
        } else {
            eprintln!(
                "not written to benchmarks/: the tree had uncommitted changes \
                 ({} line(s) of git status); written to {}, marked not for publication",
                provenance.changes.len(),
                results.display()
            );
        }
    }
    Ok(())
}

/// Where a run's results go: `benchmarks/RESULTS.md` (`RESULTS-compute.md` for the computed
/// measures alone), published with the repository, only from a clean tree; otherwise the same
/// name in the bench's `work` directory.
fn results_path(provenance: &Provenance, work: &Path, compute_only: bool) -> PathBuf {
    let name = if compute_only {
        "RESULTS-compute.md"
    } else {
        "RESULTS.md"
    };
    if provenance.clean() {
        Path::new("benchmarks").join(name)
    } else {
        work.join(name)
    }
}

fn seconds(samples: &Samples) -> String {
    format!("{:.2} s", samples.median_seconds())
}

/// The growth table: the exporter at every size.
fn sizes_table(sizes: &[SizeResult]) -> String {
    let mut table = String::from(
        "| rows | CSV | Parquet only | peak memory | full build | peak memory | validate | peak memory | DuckDB | peak memory | pyarrow | peak memory |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for size in sizes {
        table.push_str(&format!(
            "| {} | {:.0} MB | {} | {:.0} MiB | {} | {:.0} MiB | {} | {:.0} MiB | {} | {:.0} MiB | {} | {:.0} MiB |\n",
            size.rows,
            size.csv_bytes as f64 / 1e6,
            seconds(&size.ours_parquet),
            size.ours_parquet.peak_mib(),
            seconds(&size.full),
            size.full.peak_mib(),
            seconds(&size.validate),
            size.validate.peak_mib(),
            seconds(&size.duckdb),
            size.duckdb.peak_mib(),
            seconds(&size.pyarrow),
            size.pyarrow.peak_mib(),
        ));
    }
    table
}

/// The many-files measurement as a table below the growth table.
fn many_files_table(result: &ManyFilesResult) -> String {
    let mut table = format!(
        "\n{} rows in {} files ({:.0} MB of CSV), once each:\n\n\
         | | wall | peak memory | open files |\n|---|---:|---:|---:|\n",
        result.rows,
        result.files,
        result.csv_bytes as f64 / 1e6
    );
    for (name, samples) in [
        ("Parquet only", &result.parquet),
        ("validate", &result.validate),
        ("full build", &result.full),
    ] {
        table.push_str(&format!(
            "| {name} | {} | {:.0} MiB | {} |\n",
            seconds(samples),
            samples.peak_mib(),
            samples.open_files()
        ));
    }
    table
}

/// The many-files measurement's targets: memory and open files within their bounds each way.
fn many_files_rows(report: &mut Report, result: &ManyFilesResult) {
    let runs = [&result.parquet, &result.validate, &result.full];
    let name = format!(
        "{} rows in {} files (Parquet only / validate / full)",
        result.rows, result.files
    );
    let peaks = runs.map(Samples::peak_mib);
    report.row(Row::check(
        format!("peak memory, {name}"),
        format!(
            "{:.0} / {:.0} / {:.0} MiB (bound {MEMORY_BOUND_MIB:.0} MiB)",
            peaks[0], peaks[1], peaks[2]
        ),
        peaks.iter().all(|&peak| peak <= MEMORY_BOUND_MIB),
    ));
    let open = runs.map(Samples::open_files);
    report.row(Row::check(
        format!("peak open files, {name}"),
        format!(
            "{} / {} / {} (bound {OPEN_FILES_BOUND})",
            open[0], open[1], open[2]
        ),
        open.iter().all(|&files| files <= OPEN_FILES_BOUND as u64),
    ));
}

/// The exporter's targets, judged at the largest size.
fn exporter_rows(report: &mut Report, sizes: &[SizeResult]) {
    let Some(size) = sizes.iter().max_by_key(|s| s.rows) else {
        return;
    };
    let rows = size.rows;
    let duckdb = size.duckdb.median_seconds();
    report.row(Row::ratio(
        format!("Parquet only vs DuckDB, {rows} rows (wall)"),
        size.ours_parquet.median_seconds(),
        duckdb,
        "s",
        1.0,
    ));
    report.row(Row::ratio(
        format!("Parquet only vs pyarrow, {rows} rows (wall)"),
        size.ours_parquet.median_seconds(),
        size.pyarrow.median_seconds(),
        "s",
        f64::INFINITY,
    ));
    report.row(Row::ratio(
        format!("full build vs DuckDB's Parquet, {rows} rows (wall)"),
        size.full.median_seconds(),
        duckdb,
        "s",
        3.0,
    ));
    report.row(Row::ratio(
        format!("validate vs DuckDB's Parquet, {rows} rows (wall)"),
        size.validate.median_seconds(),
        duckdb,
        "s",
        0.5,
    ));
    report.row(Row::ratio(
        "Parquet file size vs DuckDB's".to_owned(),
        size.ours_file.bytes as f64 / 1e6,
        size.duckdb_file.bytes as f64 / 1e6,
        "MB",
        1.1,
    ));
    report.row(Row::check(
        "Parquet keeps statistics and the page index".to_owned(),
        format!(
            "statistics {}, page index {}, {} rows",
            size.ours_file.statistics, size.ours_file.page_index, size.ours_file.rows
        ),
        size.ours_file.statistics && size.ours_file.page_index && size.ours_file.rows == rows,
    ));
    let peak = sizes
        .iter()
        .flat_map(|s| [&s.ours_parquet, &s.full, &s.validate])
        .map(Samples::peak_mib)
        .fold(0.0, f64::max);
    report.row(Row::check(
        "peak memory at every size (Parquet only, full, validate)".to_owned(),
        format!("{peak:.0} MiB (bound {MEMORY_BOUND_MIB:.0} MiB)"),
        peak <= MEMORY_BOUND_MIB,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_clean_tree_writes_the_published_results() {
        let work = Path::new("/tmp/bench");
        let clean = Provenance {
            commit: "abc".to_owned(),
            changes: Vec::new(),
        };
        assert_eq!(
            results_path(&clean, work, false),
            Path::new("benchmarks/RESULTS.md")
        );
        assert_eq!(
            results_path(&clean, work, true),
            Path::new("benchmarks/RESULTS-compute.md")
        );
        let dirty = Provenance {
            commit: "abc".to_owned(),
            changes: vec![" M README.md".to_owned()],
        };
        assert_eq!(results_path(&dirty, work, false), work.join("RESULTS.md"));
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
