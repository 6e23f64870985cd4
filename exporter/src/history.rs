//! The history of every value published: `data/revisions.parquet` (and `.csv`) holds each
//! version of each observation row with the time a release first published it and the time a
//! later release restated or removed it, and `data/publications.*` lists the releases.
//!
//! Each build reads the history of the release it replaces and carries it forward: one pass
//! over the previous file, in its order (measure, breakdown, group, period, publication – the
//! order the measures stream through the build), merged measure by measure with the rows being
//! published. Memory holds one measure's versions at a time, never the whole history.
//!
//! The history file is self-contained: its key-value metadata `civicmetrics.publications`
//! lists every release it covers, with the digests of that release's observations files, so
//! that [`crate::asof`] can rebuild any of them and check the result.

use std::cmp::Ordering;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMillisecondType};
use arrow_array::{
    Array, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use dataset::document::Revision;
use dataset::model::{AppliedTarget, Bounds, Status, TOTAL, TargetKind, TargetSource};
use dataset::source::SeriesRow;
use dataset::{CalendarDate, Observation};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::file::metadata::KeyValue;
use serde::{Deserialize, Serialize};

use crate::build::Formats;
use crate::error::{Error, IoContext};
use crate::tables::{self, FileMetadata, ObservationWriter, RevisionTimes, WrittenFile};
use crate::vintage::{DEFINITIONS_KEY, DefinitionsStore};

/// The key of the history file's metadata that lists its publications.
pub(crate) const PUBLICATIONS_KEY: &str = "civicmetrics.publications";

/// Rows read from the previous history at a time.
const READ_BATCH_ROWS: usize = 8 * 1024;

/// One release published into a history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// The publication time, RFC 3339 in UTC.
    pub published_at: String,
    /// The schema version the release followed.
    pub schema_version: String,
    /// The dataset's identifier then.
    pub dataset_id: String,
    /// The dataset's title then.
    pub title: String,
    /// The dataset's licence then.
    pub license: String,
    /// Rows of the release's observations table.
    pub observation_rows: u64,
    /// SHA-256 of the release's `observations.parquet`, when it was published.
    pub observations_parquet_sha256: Option<String>,
    /// SHA-256 of the release's `observations.csv`, when it was published.
    pub observations_csv_sha256: Option<String>,
}

impl Publication {
    /// The key-value metadata the release's Parquet files carried.
    pub(crate) fn file_metadata(&self) -> FileMetadata {
        tables::file_metadata(
            &self.dataset_id,
            &self.title,
            &self.schema_version,
            &self.published_at,
            &self.license,
        )
    }

    /// The publication time in seconds since the Unix epoch.
    pub(crate) fn seconds(&self) -> Option<i64> {
        tables::timestamp_seconds(&self.published_at)
    }

    /// Each observations file of `formats` in `dir` (a release's `data/`), by name, and
    /// whether its SHA-256 is the one this release published (`None` when it published no
    /// such file).
    pub(crate) fn check_observations(
        &self,
        dir: &Path,
        formats: Formats,
    ) -> Result<Vec<(String, Option<bool>)>, Error> {
        let mut files = Vec::new();
        for (name, written, expected) in [
            (
                "observations.parquet",
                formats.parquet,
                &self.observations_parquet_sha256,
            ),
            (
                "observations.csv",
                formats.csv,
                &self.observations_csv_sha256,
            ),
        ] {
            if written {
                let actual = crate::build::hash_file(&dir.join(name))?.1;
                files.push((name.to_owned(), expected.as_ref().map(|e| *e == actual)));
            }
        }
        Ok(files)
    }

    /// The row of the publications table.
    pub(crate) fn cells(&self) -> Vec<Option<String>> {
        vec![
            Some(self.published_at.clone()),
            Some(self.schema_version.clone()),
            Some(self.dataset_id.clone()),
            Some(self.title.clone()),
            Some(self.license.clone()),
            Some(self.observation_rows.to_string()),
            self.observations_parquet_sha256.clone(),
            self.observations_csv_sha256.clone(),
        ]
    }
}

/// One version of an observation row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Version {
    /// Shared by the versions of a measure read one after another.
    pub(crate) measure_id: Rc<str>,
    pub(crate) row: SeriesRow,
    pub(crate) times: RevisionTimes,
}

