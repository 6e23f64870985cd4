//! The residents' site of a published release, read by real parsers: feeds (feedparser), oEmbed,
//! JSON-LD, the sitemap and the chart pictures (`tests/interop/check_site.py`).

use std::process::Command;

use civicmetrics_tests::{interop_python, publish, root};

fn check_site(source: &str) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    publish(source, &out).unwrap_or_else(|error| panic!("{source}: {error:?}"));
    let output = Command::new(interop_python())
        .arg(root().join("tests/interop/check_site.py"))
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
fn sample_site_feeds_oembed_json_ld_and_sitemap_parse() {
    check_site("examples/seattle");
}

#[test]
fn small_fixture_site_feeds_oembed_json_ld_and_sitemap_parse() {
    check_site("tests/fixtures/valid/small");
}
