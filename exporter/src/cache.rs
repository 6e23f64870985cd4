//! The build cache: what a build into OUT reuses of the release it replaces.
//!
//! A build records, for each measure, a key – the SHA-256 of the program, the measure's id and
//! every cell of its rows as the observations table publishes them – and where those rows lie
//! in the release's `observations.csv` and, among the history's, in `revisions.csv`. The next
//! build into the same OUT takes each measure's key again from the rows it is about to
//! publish; when the key is the one recorded, the measure's CSV rows are copied as bytes from
//! the release being replaced instead of being formatted again. Its revisions are copied only
//! when the history being carried forward is that release's own: the rows being equal, the
//! history then holds the same versions of them.
//!
//! Everything else of a build is done as without a cache – every source file is read and
//! checked, every measure judged, every other file written – so a build with the cache
//! publishes the same bytes as one without, which the tests check.
//!
//! Trust. The cache names the release it was written for by the SHA-256 of its
//! `data/SHA256SUMS`, and each file it copies from by its SHA-256. A file is read again and its
//! digest checked unless its state (size, modification time, inode, change time: no program
//! can set a change time back) is the one recorded when it was published. A cache that cannot
//! be read, was written by another program or for another release, or a file whose digest
//! does not match, is not used: the build formats every row, and says why. The cache is
//! written after the release is published, to a temporary file renamed into place, so a build
//! killed at any point leaves either the previous cache, which then names a release that is no
//! longer there, or the new one.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

use dataset::source::SeriesRow;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::build::hash_file;
use crate::error::{Error, IoContext};

/// The version of the cache's format: a cache of another version is never read.
const FORMAT: &str = "civicmetrics build cache 1";

/// The cache's file in its directory.
const FILE_NAME: &str = "build.json";

/// The release files rows are copied from, and the history file checked.
pub(crate) const OBSERVATIONS_CSV: &str = "observations.csv";
pub(crate) const REVISIONS_CSV: &str = "revisions.csv";
pub(crate) const REVISIONS_PARQUET: &str = "revisions.parquet";

/// What identifies the running program: its path, size and modification time. What a build
/// writes depends on the program's code, which no version number pins while it is developed.
pub fn program_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let Ok(path) = std::env::current_exe() else {
            // Nothing identifies the program: no key will match another run's.
            return format!("unknown program {:?}", SystemTime::now());
        };
        match std::fs::metadata(&path) {
            Ok(metadata) => format!(
                "{} {} {:?}",
                path.display(),
                metadata.len(),
                metadata.modified().ok()
            ),
            Err(_) => format!("{} unreadable {:?}", path.display(), SystemTime::now()),
        }
    })
}

/// What identifies a file's contents without reading them: its size, modification time and,
/// on Unix, its device, inode and change time.
pub fn file_state(metadata: &std::fs::Metadata) -> String {
    let modified = metadata.modified().ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        format!(
            "{} {modified:?} {} {} {}.{}",
            metadata.len(),
            metadata.dev(),
            metadata.ino(),
            metadata.ctime(),
            metadata.ctime_nsec()
        )
    }
    #[cfg(not(unix))]
    {
        format!(
            "{} {modified:?} {:?}",
            metadata.len(),
            metadata.created().ok()
        )
    }
}

/// A file of the release as the cache knows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredFile {
    sha256: String,
    /// [`file_state`] when the release was published.
    state: String,
}

/// A measure's rows in the release.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredMeasure {
    key: String,
    /// Its rows' bytes in `observations.csv`.
    observations: Range<u64>,
    /// Its versions' bytes in `revisions.csv`.
    revisions: Option<Range<u64>>,
}

/// The cache as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    format: String,
    program: String,
    /// The SHA-256 of the release's `data/SHA256SUMS`.
    release: String,
    files: BTreeMap<String, StoredFile>,
    measures: BTreeMap<String, StoredMeasure>,
}

/// The key of a measure's rows: equal keys, equal bytes in every table.
pub(crate) fn measure_key(measure_id: &str, rows: &[SeriesRow]) -> String {
    let mut hasher = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    part(FORMAT.as_bytes());
    part(program_identity().as_bytes());
    part(measure_id.as_bytes());
    // One buffer per row, hashed at once: far fewer calls into the hasher than cells.
    let mut row_bytes = Vec::with_capacity(256);
    for row in rows {
        row_bytes.clear();
        encode_row(row, &mut row_bytes);
        part(&row_bytes);
    }
    format!("{:x}", hasher.finalize())
}

