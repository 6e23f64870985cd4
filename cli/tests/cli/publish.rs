//! Publishing: determinism, atomic replacement, checksums, and streaming through disk.

use std::process::Command;

use crate::support::{assert_same_tree, build, civicmetrics, existing_out, root, stderr, tree};

#[test]
fn same_source_date_epoch_gives_identical_bytes() {
    let (_first_dir, first) = build("tests/fixtures/valid/small");
    let (_second_dir, second) = build("tests/fixtures/valid/small");
    assert_same_tree(&first, &second);
}

/// Computed measures too: the same records give the same bytes whether the engine splits each
/// query into 1 part or 8, which finish in any order.
#[test]
fn computed_measures_give_identical_bytes_at_1_and_8_partitions() {
    for source in ["tests/fixtures/valid/computed", "examples/seattle"] {
        let built = |partitions: &str| {
            let temp = tempfile::tempdir().unwrap();
            let out = temp.path().join("public");
            let output = civicmetrics(&[
                "build",
                source,
                "--out",
                out.to_str().unwrap(),
                "--partitions",
                partitions,
            ]);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            (temp, out)
        };
        let ((_one_dir, one), (_eight_dir, eight)) = (built("1"), built("8"));
        assert_same_tree(&one, &eight);
    }
}

#[test]
fn build_replaces_the_previous_release_whole() {
    let (temp, out) = existing_out();
    std::fs::write(out.join("stale.txt"), "from an older release").unwrap();
    let output = civicmetrics(&[
        "build",
        "tests/fixtures/valid/small",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!out.join("stale.txt").exists());
    let names: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("staging")), "{names:?}");
}

#[test]
fn checksums_verify_with_sha256sum() {
    let (_temp, out) = build("tests/fixtures/valid/small");
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(out.join("data"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let listed = std::fs::read_to_string(out.join("data/SHA256SUMS"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(
        listed + 1,
        tree(&out.join("data")).len(),
        "every file but SHA256SUMS is listed"
    );
}

#[test]
fn quiet_when_piped() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let output = civicmetrics(&[
        "build",
        "tests/fixtures/valid/small",
        "--out",
        out.to_str().unwrap(),
    ]);
    let messages = stderr(&output);
    assert_eq!(
        messages.lines().count(),
        2,
        "only the summary and history lines: {messages:?}"
    );
    assert!(
        messages.contains("history of published values: "),
        "{messages:?}"
    );
    assert!(
        !messages.contains('\r') && !messages.contains('\u{1b}'),
        "no progress bar: {messages:?}"
    );
}

#[test]
fn spilling_rows_to_disk_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let publish = |name: &str, memory_rows, parallel_bytes| {
        publish_sample(&temp.path().join(name), |options| {
            options.memory_rows = memory_rows;
            options.parallel_bytes = parallel_bytes;
        })
    };
    let in_memory = publish("in-memory", exporter::DEFAULT_MEMORY_ROWS, u64::MAX);
    // Budgets far below the sample's 7,643 hand-entered rows: 100 writes about 80 runs, more than are merged
    // at once; 0 writes a run for every row, here with every file read in parts at once.
    let spilled = publish("spilled", 100, u64::MAX);
    assert_same_tree(&in_memory, &spilled);
    let in_parts = publish("run-per-row-in-parts", 0, 0);
    assert_same_tree(&in_memory, &in_parts);
    let leftovers: Vec<_> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        6,
        "three releases and their lock files only: {leftovers:?}"
    );
}

/// The publication time of the releases these tests compare.
fn published() -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_795_564_800).unwrap()
}

/// Publishes the bundled sample into `out` with the options `configure` sets.
fn publish_sample(
    out: &std::path::Path,
    configure: impl FnOnce(&mut exporter::Options),
) -> std::path::PathBuf {
    let mut options = exporter::Options::new(
        root().join("examples/seattle"),
        Some(out.to_owned()),
        published(),
    );
    options.automation = Some(std::sync::Arc::new(compute::Computer::default()));
    configure(&mut options);
    let mut site = site::Site::new(site::SiteOptions::default());
    exporter::run(&options, &mut [&mut site], &exporter::Quiet).unwrap();
    out.to_owned()
}

