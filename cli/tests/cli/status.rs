//! `civicmetrics status`: late and stale measures, values due soon and goals behind pace, by
//! department, and `--fail-on` for nightly jobs.

use std::process::{Command, Output};

use crate::support::{civicmetrics, copy_tree, root, stderr};

/// Runs `civicmetrics status` on `source` as published at `epoch`.
fn status_at(source: &std::path::Path, epoch: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_civicmetrics"))
        .arg("status")
        .arg(source)
        .args(args)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("the civicmetrics binary runs")
}

#[test]
fn the_report_lists_stale_measures_and_goals_behind_pace_by_department() {
    let output = civicmetrics(&["status", "tests/fixtures/valid/small"]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("status-small", String::from_utf8_lossy(&output.stdout));
    let json = civicmetrics(&["status", "tests/fixtures/valid/small", "--format", "json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["date"], "2026-01-01");
    assert_eq!(
        (report["late"].as_u64(), report["stale"].as_u64()),
        (Some(0), Some(1))
    );
    let departments = report["departments"].as_array().unwrap();
    let shelters = &departments[0];
    assert_eq!(shelters["department"], "Human Services Department");
    assert_eq!(shelters["overdue"][0]["measure"], "shelter-occupancy");
    assert_eq!(shelters["overdue"][0]["next_due"], "2021-02-21");
    let behind: Vec<&str> = departments
        .iter()
        .flat_map(|d| d["goals_behind_pace"].as_array().unwrap())
        .map(|goal| goal["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        behind,
        ["six-minute-response", "three-million-library-visits"]
    );
}

#[test]
fn fail_on_exits_1_only_for_the_state_it_names() {
    let temp = tempfile::tempdir().unwrap();
    let source = temp.path().join("small");
    copy_tree(&root().join("tests/fixtures/valid/small"), &source);
    // Shelter occupancy stops being stale: its values are due ten years after each week.
    let shelter = source.join("measures/shelter-occupancy.toml");
    let text = std::fs::read_to_string(&shelter).unwrap();
    let text = text.replacen(
        "\n[target]",
        "published_within = \"3650 days\"\n\n[target]",
        1,
    );
    std::fs::write(&shelter, text).unwrap();
    // 1 March 2026: January's pothole value is due on 2 March. 5 March: it is late.
    let on_time = status_at(&source, "1772323200", &["--fail-on", "late"]);
    assert!(on_time.status.success(), "{}", stderr(&on_time));
    let report = String::from_utf8_lossy(&on_time.stdout);
    assert!(
        report.contains("due    potholes: 2026-01 is due 2026-03-02"),
        "{report}"
    );
    let late = status_at(&source, "1772668800", &["--fail-on", "late"]);
    assert_eq!(late.status.code(), Some(1));
    let report = String::from_utf8_lossy(&late.stdout);
    assert!(
        report.contains("late   potholes: 2026-01 was due 2026-03-02"),
        "{report}"
    );
    let not_stale = status_at(&source, "1772668800", &["--fail-on", "stale"]);
    assert!(not_stale.status.success(), "{}", stderr(&not_stale));
    let original = civicmetrics(&["status", "tests/fixtures/valid/small", "--fail-on", "stale"]);
    assert_eq!(original.status.code(), Some(1));
}

#[test]
fn an_invalid_source_is_reported_and_exits_1() {
    let output = civicmetrics(&[
        "status",
        "tests/fixtures/invalid/goal-deadline-before-baseline",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("is not after the baseline period"));
    assert!(output.stdout.is_empty());
}
