//! The benchmarks' synthetic source: `measures` daily measures over `days` days, every tenth with
//! a district breakdown, the observations in one CSV or split by date across several, as a city
//! adding a file a year would have them. The same arguments give the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The first day of every series.
const FIRST_DAY: (i32, u32, u32) = (2012, 1, 1);

/// The districts of the measures with a breakdown.
const DISTRICTS: [&str; 4] = ["District 1", "District 2", "District 3", "District 4"];

/// The seed of the values' generator (`fastrand`'s wyrand, locked in Cargo.lock): the same seed
/// gives the same source.
const SEED: u64 = 0x00c1_71c0_ffee;

/// One measure's shape: what it counts and the values it takes.
struct Kind {
    unit: &'static str,
    direction: &'static str,
    target: &'static str,
    base: f64,
    spread: f64,
}

const KINDS: [Kind; 4] = [
    Kind {
        unit: "percent",
        direction: "higher_is_better",
        target: "kind = \"at_least\"\nvalue = 85",
        base: 86.0,
        spread: 8.0,
    },
    Kind {
        unit: "minutes",
        direction: "lower_is_better",
        target: "kind = \"at_most\"\nvalue = 7.5",
        base: 7.0,
        spread: 2.0,
    },
    Kind {
        unit: "count",
        direction: "higher_is_better",
        target: "kind = \"at_least\"\nvalue = 400",
        base: 420.0,
        spread: 120.0,
    },
    Kind {
        unit: "ratio",
        direction: "neutral",
        target: "kind = \"range\"\nmin = 0.9\nmax = 1.1",
        base: 1.0,
        spread: 0.2,
    },
];

/// Whether measure `index` has a district breakdown.
fn has_breakdown(index: usize) -> bool {
    index.is_multiple_of(10)
}

