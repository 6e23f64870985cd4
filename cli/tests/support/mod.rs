//! Running the program on fixtures, and comparing directory trees.

// Each test target (`cli`, `crash`, `load`) uses its own part of the support.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// 2026-01-01T00:00:00Z: fixtures have no period after 2025, so they publish without warnings.
pub(crate) const EPOCH: &str = "1767225600";

/// The workspace root; commands run there so that paths in messages are `tests/fixtures/…`.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Runs `civicmetrics` with `args` from the workspace root, with a fixed publication time.
pub(crate) fn civicmetrics(args: &[&str]) -> Output {
    civicmetrics_at(EPOCH, args)
}

/// Runs `civicmetrics` with `args` from the workspace root, published at `epoch`
/// (`SOURCE_DATE_EPOCH`).
pub(crate) fn civicmetrics_at(epoch: &str, args: &[impl AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_civicmetrics"))
        .args(args)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("the civicmetrics binary runs")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Copies the tree at `from` into `to`.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Every file under `dir` with its contents, by relative path.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, files);
            } else {
                let relative = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// A local TCP port nothing listens on: bound, then released.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A temporary directory with an existing release-like OUT holding one marker file.
pub(crate) fn existing_out() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    std::fs::create_dir_all(out.join("data")).unwrap();
    std::fs::write(out.join("data/index.json"), "previous release\n").unwrap();
    (temp, out)
}

/// Publishes `source` into a new temporary directory with the program, asserting success;
/// returns the directory (keep it alive) and OUT.
pub(crate) fn build(source: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let output = civicmetrics(&["build", source, "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (temp, out)
}

/// Asserts two trees hold the same files with the same bytes.
pub(crate) fn assert_same_tree(expected: &Path, actual: &Path) {
    let (expected, actual) = (tree(expected), tree(actual));
    assert!(expected.len() > 15, "{:?}", expected.keys());
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &expected {
        assert!(actual[name] == *bytes, "{name} differs");
    }
}
