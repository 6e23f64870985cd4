//! The one CSV state machine every reader of observation files uses: csv-core's reader, fed from
//! a window over the file, with the places of cells found by the same machine.
//!
//! [`Records`] reads a file, or a part of one, record by record; [`RecordStarts`] finds where
//! records start, to cut a large file into parts that read as the whole file does.
//!
//! The machine reads CSV as csv-core's defaults do, which is how Python's csv module, pandas,
//! DuckDB and spreadsheets read it:
//!
//! - a cell that starts with `"` is quoted: it runs to the next `"` that is not doubled (`""`
//!   inside it is one quote), and text after the closing quote continues the cell;
//! - a `"` anywhere else is text, as in `Replaced 12" pipe`;
//! - outside quotes LF, CRLF and a lone CR end a record, and empty lines are skipped.
//!
//! Lines end at LF, CRLF and a lone CR alike, so a record always starts at column 1. A CRLF
//! inside a quoted cell becomes LF in the cell; a lone CR there is kept as written. Columns
//! count characters (the bytes that start a UTF-8 sequence).

use std::cell::RefCell;
use std::io::{self, Read};
use std::ops::Range;

use csv_core::{ReadRecordResult, Reader as Machine};

/// Bytes read from the file at a time.
const CHUNK_BYTES: usize = 256 * 1024;

/// The longest record read: a longer one is reported as a whole and skipped, so that a quote
/// opened by mistake cannot make the rest of a large file one record held in memory.
pub(crate) const MAX_RECORD_BYTES: usize = 1024 * 1024;

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// A machine, in the state before a file's first record.
///
/// Machines are built, never cloned: csv-core 0.1's `Reader::clone` copies the transition table
/// but not which transitions copy their byte into the cell, so a clone reads wrongly.
///
/// csv-core skips a byte order mark at the start of the first input it reads. The readers here
/// skip one themselves, at the start of the file only: a part of a file read on its own may
/// start with U+FEFF, which is then a character of its first cell, as in the whole file. So the
/// machine is first given an empty line, which it skips as it would any.
fn machine() -> Machine {
    let mut machine = Machine::new();
    prime(&mut machine);
    machine
}

/// Gives a machine before any input the empty line that keeps it from skipping a byte order
/// mark (see [`machine`]).
fn prime(machine: &mut Machine) {
    let (result, read, _, _) = machine.read_record(b"\n", &mut [0], &mut [0]);
    debug_assert!(matches!(result, ReadRecordResult::InputEmpty) && read == 1);
}

/// Puts a machine back in the state before a file's first record. Building one takes a
/// thousand times longer (its transition table), and cloning one is wrong.
fn reset(machine: &mut Machine) {
    machine.reset();
    prime(machine);
}

/// Whether the machine is inside a quoted cell: there, and only there, a comma ends no field.
/// The comma is read, so the machine is spent until it is reset.
fn in_quoted_cell(machine: &mut Machine) -> bool {
    let (_, _, _, ended) = machine.read_record(b",", &mut [0], &mut [0]);
    ended == 0
}

/// Whether `byte` continues a UTF-8 character rather than starting one.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// The number of characters in UTF-8 `bytes` (the bytes that start one).
fn characters(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&byte| !is_continuation(byte)).count() as u64
}

/// The bytes of the input seen through a buffer that keeps what the reader still needs.
struct Window<R> {
    inner: R,
    /// `buf[..ready]` is read; `buf[ready..filled]` is a CR held back until the byte after it
    /// shows whether it ends a line by itself, so every CR ready has its next byte at hand.
    buf: Vec<u8>,
    ready: usize,
    filled: usize,
    /// Offset in the input of `buf[0]`.
    offset: u64,
    /// Bytes read at a time.
    chunk: usize,
    eof: bool,
}

impl<R: Read> Window<R> {
    fn new(inner: R, chunk: usize) -> Self {
        Window {
            inner,
            buf: vec![0; chunk],
            ready: 0,
            filled: 0,
            offset: 0,
            chunk,
            eof: false,
        }
    }

