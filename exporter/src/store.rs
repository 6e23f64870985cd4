//! Rows grouped by measure between reading the observation files and publishing one measure at
//! a time.
//!
//! Every reader of a build – one per small file, one per part of a large file, several at once –
//! pushes its rows into a [`Buffer`] of its own, and all of them share one count of the rows held
//! in memory. When a row takes that count past the budget, the larger of the pushing reader's
//! rows and the rows of readers that have finished is sorted and written to disk as one *run*;
//! other readers that cross the budget meanwhile wait for it. Once any run is written, the rows
//! still in memory when reading ends are written as one more. Publishing merges the runs (or,
//! when none was needed, the rows in memory) measure by measure ([`Rows::take`]), each run read
//! through a small buffer, so only one measure's rows are taken into memory at a time; past
//! [`FAN_IN`] runs, the smallest are first merged into larger ones. Memory is bounded by the
//! budget (and a row per reader) while reading and by the largest measure while publishing, open
//! files by [`FAN_IN`], whatever the size of the dataset.
//!
//! Rows are ordered by measure, then by origin – file, then line – so a measure's rows come back
//! in the order of the files and of the rows in each, whichever reader read them and whether
//! they went to disk or not.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use dataset::source::{Breakdown, Origin, SourceRow};
use dataset::{CalendarDate, Frequency, Period};

use crate::error::{Error, IoContext};

/// Observation rows held in memory before they spill to disk (about 120 bytes each, plus text).
pub const DEFAULT_MEMORY_ROWS: usize = 500_000;

/// Runs read at once, each an open file: publishing merges at most this many, and more are first
/// merged into larger ones.
const FAN_IN: usize = 64;

/// The buffer each run is written and read through.
const RUN_BUFFER_BYTES: usize = 64 * 1024;

/// Rows per chunk of a [`Buffer`] (about 900 KiB): chunks are allocated whole, so a buffer holds
/// at most one chunk's room unused where a doubling vector could hold as much as it fills, and a
/// freed chunk is reused whole.
const CHUNK_ROWS: usize = 8 * 1024;

/// Where a row goes in the order rows come back in: measure, file, line. No two rows share a
/// key, as no two records start on the same line of the same file.
type Key = (u32, u32, u32);

fn key(row: &SourceRow) -> Key {
    (row.measure, row.origin.file, row.origin.line)
}

/// The checked rows of a build, on their way from the readers to publishing.
pub(crate) struct RowStore {
    budget: usize,
    /// Rows in every [`Buffer`] and in [`State::finished`].
    held: AtomicUsize,
    spill_in: PathBuf,
    state: Mutex<State>,
}

/// What the readers share, one at a time.
#[derive(Default)]
struct State {
    /// The rows of readers that have finished, in sorted chunks.
    finished: Vec<Vec<SourceRow>>,
    finished_rows: usize,
    /// The scratch directory, made for the first run.
    dir: Option<tempfile::TempDir>,
    runs: Vec<Run>,
    /// The number of the next run, which names its file.
    next_run: usize,
}

/// A file of rows in key order.
struct Run {
    path: PathBuf,
    rows: u64,
}

/// One reader's rows, held until the reader finishes or the store's budget is reached.
pub(crate) struct Buffer<'s> {
    store: &'s RowStore,
    chunks: Chunks,
}

/// Rows in chunks of [`CHUNK_ROWS`], each sorted once full.
#[derive(Default)]
struct Chunks {
    sorted: Vec<Vec<SourceRow>>,
    filling: Vec<SourceRow>,
    len: usize,
}

impl Chunks {
    fn push(&mut self, row: SourceRow) {
        if self.filling.len() == CHUNK_ROWS {
            self.seal();
        }
        if self.filling.capacity() == 0 {
            self.filling.reserve_exact(CHUNK_ROWS);
        }
        self.filling.push(row);
        self.len += 1;
    }

    fn seal(&mut self) {
        let mut chunk = std::mem::take(&mut self.filling);
        if !chunk.is_empty() {
            chunk.sort_unstable_by_key(key);
            self.sorted.push(chunk);
        }
    }

    /// Every row, in sorted chunks, leaving none; the last chunk gives back its unused room.
    fn take(&mut self) -> Vec<Vec<SourceRow>> {
        self.filling.shrink_to_fit();
        self.seal();
        self.len = 0;
        std::mem::take(&mut self.sorted)
    }
}

