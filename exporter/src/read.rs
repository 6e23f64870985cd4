//! Reading the observation files into the build's row store. Small files are read one after
//! another; a large file is cut at record boundaries into one part per core (at most
//! [`MAX_PARTS`]), and the parts are read at once, each into a buffer of its own in the one store.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use dataset::source::{Catalog, ObservationReader, RecordStarts};
use dataset::{CalendarDate, Diagnostic, FileDiagnostics};

use crate::error::{Error, IoContext};
use crate::progress::Progress;
use crate::store::{RowStore, Rows};

/// The read buffer of each reader.
const BUFFER_BYTES: usize = 256 * 1024;

/// The most parts a file is read in: each holds the file open, and open files stay within a
/// bound whatever the number of cores.
const MAX_PARTS: usize = 32;

/// Counts bytes read, for the progress bar.
struct Counting<'p, R> {
    inner: R,
    progress: &'p dyn Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// What reading needs besides the files.
pub(crate) struct ReadContext<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) today: CalendarDate,
    pub(crate) memory_rows: usize,
    /// Files at least this big are read in parts.
    pub(crate) parallel_bytes: u64,
    pub(crate) spill_in: &'a Path,
    pub(crate) progress: &'a dyn Progress,
}

/// Reads every observation file, adding each problem to `diagnostics`.
pub(crate) fn read_observations(
    files: &[(PathBuf, String)],
    context: &ReadContext<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Rows, Error> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    // At least two parts, so that one core reads them as many do.
    read_in_parts(files, context, cores.clamp(2, MAX_PARTS), diagnostics)
}

