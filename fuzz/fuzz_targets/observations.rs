//! Observation CSVs: arbitrary bytes read by `ObservationReader` against the small fixture's
//! catalog, every row it yields then judged by `judge_series`, as the exporter does.

#![no_main]

use dataset::CalendarDate;
use dataset::source::{ObservationReader, check_series, judge_series};
use fuzz_support::CATALOG;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let catalog = &*CATALOG;
    let today = CalendarDate::parse("2026-06-30").unwrap();
    let mut diagnostics = Vec::new();
    let Ok(mut reader) = ObservationReader::new("observations/fuzz.csv", 0, bytes, catalog, today)
    else {
        return;
    };
    let mut rows: Vec<Vec<_>> = vec![Vec::new(); catalog.measures.len()];
    while let Some(row) = reader.next_row(&mut diagnostics) {
        assert!(row.value.is_none_or(f64::is_finite));
        assert!(row.target.is_none_or(f64::is_finite));
        rows[row.measure as usize].push(row);
    }
    let files = ["observations/fuzz.csv".to_owned()];
    for (measure, rows) in catalog.measures.iter().zip(rows) {
        if !rows.is_empty() {
            let (rows, _) = check_series(measure, rows, &files);
            let _ = judge_series(measure, rows);
        }
    }
    for diagnostic in &diagnostics {
        let _ = diagnostic.to_string();
    }
});
