//! The history of published values over successive builds: the benchmark source published
//! again and again into one OUT, a day apart, with a share of its values restated before each
//! build, as a city correcting its data would. It measures the time each build spends on the
//! history (which the program reports) against the build's wall time, the size the history
//! grows to, and `civicmetrics asof` rebuilding a release from it.

use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::report::{Report, Row};
use super::{MEASURES, Samples, Settings, generate, measure, median, remove, seconds};

/// Rows of the source.
const ROWS: usize = 1_000_000;

/// Builds published one after another.
const BUILDS: usize = 100;

/// The share of values restated before each build.
const RESTATED: f64 = 0.01;

/// The goal: the history's share of a build's time.
const SHARE_GOAL: f64 = 0.10;

/// The first publication time, and the time between builds.
const FIRST_PUBLISHED: u64 = 1_795_564_800;
const DAY: u64 = 86_400;

/// The seed of the restatements.
const SEED: u64 = 0x00c1_7415_7021;

/// What the successive builds measured.
pub(super) struct HistoryResult {
    rows: u64,
    builds: usize,
    /// Each build's wall time and the time it reported spending on the history, in seconds.
    build_seconds: Vec<f64>,
    history_seconds: Vec<f64>,
    /// Versions in the history after the last build.
    versions: u64,
    revisions_bytes: u64,
    observations_bytes: u64,
    asof_first: Samples,
    asof_latest: Samples,
    /// `asof --out` publishing the first release again, whole (one build replayed).
    republish_first: Samples,
}

/// Restates `share` of the values of the observation file at `path`, drawn with `random`; returns
/// how many.
fn restate(path: &Path, share: f64, random: &mut fastrand::Rng) -> Result<u64> {
    let restated_path = path.with_extension("csv.next");
    let mut reader = BufReader::with_capacity(1 << 20, fs::File::open(path)?);
    let mut writer = BufWriter::with_capacity(1 << 20, fs::File::create(&restated_path)?);
    let mut line = String::new();
    let mut restated = 0;
    let mut header = true;
    while reader.read_line(&mut line)? > 0 {
        let mut cells = line.splitn(4, ',');
        let (measure, period, value, rest) =
            (cells.next(), cells.next(), cells.next(), cells.next());
        match (header, measure, period, value.map(str::parse::<f64>), rest) {
            (false, Some(measure), Some(period), Some(Ok(value)), Some(rest))
                if random.f64() < share =>
            {
                write!(writer, "{measure},{period},{:.1},{rest}", value + 0.5)?;
                restated += 1;
            }
            _ => writer.write_all(line.as_bytes())?,
        }
        header = false;
        line.clear();
    }
    writer.flush()?;
    drop(writer);
    fs::rename(&restated_path, path)?;
    Ok(restated)
}

/// The time the program reported spending on the history, from its summary line
/// ("history of published values: … (0.123 s on it)").
fn history_seconds(log: &str) -> Result<(u64, f64)> {
    let line = log
        .lines()
        .find_map(|line| line.strip_prefix("history of published values: "))
        .context("the build reported no history")?;
    let versions = line
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .context("no version count")?;
    let seconds = line
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(" s on it)"))
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no time in {line:?}"))?;
    Ok((versions, seconds))
}

