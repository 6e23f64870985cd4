use super::*;
use crate::model::{Status, TargetSource};

const MANIFEST: &str = r#"
id = "city"
title = "City performance"
description = "Illustrative."
publisher = "City"
contact = { name = "Team", email = "team@example.org" }
homepage = "https://example.org"
license = "https://creativecommons.org/publicdomain/zero/1.0/"
languages = ["en", "es"]
fiscal_year_start_month = 7
keywords = ["performance"]

[[areas]]
id = "services"
title = "Basic city services"
description = "Everyday services."
[areas.translations.es]
title = "Servicios básicos"
description = "Servicios de todos los días."
"#;

const MEASURE: &str = r#"
id = "pothole-repair"
title = "Potholes repaired within 3 business days"
description = "Why it matters."
area = "services"
department = "Transportation"
unit = "percent"
frequency = "monthly"
direction = "higher_is_better"
methodology = "How."
source = "Work orders"
breakdowns = ["council_district"]

[target]
kind = "at_least"
value = 80

[[target.history]]
from = "2024-01"
value = 85
"#;

fn manifest() -> Manifest {
    let (manifest, diagnostics) = parse_manifest("dataset.toml", MANIFEST);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    manifest.unwrap()
}

/// The messages with their help lines, without the source lines shown under them.
fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            Diagnostic {
                source_line: None,
                ..d.clone()
            }
            .to_string()
        })
        .collect()
}

#[test]
fn manifest_parses() {
    let manifest = manifest();
    assert_eq!(manifest.info.fiscal_year_start_month, 7);
    assert_eq!(
        manifest.areas[0].translations.get("es").unwrap().title,
        "Servicios básicos"
    );
}

#[test]
fn measure_parses_with_history() {
    let (measure, diagnostics) = parse_measure(
        "measures/pothole-repair.toml",
        "pothole-repair",
        MEASURE,
        &manifest(),
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let measure = measure.unwrap();
    assert_eq!(measure.target.near, Some(4.0));
    assert_eq!(
        measure.target.history[0].from_start.to_string(),
        "2024-01-01"
    );
    assert_eq!(measure.target.history[0].near, 4.25);
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = MEASURE
        .replace("title = \"Potholes", "titel = \"Potholes")
        .replace("unit = \"percent\"", "unit = \"percentage\"")
        .replace("area = \"services\"", "area = \"service\"")
        .replace("value = 80", "value = \"80\"");
    let (measure, diagnostics) = parse_measure("m.toml", "pothole-repair", &text, &manifest());
    assert!(measure.is_none());
    let messages = messages(&diagnostics);
    let expected = [
        "m.toml:3:1: error: unknown field `titel` in measure\n  help: did you mean `title`?",
        "m.toml:1:1: error: missing field `title` in measure\n  help: add `title = \"…\"`",
        "m.toml:5:8: error: unknown area `service`\n  help: did you mean `services`?",
        "m.toml:7:8: error: unknown unit `percentage`\n  help: did you mean `percent`?",
        "m.toml:16:9: error: `value` must be a number, found string\n  help: remove the quotes: `value = 80`",
    ];
    for line in expected {
        assert!(
            messages.contains(&line.to_owned()),
            "missing {line:?} in {messages:#?}"
        );
    }
}

#[test]
fn id_must_match_file_name() {
    let (measure, diagnostics) =
        parse_measure("measures/potholes.toml", "potholes", MEASURE, &manifest());
    assert!(measure.is_none());
    assert_eq!(
        messages(&diagnostics),
        [
            "measures/potholes.toml:2:6: error: measure id `pothole-repair` does not match its file name `potholes.toml`\n  help: ids are permanent: rename the file to `pothole-repair.toml`, or set `id = \"potholes\"`"
        ]
    );
}

#[test]
fn range_min_above_max_and_history_order() {
    let text = MEASURE
        .replace("kind = \"at_least\"\nvalue = 80", "kind = \"range\"\nmin = 95\nmax = 85")
        .replace("from = \"2024-01\"\nvalue = 85", "from = \"2024-01\"\nmin = 1\nmax = 2\n\n[[target.history]]\nfrom = \"2023-01\"\nmin = 1\nmax = 2");
    let (_, diagnostics) = parse_measure("m.toml", "pothole-repair", &text, &manifest());
    let messages = messages(&diagnostics);
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("m.toml:16:7: error: range target has min 95 > max 85")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("out of order")),
        "{messages:#?}"
    );
}