impl RowStore {
    /// A store that holds `budget` rows in memory across all its buffers and writes runs into a
    /// temporary directory inside `spill_in` past that.
    pub(crate) fn new(budget: usize, spill_in: &Path) -> Self {
        RowStore {
            budget,
            held: AtomicUsize::new(0),
            spill_in: spill_in.to_owned(),
            state: Mutex::new(State::default()),
        }
    }

    /// A buffer for one reader's rows.
    pub(crate) fn buffer(&self) -> Buffer<'_> {
        Buffer {
            store: self,
            chunks: Chunks::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A reader that panicked leaves the state as valid as it was: the panic ends the build.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Brings the rows held back within the budget, after a push by the reader holding `own`
    /// took them past it: writes the larger of `own` and the finished readers' rows as a run.
    fn relieve(&self, own: &mut Chunks) -> Result<(), Error> {
        let mut state = self.state();
        // Another reader's run may have made room while this one waited.
        if self.held.load(Ordering::Relaxed) <= self.budget {
            return Ok(());
        }
        let chunks = if state.finished_rows > own.len {
            state.finished_rows = 0;
            std::mem::take(&mut state.finished)
        } else {
            own.take()
        };
        let count = chunks.iter().map(Vec::len).sum();
        state.write_run(&self.spill_in, memory_sources(chunks))?;
        // Only now that they are on disk and dropped do the rows leave the count.
        self.held.fetch_sub(count, Ordering::Relaxed);
        Ok(())
    }

    /// The rows for publishing, once every buffer has finished.
    pub(crate) fn into_rows(self) -> Result<Rows, Error> {
        let mut state = self
            .state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        // Once rows have gone to disk, the rest follow: publishing then holds no more than a
        // measure's rows, not the budget's as well.
        if !state.runs.is_empty() && state.finished_rows > 0 {
            state.finished_rows = 0;
            let finished = std::mem::take(&mut state.finished);
            state.write_run(&self.spill_in, memory_sources(finished))?;
        }
        while state.runs.len() > FAN_IN {
            // Merging the smallest runs rewrites the fewest rows, and merging just enough of them
            // leaves FAN_IN runs.
            state.runs.sort_by_key(|run| Reverse(run.rows));
            let count = (state.runs.len() - FAN_IN + 1).min(FAN_IN);
            let smallest = state.runs.split_off(state.runs.len() - count);
            let sources = smallest
                .into_iter()
                .map(Source::open)
                .collect::<Result<_, _>>()?;
            state.write_run(&self.spill_in, sources)?;
        }
        let mut sources: Vec<Source> = std::mem::take(&mut state.runs)
            .into_iter()
            .map(Source::open)
            .collect::<Result<_, _>>()?;
        sources.extend(memory_sources(std::mem::take(&mut state.finished)));
        Ok(Rows {
            merge: Merge::new(sources)?,
            _dir: state.dir,
        })
    }
}

/// Sorted chunks of rows as sources to merge.
fn memory_sources(chunks: Vec<Vec<SourceRow>>) -> Vec<Source> {
    chunks
        .into_iter()
        .map(|chunk| Source::Memory(chunk.into_iter()))
        .collect()
}

impl State {
    /// Writes the rows of `sources`, each in key order, as one run in key order.
    fn write_run(&mut self, spill_in: &Path, sources: Vec<Source>) -> Result<(), Error> {
        let dir = match self.dir.take() {
            Some(dir) => dir,
            None => tempfile::Builder::new()
                .prefix(".civicmetrics-rows-")
                .tempdir_in(spill_in)
                .io_context(spill_in)?,
        };
        let dir = self.dir.insert(dir);
        let path = dir.path().join(format!("run-{}", self.next_run));
        self.next_run += 1;
        let mut writer =
            BufWriter::with_capacity(RUN_BUFFER_BYTES, File::create(&path).io_context(&path)?);
        let mut merge = Merge::new(sources)?;
        let mut rows = 0;
        while let Some(row) = merge.next_if(|_| true)? {
            encode(&row, &mut writer).io_context(&path)?;
            rows += 1;
        }
        writer.flush().io_context(&path)?;
        self.runs.push(Run { path, rows });
        Ok(())
    }
}

impl Buffer<'_> {
    /// Adds a row, writing a run first when the store's rows are past its budget.
    pub(crate) fn push(&mut self, row: SourceRow) -> Result<(), Error> {
        self.chunks.push(row);
        if self.store.held.fetch_add(1, Ordering::Relaxed) >= self.store.budget {
            return self.store.relieve(&mut self.chunks);
        }
        Ok(())
    }

