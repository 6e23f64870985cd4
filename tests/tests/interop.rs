//! The published release read by the clients researchers use – pyarrow, DuckDB, polars,
//! frictionless and jsonschema – which must agree on every table in every format.

use civicmetrics_tests::check_release_with;

fn check_release(source: &str) {
    let outcome = check_release_with("tests/interop/check_release.py", source);
    assert!(outcome.observations > 0);
}

#[test]
fn sample_release_agrees_across_clients_and_formats() {
    check_release("examples/seattle");
}

#[test]
fn small_fixture_release_agrees_across_clients_and_formats() {
    check_release("tests/fixtures/valid/small");
}
