//! The results cache: a computed measure is stored under a key made of everything its values
//! depend on, so that a rebuild whose records and definitions did not change recomputes
//! nothing and publishes the same bytes.
//!
//! The key is the SHA-256 of: the program (its path, size and modification time, so that a
//! rebuilt program never reads what another one computed), the engine's version, the dataset's
//! calendar (time zone, holidays, fiscal year), the measure's id, frequency, places, breakdowns
//! and `[compute]` table, the running period, and every table's files with their digests.
//!
//! A file's digest is itself remembered, by its path, size, modification time and (on Unix)
//! inode and change time: a rebuild over gigabytes of unchanged records reads none of them to
//! know that they did not change. Tools that keep a file's size and modification time while
//! changing it still change its change time, which no program can set back.
//!
//! Entries are written to a temporary file and renamed into place, so that a build killed
//! while writing one leaves either no entry or a whole one; an entry that cannot be read is
//! computed again and rewritten. Entries not used for [`UNUSED_DAYS`] days are removed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use dataset::Period;
use exporter::cache::{file_state, program_identity};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::tables::TableFingerprint;
use crate::{Computed, ComputedRow, Provenance};

/// The version of the entries' format: entries of another version are never read.
const FORMAT: &str = "civicmetrics results cache 2";

/// How long an entry is kept without being used.
pub const UNUSED_DAYS: u64 = 30;

/// A temporary file older than this is a leftover of a killed build.
const LEFTOVER_AGE: Duration = Duration::from_secs(3600);

/// A directory of computed results and remembered file digests.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: PathBuf,
}

/// A computed row as stored: the value as its bits, so that it reads back exactly.
#[derive(Serialize, Deserialize)]
struct StoredRow {
    period: String,
    breakdown: Option<(usize, String)>,
    value_bits: Option<u64>,
    record_count: Option<u64>,
    note: Option<String>,
    provisional: bool,
}

/// A computed measure as stored.
#[derive(Serialize, Deserialize)]
struct StoredComputed {
    format: String,
    rows: Vec<StoredRow>,
    tables: Vec<(String, Vec<(String, String)>)>,
    sql: String,
    engine: String,
    latest_record: Option<String>,
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key of a computation, from its parts in order.
pub(crate) struct KeyBuilder(Sha256);

impl KeyBuilder {
    pub(crate) fn new() -> KeyBuilder {
        let mut builder = KeyBuilder(Sha256::new());
        builder.part(FORMAT);
        builder.part(program_identity());
        builder
    }

    /// Adds a part; parts are length-prefixed, so that no two lists of parts give one text.
    pub(crate) fn part(&mut self, text: &str) -> &mut KeyBuilder {
        self.0.update((text.len() as u64).to_le_bytes());
        self.0.update(text.as_bytes());
        self
    }

