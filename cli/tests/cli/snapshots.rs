//! Snapshots of the published JSON and pages for the small fixture (the contract the widgets
//! read) and of a computed measure.

use crate::support::build;

#[test]
fn published_json() {
    let (_temp, out) = build("tests/fixtures/valid/small");
    let data = out.join("data");
    let read = |path: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(data.join(path)).unwrap()).unwrap()
    };
    insta::assert_json_snapshot!("index", read("index.json"));
    let mut measures: Vec<String> = std::fs::read_dir(data.join("measures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    measures.sort();
    for file in measures {
        insta::assert_json_snapshot!(
            format!("measure-{}", file.trim_end_matches(".json")),
            read(&format!("measures/{file}"))
        );
    }
    for language in ["en", "es"] {
        insta::assert_json_snapshot!(
            format!("locale-{language}"),
            read(&format!("locales/{language}.json"))
        );
    }
    insta::assert_json_snapshot!("data.json", read("data.json"));
    insta::assert_snapshot!(
        "observations.csv",
        std::fs::read_to_string(data.join("observations.csv")).unwrap()
    );
}

/// Snapshots of the residents' site for the small fixture: the pages residents read without
/// JavaScript, a Spanish page, an embed page, a feed and an oEmbed response.
#[test]
fn published_site() {
    let (_temp, out) = build("tests/fixtures/valid/small");
    let read = |path: &str| std::fs::read_to_string(out.join(path)).unwrap();
    for (name, path) in [
        ("site-index", "index.html"),
        ("site-measure", "measures/potholes/index.html"),
        ("site-measure-es", "es/measures/potholes/index.html"),
        ("site-embed", "embed/potholes/index.html"),
        ("site-feed", "feed.xml"),
        ("site-oembed", "oembed/potholes.json"),
        ("site-sitemap", "sitemap.xml"),
    ] {
        insta::assert_snapshot!(name, read(path));
    }
}

/// Snapshots of a computed measure: its document, whose provenance names the records' files
/// with their digests and the query run, and its page, which shows them.
#[test]
fn published_computed_measure() {
    let (_temp, out) = build("tests/fixtures/valid/computed");
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("data/measures/potholes.json")).unwrap())
            .unwrap();
    insta::assert_json_snapshot!("computed-measure-potholes", document);
    insta::assert_snapshot!(
        "computed-site-measure",
        std::fs::read_to_string(out.join("measures/potholes/index.html")).unwrap()
    );
}
