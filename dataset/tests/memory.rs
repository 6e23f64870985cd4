//! Memory stays bounded however many rows of an observation file are bad: problems past the
//! limit of their kind are counted, never built. A test binary of its own, so that the
//! process's peak memory is this test's.

use std::io::Read;

use dataset::CalendarDate;
use dataset::source::{Catalog, ObservationReader, parse_manifest, parse_measure};

/// The process's peak resident memory since the last [`reset_peak`], in bytes (Linux only).
fn peak_resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Starts measuring the peak anew (writing 5 to `clear_refs` resets it).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

const MANIFEST: &str = r#"
id = "city"
title = "City performance"
description = "Memory."
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
id = "potholes"
title = "Potholes repaired"
description = "Percent."
area = "services"
department = "Transportation"
unit = "percent"
frequency = "monthly"
direction = "higher_is_better"
methodology = "Work orders."
source = "Work orders"

[target]
kind = "at_least"
value = 80
"#;

fn catalog() -> Catalog {
    let (manifest, problems) = parse_manifest("dataset.toml", MANIFEST);
    assert!(problems.is_empty(), "{problems:?}");
    let manifest = manifest.unwrap();
    let (measure, problems) =
        parse_measure("measures/potholes.toml", "potholes", MEASURE, &manifest);
    assert!(problems.is_empty(), "{problems:?}");
    let (catalog, problems) = Catalog::new(
        manifest,
        vec![("measures/potholes.toml".to_owned(), measure.unwrap())],
        [],
    );
    assert!(problems.is_empty(), "{problems:?}");
    catalog
}

/// An observation file written as it is read: a header, then `rows` rows whose value is not a
/// number and whose period is not a real one.
struct BadRows {
    rows: usize,
    written: usize,
    pending: Vec<u8>,
}

impl Read for BadRows {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            if self.written > self.rows {
                return Ok(0);
            }
            self.pending = if self.written == 0 {
                b"measure,period,value,target,note\n".to_vec()
            } else {
                format!("potholes,2024-13,{}%,,Replaced 12\" pipe\n", self.written).into_bytes()
            };
            self.written += 1;
        }
        let n = self.pending.len().min(buf.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn a_million_bad_rows_take_no_more_memory_than_a_few() {
    let catalog = catalog();
    let today = CalendarDate::parse("2026-01-01").unwrap();
    let read = |rows: usize| {
        let input = BadRows {
            rows,
            written: 0,
            pending: Vec::new(),
        };
        let measured = reset_peak();
        let before = peak_resident();
        let mut reader = ObservationReader::new("obs.csv", 0, input, &catalog, today).unwrap();
        let mut diagnostics = Vec::new();
        assert!(reader.next_row(&mut diagnostics).is_none());
        let grown = before
            .zip(peak_resident())
            .filter(|_| measured)
            .map(|(before, after)| after.saturating_sub(before));
        (diagnostics, grown)
    };
    let (few, _) = read(1_000);
    let (many, grown) = read(1_000_000);
    // 200 of each kind in full, and one count of the rest of each kind.
    assert_eq!(few.len(), 402);
    assert_eq!(many.len(), 402);
    assert_eq!(
        [&many[400].message, &many[401].message],
        [
            "… and 999800 more like this: period is not a real period",
            "… and 999800 more like this: value is not a number",
        ]
    );
    // A million diagnostics would take hundreds of megabytes; 402 take a few hundred kilobytes.
    // Linux gives the peak through /proc; elsewhere only the counts above are checked.
    if cfg!(target_os = "linux") {
        let grown = grown.expect("the peak resident memory is read from /proc/self/status");
        assert!(
            grown < 16 * 1024 * 1024,
            "peak memory grew by {grown} bytes reading a million bad rows"
        );
    }
}
