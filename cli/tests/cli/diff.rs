//! `civicmetrics diff BASE HEAD`: trees against trees, releases against releases and a tree
//! against a release give the same report; each output format; the exit codes.

use std::path::Path;

use crate::support::{build, civicmetrics, copy_tree, root, stderr};

const SMALL: &str = "tests/fixtures/valid/small";

/// A copy of the small fixture with one value restated (potholes, 2025-11: 84.9 → 79.9) and the
/// potholes target raised from 80 to 85.
fn changed_small(dir: &Path) -> String {
    copy_tree(&root().join(SMALL), dir);
    let measure = dir.join("measures/potholes.toml");
    let text = std::fs::read_to_string(&measure).unwrap();
    assert!(
        text.contains("value = 80\n"),
        "the fixture's potholes target is 80"
    );
    std::fs::write(&measure, text.replacen("value = 80\n", "value = 85\n", 1)).unwrap();
    let observations = dir.join("observations/city-services.csv");
    let text = std::fs::read_to_string(&observations).unwrap();
    assert!(
        text.contains("potholes,2025-11,84.9,"),
        "the fixture has potholes 2025-11 at 84.9"
    );
    let restated = text.replacen("potholes,2025-11,84.9,", "potholes,2025-11,79.9,", 1);
    std::fs::write(&observations, restated).unwrap();
    dir.to_str().unwrap().to_owned()
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)))
}

/// The report without the names of what was compared.
fn changes(mut report: serde_json::Value) -> serde_json::Value {
    report["base"] = serde_json::Value::Null;
    report["head"] = serde_json::Value::Null;
    report
}

#[test]
fn trees_releases_and_a_tree_against_a_release_agree() {
    let temp = tempfile::tempdir().unwrap();
    let head = changed_small(&temp.path().join("head"));
    let trees = civicmetrics(&["diff", SMALL, &head, "--format", "json"]);
    assert_eq!(trees.status.code(), Some(1), "{}", stderr(&trees));
    let report = json(&trees);
    let potholes = &report["measures"][0];
    assert_eq!(potholes["id"], "potholes");
    assert_eq!(potholes["restated"][0]["period"], "2025-11");
    assert_eq!(potholes["restated"][0]["old_value"], 84.9);
    assert_eq!(potholes["restated"][0]["new_value"], 79.9);
    let fields: Vec<&str> = potholes["definition"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["target.value"]);

    let (_base_temp, base_out) = build(SMALL);
    let (_head_temp, head_out) = build(&head);
    let releases = civicmetrics(&[
        "diff",
        base_out.to_str().unwrap(),
        head_out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(releases.status.code(), Some(1), "{}", stderr(&releases));
    assert_eq!(changes(json(&releases)), changes(report.clone()));
    let mixed = civicmetrics(&[
        "diff",
        SMALL,
        head_out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(changes(json(&mixed)), changes(report));
}

#[test]
fn text_and_markdown_say_the_same_and_exit_zero_silences_the_one() {
    let temp = tempfile::tempdir().unwrap();
    let head = changed_small(&temp.path().join("head"));
    let text = civicmetrics(&["diff", SMALL, &head]);
    assert_eq!(text.status.code(), Some(1), "{}", stderr(&text));
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("1 value restated"), "{text}");
    assert!(
        text.contains("restated 2025-11: 84.9 (on track) → 79.9 (off track)"),
        "{text}"
    );
    assert!(text.contains("definition target.value: 80 → 85"), "{text}");
    let markdown = civicmetrics(&["diff", SMALL, &head, "--format", "markdown", "--exit-zero"]);
    assert_eq!(markdown.status.code(), Some(0), "{}", stderr(&markdown));
    let markdown = String::from_utf8_lossy(&markdown.stdout).into_owned();
    assert!(
        markdown.contains("### Department of Transportation"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| restated | 2025-11 | 84.9 (on track) | 79.9 (off track) |"),
        "{markdown}"
    );
}

#[test]
fn nothing_changed_exits_zero_and_errors_exit_two() {
    let same = civicmetrics(&["diff", SMALL, SMALL]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert_eq!(
        String::from_utf8_lossy(&same.stdout),
        format!("{SMALL} → {SMALL}\nNo published data changed.\n")
    );
    let missing = civicmetrics(&["diff", SMALL, "tests/fixtures/no-such-tree"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("neither a source tree"),
        "{}",
        stderr(&missing)
    );
    let invalid = civicmetrics(&["diff", SMALL, "tests/fixtures/invalid/duplicate-row"]);
    assert_eq!(invalid.status.code(), Some(2));
    assert!(
        stderr(&invalid).contains("has errors"),
        "{}",
        stderr(&invalid)
    );
}

/// A computed measure restated by its records alone: the same definition and query, another
/// value.
#[test]
fn changed_records_restate_a_computed_measure_without_a_definition_change() {
    let temp = tempfile::tempdir().unwrap();
    let head = temp.path().join("head");
    copy_tree(&root().join("tests/fixtures/valid/computed"), &head);
    let records = head.join("raw/requests.csv");
    let text = std::fs::read_to_string(&records).unwrap();
    // One pothole repaired late instead of on time: the share of its month falls.
    let on_time = "25-000002,Pothole,2025-07-03T03:32:00Z,2025-07-07T14:05:00Z,";
    assert!(text.contains(on_time), "the fixture has request 25-000002");
    let late = "25-000002,Pothole,2025-07-03T03:32:00Z,2025-07-29T14:05:00Z,";
    std::fs::write(&records, text.replacen(on_time, late, 1)).unwrap();
    let output = civicmetrics(&[
        "diff",
        "tests/fixtures/valid/computed",
        head.to_str().unwrap(),
        "--format",
        "json",
        "--no-cache",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    let potholes = report["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "potholes")
        .expect("potholes changed");
    assert_eq!(potholes["definition"], serde_json::json!([]));
    let restated = potholes["restated"].as_array().unwrap();
    assert!(
        restated
            .iter()
            .any(|r| r["period"] == "2025-07" && r["group"].is_null()),
        "{restated:?}"
    );
}
