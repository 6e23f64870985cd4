//! Period labels: the first byte picks the fiscal year's start month (0 to 13, so invalid months
//! are tried too), the rest is the label. Every frequency is tried; a label that parses must
//! print a canonical label that parses back to the same period.

#![no_main]

use dataset::{Frequency, Period};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Some((&month, label)) = bytes.split_first() else {
        return;
    };
    let month = month % 14;
    let Ok(label) = std::str::from_utf8(label) else {
        return;
    };
    let any = Period::parse_any(label, month);
    for frequency in Frequency::ALL {
        let parsed = Period::parse(label, frequency, month);
        match (&any, &parsed) {
            (Ok(period), Ok(same)) => assert_eq!(period, same),
            (Ok(period), Err(_)) => assert_ne!(period.frequency(), frequency),
            (Err(_), Ok(period)) => panic!("{label:?} parses only as {period:?}"),
            (Err(_), Err(_)) => {}
        }
    }
    if let Ok(period) = any {
        assert!(period.start() <= period.end(), "{period:?}");
        let canonical = period.label();
        let again = Period::parse(&canonical, period.frequency(), month);
        assert_eq!(again, Ok(period), "{label:?} -> {canonical:?}");
        assert_eq!(again.unwrap().label(), canonical);
    }
});
