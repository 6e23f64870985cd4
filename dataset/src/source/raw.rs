//! The raw bytes of an observation CSV as the parser reads them: CRLF line ends read as LF, the
//! quote state tracked to catch a quote that is never closed, and the latest bytes kept to place
//! cells exactly in messages.

use std::io::Read;

use super::text::to_u32;

/// Bytes kept for locating cells; records longer than this are located approximately.
const RECENT_BYTES: usize = 256 * 1024;

/// Wraps the file given to the CSV parser.
pub(crate) struct RawInput<R> {
    inner: R,
    /// A CR read at the end of the previous chunk, not yet known to precede an LF.
    pending_cr: bool,
    /// The latest bytes handed to the parser, and the offset of the first of them.
    recent: Vec<u8>,
    recent_start: u64,
    /// Whether the bytes so far end inside a quoted cell, and where that quote opened.
    in_quotes: bool,
    opened_at: (u32, u32),
    /// 1-based line and column (in characters) of the next byte.
    line: u32,
    column: u32,
}

impl<R: Read> RawInput<R> {
    pub(crate) fn new(inner: R) -> Self {
        RawInput {
            inner,
            pending_cr: false,
            recent: Vec::new(),
            recent_start: 0,
            in_quotes: false,
            opened_at: (0, 0),
            line: 1,
            column: 1,
        }
    }

    /// Where the quote opened, if the file so far ends inside a quoted cell. Quotes are
    /// balanced in RFC 4180 CSV (`""` inside a quoted cell counts twice), so an odd count means
    /// a quote was never closed.
    pub(crate) fn unclosed_quote(&self) -> Option<(u32, u32)> {
        self.in_quotes.then_some(self.opened_at)
    }

    /// The bytes from absolute offset `from` on, if they are still kept.
    pub(crate) fn recent(&self, from: u64) -> Option<&[u8]> {
        let start = usize::try_from(from.checked_sub(self.recent_start)?).ok()?;
        self.recent.get(start..)
    }

    fn observe(&mut self, bytes: &[u8]) {
        if memchr::memchr(b'"', bytes).is_none() {
            // No quote: only the place of the next byte moves, found with vectorised searches.
            match memchr::memrchr(b'\n', bytes) {
                Some(last) => {
                    let lines = memchr::memchr_iter(b'\n', bytes).count();
                    self.line += to_u32(lines);
                    self.column = 1 + characters(&bytes[last + 1..]);
                }
                None => self.column += characters(bytes),
            }
        } else {
            for &byte in bytes {
                match byte {
                    b'"' => {
                        if !self.in_quotes {
                            self.opened_at = (self.line, self.column);
                        }
                        self.in_quotes = !self.in_quotes;
                    }
                    b'\n' => {
                        self.line += 1;
                        self.column = 0;
                    }
                    _ => {}
                }
                if !is_continuation(byte) {
                    self.column += 1;
                }
            }
        }
        if self.recent.len() + bytes.len() > RECENT_BYTES {
            let drop = (self.recent.len() + bytes.len())
                .saturating_sub(RECENT_BYTES / 2)
                .min(self.recent.len());
            self.recent.drain(..drop);
            self.recent_start += drop as u64;
        }
        self.recent.extend_from_slice(bytes);
    }
}

impl<R: Read> Read for RawInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.len() < 2 {
            // Too small to look ahead for an LF; the CSV parser never asks for this little.
            let read = self.inner.read(buf)?;
            self.observe(&buf[..read]);
            return Ok(read);
        }
        loop {
            let start = usize::from(self.pending_cr);
            if self.pending_cr {
                buf[0] = b'\r';
                self.pending_cr = false;
            }
            let read = self.inner.read(&mut buf[start..])?;
            let end = start + read;
            let mut written = match memchr::memchr(b'\r', &buf[..end]) {
                Some(_) => crlf_to_lf(&mut buf[..end]),
                None => end,
            };
            // A CR ending a full chunk may start a CRLF split across reads.
            if read > 0 && written > 0 && buf[written - 1] == b'\r' {
                self.pending_cr = true;
                written -= 1;
            }
            if written > 0 || read == 0 {
                if read == 0 && self.pending_cr {
                    // End of input right after a CR: hand it over.
                    self.pending_cr = false;
                    buf[written] = b'\r';
                    written += 1;
                }
                self.observe(&buf[..written]);
                return Ok(written);
            }
        }
    }
}

/// Turns every CRLF in `bytes` into LF in place; returns the new length.
fn crlf_to_lf(bytes: &mut [u8]) -> usize {
    let mut written = 0;
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        bytes[written] = bytes[i];
        written += 1;
    }
    written
}

/// Whether `byte` continues a UTF-8 character rather than starting one.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// The number of characters in UTF-8 `bytes` (the bytes that start one).
fn characters(bytes: &[u8]) -> u32 {
    to_u32(bytes.iter().filter(|&&byte| !is_continuation(byte)).count())
}

/// The line offset (0 for the record's first line) and 1-based column of cell `index` in the raw
/// bytes of a record, following RFC 4180 quoting.
pub(crate) fn cell_place(raw: &[u8], index: usize) -> Option<(u64, u32)> {
    let (mut cell, mut line, mut column) = (0usize, 0u64, 1u32);
    let mut in_quotes = false;
    if index == 0 {
        return Some((0, 1));
    }
    for &byte in raw {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => {
                cell += 1;
                column += 1;
                if cell == index {
                    return Some((line, column));
                }
                continue;
            }
            b'\n' if !in_quotes => return None,
            b'\n' => {
                line += 1;
                column = 0;
            }
            _ => {}
        }
        if byte & 0xC0 != 0x80 {
            column += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Reads through `RawInput` in chunks of `chunk` bytes.
    fn read_all(input: &[u8], chunk: usize) -> (Vec<u8>, Option<(u32, u32)>) {
        let mut raw = RawInput::new(input);
        let mut output = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = raw.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            output.extend_from_slice(&buf[..n]);
        }
        (output, raw.unclosed_quote())
    }

    #[test]
    fn unclosed_quote_is_located() {
        let (_, unclosed) = read_all(b"a,b\n1,\"ok \"\"x\"\"\"\n2,\"never closed\n3,x\n", 4);
        assert_eq!(unclosed, Some((3, 3)));
        let (_, unclosed) = read_all(b"a,b\r\n1,\"fine\"\r\n", 3);
        assert_eq!(unclosed, None);
    }

    #[test]
    fn cells_are_placed_exactly() {
        let raw = b"m,2024-01,\"note, with \"\"quotes\"\"\",District 1\nnext";
        assert_eq!(cell_place(raw, 0), Some((0, 1)));
        assert_eq!(cell_place(raw, 1), Some((0, 3)));
        assert_eq!(cell_place(raw, 3), Some((0, 35)));
        assert_eq!(cell_place(raw, 4), None);
        assert_eq!(
            cell_place("m,\"two\nlines\",é,x".as_bytes(), 3),
            Some((1, 10))
        );
    }

    proptest! {
        #[test]
        fn crlf_reads_as_lf_whatever_the_chunks(text in "[a\r\n\"]{0,40}", chunk in 2usize..9) {
            let (output, _) = read_all(text.as_bytes(), chunk);
            prop_assert_eq!(output, text.replace("\r\n", "\n").into_bytes());
        }
    }
}
