//! Crash safety of `civicmetrics build`: killed at any moment, out of space, or racing another
//! build into the same OUT, it leaves OUT a complete release whose `SHA256SUMS` verifies – the
//! previous release or the new one, never a mix of the two. The history of published values is
//! part of the release (`data/revisions.parquet`): it is never lost or half-written either.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::support::{root, tree};

/// How many times a build is killed.
const TRIALS: usize = 50;

/// The seed of the kill moments; printed, so that a failure can be replayed.
const SEED: u64 = 0x00c1_7c1c_2026_0050;

/// The two releases of the trials: the sample published at two times for two addresses, so
/// that nearly every file of one differs from the other's. Each trial publishes the second over
/// the first (a release is never published over a later one: the history goes forward).
const RELEASES: [(&str, &str); 2] = [
    ("1795564800", "https://old.example.org/performance/"),
    ("1798761600", "https://new.example.org/performance/"),
];

type Tree = BTreeMap<String, Vec<u8>>;

/// Rows a build holds in memory: a fraction of the sample's 7,643 hand-entered ones, so that every build spills
/// rows into its scratch directory beside OUT and kills leave some behind.
const MEMORY_ROWS: &str = "1000";

/// `civicmetrics build examples/seattle --out OUT` publishing release `which` of [`RELEASES`],
/// spilling rows to disk.
fn build_command(which: usize, out: &Path) -> Command {
    let (epoch, base_url) = RELEASES[which];
    let mut command = Command::new(env!("CARGO_BIN_EXE_civicmetrics"));
    command
        .arg("build")
        .arg(root().join("examples/seattle"))
        .arg("--out")
        .arg(out)
        .args(["--base-url", base_url])
        .args(["--memory-rows", MEMORY_ROWS])
        .env("SOURCE_DATE_EPOCH", epoch)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    command
}

/// Publishes release `which` into `out`, asserting success; returns how long it took.
fn publish(which: usize, out: &Path) -> Duration {
    let started = Instant::now();
    let output = build_command(which, out).output().unwrap();
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

/// Checks every file listed in `OUT/data/SHA256SUMS` against its hash, and that every other
/// file of `OUT/data` is listed.
fn verify_checksums(out: &Path) {
    let data = out.join("data");
    let sums = fs::read_to_string(data.join("SHA256SUMS"))
        .unwrap_or_else(|error| panic!("{}/data/SHA256SUMS: {error}", out.display()));
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (expected, name) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("malformed SHA256SUMS line {line:?}"));
        let bytes = fs::read(data.join(name))
            .unwrap_or_else(|error| panic!("{name}, listed in SHA256SUMS: {error}"));
        let actual = format!("{:x}", Sha256::digest(&bytes));
        assert_eq!(actual, expected, "{name} does not match SHA256SUMS");
        listed.push(name.to_owned());
    }
    let mut present: Vec<String> = tree(&data)
        .into_keys()
        .filter(|name| name != "SHA256SUMS")
        .collect();
    present.sort();
    listed.sort();
    assert_eq!(listed, present, "SHA256SUMS lists exactly the data files");
    assert!(listed.len() > 10, "{listed:?}");
}

