//! The publishing pipeline: load and check the definitions, stream the observation files into a
//! per-measure store, then take one measure at a time – sort, check for duplicates, judge
//! status – and stream it into every output. Validation is the same pipeline without outputs.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use dataset::document::{
    BreakdownGroup, BreakdownSeries, Download, Index, InterfaceStrings, LEGACY_SCHEMAS,
    MeasureDocument, MeasureSummary, PublishedDataset, SCHEMA_VERSION,
};
use dataset::legacy::{LegacyIndex, LegacyStrings};
use dataset::source::{Catalog, Series, check_series, judge_series};
use dataset::{Area, CalendarDate, Diagnostic, Freshness, Measure};
use locales::Locales;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::automation::{Automation, ComputedMeasure, Request};
use crate::cache;
use crate::companion::Companion;
use crate::documents::{DocumentJob, DocumentThread, DocumentWriter};
use crate::error::{Error, IoContext};
use crate::history::{HistoryCounts, HistoryReader, HistoryWriter, Publication};
use crate::load::load;
use crate::metadata::{FileFacts, data_dictionary, data_package, dcat_catalog};
use crate::progress::Progress;
use crate::publish::{OutLock, Staging};
use crate::read::{ReadContext, read_observations};
pub use crate::store::DEFAULT_MEMORY_ROWS;
use crate::tables::{self, FileMetadata, ObservationWriter, write_text_table};
use crate::vintage::{DefinitionsWriter, MeasureDefinitionRef, ReleaseSettings};

/// Observation files of 16 MiB or more are read in parts, one per core.
pub const DEFAULT_PARALLEL_BYTES: u64 = 16 << 20;

/// What to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The source directory.
    pub source: PathBuf,
    /// Where to publish; `None` only validates.
    pub out: Option<PathBuf>,
    /// The publication time: `modified` in the metadata, and "today" for future-period warnings.
    pub published: OffsetDateTime,
    /// Observation rows held in memory before they spill to disk ([`DEFAULT_MEMORY_ROWS`]): the
    /// whole build's, shared by every file and part read at once.
    pub memory_rows: usize,
    /// Observation files at least this big are read in parts, one per core, at once
    /// ([`DEFAULT_PARALLEL_BYTES`]); the result is the same as reading them in one go.
    pub parallel_bytes: u64,
    /// Which formats are published.
    pub formats: Formats,
    /// What computes the measures defined by `[compute]`; without one, such measures are
    /// errors.
    pub automation: Option<std::sync::Arc<dyn Automation>>,
    /// A history file kept outside OUT (`--history`): read instead of the release's own
    /// `data/revisions.parquet` (unless that one is later: a build stopped between publishing
    /// and replacing the file), and replaced with the new history once the release is
    /// published.
    pub history: Option<PathBuf>,
    /// The build cache's directory (see [`crate::cache`]): the table rows of measures that did
    /// not change since the release in OUT are copied from it instead of formatted again. The
    /// release is the same with or without one.
    pub cache: Option<PathBuf>,
}

/// Where under `data/` the documents of schema 1 go, in the layout of `data/` itself.
pub const LEGACY_DIR: &str = "v1";

/// The data formats a build publishes. The metadata (`data.json`, `dictionary.md`) and
/// `SHA256SUMS` are always written; `datapackage.json` describes the CSV files and comes with
/// them. What a [`Companion`] writes beside `data/` is the companion's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Formats {
    /// The four tables as Parquet.
    pub parquet: bool,
    /// The four tables as CSV, with `datapackage.json`.
    pub csv: bool,
    /// `index.json`, `measures/<id>.json` and their JSON Schemas: what the widgets read.
    pub json: bool,
    /// With `json`, the documents of schema 1 too, under `data/v1/` (`--legacy-documents`), for
    /// readers that have not moved to schema 2.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legacy_documents: bool,
}

impl Formats {
    /// Every format, in the current schema only.
    pub const ALL: Formats = Formats {
        parquet: true,
        csv: true,
        json: true,
        legacy_documents: false,
    };

    /// Whether the documents of schema 1 are written too.
    pub(crate) fn legacy_json(self) -> bool {
        self.json && self.legacy_documents
    }
}

impl Default for Formats {
    fn default() -> Self {
        Formats::ALL
    }
}

impl Options {
    /// Options with the default memory budget.
    pub fn new(source: PathBuf, out: Option<PathBuf>, published: OffsetDateTime) -> Options {
        Options {
            source,
            out,
            published,
            memory_rows: DEFAULT_MEMORY_ROWS,
            parallel_bytes: DEFAULT_PARALLEL_BYTES,
            formats: Formats::ALL,
            automation: None,
            history: None,
            cache: None,
        }
    }
}

