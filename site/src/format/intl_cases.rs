//! The cases `tests/e2e/intl.mjs` compares with Chromium's `Intl`: in each of [`LANGUAGES`],
//! numbers, values in every unit, trend amounts, plural choices, days, months and periods as the
//! site formats them, beside what the widgets hand `Intl` to format the same thing. `cargo xtask
//! test` runs [`the_cases_for_the_browser_are_written`] with `CIVICMETRICS_INTL_CASES` naming
//! the JSON file to write, then the script.

use dataset::model::{Measure, Observation, Status};
use dataset::{CalendarDate, Frequency};
use serde_json::{Value, json};

use super::Formatter;

/// The sample's languages, a Chinese script variant, a well-formed tag no data exists for and a
/// malformed one (the last two are English in the browser, and here).
const LANGUAGES: [&str; 6] = ["en", "es", "vi", "zh-Hant", "xx", "1"];

/// Plain numbers: zero, negatives, halves that round up (1.005 is 1.00499… as a double, and
/// still 1.01 in the browser), negative zero after rounding, and grouping from four to seven
/// digits.
const NUMBERS: [f64; 10] = [
    0.0,
    7.0,
    -2.5,
    0.125,
    1.005,
    -0.04,
    1234.5,
    12345.678,
    1_234_567.891,
    -98_765.432_1,
];

/// A measure's unit, its decimal places (`None`: the unit's default) and its unit label (a
/// currency code for money), and values in it.
type Values = (
    &'static str,
    Option<u8>,
    Option<&'static str>,
    &'static [f64],
);

/// Values of measures of every unit.
const VALUES: &[Values] = &[
    (
        "percent",
        None,
        None,
        &[0.0, 81.5, 100.0, -3.25, 99.95, 12.3456],
    ),
    ("percent", Some(2), None, &[12.345, 0.5]),
    ("percent", Some(0), None, &[66.6]),
    (
        "minutes",
        None,
        None,
        &[1.0, 7.25, 1.04, 0.0, 90.0, 2.0, 1234.5],
    ),
    ("hours", None, None, &[1.0, 2.5, 0.96]),
    ("days", None, None, &[1.0, 3.0, 1.5]),
    ("days", Some(2), None, &[12.75]),
    (
        "currency",
        None,
        None,
        &[
            0.0,
            950.5,
            1234.0,
            12345.0,
            999_600.0,
            1_234_567.0,
            12_345_678.0,
            123_456_789.0,
            1_234_567_890.0,
            98_765_432_109.0,
            -2_500_000.0,
        ],
    ),
    (
        "currency",
        Some(1),
        None,
        &[950.5, 12345.0, 999_600.0, 1_234_567.0, 12_345_678.0],
    ),
    ("currency", Some(2), None, &[1_234_567.0, 1_234_567_890.0]),
    (
        "currency",
        None,
        Some("EUR"),
        &[950.0, 45000.0, 3_200_000.0, 7_500_000_000.0],
    ),
    (
        "currency",
        Some(1),
        Some("JPY"),
        &[1_234_567.0, 87_654_321_000.0],
    ),
    ("count", None, None, &[0.0, 1_234_567.0]),
    ("ratio", None, None, &[0.8567]),
    ("number", None, None, &[-12.34]),
];

/// Changes from a year earlier as fractions, printed as whole percentages.
const CHANGES: [f64; 4] = [0.123, 0.005, 1.5, 0.0049];

/// Counts whose plural the trend's "point"/"points" follows.
const COUNTS: [f64; 6] = [1.0, 1.0004, 1.04, 0.0, 2.0, 1.5];

/// Days, and the first days of months.
const DAYS: [&str; 3] = ["2026-03-05", "2026-12-31", "2027-01-01"];
const MONTHS: [&str; 2] = ["2026-03-01", "2026-11-01"];

fn date(text: &str) -> CalendarDate {
    CalendarDate::parse(text).unwrap()
}

/// An observation of the period starting `start`, as `period` needs it.
fn observation(start: &str) -> Observation {
    Observation {
        period: start.to_owned(),
        period_start: date(start),
        period_end: date(start),
        value: None,
        status: Status::NoData,
        target: None,
        note: None,
        record_count: None,
        provisional: false,
    }
}

