//! Changes between releases in the feeds: a build into an OUT holding a release compares with
//! it and announces goals whose standing changed and measures that turned late, and keeps what
//! earlier releases announced.

use crate::support::{assert_same_tree, civicmetrics_at, copy_tree, stderr, tree};

fn run_build_at(out: &std::path::Path, epoch: &str) -> std::process::Output {
    let small: &std::ffi::OsStr = "tests/fixtures/valid/small".as_ref();
    civicmetrics_at(
        epoch,
        &["build".as_ref(), small, "--out".as_ref(), out.as_os_str()],
    )
}

fn build_at(out: &std::path::Path, epoch: &str) {
    let output = run_build_at(out, epoch);
    assert!(output.status.success(), "{}", stderr(&output));
}

fn changes(out: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("changes.json")).unwrap()).unwrap()
}

#[test]
fn feeds_announce_goal_standings_and_late_measures_across_releases() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    // 1 January 2026: a first release announces nothing.
    build_at(&out, "1767225600");
    assert_eq!(changes(&out), serde_json::json!([]));
    let january = tree(&out);
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(!feed.contains("is late"), "{feed}");

    // 5 July 2026: the police goal's deadline (FY2026-Q4, June 2026) has passed, and January's
    // pothole value, due 2 March, never came.
    build_at(&out, "1783209600");
    let announced = changes(&out);
    let kinds: Vec<(&str, &str)> = announced
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["measure"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("goal", "police-response-time")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("late", "potholes")), "{kinds:?}");
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(
        feed.contains("Potholes fixed on time is late: January 2026 was due Mar 2, 2026"),
        "{feed}"
    );
    assert!(feed.contains("is now missed"), "{feed}");
    let spanish = std::fs::read_to_string(out.join("es/measures/potholes/feed.xml")).unwrap();
    assert!(spanish.contains("está atrasada"), "{spanish}");

    // The same release again, over itself: byte for byte what it was.
    let before = tree(&out);
    build_at(&out, "1783209600");
    assert!(
        tree(&out) == before,
        "a rebuild over the same release changed it"
    );

    // A week later nothing changes, and what was announced stays in the feeds.
    build_at(&out, "1783814400");
    assert_eq!(changes(&out), announced);
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(feed.contains("Potholes fixed on time is late"), "{feed}");

    // Releases go forward in time: January published again over July is refused, since the
    // history of published values would go back, and OUT stays July's.
    let july = tree(&out);
    let output = run_build_at(&out, "1767225600");
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("holds a release published at 2026-07-12T00:00:00Z, after this build's publication time 2026-01-01T00:00:00Z; the history of published values only goes forward"),
        "{message}"
    );
    assert!(tree(&out) == july, "a refused build changed OUT");

    // Into a fresh OUT, January is January's release, byte for byte.
    let fresh = temp.path().join("again");
    build_at(&fresh, "1767225600");
    assert!(
        tree(&fresh) == january,
        "the same source and time published differently"
    );
}

/// A release published in schema 1 (as `data/v1/` holds it) is read as the release before: the
/// next build over it publishes, changes announced included, what it publishes over the same
/// release in schema 2.
#[test]
fn a_release_in_schema_1_is_read_as_the_release_before() {
    let temp = tempfile::tempdir().unwrap();
    let (in_schema_2, in_schema_1) = (temp.path().join("two"), temp.path().join("one"));
    let small: &std::ffi::OsStr = "tests/fixtures/valid/small".as_ref();
    let output = civicmetrics_at(
        "1767225600",
        &[
            "build".as_ref(),
            small,
            "--out".as_ref(),
            in_schema_2.as_os_str(),
            "--legacy-documents".as_ref(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    copy_tree(&in_schema_2, &in_schema_1);
    // The documents of the release as schema 1 wrote them, in their places.
    let data = in_schema_1.join("data");
    let legacy = data.join("v1");
    for name in ["index.json", "measures", "locales", "schema"] {
        let from = legacy.join(name);
        let to = data.join(name);
        if from.is_dir() {
            std::fs::remove_dir_all(&to).unwrap();
            copy_tree(&from, &to);
        } else {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    std::fs::remove_dir_all(&legacy).unwrap();
    let document = std::fs::read_to_string(data.join("measures/potholes.json")).unwrap();
    assert!(
        document.contains("\"schema_version\":\"1.4.0\""),
        "{document}"
    );
    // 5 July 2026: a goal's standing changed and a measure turned late since January.
    build_at(&in_schema_2, "1783209600");
    build_at(&in_schema_1, "1783209600");
    assert!(!changes(&in_schema_1).as_array().unwrap().is_empty());
    assert_same_tree(&in_schema_2, &in_schema_1);
}