/// Every cell of `row`, each length-prefixed, so that no two rows encode alike.
fn encode_row(row: &SeriesRow, out: &mut Vec<u8>) {
    fn text(out: &mut Vec<u8>, text: Option<&str>) {
        match text {
            None => out.push(0),
            Some(text) => {
                out.push(1);
                out.extend_from_slice(&(text.len() as u64).to_le_bytes());
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    fn number(out: &mut Vec<u8>, number: Option<f64>) {
        match number {
            None => out.push(0),
            Some(number) => {
                out.push(1);
                out.extend_from_slice(&number.to_bits().to_le_bytes());
            }
        }
    }
    let observation = &row.observation;
    let (breakdown, group) = match &row.breakdown {
        Some((breakdown, group)) => (Some(breakdown.as_str()), Some(group.as_str())),
        None => (None, None),
    };
    text(out, breakdown);
    text(out, group);
    text(out, Some(&observation.period));
    out.extend_from_slice(&observation.period_start.days_since_epoch().to_le_bytes());
    out.extend_from_slice(&observation.period_end.days_since_epoch().to_le_bytes());
    number(out, observation.value);
    text(out, Some(observation.status.as_str()));
    let target = observation.target.as_ref();
    text(out, target.map(|t| t.kind.as_str()));
    number(out, target.and_then(|t| t.bounds.value));
    number(out, target.and_then(|t| t.bounds.min));
    number(out, target.and_then(|t| t.bounds.max));
    number(out, target.map(|t| t.near));
    text(out, target.map(|t| t.source.as_str()));
    text(out, observation.note.as_deref());
    match observation.record_count {
        None => out.push(0),
        Some(count) => {
            out.push(1);
            out.extend_from_slice(&count.to_le_bytes());
        }
    }
    out.push(u8::from(observation.provisional));
}

/// What a build does with the build cache.
#[derive(Debug, Default)]
pub(crate) struct BuildCache {
    /// The cache of the release being replaced, when it can be used.
    pub(crate) previous: Option<Previous>,
    /// Whether the new release's cache is recorded.
    pub(crate) record: bool,
}

/// The cache of the release being replaced, checked against it.
#[derive(Debug)]
pub(crate) struct Previous {
    data: PathBuf,
    measures: BTreeMap<String, StoredMeasure>,
    /// Whether `revisions.csv` may be copied from (the history carried forward is the
    /// release's own, and the file is as published).
    revisions: bool,
    /// The release's history file as published.
    revisions_parquet: Option<StoredFile>,
}

/// A file of the release checked against the cache: the same state, or the same digest.
fn file_matches(data: &Path, name: &str, files: &BTreeMap<String, StoredFile>) -> bool {
    let Some(stored) = files.get(name) else {
        return false;
    };
    let path = data.join(name);
    let Ok(metadata) = std::fs::metadata(&path) else {
        return false;
    };
    file_state(&metadata) == stored.state
        || hash_file(&path).is_ok_and(|(_, sha256)| sha256 == stored.sha256)
}

impl Previous {
    /// The cache in `dir` for the release in `out`, when it describes that release; `Err` with
    /// the reason when there is a cache but it cannot be used, `Ok(None)` when there is none.
    pub(crate) fn load(dir: &Path, out: &Path) -> Result<Option<Previous>, String> {
        let path = dir.join(FILE_NAME);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(format!("{} cannot be read ({error})", path.display())),
        };
        let stored: Stored = serde_json::from_slice(&text)
            .map_err(|error| format!("{} cannot be read ({error})", path.display()))?;
        if stored.format != FORMAT || stored.program != program_identity() {
            return Err("it was written by another program".to_owned());
        }
        let data = out.join("data");
        let sums = hash_file(&data.join("SHA256SUMS")).map(|(_, sha256)| sha256);
        if sums.ok().as_deref() != Some(stored.release.as_str()) {
            return Err("it describes another release than the one in OUT".to_owned());
        }
        if !file_matches(&data, OBSERVATIONS_CSV, &stored.files) {
            return Err(format!(
                "data/{OBSERVATIONS_CSV} changed since it was published"
            ));
        }
        let revisions = file_matches(&data, REVISIONS_CSV, &stored.files);
        let mut files = stored.files;
        Ok(Some(Previous {
            data,
            measures: stored.measures,
            revisions,
            revisions_parquet: files.remove(REVISIONS_PARQUET),
        }))
    }

    /// The bytes of a measure's rows in the release's `observations.csv`, when its key is the
    /// one recorded.
    pub(crate) fn observations(&self, measure_id: &str, key: &str) -> Option<Range<u64>> {
        let stored = self.measures.get(measure_id)?;
        (stored.key == key).then(|| stored.observations.clone())
    }

    /// The bytes of a measure's versions in the release's `revisions.csv`, when its key is the
    /// one recorded and the history carried forward is the release's.
    pub(crate) fn revisions(&self, measure_id: &str, key: &str) -> Option<Range<u64>> {
        let stored = self.measures.get(measure_id)?;
        (self.revisions && stored.key == key)
            .then(|| stored.revisions.clone())
            .flatten()
    }

    /// Stops copying revisions unless `history`, the history file this build carries
    /// forward, is the release's own `revisions.parquet` as published.
    pub(crate) fn check_history(&mut self, history: Option<&Path>) {
        let Some(history) = history else {
            self.revisions = false;
            return;
        };
        self.revisions = self.revisions
            && self.revisions_parquet.as_ref().is_some_and(|stored| {
                std::fs::metadata(history).is_ok_and(|m| file_state(&m) == stored.state)
                    || hash_file(history).is_ok_and(|(_, sha256)| sha256 == stored.sha256)
            });
    }

    /// Whether versions are copied from the release's `revisions.csv`.
    pub(crate) fn copies_revisions(&self) -> bool {
        self.revisions
    }

    /// The release's CSV file `name` (`observations.csv` or `revisions.csv`), opened to copy
    /// rows from.
    pub(crate) fn open(&self, name: &str) -> Result<(File, PathBuf), Error> {
        let path = self.data.join(name);
        Ok((File::open(&path).io_context(&path)?, path))
    }
}

/// The cache of the release being built, recorded measure by measure.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    measures: BTreeMap<String, StoredMeasure>,
}

impl Recorder {
    /// Records where a measure's rows went.
    pub(crate) fn add(
        &mut self,
        measure_id: &str,
        key: String,
        observations: Range<u64>,
        revisions: Option<Range<u64>>,
    ) {
        self.measures.insert(
            measure_id.to_owned(),
            StoredMeasure {
                key,
                observations,
                revisions,
            },
        );
    }

    /// Writes the cache into `dir` for the release just published in `out`, whose files'
    /// digests are `digests` (by name under `data/`).
    pub(crate) fn write(
        self,
        dir: &Path,
        out: &Path,
        digests: &BTreeMap<String, String>,
    ) -> Result<(), Error> {
        let data = out.join("data");
        let mut files = BTreeMap::new();
        for name in [OBSERVATIONS_CSV, REVISIONS_CSV, REVISIONS_PARQUET] {
            let path = data.join(name);
            if let (Some(sha256), Ok(metadata)) = (digests.get(name), std::fs::metadata(&path)) {
                files.insert(
                    name.to_owned(),
                    StoredFile {
                        sha256: sha256.clone(),
                        state: file_state(&metadata),
                    },
                );
            }
        }
        let (_, release) = hash_file(&data.join("SHA256SUMS"))?;
        let stored = Stored {
            format: FORMAT.to_owned(),
            program: program_identity().to_owned(),
            release,
            files,
            measures: self.measures,
        };
        std::fs::create_dir_all(dir).io_context(dir)?;
        let mut file = tempfile::NamedTempFile::new_in(dir).io_context(dir)?;
        let mut writer = std::io::BufWriter::new(file.as_file_mut());
        serde_json::to_writer(&mut writer, &stored)?;
        writer.flush().io_context(dir)?;
        drop(writer);
        let path = dir.join(FILE_NAME);
        file.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        Ok(())
    }
}
