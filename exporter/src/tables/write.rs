//! Writing the tables as Parquet and CSV. The observations and their revisions stream through in
//! batches; the other tables are small and written at once.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::Schema;
use dataset::source::SeriesRow;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::csv_file::{CsvFile, WrittenFile};
use super::{ColumnType, TOTAL, Table};
use crate::build::Formats;
use crate::error::{Error, IoContext};

/// Rows per Arrow batch handed to the Parquet writer.
const BATCH_ROWS: usize = 64 * 1024;

/// Key-value metadata written into every Parquet file.
pub(crate) type FileMetadata = Vec<(String, String)>;

/// The metadata of a release's Parquet files: the dataset, its title, the schema version, the
/// publication time and the licence.
pub(crate) fn file_metadata(
    dataset: &str,
    title: &str,
    schema_version: &str,
    modified: &str,
    license: &str,
) -> FileMetadata {
    [
        ("civicmetrics.dataset", dataset),
        ("civicmetrics.title", title),
        ("civicmetrics.schema_version", schema_version),
        ("civicmetrics.modified", modified),
        ("civicmetrics.license", license),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect()
}

fn properties(metadata: &FileMetadata, sorting: Option<Vec<SortingColumn>>) -> WriterProperties {
    let mut builder = WriterProperties::builder();
    // Periods follow one another within a series: dates as deltas and labels sharing their
    // prefixes take a fraction of the room dictionaries would, once a series is long.
    for (column, encoding) in [
        ("period", Encoding::DELTA_BYTE_ARRAY),
        ("period_start", Encoding::DELTA_BINARY_PACKED),
        ("period_end", Encoding::DELTA_BINARY_PACKED),
    ] {
        let column = ColumnPath::from(column);
        builder = builder
            .set_column_dictionary_enabled(column.clone(), false)
            .set_column_encoding(column, encoding);
    }
    builder
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_sorting_columns(sorting)
        .set_key_value_metadata(Some(
            metadata
                .iter()
                .map(|(key, value)| KeyValue::new(key.clone(), value.clone()))
                .collect(),
        ))
        .build()
}

fn schema_metadata(metadata: &FileMetadata) -> Vec<(&str, &str)> {
    metadata
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// A text cell as written to CSV: a cell a spreadsheet would read as a formula (starting with
/// `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, as OWASP's CSV injection
/// guidance advises, so that opening the file never runs it. Only text columns go through this:
/// numbers (negative ones too) and dates are written as they are, and Parquet and JSON always
/// hold the value as published.
pub(crate) fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn create(path: &Path) -> Result<BufWriter<File>, Error> {
    Ok(BufWriter::new(File::create(path).io_context(path)?))
}

/// Writes a small table given as text cells (empty for null) as Parquet and CSV, as `formats`
/// ask.
pub(crate) fn write_text_table(
    dir: &Path,
    table: &Table,
    rows: &[Vec<Option<String>>],
    metadata: &FileMetadata,
    formats: Formats,
) -> Result<(), Error> {
    if formats.parquet {
        write_text_parquet(dir, table, rows, metadata)?;
    }
    if formats.csv {
        let csv_path = dir.join(format!("{}.csv", table.name));
        let mut csv = csv::Writer::from_writer(create(&csv_path)?);
        csv.write_record(table.header())?;
        for row in rows {
            csv.write_record(row.iter().zip(&table.columns).map(|(cell, column)| {
                let cell = cell.as_deref().unwrap_or("");
                let cell = match column.kind {
                    ColumnType::String => spreadsheet_safe(cell),
                    _ => Cow::Borrowed(cell),
                };
                cell.into_owned().into_bytes()
            }))?;
        }
        csv.into_inner()
            .map_err(|e| Error::io(&csv_path, e.into_error()))?
            .flush()
            .io_context(&csv_path)?;
    }
    Ok(())
}

fn write_text_parquet(
    dir: &Path,
    table: &Table,
    rows: &[Vec<Option<String>>],
    metadata: &FileMetadata,
) -> Result<(), Error> {
    let schema = table.arrow_schema(&schema_metadata(metadata));
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(table.columns.len());
    for (index, column) in table.columns.iter().enumerate() {
        let cells = rows.iter().map(|row| row[index].as_deref());
        let array: ArrayRef = match column.kind {
            ColumnType::String => Arc::new(cells.collect::<arrow_array::StringArray>()),
            ColumnType::Integer => Arc::new(
                cells
                    .map(|c| c.and_then(|c| c.parse::<i64>().ok()))
                    .collect::<arrow_array::Int64Array>(),
            ),
            ColumnType::Number => Arc::new(
                cells
                    .map(|c| c.and_then(|c| c.parse::<f64>().ok()))
                    .collect::<arrow_array::Float64Array>(),
            ),
            ColumnType::Date => Arc::new(
                cells
                    .map(|c| {
                        c.and_then(dataset::CalendarDate::parse)
                            .map(dataset::CalendarDate::days_since_epoch)
                    })
                    .collect::<arrow_array::Date32Array>(),
            ),
            ColumnType::Boolean => Arc::new(
                cells
                    .map(|c| c.and_then(|c| c.parse::<bool>().ok()))
                    .collect::<arrow_array::BooleanArray>(),
            ),
            ColumnType::Timestamp => Arc::new(
                cells
                    .map(|c| c.and_then(timestamp_seconds).map(milliseconds))
                    .collect::<arrow_array::TimestampMillisecondArray>()
                    .with_timezone(UTC),
            ),
        };
        arrays.push(array);
    }
    let batch = RecordBatch::try_new(schema.clone(), arrays)?;
    let parquet_path = dir.join(format!("{}.parquet", table.name));
    let mut writer = ArrowWriter::try_new(
        File::create(&parquet_path).io_context(&parquet_path)?,
        schema,
        Some(properties(metadata, None)),
    )?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}

/// The time zone of the tables' timestamps.
pub(crate) const UTC: &str = "UTC";

/// Seconds since the Unix epoch of a time in the form [`timestamp_text`] writes
/// (`2026-11-03T17:00:00Z`), as the tables' timestamps hold them.
pub fn timestamp_seconds(text: &str) -> Option<i64> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let days = dataset::CalendarDate::parse(date)?.days_since_epoch();
    let mut parts = time.split(':').map(|part| match part.len() {
        2 => part.parse::<i64>().ok(),
        _ => None,
    });
    let (hours, minutes, seconds) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() || hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(i64::from(days) * 86_400 + hours * 3_600 + minutes * 60 + seconds)
}

/// Seconds since the Unix epoch as the milliseconds Parquet files hold.
pub(crate) fn milliseconds(seconds: i64) -> i64 {
    seconds.saturating_mul(1_000)
}

/// A timestamp of the tables as RFC 3339 text in UTC, to the second, as CSV holds it.
pub fn timestamp_text(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .map(crate::build::rfc3339)
        .unwrap_or_default()
}

/// When a version of an observation row was published, and superseded if it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RevisionTimes {
    /// Seconds since the Unix epoch.
    pub(crate) published_at: i64,
    /// Seconds since the Unix epoch; `None` while the version is current.
    pub(crate) superseded_at: Option<i64>,
}

