//! Past releases published again. Besides its values, a release is made of its definitions:
//! the dataset's metadata, areas and interface strings, the formats it published, and each
//! measure's definition, provenance and latest record. The history keeps those of every
//! publication in its metadata (`civicmetrics.definitions`: each distinct text once, zstd, then
//! base64), so that [`republish`] can replay the releases up to any past time into a new
//! directory, each from its definitions and the values the history says it published: the
//! result is the release that was current then, byte for byte (the same program and companions
//! given), its own history and the site's announcements included.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use base64::Engine as _;
use dataset::document::{InterfaceStrings, Provenance};
use dataset::source::{Series, SeriesRow};
use dataset::{Area, CalendarDate, DatasetInfo, Measure};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::build::{self, Formats};
use crate::companion::Companion;
use crate::error::Error;
use crate::history::{HistoryReader, Publication, Vintage};
use crate::progress::Progress;
use crate::publish::OutLock;

/// The key of the history file's metadata that keeps each publication's definitions.
pub(crate) const DEFINITIONS_KEY: &str = "civicmetrics.definitions";

/// The zstd level the kept definitions are compressed at: they are read back whole by every
/// build, so decompression speed matters more than the last percent of size.
const ZSTD_LEVEL: i32 = 3;

/// What a release published that is the same for every measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReleaseSettings {
    pub(crate) formats: Formats,
    /// The names of the companions published beside `data/`.
    pub(crate) companions: Vec<String>,
    pub(crate) dataset: DatasetInfo,
    pub(crate) areas: Vec<Area>,
    pub(crate) strings: BTreeMap<String, InterfaceStrings>,
}

/// A measure as a release published it, besides its values (written from borrowed parts).
#[derive(Serialize)]
pub(crate) struct MeasureDefinitionRef<'a> {
    pub(crate) measure: &'a Measure,
    pub(crate) provenance: Option<&'a Provenance>,
    pub(crate) latest_record: Option<&'a str>,
}

/// [`MeasureDefinitionRef`] read back.
#[derive(Deserialize)]
struct MeasureDefinition {
    measure: Measure,
    provenance: Option<Provenance>,
    latest_record: Option<String>,
}

/// One publication's definitions in the store: its parts (the settings, then the measures in
/// the release's order) as indices into the store's texts, written as the change from the
/// release kept before it – a release mostly repeats the one before, and the store grows with
/// what changed, not with the number of releases times the number of measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct KeptRelease {
    published_at: String,
    /// How many parts the release has.
    parts: u32,
    /// `[position, text]` for each part that differs from the release kept before (every part
    /// of the first), by position.
    changed: Vec<[u32; 2]>,
}

/// The definitions of every publication of a history, each distinct JSON text kept once.
///
/// Its form is canonical – texts numbered by first use, publications oldest first – so that
/// the store of a replayed history is the one the history had then.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct DefinitionsStore {
    texts: Vec<String>,
    releases: Vec<KeptRelease>,
}

/// The change from the parts `before` to `after`, as [`KeptRelease::changed`] lists it.
fn changes(before: &[u32], after: &[u32]) -> Vec<[u32; 2]> {
    after
        .iter()
        .enumerate()
        .filter(|&(position, text)| before.get(position) != Some(text))
        .map(|(position, &text)| [position as u32, text])
        .collect()
}