/// [`read_observations`], cutting each file of `context.parallel_bytes` or more into `parts`.
fn read_in_parts(
    files: &[(PathBuf, String)],
    context: &ReadContext<'_>,
    parts: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Rows, Error> {
    let store = RowStore::new(context.memory_rows, context.spill_in);
    for (index, (path, name)) in files.iter().enumerate() {
        let size = std::fs::metadata(path).io_context(path)?.len();
        let parts = if size >= context.parallel_bytes {
            split_points(path, parts).io_context(path)?
        } else {
            Vec::new()
        };
        let first_end = parts.first().map(|&(offset, _)| offset);
        let Some(mut reader) = open_part(path, name, index, first_end, context, diagnostics)?
        else {
            continue;
        };
        if parts.is_empty() {
            let mut buffer = store.buffer();
            while let Some(row) = reader.next_row(diagnostics) {
                buffer.push(row)?;
            }
            buffer.finish();
            continue;
        }
        // One reader per part: the first has read the header, the others continue from theirs.
        let mut readers = Vec::with_capacity(parts.len() + 1);
        for (i, &(start, line)) in parts.iter().enumerate() {
            let end = parts.get(i + 1).map(|&(offset, _)| offset);
            readers.push(reader.continuation(range(path, start, end, context)?, line));
        }
        readers.insert(0, reader);
        let store = &store;
        let results: Vec<Result<FileDiagnostics, Error>> = std::thread::scope(|scope| {
            let threads: Vec<_> = readers
                .into_iter()
                .map(|mut reader| {
                    scope.spawn(move || {
                        let mut buffer = store.buffer();
                        while let Some(row) = reader.read_row() {
                            buffer.push(row)?;
                        }
                        buffer.finish();
                        Ok(reader.into_problems())
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        // The parts' problems join in file order, as one reader of the whole file reports them:
        // the first of each kind in full, the rest counted, a future period once per measure.
        let mut problems: Option<FileDiagnostics> = None;
        for result in results {
            let part = result?;
            match &mut problems {
                Some(problems) => problems.append(part),
                None => problems = Some(part),
            }
        }
        diagnostics.extend(
            problems
                .map(FileDiagnostics::into_diagnostics)
                .unwrap_or_default(),
        );
    }
    store.into_rows()
}

/// The bytes of `path` from `start` to `end` (or the end of the file), counted for progress.
fn range<'a>(
    path: &Path,
    start: u64,
    end: Option<u64>,
    context: &ReadContext<'a>,
) -> Result<BufReader<Counting<'a, std::io::Take<File>>>, Error> {
    let mut file = File::open(path).io_context(path)?;
    file.seek(SeekFrom::Start(start)).io_context(path)?;
    let length = end.map_or(u64::MAX, |end| end - start);
    Ok(BufReader::with_capacity(
        BUFFER_BYTES,
        Counting {
            inner: file.take(length),
            progress: context.progress,
        },
    ))
}

type PartReader<'a> = ObservationReader<'a, BufReader<Counting<'a, std::io::Take<File>>>>;

/// A reader of the file up to `end` (its first part, with the header), or `None` when the header
/// is unusable.
fn open_part<'a>(
    path: &Path,
    name: &str,
    index: usize,
    end: Option<u64>,
    context: &ReadContext<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<PartReader<'a>>, Error> {
    let bytes = range(path, 0, end, context)?;
    let file = u32::try_from(index).unwrap_or(u32::MAX);
    match ObservationReader::new(name, file, bytes, context.catalog, context.today) {
        Ok(reader) => Ok(Some(reader)),
        Err(problems) => {
            diagnostics.extend(problems);
            Ok(None)
        }
    }
}

/// Where to cut a CSV file into `parts` parts of about equal size: the byte offset and line of
/// the first record of every part after the first. The record starts come from
/// [`RecordStarts`], the machine the readers read records with, so each part holds whole records
/// and reads as it does in the whole file. The first part keeps the header. Fewer points come
/// back when no record starts after a cut (a quote never closed, or one huge record).
fn split_points(path: &Path, parts: usize) -> std::io::Result<Vec<(u64, u32)>> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut starts = RecordStarts::new(file);
    let Some((header, _)) = starts.first_from(0)? else {
        return Ok(Vec::new());
    };
    let mut points: Vec<(u64, u32)> = Vec::new();
    for k in 1..parts as u64 {
        let cut = (size * k / parts as u64).max(header + 1);
        if points.last().is_some_and(|&(offset, _)| offset >= cut) {
            continue;
        }
        match starts.first_from(cut)? {
            Some(point) => points.push(point),
            None => break,
        }
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use dataset::source::SourceRow;

    use super::*;

    fn points(text: &str, parts: usize) -> Vec<(u64, u32)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.csv");
        std::fs::write(&path, text).unwrap();
        split_points(&path, parts).unwrap()
    }

    #[test]
    fn cuts_fall_at_record_starts() {
        let text = "measure,period\na,1\nb,2\nc,3\nd,4\n";
        assert_eq!(points(text, 2), [(15, 2)]);
        assert_eq!(&text[15..], "a,1\nb,2\nc,3\nd,4\n");
        assert_eq!(points(text, 3), [(15, 2), (23, 4)]);
        // A quoted line break is not a cut; the next break is.
        let text = "m,note\na,\"x\ny\"\nb,z\nc,w\n";
        let found = points(text, 2);
        assert_eq!(found.len(), 1);
        assert!(text[..found[0].0 as usize].ends_with("y\"\n"), "{found:?}");
        assert_eq!(found[0].1, 4);
        // An unclosed quote leaves nothing to cut at.
        assert!(points("m,note\na,\"open\nb\nc\nd\n", 2).is_empty());
        // The header stays in the first part, however small the file.
        assert_eq!(points("\u{feff}m\na\n", 8), [(5, 2)]);
    }

    /// Rows with bare quotes (text in an unquoted cell) and quoted line breaks, which a count of
    /// quotes before a line break takes for the opposite of what they are.
    const TRICKY_ROWS: &[&str] = &[
        "potholes,2024-07,78.2,,Replaced 12\" pipe,",
        "potholes,2024-08,79.5,,\"Two lines:\nsecond \"\"quoted\"\" line\",District 1",
        "potholes,2024-09,81.0,,a 6\" main and a 4\" lateral,",
        "potholes,2024-10,80.0,,\"\"\"\",District 2",
        "potholes,2024-11,80.5,,\"ends\r\nwith CRLF\",",
        "potholes,2024-12,8x,,12\" note before a bad value,",
        "potholes,2025-13,80.0,,\"a quoted\nnote before a bad period\",",
    ];

    /// The observation file of a copy of the small fixture: the header, then `rows` rows taken
    /// in turn from [`TRICKY_ROWS`], each with its own period so none is a duplicate.
    fn tricky_file(rows: usize) -> (String, Vec<(u64, u32)>) {
        let mut text = String::from("\u{feff}measure,period,value,target,note,council_district\n");
        let mut starts = Vec::new();
        let mut line = 2;
        for i in 0..rows {
            starts.push((text.len() as u64, line));
            let row = TRICKY_ROWS[i % TRICKY_ROWS.len()];
            let year = 2030 + i / TRICKY_ROWS.len();
            let row = row.replacen("2024", &year.to_string(), 1).replacen(
                "2025",
                &(year + 1).to_string(),
                1,
            );
            text.push_str(&row);
            text.push_str(if i % 3 == 0 { "\r\n" } else { "\n" });
            line += 1 + row.matches('\n').count() as u32;
        }
        (text, starts)
    }

    #[test]
    fn cuts_near_bare_quotes_and_quoted_line_breaks_are_record_starts() {
        let (text, starts) = tricky_file(40);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.csv");
        std::fs::write(&path, &text).unwrap();
        let size = text.len() as u64;
        for parts in 2..=40 {
            let points = split_points(&path, parts).unwrap();
            assert!(!points.is_empty(), "{parts} parts");
            for (k, point) in points.iter().enumerate() {
                assert!(starts.contains(point), "{point:?} is not a record start");
                // The first record start at or after some cut.
                assert!(
                    (1..parts as u64).any(|j| {
                        let cut = size * j / parts as u64;
                        starts.iter().find(|(offset, _)| *offset >= cut) == Some(point)
                    }),
                    "{parts} parts, point {k}: {point:?}"
                );
            }
        }
    }

    /// Reads the tree at `source`, cutting its files into `parts` (1: reading them whole) and
    /// holding `memory_rows` rows in memory, and returns every measure's rows and the
    /// diagnostics as shown.
    fn read_tree(
        source: &Path,
        parts: usize,
        memory_rows: usize,
    ) -> (Vec<Vec<SourceRow>>, Vec<String>) {
        let mut diagnostics = Vec::new();
        let loaded = crate::load::load(source, &mut diagnostics).unwrap();
        let catalog = loaded.catalog.unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let context = ReadContext {
            catalog: &catalog,
            today: CalendarDate::parse("2026-01-01").unwrap(),
            memory_rows,
            parallel_bytes: if parts == 1 { u64::MAX } else { 0 },
            spill_in: scratch.path(),
            progress: &crate::progress::Quiet,
        };
        let mut rows = read_in_parts(
            &loaded.observation_files,
            &context,
            parts.max(2),
            &mut diagnostics,
        )
        .unwrap();
        let rows = (0..catalog.measures.len())
            .map(|measure| rows.take(measure).unwrap())
            .collect();
        (rows, diagnostics.iter().map(ToString::to_string).collect())
    }

    /// A copy of the small fixture whose `city-services.csv` is `text`.
    fn tree_with(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/valid/small");
        for sub in ["", "measures", "observations"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            for entry in std::fs::read_dir(small.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                let keep = matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("toml" | "csv")
                );
                if path.is_file() && keep {
                    std::fs::copy(&path, dir.path().join(sub).join(path.file_name().unwrap()))
                        .unwrap();
                }
            }
        }
        std::fs::write(dir.path().join("observations/city-services.csv"), text).unwrap();
        dir
    }

    #[test]
    fn reading_in_parts_reads_as_the_whole() {
        // Bare quotes and quoted line breaks near every cut; more bad rows of each kind than are
        // reported in full, so that the parts' counts must join exactly.
        let rows = 7 * (dataset::diagnostic::REPORTED_PER_KIND as usize + 30);
        let (text, _) = tricky_file(rows);
        let tree = tree_with(&text);
        let whole = read_tree(tree.path(), 1, usize::MAX);
        let (_, diagnostics) = &whole;
        assert!(
            diagnostics
                .iter()
                .any(|d| d.contains(" more like this: value is not a number")),
            "{diagnostics:#?}"
        );
        assert_eq!(
            whole.0.iter().map(Vec::len).sum::<usize>(),
            rows / 7 * 5 + 19,
            "rows read"
        );
        // Budgets of nothing (a run per row, merged down before publishing), a few rows and
        // every row: the rows come back the same, with the parts sharing the budget.
        for (parts, memory_rows) in [(2, 0), (3, 7), (5, 1000), (8, usize::MAX), (13, 7)] {
            let read = read_tree(tree.path(), parts, memory_rows);
            let differ =
                (0..read.1.len().max(whole.1.len())).find(|&i| read.1.get(i) != whole.1.get(i));
            assert!(
                differ.is_none(),
                "{parts} parts, diagnostic {differ:?}: {:?} instead of {:?}",
                differ.and_then(|i| read.1.get(i)),
                differ.and_then(|i| whole.1.get(i)),
            );
            assert!(
                read.0 == whole.0,
                "{parts} parts, budget {memory_rows}: rows differ"
            );
        }
    }
}
