//! The published release read by the clients researchers use – pyarrow, DuckDB, polars,
//! frictionless and jsonschema – which must agree on every table in every format.

use std::process::Command;

use civicmetrics_tests::{interop_python, publish, root};

fn check_release(source: &str) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let outcome = publish(source, &out).unwrap_or_else(|error| panic!("{source}: {error:?}"));
    assert!(outcome.observations > 0);
    let output = Command::new(interop_python())
        .arg(root().join("tests/interop/check_release.py"))
        .arg(&out)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{source}:\n{report}");
}

#[test]
fn sample_release_agrees_across_clients_and_formats() {
    check_release("examples/seattle");
}

#[test]
fn small_fixture_release_agrees_across_clients_and_formats() {
    check_release("tests/fixtures/valid/small");
}