impl RevisionTimes {
    /// Whether the version was the one published at `time` (seconds since the Unix epoch).
    pub(crate) fn current_at(&self, time: i64) -> bool {
        self.published_at <= time && self.superseded_at.is_none_or(|s| s > time)
    }
}

/// Column builders for one batch of observations.
struct ObservationBatch {
    measure_id: StringBuilder,
    period: StringBuilder,
    period_start: Date32Builder,
    period_end: Date32Builder,
    breakdown: StringBuilder,
    breakdown_group: StringBuilder,
    value: Float64Builder,
    status: StringBuilder,
    target_kind: StringBuilder,
    target_value: Float64Builder,
    target_min: Float64Builder,
    target_max: Float64Builder,
    target_near: Float64Builder,
    target_source: StringBuilder,
    note: StringBuilder,
    record_count: Int64Builder,
    provisional: BooleanBuilder,
    /// For the revisions table: when each row was published and superseded.
    times: Option<(TimestampMillisecondBuilder, TimestampMillisecondBuilder)>,
    rows: usize,
}

impl ObservationBatch {
    fn new(revisions: bool) -> Self {
        let timestamps = || TimestampMillisecondBuilder::new().with_timezone(UTC);
        ObservationBatch {
            measure_id: StringBuilder::new(),
            period: StringBuilder::new(),
            period_start: Date32Builder::new(),
            period_end: Date32Builder::new(),
            breakdown: StringBuilder::new(),
            breakdown_group: StringBuilder::new(),
            value: Float64Builder::new(),
            status: StringBuilder::new(),
            target_kind: StringBuilder::new(),
            target_value: Float64Builder::new(),
            target_min: Float64Builder::new(),
            target_max: Float64Builder::new(),
            target_near: Float64Builder::new(),
            target_source: StringBuilder::new(),
            note: StringBuilder::new(),
            record_count: Int64Builder::new(),
            provisional: BooleanBuilder::new(),
            times: revisions.then(|| (timestamps(), timestamps())),
            rows: 0,
        }
    }