/// What a successful run did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Warnings (a successful run has no errors).
    pub diagnostics: Vec<Diagnostic>,
    /// Files published, relative to OUT, with their sizes in bytes.
    pub files: Vec<(String, u64)>,
    /// Number of measures.
    pub measures: usize,
    /// Number of observation rows published (or checked).
    pub observations: u64,
    /// What the release's history of published values holds and this build added to it;
    /// `None` when nothing was published.
    pub history: Option<HistoryCounts>,
    /// What the build cache saved.
    pub cache: CacheUse,
}

/// What the build cache did for a build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CacheUse {
    /// Measures whose rows in `observations.csv` were copied from the release replaced.
    pub reused: usize,
    /// Why a cache there was could not be used, or why the new one was not written.
    pub unused: Option<String>,
}

/// The publication time as RFC 3339 in UTC, to the second.
pub fn rfc3339(time: OffsetDateTime) -> String {
    let time = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        CalendarDate(time.date()),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// The outputs of a build, open while measures stream through.
pub(crate) struct Outputs<'l, 'c, 'd, 's> {
    /// The documents and the companions' files, written beside the tables. Declared before
    /// `staging`, so that on an error its thread has stopped writing into the staged release
    /// before that is removed.
    documents: DocumentThread<'c, 'd, 's>,
    staging: Staging<'l>,
    data: PathBuf,
    observations: ObservationWriter,
    summaries: Vec<MeasureSummary>,
    downloads: Vec<Download>,
    dataset: PublishedDataset,
    parquet_metadata: FileMetadata,
    formats: Formats,
    /// Whether any companion is written from the documents.
    has_companions: bool,
    /// The publication date, which goals and freshness are judged at.
    today: CalendarDate,
    /// Every value ever published, carried forward from the release being replaced.
    history: HistoryWriter,
    /// What the history keeps of the release besides its values.
    definitions: DefinitionsWriter,
    /// The cache of the release being replaced, when it can be used.
    cached: Option<cache::Previous>,
    /// The cache of this release, when one is kept.
    recorder: Option<cache::Recorder>,
    /// Measures whose CSV rows were copied.
    reused: usize,
}

/// What [`Outputs::finish`] published.
pub(crate) struct Published {
    /// Files published, relative to OUT, with their sizes.
    pub(crate) files: Vec<(String, u64)>,
    pub(crate) history: HistoryCounts,
    /// The cache of the release, with the digests of its files under `data/`, by name.
    pub(crate) cache: Option<(cache::Recorder, BTreeMap<String, String>)>,
    /// Measures whose CSV rows were copied.
    pub(crate) reused: usize,
}

/// The table files a release offers for download: those of the formats chosen, and the
/// history's Parquet file in any case.
fn downloads(formats: Formats) -> Vec<Download> {
    let mut downloads = Vec::new();
    for (name, title) in [
        ("observations", "Observations"),
        ("measures", "Measures"),
        ("goals", "Multi-year goals"),
        ("analysis", "Analysis by period"),
        ("areas", "Priority areas"),
        ("revisions", "Every value ever published"),
        ("publications", "Releases published"),
    ] {
        if formats.csv {
            downloads.push(Download {
                title: format!("{title} (CSV)"),
                path: format!("{name}.csv"),
                media_type: "text/csv".to_owned(),
            });
        }
        // The history is kept as Parquet whatever the formats: the next build reads it.
        if formats.parquet || name == "revisions" {
            downloads.push(Download {
                title: format!("{title} (Parquet)"),
                path: format!("{name}.parquet"),
                media_type: "application/vnd.apache.parquet".to_owned(),
            });
        }
    }
    downloads
}

/// The interface strings a release publishes: those of every language of the dataset and of
/// every language with a file, so that a widget on another site can speak any of them.
/// Validation made sure each dataset language has strings.
fn interface_strings(
    languages: &[String],
    locales: &Locales,
) -> BTreeMap<String, InterfaceStrings> {
    languages
        .iter()
        .map(String::as_str)
        .chain(locales.languages())
        .filter_map(|language| Some((language.to_owned(), locales.strings(language)?)))
        .collect()
}

pub(crate) fn write_json(
    path: &Path,
    value: &impl serde::Serialize,
    pretty: bool,
) -> Result<(), Error> {
    let mut writer = BufWriter::new(File::create(path).io_context(path)?);
    if pretty {
        serde_json::to_writer_pretty(&mut writer, value)?;
    } else {
        serde_json::to_writer(&mut writer, value)?;
    }
    writer.write_all(b"\n").io_context(path)?;
    writer.flush().io_context(path)
}

/// The history this build carries forward: the release in `out`'s, or `file`'s when given (the
/// later of the two when both exist); a warning when there is none to read although `out`
/// holds a release or `file` is named: the history then starts again with this build.
pub(crate) fn previous_history(
    out: &Path,
    file: Option<&Path>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<HistoryReader>, Error> {
    let data = out.join("data");
    let path = data.join("revisions.parquet");
    let in_out = path
        .exists()
        .then(|| HistoryReader::open(&path))
        .transpose()?;
    if let Some(file) = file {
        if file.exists() {
            let kept = HistoryReader::open(file)?;
            return Ok(Some(match in_out {
                Some(in_out) if in_out.last_published() > kept.last_published() => in_out,
                _ => kept,
            }));
        }
        if in_out.is_none() {
            diagnostics.push(
                Diagnostic::warning(
                    &file.to_string_lossy(),
                    0,
                    0,
                    "the history file does not exist: this build starts a new history of \
                     published values, from its own values, and writes it there",
                )
                .with_help("if the history was kept elsewhere, restore it here and build again"),
            );
        }
        return Ok(in_out);
    }
    if in_out.is_some() {
        return Ok(in_out);
    }
    if data.join("SHA256SUMS").exists() {
        diagnostics.push(
            Diagnostic::warning(
                &path.to_string_lossy(),
                0,
                0,
                "the release being replaced has no history of published values: this build \
                 starts a new one, from its own values",
            )
            .with_help(
                "keep OUT (or a copy of data/revisions.parquet) between builds, so that every \
                 value ever published stays on record",
            ),
        );
    }
    Ok(None)
}

impl<'l, 'c: 's, 'd: 's, 's> Outputs<'l, 'c, 'd, 's> {
    /// Stages a release of `measures` measures published at `published` with `settings`,
    /// carrying the history `previous` forward, with the build cache as `cache` says; the
    /// documents are written on a thread of `scope`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create(
        scope: &'s std::thread::Scope<'s, '_>,
        lock: &'l OutLock,
        settings: &ReleaseSettings,
        published: OffsetDateTime,
        companions: &'c mut [&'d mut dyn Companion],
        previous: Option<HistoryReader>,
        measures: usize,
        cache: cache::BuildCache,
    ) -> Result<Outputs<'l, 'c, 'd, 's>, Error> {
        let formats = settings.formats;
        let today = CalendarDate(published.to_offset(time::UtcOffset::UTC).date());
        let published_at = published.unix_timestamp();
        let published = &rfc3339(published);
        let staging = Staging::begin(lock)?;
        let data = staging.dir().join("data");
        let documents = if formats.json { "measures" } else { "" };
        fs::create_dir_all(data.join(documents)).io_context(&data)?;
        let info = &settings.dataset;
        let parquet_metadata = tables::file_metadata(
            &info.id,
            &info.title,
            SCHEMA_VERSION,
            published,
            &info.license,
        );
        let mut observations =
            ObservationWriter::create(&data, &tables::observations(), &parquet_metadata, formats)?;
        let mut history =
            HistoryWriter::create(previous, &data, &parquet_metadata, formats, published_at)?;
        // The cache records and copies CSV rows.
        let record = cache.record && formats.csv;
        let mut cached = cache.previous;
        if let Some(cached) = cached.as_mut().filter(|_| record) {
            let (file, path) = cached.open(cache::OBSERVATIONS_CSV)?;
            observations.copy_rows_from(file, path);
            cached.check_history(history.previous_path());
            if cached.copies_revisions() {
                let (file, path) = cached.open(cache::REVISIONS_CSV)?;
                history.copy_rows_from(file, path);
            }
        }
        let dataset = PublishedDataset {
            info: info.clone(),
            modified: published.to_owned(),
        };
        let strings = &settings.strings;
        if formats.json {
            let dir = data.join("locales");
            fs::create_dir_all(&dir).io_context(&dir)?;
            for (language, strings) in strings {
                write_json(&dir.join(format!("{language}.json")), strings, false)?;
            }
        }
        if formats.legacy_json() {
            let legacy = data.join(LEGACY_DIR);
            let locales = legacy.join("locales");
            for dir in [
                legacy.join("measures"),
                legacy.join("schema"),
                locales.clone(),
            ] {
                fs::create_dir_all(&dir).io_context(&dir)?;
            }
            for (language, strings) in strings {
                let path = locales.join(format!("{language}.json"));
                write_json(&path, &LegacyStrings::from(strings), false)?;
            }
            for (name, schema) in LEGACY_SCHEMAS {
                let path = legacy.join("schema").join(name);
                fs::write(&path, schema).io_context(&path)?;
            }
        }
        for companion in companions.iter_mut() {
            companion
                .begin(staging.dir(), &dataset, strings)
                .map_err(Error::Companion)?;
        }
        let has_companions = !companions.is_empty();
        let documents = DocumentWriter::new(data.clone(), formats, companions);
        Ok(Outputs {
            staging,
            data,
            observations,
            summaries: Vec::with_capacity(measures),
            downloads: downloads(formats),
            dataset,
            parquet_metadata,
            formats,
            documents: DocumentThread::spawn(scope, documents),
            has_companions,
            today,
            history,
            definitions: DefinitionsWriter::new(settings)?,
            cached: cached.filter(|_| record),
            recorder: record.then(cache::Recorder::default),
            reused: 0,
        })
    }

    /// Publishes a measure, with its rows judged, after the measures before it in the
    /// catalog's order.
    pub(crate) fn add_measure(
        &mut self,
        measure: &Measure,
        area: &Area,
        series: Series,
        provenance: Option<dataset::Provenance>,
        latest_record: Option<String>,
    ) -> Result<(), Error> {
        self.definitions.add(&MeasureDefinitionRef {
            measure,
            provenance: provenance.as_ref(),
            latest_record: latest_record.as_deref(),
        })?;
        let key = self
            .recorder
            .is_some()
            .then(|| cache::measure_key(&measure.id, &series.rows));
        let cached = key.as_deref().zip(self.cached.as_ref());
        let copy = cached.and_then(|(key, cached)| cached.observations(&measure.id, key));
        self.reused += usize::from(copy.is_some());
        self.observations.begin_rows(copy);
        for row in &series.rows {
            self.observations.push(&measure.id, row)?;
        }
        let in_observations = self.observations.end_rows()?;
        let copy = cached.and_then(|(key, cached)| cached.revisions(&measure.id, key));
        let (revisions, in_revisions) =
            self.history.add_measure(&measure.id, &series.rows, copy)?;
        if let (Some(recorder), Some(key), Some(in_observations)) =
            (&mut self.recorder, key, in_observations)
        {
            recorder.add(&measure.id, key, in_observations, in_revisions);
        }
        // The documents are published as JSON, and companions are written from them.
        if !self.formats.json && !self.has_companions {
            return Ok(());
        }
        let latest = series.latest().cloned();
        let mut breakdowns: Vec<BreakdownSeries> = measure
            .breakdowns
            .iter()
            .map(|dimension| BreakdownSeries {
                dimension: dimension.clone(),
                groups: Vec::new(),
            })
            .collect();
        // The rows move into the document: the tables and the history are written.
        let mut totals = Vec::new();
        let mut groups: BTreeMap<(String, String), Vec<dataset::Observation>> = BTreeMap::new();
        for row in series.rows {
            match row.breakdown {
                Some(key) => groups.entry(key).or_default().push(row.observation),
                None => totals.push(row.observation),
            }
        }
        for ((dimension, group), observations) in groups {
            if let Some(series) = breakdowns.iter_mut().find(|b| b.dimension == dimension) {
                series.groups.push(BreakdownGroup {
                    group,
                    observations: observations.into(),
                });
            }
        }
        let observations = dataset::Series::from(totals);
        let fiscal_year_start_month = self.dataset.info.fiscal_year_start_month;
        let mut freshness = Freshness::assess(
            measure.frequency,
            measure.published_within(),
            fiscal_year_start_month,
            &observations,
            self.today,
        );
        freshness.latest_record = latest_record;
        let goal_status: Vec<_> = measure
            .goals
            .iter()
            .map(|goal| {
                goal.assess(
                    measure.frequency,
                    fiscal_year_start_month,
                    &observations,
                    self.today,
                )
            })
            .collect();
        let document = MeasureDocument {
            schema_version: SCHEMA_VERSION.to_owned(),
            dataset: self.dataset.clone(),
            measure: measure.clone(),
            latest: latest.clone(),
            observations,
            breakdowns,
            downloads: self.downloads.clone(),
            provenance,
            freshness: Some(freshness.clone()),
            goal_status: goal_status.clone(),
            revisions,
        };
        let href = format!("measures/{}.json", measure.id);
        self.documents.send(DocumentJob {
            document,
            area: area.clone(),
            href: href.clone(),
        })?;
        self.summaries.push(MeasureSummary {
            measure: measure.clone(),
            latest,
            href,
            freshness: Some(freshness),
            goal_status,
        });
        Ok(())
    }

    /// Writes the files that depend on every measure and publishes the release; `temporal` is
    /// the span of its periods (ISO 8601 interval).
    pub(crate) fn finish(
        self,
        areas: &[Area],
        languages: &[String],
        temporal: Option<String>,
    ) -> Result<Published, Error> {
        let Outputs {
            staging,
            data,
            observations,
            summaries,
            downloads,
            dataset,
            parquet_metadata,
            formats,
            documents,
            has_companions: _,
            today: _,
            history,
            definitions,
            cached: _,
            recorder,
            reused,
        } = self;
        let mut documents = documents.finish()?;
        let (observation_rows, observations_csv) = observations.finish()?;
        // Digests already taken, by file name under data/, so no file is hashed twice.
        let mut hashed = BTreeMap::new();
        if let Some(csv) = observations_csv {
            hashed.insert(cache::OBSERVATIONS_CSV.to_owned(), csv.sha256);
        }
        let observations_parquet_sha256 = match formats.parquet {
            true => {
                let name = "observations.parquet";
                let (_, sha256) = hash_file(&data.join(name))?;
                hashed.insert(name.to_owned(), sha256.clone());
                Some(sha256)
            }
            false => None,
        };
        let info = &dataset.info;
        let publication = Publication {
            published_at: dataset.modified.clone(),
            schema_version: SCHEMA_VERSION.to_owned(),
            dataset_id: info.id.clone(),
            title: info.title.clone(),
            license: info.license.clone(),
            observation_rows,
            observations_parquet_sha256,
            observations_csv_sha256: hashed.get(cache::OBSERVATIONS_CSV).cloned(),
        };
        let (history_counts, publications, revisions_csv) =
            history.finish(publication, definitions.into_parts())?;
        if let Some(csv) = revisions_csv {
            hashed.insert(cache::REVISIONS_CSV.to_owned(), csv.sha256);
        }
        // Hashed here rather than with the other files: the build cache records its digest.
        let (_, sha256) = hash_file(&data.join(cache::REVISIONS_PARQUET))?;
        hashed.insert(cache::REVISIONS_PARQUET.to_owned(), sha256);
        let publications_table = tables::publications();
        let publication_rows: Vec<_> = publications.iter().map(Publication::cells).collect();
        write_text_table(
            &data,
            &publications_table,
            &publication_rows,
            &parquet_metadata,
            formats,
        )?;
        let areas_table = tables::areas(languages);
        let area_rows: Vec<_> = areas
            .iter()
            .enumerate()
            .map(|(i, area)| tables::area_cells(area, i + 1, languages))
            .collect();
        write_text_table(&data, &areas_table, &area_rows, &parquet_metadata, formats)?;
        // Every measure was published, in the catalog's order, with its freshness.
        let measures_table = tables::measures(languages);
        let measure_rows: Vec<_> = summaries
            .iter()
            .filter_map(|summary| {
                let freshness = summary.freshness.as_ref()?;
                Some(tables::measure_cells(
                    &summary.measure,
                    freshness,
                    languages,
                ))
            })
            .collect();
        write_text_table(
            &data,
            &measures_table,
            &measure_rows,
            &parquet_metadata,
            formats,
        )?;
        let goals_table = tables::goals(languages);
        let mut goal_rows: Vec<_> = summaries
            .iter()
            .flat_map(|summary| {
                let measure = &summary.measure;
                measure
                    .goals
                    .iter()
                    .zip(&summary.goal_status)
                    .map(move |(goal, status)| tables::goal_cells(measure, goal, status, languages))
            })
            .collect();
        goal_rows.sort_by(|a, b| a[0].cmp(&b[0]));
        write_text_table(&data, &goals_table, &goal_rows, &parquet_metadata, formats)?;
        let analysis_table = tables::analysis(languages);
        // By measure, then period (a period's last day sorts as its text).
        let mut analysis_rows: Vec<_> = summaries
            .iter()
            .flat_map(|summary| {
                let measure = &summary.measure;
                measure
                    .analysis
                    .iter()
                    .map(move |analysis| tables::analysis_cells(measure, analysis, languages))
            })
            .collect();
        analysis_rows.sort_by(|a, b| (&a[0], &a[2]).cmp(&(&b[0], &b[2])));
        write_text_table(
            &data,
            &analysis_table,
            &analysis_rows,
            &parquet_metadata,
            formats,
        )?;
        let observations_table = tables::observations();
        let revisions_table = tables::revisions();

        let index = Index {
            schema_version: SCHEMA_VERSION.to_owned(),
            dataset: dataset.clone(),
            areas: areas.to_vec(),
            measures: summaries,
            downloads: downloads.clone(),
        };
        if formats.legacy_json() {
            let path = data.join(LEGACY_DIR).join("index.json");
            write_json(&path, &LegacyIndex::from(&index), false)?;
        }
        if formats.json {
            write_json(&data.join("index.json"), &index, false)?;
            fs::create_dir_all(data.join("schema")).io_context(&data)?;
            write_json(
                &data.join("schema/index.schema.json"),
                &schemars::schema_for!(Index),
                true,
            )?;
            write_json(
                &data.join("schema/measure.schema.json"),
                &schemars::schema_for!(MeasureDocument),
                true,
            )?;
            write_json(
                &data.join("schema/locale.schema.json"),
                &schemars::schema_for!(InterfaceStrings),
                true,
            )?;
        }

        let tables = [
            &areas_table,
            &measures_table,
            &goals_table,
            &analysis_table,
            &observations_table,
            &revisions_table,
            &publications_table,
        ];
        if formats.csv {
            let mut described = Vec::with_capacity(tables.len());
            for table in tables {
                let name = format!("{}.csv", table.name);
                let path = data.join(&name);
                let bytes = fs::metadata(&path).io_context(&path)?.len();
                let sha256 = match hashed.get(&name) {
                    Some(sha256) => sha256.clone(),
                    None => hash_file(&path)?.1,
                };
                hashed.insert(name, sha256.clone());
                described.push((table, FileFacts { bytes, sha256 }));
            }
            write_json(
                &data.join("datapackage.json"),
                &data_package(&dataset, &described),
                true,
            )?;
        }
        write_json(
            &data.join("data.json"),
            &dcat_catalog(&dataset, &downloads, &index.measures, formats, temporal),
            true,
        )?;
        fs::write(
            data.join("dictionary.md"),
            data_dictionary(&dataset, &tables),
        )
        .io_context(&data)?;

        for companion in documents.companions() {
            companion
                .finish(&index, &tables)
                .map_err(Error::Companion)?;
        }
        write_checksums(&data, &hashed)?;
        let files = release_files(staging.dir())?;
        staging.commit()?;
        Ok(Published {
            files,
            history: history_counts,
            cache: recorder.map(|recorder| (recorder, hashed)),
            reused,
        })
    }
}

