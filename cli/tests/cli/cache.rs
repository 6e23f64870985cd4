//! The results cache: a rebuild whose records and definitions did not change computes nothing
//! and publishes the same bytes; a change to the records, a damaged entry or `--no-cache`
//! computes again.

use std::path::Path;
use std::process::Output;

use crate::support::{civicmetrics, copy_tree, root, stderr, tree};

/// What the program says when it reused cached measures.
const REUSED: &str = "computed measure(s) unchanged since they were cached";

/// `civicmetrics build SOURCE --out OUT` with `extra` arguments, asserting success.
fn build_into(source: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = civicmetrics(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    output
}

#[test]
fn a_rebuild_reuses_unchanged_measures_and_computes_changed_ones() {
    let temp = tempfile::tempdir().unwrap();
    let source = temp.path().join("source");
    copy_tree(&root().join("tests/fixtures/valid/computed"), &source);
    let out = temp.path().join("public");
    let cache = temp.path().join(".public.cache");

    let first = build_into(&source, &out, &[]);
    assert!(!stderr(&first).contains(REUSED), "{}", stderr(&first));
    assert!(cache.join("results").is_dir(), "the cache is beside OUT");
    let published = tree(&out);

    let second = build_into(&source, &out, &[]);
    assert!(
        stderr(&second).contains(&format!("1 {REUSED} in {}", cache.display())),
        "{}",
        stderr(&second)
    );
    assert_eq!(tree(&out), published, "the same bytes from the cache");

    // A damaged entry is computed again, to the same values.
    for entry in std::fs::read_dir(cache.join("results")).unwrap() {
        std::fs::write(entry.unwrap().path(), "{\"format\":").unwrap();
    }
    let damaged = build_into(&source, &out, &[]);
    assert!(!stderr(&damaged).contains(REUSED), "{}", stderr(&damaged));
    assert_eq!(tree(&out), published);

    // `--no-cache` computes, and so does a build with another cache.
    let uncached = build_into(&source, &out, &["--no-cache"]);
    assert!(!stderr(&uncached).contains(REUSED), "{}", stderr(&uncached));
    let elsewhere = temp.path().join("elsewhere");
    let other = build_into(&source, &out, &["--cache", elsewhere.to_str().unwrap()]);
    assert!(!stderr(&other).contains(REUSED), "{}", stderr(&other));
    assert!(elsewhere.join("results").is_dir());
    assert_eq!(tree(&out), published);

    // Changed records, the same size and modification time: computed again.
    let records = source.join("raw/requests.csv");
    let modified = std::fs::metadata(&records).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&records).unwrap();
    // Twenty potholes become another type of request: the shares change.
    let changed = text.replacen(",Pothole,", ",Potho1e,", 20);
    assert_eq!(changed.len(), text.len());
    std::fs::write(&records, &changed).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&records)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let recomputed = build_into(&source, &out, &[]);
    assert!(
        !stderr(&recomputed).contains(REUSED),
        "{}",
        stderr(&recomputed)
    );
    assert_ne!(tree(&out), published, "the values changed with the records");
}
