//! The history of published values from the command line: `--history FILE` kept outside OUT,
//! `asof` printing a past release's observations and publishing it again whole, and the warnings and errors when
//! a history is missing or damaged.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Output;

use crate::support::{civicmetrics_at, stderr, tree};

/// The small fixture's publication times: 1 January 2026, and a week later.
const FIRST: &str = "1767225600";
const SECOND: &str = "1767830400";

fn build(out: &Path, epoch: &str, extra: &[&OsStr]) -> Output {
    let mut args: Vec<&OsStr> = [
        "build",
        "tests/fixtures/valid/small",
        "--formats",
        "parquet,csv,json",
        "--out",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    args.push(out.as_os_str());
    args.extend(extra);
    civicmetrics_at(epoch, &args)
}

fn asof(args: &[&OsStr]) -> Output {
    let mut all = vec![OsStr::new("asof")];
    all.extend(args);
    civicmetrics_at(FIRST, &all)
}

#[test]
fn a_history_file_carries_the_history_into_a_fresh_out() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("kept/history.parquet");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let (first, second) = (temp.path().join("first"), temp.path().join("second"));

    // No history yet: the build says it starts one, and writes it to the file too. It
    // publishes the documents of schema 1 too, which a replay must publish again.
    let output = build(
        &first,
        FIRST,
        &[
            "--history".as_ref(),
            file.as_os_str(),
            "--legacy-documents".as_ref(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(first.join("data/v1/measures/potholes.json").exists());
    let message = stderr(&output);
    assert!(
        message
            .contains("warning: the history file does not exist: this build starts a new history"),
        "{message}"
    );
    let published = std::fs::read(first.join("data/revisions.parquet")).unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), published);

    // A fresh OUT a week later: the history comes from the file, and holds both releases.
    let output = build(&second, SECOND, &["--history".as_ref(), file.as_os_str()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning:"), "{}", stderr(&output));
    let history = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
    for time in ["2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z"] {
        assert!(
            history.contains(&format!("\"published_at\":\"{time}\"")),
            "{time}"
        );
    }
    assert_eq!(
        std::fs::read(&file).unwrap(),
        std::fs::read(second.join("data/revisions.parquet")).unwrap()
    );

    // The first release, rebuilt from the file alone, printed as CSV: its observations exactly.
    let output = asof(&[file.as_os_str(), "2026-01-07".as_ref()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        output.stdout,
        std::fs::read(first.join("data/observations.csv")).unwrap()
    );
    let message = stderr(&output);
    assert!(
        message.contains("the release published at 2026-01-01T00:00:00Z")
            && message.contains("observations.csv: identical to the file that release published"),
        "{message}"
    );

    // The first release, published again whole from the second OUT's history: the same files,
    // byte for byte (the history as it was then and the documents of schema 1 included), and no
    // site, as the build made none.
    let vintage = temp.path().join("vintage");
    let output = asof(&[
        second.as_os_str(),
        "2026-01-07T23:59:59Z".as_ref(),
        "--out".as_ref(),
        vintage.as_os_str(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("the release published at 2026-01-01T00:00:00Z")
            && message
                .contains("observations.parquet: identical to the file that release published"),
        "{message}"
    );
    assert_eq!(tree(&vintage), tree(&first));

    // Only into a new or empty directory.
    let output = asof(&[
        second.as_os_str(),
        "2026-01-08".as_ref(),
        "--out".as_ref(),
        vintage.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("it is not empty: a past release is published into a new directory"),
        "{}",
        stderr(&output)
    );

    // Before the history begins: an error naming its first release.
    let output = asof(&[file.as_os_str(), "2025-12-31".as_ref()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "starts with a release published at 2026-01-01T00:00:00Z, after 2025-12-31T23:59:59Z"
        ),
        "{}",
        stderr(&output)
    );
    let output = asof(&[file.as_os_str(), "yesterday".as_ref()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("expected a date"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_damaged_history_stops_the_build_and_a_missing_one_is_started_again() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let output = build(&out, FIRST, &[]);
    assert!(output.status.success(), "{}", stderr(&output));

    // Damaged: nothing is published, OUT is as it was, and the message says what to do.
    let history = out.join("data/revisions.parquet");
    let bytes = std::fs::read(&history).unwrap();
    std::fs::write(&history, &bytes[..bytes.len() / 2]).unwrap();
    let before = tree(&out);
    let output = build(&out, SECOND, &[]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "error: cannot read the history of published values {}",
            history.display()
        )) && message.contains("restore the file from a backup"),
        "{message}"
    );
    assert!(tree(&out) == before, "a refused build changed OUT");

    // Missing from a release: a new history starts, and the build says so.
    std::fs::remove_file(&history).unwrap();
    let output = build(&out, SECOND, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("warning: the release being replaced has no history of published values: this build starts a new one"),
        "{message}"
    );
    let history = String::from_utf8_lossy(&std::fs::read(&history).unwrap()).into_owned();
    assert!(
        !history.contains("2026-01-01T00:00:00Z"),
        "no history is invented"
    );
}

#[test]
fn the_history_is_kept_and_offered_as_parquet_whatever_the_formats() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let mut args: Vec<&OsStr> = [
        "build",
        "tests/fixtures/valid/small",
        "--formats",
        "csv,json",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    args.extend([OsStr::new("--out"), out.as_os_str()]);
    let output = civicmetrics_at(FIRST, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let data = out.join("data");
    let json = |file: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(data.join(file)).unwrap()).unwrap()
    };
    let parquet = |names: Vec<String>| -> Vec<String> {
        names
            .into_iter()
            .filter(|name| name.ends_with(".parquet"))
            .collect()
    };
    let index = json("index.json");
    let downloads = index["downloads"].as_array().unwrap().iter();
    let paths = downloads.map(|d| d["path"].as_str().unwrap().to_owned());
    assert_eq!(parquet(paths.collect()), ["revisions.parquet"]);
    let catalog = json("data.json");
    let distributions = catalog["dataset"][0]["distribution"]
        .as_array()
        .unwrap()
        .iter();
    let urls = distributions.map(|d| d["downloadURL"].as_str().unwrap().to_owned());
    let urls = parquet(urls.collect());
    assert!(
        urls.len() == 1 && urls[0].ends_with("/revisions.parquet"),
        "{urls:?}"
    );
    let sums = std::fs::read_to_string(data.join("SHA256SUMS")).unwrap();
    let summed = sums.lines().map(|line| line[66..].to_owned());
    assert_eq!(parquet(summed.collect()), ["revisions.parquet"]);
    assert!(data.join("revisions.parquet").exists() && data.join("revisions.csv").exists());
}