    fn push(&mut self, measure_id: &str, row: &SeriesRow, times: Option<RevisionTimes>) {
        let observation = &row.observation;
        let target = observation.target.as_ref();
        let (breakdown, group) = row
            .breakdown
            .as_ref()
            .map_or((TOTAL, TOTAL), |(d, g)| (d.as_str(), g.as_str()));
        self.measure_id.append_value(measure_id);
        self.period.append_value(&observation.period);
        self.period_start
            .append_value(observation.period_start.days_since_epoch());
        self.period_end
            .append_value(observation.period_end.days_since_epoch());
        self.breakdown.append_value(breakdown);
        self.breakdown_group.append_value(group);
        self.value.append_option(observation.value);
        self.status.append_value(observation.status.as_str());
        self.target_kind
            .append_option(target.map(|t| t.kind.as_str()));
        self.target_value
            .append_option(target.and_then(|t| t.bounds.value));
        self.target_min
            .append_option(target.and_then(|t| t.bounds.min));
        self.target_max
            .append_option(target.and_then(|t| t.bounds.max));
        self.target_near.append_option(target.map(|t| t.near));
        self.target_source
            .append_option(target.map(|t| t.source.as_str()));
        self.note.append_option(observation.note.as_deref());
        self.record_count
            .append_option(observation.record_count.map(count_cell));
        self.provisional.append_value(observation.provisional);
        if let (Some((published_at, superseded_at)), Some(times)) = (&mut self.times, times) {
            published_at.append_value(milliseconds(times.published_at));
            superseded_at.append_option(times.superseded_at.map(milliseconds));
        }
        self.rows += 1;
    }

    fn finish(&mut self, schema: &Arc<Schema>) -> Result<RecordBatch, Error> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.measure_id.finish()),
            Arc::new(self.period.finish()),
            Arc::new(self.period_start.finish()),
            Arc::new(self.period_end.finish()),
            Arc::new(self.breakdown.finish()),
            Arc::new(self.breakdown_group.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.target_kind.finish()),
            Arc::new(self.target_value.finish()),
            Arc::new(self.target_min.finish()),
            Arc::new(self.target_max.finish()),
            Arc::new(self.target_near.finish()),
            Arc::new(self.target_source.finish()),
            Arc::new(self.note.finish()),
            Arc::new(self.record_count.finish()),
            Arc::new(self.provisional.finish()),
        ];
        if let Some((published_at, superseded_at)) = &mut self.times {
            columns.push(Arc::new(published_at.finish()));
            columns.push(Arc::new(superseded_at.finish()));
        }
        self.rows = 0;
        Ok(RecordBatch::try_new(schema.clone(), columns)?)
    }
}