    /// Drops `buf[..keep]`, then reads until at least one more byte is ready or the input ends.
    /// Returns `keep`: positions in `buf` move back by that much.
    fn fill(&mut self, keep: usize) -> io::Result<usize> {
        debug_assert!(keep <= self.ready);
        if keep > 0 {
            self.buf.copy_within(keep..self.filled, 0);
            self.filled -= keep;
            self.ready -= keep;
            self.offset += keep as u64;
        }
        let before = self.ready;
        while self.ready == before && !self.eof {
            if self.buf.len() - self.filled < (self.chunk / 2).max(1) {
                let grown = self.buf.len() + self.chunk.max(self.buf.len() / 2);
                self.buf.resize(grown, 0);
            }
            match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(0) => self.eof = true,
                Ok(read) => self.filled += read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
            self.hold_back();
        }
        Ok(keep)
    }

    /// Skips a byte order mark at `buf[0]`, the start of the file; returns where reading starts.
    fn skip_byte_order_mark(&mut self) -> io::Result<usize> {
        while self.ready < BYTE_ORDER_MARK.len() && !self.eof {
            self.fill(0)?;
        }
        Ok(if self.buf[..self.ready].starts_with(BYTE_ORDER_MARK) {
            BYTE_ORDER_MARK.len()
        } else {
            0
        })
    }
}

impl<R> Window<R> {
    /// Makes what was read ready, but a CR that ends it while more may follow.
    fn hold_back(&mut self) {
        let last_is_cr = self.filled > 0 && self.buf[self.filled - 1] == b'\r';
        self.ready = if last_is_cr && !self.eof {
            self.filled - 1
        } else {
            self.filled
        };
    }

    /// Whether the CR at `at` ends a line by itself: no LF follows it.
    fn is_lone_cr(&self, at: usize) -> bool {
        at + 1 >= self.filled || self.buf[at + 1] != b'\n'
    }

    /// The number of line ends in `buf[range]` (ready bytes): LFs, and CRs no LF follows.
    fn line_ends(&self, range: Range<usize>) -> u64 {
        let bytes = &self.buf[range.clone()];
        let lines = memchr::memchr_iter(b'\n', bytes).count() as u64;
        if memchr::memchr(b'\r', bytes).is_some() {
            lines + self.lone_crs(range)
        } else {
            lines
        }
    }

    /// The number of CRs in `buf[range]` that no LF follows.
    fn lone_crs(&self, range: Range<usize>) -> u64 {
        memchr::memchr_iter(b'\r', &self.buf[range.clone()])
            .filter(|&at| self.is_lone_cr(range.start + at))
            .count() as u64
    }

    /// Where the last line in `buf[range]` starts, if a line ends in it.
    fn last_line_start(&self, range: Range<usize>) -> Option<usize> {
        let bytes = &self.buf[range.clone()];
        let mut end = bytes.len();
        while let Some(at) = memchr::memrchr2(b'\n', b'\r', &bytes[..end]) {
            if bytes[at] == b'\n' || self.is_lone_cr(range.start + at) {
                return Some(range.start + at + 1);
            }
            end = at;
        }
        None
    }

    /// The first line end in `buf[range]`: the index after it.
    fn first_line_end(&self, range: Range<usize>) -> Option<usize> {
        let mut from = range.start;
        while let Some(at) = memchr::memchr2(b'\n', b'\r', &self.buf[from..range.end]) {
            let at = from + at;
            if self.buf[at] == b'\n' || self.is_lone_cr(at) {
                return Some(at + 1);
            }
            from = at + 1;
        }
        None
    }
}

/// Follows a record from its first byte with a machine of its own, to tell where each field
/// begins; the reader's machine only tells where fields end in its output.
struct Placer {
    machine: Machine,
    /// The place of the next byte.
    line: u64,
    column: u64,
    /// Fields ended so far, and where the field after the last of them begins.
    ended: usize,
    field_start: (u64, u64),
}

impl Placer {
    fn new(line: u64) -> Placer {
        Placer::with(machine(), line)
    }

    /// A placer with `machine`, which is in the state before a file's first record.
    fn with(machine: Machine, line: u64) -> Placer {
        Placer {
            machine,
            line,
            column: 1,
            ended: 0,
            field_start: (line, 1),
        }
    }

    /// Reads on through `window.buf[range]` until field `field` (0-based) begins or the record
    /// ends; returns how many bytes it read and whether the record ended.
    fn advance<R>(
        &mut self,
        window: &Window<R>,
        range: Range<usize>,
        field: usize,
    ) -> (usize, bool) {
        let (mut scratch, mut end) = ([0; 512], [0; 1]);
        let bytes = &window.buf[range.clone()];
        let mut read = 0;
        while read < bytes.len() && self.ended < field {
            let (result, n, _, ended) =
                self.machine
                    .read_record(&bytes[read..], &mut scratch, &mut end);
            let from = range.start + read;
            self.move_over(window, from..from + n);
            read += n;
            if matches!(result, ReadRecordResult::Record | ReadRecordResult::End) {
                return (read, true);
            }
            if ended > 0 {
                self.ended += 1;
                self.field_start = (self.line, self.column);
            }
        }
        (read, false)
    }

