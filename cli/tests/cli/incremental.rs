//! The build cache: a build into an OUT that holds a release copies the table rows of the
//! measures that did not change from it, and publishes byte for byte what a build without the
//! cache publishes; a cache or a release file that does not match is not trusted.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{assert_same_tree, civicmetrics_at, copy_tree, root, stderr};

/// The seed of the edits; printed, so that a failure can be replayed.
const SEED: u64 = 0x00b1_1d0c_2026_1206;

/// The measures of the sample.
const MEASURES: usize = 48;

/// `civicmetrics build SOURCE --out OUT` published at `epoch` with `extra` arguments,
/// asserting success.
fn build(source: &Path, out: &Path, epoch: u64, extra: &[&str]) -> Output {
    let mut args = vec![
        "build".to_owned(),
        source.display().to_string(),
        "--out".to_owned(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let output = civicmetrics_at(&epoch.to_string(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    output
}

/// Publishes `source` at `epoch` over the release in `out` twice: into `out` with the cache,
/// and into `full`, a copy of that release, without it; asserts that both publish the same
/// tree, and returns what the build with the cache said.
fn build_both_ways(source: &Path, out: &Path, full: &Path, epoch: u64) -> Output {
    std::fs::remove_dir_all(full).ok();
    copy_tree(out, full);
    let cached = build(source, out, epoch, &[]);
    build(source, full, epoch, &["--no-cache"]);
    assert_same_tree(full, out);
    cached
}

/// How many measures' rows the build copied, as it reports it.
fn reused(output: &Output) -> usize {
    let messages = stderr(output);
    messages
        .lines()
        .find_map(|line| {
            line.strip_prefix("build cache: the table rows of ")?
                .split_once(" of ")?
                .0
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// The files of `dir` (recursively) whose names end with `extension`, sorted.
fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    found.sort();
    found
}

/// One random edit of one measure of the source in `source`; returns what it did.
fn edit(source: &Path, kind: usize, rng: &mut fastrand::Rng) -> String {
    if kind == 2 {
        // A definition: the target of a measure that has one.
        let measures: Vec<PathBuf> = files(&source.join("measures"), "toml")
            .into_iter()
            .filter(|path| {
                let text = std::fs::read_to_string(path).unwrap();
                text.contains("\n[target]\nkind = \"at_least\"\nvalue = ")
            })
            .collect();
        let path = &measures[rng.usize(..measures.len())];
        let text = std::fs::read_to_string(path).unwrap();
        let (before, after) = text
            .split_once("[target]\nkind = \"at_least\"\nvalue = ")
            .unwrap();
        let (value, rest) = after.split_once('\n').unwrap();
        let value: f64 = value.parse().unwrap();
        let changed = format!(
            "{before}[target]\nkind = \"at_least\"\nvalue = {}\n{rest}",
            value - 1.0
        );
        std::fs::write(path, changed).unwrap();
        return format!("target of {} lowered from {value}", path.display());
    }
    let csvs = files(&source.join("observations"), "csv");
    let path = &csvs[rng.usize(..csvs.len())];
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = 1 + rng.usize(..lines.len() - 1);
    let what = match kind {
        0 => {
            // A value, made a tenth smaller (still within any bounds).
            let mut cells: Vec<String> = lines[line].split(',').map(str::to_owned).collect();
            let value: f64 = cells[2].parse().unwrap_or(10.0);
            cells[2] = format!("{:.1}", value * 0.9);
            let what = format!(
                "{}:{} value {} -> {}",
                path.display(),
                line + 1,
                lines[line],
                cells[2]
            );
            lines[line] = cells.join(",");
            what
        }
        _ => {
            let what = format!("{}:{} removed: {}", path.display(), line + 1, lines[line]);
            lines.remove(line);
            what
        }
    };
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
    what
}

#[test]
fn a_rebuild_with_the_cache_publishes_what_a_full_build_does() {
    println!("seed {SEED:#x}");
    let mut rng = fastrand::Rng::with_seed(SEED);
    let temp = tempfile::tempdir().unwrap();
    let source = temp.path().join("source");
    copy_tree(&root().join("examples/seattle"), &source);
    let out = temp.path().join("public");
    let full = temp.path().join("full");
    let mut epoch = 1_790_000_000;
    let first = build(&source, &out, epoch, &[]);
    assert_eq!(reused(&first), 0, "nothing to reuse the first time");
    assert!(temp.path().join(".public.cache/build.json").is_file());

    // A value changed, a row removed, a target changed: one measure each.
    for kind in [0, 1, 2] {
        let what = edit(&source, kind, &mut rng);
        epoch += 3_600;
        let cached = build_both_ways(&source, &out, &full, epoch);
        let copied = reused(&cached);
        match kind {
            2 => assert!(copied >= MEASURES - 1, "{what}: {}", stderr(&cached)),
            _ => assert_eq!(copied, MEASURES - 1, "{what}: {}", stderr(&cached)),
        }
    }

    // Nothing changed: every measure's rows are copied.
    epoch += 3_600;
    let again = build(&source, &out, epoch, &[]);
    assert_eq!(reused(&again), MEASURES, "{}", stderr(&again));
}

#[test]
fn the_cache_is_not_trusted_past_a_mismatched_digest() {
    let temp = tempfile::tempdir().unwrap();
    let source = root().join("examples/seattle");
    let out = temp.path().join("public");
    let full = temp.path().join("full");
    let cache = temp.path().join(".public.cache/build.json");
    let mut epoch = 1_790_000_000;
    build(&source, &out, epoch, &[]);
    let kept = std::fs::read(&cache).unwrap();

    // Each damage in turn, and what the build says of it; the release is always the one a
    // build without the cache publishes.
    let damages: [(&str, Damage, &str); 4] = [
        (
            "a byte of observations.csv changed",
            |out, _, _| flip_byte(&out.join("data/observations.csv")),
            "data/observations.csv changed since it was published",
        ),
        (
            "the cache cut short",
            |_, cache, _| {
                let text = std::fs::read(cache).unwrap();
                std::fs::write(cache, &text[..text.len() / 2]).unwrap();
            },
            "cannot be read",
        ),
        (
            "the cache of the release before (a build killed before writing its cache)",
            |_, cache, kept| std::fs::write(cache, kept).unwrap(),
            "it describes another release than the one in OUT",
        ),
        (
            "a byte of revisions.csv changed: only the observations are copied",
            |out, _, _| flip_byte(&out.join("data/revisions.csv")),
            "",
        ),
    ];
    for (what, damage, said) in damages {
        epoch += 3_600;
        // A release (and its cache) to damage.
        build(&source, &out, epoch, &[]);
        damage(&out, &cache, &kept);
        epoch += 3_600;
        // The damaged file is replaced by the build: the one without the cache starts from the
        // same damaged release.
        let cached = build_both_ways(&source, &out, &full, epoch);
        let messages = stderr(&cached);
        match said {
            "" => {
                assert_eq!(reused(&cached), MEASURES, "{what}: {messages}");
                assert!(!messages.contains("not used"), "{what}: {messages}");
            }
            said => {
                assert_eq!(reused(&cached), 0, "{what}: {messages}");
                assert!(
                    messages.contains("build cache not used: ") && messages.contains(said),
                    "{what}: {messages}"
                );
            }
        }
    }
}

/// Damages a release (OUT, the cache's file, the cache of the release before).
type Damage = fn(&Path, &Path, &[u8]);

/// Changes one byte in the middle of the file at `path`, keeping its size.
fn flip_byte(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'7' { b'8' } else { b'7' };
    std::fs::write(path, bytes).unwrap();
}