pub(crate) fn hash_file(path: &Path) -> Result<(u64, String), Error> {
    let mut file = File::open(path).io_context(path)?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).io_context(path)?;
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

/// Every file under `dir`, relative to it, sorted.
fn walk(dir: &Path, prefix: &str, files: &mut Vec<String>) -> Result<(), Error> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .io_context(dir)?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .io_context(dir)?;
    entries.sort();
    for name in entries {
        let path = dir.join(&name);
        let relative = format!("{prefix}{name}");
        if path.is_dir() {
            walk(&path, &format!("{relative}/"), files)?;
        } else {
            files.push(relative);
        }
    }
    Ok(())
}

/// Writes `SHA256SUMS` for every file in `data` (the format `sha256sum -c` reads), with the
/// digests in `hashed` (by name) for files already hashed.
fn write_checksums(data: &Path, hashed: &BTreeMap<String, String>) -> Result<(), Error> {
    let mut names = Vec::new();
    walk(data, "", &mut names)?;
    let mut sums = String::new();
    for name in names {
        let sha256 = match hashed.get(&name) {
            Some(sha256) => sha256.clone(),
            None => hash_file(&data.join(&name))?.1,
        };
        sums.push_str(&format!("{sha256}  {name}\n"));
    }
    let path = data.join("SHA256SUMS");
    fs::write(&path, &sums).io_context(&path)
}

