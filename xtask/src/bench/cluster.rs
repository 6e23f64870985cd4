//! The computed measures on a Ballista cluster of the program's own processes on this machine
//! (`civicmetrics cluster scheduler` and one or two `civicmetrics cluster executor`), against
//! the same computation in-process: the cluster path's overhead, each executor's peak memory,
//! how the work splits into stages and tasks (from the executors' task lines), and a projection
//! to more executors from those measurements.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::Samples;
use super::report::{Report, Row};

/// Running processes of a cluster: stopped when dropped.
pub(super) struct Cluster {
    /// `ballista://HOST:PORT`, for `--engine`.
    pub(super) engine: String,
    scheduler: Child,
    executors: Vec<Child>,
    /// Each executor's log: one line per task.
    logs: Vec<PathBuf>,
}

/// A local TCP port nothing listens on: bound, then released.
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Cluster {
    /// Starts a scheduler and `executors` executors of `program`, each with a slot per core,
    /// their work directories and logs under `dir`.
    pub(super) fn start(program: &Path, dir: &Path, executors: usize) -> Result<Cluster> {
        fs::create_dir_all(dir)?;
        let mut scheduler = Command::new(program)
            .args(["cluster", "scheduler", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the scheduler")?;
        let mut line = String::new();
        BufReader::new(scheduler.stdout.take().context("the scheduler's output")?)
            .read_line(&mut line)?;
        let Some(engine) = line
            .split_whitespace()
            .last()
            .filter(|word| word.starts_with("ballista://"))
        else {
            let _ = scheduler.kill();
            bail!("the scheduler said {line:?}");
        };
        let mut cluster = Cluster {
            engine: engine.to_owned(),
            scheduler,
            executors: Vec::new(),
            logs: Vec::new(),
        };
        for which in 0..executors {
            let port = free_port()?;
            let log = dir.join(format!("executor-{which}.log"));
            let child = Command::new(program)
                .args(["cluster", "executor", "--scheduler", &cluster.engine])
                .args(["--bind", &format!("127.0.0.1:{port}")])
                .args(["--grpc-port", &free_port()?.to_string()])
                .arg("--work-dir")
                .arg(dir.join(format!("executor-{which}")))
                .stdout(fs::File::create(&log)?)
                .stderr(Stdio::null())
                .spawn()
                .context("starting an executor")?;
            cluster.executors.push(child);
            cluster.logs.push(log);
            let started = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if started.elapsed() > Duration::from_secs(60) {
                    bail!("executor {which} did not start serving");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(cluster)
    }

    /// How many executors it has.
    pub(super) fn executors(&self) -> usize {
        self.executors.len()
    }

    /// Each executor's peak resident memory so far, in KiB (Linux's `VmHWM`).
    fn executor_peaks(&self) -> Result<Vec<u64>> {
        self.executors
            .iter()
            .map(|executor| {
                let status = fs::read_to_string(format!("/proc/{}/status", executor.id()))?;
                status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmHWM:"))
                    .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
                    .context("no VmHWM in /proc/PID/status")
            })
            .collect()
    }

    /// Stops the cluster and returns what `runs` runs of the measures on it did.
    pub(super) fn finish(self, samples: Samples, runs: usize) -> Result<ClusterResult> {
        let peaks_kib = self.executor_peaks()?;
        let mut stages: BTreeMap<(String, usize), (usize, u64)> = BTreeMap::new();
        for log in &self.logs {
            for line in fs::read_to_string(log)?.lines() {
                let Some(task) = TaskLine::parse(line) else {
                    continue;
                };
                let entry = stages.entry((task.job, task.stage)).or_default();
                entry.0 += 1;
                entry.1 += task.bytes;
            }
        }
        let jobs: BTreeSet<&String> = stages.keys().map(|(job, _)| job).collect();
        let runs = runs.max(1) as f64;
        Ok(ClusterResult {
            executors: self.executors.len(),
            samples,
            peaks_kib,
            jobs_per_run: jobs.len() as f64 / runs,
            stages_per_run: stages.len() as f64 / runs,
            tasks_per_run: stages.values().map(|(tasks, _)| *tasks).sum::<usize>() as f64 / runs,
            bytes_per_run: stages.values().map(|(_, bytes)| *bytes).sum::<u64>() as f64 / runs,
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.executors.iter_mut().chain([&mut self.scheduler]) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An executor's line for one task:
/// `job J stage S task T: P partition(s), R rows, B bytes written`.
#[derive(Debug, PartialEq)]
struct TaskLine {
    job: String,
    stage: usize,
    bytes: u64,
}

impl TaskLine {
    fn parse(line: &str) -> Option<TaskLine> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [
                "job",
                job,
                "stage",
                stage,
                "task",
                _,
                _,
                "partition(s),",
                _,
                "rows,",
                bytes,
                "bytes",
                "written",
            ] => Some(TaskLine {
                job: (*job).to_owned(),
                stage: stage.parse().ok()?,
                bytes: bytes.parse().ok()?,
            }),
            _ => None,
        }
    }
}

/// The measures computed on one cluster, at one size.
pub(super) struct ClusterResult {
    executors: usize,
    samples: Samples,
    peaks_kib: Vec<u64>,
    jobs_per_run: f64,
    stages_per_run: f64,
    tasks_per_run: f64,
    bytes_per_run: f64,
}

/// One size's figures: the in-process run and DuckDB beside the clusters.
pub(super) struct Scaling<'r> {
    pub(super) rows: u64,
    pub(super) measures: usize,
    pub(super) in_process: &'r Samples,
    pub(super) duckdb: &'r Samples,
    pub(super) clusters: &'r [ClusterResult],
}

/// NYC's scale for the projection: 311 records and measures.
const PROJECTED_ROWS: f64 = 50e6;
const PROJECTED_MEASURES: f64 = 20.0;
const PROJECTED_EXECUTORS: [usize; 3] = [1, 4, 16];

/// The "Scaling past one machine" section: the four ways at each size, how the work split,
/// and the projection.
pub(super) fn section(sizes: &[Scaling<'_>]) -> String {
    let mut text = String::from(
        "\n## Scaling past one machine\n\n\
         The same `civicmetrics compute` on the Parquet file, in-process and with \
         `--engine ballista://…` on a cluster of the program's own processes on this machine \
         (a scheduler and one or two executors, each with a slot per core), alternating with \
         DuckDB. This machine has 2 cores, so a second executor shares them with the first: \
         what it shows is the cluster path's overhead, not speed-up. Each executor's memory is \
         its peak resident set over the runs (Linux `VmHWM`).\n\n\
         | requests | in-process | 1 executor | ratio | 2 executors | ratio | DuckDB | executor peak (1) | executor peaks (2) |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for size in sizes {
        let local = size.in_process.median_seconds();
        let cell = |executors: usize| {
            size.clusters
                .iter()
                .find(|c| c.executors == executors)
                .map(|c| {
                    let seconds = c.samples.median_seconds();
                    (
                        format!("{seconds:.2} s"),
                        format!("{:.2}", seconds / local),
                        c.peaks_kib
                            .iter()
                            .map(|kib| format!("{:.0} MiB", *kib as f64 / 1024.0))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })
                .unwrap_or_default()
        };
        let (one, two) = (cell(1), cell(2));
        text.push_str(&format!(
            "| {} | {local:.2} s | {} | {} | {} | {} | {:.2} s | {} | {} |\n",
            size.rows,
            one.0,
            one.1,
            two.0,
            two.1,
            size.duckdb.median_seconds(),
            one.2,
            two.2
        ));
    }
    text.push_str(
        "\nHow the work split, per run of the measures (from the executors' task lines: each \
         task's output, written for the next stage or for the client, in Arrow IPC):\n\n\
         | requests | executors | jobs | stages | tasks | tasks per stage | bytes written |\n\
         |---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for size in sizes {
        for cluster in size.clusters {
            text.push_str(&format!(
                "| {} | {} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} MB |\n",
                size.rows,
                cluster.executors,
                cluster.jobs_per_run,
                cluster.stages_per_run,
                cluster.tasks_per_run,
                cluster.tasks_per_run / cluster.stages_per_run.max(1.0),
                cluster.bytes_per_run / 1e6,
            ));
        }
    }
    text.push_str(&projection(sizes));
    text
}

/// The projection to NYC's scale, from the one-executor runs: a line through the time at each
/// size (fixed cost + cost per request), scaled to its measures, with the per-request work
/// spread over the executors as long as there are tasks for their slots.
fn projection(sizes: &[Scaling<'_>]) -> String {
    let points: Vec<(f64, f64, f64, f64)> = sizes
        .iter()
        .filter_map(|size| {
            let cluster = size.clusters.iter().find(|c| c.executors == 1)?;
            Some((
                size.rows as f64,
                cluster.samples.median_seconds(),
                size.measures as f64,
                cluster.tasks_per_run / cluster.stages_per_run.max(1.0),
            ))
        })
        .collect();
    let [
        ..,
        (small_rows, small_time, measures, _),
        (rows, time, _, tasks_per_stage),
    ] = points.as_slice()
    else {
        return "\nThe projection needs the one-executor runs at two sizes: run the bench with \
                two `--compute-sizes`.\n"
            .to_owned();
    };
    let per_request = (time - small_time) / (rows - small_rows);
    let fixed = (time - per_request * rows).max(0.0);
    let slots = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    let mut text = format!(
        "\n**Projection, not a measurement.** From the one-executor runs: {fixed:.1} s fixed \
         (planning, scheduling, results) for {measures:.0} measures and {:.3} µs of executor \
         time per request across them, at {slots:.0} slots; {tasks_per_stage:.1} tasks per \
         stage at {rows:.0} requests. Projected for {:.0} million requests and \
         {PROJECTED_MEASURES:.0} measures, assuming executors like this machine, costs \
         proportional to requests and to measures, and the work spread evenly over the \
         executors' slots only as far as each stage has tasks for them (the tasks per stage \
         measured here, which do not grow with more executors):\n\n\
         | executors | projected time |\n|---:|---:|\n",
        per_request * 1e6,
        PROJECTED_ROWS / 1e6
    );
    let scale = PROJECTED_MEASURES / measures;
    // The work runs as many tasks at once as a stage has tasks, up to the slots: what the one
    // executor ran in parallel was already in its time.
    let parallel = |slots_there: f64| slots_there.min(tasks_per_stage.max(1.0));
    for executors in PROJECTED_EXECUTORS {
        let speedup = parallel(slots * executors as f64) / parallel(slots);
        let time = fixed * scale + per_request * PROJECTED_ROWS * scale / speedup;
        text.push_str(&format!("| {executors} | {time:.0} s |\n"));
    }
    text
}

/// The goal, judged at the largest size: the cluster path at most 1.3 × in-process.
pub(super) fn rows(report: &mut Report, sizes: &[Scaling<'_>]) {
    let Some(size) = sizes.iter().max_by_key(|s| s.rows) else {
        return;
    };
    for cluster in size.clusters {
        report.row(Row::ratio(
            format!(
                "computed measures on a cluster of {} executor(s) vs in-process, {} requests as Parquet (wall)",
                cluster.executors, size.rows
            ),
            cluster.samples.median_seconds(),
            size.in_process.median_seconds(),
            "s",
            1.3,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::TaskLine;

    #[test]
    fn an_executors_task_line_is_read_back() {
        assert_eq!(
            TaskLine::parse(
                "job 038JA2 stage 2 task 17: 4 partition(s), 1200 rows, 52344 bytes written"
            ),
            Some(TaskLine {
                job: "038JA2".to_owned(),
                stage: 2,
                bytes: 52344
            })
        );
        assert_eq!(TaskLine::parse("Executor serving on 127.0.0.1:1"), None);
    }
}
