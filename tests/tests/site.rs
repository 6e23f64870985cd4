//! The residents' site of a published release, read by real parsers: feeds (feedparser), oEmbed,
//! JSON-LD, the sitemap and the chart pictures (`tests/interop/check_site.py`).

use civicmetrics_tests::{check_release_with, publish_at, run_python};

#[test]
fn sample_site_feeds_oembed_json_ld_and_sitemap_parse() {
    check_release_with("tests/interop/check_site.py", "examples/seattle");
}

#[test]
fn small_fixture_site_feeds_oembed_json_ld_and_sitemap_parse() {
    check_release_with("tests/interop/check_site.py", "tests/fixtures/valid/small");
}

/// Two releases into one OUT, half a year apart: the second's feeds announce a missed goal and
/// late measures, and every feed still parses.
#[test]
fn feeds_announcing_changes_between_releases_parse() {
    let temp = tempfile::tempdir().expect("a temporary directory");
    let out = temp.path().join("public");
    let source = "tests/fixtures/valid/small";
    // 1 January, then 5 July 2026.
    for published in [1_767_225_600, 1_783_209_600] {
        publish_at(source, &out, published).unwrap_or_else(|error| panic!("{error:?}"));
    }
    let report = run_python("tests/interop/check_site.py", &[out.as_os_str()]);
    assert!(report.contains("4 change(s) announced"), "{report}");
}
