//! Exit statuses and output of the command line.

use crate::support::{civicmetrics, stderr};

#[test]
fn valid_source_exits_zero() {
    let output = civicmetrics(&["validate", "tests/fixtures/valid/small"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("valid: 5 measures"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn usage_errors_exit_two() {
    for args in [
        &["validate"][..],
        &["frobnicate"],
        &["build", "tests/fixtures/valid/small"],
        &["validate", "no/such/dir"],
        &[
            "build",
            "tests/fixtures/valid/small",
            "--out",
            "target/x",
            "--base-url",
            "example.org",
        ],
        &[
            "build",
            "tests/fixtures/valid/small",
            "--out",
            "target/x",
            "--base-url",
            "ftp://a/",
        ],
        &[
            "build",
            "tests/fixtures/valid/small",
            "--out",
            "target/x",
            "--formats",
            "csv,site",
        ],
    ] {
        let output = civicmetrics(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn output_that_is_a_file_is_a_usage_error() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("public");
    std::fs::write(&file, "not a directory").unwrap();
    let output = civicmetrics(&[
        "build",
        "tests/fixtures/valid/small",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");
}

#[test]
fn warnings_do_not_fail_validation() {
    // Published before the fixture's last periods: they are in the future.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_civicmetrics"))
        .args(["validate", "tests/fixtures/valid/small"])
        .current_dir(crate::support::root())
        .env("SOURCE_DATE_EPOCH", "1735689600") // 2025-01-01
        .output()
        .unwrap();
    let messages = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{messages}");
    assert!(messages.contains(": warning: period `2025-"), "{messages}");
}