    /// Hands the reader's rows to the store once it has read its last.
    pub(crate) fn finish(mut self) {
        let count = self.chunks.len;
        let chunks = self.chunks.take();
        let mut state = self.store.state();
        state.finished_rows += count;
        state.finished.extend(chunks);
    }
}

/// Every row of a build, taken one measure at a time for publishing.
pub(crate) struct Rows {
    merge: Merge,
    /// The runs' directory, removed when publishing ends.
    _dir: Option<tempfile::TempDir>,
}

impl Rows {
    /// Every row of a measure, in the order of the files and of the rows in each. Measures must
    /// be taken in increasing order.
    pub(crate) fn take(&mut self, measure: usize) -> Result<Vec<SourceRow>, Error> {
        let mut rows = Vec::new();
        while let Some(row) = self.merge.next_if(|row| row.measure as usize == measure)? {
            rows.push(row);
        }
        Ok(rows)
    }
}

/// Rows in key order, from memory or from a run.
enum Source {
    Memory(std::vec::IntoIter<SourceRow>),
    /// A run's file, removed once read to its end (`None` then).
    File(PathBuf, Option<BufReader<File>>),
}

impl Source {
    fn open(run: Run) -> Result<Source, Error> {
        let file = File::open(&run.path).io_context(&run.path)?;
        Ok(Source::File(
            run.path,
            Some(BufReader::with_capacity(RUN_BUFFER_BYTES, file)),
        ))
    }

    fn next(&mut self) -> Result<Option<SourceRow>, Error> {
        match self {
            Source::Memory(rows) => Ok(rows.next()),
            Source::File(path, reader) => {
                let Some(open) = reader else {
                    return Ok(None);
                };
                let row = decode(open).io_context(path)?;
                if row.is_none() {
                    // Closed first: a file still open cannot be removed everywhere.
                    *reader = None;
                    std::fs::remove_file(&*path).io_context(path)?;
                }
                Ok(row)
            }
        }
    }
}

/// The next row of a source, ordered by its key (then by source, though keys differ).
struct Head {
    key: Key,
    source: usize,
    row: SourceRow,
}

impl Head {
    fn new(row: SourceRow, source: usize) -> Head {
        Head {
            key: key(&row),
            source,
            row,
        }
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        (self.key, self.source) == (other.key, other.source)
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.key, self.source).cmp(&(other.key, other.source))
    }
}

/// The rows of several sources, each in key order, in key order.
struct Merge {
    sources: Vec<Source>,
    /// The next row of every source not yet at its end, least first.
    heads: BinaryHeap<Reverse<Head>>,
}

impl Merge {
    fn new(mut sources: Vec<Source>) -> Result<Merge, Error> {
        let mut heads = BinaryHeap::with_capacity(sources.len());
        for (index, source) in sources.iter_mut().enumerate() {
            if let Some(row) = source.next()? {
                heads.push(Reverse(Head::new(row, index)));
            }
        }
        Ok(Merge { sources, heads })
    }

    /// The next row, if `wanted` accepts it.
    fn next_if(
        &mut self,
        wanted: impl FnOnce(&SourceRow) -> bool,
    ) -> Result<Option<SourceRow>, Error> {
        let Some(mut least) = self.heads.peek_mut() else {
            return Ok(None);
        };
        if !wanted(&least.0.row) {
            return Ok(None);
        }
        let source = least.0.source;
        // The source's next row takes the place of the one returned, in one step of the heap.
        Ok(Some(match self.sources[source].next()? {
            Some(row) => std::mem::replace(&mut least.0, Head::new(row, source)).row,
            None => PeekMut::pop(least).0.row,
        }))
    }
}

fn write_text(text: &str, writer: &mut impl Write) -> io::Result<()> {
    writer.write_all(
        &u32::try_from(text.len())
            .map_err(io::Error::other)?
            .to_le_bytes(),
    )?;
    writer.write_all(text.as_bytes())
}

