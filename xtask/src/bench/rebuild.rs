//! A rebuild after one measure changed: the benchmark source published into OUT, then one
//! measure's target edited before each of the following builds (its statuses change, the other
//! measures' rows do not), with the build cache warm – the cache of the release in OUT – and
//! cold – no cache, which the build then writes –, alternating.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::report::{Report, Row};
use super::{Samples, Settings, measure, remove, seconds};

/// The goal: a warm rebuild against the same build without the cache.
const RATIO_GOAL: f64 = 0.10;

/// The publication time of the release rebuilt, and the time between builds.
const FIRST_PUBLISHED: u64 = 1_795_564_800;
const HOUR: u64 = 3_600;

/// What the rebuilds measured.
pub(super) struct RebuildResult {
    rows: u64,
    measures: usize,
    warm: Samples,
    cold: Samples,
}

/// The measure edited: the middle one.
fn edited(source: &Path, measures: usize) -> std::path::PathBuf {
    source
        .join("measures")
        .join(format!("measure-{:05}.toml", measures / 2))
}

/// Moves the target of the measure file at `path` by `step` (its first `value = ` line).
fn move_target(path: &Path, step: f64) -> Result<()> {
    let text = fs::read_to_string(path)?;
    let (before, after) = text
        .split_once("\nvalue = ")
        .with_context(|| format!("{} has no target value", path.display()))?;
    let (value, rest) = after.split_once('\n').unwrap_or((after, ""));
    let value: f64 = value.parse().context("the target value is not a number")?;
    fs::write(path, format!("{before}\nvalue = {}\n{rest}", value + step))?;
    Ok(())
}

/// How many measures' rows the build in the log `label` copied, as it reported it.
fn copied(work: &Path, label: &str) -> Result<usize> {
    let log = fs::read_to_string(work.join("logs").join(format!("{label}.log")))?;
    Ok(log
        .lines()
        .find_map(|line| {
            line.strip_prefix("build cache: the table rows of ")?
                .split_once(" of ")?
                .0
                .parse()
                .ok()
        })
        .unwrap_or(0))
}

/// Rebuilds of `source` (`rows` rows of `measures` measures) into `out`, `runs` each way.
pub(super) fn bench_rebuild(
    settings: &Settings,
    work: &Path,
    exporter: &Path,
    source: &Path,
    (rows, measures): (u64, usize),
) -> Result<RebuildResult> {
    let out = work.join("rebuild-out");
    let cache = work.join("rebuild-cache");
    remove(&out)?;
    remove(&cache)?;
    let path = edited(source, measures);
    let exporter_arg = exporter.to_str().context("non-UTF-8 path")?;
    let (source_arg, out_arg, cache_arg) = (
        source.to_str().context("non-UTF-8 path")?,
        out.to_str().context("non-UTF-8 path")?,
        cache.to_str().context("non-UTF-8 path")?,
    );
    let build = |label: &str, build: u64| -> Result<super::Sample> {
        let epoch = format!("SOURCE_DATE_EPOCH={}", FIRST_PUBLISHED + build * HOUR);
        measure(
            work,
            label,
            None,
            Path::new("env"),
            &[
                &epoch,
                exporter_arg,
                "build",
                source_arg,
                "--out",
                out_arg,
                "--cache",
                cache_arg,
            ],
        )
    };
    eprintln!(
        "rebuilds of {rows} rows after one of {measures} measures changed, with the build cache \
         warm and cold, {} runs each",
        settings.runs
    );
    build("rebuild-first", 0)?;
    let (mut warm, mut cold) = (Samples::default(), Samples::default());
    for run in 0..settings.runs {
        // The target moves down then back up: each build changes the one measure.
        move_target(&path, -1.0)?;
        let label = format!("rebuild-warm-{run}");
        warm.0.push(build(&label, 2 * run as u64 + 1)?);
        let reused = copied(work, &label)?;
        if reused + 1 != measures {
            bail!("the warm rebuild copied the rows of {reused} of {measures} measures");
        }
        move_target(&path, 1.0)?;
        remove(&cache)?;
        let label = format!("rebuild-cold-{run}");
        cold.0.push(build(&label, 2 * run as u64 + 2)?);
        if copied(work, &label)? != 0 {
            bail!("the cold rebuild copied rows without a cache");
        }
    }
    remove(&out)?;
    remove(&cache)?;
    Ok(RebuildResult {
        rows,
        measures,
        warm,
        cold,
    })
}

/// The table below the others.
pub(super) fn table(result: &RebuildResult) -> String {
    format!(
        "\nRebuilds of {} rows into the OUT of the previous build, an hour later, after the \
         target of one of {} measures moved (every format and the site; wall, median of {} \
         each, alternating):\n\n\
         | | wall | peak memory |\n|---|---:|---:|\n\
         | build cache warm (the release's) | {} | {:.0} MiB |\n\
         | build cache cold (none) | {} | {:.0} MiB |\n",
        result.rows,
        result.measures,
        result.warm.0.len(),
        seconds(&result.warm),
        result.warm.peak_mib(),
        seconds(&result.cold),
        result.cold.peak_mib(),
    )
}

/// The goal: a warm rebuild takes at most a tenth of the same build without the cache.
pub(super) fn rows(report: &mut Report, result: &RebuildResult) {
    report.row(Row::ratio(
        format!(
            "rebuild after 1 of {} measures changed, cache warm vs cold, {} rows (wall)",
            result.measures, result.rows
        ),
        result.warm.median_seconds(),
        result.cold.median_seconds(),
        "s",
        RATIO_GOAL,
    ));
}

#[cfg(test)]
mod tests {
    use super::move_target;

    #[test]
    fn the_target_moves_and_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.toml");
        let text = "id = \"m\"\n\n[target]\nkind = \"at_least\"\nvalue = 85\nnear = 3\n";
        std::fs::write(&path, text).unwrap();
        move_target(&path, -1.0).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text.replace("value = 85", "value = 84")
        );
        move_target(&path, 1.0).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}