#[test]
fn malformed_toml_points_at_the_error() {
    let (measure, diagnostics) =
        parse_measure("m.toml", "m", "id = \"m\"\ntitle = unquoted\n", &manifest());
    assert!(measure.is_none());
    assert_eq!(diagnostics[0].line, 2);
    assert!(diagnostics[0].message.starts_with("invalid TOML"));
}

fn catalog() -> Catalog {
    let manifest = manifest();
    let (measure, diagnostics) = parse_measure(
        "measures/pothole-repair.toml",
        "pothole-repair",
        MEASURE,
        &manifest,
    );
    assert!(diagnostics.is_empty());
    let (catalog, diagnostics) = Catalog::new(
        manifest,
        vec![("measures/pothole-repair.toml".into(), measure.unwrap())],
        [],
    );
    assert!(diagnostics.is_empty());
    catalog
}

fn read(csv: &str) -> (Vec<SourceRow>, Vec<Diagnostic>) {
    let catalog = catalog();
    let today = CalendarDate::parse("2026-11-25").unwrap();
    let mut reader = match ObservationReader::new("obs.csv", 0, csv.as_bytes(), &catalog, today) {
        Ok(reader) => reader,
        Err(diagnostics) => return (Vec::new(), diagnostics),
    };
    let mut diagnostics = Vec::new();
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row(&mut diagnostics) {
        rows.push(row);
    }
    (rows, diagnostics)
}

#[test]
fn csv_rows_are_checked_and_all_problems_reported() {
    let csv = "measure,period,value,target,note,council_district\n\
pothole-repair,2023-12,79,,,\n\
pothole-repair,2024-01,\"84.5\",,\"late, revised\",\n\
pothole-repair,2024-01,60,70,,District 1\n\
pothole-repair,2024-02,,,outage,\n\
pothole-repair,2024-Q1,12%,,,\n\
potholes-repair,2024-03,1,,,\n\
pothole-repair,2024-13,1,,,\n\
pothole-repair,2024-04,\"1,234\",,,\n\
pothole-repair,2024-05,1,,\r\n\
pothole-repair,2027-01,1,,,\n";
    let (rows, diagnostics) = read(csv);
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[1].note.as_deref(), Some("late, revised"));
    assert_eq!(rows[2].breakdown.as_ref().unwrap().group, "District 1");
    let messages = messages(&diagnostics);
    let expected = [
        "obs.csv:6:16: error: `2024-Q1` is a quarterly period, but the measure is reported monthly",
        "obs.csv:6:24: error: value `12%` is not a number",
        "obs.csv:7:1: error: unknown measure `potholes-repair`",
        "obs.csv:8:16: error: `2024-13` is not a real period: months run from 01 to 12",
        "obs.csv:9:24: error: value `1,234` is not a number",
        "obs.csv:10:1: error: row has 5 fields, but the header has 6",
        "obs.csv:11:16: warning: period `2027-01` of `pothole-repair` starts after the publication date 2026-11-25",
    ];
    assert_eq!(messages.len(), expected.len(), "{messages:#?}");
    for (message, expected) in messages.iter().zip(expected) {
        assert!(
            message.starts_with(expected),
            "{message:?} should start with {expected:?}"
        );
    }
}

#[test]
fn header_problems_stop_the_file() {
    let (_, diagnostics) = read("measure,period,valu,ward\n");
    let messages = messages(&diagnostics);
    assert_eq!(messages.len(), 3, "{messages:#?}");
    assert!(messages[0].starts_with("obs.csv:1:16: error: the header has undeclared column `valu`\n  help: did you mean `value`?"));
    assert!(
        messages[1].starts_with("obs.csv:1:21: error: the header has undeclared column `ward`")
    );
    assert!(messages[2].starts_with("obs.csv:1:1: error: the header has no `value` column"));
    let (_, diagnostics) = read("");
    assert!(diagnostics[0].message.contains("empty"));
}