/// Every file of the release in `root`, relative to it, with its size in bytes.
fn release_files(root: &Path) -> Result<Vec<(String, u64)>, Error> {
    let mut names = Vec::new();
    walk(root, "", &mut names)?;
    names
        .into_iter()
        .map(|name| {
            let path = root.join(&name);
            let bytes = fs::metadata(&path).io_context(&path)?.len();
            Ok((name, bytes))
        })
        .collect()
}

/// Runs the pipeline: validates the source and, when `options.out` is set and the source is
/// valid, publishes it atomically, with the files of every companion (the residents' site,
/// for one) beside `data/`.
///
/// Returns [`Error::Invalid`] with every problem found when the source has errors; OUT is then
/// left exactly as it was; [`Error::NoSpace`] when the disk (or the file size limit) runs out
/// while the release is written, OUT again as it was.
pub fn run(
    options: &Options,
    companions: &mut [&mut dyn Companion],
    progress: &dyn Progress,
) -> Result<Outcome, Error> {
    // The scope of the thread that writes the documents while the tables are written.
    std::thread::scope(|scope| run_pipeline(scope, options, companions, progress)).map_err(
        |error| match &options.out {
            Some(out) if error.is_out_of_space() && !matches!(error, Error::NoSpace { .. }) => {
                Error::NoSpace {
                    out: out.clone(),
                    source: Box::new(error),
                }
            }
            _ => error,
        },
    )
}