/// A row's place in the history's order within a measure: breakdown, group, period.
fn row_key(row: &SeriesRow) -> (&str, &str, CalendarDate) {
    let (breakdown, group) = row
        .breakdown
        .as_ref()
        .map_or((TOTAL, TOTAL), |(d, g)| (d.as_str(), g.as_str()));
    (breakdown, group, row.observation.period_start)
}

/// A history file read in order, one version at a time.
pub(crate) struct HistoryReader {
    path: PathBuf,
    batches: ParquetRecordBatchReader,
    batch: Option<VersionColumns>,
    next_row: usize,
    peeked: Option<Version>,
    /// The measure id of the version read last.
    measure: Option<Rc<str>>,
    publications: Vec<Publication>,
    /// The definitions kept with the publications, as the metadata holds them (decoded only
    /// when asked for).
    definitions: Option<String>,
}

impl HistoryReader {
    /// Opens a history file; an error if it is not one.
    pub(crate) fn open(path: &Path) -> Result<HistoryReader, Error> {
        let file = File::open(path).io_context(path)?;
        let malformed = |reason: String| Error::History {
            path: path.to_owned(),
            reason,
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| malformed(format!("not a Parquet file ({e})")))?;
        let metadata = |key: &str| {
            builder
                .metadata()
                .file_metadata()
                .key_value_metadata()
                .and_then(|pairs| pairs.iter().find(|pair| pair.key == key))
                .and_then(|pair| pair.value.clone())
        };
        let definitions = metadata(DEFINITIONS_KEY);
        let publications = metadata(PUBLICATIONS_KEY)
            .ok_or_else(|| malformed(format!("it has no `{PUBLICATIONS_KEY}` metadata")))?;
        let publications: Vec<Publication> = serde_json::from_str(&publications)
            .map_err(|e| malformed(format!("its list of publications cannot be read ({e})")))?;
        if publications.iter().any(|p| p.seconds().is_none()) {
            return Err(malformed(
                "a publication time is not an RFC 3339 time".to_owned(),
            ));
        }
        let expected = tables::revisions();
        let schema = builder.schema();
        for column in &expected.columns {
            if schema
                .field_with_name(&column.name)
                .map_or(true, |field| *field.data_type() != column.kind.arrow())
            {
                return Err(malformed(format!(
                    "column `{}` is missing or not of type {}",
                    column.name,
                    column.kind.arrow()
                )));
            }
        }
        let batches = builder
            .with_batch_size(READ_BATCH_ROWS)
            .build()
            .map_err(|e| malformed(e.to_string()))?;
        Ok(HistoryReader {
            path: path.to_owned(),
            batches,
            batch: None,
            next_row: 0,
            peeked: None,
            measure: None,
            publications,
            definitions,
        })
    }

    /// The file read.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The definitions kept with the publications (none for a history written before they
    /// were kept).
    pub(crate) fn definitions(&self) -> Result<DefinitionsStore, Error> {
        match &self.definitions {
            None => Ok(DefinitionsStore::default()),
            Some(value) => DefinitionsStore::decode(value).map_err(|reason| Error::History {
                path: self.path.clone(),
                reason: format!("its `{DEFINITIONS_KEY}` metadata cannot be read: {reason}"),
            }),
        }
    }

    /// The error for a time `at` before the history's first publication.
    pub(crate) fn before_history(&self, at: i64) -> Error {
        Error::BeforeHistory {
            path: self.path.clone(),
            first: self
                .publications
                .first()
                .map_or_else(String::new, |p| p.published_at.clone()),
            at: tables::timestamp_text(at),
        }
    }

    /// The rows of `measure_id` current at `time` (seconds since the Unix epoch), in the
    /// history's order, after skipping the measures before it; measures are asked for in
    /// order.
    pub(crate) fn current_rows(
        &mut self,
        measure_id: &str,
        time: i64,
    ) -> Result<Vec<SeriesRow>, Error> {
        let mut rows = Vec::new();
        while let Some(id) = self.peek_measure()? {
            match id.cmp(measure_id) {
                Ordering::Greater => break,
                order => {
                    let version = self.next_version()?.expect("peeked");
                    if order == Ordering::Equal && version.times.current_at(time) {
                        rows.push(version.row);
                    }
                }
            }
        }
        Ok(rows)
    }

