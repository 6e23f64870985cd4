//! Measure files: arbitrary bytes through the same steps as `measures/<stem>.toml`
//! (UTF-8 decoding, then `parse_measure` against the Seattle sample's manifest).

#![no_main]

use dataset::source::{decode, parse_measure};
use fuzz_support::MANIFEST;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let name = "measures/fuzz.toml";
    let Ok(text) = decode(name, bytes) else {
        return;
    };
    let (measure, diagnostics) = parse_measure(name, "fuzz", text, &MANIFEST);
    if let Some(measure) = measure {
        // The id must match the file's stem, and target changes come in period order.
        assert_eq!(measure.id, "fuzz");
        let history = &measure.target.history;
        assert!(
            history
                .windows(2)
                .all(|w| w[0].from_start < w[1].from_start)
        );
    }
    for diagnostic in &diagnostics {
        // Rendering a diagnostic (source line, caret) must not panic either.
        let _ = diagnostic.to_string();
    }
});