/// Which of `releases` OUT is, byte for byte; panics describing the difference when it is
/// neither.
fn identify(out: &Path, releases: &[Tree]) -> usize {
    let actual = tree(out);
    if let Some(which) = releases.iter().position(|release| *release == actual) {
        return which;
    }
    let mut report = String::new();
    for (which, release) in releases.iter().enumerate() {
        let same = release
            .iter()
            .filter(|(name, bytes)| actual.get(*name) == Some(bytes))
            .count();
        let missing: Vec<_> = release
            .keys()
            .filter(|name| !actual.contains_key(*name))
            .take(5)
            .collect();
        report.push_str(&format!(
            "release {which}: {same} of {} files alike, missing {missing:?}; ",
            release.len()
        ));
    }
    panic!("OUT is a mix of releases or incomplete: {report}");
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The two releases and the longer of the two build times. The first is published into a fresh
/// OUT, the second over it: the later release's feeds announce what changed since the earlier
/// one, and its history holds both publications.
fn references() -> (Vec<Tree>, Duration) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("release");
    let mut longest = Duration::ZERO;
    let releases = (0..RELEASES.len())
        .map(|which| {
            longest = longest.max(publish(which, &out));
            verify_checksums(&out);
            tree(&out)
        })
        .collect::<Vec<_>>();
    let history = String::from_utf8_lossy(&releases[1]["data/revisions.parquet"]).into_owned();
    for (epoch, _) in RELEASES {
        let time = time::OffsetDateTime::from_unix_timestamp(epoch.parse().unwrap()).unwrap();
        let listed = format!("\"published_at\":\"{}\"", exporter::rfc3339(time));
        assert!(
            history.contains(&listed),
            "the later history lists {listed}"
        );
    }
    let differing = releases[0]
        .iter()
        .filter(|(name, bytes)| releases[1].get(*name) != Some(bytes))
        .count();
    // Every page, feed and table differs (477 of 822 files); the charts in their sizes and
    // palettes, the schemas and the assets are alike, so whichever release they came from, OUT
    // is one whole release.
    assert!(
        differing * 2 > releases[0].len(),
        "{differing} of {} files differ",
        releases[0].len()
    );
    (releases, longest)
}

/// Makes OUT release `tree` again, file for file, as a city restoring a backup would.
fn restore(out: &Path, tree: &Tree) {
    if out.exists() {
        fs::remove_dir_all(out).unwrap();
    }
    for (name, bytes) in tree {
        let path = out.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

#[test]
fn killed_builds_leave_the_previous_release_or_the_new_one() {
    let (releases, fresh) = references();
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    publish(0, &out);
    assert_eq!(identify(&out, &releases), 0);

    // A trial's build also clears what the killed build before it left and deletes the release
    // it replaces, so it takes longer than a build into a fresh OUT: time one in those
    // conditions – after a build killed halfway – to place the kills.
    let mut halfway = build_command(1, &out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(fresh / 2);
    halfway.kill().unwrap();
    halfway.wait().unwrap();
    identify(&out, &releases);
    // After one more build the computed measures are in the results cache beside OUT, as they
    // are for every trial: the build after it, over the first release again, is the one timed.
    restore(&out, &releases[0]);
    publish(1, &out);
    restore(&out, &releases[0]);
    let duration = publish(1, &out);
    let mut current = identify(&out, &releases);

    let mut rng = fastrand::Rng::with_seed(SEED);
    // Random moments over a little more than a timed build, so that the kills reach the swap and
    // the removal of the old release. A build still running near the end of the span shows that
    // trials' builds take longer: the span then grows. Builds that finish before their moment are
    // counted apart, and trials go on until TRIALS builds were killed.
    let mut span = duration.mul_f64(1.1);
    let (mut killed, mut finished) = (0, 0);
    let (mut previous, mut new_after_kill) = (0, 0);
    let (mut staging_left, mut scratch_left) = (0, 0);
    let started = Instant::now();
    while killed < TRIALS {
        assert!(
            finished < 2 * TRIALS,
            "{finished} builds finished before their kill"
        );
        let moment = span.mul_f64(rng.f64());
        // Every trial publishes the later release over the earlier one.
        if current != 0 {
            restore(&out, &releases[0]);
        }
        let building = 1;
        let mut child = build_command(building, &out)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(moment);
        // SIGKILL; a build that ended already is not affected.
        child.kill().unwrap();
        let status: ExitStatus = child.wait().unwrap();
        let was_killed = !status.success();
        let beside = names(temp.path());
        if beside.iter().any(|name| name == ".public.staging") {
            staging_left += 1;
        }
        if beside.iter().any(|name| name == ".public.scratch") {
            scratch_left += 1;
        }
        verify_checksums(&out);
        let now = identify(&out, &releases);
        if was_killed {
            killed += 1;
            if moment > span.mul_f64(0.9) {
                span = span.mul_f64(1.25);
            }
            if now == building {
                new_after_kill += 1;
            } else {
                previous += 1;
            }
        } else {
            finished += 1;
            assert_eq!(
                now, building,
                "a build that succeeded published its release"
            );
        }
        current = now;
    }
    let report = format!(
        "crash trials: {killed} builds killed (seed {SEED:#x}, moments over {span:.2?}, a whole \
         build {duration:.2?}; {finished} more finished before their moment): OUT was the \
         previous release after {previous} kills and the new one after {new_after_kill}, intact \
         every time; left behind: {staging_left} staging and {scratch_left} scratch directories \
         (spilled rows); {:.1?} in all",
        started.elapsed()
    );
    eprintln!("{report}");
    fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("crash-trials.txt"),
        format!("{report}\n"),
    )
    .unwrap();
    assert!(previous > 0, "some kills came before the swap");
    assert!(finished > 0, "the kills reached the end of a build");

    // Leftovers of the killed builds do not stand in the way of the next one, which removes them.
    restore(&out, &releases[0]);
    publish(1, &out);
    verify_checksums(&out);
    assert_eq!(identify(&out, &releases), 1);
    assert_eq!(
        names(temp.path()),
        [".public.cache", ".public.lock", "public"]
    );
}

#[test]
fn a_full_disk_fails_clearly_and_leaves_out_as_it_was() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    publish(0, &out);
    let before = tree(&out);
    // Files may not grow past 64 KiB (128 KiB where the shell counts 1 KiB blocks), far less
    // than the sample's tables. SIGXFSZ is ignored, so a write past the limit fails with EFBIG,
    // as one fails with ENOSPC on a full disk, instead of killing the program.
    let command = build_command(1, &out);
    let build = command
        .get_args()
        .map(ToOwned::to_owned)
        .collect::<Vec<_>>();
    let output = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 128 && exec \"$0\" \"$@\"")
        .arg(command.get_program())
        .args(build)
        .envs(
            command
                .get_envs()
                .filter_map(|(name, value)| Some((name, value?))),
        )
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.starts_with(&format!(
            "error: out of space writing the release for {}",
            out.display()
        )),
        "{message}"
    );
    assert!(message.contains("File too large"), "{message}");
    assert!(
        message.contains("the disk is full or a file size limit was reached"),
        "{message}"
    );
    assert!(
        message.contains(&format!("{} is as it was", out.display())),
        "{message}"
    );
    assert!(tree(&out) == before, "OUT changed");
    verify_checksums(&out);
    assert_eq!(
        names(temp.path()),
        [".public.cache", ".public.lock", "public"]
    );
}