    fn move_over<R>(&mut self, window: &Window<R>, range: Range<usize>) {
        match window.last_line_start(range.clone()) {
            Some(start) => {
                self.line += window.line_ends(range.clone());
                self.column = 1 + characters(&window.buf[start..range.end]);
            }
            None => self.column += characters(&window.buf[range]),
        }
    }

    fn field_start(&self) -> (u32, u32) {
        (to_u32_64(self.field_start.0), to_u32_64(self.field_start.1))
    }
}

fn to_u32_64(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What [`Records::next`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// A record, now the current one.
    Record,
    /// The input ends inside a quoted cell whose opening quote is at this line and column.
    Unclosed { line: u32, column: u32 },
    /// A record longer than [`MAX_RECORD_BYTES`], starting at this line, was skipped.
    TooLong { line: u32 },
    /// The input has no more records.
    End,
}

/// Reads CSV records one at a time, keeping the raw bytes of the current one to place its
/// cells exactly.
pub(crate) struct Records<R> {
    window: Window<R>,
    machine: Machine,
    /// The machine placers borrow, reset before each.
    spare: RefCell<Machine>,
    /// Where the machine reads next in `window.buf`, and the line there.
    pos: usize,
    line: u64,
    /// Whether the input starts at the start of the file (a byte order mark may follow).
    at_file_start: bool,
    finished: bool,
    /// The current record: its raw bytes `window.buf[start..end]`, its first line, its cells
    /// (`cells[ends[i - 1]..ends[i]]`) and how many it has.
    start: usize,
    end: usize,
    record_line: u64,
    cells: Vec<u8>,
    ends: Vec<usize>,
    count: usize,
}

impl<R: Read> Records<R> {
    /// Records of a whole file, which may start with a byte order mark.
    pub(crate) fn new(inner: R) -> Self {
        Records::with_chunk(inner, 1, true, CHUNK_BYTES)
    }

    /// Records of a part of a file that starts at a record on line `first_line`.
    pub(crate) fn part(inner: R, first_line: u32) -> Self {
        Records::with_chunk(inner, u64::from(first_line), false, CHUNK_BYTES)
    }

    fn with_chunk(inner: R, first_line: u64, at_file_start: bool, chunk: usize) -> Self {
        Records {
            window: Window::new(inner, chunk),
            machine: machine(),
            spare: RefCell::new(machine()),
            pos: 0,
            line: first_line,
            at_file_start,
            finished: false,
            start: 0,
            end: 0,
            record_line: first_line,
            cells: vec![0; 1024],
            ends: vec![0; 16],
            count: 0,
        }
    }

    fn refill(&mut self, keep: usize) -> io::Result<()> {
        let dropped = self.window.fill(keep)?;
        self.pos -= dropped;
        self.start = self.start.saturating_sub(dropped);
        self.end = self.end.saturating_sub(dropped);
        Ok(())
    }

    /// Reads the next record. After an error, an unclosed quote or the end, there are no more.
    pub(crate) fn next(&mut self) -> io::Result<Next> {
        if self.finished {
            return Ok(Next::End);
        }
        let result = self.read_next();
        if !matches!(result, Ok(Next::Record | Next::TooLong { .. })) {
            self.finished = true;
            self.count = 0;
        }
        result
    }

    fn read_next(&mut self) -> io::Result<Next> {
        if self.at_file_start {
            self.at_file_start = false;
            self.pos = self.window.skip_byte_order_mark()?;
        }
        // Line ends before a record are skipped, as the machine would skip them.
        loop {
            let rest = &self.window.buf[self.pos..self.window.ready];
            let skipped = rest
                .iter()
                .position(|&byte| byte != b'\n' && byte != b'\r')
                .unwrap_or(rest.len());
            if skipped > 0 {
                self.line += self.window.line_ends(self.pos..self.pos + skipped);
                self.pos += skipped;
            }
            if self.pos < self.window.ready {
                break;
            }
            if self.window.eof {
                return Ok(Next::End);
            }
            self.refill(self.pos)?;
        }
        self.start = self.pos;
        self.record_line = self.line;
        // The machine counts LFs as it reads them.
        let lines_before = self.machine.line();
        let (mut written, mut ended) = (0, 0);
        loop {
            if self.pos == self.window.ready && !self.window.eof {
                if self.pos - self.start > MAX_RECORD_BYTES {
                    return self.skip_long_record();
                }
                self.refill(self.start)?;
                continue;
            }
            let input = &self.window.buf[self.pos..self.window.ready];
            if input.is_empty() {
                // The end of the input: a placer reads the record again to tell whether it ends
                // inside quotes. A quote opens them only at the start of a field, so the quote
                // never closed opens the record's last field, where the placer stops.
                let unclosed = self.with_placer(|placer| {
                    placer.advance(&self.window, self.start..self.pos, usize::MAX);
                    in_quoted_cell(&mut placer.machine).then(|| placer.field_start())
                });
                if let Some((line, column)) = unclosed {
                    return Ok(Next::Unclosed { line, column });
                }
            }
            let (result, read, wrote, end) = self.machine.read_record(
                input,
                &mut self.cells[written..],
                &mut self.ends[ended..],
            );
            self.pos += read;
            written += wrote;
            ended += end;
            match result {
                ReadRecordResult::Record => break,
                // Not reached: a record has begun, and the input's end completes it.
                ReadRecordResult::End => return Ok(Next::End),
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let grown = self.cells.len() * 2;
                    self.cells.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
            }
        }
        self.end = self.pos;
        self.line += self.machine.line() - lines_before;
        let carriage_returns = memchr::memchr(b'\r', &self.window.buf[self.raw()]).is_some();
        if carriage_returns {
            self.line += self.window.lone_crs(self.raw());
        }
        if self.end - self.start > MAX_RECORD_BYTES {
            self.count = 0;
            return Ok(Next::TooLong {
                line: to_u32_64(self.record_line),
            });
        }
        self.count = ended;
        if carriage_returns {
            drop_carriage_returns(&mut self.cells, &mut self.ends[..ended]);
        }
        Ok(Next::Record)
    }

    /// Reads to the end of a record already longer than [`MAX_RECORD_BYTES`], keeping none of
    /// it: a placer that has read it from its start carries on in the machine's place.
    fn skip_long_record(&mut self) -> io::Result<Next> {
        let mut placer = Placer::new(self.record_line);
        placer.advance(&self.window, self.start..self.pos, usize::MAX);
        self.count = 0;
        let too_long = Next::TooLong {
            line: to_u32_64(self.record_line),
        };
        loop {
            self.refill(self.pos)?;
            if self.pos == self.window.ready {
                // The end of the input: nothing is read after this record.
                let (line, column) = placer.field_start();
                return Ok(if in_quoted_cell(&mut placer.machine) {
                    Next::Unclosed { line, column }
                } else {
                    too_long
                });
            }
            let (read, ended) =
                placer.advance(&self.window, self.pos..self.window.ready, usize::MAX);
            self.pos += read;
            if ended {
                break;
            }
        }
        self.line = placer.line;
        self.machine = placer.machine;
        self.start = self.pos;
        self.end = self.pos;
        Ok(too_long)
    }

    /// The number of cells of the current record.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Cell `index` of the current record.
    pub(crate) fn cell(&self, index: usize) -> &[u8] {
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.cells[start..self.ends[index]]
    }

    /// The cells of the current record.
    pub(crate) fn cells(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.count).map(|index| self.cell(index))
    }

    /// The line the current record starts on.
    pub(crate) fn line(&self) -> u32 {
        to_u32_64(self.record_line)
    }

    /// The line of the next byte to read: after the last record, the line after the file's end.
    pub(crate) fn next_line(&self) -> u32 {
        to_u32_64(self.line)
    }

    /// The line and column where cell `index` of the current record starts (its opening quote,
    /// when quoted); the last cell's start for an index past the last cell.
    pub(crate) fn place(&self, index: usize) -> (u32, u32) {
        self.with_placer(|placer| {
            placer.advance(&self.window, self.raw(), index);
            placer.field_start()
        })
    }

    /// Runs `read` with a placer at the start of the current record.
    fn with_placer<T>(&self, read: impl FnOnce(&mut Placer) -> T) -> T {
        let mut machine = self.spare.take();
        reset(&mut machine);
        let mut placer = Placer::with(machine, self.record_line);
        let result = read(&mut placer);
        self.spare.replace(placer.machine);
        result
    }

    /// The text of `line` of the current record, without its line end.
    pub(crate) fn line_text(&self, line: u32) -> Option<&[u8]> {
        let mut nth = u64::from(line).checked_sub(self.record_line)?;
        let raw = self.raw();
        let mut from = raw.start;
        loop {
            let end = self.window.first_line_end(from..raw.end);
            if nth == 0 {
                let text = &self.window.buf[from..end.map_or(raw.end, |end| end - 1)];
                return Some(text.strip_suffix(b"\r").unwrap_or(text));
            }
            from = end?;
            nth -= 1;
        }
    }

    fn raw(&self) -> Range<usize> {
        self.start..self.end.max(self.start)
    }

    /// The offset in the input of the current record's first byte.
    #[cfg(test)]
    fn offset(&self) -> u64 {
        self.window.offset + self.start as u64
    }
}