fn write_number(number: Option<f64>, writer: &mut impl Write) -> io::Result<()> {
    match number {
        Some(number) => {
            writer.write_all(&[1])?;
            writer.write_all(&number.to_le_bytes())
        }
        None => writer.write_all(&[0]),
    }
}

fn frequency_code(frequency: Frequency) -> u8 {
    match frequency {
        Frequency::Daily => 0,
        Frequency::Weekly => 1,
        Frequency::Monthly => 2,
        Frequency::Quarterly => 3,
        Frequency::Annual => 4,
    }
}

/// Writes a row in the store's private binary form.
fn encode(row: &SourceRow, writer: &mut impl Write) -> io::Result<()> {
    writer.write_all(&row.measure.to_le_bytes())?;
    writer.write_all(&[
        frequency_code(row.period.frequency()),
        row.period.fiscal_year_start_month().unwrap_or(0),
    ])?;
    writer.write_all(&row.period.start().days_since_epoch().to_le_bytes())?;
    match &row.breakdown {
        Some(breakdown) => {
            writer.write_all(&[1])?;
            writer.write_all(&breakdown.dimension.to_le_bytes())?;
            write_text(&breakdown.group, writer)?;
        }
        None => writer.write_all(&[0])?,
    }
    write_number(row.value, writer)?;
    write_number(row.target, writer)?;
    match &row.note {
        Some(note) => {
            writer.write_all(&[1])?;
            write_text(note, writer)?;
        }
        None => writer.write_all(&[0])?,
    }
    match row.record_count {
        Some(count) => {
            writer.write_all(&[1])?;
            writer.write_all(&count.to_le_bytes())?;
        }
        None => writer.write_all(&[0])?,
    }
    writer.write_all(&[u8::from(row.provisional)])?;
    writer.write_all(&row.origin.file.to_le_bytes())?;
    writer.write_all(&row.origin.line.to_le_bytes())
}

fn read_array<const N: usize>(reader: &mut impl Read) -> io::Result<[u8; N]> {
    let mut bytes = [0; N];
    reader.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn read_text(reader: &mut impl Read) -> io::Result<String> {
    let length = u32::from_le_bytes(read_array(reader)?) as usize;
    let mut bytes = vec![0; length];
    reader.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(io::Error::other)
}

fn read_number(reader: &mut impl Read) -> io::Result<Option<f64>> {
    Ok(match read_array::<1>(reader)?[0] {
        0 => None,
        _ => Some(f64::from_le_bytes(read_array(reader)?)),
    })
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("corrupt spilled row: {what}"),
    )
}