/// Runs the pipeline without publishing, reading every file in one go or in parts.
fn validate(source: &std::path::Path, in_parts: bool) -> Result<Vec<String>, Vec<String>> {
    let mut options = exporter::Options::new(source.to_owned(), None, published());
    options.automation = Some(std::sync::Arc::new(compute::Computer::default()));
    options.parallel_bytes = if in_parts { 0 } else { u64::MAX };
    match exporter::run(&options, &mut [], &exporter::Quiet) {
        Ok(outcome) => Ok(outcome.diagnostics.iter().map(|d| d.to_string()).collect()),
        Err(exporter::Error::Invalid { diagnostics, .. }) => {
            Err(diagnostics.iter().map(|d| d.to_string()).collect())
        }
        Err(error) => Err(vec![error.to_string()]),
    }
}

#[test]
fn reading_files_in_parts_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let publish = |name: &str, in_parts: bool| {
        publish_sample(&temp.path().join(name), |options| {
            options.parallel_bytes = if in_parts { 0 } else { u64::MAX };
        })
    };
    assert_same_tree(&publish("whole", false), &publish("parts", true));
    // Every bad-input case reports the same problems at the same places either way.
    let corpus = root().join("tests/fixtures/invalid");
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for case in cases {
        assert_eq!(
            validate(&case, true),
            validate(&case, false),
            "{}",
            case.display()
        );
    }
}

/// With `include_current`, the running period (December 2025 at the tests' publication time)
/// is published flagged provisional in every format, and is not the measure's latest value.
#[test]
fn the_running_period_is_published_provisional_with_include_current() {
    let temp = tempfile::tempdir().unwrap();
    let source = temp.path().join("source");
    crate::support::copy_tree(&root().join("tests/fixtures/valid/computed"), &source);
    let measure = source.join("measures/potholes.toml");
    let text = std::fs::read_to_string(&measure).unwrap();
    std::fs::write(&measure, format!("{text}include_current = true\n")).unwrap();
    let out = temp.path().join("public");
    let output = civicmetrics(&[
        "build",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let csv = std::fs::read_to_string(out.join("data/observations.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let provisional = header.iter().position(|c| *c == "provisional").unwrap();
    let record_count = header.iter().position(|c| *c == "record_count").unwrap();
    let december: Vec<Vec<&str>> = csv
        .lines()
        .filter(|line| line.starts_with("potholes,2025-12,"))
        .map(|line| line.split(',').collect())
        .collect();
    assert_eq!(
        december.len(),
        4,
        "citywide and three districts: {december:?}"
    );
    for row in &december {
        assert_eq!(row[provisional], "true", "{row:?}");
        assert!(row[record_count].parse::<u64>().unwrap() > 0, "{row:?}");
    }
    let november = csv
        .lines()
        .find(|line| line.starts_with("potholes,2025-11,2025-11-01,2025-11-30,total,total,"))
        .unwrap();
    assert!(november.ends_with(",false"), "{november}");

    let text = std::fs::read(out.join("data/measures/potholes.json")).unwrap();
    let document: serde_json::Value = serde_json::from_slice(&text).unwrap();
    let periods = document["observations"]["periods"].as_array().unwrap();
    assert_eq!(periods.last().unwrap(), "2025-12");
    let last = periods.len() - 1;
    assert_eq!(
        document["observations"]["provisional"],
        serde_json::json!([last]),
        "the running period, alone"
    );
    let document: dataset::MeasureDocument = serde_json::from_slice(&text).unwrap();
    assert!(document.observations[last].provisional);
    let latest = document.latest.unwrap();
    assert_eq!(latest.period, "2025-11", "the latest settled period");
    assert!(!latest.provisional);

    let page = std::fs::read_to_string(out.join("measures/potholes/index.html")).unwrap();
    assert!(
        page.contains("December 2025 (provisional: the period is not over)"),
        "the page flags the running period"
    );
}
