//! The computed measure of `tests/fixtures/valid/computed/` against an independent count: the
//! raw CSV read with the `csv` crate, each time placed on its local day by chrono-tz, business
//! days counted day by day.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone};
use compute::{Engine, Settings};
use dataset::source::automation::{parse_computation, parse_record_table};
use dataset::source::{parse_manifest, parse_measure};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/valid/computed")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(fixture().join(path)).unwrap()
}

/// One computed observation: period, district (`None` citywide), value and record count.
type Row = (String, Option<String>, Option<f64>, Option<u64>);

/// The potholes measure computed at `partitions` partitions.
fn computed(partitions: usize) -> Vec<Row> {
    let (manifest, problems) = parse_manifest("dataset.toml", &read("dataset.toml"));
    assert!(problems.is_empty(), "{problems:?}");
    let manifest = manifest.unwrap();
    let text = read("measures/potholes.toml");
    let (measure, problems) = parse_measure("measures/potholes.toml", "potholes", &text, &manifest);
    assert!(problems.is_empty(), "{problems:?}");
    let measure = measure.unwrap();
    let (computation, problems) = parse_computation("measures/potholes.toml", &text, &measure, 7);
    assert!(problems.is_empty(), "{problems:?}");
    let (table, problems) = parse_record_table(
        "sources/service_requests.toml",
        "service_requests",
        &read("sources/service_requests.toml"),
    );
    assert!(problems.is_empty(), "{problems:?}");
    let settings = Settings {
        source: fixture(),
        time_zone: manifest.time_zone.clone(),
        holidays: manifest.holidays.clone(),
        fiscal_year_start_month: 7,
        published: time::macros::datetime!(2026-01-01 00:00 UTC),
        target_partitions: partitions,
        memory_limit: None,
        cache: None,
        execution: compute::Execution::InProcess,
    };
    let (engine, problems) = Engine::new(settings, &[table.unwrap()]);
    assert!(problems.is_empty(), "{problems:?}");
    let computed = engine
        .unwrap()
        .compute(&measure, &computation.unwrap())
        .unwrap();
    assert_eq!(computed.provenance.tables[0].files[0].0, "raw/requests.csv");
    assert!(
        computed
            .provenance
            .sql
            .contains("business_days(created_at, closed_at) <= 3")
    );
    computed
        .rows
        .into_iter()
        .map(|row| {
            (
                row.period.label(),
                row.breakdown.map(|(_, group)| group),
                row.value,
                row.record_count,
            )
        })
        .collect()
}

/// A time as the records write it: with `Z`, an instant; without, Seattle local time.
fn local_day(text: &str) -> NaiveDate {
    let seattle = chrono_tz::America::Los_Angeles;
    match text.strip_suffix('Z') {
        Some(utc) => {
            let utc = NaiveDateTime::parse_from_str(utc, "%Y-%m-%dT%H:%M:%S").unwrap();
            chrono::Utc
                .from_utc_datetime(&utc)
                .with_timezone(&seattle)
                .date_naive()
        }
        None => NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .date(),
    }
}

#[test]
fn potholes_match_an_independent_count_at_any_partition_count() {
    let holidays: Vec<NaiveDate> = [
        "2025-07-04",
        "2025-09-01",
        "2025-11-11",
        "2025-11-27",
        "2025-11-28",
        "2025-12-25",
    ]
    .iter()
    .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
    .collect();
    let business_days = |a: NaiveDate, b: NaiveDate| {
        a.iter_days()
            .skip(1)
            .take_while(|d| *d <= b)
            .filter(|d| d.weekday().num_days_from_monday() < 5 && !holidays.contains(d))
            .count()
    };
    // (month, district) -> (met, records); district None for citywide.
    let mut expected: BTreeMap<(String, Option<String>), (u64, u64)> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(fixture().join("raw/requests.csv")).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        if &record[1] != "Pothole" || &record[4] == "Duplicate" {
            continue;
        }
        let (created, closed) = (local_day(&record[2]), local_day(&record[3]));
        let month = format!("{}-{:02}", closed.year(), closed.month());
        let met = u64::from(business_days(created, closed) <= 3);
        for district in [None, Some(record[5].to_owned())] {
            let entry = expected.entry((month.clone(), district)).or_default();
            entry.0 += met;
            entry.1 += 1;
        }
    }
    // Published at midnight UTC on 1 January 2026, which is still 31 December in Seattle:
    // December is running, and later closings are in the future.
    expected.retain(|(month, _), _| month.as_str() < "2025-12");
    let rows = computed(1);
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
    for (period, district, value, count) in &rows {
        let (met, records) = expected[&(period.clone(), district.clone())];
        assert_eq!(*count, Some(records), "{period} {district:?}");
        if records < 5 {
            assert_eq!(*value, None, "{period} {district:?} is withheld");
        } else {
            // Published with one decimal place.
            let share = (100.0 * met as f64 / records as f64 * 10.0).round() / 10.0;
            assert_eq!(*value, Some(share), "{period} {district:?}");
        }
    }
    assert_eq!(computed(8), rows, "the same at 8 partitions as at 1");
}
