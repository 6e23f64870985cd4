//! What a build hands its companions: `begin` once with the staged release, every measure in
//! catalog order on the documents' thread, `finish` once with the index; nothing at all for an
//! invalid source. A companion's failure fails the build and leaves OUT as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::thread::ThreadId;

use dataset::Area;
use dataset::document::{Index, InterfaceStrings, MeasureDocument, PublishedDataset};
use exporter::tables::Table;
use exporter::{Companion, CompanionError, Options, Quiet};

/// Records every call and the thread it came on; fails in `finish`, or at the measure of that
/// position, when told to.
#[derive(Default)]
struct Recorder {
    calls: Vec<String>,
    threads: Vec<ThreadId>,
    staged: Option<PathBuf>,
    fail_at_finish: bool,
    fail_at_measure: Option<usize>,
}

impl Companion for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }

    fn begin(
        &mut self,
        root: &Path,
        dataset: &PublishedDataset,
        strings: &BTreeMap<String, InterfaceStrings>,
    ) -> Result<(), CompanionError> {
        self.calls.push(format!(
            "begin {} with strings in {}",
            dataset.info.id,
            strings.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
        self.threads.push(std::thread::current().id());
        self.staged = Some(root.to_owned());
        Ok(())
    }

    fn add_measure(
        &mut self,
        document: &MeasureDocument,
        area: &Area,
    ) -> Result<(), CompanionError> {
        assert_eq!(document.measure.area, area.id);
        self.calls.push(format!("measure {}", document.measure.id));
        self.threads.push(std::thread::current().id());
        if self.fail_at_measure == Some(self.calls.len() - 1) {
            return Err(format!("the companion could not write {}", document.measure.id).into());
        }
        Ok(())
    }

    fn finish(&mut self, index: &Index, tables: &[&Table]) -> Result<(), CompanionError> {
        self.calls.push(format!(
            "finish {} measures, {} tables",
            index.measures.len(),
            tables.len()
        ));
        self.threads.push(std::thread::current().id());
        if self.fail_at_finish {
            return Err("the companion could not write".into());
        }
        // What the companion writes is swapped in with the data.
        let root = self.staged.as_ref().ok_or("finish before begin")?;
        std::fs::write(root.join("companion.txt"), "written beside data/\n")?;
        Ok(())
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn options(source: &Path, out: &Path) -> Options {
    Options::new(
        root().join(source),
        Some(out.to_owned()),
        // 2026-01-01T00:00:00Z, after every period of the fixtures.
        time::OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap(),
    )
}

#[test]
fn a_companion_sees_every_measure_between_begin_and_finish() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let mut recorder = Recorder::default();
    let source = Path::new("tests/fixtures/valid/small");
    let outcome = exporter::run(&options(source, &out), &mut [&mut recorder], &Quiet).unwrap();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("data/index.json")).unwrap()).unwrap();
    let mut expected = vec!["begin small-city with strings in en, es".to_owned()];
    for summary in index["measures"].as_array().unwrap() {
        expected.push(format!("measure {}", summary["id"].as_str().unwrap()));
    }
    expected.push(format!("finish {} measures, 7 tables", outcome.measures));
    assert_eq!(outcome.measures, 5);
    assert_eq!(recorder.calls, expected);
    assert!(out.join("companion.txt").is_file());
    // `begin` and `finish` on the build's thread, every measure on the documents' own one.
    let threads = &recorder.threads;
    let (begin, measures, finish) = (threads[0], &threads[1..6], threads[6]);
    assert_eq!(begin, std::thread::current().id());
    assert_eq!(finish, begin);
    assert!(
        measures
            .iter()
            .all(|&thread| thread == measures[0] && thread != begin)
    );
}

#[test]
fn an_invalid_source_reaches_no_companion() {
    let temp = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::default();
    let source = Path::new("tests/fixtures/invalid/bad-language-tag");
    let result = exporter::run(
        &options(source, &temp.path().join("public")),
        &mut [&mut recorder],
        &Quiet,
    );
    assert!(
        matches!(result, Err(exporter::Error::Invalid { .. })),
        "{result:?}"
    );
    assert!(recorder.calls.is_empty(), "{:?}", recorder.calls);
}

#[test]
fn a_failing_companion_fails_the_build_and_leaves_out_as_it_was() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    std::fs::create_dir_all(out.join("data")).unwrap();
    std::fs::write(out.join("data/index.json"), "previous release\n").unwrap();
    let mut recorder = Recorder {
        fail_at_finish: true,
        ..Recorder::default()
    };
    let source = Path::new("tests/fixtures/valid/small");
    let error = exporter::run(&options(source, &out), &mut [&mut recorder], &Quiet).unwrap_err();
    assert!(matches!(error, exporter::Error::Companion(_)), "{error:?}");
    assert_eq!(error.to_string(), "the companion could not write");
    assert_eq!(
        std::fs::read_to_string(out.join("data/index.json")).unwrap(),
        "previous release\n"
    );
    assert!(!out.join("companion.txt").exists());
}

#[test]
fn a_companion_failing_at_a_measure_fails_the_build_and_sees_no_more() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let mut recorder = Recorder {
        fail_at_measure: Some(2),
        ..Recorder::default()
    };
    let source = Path::new("tests/fixtures/valid/small");
    let error = exporter::run(&options(source, &out), &mut [&mut recorder], &Quiet).unwrap_err();
    assert!(matches!(error, exporter::Error::Companion(_)), "{error:?}");
    let failed = recorder
        .calls
        .last()
        .unwrap()
        .strip_prefix("measure ")
        .unwrap();
    assert_eq!(
        error.to_string(),
        format!("the companion could not write {failed}")
    );
    // Begun, one measure, the one that failed, and nothing after it.
    assert_eq!(recorder.calls.len(), 3, "{:?}", recorder.calls);
    assert!(!out.exists());
}