/// A Parquet file written on a thread of its own: encoding and compressing a batch takes about
/// as long as judging the rows for the next, so the two overlap.
struct ParquetThread {
    batches: SyncSender<RecordBatch>,
    thread: JoinHandle<Result<ArrowWriter<File>, Error>>,
}

impl ParquetThread {
    fn start(mut writer: ArrowWriter<File>) -> Self {
        // Two batches in flight bound the memory the overlap costs.
        let (batches, received) = sync_channel::<RecordBatch>(2);
        let thread = std::thread::spawn(move || {
            for batch in received {
                writer.write(&batch)?;
            }
            Ok(writer)
        });
        ParquetThread { batches, thread }
    }

    fn write(&self, batch: RecordBatch) {
        // The thread only stops receiving when it failed; `finish` reports why.
        let _ = self.batches.send(batch);
    }

    /// Closes the file once every batch is written, with `metadata` added to its key-value
    /// metadata.
    fn finish(self, metadata: Vec<KeyValue>) -> Result<(), Error> {
        drop(self.batches);
        let mut writer = self
            .thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        for pair in metadata {
            writer.append_key_value_metadata(pair);
        }
        writer.close()?;
        Ok(())
    }
}

/// Streams observation rows, already sorted by measure, breakdown and period, into
/// `observations.parquet` and `observations.csv`, as the formats ask – or, for the revisions
/// table, the versions of those rows with their times into `revisions.parquet` and
/// `revisions.csv`.
pub(crate) struct ObservationWriter {
    schema: Arc<Schema>,
    batch: ObservationBatch,
    parquet: Option<ParquetThread>,
    csv: Option<CsvFile>,
    /// The same table of the release being replaced, which runs of CSV rows are copied from.
    copy_from: Option<(File, PathBuf)>,
    /// The bytes of `copy_from` that stand for the rows being pushed, copied instead of
    /// formatting them.
    copying: Option<Range<u64>>,
    /// Where the run of rows being pushed starts in the CSV file.
    run_start: u64,
    rows: u64,
    /// The revisions' times as CSV text, by second: a history has few publication times and
    /// many rows.
    times_text: std::collections::HashMap<i64, String>,
    row_text: RowText,
}

impl ObservationWriter {
    pub(crate) fn create(
        dir: &Path,
        table: &Table,
        metadata: &FileMetadata,
        formats: Formats,
    ) -> Result<Self, Error> {
        let schema = table.arrow_schema(&schema_metadata(metadata));
        // Rows are sorted by measure, breakdown, group and period (and revisions by publication).
        let sorting = [
            "measure_id",
            "breakdown",
            "breakdown_group",
            "period_start",
            "published_at",
        ]
        .into_iter()
        .filter_map(|name| table.columns.iter().position(|c| c.name == name))
        .map(|column_idx| SortingColumn {
            column_idx: column_idx as i32,
            descending: false,
            nulls_first: false,
        })
        .collect();
        let revisions = table.columns.iter().any(|c| c.name == "published_at");
        let parquet = match formats.parquet {
            true => {
                let path = dir.join(format!("{}.parquet", table.name));
                Some(ParquetThread::start(ArrowWriter::try_new(
                    File::create(&path).io_context(&path)?,
                    schema.clone(),
                    Some(properties(metadata, Some(sorting))),
                )?))
            }
            false => None,
        };
        let csv = match formats.csv {
            true => {
                let mut csv = CsvFile::create(&dir.join(format!("{}.csv", table.name)))?;
                csv.record(table.header().iter().map(|name| name.as_bytes()))?;
                Some(csv)
            }
            false => None,
        };
        Ok(ObservationWriter {
            schema,
            batch: ObservationBatch::new(revisions),
            parquet,
            csv,
            copy_from: None,
            copying: None,
            run_start: 0,
            rows: 0,
            times_text: std::collections::HashMap::new(),
            row_text: RowText::default(),
        })
    }