fn measure(unit: &str, decimals: Option<u8>, label: Option<&str>) -> Measure {
    serde_json::from_value(json!({
        "id": "m", "title": "M", "description": "M.", "area": "a", "department": "D",
        "unit": unit, "unit_label": label, "decimals": decimals, "frequency": "monthly",
        "direction": "higher_is_better", "target": { "kind": "none" },
        "methodology": "M.", "source": "S",
    }))
    .unwrap()
}

/// Every case in `language`: what to format (`call` and its inputs) and the site's text.
fn cases(language: &str) -> Vec<Value> {
    // The numbers and dates are the language's own; the words (the week's template) English.
    let mut strings = locales::Locales::builtin()
        .strings("en")
        .expect("English strings are built in");
    strings.language = language.to_owned();
    let format = Formatter::new(&strings);
    // The template as the release publishes it, which the widgets fill in.
    let week_of = match &strings.messages["week_of"] {
        dataset::document::Message::Text(template) => template.clone(),
        dataset::document::Message::Plural(plural) => plural.other.clone(),
    };
    let mut cases = Vec::new();
    let mut add = |mut case: Value, site: String| {
        case["language"] = language.into();
        case["site"] = site.into();
        cases.push(case);
    };
    for value in NUMBERS {
        for decimals in 0..=3 {
            let case = json!({ "call": "number", "value": value, "decimals": decimals });
            add(case, format.number(value, decimals));
        }
    }
    for &(unit, decimals, label, values) in VALUES {
        let measure = measure(unit, decimals, label);
        for &value in values {
            let case = json!({
                "call": "value", "unit": unit, "decimals": decimals, "unit_label": label,
                "value": value,
            });
            add(case, format.value(&measure, value));
        }
    }
    for ratio in CHANGES {
        let case = json!({ "call": "percent_change", "value": ratio });
        add(case, format.percent(ratio, 0));
    }
    for count in COUNTS {
        let category = format.plural_category(count).to_owned();
        add(json!({ "call": "plural", "value": count }), category);
    }
    for day in DAYS {
        add(json!({ "call": "day", "date": day }), format.day(date(day)));
        let case = json!({ "call": "long_day", "date": day });
        add(case, format.long_day(date(day)));
        let modified = format!("{day}T12:00:00Z");
        let case = json!({ "call": "updated", "modified": modified });
        add(case, format.updated(&modified));
    }
    for month in MONTHS {
        add(
            json!({ "call": "month", "date": month }),
            format.month(date(month)),
        );
    }
    let periods = [
        (Frequency::Monthly, "monthly", MONTHS[0]),
        (Frequency::Monthly, "monthly", MONTHS[1]),
        (Frequency::Weekly, "weekly", "2026-03-02"),
        (Frequency::Daily, "daily", DAYS[0]),
    ];
    for (frequency, name, start) in periods {
        let case = json!({
            "call": "period", "frequency": name, "date": start,
            "week_of": week_of,
        });
        add(case, format.period(frequency, &observation(start)));
    }
    cases
}

#[test]
fn the_cases_for_the_browser_are_written() {
    let english = cases("en");
    let all: Vec<Value> = LANGUAGES.into_iter().flat_map(cases).collect();
    assert_eq!(all.len(), english.len() * LANGUAGES.len());
    assert!(
        all.iter()
            .all(|case| case["site"].as_str().is_some_and(|s| !s.is_empty()))
    );
    // A tag without data, or no tag at all, is formatted as English, as the browser does.
    for language in ["xx", "1"] {
        let site = |cases: &[Value]| -> Vec<Value> {
            cases.iter().map(|case| case["site"].clone()).collect()
        };
        assert_eq!(site(&cases(language)), site(&english), "{language}");
    }
    if let Some(path) = std::env::var_os("CIVICMETRICS_INTL_CASES") {
        std::fs::write(&path, serde_json::to_vec_pretty(&all).unwrap()).unwrap();
    }
}