/// Removes the CR of every CRLF in the cells: only a quoted cell holds one, and it is read as
/// LF. A lone CR is kept as written.
fn drop_carriage_returns(cells: &mut [u8], ends: &mut [usize]) {
    let total = ends.last().copied().unwrap_or(0);
    if memchr::memchr(b'\r', &cells[..total]).is_none() {
        return;
    }
    let (mut read, mut written) = (0, 0);
    for end in ends {
        while read < *end {
            let byte = cells[read];
            read += 1;
            if byte != b'\r' || read == *end || cells[read] != b'\n' {
                cells[written] = byte;
                written += 1;
            }
        }
        *end = written;
    }
}

/// Where records start in a CSV file, found by the machine that
/// [`ObservationReader`](super::ObservationReader) reads records with: a part of the file that
/// begins at one of them holds the same records, on the same lines, as in the whole file.
///
/// Text is only given to the machine from the record holding a quote to that record's end:
/// between two records, until a quote, every line end ends a record, whatever the machine's state
/// (its tests check this against reading every record).
pub struct RecordStarts<R> {
    window: Window<R>,
    machine: Machine,
    /// Where the machine is in `window.buf`: always between two records. The line there.
    pos: usize,
    line: u64,
    started: bool,
}

impl<R: Read> RecordStarts<R> {
    /// Record starts of the file `file` reads, from its first byte.
    pub fn new(file: R) -> Self {
        RecordStarts::with_chunk(file, CHUNK_BYTES)
    }