    /// The releases the history covers, oldest first.
    pub(crate) fn publications(&self) -> &[Publication] {
        &self.publications
    }

    /// The time of the last release in the history, in seconds since the Unix epoch.
    pub(crate) fn last_published(&self) -> Option<i64> {
        self.publications.last().and_then(Publication::seconds)
    }

    /// The next version, in the file's order.
    pub(crate) fn next_version(&mut self) -> Result<Option<Version>, Error> {
        if let Some(version) = self.peeked.take() {
            return Ok(Some(version));
        }
        loop {
            if let Some(batch) = &self.batch
                && self.next_row < batch.rows
            {
                let version = batch
                    .version(self.next_row, &mut self.measure)
                    .ok_or_else(|| Error::History {
                        path: self.path.clone(),
                        reason: "a row has an empty required cell or an unknown name".to_owned(),
                    })?;
                self.next_row += 1;
                return Ok(Some(version));
            }
            let next = self
                .batches
                .next()
                .transpose()
                .map_err(|e| Error::History {
                    path: self.path.clone(),
                    reason: e.to_string(),
                })?;
            match next {
                Some(batch) => {
                    self.batch =
                        Some(VersionColumns::of(&batch).ok_or_else(|| Error::History {
                            path: self.path.clone(),
                            reason: "a column is missing or of another type".to_owned(),
                        })?);
                    self.next_row = 0;
                }
                None => return Ok(None),
            }
        }
    }

    /// The next version's measure, without taking it.
    fn peek_measure(&mut self) -> Result<Option<&str>, Error> {
        if self.peeked.is_none() {
            self.peeked = self.next_version()?;
        }
        Ok(self.peeked.as_ref().map(|v| &*v.measure_id))
    }
}

/// The columns of a batch of the revisions table, found and typed once per batch.
struct VersionColumns {
    rows: usize,
    measure_id: StringArray,
    period: StringArray,
    period_start: Date32Array,
    period_end: Date32Array,
    breakdown: StringArray,
    breakdown_group: StringArray,
    value: Float64Array,
    status: StringArray,
    target_kind: StringArray,
    target_value: Float64Array,
    target_min: Float64Array,
    target_max: Float64Array,
    target_near: Float64Array,
    target_source: StringArray,
    note: StringArray,
    record_count: Int64Array,
    provisional: BooleanArray,
    published_at: TimestampMillisecondArray,
    superseded_at: TimestampMillisecondArray,
}

impl VersionColumns {
    /// The batch's columns; `None` if one is missing or of another type.
    fn of(batch: &RecordBatch) -> Option<VersionColumns> {
        let column = |name: &str| batch.column_by_name(name);
        let text = |name: &str| column(name)?.as_string_opt::<i32>().cloned();
        let number = |name: &str| column(name)?.as_primitive_opt::<Float64Type>().cloned();
        let date = |name: &str| column(name)?.as_primitive_opt::<Date32Type>().cloned();
        let time = |name: &str| {
            column(name)?
                .as_primitive_opt::<TimestampMillisecondType>()
                .cloned()
        };
        Some(VersionColumns {
            rows: batch.num_rows(),
            measure_id: text("measure_id")?,
            period: text("period")?,
            period_start: date("period_start")?,
            period_end: date("period_end")?,
            breakdown: text("breakdown")?,
            breakdown_group: text("breakdown_group")?,
            value: number("value")?,
            status: text("status")?,
            target_kind: text("target_kind")?,
            target_value: number("target_value")?,
            target_min: number("target_min")?,
            target_max: number("target_max")?,
            target_near: number("target_near")?,
            target_source: text("target_source")?,
            note: text("note")?,
            record_count: column("record_count")?
                .as_primitive_opt::<Int64Type>()
                .cloned()?,
            provisional: column("provisional")?.as_boolean_opt().cloned()?,
            published_at: time("published_at")?,
            superseded_at: time("superseded_at")?,
        })
    }