#[test]
fn series_is_sorted_judged_and_deduplicated() {
    let csv = "measure,period,value,target,council_district\n\
pothole-repair,2024-02,84,,\n\
pothole-repair,2023-12,79,,\n\
pothole-repair,2024-01,60,70,District 1\n\
pothole-repair,2024-01,60,,District 2\n\
pothole-repair,2024-01,81,,\n\
pothole-repair,2024-02,90,,\n";
    let (rows, diagnostics) = read(csv);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let catalog = catalog();
    let measure = &catalog.measures[0];
    let (rows, diagnostics) = check_series(measure, rows, &["obs.csv".to_owned()]);
    let series = judge_series(measure, rows);
    assert_eq!(
        messages(&diagnostics),
        [
            "obs.csv:7:1: error: duplicate row: measure `pothole-repair` already has period `2024-02`\n  help: first given at obs.csv:2; keep one row per measure, period and breakdown"
        ]
    );
    let summary: Vec<_> = series
        .rows
        .iter()
        .map(|row| {
            (
                row.breakdown.as_ref().map(|b| b.1.as_str()),
                row.observation.period.as_str(),
                row.observation.status,
                row.observation.target.map(|t| (t.bounds.value, t.source)),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            // council_district sorts before the citywide `total`.
            (
                Some("District 1"),
                "2024-01",
                Status::OffTrack,
                Some((Some(70.0), TargetSource::Row))
            ),
            (Some("District 2"), "2024-01", Status::NoTarget, None),
            (
                None,
                "2023-12",
                Status::NearTarget,
                Some((Some(80.0), TargetSource::Measure))
            ),
            (
                None,
                "2024-01",
                Status::NearTarget,
                Some((Some(85.0), TargetSource::History))
            ),
            (
                None,
                "2024-02",
                Status::NearTarget,
                Some((Some(85.0), TargetSource::History))
            ),
        ]
    );
    assert_eq!(series.latest().unwrap().period, "2024-02");
}

#[test]
fn a_quote_inside_an_unquoted_cell_is_text() {
    // The cells Python's csv module reads from these bytes (`csv.reader(f)`, opened with
    // `newline=""`): the unquoted note is `Replaced 12" pipe`, the quoted one `6" main, "old"`.
    let csv = "measure,period,value,target,note,council_district\n\
pothole-repair,2024-01,81,,Replaced 12\" pipe,\n\
pothole-repair,2024-02,82,,\"6\"\" main, \"\"old\"\"\",District 1\n\
pothole-repair,2024-03,83,,a 4\" lateral,District 9\n\
pothole-repair,2024-04,8x,,Replaced 12\" pipe,\n";
    let (rows, diagnostics) = read(csv);
    let notes: Vec<_> = rows.iter().map(|row| row.note.as_deref()).collect();
    assert_eq!(
        notes,
        [
            Some("Replaced 12\" pipe"),
            Some("6\" main, \"old\""),
            Some("a 4\" lateral"),
        ]
    );
    assert_eq!(rows[2].breakdown.as_ref().unwrap().group, "District 9");
    // The bare quotes open nothing: the one problem is the value, placed exactly.
    assert_eq!(
        messages(&diagnostics),
        [
            "obs.csv:5:24: error: value `8x` is not a number\n  help: write a plain decimal number such as 81.5, or leave the cell empty for no data"
        ]
    );
}

#[test]
fn an_unclosed_quote_is_reported_where_it_opens() {
    let csv = "measure,period,value,target,note,council_district\n\
pothole-repair,2024-01,81,,Replaced 12\" pipe,\n\
pothole-repair,2024-02,82,,\"Replaced pipe,\n\
pothole-repair,2024-03,83,,,\n\
pothole-repair,2024-04,84,,,\n";
    let (rows, diagnostics) = read(csv);
    assert_eq!(rows.len(), 1);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let diagnostic = &diagnostics[0];
    assert_eq!((diagnostic.line, diagnostic.column), (3, 28));
    assert!(diagnostic.message.starts_with("unclosed quote"));
    assert!(diagnostic.help.as_deref().unwrap().contains("closing \""));
    // In the header, too.
    let (_, diagnostics) = read("measure,period,\"value\n");
    assert_eq!((diagnostics[0].line, diagnostics[0].column), (1, 16));
}

/// A header, then `rows` rows whose value is not a number, every tenth with a target that is
/// not one either.
fn bad_rows(rows: usize) -> String {
    let mut csv = String::from("measure,period,value,target,note,council_district\n");
    for i in 0..rows {
        let target = if i % 10 == 0 { "x" } else { "" };
        csv.push_str(&format!("pothole-repair,2024-01,{i}%,{target},,\n"));
    }
    csv
}

#[test]
fn problems_past_the_limit_of_their_kind_are_counted() {
    let limit = crate::diagnostic::REPORTED_PER_KIND as usize;
    let catalog = catalog();
    let rows = 1_000_000;
    let csv = bad_rows(rows);
    let today = CalendarDate::parse("2026-11-25").unwrap();
    let mut reader = ObservationReader::new("obs.csv", 0, csv.as_bytes(), &catalog, today).unwrap();
    let mut diagnostics = Vec::new();
    assert!(reader.next_row(&mut diagnostics).is_none());
    assert_eq!(diagnostics.len(), 2 * limit + 2);
    let values: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.message.starts_with("value `"))
        .collect();
    assert_eq!(values.len(), limit);
    assert_eq!(values[limit - 1].line, limit as u32 + 1);
    let more = messages(&diagnostics[2 * limit..]);
    // The count is at the first problem not reported: row 201 (line 202), and for targets the
    // 201st tenth row (line 2002, where the value is `2000%`).
    assert_eq!(
        more[0],
        format!(
            "obs.csv:202:24: error: … and {} more like this: value is not a number\n  help: the first 200 of each kind in a file are shown in full, and the rest from here on only counted; fix those shown and check again",
            rows - limit
        )
    );
    assert!(
        more[1].starts_with(&format!(
            "obs.csv:2002:30: error: … and {} more like this: target is not a number\n",
            rows / 10 - limit
        )),
        "{}",
        more[1]
    );
    // Nothing more is reported once the file has ended.
    assert!(reader.next_row(&mut diagnostics).is_none());
    assert_eq!(diagnostics.len(), 2 * limit + 2);
}