/// [`run`], with out-of-space errors not yet told apart.
fn run_pipeline<'s, 'c: 's, 'd: 's>(
    scope: &'s std::thread::Scope<'s, '_>,
    options: &Options,
    companions: &'c mut [&'d mut dyn Companion],
    progress: &dyn Progress,
) -> Result<Outcome, Error> {
    // A build into OUT holds OUT's lock from start to end: it alone uses the scratch directory
    // beside OUT, and taking the lock removes what a killed build left there.
    let lock = options.out.as_deref().map(OutLock::acquire).transpose()?;
    let mut diagnostics = Vec::new();
    let source = load(&options.source, &mut diagnostics)?;
    let today = CalendarDate(options.published.to_offset(time::UtcOffset::UTC).date());
    let has_errors = |diagnostics: &[Diagnostic]| diagnostics.iter().any(Diagnostic::is_error);

    let catalog = match source.catalog {
        // Without measures to check rows against, every row would only repeat the problem.
        Some(catalog) if !catalog.measures.is_empty() || !has_errors(&diagnostics) => catalog,
        _ => return Err(invalid(diagnostics)),
    };
    let mut cache_use = CacheUse::default();
    // Outputs are written only while the source is still valid; validation goes on regardless.
    let mut outputs = match &lock {
        Some(lock) if !has_errors(&diagnostics) => {
            let previous =
                previous_history(lock.out(), options.history.as_deref(), &mut diagnostics)?;
            let info = &catalog.manifest.info;
            let settings = ReleaseSettings {
                formats: options.formats,
                companions: companions.iter().map(|c| c.name().to_owned()).collect(),
                dataset: info.clone(),
                areas: catalog.manifest.areas.clone(),
                strings: interface_strings(&info.languages, &source.locales),
            };
            let cached = options.cache.as_deref().and_then(|dir| {
                cache::Previous::load(dir, lock.out()).unwrap_or_else(|unused| {
                    cache_use.unused = Some(unused);
                    None
                })
            });
            Some(Outputs::create(
                scope,
                lock,
                &settings,
                options.published,
                companions,
                previous,
                catalog.measures.len(),
                cache::BuildCache {
                    previous: cached,
                    record: options.cache.is_some(),
                },
            )?)
        }
        _ => None,
    };

    let total_bytes = source
        .observation_files
        .iter()
        .map(|(path, _)| fs::metadata(path).map_or(0, |m| m.len()))
        .sum();
    progress.start("Reading observations", total_bytes);
    let spill_in = match &lock {
        Some(lock) => lock.scratch().to_owned(),
        None => std::env::temp_dir(),
    };
    let mut rows = read_observations(
        &source.observation_files,
        &ReadContext {
            catalog: &catalog,
            today,
            memory_rows: options.memory_rows,
            parallel_bytes: options.parallel_bytes,
            spill_in: &spill_in,
            progress,
        },
        &mut diagnostics,
    )?;
    let mut names: Vec<String> = source
        .observation_files
        .iter()
        .map(|(_, name)| name.clone())
        .collect();
    progress.finish();
    let mut computed = compute(
        options,
        &source.computations,
        &source.tables,
        &catalog,
        progress,
        &mut names,
        &mut diagnostics,
    );

    if has_errors(&diagnostics) {
        outputs = None;
    }
    progress.start("Publishing measures", catalog.measures.len() as u64);
    let mut observations = 0;
    let (mut first, mut last): (Option<CalendarDate>, Option<CalendarDate>) = (None, None);
    for (index, measure) in catalog.measures.iter().enumerate() {
        let mut rows = rows.take(index)?;
        if let Some((name, computation)) = source.computations.get(&measure.id) {
            let mut computed_rows = computed.rows.remove(&(index as u32)).unwrap_or_default();
            diagnostics.extend(hand_entered_overlap(computation, name, &rows, &names));
            // Reported once above, rather than again as duplicates of the computed rows.
            rows.retain(|row| computation.since.is_some_and(|since| row.period < since));
            rows.append(&mut computed_rows);
        }
        let (rows, problems) = check_series(measure, rows, &names);
        if problems.iter().any(Diagnostic::is_error) {
            outputs = None;
        }
        diagnostics.extend(problems);
        observations += rows.len() as u64;
        for row in &rows {
            let (start, end) = (row.period.start(), row.period.end());
            first = Some(first.map_or(start, |f| f.min(start)));
            last = Some(last.map_or(end, |l| l.max(end)));
        }
        // Judging is only needed for the outputs; validation stops at the checks.
        if let Some(outputs) = &mut outputs
            && let Some(area) = catalog.manifest.areas.iter().find(|a| a.id == measure.area)
        {
            let index = index as u32;
            let provenance = computed.provenance.remove(&index);
            let latest_record = computed.latest_records.remove(&index);
            outputs.add_measure(
                measure,
                area,
                judge_series(measure, rows),
                provenance,
                latest_record,
            )?;
        }
        progress.advance(1);
    }
    progress.finish();

    sort_diagnostics(&mut diagnostics);
    if has_errors(&diagnostics) {
        return Err(invalid(diagnostics));
    }
    let (files, history) = match outputs {
        Some(outputs) => {
            let temporal = first
                .zip(last)
                .map(|(first, last)| format!("{first}/{last}"));
            let manifest = &catalog.manifest;
            let published = outputs.finish(&manifest.areas, &manifest.info.languages, temporal)?;
            cache_use.reused = published.reused;
            if let (Some(file), Some(out)) = (&options.history, &options.out) {
                replace_history_file(&out.join("data").join("revisions.parquet"), file)?;
            }
            if let (Some((recorder, digests)), Some(dir), Some(out)) =
                (published.cache, &options.cache, &options.out)
                && let Err(error) = recorder.write(dir, out, &digests)
            {
                // The release is published; only the next build's speed depends on the cache.
                cache_use.unused = Some(format!("the build cache could not be written: {error}"));
            }
            (published.files, Some(published.history))
        }
        None => (Vec::new(), None),
    };
    Ok(Outcome {
        diagnostics,
        files,
        measures: catalog.measures.len(),
        observations,
        history,
        cache: cache_use,
    })
}

