//! Support for the cross-crate and interoperability tests: publishing a source tree with the
//! exporter, compute and site libraries, and finding the Python environment with the real clients.

use std::path::{Path, PathBuf};
use std::process::Command;

use time::OffsetDateTime;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The time every release of these tests is published at, in seconds since the epoch:
/// 2026-11-25T00:00:00Z.
pub const PUBLISHED: i64 = 1_795_564_800;

/// Publishes `source` (relative to the workspace root, or absolute) into `out` at
/// [`PUBLISHED`], with the residents' site.
pub fn publish(source: &str, out: &Path) -> Result<exporter::Outcome, exporter::Error> {
    publish_at(source, out, PUBLISHED)
}

/// Publishes `source` into `out` at `published` (seconds since the epoch), with the residents'
/// site, which compares with the release already in `out`, as the program's does.
pub fn publish_at(
    source: &str,
    out: &Path,
    published: i64,
) -> Result<exporter::Outcome, exporter::Error> {
    publish_in_formats(source, out, published, exporter::Formats::ALL)
}

/// [`publish_at`], publishing `formats`.
pub fn publish_in_formats(
    source: &str,
    out: &Path,
    published: i64,
    formats: exporter::Formats,
) -> Result<exporter::Outcome, exporter::Error> {
    let mut options = exporter::Options::new(
        root().join(source),
        Some(out.to_owned()),
        OffsetDateTime::from_unix_timestamp(published).unwrap_or(OffsetDateTime::UNIX_EPOCH),
    );
    options.formats = formats;
    options.automation = Some(std::sync::Arc::new(compute::Computer::default()));
    let mut site = site::Site::new(site::SiteOptions {
        previous: Some(out.to_owned()),
        ..site::SiteOptions::default()
    });
    exporter::run(&options, &mut [&mut site], &exporter::Quiet)
}

/// The Python interpreter with pyarrow, DuckDB, polars, frictionless and jsonschema, which
/// `cargo xtask test` installs into a virtual environment and names in `CIVICMETRICS_PYTHON`.
pub fn interop_python() -> PathBuf {
    match std::env::var_os("CIVICMETRICS_PYTHON") {
        Some(python) => PathBuf::from(python),
        None => panic!(
            "CIVICMETRICS_PYTHON is not set: run the tests with `cargo xtask test`, which installs \
             the interoperability clients (tests/interop/requirements.txt) and sets it"
        ),
    }
}

/// Publishes `source` into a temporary directory and runs the Python `checker` (relative to the
/// workspace root) on the release with the interoperability environment; panics with the
/// checker's report when it fails. Returns what was published.
pub fn check_release_with(checker: &str, source: &str) -> exporter::Outcome {
    check_release_in_formats(checker, source, exporter::Formats::ALL)
}

/// [`check_release_with`], publishing `formats`.
pub fn check_release_in_formats(
    checker: &str,
    source: &str,
    formats: exporter::Formats,
) -> exporter::Outcome {
    let temp = tempfile::tempdir().expect("a temporary directory");
    let out = temp.path().join("public");
    let outcome = publish_in_formats(source, &out, PUBLISHED, formats)
        .unwrap_or_else(|error| panic!("{source}: {error:?}"));
    run_python(checker, &[out.as_os_str()]);
    outcome
}

/// Runs the Python `script` (relative to the workspace root) with `arguments` in the
/// interoperability environment; panics with its output when it fails. Returns its standard
/// output.
pub fn run_python(script: &str, arguments: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(interop_python())
        .arg(root().join(script))
        .args(arguments)
        .output()
        .expect("the checker runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} {arguments:?}:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Copies the tree at `from` into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("a directory to copy") {
        let path = entry.expect("an entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("a copy");
        }
    }
}