    /// Copies runs of CSV rows from `file` (at `path`), the same table of the release being
    /// replaced, when [`ObservationWriter::begin_rows`] is given their bytes.
    pub(crate) fn copy_rows_from(&mut self, file: File, path: PathBuf) {
        self.copy_from = Some((file, path));
    }

    /// Starts a run of rows (a measure's); with `copy`, the run's CSV rows are those bytes of
    /// the file given to [`ObservationWriter::copy_rows_from`] – the same rows, formatted
    /// before – and the rows pushed go to Parquet alone.
    pub(crate) fn begin_rows(&mut self, copy: Option<Range<u64>>) {
        self.copying = copy.filter(|_| self.copy_from.is_some());
        self.run_start = self.csv.as_ref().map_or(0, CsvFile::position);
    }

    /// Ends the run of rows begun last; returns its bytes in the CSV file, if one is written.
    pub(crate) fn end_rows(&mut self) -> Result<Option<Range<u64>>, Error> {
        let Some(csv) = &mut self.csv else {
            return Ok(None);
        };
        if let (Some(range), Some((file, path))) = (self.copying.take(), &mut self.copy_from) {
            csv.copy(file, path, range)?;
        }
        Ok(Some(self.run_start..csv.position()))
    }

    /// Writes an observation row.
    pub(crate) fn push(&mut self, measure_id: &str, row: &SeriesRow) -> Result<(), Error> {
        self.push_version(measure_id, row, None)
    }

    /// Writes a version of an observation row with its times (the revisions table).
    pub(crate) fn push_version(
        &mut self,
        measure_id: &str,
        row: &SeriesRow,
        times: Option<RevisionTimes>,
    ) -> Result<(), Error> {
        self.rows += 1;
        if let Some(csv) = &mut self.csv
            && self.copying.is_none()
        {
            let texts = &mut self.times_text;
            if let Some(times) = times {
                for seconds in [Some(times.published_at), times.superseded_at]
                    .into_iter()
                    .flatten()
                {
                    texts
                        .entry(seconds)
                        .or_insert_with(|| timestamp_text(seconds));
                }
            }
            let times = times.map(|times| {
                (
                    texts[&times.published_at].as_str(),
                    times.superseded_at.map(|seconds| texts[&seconds].as_str()),
                )
            });
            write_csv_row(csv, &mut self.row_text, measure_id, row, times)?;
        }
        if let Some(parquet) = &self.parquet {
            self.batch.push(measure_id, row, times);
            if self.batch.rows >= BATCH_ROWS {
                parquet.write(self.batch.finish(&self.schema)?);
            }
        }
        Ok(())
    }

    /// Flushes the last batch and closes both files; returns the number of rows written and
    /// what the CSV file holds, if one was written.
    pub(crate) fn finish(self) -> Result<(u64, Option<WrittenFile>), Error> {
        self.finish_with(Vec::new())
    }

    /// [`ObservationWriter::finish`], with `metadata` added to the Parquet file's key-value
    /// metadata (what is known only once every row is written).
    pub(crate) fn finish_with(
        mut self,
        metadata: Vec<KeyValue>,
    ) -> Result<(u64, Option<WrittenFile>), Error> {
        if let Some(parquet) = self.parquet {
            if self.batch.rows > 0 {
                parquet.write(self.batch.finish(&self.schema)?);
            }
            parquet.finish(metadata)?;
        }
        let csv = self.csv.map(CsvFile::finish).transpose()?;
        Ok((self.rows, csv))
    }
}

