//! Reading the observation files into row stores. Small files are read one after another; a
//! large file is cut at record boundaries into one part per core, and the parts are read at once,
//! each into a store of its own.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use dataset::source::{Catalog, ObservationReader, SourceRow};
use dataset::{CalendarDate, Diagnostic};

use crate::error::{Error, IoContext};
use crate::progress::Progress;
use crate::store::RowStore;

/// The read buffer of each reader.
const BUFFER_BYTES: usize = 256 * 1024;

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

/// Checked rows of every file, grouped by measure across the stores they were read into.
pub(crate) struct Rows {
    stores: Vec<RowStore>,
}

impl Rows {
    /// Every row of a measure, in the order the files and parts were read. Measures must be
    /// taken in increasing order.
    pub(crate) fn take(&mut self, measure: usize) -> Result<Vec<SourceRow>, Error> {
        let mut rows = Vec::new();
        for store in &mut self.stores {
            let mut taken = store.take(measure)?;
            if rows.is_empty() {
                rows = taken;
            } else {
                rows.append(&mut taken);
            }
        }
        Ok(rows)
    }
}

/// What reading one part of a file gave: its rows, its problems, and the measures it warned
/// about for a future period with the warning's line.
struct PartRead {
    store: RowStore,
    found: Vec<Diagnostic>,
    warned: Vec<(u32, u32)>,
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
    let measures = context.catalog.measures.len();
    let mut stores = vec![RowStore::new(
        measures,
        context.memory_rows,
        context.spill_in,
    )];
    for (index, (path, name)) in files.iter().enumerate() {
        let size = std::fs::metadata(path).io_context(path)?.len();
        let parts = if size >= context.parallel_bytes {
            // At least two parts, so that one core reads them as many do.
            split_points(path, cores.max(2)).io_context(path)?
        } else {
            Vec::new()
        };
        let first_end = parts.first().map(|&(offset, _)| offset);
        let Some(mut reader) = open_part(path, name, index, first_end, context, diagnostics)?
        else {
            continue;
        };
        if parts.is_empty() {
            let store = stores.first_mut().expect("the sequential store");
            while let Some(row) = reader.next_row(diagnostics) {
                store.push(row)?;
            }
            continue;
        }
        // One reader per part: the first has read the header, the others continue from theirs.
        let mut readers = Vec::with_capacity(parts.len() + 1);
        for (i, &(start, line)) in parts.iter().enumerate() {
            let end = parts.get(i + 1).map(|&(offset, _)| offset);
            readers.push(reader.continuation(range(path, start, end, context)?, line));
        }
        readers.insert(0, reader);
        let budget = context.memory_rows / readers.len();
        let results: Vec<Result<PartRead, Error>> = std::thread::scope(|scope| {
            let threads: Vec<_> = readers
                .into_iter()
                .map(|mut reader| {
                    scope.spawn(move || {
                        let mut store = RowStore::new(measures, budget, context.spill_in);
                        let mut found = Vec::new();
                        while let Some(row) = reader.next_row(&mut found) {
                            store.push(row)?;
                        }
                        let warned = reader
                            .future_warnings()
                            .iter()
                            .map(|(&measure, &line)| (measure, line))
                            .collect();
                        Ok(PartRead {
                            store,
                            found,
                            warned,
                        })
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
        // A future period is reported once per measure and file: in the first part that has one.
        let mut warned: HashSet<u32> = HashSet::new();
        for result in results {
            let PartRead {
                store,
                found,
                warned: part_warned,
            } = result?;
            let repeated: HashSet<u32> = part_warned
                .iter()
                .filter(|(measure, _)| warned.contains(measure))
                .map(|&(_, line)| line)
                .collect();
            warned.extend(part_warned.iter().map(|&(measure, _)| measure));
            diagnostics.extend(
                found
                    .into_iter()
                    .filter(|d| d.is_error() || !repeated.contains(&d.line)),
            );
            stores.push(store);
        }
    }
    Ok(Rows { stores })
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
/// the first record of every part after the first. A line break ends a record only outside
/// quotes; in RFC 4180 CSV every `"` toggles quoting (a doubled quote toggles twice), so the
/// parity of the quotes before a line break tells. Fewer points come back when no break outside
/// quotes follows a cut (an unclosed quote, or one huge record).
fn split_points(path: &Path, parts: usize) -> std::io::Result<Vec<(u64, u32)>> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut cuts: Vec<u64> = (1..parts as u64).map(|k| size * k / parts as u64).collect();
    cuts.reverse();
    let mut points = Vec::new();
    let mut block = vec![0; 1 << 20];
    let (mut offset, mut lines, mut in_quotes) = (0u64, 1u32, false);
    while let Some(&cut) = cuts.last() {
        let read = file.read(&mut block)?;
        if read == 0 {
            break;
        }
        let bytes = &block[..read];
        let end = offset + read as u64;
        if end <= cut {
            // The whole block lies before the cut: only the counts matter.
            lines += memchr::memchr_iter(b'\n', bytes).count() as u32;
            in_quotes ^= memchr::memchr_iter(b'"', bytes).count() % 2 == 1;
            offset = end;
            continue;
        }
        for (i, &byte) in bytes.iter().enumerate() {
            match byte {
                b'"' => in_quotes = !in_quotes,
                b'\n' => {
                    lines += 1;
                    let next = offset + i as u64 + 1;
                    if !in_quotes && cuts.last().is_some_and(|&cut| next > cut) {
                        cuts.pop();
                        if next < size {
                            points.push((next, lines));
                        }
                    }
                }
                _ => {}
            }
        }
        offset = end;
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(text: &str, parts: usize) -> Vec<(u64, u32)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.csv");
        std::fs::write(&path, text).unwrap();
        split_points(&path, parts).unwrap()
    }

    #[test]
    fn cuts_fall_after_line_breaks_outside_quotes() {
        let text = "measure,period\na,1\nb,2\nc,3\nd,4\n";
        assert_eq!(points(text, 2), [(19, 3)]);
        assert_eq!(&text[19..], "b,2\nc,3\nd,4\n");
        // A quoted line break is not a cut; the next break is.
        let text = "m,note\na,\"x\ny\"\nb,z\nc,w\n";
        let found = points(text, 2);
        assert_eq!(found.len(), 1);
        assert!(text[..found[0].0 as usize].ends_with("y\"\n"), "{found:?}");
        assert_eq!(found[0].1, 4);
        // An unclosed quote leaves nothing to cut at.
        assert!(points("m,note\na,\"open\nb\nc\nd\n", 2).is_empty());
    }
}