#[test]
fn parts_of_a_file_report_as_the_whole() {
    let catalog = catalog();
    let today = CalendarDate::parse("2026-11-25").unwrap();
    let csv = bad_rows(3_000);
    let whole = read(&csv).1;
    // Cut at every 100th record start, the parts' problems joined in order.
    let mut starts = RecordStarts::new(csv.as_bytes());
    let mut cuts = vec![(0, 1)];
    while let Some(start) = starts.first_from(cuts.last().unwrap().0 + 2_600).unwrap() {
        cuts.push(start);
    }
    assert!(cuts.len() > 20);
    let first_end = usize::try_from(cuts[1].0).unwrap();
    let first = ObservationReader::new("obs.csv", 0, &csv.as_bytes()[..first_end], &catalog, today)
        .unwrap();
    let mut joined: Option<crate::diagnostic::FileDiagnostics> = None;
    let mut readers = vec![];
    for (i, &(start, line)) in cuts.iter().enumerate().skip(1) {
        let end = cuts.get(i + 1).map_or(csv.len(), |&(end, _)| end as usize);
        readers.push(first.continuation(&csv.as_bytes()[start as usize..end], line));
    }
    let mut first = first;
    while first.read_row().is_some() {}
    joined.get_or_insert_with(|| first.into_problems());
    for mut reader in readers {
        while reader.read_row().is_some() {}
        joined.as_mut().unwrap().append(reader.into_problems());
    }
    assert_eq!(joined.unwrap().into_diagnostics(), whole);
}

mod never_panics {
    use proptest::prelude::*;

    use super::*;

    /// Text near the real format: fragments of valid files, shuffled and cut.
    fn tomlish() -> impl Strategy<Value = String> {
        let pieces = MANIFEST
            .lines()
            .chain(MEASURE.lines())
            .map(str::to_owned)
            .collect::<Vec<_>>();
        (
            prop::collection::vec(prop::sample::select(pieces), 0..40),
            "\\PC{0,8}",
        )
            .prop_map(|(lines, noise)| format!("{}\n{noise}", lines.join("\n")))
    }

