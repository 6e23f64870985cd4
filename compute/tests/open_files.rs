//! A build's open files stay within a bound whatever the rows, the budget and the parts: under
//! an `RLIMIT_NOFILE` of [`LIMIT`], the sample publishes – its computed measures read by the
//! engine – with every observation file read in parts and more runs written than are merged at
//! once. A test binary of its own, as the limit is the whole process's.
#![cfg(unix)]

use std::path::Path;
use std::sync::Arc;

use exporter::{Options, Quiet};
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Well under 256: the runs merged at once (64) or the parts of a file (at most 32), the
/// outputs and the test harness's own files.
const LIMIT: u64 = 128;

#[test]
fn a_build_reading_in_parts_and_merging_runs_stays_within_the_open_file_limit() {
    let maximum = getrlimit(Resource::Nofile).maximum;
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(LIMIT),
            maximum,
        },
    )
    .unwrap();
    // The limit is in force: opening that many files fails.
    let temp = tempfile::tempdir().unwrap();
    let opened: Result<Vec<_>, _> = (0..LIMIT)
        .map(|i| std::fs::File::create(temp.path().join(i.to_string())))
        .collect();
    assert!(opened.is_err(), "{LIMIT} files open under the limit");

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut options = Options::new(
        root.join("examples/seattle"),
        Some(temp.path().join("public")),
        time::OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap(),
    );
    // 7,643 hand-entered rows, in runs of about 50: more than are merged at once. Every file
    // is cut into parts, each writing runs of its own. With the computed rows up to November
    // 2025 (December is still running in Seattle at midnight UTC on 1 January), 8,127 rows.
    options.memory_rows = 50;
    options.parallel_bytes = 0;
    options.automation = Some(Arc::new(compute::Computer::default()));
    let outcome = exporter::run(&options, &mut [], &Quiet).unwrap();
    assert_eq!(outcome.observations, 8_127);
}