/// The id of measure `index`.
fn measure_id(index: usize) -> String {
    format!("measure-{index:05}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01 as `YYYY-MM-DD`.
pub(crate) fn civil_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn dataset_toml() -> &'static str {
    r#"id = "benchmark-city"
title = "Benchmark city"
description = "A synthetic source for measuring civicmetrics: daily operational measures."
publisher = "civicmetrics benchmarks"
contact = { name = "Benchmarks", email = "benchmarks@example.org" }
homepage = "https://example.org/benchmark-city"
license = "https://creativecommons.org/publicdomain/zero/1.0/"
languages = ["en", "es"]
keywords = ["benchmark"]

[[areas]]
id = "operations"
title = "Operations"
description = "Daily operational measures."

[[areas]]
id = "services"
title = "Services"
description = "Daily service measures."
"#
}

fn measure_toml(index: usize) -> String {
    let kind = &KINDS[index % KINDS.len()];
    let id = measure_id(index);
    let area = if index.is_multiple_of(2) {
        "operations"
    } else {
        "services"
    };
    let breakdowns = if has_breakdown(index) {
        "breakdowns = [\"district\"]\n"
    } else {
        ""
    };
    format!(
        "id = \"{id}\"\ntitle = \"Synthetic measure {index}\"\ndescription = \"A synthetic daily \
         measure.\"\narea = \"{area}\"\ndepartment = \"Department {dept}\"\nunit = \"{unit}\"\n\
         decimals = 1\nfrequency = \"daily\"\ndirection = \"{direction}\"\nmethodology = \"Generated.\"\n\
         source = \"Generator\"\n{breakdowns}\n[target]\n{target}\n",
        dept = index % 12 + 1,
        unit = kind.unit,
        direction = kind.direction,
        target = kind.target,
    )
}

/// Writes measure `index`'s rows: `days` rows of citywide values, or, with a breakdown, the last
/// `days / 5` days with a citywide row and one row per district each (the same row count). The
/// days are shared out in order among the files of `out`, an equal span each.
fn write_rows(
    index: usize,
    days: usize,
    random: &mut fastrand::Rng,
    out: &mut [impl Write],
) -> std::io::Result<u64> {
    let kind = &KINDS[index % KINDS.len()];
    let id = measure_id(index);
    let first = days_from_civil(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2);
    let (skip, groups): (usize, &[&str]) = if has_breakdown(index) {
        (days - days / (DISTRICTS.len() + 1), &DISTRICTS)
    } else {
        (0, &[])
    };
    let mut line = String::with_capacity(64);
    let mut rows = 0;
    for day in skip..days {
        let date = civil_from_days(first + day as i64);
        for group in std::iter::once("").chain(groups.iter().copied()) {
            line.clear();
            let value = kind.base + kind.spread * (random.f64() - 0.5);
            // About one day in a thousand has no value, with a note saying why.
            if random.u32(..1000) == 0 {
                let _ = writeln!(line, "{id},{date},,,System outage,{group}");
            } else {
                let _ = writeln!(line, "{id},{date},{value:.1},,,{group}");
            }
            out[day * out.len() / days].write_all(line.as_bytes())?;
            rows += 1;
        }
    }
    Ok(rows)
}

/// The observation files of a source of `files` files: `observations/observations.csv` alone, or
/// `observations/observations-01.csv` and on.
pub(crate) fn observation_files(dir: &Path, files: usize) -> Vec<PathBuf> {
    let observations = dir.join("observations");
    if files == 1 {
        return vec![observations.join("observations.csv")];
    }
    (1..=files)
        .map(|file| observations.join(format!("observations-{file:02}.csv")))
        .collect()
}

/// Writes the source tree into `dir` (replacing it), the observations in `files` files
/// ([`observation_files`]), and returns the number of observation rows.
pub(crate) fn generate(dir: &Path, measures: usize, days: usize, files: usize) -> Result<u64> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    fs::create_dir_all(dir.join("measures"))?;
    fs::create_dir_all(dir.join("observations"))?;
    fs::write(dir.join("dataset.toml"), dataset_toml())?;
    for index in 0..measures {
        fs::write(
            dir.join("measures")
                .join(format!("{}.toml", measure_id(index))),
            measure_toml(index),
        )?;
    }
    let mut random = fastrand::Rng::with_seed(SEED);
    let mut out = Vec::with_capacity(files);
    for path in observation_files(dir, files.max(1)) {
        let mut file = BufWriter::with_capacity(
            1 << 20,
            fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?,
        );
        file.write_all(b"measure,period,value,target,note,district\n")?;
        out.push(file);
    }
    let mut rows = 0;
    for index in 0..measures {
        rows += write_rows(index, days, &mut random, &mut out)?;
    }
    for mut file in out {
        file.flush()?;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2012, 1, 1)), "2012-01-01");
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), "2024-02-29");
        assert_eq!(
            civil_from_days(days_from_civil(2012, 1, 1) + 5000),
            "2025-09-09"
        );
    }

    #[test]
    fn the_same_arguments_give_the_same_bytes_and_row_count() {
        let a = tempfile_dir("a");
        let b = tempfile_dir("b");
        assert_eq!(generate(&a, 12, 10, 1).unwrap(), 120);
        assert_eq!(generate(&b, 12, 10, 1).unwrap(), 120);
        let read = |dir: &Path| fs::read(dir.join("observations/observations.csv")).unwrap();
        assert_eq!(read(&a), read(&b));
        fs::remove_dir_all(a).unwrap();
        fs::remove_dir_all(b).unwrap();
    }

    /// The values come from fastrand's seeded generator: a release of it that changed its
    /// sequence would change every benchmark's input, which this catches.
    #[test]
    fn the_seeded_values_are_these() {
        let dir = tempfile_dir("pinned");
        assert_eq!(generate(&dir, 2, 5, 1).unwrap(), 10);
        let csv = fs::read_to_string(dir.join("observations/observations.csv")).unwrap();
        fs::remove_dir_all(dir).unwrap();
        assert_eq!(
            csv,
            "measure,period,value,target,note,district\n\
             measure-00000,2012-01-05,85.6,,,\n\
             measure-00000,2012-01-05,88.3,,,District 1\n\
             measure-00000,2012-01-05,87.3,,,District 2\n\
             measure-00000,2012-01-05,84.8,,,District 3\n\
             measure-00000,2012-01-05,82.6,,,District 4\n\
             measure-00001,2012-01-01,7.0,,,\n\
             measure-00001,2012-01-02,7.0,,,\n\
             measure-00001,2012-01-03,7.9,,,\n\
             measure-00001,2012-01-04,7.9,,,\n\
             measure-00001,2012-01-05,6.8,,,\n"
        );
    }

    #[test]
    fn split_files_hold_the_rows_of_one_file_each_a_span_of_days() {
        let whole = tempfile_dir("whole");
        let split = tempfile_dir("split");
        assert_eq!(generate(&whole, 12, 10, 1).unwrap(), 120);
        assert_eq!(generate(&split, 12, 10, 3).unwrap(), 120);
        let one = fs::read_to_string(whole.join("observations/observations.csv")).unwrap();
        let mut rows: Vec<&str> = Vec::new();
        let texts: Vec<String> = observation_files(&split, 3)
            .iter()
            .map(|path| fs::read_to_string(path).unwrap())
            .collect();
        let mut last_days = Vec::new();
        for text in &texts {
            let mut lines = text.lines();
            assert_eq!(lines.next(), one.lines().next(), "each file has the header");
            let body: Vec<&str> = lines.collect();
            let days: Vec<&str> = body.iter().map(|line| &line[14..24]).collect();
            assert!(!body.is_empty());
            last_days.push(days.iter().max().copied().unwrap().to_owned());
            if let Some(previous) = last_days.iter().rev().nth(1) {
                assert!(
                    days.iter().all(|day| day > &previous.as_str()),
                    "spans in order"
                );
            }
            rows.extend(body);
        }
        // Taken back measure by measure, the files' rows are the one file's.
        rows.sort_by(|a, b| a[..13].cmp(&b[..13]));
        assert_eq!(rows, one.lines().skip(1).collect::<Vec<_>>());
        fs::remove_dir_all(whole).unwrap();
        fs::remove_dir_all(split).unwrap();
    }

    fn tempfile_dir(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "civicmetrics-generate-{}-{name}",
            std::process::id()
        ))
    }
}