pub(super) fn bench_history(
    settings: &Settings,
    work: &Path,
    exporter: &Path,
) -> Result<HistoryResult> {
    let (measures, rows, builds) = if settings.smoke {
        (20, 2_000, 3)
    } else {
        (MEASURES, ROWS, BUILDS)
    };
    let source = work.join("history-source");
    let rows = generate::generate(&source, measures, rows / measures, 1)?;
    let csv = source.join("observations/observations.csv");
    let out = work.join("history-out");
    remove(&out)?;
    let exporter_arg = exporter.to_str().context("non-UTF-8 path")?;
    let (source_arg, out_arg) = (
        source.to_str().context("non-UTF-8 path")?,
        out.to_str().context("non-UTF-8 path")?,
    );
    eprintln!(
        "{builds} builds of {rows} rows into one OUT, {:.0}% of the values restated before each",
        RESTATED * 100.0
    );
    let mut random = fastrand::Rng::with_seed(SEED);
    let (mut build_seconds, mut history) = (Vec::new(), Vec::new());
    let mut versions = 0;
    let time = |build: usize| FIRST_PUBLISHED + build as u64 * DAY;
    for build in 0..builds {
        if build > 0 {
            restate(&csv, RESTATED, &mut random)?;
        }
        let label = format!("history-build-{build}");
        let epoch = format!("SOURCE_DATE_EPOCH={}", time(build));
        let sample = measure(
            work,
            &label,
            None,
            Path::new("env"),
            &[
                &epoch,
                exporter_arg,
                "build",
                source_arg,
                "--out",
                out_arg,
                "--formats",
                "parquet,csv,json",
            ],
        )?;
        let log = fs::read_to_string(work.join("logs").join(format!("{label}.log")))?;
        let (count, seconds) = history_seconds(&log)?;
        versions = count;
        build_seconds.push(sample.wall.as_secs_f64());
        history.push(seconds);
    }
    let data = out.join("data");
    let revisions_bytes = fs::metadata(data.join("revisions.parquet"))?.len();
    let observations_bytes = fs::metadata(data.join("observations.parquet"))?.len();
    let (mut asof_first, mut asof_latest) = (Samples::default(), Samples::default());
    let mut republish_first = Samples::default();
    let vintage = work.join("history-asof");
    let vintage_arg = vintage.to_str().context("non-UTF-8 path")?;
    // Every publication is at midnight UTC.
    let at = |build: usize| {
        format!(
            "{}T00:00:00Z",
            generate::civil_from_days((time(build) / DAY) as i64)
        )
    };
    for run in 0..settings.runs {
        // The observations table, printed as CSV (into the log).
        for (samples, build, name) in [
            (&mut asof_first, 0, "first"),
            (&mut asof_latest, builds - 1, "latest"),
        ] {
            samples.0.push(measure(
                work,
                &format!("history-asof-{name}-{run}"),
                None,
                exporter,
                &["asof", out_arg, &at(build)],
            )?);
        }
        remove(&vintage)?;
        republish_first.0.push(measure(
            work,
            &format!("history-republish-first-{run}"),
            None,
            exporter,
            &["asof", out_arg, &at(0), "--out", vintage_arg],
        )?);
    }
    remove(&vintage)?;
    remove(&out)?;
    fs::remove_dir_all(&source)?;
    if build_seconds.len() != builds {
        bail!("{} builds measured of {builds}", build_seconds.len());
    }
    Ok(HistoryResult {
        rows,
        builds,
        build_seconds,
        history_seconds: history,
        versions,
        revisions_bytes,
        observations_bytes,
        asof_first,
        asof_latest,
        republish_first,
    })
}

/// Each build's share of its time spent on the history.
fn shares(result: &HistoryResult) -> Vec<f64> {
    result
        .history_seconds
        .iter()
        .zip(&result.build_seconds)
        .map(|(history, build)| history / build)
        .collect()
}

/// The table below the others.
pub(super) fn table(result: &HistoryResult) -> String {
    let mut builds = result.build_seconds.clone();
    let mut history = result.history_seconds.clone();
    let each = shares(result);
    let mut sorted = each.clone();
    let first = |values: &[f64]| values.first().copied().unwrap_or(f64::NAN);
    let last = |values: &[f64]| values.last().copied().unwrap_or(f64::NAN);
    format!(
        "\n{} builds of {} rows into one OUT, a day apart, {:.0}% of the values restated before \
         each (`--formats parquet,csv,json`):\n\n\
         | | median | first build | last build |\n|---|---:|---:|---:|\n\
         | build (wall) | {:.2} s | {:.2} s | {:.2} s |\n\
         | on the history (reported by the build) | {:.3} s | {:.3} s | {:.3} s |\n\
         | history's share of the build | {:.1}% | {:.1}% | {:.1}% |\n\n\
         After the last build the history holds {} versions: `revisions.parquet` is {:.1} MB \
         ({:.2}× the release's `observations.parquet`, {:.1} MB). `asof` printing the first \
         release's observations from it: {}; the latest's: {}. `asof --out` publishing the first \
         release again, whole: {}.\n",
        result.builds,
        result.rows,
        RESTATED * 100.0,
        median(&mut builds),
        first(&result.build_seconds),
        last(&result.build_seconds),
        median(&mut history),
        first(&result.history_seconds),
        last(&result.history_seconds),
        median(&mut sorted) * 100.0,
        first(&each) * 100.0,
        last(&each) * 100.0,
        result.versions,
        result.revisions_bytes as f64 / 1e6,
        result.revisions_bytes as f64 / result.observations_bytes as f64,
        result.observations_bytes as f64 / 1e6,
        seconds(&result.asof_first),
        seconds(&result.asof_latest),
        seconds(&result.republish_first),
    )
}

/// The goal: the history takes at most a tenth of a build (median over the builds).
pub(super) fn rows(report: &mut Report, result: &HistoryResult) {
    let mut builds = result.build_seconds.clone();
    let mut history = result.history_seconds.clone();
    report.row(Row::ratio(
        format!(
            "time on the history vs the build, {} rows, {} builds with {:.0}% restated (median)",
            result.rows,
            result.builds,
            RESTATED * 100.0
        ),
        median(&mut history),
        median(&mut builds),
        "s",
        SHARE_GOAL,
    ));
}

#[cfg(test)]
mod tests {
    use super::history_seconds;

    #[test]
    fn the_history_line_reads_back() {
        let log = "published 1 measures, 2 observations, 0 warning(s): 3 files\n\
                   history of published values: 1040 version(s), 40 published now, 10 restated \
                   or removed now (0.125 s on it)\n";
        assert_eq!(history_seconds(log).unwrap(), (1040, 0.125));
        assert!(history_seconds("published 1 measures").is_err());
    }
}