    fn with_chunk(file: R, chunk: usize) -> Self {
        RecordStarts {
            window: Window::new(file, chunk),
            machine: machine(),
            pos: 0,
            line: 1,
            started: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.pos -= self.window.fill(self.pos)?;
        Ok(())
    }

    fn move_to(&mut self, to: usize) {
        self.line += self.window.line_ends(self.pos..to);
        self.pos = to;
    }

    /// The first record that starts at byte `offset` of the file or later: its offset and its
    /// 1-based line; `None` when no record starts there. Offsets asked for must not decrease.
    ///
    /// # Errors
    ///
    /// When the file cannot be read.
    pub fn first_from(&mut self, offset: u64) -> io::Result<Option<(u64, u32)>> {
        if !self.started {
            self.started = true;
            self.pos = self.window.skip_byte_order_mark()?;
        }
        loop {
            let ready = self.window.ready;
            let rest = &self.window.buf[self.pos..ready];
            let quote = memchr::memchr(b'"', rest).map_or(ready, |at| self.pos + at);
            let here = self.window.offset + self.pos as u64;
            let boundary = if here >= offset {
                Some(self.pos)
            } else {
                // A record starts after the first line end at `offset - 1` or later, if before
                // the quote.
                let from = usize::try_from(offset - 1 - self.window.offset).unwrap_or(usize::MAX);
                (from < quote)
                    .then(|| self.window.first_line_end(from..quote))
                    .flatten()
            };
            if let Some(boundary) = boundary {
                self.move_to(boundary);
                return self.skip_line_ends();
            }
            if let Some(start) = self.window.last_line_start(self.pos..quote) {
                self.move_to(start);
            }
            if quote < ready {
                self.read_record()?;
            } else if self.window.eof {
                return Ok(None);
            } else {
                self.refill()?;
            }
        }
    }

    /// From a place between two records, the start of the next one.
    fn skip_line_ends(&mut self) -> io::Result<Option<(u64, u32)>> {
        loop {
            let rest = &self.window.buf[self.pos..self.window.ready];
            match rest.iter().position(|&byte| byte != b'\n' && byte != b'\r') {
                Some(at) => {
                    self.move_to(self.pos + at);
                    let offset = self.window.offset + self.pos as u64;
                    return Ok(Some((offset, to_u32_64(self.line))));
                }
                None => self.move_to(self.window.ready),
            }
            if self.window.eof {
                return Ok(None);
            }
            self.refill()?;
        }
    }

    /// Gives the machine the record that starts at `pos`, to its end.
    fn read_record(&mut self) -> io::Result<()> {
        let (mut scratch, mut ends) = ([0; 4096], [0; 64]);
        loop {
            if self.pos == self.window.ready {
                if !self.window.eof {
                    self.refill()?;
                    continue;
                }
                // The end of the input ends the record.
                self.machine.read_record(&[], &mut scratch, &mut ends);
                return Ok(());
            }
            let (result, read, _, _) = self.machine.read_record(
                &self.window.buf[self.pos..self.window.ready],
                &mut scratch,
                &mut ends,
            );
            self.move_to(self.pos + read);
            if matches!(result, ReadRecordResult::Record | ReadRecordResult::End) {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A record as read: its line, offset and cells, or what ended the reading.
    #[derive(Debug, Clone, PartialEq)]
    enum Got {
        Record {
            line: u32,
            offset: u64,
            cells: Vec<Vec<u8>>,
        },
        Other(Next),
    }

    fn read_records(mut records: Records<&[u8]>) -> Vec<Got> {
        let mut read = Vec::new();
        loop {
            match records.next().unwrap() {
                Next::Record => read.push(Got::Record {
                    line: records.line(),
                    offset: records.offset(),
                    cells: records.cells().map(<[u8]>::to_vec).collect(),
                }),
                Next::End => return read,
                other => read.push(Got::Other(other)),
            }
        }
    }

    fn whole(input: &[u8], chunk: usize) -> Vec<Got> {
        read_records(Records::with_chunk(input, 1, true, chunk))
    }

    fn cells(input: &[u8]) -> Vec<Vec<String>> {
        whole(input, CHUNK_BYTES)
            .into_iter()
            .filter_map(|read| match read {
                Got::Record { cells, .. } => Some(
                    cells
                        .into_iter()
                        .map(|cell| String::from_utf8(cell).unwrap())
                        .collect(),
                ),
                Got::Other(_) => None,
            })
            .collect()
    }

    #[test]
    fn quotes_are_read_as_pythons_csv_module_reads_them() {
        // The expected cells are what `csv.reader(open(path, newline=""))` gives for the same
        // bytes, except that a CRLF in a quoted cell is read as LF.
        let input = b"measure,period,value,target,note\n\
potholes,2024-01,81,,Replaced 12\" pipe\n\
potholes,2024-02,82,,\"quoted \"\"x\"\" ok\"\n\
p,2024-03,1,,a\"b\"c\n\
p,2024-04,1,,\"ab\"cd\r\n\
p,x,1,,\"multi\r\nline\"\n";
        let expected: Vec<Vec<&str>> = vec![
            vec!["measure", "period", "value", "target", "note"],
            vec!["potholes", "2024-01", "81", "", "Replaced 12\" pipe"],
            vec!["potholes", "2024-02", "82", "", "quoted \"x\" ok"],
            vec!["p", "2024-03", "1", "", "a\"b\"c"],
            vec!["p", "2024-04", "1", "", "abcd"],
            vec!["p", "x", "1", "", "multi\nline"],
        ];
        assert_eq!(cells(input), expected);
    }

    #[test]
    fn line_ends_and_byte_order_marks() {
        let input = b"\xEF\xBB\xBFa,b\r3,4\r\n\r\n5,\"x\ry\"\n\n\xEF\xBB\xBF6,7";
        let read = whole(input, CHUNK_BYTES);
        let lines: Vec<(u32, Vec<Vec<u8>>)> = read
            .into_iter()
            .map(|read| match read {
                Got::Record { line, cells, .. } => (line, cells),
                Got::Other(other) => panic!("{other:?}"),
            })
            .collect();
        let expected: Vec<(u32, Vec<&[u8]>)> = vec![
            (1, vec![b"a", b"b"]),
            (2, vec![b"3", b"4"]),
            (4, vec![b"5", b"x\ry"]),
            // A byte order mark after the start of the file is a character of the cell.
            (7, vec![b"\xEF\xBB\xBF6", b"7"]),
        ];
        let expected: Vec<(u32, Vec<Vec<u8>>)> = expected
            .into_iter()
            .map(|(line, cells)| (line, cells.into_iter().map(<[u8]>::to_vec).collect()))
            .collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn cells_are_placed_exactly() {
        let input = "h\nm,2024-01,\"note, with \"\"quotes\"\"\",District 1\nm,\"two\nlines\",é,x\n";
        let mut records = Records::new(input.as_bytes());
        assert_eq!(records.next().unwrap(), Next::Record);
        assert_eq!(records.next().unwrap(), Next::Record);
        assert_eq!(records.place(0), (2, 1));
        assert_eq!(records.place(1), (2, 3));
        assert_eq!(records.place(3), (2, 35));
        assert_eq!(records.cell(2), b"note, with \"quotes\"");
        assert_eq!(records.next().unwrap(), Next::Record);
        assert_eq!(records.line(), 3);
        assert_eq!(records.place(2), (4, 8));
        assert_eq!(records.place(3), (4, 10));
        assert_eq!(records.line_text(4), Some("lines\",é,x".as_bytes()));
        assert_eq!(records.next().unwrap(), Next::End);
        assert_eq!(records.next_line(), 5);
    }

    #[test]
    fn an_unclosed_quote_is_placed_where_it_opens() {
        for chunk in [3, 7, CHUNK_BYTES] {
            let input = b"a,b\n1,\"ok \"\"x\"\"\"\n2,12\" pipe\n3,\"never closed\n4,x\n";
            let read = whole(input, chunk);
            assert_eq!(
                read.last(),
                Some(&Got::Other(Next::Unclosed { line: 4, column: 3 })),
                "{read:?}"
            );
            assert_eq!(read.len(), 4);
            let read = whole(b"a,b\r\n1,\"fine\"\r\n", chunk);
            assert_eq!(read.len(), 2);
        }
    }

    #[test]
    fn records_past_the_limit_are_skipped_whole() {
        let long = "x".repeat(MAX_RECORD_BYTES + 10);
        let input = format!("a,b\n1,\"{long}\"\n2,3\n4,\"{long}\n5,6\n");
        let read = whole(input.as_bytes(), CHUNK_BYTES);
        assert_eq!(read[1], Got::Other(Next::TooLong { line: 2 }));
        assert!(matches!(&read[2], Got::Record { line: 3, cells, .. } if cells[0] == b"2"));
        assert_eq!(read[3], Got::Other(Next::Unclosed { line: 4, column: 3 }));
        assert_eq!(read.len(), 4);
    }

    /// Every record start at or after each offset, found by [`RecordStarts`] asked for
    /// increasing offsets.
    fn starts(input: &[u8], chunk: usize) -> Vec<Option<(u64, u32)>> {
        let mut starts = RecordStarts::with_chunk(input, chunk);
        (0..=input.len() as u64 + 1)
            .map(|offset| starts.first_from(offset).unwrap())
            .collect()
    }

    /// Text made of what the machine tells apart.
    fn csvish() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop::sample::select(vec![b'a', b'a', b',', b'"', b'"', b'\n', b'\r', 0xC3, 0xA9]),
            0..120,
        )
    }

    /// A cell as written, in pieces (a piece ending in LF ends a line), and its value.
    fn cell() -> impl Strategy<Value = (Vec<String>, String)> {
        let unquoted = prop::collection::vec(prop::sample::select(vec!["a", "é", "\"", "1"]), 0..5)
            .prop_filter("a quote first opens a quoted cell", |pieces| {
                pieces.first() != Some(&"\"")
            })
            .prop_map(|pieces| {
                let value = pieces.concat();
                (pieces.into_iter().map(str::to_owned).collect(), value)
            });
        let quoted = prop::collection::vec(
            prop::sample::select(vec![
                ("a", "a"),
                (",", ","),
                ("\"\"", "\""),
                ("é", "é"),
                ("\n", "\n"),
                ("\r\n", "\n"),
                ("\rb", "\rb"),
            ]),
            0..5,
        )
        .prop_map(|pieces| {
            let mut written = vec!["\"".to_owned()];
            written.extend(pieces.iter().map(|(piece, _)| (*piece).to_owned()));
            written.push("\"".to_owned());
            (written, pieces.iter().map(|(_, value)| *value).collect())
        });
        prop_oneof![unquoted, quoted]
    }

    /// A record's cells (the first not empty, or the line would be an empty one) and line end.
    fn row() -> impl Strategy<Value = (Vec<(Vec<String>, String)>, &'static str)> {
        (
            prop::collection::vec(cell(), 1..5)
                .prop_filter("an empty line is no record", |cells| {
                    !cells[0].1.is_empty() || cells[0].0.len() > 1 || cells.len() > 1
                }),
            prop::sample::select(vec!["\n", "\r\n", "\r"]),
        )
    }

    proptest! {
        #[test]
        fn record_starts_are_where_the_reader_starts_records(input in csvish(), chunk in 1usize..9) {
            let read = whole(&input, CHUNK_BYTES);
            let records: Vec<(u64, u32)> = read
                .iter()
                .filter_map(|read| match read {
                    Got::Record { line, offset, .. } => Some((*offset, *line)),
                    Got::Other(_) => None,
                })
                .collect();
            // A record cut short by the end of the input inside quotes is not read, but starts.
            let unclosed = matches!(read.last(), Some(Got::Other(Next::Unclosed { .. })));
            let found = starts(&input, chunk);
            for (offset, found) in found.iter().enumerate() {
                let expected = records.iter().find(|(start, _)| *start >= offset as u64).copied();
                match (found, expected) {
                    (Some(found), Some(expected)) => prop_assert_eq!(*found, expected),
                    (None, None) => {}
                    (Some(found), None) => prop_assert!(unclosed, "{found:?} at {offset}"),
                    (None, Some(expected)) => prop_assert!(false, "missed {expected:?} at {offset}"),
                }
            }
        }

        #[test]
        fn parts_read_as_the_whole(input in csvish(), chunk in 1usize..9, cut in 0usize..120) {
            let whole = whole(&input, chunk);
            let Some((offset, line)) = RecordStarts::with_chunk(input.as_slice(), chunk)
                .first_from(cut as u64)
                .unwrap()
            else {
                return Ok(());
            };
            let split = usize::try_from(offset).unwrap();
            let mut parts = read_records(Records::with_chunk(&input[..split], 1, true, chunk));
            let second = read_records(Records::with_chunk(&input[split..], u64::from(line), false, chunk));
            parts.extend(second.into_iter().map(|read| match read {
                Got::Record { line, offset, cells } => Got::Record { line, offset: offset + split as u64, cells },
                other => other,
            }));
            prop_assert_eq!(parts, whole);
        }

        #[test]
        fn chunks_change_nothing(input in csvish(), chunk in 1usize..9) {
            prop_assert_eq!(whole(&input, chunk), whole(&input, CHUNK_BYTES));
        }

        #[test]
        fn cells_are_placed_where_they_start(rows in prop::collection::vec(row(), 1..8)) {
            // The text is built from cells whose places and values are known as it is written.
            let (mut text, mut expected) = (String::new(), Vec::new());
            let (mut line, mut column) = (1u32, 1u32);
            for (cells, line_end) in &rows {
                let mut record = Vec::new();
                for (index, (written, value)) in cells.iter().enumerate() {
                    if index > 0 {
                        text.push(',');
                        column += 1;
                    }
                    record.push(((line, column), value.clone()));
                    for piece in written {
                        text.push_str(piece);
                        if piece.ends_with('\n') {
                            line += 1;
                            column = 1;
                        } else if piece == "\rb" {
                            line += 1;
                            column = 2;
                        } else {
                            column += piece.chars().count() as u32;
                        }
                    }
                }
                expected.push(record);
                text.push_str(line_end);
                line += 1;
                column = 1;
            }
            let mut records = Records::new(text.as_bytes());
            for record in expected {
                prop_assert_eq!(records.next().unwrap(), Next::Record);
                prop_assert_eq!(records.len(), record.len());
                for (index, (place, value)) in record.into_iter().enumerate() {
                    prop_assert_eq!(records.place(index), place, "{:?}", text);
                    prop_assert_eq!(records.cell(index), value.as_bytes());
                    let line_text = records.line_text(place.0).unwrap();
                    prop_assert!(!line_text.contains(&b'\n') && !line_text.ends_with(b"\r"));
                }
            }
            prop_assert_eq!(records.next().unwrap(), Next::End);
        }
    }
}
