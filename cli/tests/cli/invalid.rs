//! The bad-input corpus: every tree under `tests/fixtures/invalid/` has exactly one defect, and
//! `expected.txt` lists what the messages must contain, the first line giving file and line.
//! Each must exit 1 without a panic, and `build` must leave an existing OUT untouched.

use crate::support::{civicmetrics, existing_out, root, stderr, tree};

/// Checks one case; returns what went wrong, if anything.
fn check(case: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = format!("tests/fixtures/invalid/{case}");
    let expected = std::fs::read_to_string(root().join(&dir).join("expected.txt"))
        .unwrap_or_else(|_| panic!("{dir}/expected.txt is missing"));

    let validate = civicmetrics(&["validate", &dir]);
    let messages = stderr(&validate);
    if validate.status.code() != Some(1) {
        problems.push(format!(
            "validate exited with {:?}, expected 1",
            validate.status.code()
        ));
    }
    if messages.contains("panicked") {
        problems.push("validate panicked".to_owned());
    }
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        if !messages.contains(line) {
            problems.push(format!("missing {line:?}"));
        }
    }

    let (_temp, out) = existing_out();
    let before = tree(&out);
    let build = civicmetrics(&["build", &dir, "--out", out.to_str().unwrap()]);
    if build.status.code() != Some(1) {
        problems.push(format!(
            "build exited with {:?}, expected 1",
            build.status.code()
        ));
    }
    if tree(&out) != before {
        problems.push("build changed OUT".to_owned());
    }
    if !problems.is_empty() {
        problems.insert(
            0,
            format!("{case}:\n--- stderr ---\n{messages}--- problems ---"),
        );
    }
    problems
}

#[test]
fn every_bad_input_is_rejected_with_its_location() {
    let mut cases: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 40,
        "the corpus has only {} cases",
        cases.len()
    );
    let failures: Vec<String> = cases.iter().flat_map(|case| check(case)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