impl DefinitionsStore {
    /// The store in the metadata value `value`.
    pub(crate) fn decode(value: &str) -> Result<DefinitionsStore, String> {
        let compressed = base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|e| format!("not base64 ({e})"))?;
        let json =
            zstd::decode_all(compressed.as_slice()).map_err(|e| format!("not zstd ({e})"))?;
        let store: DefinitionsStore = serde_json::from_slice(&json)
            .map_err(|e| format!("not the definitions' JSON ({e})"))?;
        // Every release's every part names a text.
        let mut parts: Vec<Option<u32>> = Vec::new();
        for release in &store.releases {
            parts.resize(release.parts as usize, None);
            for &[position, text] in &release.changed {
                let known = (text as usize) < store.texts.len();
                match parts.get_mut(position as usize) {
                    Some(part) if known => *part = Some(text),
                    _ => {
                        return Err(format!(
                            "the release of {} is cut short",
                            release.published_at
                        ));
                    }
                }
            }
            if parts.contains(&None) {
                return Err(format!(
                    "the release of {} is cut short",
                    release.published_at
                ));
            }
        }
        Ok(store)
    }

    /// The metadata value that holds the store.
    pub(crate) fn encode(&self) -> Result<String, Error> {
        let json = serde_json::to_vec(self)?;
        let compressed = zstd::encode_all(json.as_slice(), ZSTD_LEVEL)
            .map_err(|e| Error::io(Path::new(DEFINITIONS_KEY), e))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(compressed))
    }

    /// The store with `parts` as the definitions of the release published at `published_at`,
    /// the last of `publications` (in place of one published at that time already), keeping
    /// only the releases of `publications` and renumbering the texts by first use. The time it
    /// takes grows with the texts and the changes kept, not with the number of releases.
    pub(crate) fn with_release(
        self,
        published_at: &str,
        parts: Vec<String>,
        publications: &[Publication],
    ) -> DefinitionsStore {
        let DefinitionsStore {
            mut texts,
            releases,
        } = self;
        let mut store = DefinitionsStore::default();
        let mut renumbered: Vec<Option<u32>> = vec![None; texts.len()];
        // The parts of the release last kept, in the new numbers.
        let mut last: Vec<u32> = Vec::new();
        let mut releases = releases.into_iter().peekable();
        for publication in publications {
            if publication.published_at == published_at {
                break;
            }
            // Releases of times no longer listed (none, as the list only grows) are skipped.
            while releases
                .next_if(|r| r.published_at < publication.published_at)
                .is_some()
            {}
            let Some(release) = releases.next_if(|r| r.published_at == publication.published_at)
            else {
                continue;
            };
            let mut changed = Vec::with_capacity(release.changed.len());
            // `decode` made sure every part is set and names a text.
            last.resize(release.parts as usize, u32::MAX);
            for [position, text] in release.changed {
                let number = *renumbered[text as usize].get_or_insert_with(|| {
                    store.texts.push(std::mem::take(&mut texts[text as usize]));
                    (store.texts.len() - 1) as u32
                });
                last[position as usize] = number;
                changed.push([position, number]);
            }
            store.releases.push(KeptRelease {
                published_at: release.published_at,
                parts: release.parts,
                changed,
            });
        }
        let mut numbers: HashMap<&str, u32> = store
            .texts
            .iter()
            .enumerate()
            .map(|(n, text)| (text.as_str(), n as u32))
            .collect();
        let mut added = Vec::new();
        let new: Vec<u32> = parts
            .iter()
            .map(|text| {
                *numbers.entry(text.as_str()).or_insert_with(|| {
                    added.push(text);
                    (store.texts.len() + added.len() - 1) as u32
                })
            })
            .collect();
        let changed = changes(&last, &new);
        store.texts.extend(added.into_iter().cloned());
        store.releases.push(KeptRelease {
            published_at: published_at.to_owned(),
            parts: new.len() as u32,
            changed,
        });
        store
    }

    /// The texts of the release published at `published_at`, when the store has them.
    pub(crate) fn release(&self, published_at: &str) -> Option<Vec<&str>> {
        let mut parts: Vec<u32> = Vec::new();
        for release in &self.releases {
            // `decode` made sure every part is set and names a text.
            parts.resize(release.parts as usize, u32::MAX);
            for &[position, text] in &release.changed {
                parts[position as usize] = text;
            }
            if release.published_at == published_at {
                return parts
                    .iter()
                    .map(|&n| self.texts.get(n as usize).map(String::as_str))
                    .collect();
            }
        }
        None
    }
}

/// The definitions being published, as the texts the store keeps.
#[derive(Debug, Default)]
pub(crate) struct DefinitionsWriter {
    parts: Vec<String>,
}

impl DefinitionsWriter {
    /// Starts with the release's settings.
    pub(crate) fn new(settings: &ReleaseSettings) -> Result<DefinitionsWriter, Error> {
        Ok(DefinitionsWriter {
            parts: vec![serde_json::to_string(settings)?],
        })
    }

    /// Adds the next measure.
    pub(crate) fn add(&mut self, measure: &MeasureDefinitionRef<'_>) -> Result<(), Error> {
        self.parts.push(serde_json::to_string(measure)?);
        Ok(())
    }

    pub(crate) fn into_parts(self) -> Vec<String> {
        self.parts
    }
}