#[test]
fn two_builds_into_one_out_never_corrupt_it() {
    let (releases, _) = references();
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let staging = temp.path().join(".public.staging");
    let mut refused = 0;
    for _ in 0..3 {
        // Both publish the later release over the earlier one.
        restore(&out, &releases[0]);
        // The first build holds the lock once its staging directory exists.
        let mut first = build_command(1, &out)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !staging.exists() && first.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the build never started staging");
            std::thread::sleep(Duration::from_millis(1));
        }
        let second = build_command(1, &out).output().unwrap();
        let first = first.wait_with_output().unwrap();
        assert!(
            first.status.success(),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        let message = String::from_utf8_lossy(&second.stderr);
        if second.status.success() {
            // The first had finished already; the second published the same release again.
            assert_eq!(identify(&out, &releases), 1);
        } else {
            refused += 1;
            assert_eq!(second.status.code(), Some(1), "{message}");
            assert_eq!(
                message.trim_end(),
                format!(
                    "error: another build is publishing into {} (lock {} is held); try again \
                     when it ends",
                    out.display(),
                    temp.path().join(".public.lock").display()
                )
            );
            assert_eq!(identify(&out, &releases), 1);
        }
        verify_checksums(&out);
    }
    assert!(refused > 0, "no build ever ran into another");

    // Several at once: each publishes whole or is refused whole.
    restore(&out, &releases[0]);
    let children: Vec<_> = (0..4)
        .map(|_| {
            build_command(1, &out)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut published = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        let message = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            published += 1;
        } else {
            assert!(
                message.contains("another build is publishing into"),
                "{message}"
            );
        }
    }
    assert!(published > 0);
    verify_checksums(&out);
    identify(&out, &releases);
    assert_eq!(
        names(temp.path()),
        [".public.cache", ".public.lock", "public"]
    );
}