/// Rows of computed measures, and where their values came from, by measure index.
/// What computing the measures gave, by measure index: their rows, provenance and records'
/// latest times.
#[derive(Default)]
struct ComputedByMeasure {
    rows: BTreeMap<u32, Vec<dataset::source::SourceRow>>,
    provenance: BTreeMap<u32, dataset::Provenance>,
    latest_records: BTreeMap<u32, String>,
}

/// Computes the measures defined by `[compute]` with `options.automation`; returns their rows,
/// provenance and records' latest times by measure index. The measure files are added to `names`, which the rows'
/// origins index.
fn compute(
    options: &Options,
    computations: &BTreeMap<String, (String, dataset::source::automation::Computation)>,
    tables: &[dataset::source::automation::RecordTable],
    catalog: &Catalog,
    progress: &dyn Progress,
    names: &mut Vec<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ComputedByMeasure {
    let mut computed = ComputedByMeasure::default();
    if computations.is_empty() {
        return computed;
    }
    let Some(automation) = &options.automation else {
        for (_, computation) in computations.values() {
            diagnostics.push(
                computation
                    .place
                    .error("this program cannot compute measures from records")
                    .with_help("build with the `civicmetrics` program, which computes them"),
            );
        }
        return computed;
    };
    let measures: Vec<ComputedMeasure<'_>> = catalog
        .measures
        .iter()
        .enumerate()
        .filter_map(|(index, measure)| {
            let (_, computation) = computations.get(&measure.id)?;
            Some(ComputedMeasure {
                index: index as u32,
                measure,
                computation,
            })
        })
        .collect();
    let first_name = names.len() as u32;
    names.extend(
        measures
            .iter()
            .map(|m| computations[&m.measure.id].0.clone()),
    );
    let answer = automation.compute(
        &Request {
            source: &options.source,
            manifest: &catalog.manifest,
            tables,
            measures,
            published: options.published,
        },
        progress,
    );
    diagnostics.extend(answer.diagnostics);
    for mut row in answer.rows {
        row.origin.file += first_name;
        computed.rows.entry(row.measure).or_default().push(row);
    }
    computed.provenance = answer.provenance;
    computed.latest_records = answer.latest_records;
    computed
}

/// Hand-entered rows of a computed measure are allowed only for periods before `since`: an
/// error naming both places for each other one.
fn hand_entered_overlap(
    computation: &dataset::source::automation::Computation,
    measure_file: &str,
    rows: &[dataset::source::SourceRow],
    names: &[String],
) -> Vec<Diagnostic> {
    rows.iter()
        .filter(|row| computation.since.is_none_or(|since| row.period >= since))
        .map(|row| {
            let file = names
                .get(row.origin.file as usize)
                .map_or("", String::as_str);
            let reason = match computation.since {
                Some(since) => format!("computed from records since {}", since.label()),
                None => "computed from records in every period".to_owned(),
            };
            Diagnostic::error(
                file,
                row.origin.line,
                1,
                format!(
                    "{} is given by hand here, but the measure is {reason} ({measure_file}:{})",
                    row.period.label(),
                    computation.place.line
                ),
            )
            .with_help(match computation.since {
                Some(since) => format!("remove this row, or set `since` after {}", since.label()),
                None => "remove this row, or set `since` in [compute] to the first period computed"
                    .to_owned(),
            })
        })
        .collect()
}

/// Replaces the history file `file` with the release's `published` history, whole: a copy beside
/// it, flushed, then renamed over it.
fn replace_history_file(published: &Path, file: &Path) -> Result<(), Error> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut copy = tempfile::NamedTempFile::new_in(&dir).io_context(&dir)?;
    std::io::copy(
        &mut File::open(published).io_context(published)?,
        copy.as_file_mut(),
    )
    .io_context(copy.path())?;
    copy.as_file().sync_all().io_context(copy.path())?;
    copy.persist(file).map_err(|e| Error::io(file, e.error))?;
    Ok(())
}

fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
}

fn invalid(mut diagnostics: Vec<Diagnostic>) -> Error {
    sort_diagnostics(&mut diagnostics);
    Error::Invalid {
        errors: diagnostics.iter().filter(|d| d.is_error()).count(),
        diagnostics,
    }
}