    proptest! {
        #[test]
        fn manifest_parser(text in prop_oneof![tomlish(), "\\PC{0,200}"]) {
            let _ = parse_manifest("dataset.toml", &text);
        }

        #[test]
        fn measure_parser(text in prop_oneof![tomlish(), "\\PC{0,200}"]) {
            let _ = parse_measure("m.toml", "pothole-repair", &text, &manifest());
        }

        #[test]
        fn observation_reader(bytes in prop::collection::vec(prop::sample::select(b"pothole-repair,2024-01,District 1\"\r\n\xEF\xBB\xBF\xFF1.5%".to_vec()), 0..300)) {
            let catalog = catalog();
            let today = CalendarDate::parse("2026-11-25").unwrap();
            let header = b"measure,period,value,target,note,council_district\n";
            let input: Vec<u8> = header.iter().copied().chain(bytes).collect();
            if let Ok(mut reader) = ObservationReader::new("obs.csv", 0, input.as_slice(), &catalog, today) {
                let mut diagnostics = Vec::new();
                while reader.next_row(&mut diagnostics).is_some() {}
                for diagnostic in &diagnostics {
                    let _ = diagnostic.to_string();
                }
            }
        }
    }
}

#[test]
fn script_urls_are_refused_in_every_url_field_and_the_contact() {
    for (key, line) in [
        ("homepage", "homepage = \"javascript:window.__pwned=1\""),
        ("license", "license = \"javascript:window.__pwned=1\""),
        (
            "feedback_url",
            "feedback_url = \"JAVASCRIPT:window.__pwned=1\"",
        ),
        (
            "data_url",
            "data_url = \"data:text/html,<script>window.__pwned=1</script>\"",
        ),
    ] {
        let text = MANIFEST
            .lines()
            .filter(|l| !l.starts_with(&format!("{key} =")))
            .collect::<Vec<_>>()
            .join("\n")
            .replacen(
                "fiscal_year_start_month",
                &format!("{line}\nfiscal_year_start_month"),
                1,
            );
        let (_, diagnostics) = parse_manifest("dataset.toml", &text);
        let messages = messages(&diagnostics);
        assert!(
            messages.len() == 1 && messages[0].contains(&format!("`{key}` must be an http(s) URL")),
            "{key}: {messages:?}"
        );
    }
    let text = MANIFEST.replace("team@example.org", "mailto:javascript:alert(1)");
    let (_, diagnostics) = parse_manifest("dataset.toml", &text);
    assert!(
        messages(&diagnostics)
            .iter()
            .any(|m| m.contains("is not an email address")),
        "{diagnostics:?}"
    );
}

#[test]
fn urls_must_be_absolute_http_urls_with_a_host() {
    for (homepage, valid) in [
        ("https://example.org/performance/", true),
        ("http://127.0.0.1:8080/", true),
        ("https://", false),
        ("https://exa mple.org", false),
        ("ftp://example.org/", false),
        ("example.org", false),
    ] {
        let text = MANIFEST.replace("\"https://example.org\"", &format!("\"{homepage}\""));
        let (_, diagnostics) = parse_manifest("dataset.toml", &text);
        let refused = messages(&diagnostics)
            .iter()
            .any(|m| m.contains("`homepage` must be an http(s) URL"));
        assert_eq!(refused, !valid, "{homepage}: {diagnostics:?}");
    }
}

#[test]
fn languages_are_canonical_bcp_47_tags() {
    for (tag, expected) in [
        ("zh-Hant", None),
        ("vi", None),
        ("es-419", None),
        ("zh-hant", Some("write it `zh-Hant`")),
        ("EN", Some("write it `en`")),
        ("12", Some("is not a language tag")),
        ("en_US", Some("is not a language tag")),
        ("e", Some("is not a language tag")),
        ("und", Some("names no language")),
    ] {
        let text = MANIFEST.replace("[\"en\", \"es\"]", &format!("[\"en\", \"{tag}\"]"));
        let (_, diagnostics) = parse_manifest("dataset.toml", &text);
        let found: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.message.contains(&format!("`{tag}`")))
            .map(|d| format!("{} {}", d.message, d.help.clone().unwrap_or_default()))
            .collect();
        match expected {
            None => assert!(found.is_empty(), "{tag}: {found:?}"),
            Some(text) => assert!(found.iter().any(|f| f.contains(text)), "{tag}: {found:?}"),
        }
    }
}