    /// Row `i`; `None` if a cell is not as written. `measure` is the measure id of the row
    /// read before, shared when this row's is the same.
    fn version(&self, i: usize, measure: &mut Option<Rc<str>>) -> Option<Version> {
        fn text(array: &StringArray, i: usize) -> Option<&str> {
            array.is_valid(i).then(|| array.value(i))
        }
        fn number(array: &Float64Array, i: usize) -> Option<f64> {
            array.is_valid(i).then(|| array.value(i))
        }
        // Written from whole seconds.
        fn seconds(array: &TimestampMillisecondArray, i: usize) -> Option<i64> {
            array.is_valid(i).then(|| array.value(i).div_euclid(1_000))
        }
        fn named<T: Copy>(all: &[T], name: fn(T) -> &'static str, text: &str) -> Option<T> {
            all.iter().copied().find(|value| name(*value) == text)
        }
        let target = match text(&self.target_kind, i) {
            None => None,
            Some(kind) => Some(AppliedTarget {
                kind: named(TargetKind::ALL, TargetKind::as_str, kind)?,
                bounds: Bounds {
                    value: number(&self.target_value, i),
                    min: number(&self.target_min, i),
                    max: number(&self.target_max, i),
                },
                near: number(&self.target_near, i)?,
                source: named(
                    TargetSource::ALL,
                    TargetSource::as_str,
                    text(&self.target_source, i)?,
                )?,
            }),
        };
        let (breakdown, group) = (text(&self.breakdown, i)?, text(&self.breakdown_group, i)?);
        Some(Version {
            measure_id: {
                let id = text(&self.measure_id, i)?;
                match measure {
                    Some(shared) if **shared == *id => shared.clone(),
                    _ => measure.insert(Rc::from(id)).clone(),
                }
            },
            row: SeriesRow {
                breakdown: ((breakdown, group) != (TOTAL, TOTAL))
                    .then(|| (breakdown.to_owned(), group.to_owned())),
                observation: Observation {
                    period: text(&self.period, i)?.to_owned(),
                    period_start: CalendarDate::from_days_since_epoch(self.period_start.value(i))?,
                    period_end: CalendarDate::from_days_since_epoch(self.period_end.value(i))?,
                    value: number(&self.value, i),
                    status: named(Status::ALL, Status::as_str, text(&self.status, i)?)?,
                    target,
                    note: text(&self.note, i).map(str::to_owned),
                    record_count: self
                        .record_count
                        .is_valid(i)
                        .then(|| u64::try_from(self.record_count.value(i)).unwrap_or(0)),
                    provisional: self.provisional.value(i),
                },
            },
            times: RevisionTimes {
                published_at: seconds(&self.published_at, i)?,
                superseded_at: seconds(&self.superseded_at, i),
            },
        })
    }
}