/// The text of a row's dates and numbers, kept from row to row so that writing a row allocates
/// nothing once the buffers have grown.
#[derive(Default)]
struct RowText {
    period_start: String,
    period_end: String,
    value: String,
    target_value: String,
    target_min: String,
    target_max: String,
    target_near: String,
    record_count: String,
}

/// Writes `value` into `cell`, emptied first (empty for `None`).
fn fill(cell: &mut String, value: Option<impl std::fmt::Display>) -> &str {
    use std::fmt::Write as _;
    cell.clear();
    if let Some(value) = value {
        // Writing into a String cannot fail.
        let _ = write!(cell, "{value}");
    }
    cell
}

fn write_csv_row(
    csv: &mut CsvFile,
    text: &mut RowText,
    measure_id: &str,
    row: &SeriesRow,
    times: Option<(&str, Option<&str>)>,
) -> Result<(), Error> {
    let observation = &row.observation;
    let target = observation.target.as_ref();
    let (breakdown, group) = row
        .breakdown
        .as_ref()
        .map_or((TOTAL, TOTAL), |(d, g)| (d.as_str(), g.as_str()));
    // Identifiers, labels and enumerations cannot start like a formula; the breakdown group and
    // the note are free text.
    let cells = [
        measure_id,
        &observation.period,
        fill(&mut text.period_start, Some(observation.period_start)),
        fill(&mut text.period_end, Some(observation.period_end)),
        breakdown,
        &spreadsheet_safe(group),
        fill(&mut text.value, observation.value),
        observation.status.as_str(),
        target.map_or("", |t| t.kind.as_str()),
        fill(&mut text.target_value, target.and_then(|t| t.bounds.value)),
        fill(&mut text.target_min, target.and_then(|t| t.bounds.min)),
        fill(&mut text.target_max, target.and_then(|t| t.bounds.max)),
        fill(&mut text.target_near, target.map(|t| t.near)),
        target.map_or("", |t| t.source.as_str()),
        &spreadsheet_safe(observation.note.as_deref().unwrap_or("")),
        fill(
            &mut text.record_count,
            observation.record_count.map(count_cell),
        ),
        if observation.provisional {
            "true"
        } else {
            "false"
        },
    ];
    let times =
        times.map(|(published_at, superseded_at)| [published_at, superseded_at.unwrap_or("")]);
    csv.record(
        cells
            .iter()
            .chain(times.iter().flatten())
            .map(|cell| cell.as_bytes()),
    )
}

/// A record count in the tables' integer type: counts beyond `i64` do not occur (no city has
/// 9.2 × 10^18 records), and would be published as the largest.
fn count_cell(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::{spreadsheet_safe, timestamp_seconds, timestamp_text};

    #[test]
    fn timestamps_read_back_as_written() {
        for seconds in [0, 1, 86_399, 1_793_718_000, -86_400, 4_102_444_799] {
            let text = timestamp_text(seconds);
            assert_eq!(timestamp_seconds(&text), Some(seconds), "{text}");
        }
        assert_eq!(timestamp_text(1_793_718_000), "2026-11-03T15:00:00Z");
        for text in [
            "2026-11-03T15:00:00",
            "2026-11-03 15:00:00Z",
            "2026-11-03T15:00Z",
            "2026-11-03T24:00:00Z",
            "2026-11-03T15:00:00+01:00",
            "2026-13-03T15:00:00Z",
            "2026-11-03T1:00:00Z",
        ] {
            assert_eq!(timestamp_seconds(text), None, "{text}");
        }
    }

    #[test]
    fn cells_starting_like_a_formula_get_a_leading_quote() {
        for cell in [
            "=1+1",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "=HYPERLINK(\"x\")",
        ] {
            assert_eq!(spreadsheet_safe(cell), format!("'{cell}"));
        }
        for cell in ["", "District 3", "1-2", "a=b", "'quoted", " =1", "<script>"] {
            assert_eq!(spreadsheet_safe(cell), cell);
        }
    }
}
