//! The hot paths of reading a source: period labels, observation rows, and a measure's series
//! checked and judged. `cargo bench -p civicmetrics-dataset`; `cargo test --benches` runs each
//! once.

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dataset::source::{
    Catalog, ObservationReader, SourceRow, check_series, judge_series, parse_manifest,
    parse_measure,
};
use dataset::{CalendarDate, Diagnostic, Frequency, Period};

const MANIFEST: &str = r#"
id = "city"
title = "City performance"
description = "Benchmarks."
publisher = "City"
contact = { name = "Team", email = "team@example.org" }
homepage = "https://example.org"
license = "https://creativecommons.org/publicdomain/zero/1.0/"
keywords = ["performance"]

[[areas]]
id = "services"
title = "Services"
description = "Services."
"#;

const MEASURE: &str = r#"
id = "response-time"
title = "Response time"
description = "Minutes."
area = "services"
department = "Fire"
unit = "minutes"
frequency = "daily"
direction = "lower_is_better"
methodology = "Dispatch to arrival."
source = "CAD"
breakdowns = ["district"]

[target]
kind = "at_most"
value = 7.5
"#;

/// Days in the benchmark series: about eleven years.
const DAYS: i32 = 4_000;

fn catalog() -> Catalog {
    let (manifest, problems) = parse_manifest("dataset.toml", MANIFEST);
    assert!(problems.is_empty(), "{problems:?}");
    let manifest = manifest.expect("the manifest parses");
    let (measure, problems) = parse_measure(
        "measures/response-time.toml",
        "response-time",
        MEASURE,
        &manifest,
    );
    assert!(problems.is_empty(), "{problems:?}");
    let measure = measure.expect("the measure parses");
    let (catalog, problems) = Catalog::new(
        manifest,
        vec![("measures/response-time.toml".to_owned(), measure)],
        [],
    );
    assert!(problems.is_empty(), "{problems:?}");
    catalog
}

fn labels() -> Vec<String> {
    let first = CalendarDate::parse("2015-01-01").expect("a date");
    (0..DAYS)
        .map(|day| {
            CalendarDate::from_days_since_epoch(first.days_since_epoch() + day)
                .expect("in range")
                .to_string()
        })
        .collect()
}

fn csv(labels: &[String]) -> String {
    let mut csv = String::from("measure,period,value,target,note,district\n");
    for (i, label) in labels.iter().enumerate() {
        csv.push_str(&format!(
            "response-time,{label},{:.1},,,\n",
            6.0 + (i % 30) as f64 / 10.0
        ));
        if i % 4 == 0 {
            csv.push_str(&format!("response-time,{label},7.1,,,District {}\n", i % 7));
        }
    }
    csv
}

/// The same rows with a note on each: quoted with a comma and doubled quotes, unquoted with a
/// bare quote, or quoted over two lines; CRLF line ends.
fn noted(csv: &str) -> String {
    let notes = [
        "\"Crews short, \"\"storm\"\" week\"",
        "Replaced 12\" main",
        "\"Two lines:\r\nsecond\"",
        "",
    ];
    csv.lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{line}\r\n"),
            _ => {
                let (before, district) = line.rsplit_once(',').expect("a district column");
                let before = before.strip_suffix(',').expect("an empty note");
                format!("{before},{},{district}\r\n", notes[i % notes.len()])
            }
        })
        .collect()
}

/// The same rows, each with a value that is not a number.
fn bad(csv: &str) -> String {
    csv.lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{line}\n"),
            _ => format!("{}\n", line.replacen(",,", "%,,", 1)),
        })
        .collect()
}

fn read(catalog: &Catalog, csv: &str) -> (Vec<SourceRow>, Vec<Diagnostic>) {
    let today = CalendarDate::parse("2030-01-01").expect("a date");
    let mut reader = ObservationReader::new("observations.csv", 0, csv.as_bytes(), catalog, today)
        .expect("the header is valid");
    let mut diagnostics = Vec::new();
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row(&mut diagnostics) {
        rows.push(row);
    }
    (rows, diagnostics)
}

fn read_rows(catalog: &Catalog, csv: &str) -> Vec<SourceRow> {
    let (rows, diagnostics) = read(catalog, csv);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    rows
}

fn benches(c: &mut Criterion) {
    let catalog = catalog();
    let labels = labels();
    let csv = csv(&labels);
    let rows = read_rows(&catalog, &csv);
    let files = ["observations.csv".to_owned()];

    let mut group = c.benchmark_group("source");
    group.throughput(Throughput::Elements(labels.len() as u64));
    group.bench_function("period labels (daily)", |b| {
        b.iter(|| {
            for label in &labels {
                black_box(Period::parse(black_box(label), Frequency::Daily, 1).expect("valid"));
            }
        })
    });
    group.throughput(Throughput::Bytes(csv.len() as u64));
    group.bench_function("observation rows", |b| {
        b.iter(|| black_box(read_rows(&catalog, black_box(&csv))))
    });
    let noted = noted(&csv);
    assert_eq!(read_rows(&catalog, &noted).len(), rows.len());
    group.throughput(Throughput::Bytes(noted.len() as u64));
    group.bench_function("observation rows with notes and CRLF", |b| {
        b.iter(|| black_box(read_rows(&catalog, black_box(&noted))))
    });
    let bad = bad(&csv);
    assert!(read(&catalog, &bad).0.is_empty());
    group.throughput(Throughput::Bytes(bad.len() as u64));
    group.bench_function("observation rows, every value bad", |b| {
        b.iter(|| black_box(read(&catalog, black_box(&bad))))
    });
    group.throughput(Throughput::Elements(rows.len() as u64));
    let measure = &catalog.measures[0];
    group.bench_function("series checked", |b| {
        b.iter(|| black_box(check_series(measure, rows.clone(), &files)))
    });
    group.bench_function("series checked and judged", |b| {
        b.iter(|| judge_series(measure, check_series(measure, rows.clone(), &files).0))
    });
    group.finish();
}

criterion_group!(source, benches);
criterion_main!(source);