/// Publishes again, into `out` (a directory that does not exist or is empty), the release that
/// was current at `at` (seconds since the Unix epoch) according to the history file `history`:
/// every release of the history up to that one is published in turn, from the definitions and
/// values the history kept, with `companions` (the residents' site, for one) as a build would.
/// Returns that release and whether its observations files are the ones it published.
///
/// [`Error::BeforeHistory`] when the history starts after `at`; [`Error::NoDefinitions`] when
/// it does not keep the definitions of a release to replay (one published by a version before
/// they were kept).
pub fn republish(
    history: &Path,
    at: i64,
    out: &Path,
    companions: &mut [&mut dyn Companion],
    progress: &dyn Progress,
) -> Result<Vintage, Error> {
    let reader = HistoryReader::open(history)?;
    let publications = reader.publications().to_vec();
    let Some(last) = publications
        .iter()
        .rposition(|p| p.seconds().is_some_and(|seconds| seconds <= at))
    else {
        return Err(reader.before_history(at));
    };
    let store = reader.definitions()?;
    drop(reader);
    let not_empty = out
        .read_dir()
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if not_empty {
        return Err(Error::BadOutput {
            path: out.to_owned(),
            reason: "it is not empty: a past release is published into a new directory".to_owned(),
        });
    }
    progress.start("Publishing past releases again", last as u64 + 1);
    for publication in &publications[..=last] {
        let texts =
            store
                .release(&publication.published_at)
                .ok_or_else(|| Error::NoDefinitions {
                    path: history.to_owned(),
                    published_at: publication.published_at.clone(),
                })?;
        replay(history, publication, &texts, out, companions)?;
        progress.advance(1);
    }
    progress.finish();
    let publication = publications[last].clone();
    // The files that release published.
    let published = Formats {
        parquet: publication.observations_parquet_sha256.is_some(),
        csv: publication.observations_csv_sha256.is_some(),
        json: false,
        legacy_documents: false,
    };
    let files = publication.check_observations(&out.join("data"), published)?;
    Ok(Vintage {
        observation_rows: publication.observation_rows,
        publication,
        files,
    })
}

