//! The residents' site of a published release, read by real parsers: feeds (feedparser), oEmbed,
//! JSON-LD, the sitemap and the chart pictures (`tests/interop/check_site.py`).

use civicmetrics_tests::check_release_with;

#[test]
fn sample_site_feeds_oembed_json_ld_and_sitemap_parse() {
    check_release_with("tests/interop/check_site.py", "examples/seattle");
}

#[test]
fn small_fixture_site_feeds_oembed_json_ld_and_sitemap_parse() {
    check_release_with("tests/interop/check_site.py", "tests/fixtures/valid/small");
}
