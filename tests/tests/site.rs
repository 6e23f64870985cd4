//! The residents' site of a published release, read by real parsers: feeds (feedparser), oEmbed,
//! JSON-LD, the sitemap and the chart pictures (`tests/interop/check_site.py`).

use civicmetrics_tests::{check_release_with, copy_tree, publish_at, root, run_python};

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

/// The small fixture published, then published a week later with a citywide value and a
/// district's value restated: the measure page shows the revisions without JavaScript, and both
/// restatements are announced in the site's feed and the measure's.
#[test]
fn restatements_show_on_the_pages_and_in_the_feeds() {
    let temp = tempfile::tempdir().expect("a temporary directory");
    let out = temp.path().join("public");
    let source = temp.path().join("source");
    copy_tree(&root().join("tests/fixtures/valid/small"), &source);
    let source_text = source.to_str().expect("a UTF-8 path");
    publish_at(source_text, &out, 1_767_225_600).unwrap_or_else(|error| panic!("{error:?}"));
    let observations = source.join("observations/city-services.csv");
    let text = std::fs::read_to_string(&observations).expect("the observations");
    let restated = text
        .replacen("potholes,2025-12,86.3,,,", "potholes,2025-12,85.1,,,", 1)
        .replacen(
            "potholes,2025-12,85.7,,,District 3",
            "potholes,2025-12,84.0,,,District 3",
            1,
        );
    assert_ne!(restated, text, "the fixture has the rows restated");
    std::fs::write(&observations, restated).expect("the copy is writable");
    publish_at(source_text, &out, 1_767_830_400).unwrap_or_else(|error| panic!("{error:?}"));
    let report = run_python("tests/interop/check_site.py", &[out.as_os_str()]);
    assert!(
        report.contains("2 revision(s) shown") && report.contains("(2 restatement(s))"),
        "{report}"
    );
}
