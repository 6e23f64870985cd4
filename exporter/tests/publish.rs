//! Publishing: determinism, atomic replacement and checksums.

use std::process::Command;

use crate::support::{civicmetrics, existing_out, stderr, tree};

#[test]
fn same_source_date_epoch_gives_identical_bytes() {
    let temp = tempfile::tempdir().unwrap();
    let first = temp.path().join("first");
    let second = temp.path().join("second");
    for out in [&first, &second] {
        let output = civicmetrics(&[
            "build",
            "tests/fixtures/valid/small",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let (first, second) = (tree(&first), tree(&second));
    assert!(first.len() > 15, "{:?}", first.keys());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{name} differs between two builds");
    }
}

#[test]
fn build_replaces_the_previous_release_whole() {
    let (temp, out) = existing_out();
    std::fs::write(out.join("stale.txt"), "from an older release").unwrap();
    let output = civicmetrics(&[
        "build",
        "tests/fixtures/valid/small",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!out.join("stale.txt").exists());
    let names: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("staging")), "{names:?}");
}

#[test]
fn checksums_verify_with_sha256sum() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let output = civicmetrics(&[
        "build",
        "tests/fixtures/valid/small",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(out.join("data"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let listed = std::fs::read_to_string(out.join("data/SHA256SUMS"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(
        listed + 1,
        tree(&out.join("data")).len(),
        "every file but SHA256SUMS is listed"
    );
}

#[test]
fn quiet_when_piped() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let output = civicmetrics(&[
        "build",
        "tests/fixtures/valid/small",
        "--out",
        out.to_str().unwrap(),
    ]);
    let messages = stderr(&output);
    assert_eq!(
        messages.lines().count(),
        1,
        "only the summary line: {messages:?}"
    );
    assert!(
        !messages.contains('\r') && !messages.contains('\u{1b}'),
        "no progress bar: {messages:?}"
    );
}