/// Publishes `publication` into `out` over the release before it, from its definitions
/// `texts` and the values current at its time in `history`.
fn replay(
    history: &Path,
    publication: &Publication,
    texts: &[&str],
    out: &Path,
    companions: &mut [&mut dyn Companion],
) -> Result<(), Error> {
    let malformed = |what: &str, e: serde_json::Error| Error::History {
        path: history.to_owned(),
        reason: format!(
            "the {what} kept for the release of {} cannot be read ({e})",
            publication.published_at
        ),
    };
    let (settings, measures) = texts.split_first().ok_or_else(|| Error::History {
        path: history.to_owned(),
        reason: format!(
            "no settings are kept for the release of {}",
            publication.published_at
        ),
    })?;
    let settings: ReleaseSettings =
        serde_json::from_str(settings).map_err(|e| malformed("settings", e))?;
    let time = publication
        .seconds()
        .expect("checked when the history was opened");
    let published = OffsetDateTime::from_unix_timestamp(time).map_err(|_| Error::History {
        path: history.to_owned(),
        reason: format!("{} is out of range", publication.published_at),
    })?;
    let lock = OutLock::acquire(out)?;
    // The release replayed before this one, if any: DIR holds nothing else.
    let previous = build::previous_history(out, None, &mut Vec::new())?;
    let mut companions: Vec<&mut dyn Companion> = companions
        .iter_mut()
        .filter(|companion| settings.companions.iter().any(|c| c == companion.name()))
        .map(|companion| &mut **companion as &mut dyn Companion)
        .collect();
    std::thread::scope(|scope| {
        let mut outputs = build::Outputs::create(
            scope,
            &lock,
            &settings,
            published,
            &mut companions,
            previous,
            measures.len(),
            crate::cache::BuildCache::default(),
        )?;
        let mut values = HistoryReader::open(history)?;
        let (mut first, mut last): (Option<CalendarDate>, Option<CalendarDate>) = (None, None);
        for text in measures {
            let definition: MeasureDefinition =
                serde_json::from_str(text).map_err(|e| malformed("measure definition", e))?;
            let measure = &definition.measure;
            let rows: Vec<SeriesRow> = values.current_rows(&measure.id, time)?;
            for row in &rows {
                let (start, end) = (row.observation.period_start, row.observation.period_end);
                first = Some(first.map_or(start, |f| f.min(start)));
                last = Some(last.map_or(end, |l| l.max(end)));
            }
            let area = settings
                .areas
                .iter()
                .find(|area| area.id == measure.area)
                .ok_or_else(|| Error::History {
                    path: history.to_owned(),
                    reason: format!(
                        "measure `{}` of the release of {} is in an area it does not define",
                        measure.id, publication.published_at
                    ),
                })?;
            outputs.add_measure(
                measure,
                area,
                Series { rows },
                definition.provenance,
                definition.latest_record,
            )?;
        }
        let temporal = first
            .zip(last)
            .map(|(first, last)| format!("{first}/{last}"));
        outputs.finish(&settings.areas, &settings.dataset.languages, temporal)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publication(published_at: &str) -> Publication {
        Publication {
            published_at: published_at.to_owned(),
            schema_version: "1.4.0".to_owned(),
            dataset_id: "city".to_owned(),
            title: "City".to_owned(),
            license: "CC0-1.0".to_owned(),
            observation_rows: 0,
            observations_parquet_sha256: None,
            observations_csv_sha256: None,
        }
    }

    fn texts(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|&text| text.to_owned()).collect()
    }

    #[test]
    fn each_text_is_kept_once_and_numbered_by_first_use() {
        let (first, second) = (
            publication("2026-11-01T00:00:00Z"),
            publication("2026-11-08T00:00:00Z"),
        );
        let store = DefinitionsStore::default().with_release(
            &first.published_at,
            texts(&["settings", "a", "b"]),
            std::slice::from_ref(&first),
        );
        let store = store.with_release(
            &second.published_at,
            texts(&["settings", "a", "b2"]),
            &[first.clone(), second.clone()],
        );
        assert_eq!(store.texts, texts(&["settings", "a", "b", "b2"]));
        assert_eq!(
            store.release(&second.published_at),
            Some(vec!["settings", "a", "b2"])
        );
        let decoded = DefinitionsStore::decode(&store.encode().expect("encoded")).expect("decoded");
        assert_eq!(decoded, store);
    }

    #[test]
    fn a_release_published_again_at_the_same_time_replaces_its_definitions() {
        let (first, second) = (
            publication("2026-11-01T00:00:00Z"),
            publication("2026-11-08T00:00:00Z"),
        );
        let both = [first.clone(), second.clone()];
        let store = DefinitionsStore::default()
            .with_release(&first.published_at, texts(&["s", "a"]), &both[..1])
            .with_release(&second.published_at, texts(&["s", "gone"]), &both)
            .with_release(&second.published_at, texts(&["s", "a", "c"]), &both);
        // The text only the replaced definitions used is not kept: the store is the one a
        // history built without them would have.
        let direct = DefinitionsStore::default()
            .with_release(&first.published_at, texts(&["s", "a"]), &both[..1])
            .with_release(&second.published_at, texts(&["s", "a", "c"]), &both);
        assert_eq!(store, direct);
        assert_eq!(store.texts, texts(&["s", "a", "c"]));
    }

    #[test]
    fn a_release_is_kept_as_its_change_from_the_one_before() {
        let times = [
            "2026-11-01T00:00:00Z",
            "2026-11-08T00:00:00Z",
            "2026-11-15T00:00:00Z",
        ];
        let all: Vec<Publication> = times.iter().map(|&t| publication(t)).collect();
        let mut store = DefinitionsStore::default();
        for (n, parts) in [&["s", "a", "b"][..], &["s", "a", "b"], &["s", "a2"]]
            .into_iter()
            .enumerate()
        {
            store = store.with_release(times[n], texts(parts), &all[..=n]);
        }
        let changed: Vec<&[[u32; 2]]> = store.releases.iter().map(|r| &r.changed[..]).collect();
        assert_eq!(changed, [&[[0, 0], [1, 1], [2, 2]][..], &[], &[[1, 3]]]);
        assert_eq!(store.release(times[1]), Some(vec!["s", "a", "b"]));
        assert_eq!(store.release(times[2]), Some(vec!["s", "a2"]));
        let decoded = DefinitionsStore::decode(&store.encode().expect("encoded")).expect("decoded");
        assert_eq!(decoded, store);
        // A store whose release leaves a part unset, or names no text, is refused.
        for (parts, changed) in [(2, [0, 0]), (1, [0, 1])] {
            let broken = DefinitionsStore {
                texts: texts(&["s"]),
                releases: vec![KeptRelease {
                    published_at: times[0].to_owned(),
                    parts,
                    changed: vec![changed],
                }],
            };
            let encoded = broken.encode().expect("encoded");
            assert!(DefinitionsStore::decode(&encoded).is_err(), "{broken:?}");
        }
    }

    #[test]
    fn a_publication_without_kept_definitions_has_none() {
        let old = publication("2026-10-01T00:00:00Z");
        let new = publication("2026-11-01T00:00:00Z");
        let store = DefinitionsStore::default().with_release(
            &new.published_at,
            texts(&["s"]),
            &[old.clone(), new.clone()],
        );
        assert_eq!(store.release(&old.published_at), None);
        assert!(DefinitionsStore::decode("not base64!").is_err());
    }
}
