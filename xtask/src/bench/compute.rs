//! Computed measures against DuckDB: ten measures of the sample's kind computed from millions of
//! generated service requests (the sample's own generator, `cargo xtask records`, at a larger
//! scale), as CSV and as Parquet, by `civicmetrics compute` under `--memory-limit 512MiB` and by
//! DuckDB running the same queries on the same file (`benchmarks/anchors.py compute`),
//! alternating; then a build from the records with an empty results cache, and the same build
//! again with the cache it left.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use super::report::{Report, Row};
use super::{Samples, Settings, measure, remove, seconds, warm};

/// The sample's service requests a day at scale 1, about: the scale of a size follows from it.
const ROWS_AT_SCALE_ONE: usize = 60_000;

/// The memory limit the engine runs under, and the peak memory it may reach.
const MEMORY_LIMIT: &str = "512MiB";
const PEAK_BOUND_MIB: f64 = 1024.0;

/// The local day the measures are published on: the records end on 30 November 2026.
const PUBLISHED: &str = "2026-12-01";
/// `SOURCE_DATE_EPOCH` for that day: 2026-12-01T12:00:00Z.
const PUBLISHED_EPOCH: &str = "1796126400";

/// The sample's holidays (the generator's own), which `business_days` skips, as `YYYY-MM-DD`.
fn holidays() -> Vec<String> {
    crate::records::HOLIDAYS
        .iter()
        .map(|day| format!("{}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100))
        .collect()
}

/// The measures, as `(id, frequency, breakdowns, [compute])`; `benchmarks/anchors.py` holds
/// DuckDB's queries for the same, in the same order.
const MEASURES: [(&str, &str, &str, &str); 10] = [
    (
        "potholes-on-time",
        "monthly",
        "\"council_district\"",
        "period = \"closed_at\"\nwhere = \"request_type = 'Pothole' AND status <> 'Duplicate'\"\n\
         calculation = \"share\"\ncondition = \"business_days(created_at, closed_at) <= 3\"\n\
         breakdowns = { council_district = \"council_district\" }",
    ),
    (
        "requests-by-month",
        "monthly",
        "\"council_district\"",
        "period = \"created_at\"\ncalculation = \"count\"\n\
         breakdowns = { council_district = \"council_district\" }",
    ),
    (
        "hours-to-close",
        "monthly",
        "",
        "period = \"closed_at\"\nwhere = \"status = 'Closed'\"\ncalculation = \"median\"\n\
         value = \"hours_between(created_at, closed_at)\"",
    ),
    (
        "days-to-close-90th",
        "monthly",
        "\"council_district\"",
        "period = \"closed_at\"\nwhere = \"status = 'Closed'\"\ncalculation = \"percentile\"\n\
         percentile = 90\nvalue = \"days_between(created_at, closed_at)\"\n\
         breakdowns = { council_district = \"council_district\" }",
    ),
    (
        "graffiti-days",
        "monthly",
        "",
        "period = \"closed_at\"\nwhere = \"request_type = 'Graffiti' AND status = 'Closed'\"\n\
         calculation = \"average\"\nvalue = \"days_between(created_at, closed_at)\"",
    ),
    (
        "requests-to-date",
        "annual",
        "",
        "period = \"created_at\"\ncalculation = \"count\"\ncumulative = true",
    ),
    (
        "streetlights-on-time",
        "monthly",
        "",
        "period = \"closed_at\"\nwhere = \"request_type = 'Streetlight Out' AND status <> 'Duplicate'\"\n\
         calculation = \"share\"\ncondition = \"business_days(created_at, closed_at) <= 10\"",
    ),
    (
        "dumping-minutes",
        "weekly",
        "",
        "period = \"closed_at\"\nwhere = \"request_type = 'Illegal Dumping' AND status = 'Closed'\"\n\
         calculation = \"percentile\"\npercentile = 50\nmethod = \"nearest_rank\"\n\
         value = \"minutes_between(created_at, closed_at)\"",
    ),
    (
        "open-requests",
        "weekly",
        "",
        "period = \"created_at\"\nwhere = \"status = 'Open'\"\ncalculation = \"count\"",
    ),
    (
        "longest-days",
        "quarterly",
        "\"council_district\"",
        "period = \"closed_at\"\nwhere = \"status = 'Closed'\"\ncalculation = \"max\"\n\
         value = \"days_between(created_at, closed_at)\"\n\
         breakdowns = { council_district = \"council_district\" }",
    ),
];

/// The computed measures at one size.
pub(super) struct ComputeResult {
    rows: u64,
    csv_bytes: u64,
    parquet_bytes: u64,
    ours_csv: Samples,
    duckdb_csv: Samples,
    ours_parquet: Samples,
    duckdb_parquet: Samples,
    cold_build: Samples,
    cached_build: Samples,
    /// The Parquet runs on a cluster of one executor, then of two.
    clusters: Vec<super::cluster::ClusterResult>,
}

/// Writes a source tree at `dir` reading the service requests from `raw/<records>`.
fn write_source(dir: &Path, records: &str) -> Result<()> {
    fs::create_dir_all(dir.join("sources"))?;
    fs::create_dir_all(dir.join("measures"))?;
    let holidays: Vec<String> = holidays().iter().map(|day| format!("\"{day}\"")).collect();
    fs::write(
        dir.join("dataset.toml"),
        format!(
            "id = \"bench\"\ntitle = \"Benchmark\"\ndescription = \"Generated service requests.\"\n\
             publisher = \"civicmetrics\"\ncontact = {{ name = \"Bench\", email = \"bench@example.org\" }}\n\
             homepage = \"https://example.org\"\nlicense = \"https://creativecommons.org/publicdomain/zero/1.0/\"\n\
             keywords = [\"bench\"]\ntime_zone = \"America/Los_Angeles\"\nholidays = [{}]\n\n\
             [[areas]]\nid = \"services\"\ntitle = \"Services\"\ndescription = \"Generated.\"\n",
            holidays.join(", ")
        ),
    )?;
    fs::write(
        dir.join("sources/service_requests.toml"),
        format!(
            "title = \"Service requests\"\ndescription = \"Generated.\"\npath = \"raw/{records}\"\n\n\
             [columns]\nrequest_id = \"text\"\ncreated_at = \"timestamp\"\nclosed_at = \"timestamp\"\n"
        ),
    )?;
    for (id, frequency, breakdowns, compute) in MEASURES {
        fs::write(
            dir.join(format!("measures/{id}.toml")),
            format!(
                "id = \"{id}\"\ntitle = \"{id}\"\ndescription = \"Generated.\"\narea = \"services\"\n\
                 department = \"Bench\"\nunit = \"number\"\nfrequency = \"{frequency}\"\n\
                 direction = \"neutral\"\nmethodology = \"Generated.\"\nsource = \"Generated.\"\n\
                 breakdowns = [{breakdowns}]\ntarget = {{ kind = \"none\" }}\n\n\
                 [compute]\nfrom = \"service_requests\"\n{compute}\n"
            ),
        )?;
    }
    Ok(())
}

/// Ten computed measures from about `size` service requests, ours against DuckDB.
pub(super) fn bench_compute(
    settings: &Settings,
    work: &Path,
    exporter: &Path,
    python: &Path,
    size: usize,
) -> Result<ComputeResult> {
    let scale = u32::try_from((size / ROWS_AT_SCALE_ONE).max(1))?;
    let root = work.join(format!("compute-{size}"));
    remove(&root)?;
    let (csv_source, parquet_source) = (root.join("csv"), root.join("parquet"));
    write_source(&csv_source, "service-requests.csv")?;
    write_source(&parquet_source, "service-requests.parquet")?;
    let csv = csv_source.join("raw/service-requests.csv");
    let parquet = parquet_source.join("raw/service-requests.parquet");
    fs::create_dir_all(csv.parent().context("a raw directory")?)?;
    fs::create_dir_all(parquet.parent().context("a raw directory")?)?;
    eprintln!(
        "generating the service requests at scale {scale} into {}",
        csv.display()
    );
    let rows = crate::records::service_requests(&csv, scale)?;
    let (csv_arg, parquet_arg) = (
        csv.to_str().context("non-UTF-8 path")?,
        parquet.to_str().context("non-UTF-8 path")?,
    );
    crate::run(std::process::Command::new(python).args([
        "benchmarks/anchors.py",
        "records-parquet",
        csv_arg,
        parquet_arg,
    ]))?;
    let (csv_bytes, parquet_bytes) = (fs::metadata(&csv)?.len(), fs::metadata(&parquet)?.len());
    warm(&csv)?;
    warm(&parquet)?;

    let mut anchor = vec!["benchmarks/anchors.py", "compute", "", PUBLISHED];
    let holidays = holidays();
    anchor.extend(holidays.iter().map(String::as_str));
    let run_ours = |label: &str, source: &Path| -> Result<super::Sample> {
        let source = source.to_str().context("non-UTF-8 path")?;
        measure_with_epoch(
            work,
            label,
            exporter,
            &[
                "compute",
                source,
                "--format",
                "csv",
                "--memory-limit",
                MEMORY_LIMIT,
            ],
        )
    };
    let mut result = ComputeResult {
        rows,
        csv_bytes,
        parquet_bytes,
        ours_csv: Samples::default(),
        duckdb_csv: Samples::default(),
        ours_parquet: Samples::default(),
        duckdb_parquet: Samples::default(),
        cold_build: Samples::default(),
        cached_build: Samples::default(),
        clusters: Vec::new(),
    };
    // Both clusters run throughout, so that their runs alternate with the others.
    let clusters = [1, 2].map(|executors| {
        super::cluster::Cluster::start(
            exporter,
            &root.join(format!("cluster-{executors}")),
            executors,
        )
    });
    let clusters: Vec<super::cluster::Cluster> = clusters.into_iter().collect::<Result<_>>()?;
    let mut on_clusters = vec![Samples::default(); clusters.len()];
    let parquet_source_arg = parquet_source.to_str().context("non-UTF-8 path")?;
    eprintln!(
        "{} computed measures from {rows} service requests ({csv_bytes} bytes of CSV, \
         {parquet_bytes} of Parquet), {} runs each",
        MEASURES.len(),
        settings.long_runs()
    );
    for run in 0..settings.long_runs() {
        // Ours, then DuckDB, on each file in turn.
        for (format, source, records, ours, duckdb) in [
            (
                "csv",
                &csv_source,
                csv_arg,
                &mut result.ours_csv,
                &mut result.duckdb_csv,
            ),
            (
                "parquet",
                &parquet_source,
                parquet_arg,
                &mut result.ours_parquet,
                &mut result.duckdb_parquet,
            ),
        ] {
            ours.0.push(run_ours(
                &format!("compute-{size}-ours-{format}-{run}"),
                source,
            )?);
            anchor[2] = records;
            duckdb.0.push(measure(
                work,
                &format!("compute-{size}-duckdb-{format}-{run}"),
                None,
                python,
                &anchor,
            )?);
        }
        for (cluster, samples) in clusters.iter().zip(&mut on_clusters) {
            samples.0.push(measure_with_epoch(
                work,
                &format!("compute-{size}-cluster-{}-{run}", samples_label(cluster)),
                exporter,
                &[
                    "compute",
                    parquet_source_arg,
                    "--format",
                    "csv",
                    "--memory-limit",
                    MEMORY_LIMIT,
                    "--engine",
                    &cluster.engine,
                ],
            )?);
        }
    }
    for (cluster, samples) in clusters.into_iter().zip(on_clusters) {
        result
            .clusters
            .push(cluster.finish(samples, settings.long_runs())?);
    }
    // A build with an empty results cache, then the same build with the cache it left.
    let (out, cache) = (root.join("out"), root.join("cache"));
    let source_arg = csv_source.to_str().context("non-UTF-8 path")?;
    let (out_arg, cache_arg) = (
        out.to_str().context("non-UTF-8 path")?,
        cache.to_str().context("non-UTF-8 path")?,
    );
    let build = [
        "build",
        source_arg,
        "--out",
        out_arg,
        "--cache",
        cache_arg,
        "--memory-limit",
        MEMORY_LIMIT,
    ];
    for run in 0..settings.long_runs() {
        remove(&out)?;
        remove(&cache)?;
        result.cold_build.0.push(measure_with_epoch(
            work,
            &format!("compute-{size}-build-cold-{run}"),
            exporter,
            &build,
        )?);
        result.cached_build.0.push(measure_with_epoch(
            work,
            &format!("compute-{size}-build-cached-{run}"),
            exporter,
            &build,
        )?);
    }
    remove(&root)?;
    Ok(result)
}

/// A cluster's part of a run's label: its executors.
fn samples_label(cluster: &super::cluster::Cluster) -> String {
    format!("{}-executors", cluster.executors())
}

/// One size's figures for "Scaling past one machine".
pub(super) fn scaling(result: &ComputeResult) -> super::cluster::Scaling<'_> {
    super::cluster::Scaling {
        rows: result.rows,
        measures: MEASURES.len(),
        in_process: &result.ours_parquet,
        duckdb: &result.duckdb_parquet,
        clusters: &result.clusters,
    }
}

/// [`measure`] of the program at the benchmark's publication time.
fn measure_with_epoch(
    work: &Path,
    label: &str,
    exporter: &Path,
    args: &[&str],
) -> Result<super::Sample> {
    // `env` sets the time in the measured program's environment alone, and then becomes it.
    let env = Path::new("/usr/bin/env");
    let mut full = vec![format!("SOURCE_DATE_EPOCH={PUBLISHED_EPOCH}")];
    full.push(exporter.to_string_lossy().into_owned());
    full.extend(args.iter().map(|a| (*a).to_owned()));
    let full: Vec<&str> = full.iter().map(String::as_str).collect();
    measure(work, label, None, env, &full)
}

/// The table of every size.
pub(super) fn table(results: &[ComputeResult]) -> String {
    let mut table = format!(
        "\n{} computed measures from the service requests (`civicmetrics compute` under \
         `--memory-limit {MEMORY_LIMIT}`; DuckDB running the same queries on the same file):\n\n\
         | requests | CSV | ours, CSV | peak | DuckDB, CSV | peak | Parquet | ours, Parquet | peak | DuckDB, Parquet | peak | build, cold | build, cached |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        MEASURES.len()
    );
    for result in results {
        table.push_str(&format!(
            "| {} | {:.0} MB | {} | {:.0} MiB | {} | {:.0} MiB | {:.0} MB | {} | {:.0} MiB | {} | {:.0} MiB | {} | {} |\n",
            result.rows,
            result.csv_bytes as f64 / 1e6,
            seconds(&result.ours_csv),
            result.ours_csv.peak_mib(),
            seconds(&result.duckdb_csv),
            result.duckdb_csv.peak_mib(),
            result.parquet_bytes as f64 / 1e6,
            seconds(&result.ours_parquet),
            result.ours_parquet.peak_mib(),
            seconds(&result.duckdb_parquet),
            result.duckdb_parquet.peak_mib(),
            seconds(&result.cold_build),
            seconds(&result.cached_build),
        ));
    }
    table
}

/// The goals, judged at the largest size: no slower than DuckDB, within the memory bound, and a
/// cached rebuild at most 5 % of a cold one.
pub(super) fn rows(report: &mut Report, results: &[ComputeResult]) {
    let Some(result) = results.iter().max_by_key(|r| r.rows) else {
        return;
    };
    let rows = result.rows;
    for (format, ours, duckdb) in [
        ("CSV", &result.ours_csv, &result.duckdb_csv),
        ("Parquet", &result.ours_parquet, &result.duckdb_parquet),
    ] {
        report.row(Row::ratio(
            format!("computed measures vs DuckDB, {rows} requests as {format} (wall)"),
            ours.median_seconds(),
            duckdb.median_seconds(),
            "s",
            1.0,
        ));
    }
    let peak = [&result.ours_csv, &result.ours_parquet, &result.cold_build]
        .map(Samples::peak_mib)
        .into_iter()
        .fold(0.0, f64::max);
    report.row(Row::check(
        format!("peak memory computing from {rows} requests under --memory-limit {MEMORY_LIMIT}"),
        format!("{peak:.0} MiB (bound {PEAK_BOUND_MIB:.0} MiB)"),
        peak <= PEAK_BOUND_MIB,
    ));
    report.row(Row::ratio(
        format!("cached rebuild vs cold build, {rows} requests (wall)"),
        result.cached_build.median_seconds(),
        result.cold_build.median_seconds(),
        "s",
        0.05,
    ));
}

#[cfg(test)]
mod tests {
    #[test]
    fn holidays_are_the_generators_as_iso_dates() {
        let holidays = super::holidays();
        assert_eq!(holidays.len(), crate::records::HOLIDAYS.len());
        assert_eq!(holidays[0], "2025-01-01");
        assert_eq!(holidays.last().map(String::as_str), Some("2026-11-27"));
    }
}