    pub(crate) fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

impl Cache {
    /// The cache in `dir`, created when missing.
    pub(crate) fn open(dir: &Path) -> std::io::Result<Cache> {
        for sub in ["results", "digests"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        Ok(Cache {
            dir: dir.to_owned(),
        })
    }

    /// Where downloaded tables are kept, one directory per URL.
    pub(crate) fn downloads(&self) -> PathBuf {
        self.dir.join("downloads")
    }

    /// The SHA-256 digest of the file at `path`, remembered by its state; `digest` reads it
    /// when it is not remembered.
    pub(crate) fn digest(
        &self,
        path: &Path,
        digest: impl FnOnce(&Path) -> std::io::Result<String>,
    ) -> std::io::Result<String> {
        let absolute = std::path::absolute(path)?;
        let metadata = std::fs::metadata(&absolute)?;
        let mut key = KeyBuilder::new();
        key.part(&absolute.to_string_lossy())
            .part(&file_state(&metadata));
        let entry = self.dir.join("digests").join(key.finish());
        if let Ok(remembered) = std::fs::read_to_string(&entry)
            && remembered.len() == 64
            && remembered.bytes().all(|b| b.is_ascii_hexdigit())
        {
            touch(&entry);
            return Ok(remembered);
        }
        let computed = digest(path)?;
        self.write(&entry, computed.as_bytes());
        Ok(computed)
    }

    /// The computed measure stored under `key`, if a whole one is.
    pub(crate) fn get(&self, key: &str, fiscal_year_start_month: u8) -> Option<Computed> {
        let entry = self.dir.join("results").join(key);
        let bytes = std::fs::read(&entry).ok()?;
        let stored: StoredComputed = serde_json::from_slice(&bytes).ok()?;
        if stored.format != FORMAT {
            return None;
        }
        let rows = stored
            .rows
            .into_iter()
            .map(|row| {
                Some(ComputedRow {
                    period: Period::parse_any(&row.period, fiscal_year_start_month).ok()?,
                    breakdown: row.breakdown,
                    value: row.value_bits.map(f64::from_bits),
                    record_count: row.record_count,
                    note: row.note,
                    provisional: row.provisional,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        touch(&entry);
        Some(Computed {
            rows,
            provenance: Provenance {
                tables: stored
                    .tables
                    .into_iter()
                    .map(|(table, files)| TableFingerprint { table, files })
                    .collect(),
                sql: stored.sql,
                engine: stored.engine,
            },
            latest_record: stored.latest_record,
        })
    }

    /// Stores `computed` under `key`.
    pub(crate) fn put(&self, key: &str, computed: &Computed) {
        let stored = StoredComputed {
            format: FORMAT.to_owned(),
            rows: computed
                .rows
                .iter()
                .map(|row| StoredRow {
                    period: row.period.label(),
                    breakdown: row.breakdown.clone(),
                    value_bits: row.value.map(f64::to_bits),
                    record_count: row.record_count,
                    note: row.note.clone(),
                    provisional: row.provisional,
                })
                .collect(),
            tables: computed
                .provenance
                .tables
                .iter()
                .map(|fingerprint| (fingerprint.table.clone(), fingerprint.files.clone()))
                .collect(),
            sql: computed.provenance.sql.clone(),
            engine: computed.provenance.engine.clone(),
            latest_record: computed.latest_record.clone(),
        };
        if let Ok(bytes) = serde_json::to_vec(&stored) {
            self.write(&self.dir.join("results").join(key), &bytes);
        }
    }

    /// Writes `bytes` to `path` whole or not at all. A cache that cannot be written only
    /// costs the next build time, so failures are not reported.
    fn write(&self, path: &Path, bytes: &[u8]) {
        let Some(dir) = path.parent() else { return };
        let _ = tempfile::NamedTempFile::new_in(dir).and_then(|mut file| {
            file.write_all(bytes)?;
            file.persist(path).map_err(|error| error.error)?;
            Ok(())
        });
    }

    /// Removes entries and downloads not used for [`UNUSED_DAYS`] days, and temporary files
    /// that killed builds left.
    pub(crate) fn sweep(&self) {
        let now = SystemTime::now();
        let unused = Duration::from_secs(UNUSED_DAYS * 24 * 3600);
        let age = |path: &Path| {
            std::fs::metadata(path)
                .and_then(|metadata| metadata.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
        };
        if let Ok(places) = std::fs::read_dir(self.downloads()) {
            for place in places.flatten() {
                let place = place.path();
                // A download's record is touched whenever it is used; a place without one is
                // a download that failed, or one another build is making right now.
                let stale = match age(&place.join("kept.json")) {
                    Some(age) => age > unused,
                    None => age(&place).is_some_and(|age| age > LEFTOVER_AGE),
                };
                if stale {
                    let _ = std::fs::remove_dir_all(&place);
                    continue;
                }
                for file in std::fs::read_dir(&place).into_iter().flatten().flatten() {
                    let temporary = file.file_name().to_string_lossy().starts_with('.');
                    if temporary && age(&file.path()).is_some_and(|age| age > LEFTOVER_AGE) {
                        let _ = std::fs::remove_file(file.path());
                    }
                }
            }
        }
        for sub in ["results", "digests"] {
            let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let temporary = entry.file_name().to_string_lossy().starts_with('.');
                let age = entry
                    .metadata()
                    .and_then(|metadata| metadata.modified())
                    .ok()
                    .and_then(|modified| now.duration_since(modified).ok());
                let limit = if temporary { LEFTOVER_AGE } else { unused };
                if age.is_some_and(|age| age > limit) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

/// Marks the entry at `path` as used now.
fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().write(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}