/// Reads the next row written by [`encode`], or `None` at the end.
fn decode(reader: &mut impl Read) -> io::Result<Option<SourceRow>> {
    let mut measure = [0; 4];
    match reader.read_exact(&mut measure) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(error) => return Err(error),
    }
    let [frequency, fiscal] = read_array(reader)?;
    let frequency = *Frequency::ALL
        .get(usize::from(frequency))
        .ok_or_else(|| corrupt("frequency"))?;
    let start = CalendarDate::from_days_since_epoch(i32::from_le_bytes(read_array(reader)?))
        .ok_or_else(|| corrupt("date"))?;
    let period = Period::from_parts(frequency, start, (fiscal != 0).then_some(fiscal))
        .ok_or_else(|| corrupt("period"))?;
    let breakdown = match read_array::<1>(reader)?[0] {
        0 => None,
        _ => Some(Breakdown {
            dimension: u16::from_le_bytes(read_array(reader)?),
            group: read_text(reader)?,
        }),
    };
    let value = read_number(reader)?;
    let target = read_number(reader)?;
    let note = match read_array::<1>(reader)?[0] {
        0 => None,
        _ => Some(read_text(reader)?),
    };
    let record_count = match read_array::<1>(reader)?[0] {
        0 => None,
        _ => Some(u64::from_le_bytes(read_array(reader)?)),
    };
    let provisional = read_array::<1>(reader)?[0] != 0;
    let origin = Origin {
        file: u32::from_le_bytes(read_array(reader)?),
        line: u32::from_le_bytes(read_array(reader)?),
    };
    Ok(Some(SourceRow {
        measure: u32::from_le_bytes(measure),
        period,
        breakdown,
        value,
        target,
        note,
        record_count,
        provisional,
        origin,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `measures × 7` rows of every shape, from two files whose rows alternate.
    fn rows(measures: u32) -> Vec<SourceRow> {
        let labels = [
            "2024-03",
            "2024-Q2",
            "FY2025-Q1",
            "2020-W53",
            "2024-02-29",
            "FY2026",
        ];
        (0..measures * 7)
            .map(|i| {
                let label = labels[i as usize % labels.len()];
                SourceRow {
                    measure: i % measures,
                    period: Period::parse_any(label, 7).unwrap(),
                    breakdown: (i % 3 == 0).then(|| Breakdown {
                        dimension: 1,
                        group: format!("District {i} – é"),
                    }),
                    value: (i % 4 != 0).then_some(f64::from(i) / 3.0),
                    target: (i % 5 == 0).then_some(-1e300),
                    note: (i % 2 == 0).then(|| format!("note \"{i}\", with\nnew line")),
                    record_count: (i % 3 == 1).then_some(u64::from(i) << 40),
                    provisional: i % 7 == 6,
                    origin: Origin {
                        file: i % 2,
                        line: i + 2,
                    },
                }
            })
            .collect()
    }

    /// Each measure's rows in the order they must come back in: by file, then by line.
    fn in_file_order(rows: &[SourceRow], measures: u32) -> Vec<Vec<SourceRow>> {
        (0..measures)
            .map(|measure| {
                let mut of: Vec<SourceRow> = rows
                    .iter()
                    .filter(|row| row.measure == measure)
                    .cloned()
                    .collect();
                of.sort_by_key(|row| (row.origin.file, row.origin.line));
                of
            })
            .collect()
    }

    /// Pushes `rows(measures)` through a store of `budget` rows from `readers` readers at once,
    /// each a contiguous share as the parts of a file are, and takes every measure's rows.
    fn take_all(budget: usize, measures: u32, readers: usize) -> Vec<Vec<SourceRow>> {
        let temp = tempfile::tempdir().unwrap();
        let store = RowStore::new(budget, temp.path());
        let all = rows(measures);
        std::thread::scope(|scope| {
            for share in all.chunks(all.len().div_ceil(readers)) {
                let store = &store;
                scope.spawn(move || {
                    let mut buffer = store.buffer();
                    for row in share {
                        buffer.push(row.clone()).unwrap();
                        let held = store.held.load(Ordering::Relaxed);
                        assert!(
                            held <= budget.saturating_add(readers),
                            "{held} rows held, budget {budget}, {readers} readers"
                        );
                    }
                    buffer.finish();
                });
            }
        });
        let written = store.state().next_run;
        // The budget is the store's, not each reader's.
        assert_eq!(written > 0, budget < all.len(), "budget {budget}");
        let mut rows = store.into_rows().unwrap();
        let open = rows
            .merge
            .sources
            .iter()
            .filter(|source| matches!(source, Source::File(..)))
            .count();
        assert!(open <= FAN_IN, "{open} runs read at once");
        if written > FAN_IN {
            assert_eq!(open, FAN_IN, "merged down to FAN_IN runs, no further");
        }
        let taken = (0..measures as usize)
            .map(|measure| rows.take(measure).unwrap())
            .collect();
        drop(rows);
        assert_eq!(
            std::fs::read_dir(temp.path()).unwrap().count(),
            0,
            "runs are removed"
        );
        taken
    }

    #[test]
    fn rows_come_back_grouped_in_file_order_whatever_the_budget_and_readers() {
        for measures in [1, 5, 64] {
            let expected = in_file_order(&rows(measures), measures);
            // 0 writes a run per row: with 64 measures, 448 runs, merged before publishing.
            for budget in [0, 10, 100, usize::MAX] {
                for readers in [1, 3] {
                    assert!(
                        take_all(budget, measures, readers) == expected,
                        "{measures} measures, budget {budget}, {readers} readers"
                    );
                }
            }
        }
        // More rows than a chunk holds: a reader's chunks are sorted each and merged.
        let measures = 2 * CHUNK_ROWS as u32 / 7;
        let expected = in_file_order(&rows(measures), measures);
        for budget in [CHUNK_ROWS + 100, usize::MAX] {
            assert!(
                take_all(budget, measures, 1) == expected,
                "{measures} measures, budget {budget}"
            );
        }
    }
}