/// The restatements among a row's versions, oldest first: each version whose value the next
/// one changed. A running period's values change as records arrive: those are not
/// restatements.
fn restatements(chain: &[Version]) -> Vec<Revision> {
    chain
        .windows(2)
        .filter(|pair| {
            let (earlier, later) = (&pair[0].row.observation, &pair[1].row.observation);
            earlier.value != later.value && !earlier.provisional
        })
        .map(|pair| {
            let version = &pair[0];
            let observation = &version.row.observation;
            let (breakdown, group) = match &version.row.breakdown {
                Some((breakdown, group)) => (Some(breakdown.clone()), Some(group.clone())),
                None => (None, None),
            };
            Revision {
                period: observation.period.clone(),
                breakdown,
                group,
                value: observation.value,
                status: observation.status,
                published_at: tables::timestamp_text(version.times.published_at),
                superseded_at: version
                    .times
                    .superseded_at
                    .map(tables::timestamp_text)
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// How a build's history compares with the one it replaces.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HistoryCounts {
    /// Versions in the new history.
    pub versions: u64,
    /// Versions this build published (new or changed rows).
    pub added: u64,
    /// Versions this build superseded (rows restated or removed).
    pub superseded: u64,
    /// The time the build spent on the history: reading the previous one, merging, writing
    /// (the Parquet file's encoding, on a thread of its own, where it held the build up).
    pub elapsed: std::time::Duration,
}

/// The new history, written while the release's measures stream through.
pub(crate) struct HistoryWriter {
    previous: Option<HistoryReader>,
    writer: ObservationWriter,
    now: i64,
    counts: HistoryCounts,
}

impl HistoryWriter {
    /// Starts the history of a release published at `now` into `dir`, carrying `previous`
    /// forward; an error if `previous` holds a publication after `now`.
    pub(crate) fn create(
        previous: Option<HistoryReader>,
        dir: &Path,
        metadata: &FileMetadata,
        formats: Formats,
        now: i64,
    ) -> Result<HistoryWriter, Error> {
        let started = Instant::now();
        if let Some(previous) = &previous
            && let Some(last) = previous.publications.last()
            && last.seconds().is_some_and(|last| last > now)
        {
            return Err(Error::HistoryBackwards {
                path: previous.path.clone(),
                last: last.published_at.clone(),
                published: tables::timestamp_text(now),
            });
        }
        // The history is kept as Parquet whatever the formats: it is what the next build reads.
        let formats = Formats {
            parquet: true,
            ..formats
        };
        let writer = ObservationWriter::create(dir, &tables::revisions(), metadata, formats)?;
        Ok(HistoryWriter {
            previous,
            writer,
            now,
            counts: HistoryCounts {
                elapsed: started.elapsed(),
                ..HistoryCounts::default()
            },
        })
    }

    /// Writes a previous version that no current row matches: superseded now if it was
    /// current, dropped if this publication time had published it (it was never seen). Returns
    /// it as written.
    fn write_unmatched(&mut self, mut version: Version) -> Result<Option<Version>, Error> {
        if version.times.superseded_at.is_none() {
            if version.times.published_at == self.now {
                return Ok(None);
            }
            version.times.superseded_at = Some(self.now);
            self.counts.superseded += 1;
        }
        self.write(&version)?;
        Ok(Some(version))
    }

    fn write(&mut self, version: &Version) -> Result<(), Error> {
        self.counts.versions += 1;
        self.writer
            .push_version(&version.measure_id, &version.row, Some(version.times))
    }

    /// Writes a row as a version published now, and returns it.
    fn write_new(&mut self, measure_id: &str, row: &SeriesRow) -> Result<Version, Error> {
        let version = Version {
            measure_id: Rc::from(measure_id),
            row: row.clone(),
            times: RevisionTimes {
                published_at: self.now,
                superseded_at: None,
            },
        };
        self.counts.added += 1;
        self.write(&version)?;
        Ok(version)
    }

    /// Carries forward the versions of measures before `measure_id` that this release no
    /// longer publishes, and returns the previous versions of `measure_id`.
    fn previous_of(&mut self, measure_id: &str) -> Result<Vec<Version>, Error> {
        let mut versions = Vec::new();
        while let Some(previous) = &mut self.previous {
            match previous.peek_measure()?.map(|id| id.cmp(measure_id)) {
                Some(Ordering::Less) => {
                    let version = previous.next_version()?.expect("peeked");
                    self.write_unmatched(version)?;
                }
                Some(Ordering::Equal) => versions.push(previous.next_version()?.expect("peeked")),
                Some(Ordering::Greater) | None => break,
            }
        }
        Ok(versions)
    }

    /// The history file carried forward, if any.
    pub(crate) fn previous_path(&self) -> Option<&Path> {
        self.previous.as_ref().map(HistoryReader::path)
    }

    /// Copies the CSV rows of measures whose versions did not change from `file` (at `path`),
    /// the `revisions.csv` of the release whose history this one carries forward.
    pub(crate) fn copy_rows_from(&mut self, file: File, path: PathBuf) {
        self.writer.copy_rows_from(file, path);
    }

    /// Adds a measure's rows as this release publishes them (in the series' order), after the
    /// measures before it; returns the restatements of the periods it publishes, and where
    /// its versions are in `revisions.csv` when that is written. With `copy`, the rows are
    /// those the history's last release published, and their versions' CSV rows are those
    /// bytes of the file given to [`HistoryWriter::copy_rows_from`].
    pub(crate) fn add_measure(
        &mut self,
        measure_id: &str,
        rows: &[SeriesRow],
        copy: Option<Range<u64>>,
    ) -> Result<(Vec<Revision>, Option<Range<u64>>), Error> {
        let started = Instant::now();
        let previous = self.previous_of(measure_id)?;
        self.writer.begin_rows(copy);
        let mut previous = previous.into_iter().peekable();
        let mut rows = rows.iter().peekable();
        let mut revisions = Vec::new();
        loop {
            let order = match (previous.peek(), rows.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(version), Some(row)) => row_key(&version.row).cmp(&row_key(row)),
            };
            match order {
                Ordering::Less => {
                    let version = previous.next().expect("peeked");
                    self.write_unmatched(version)?;
                }
                Ordering::Greater => {
                    let row = rows.next().expect("peeked");
                    self.write_new(measure_id, row)?;
                }
                Ordering::Equal => {
                    let row = rows.next().expect("peeked");
                    // Every earlier version of the row: the superseded ones, then the current.
                    let mut chain = Vec::new();
                    while let Some(version) = previous.next_if(|v| row_key(&v.row) == row_key(row))
                    {
                        chain.push(version);
                    }
                    let current = chain.pop_if(|v| v.times.superseded_at.is_none());
                    for version in &chain {
                        self.write(version)?;
                    }
                    match current {
                        Some(current) if current.row == *row => {
                            self.write(&current)?;
                            chain.push(current);
                        }
                        Some(current) => {
                            chain.extend(self.write_unmatched(current)?);
                            chain.push(self.write_new(measure_id, row)?);
                        }
                        None => chain.push(self.write_new(measure_id, row)?),
                    }
                    revisions.extend(restatements(&chain));
                }
            }
        }
        let written = self.writer.end_rows()?;
        self.counts.elapsed += started.elapsed();
        Ok((revisions, written))
    }

    /// Carries forward the measures after the last one published, and closes the files with
    /// `publication` added to the history's list and its `definitions` (the texts of a
    /// [`crate::vintage::DefinitionsWriter`]) kept; returns what changed, the releases the
    /// history lists, and what `revisions.csv` holds when it is written.
    pub(crate) fn finish(
        mut self,
        publication: Publication,
        definitions: Vec<String>,
    ) -> Result<(HistoryCounts, Vec<Publication>, Option<WrittenFile>), Error> {
        let started = Instant::now();
        while let Some(previous) = &mut self.previous {
            match previous.next_version()? {
                Some(version) => {
                    self.write_unmatched(version)?;
                }
                None => break,
            }
        }
        let (mut publications, kept) = match self.previous.take() {
            Some(previous) => {
                let kept = previous.definitions()?;
                (previous.publications, kept)
            }
            None => Default::default(),
        };
        // A build published again at the time of the last one takes its place.
        publications.retain(|p| p.published_at != publication.published_at);
        let published_at = publication.published_at.clone();
        publications.push(publication);
        let kept = kept.with_release(&published_at, definitions, &publications);
        let listed = serde_json::to_string(&publications)?;
        let (_, csv) = self.writer.finish_with(vec![
            KeyValue::new(PUBLICATIONS_KEY.to_owned(), listed),
            KeyValue::new(DEFINITIONS_KEY.to_owned(), kept.encode()?),
        ])?;
        self.counts.elapsed += started.elapsed();
        Ok((self.counts, publications, csv))
    }
}

/// What [`asof`] rebuilt: the release that was current at the time asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vintage {
    /// The release.
    pub publication: Publication,
    /// Observation rows rebuilt.
    pub observation_rows: u64,
    /// Each observations file written, by name, and whether its SHA-256 is the one the release
    /// published (`None` when the release did not publish that format).
    pub files: Vec<(String, Option<bool>)>,
}

/// Rebuilds the observations of the release that was current at `at` (seconds since the Unix
/// epoch) from the history file `history`, into `dir`: `observations.parquet` and
/// `observations.csv` as `formats` ask, each checked against the digest the release published.
///
/// [`Error::History`] when the history is unreadable, [`Error::BeforeHistory`] when it starts
/// after `at`.
pub fn asof(history: &Path, at: i64, dir: &Path, formats: Formats) -> Result<Vintage, Error> {
    let mut reader = HistoryReader::open(history)?;
    let Some(publication) = reader
        .publications()
        .iter()
        .rev()
        .find(|p| p.seconds().is_some_and(|seconds| seconds <= at))
        .cloned()
    else {
        return Err(reader.before_history(at));
    };
    let time = publication.seconds().expect("checked when opened");
    std::fs::create_dir_all(dir).io_context(dir)?;
    let mut writer = ObservationWriter::create(
        dir,
        &tables::observations(),
        &publication.file_metadata(),
        formats,
    )?;
    while let Some(version) = reader.next_version()? {
        if version.times.current_at(time) {
            writer.push(&version.measure_id, &version.row)?;
        }
    }
    let (observation_rows, _) = writer.finish()?;
    let files = publication.check_observations(dir, formats)?;
    Ok(Vintage {
        publication,
        observation_rows,
        files,
    })
}
