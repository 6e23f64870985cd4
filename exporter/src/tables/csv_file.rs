//! A CSV table file written row by row that keeps account of its bytes: where the next row
//! starts, and the SHA-256 of everything written so far, so that `SHA256SUMS` never reads the
//! file back. A run of rows can also be copied as bytes from another file – the rows of an
//! unchanged measure from the release being replaced – instead of being formatted again.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use csv_core::WriteResult;
use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext};

/// Bytes gathered before they are written to the file.
const BUFFER_BYTES: usize = 256 * 1024;

/// A CSV file being written (`csv_core`'s quoting, `\n` after each record: the `csv` crate's
/// defaults, which the small tables are written with).
pub(crate) struct CsvFile {
    path: PathBuf,
    file: File,
    buffer: Box<[u8]>,
    /// Bytes of `buffer` in use.
    used: usize,
    /// Bytes already written to the file.
    flushed: u64,
    hasher: Sha256,
    core: csv_core::Writer,
    /// Whether the record being written has a field yet.
    in_record: bool,
}

/// What a finished file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WrittenFile {
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// Its SHA-256, lower-case hex.
    pub(crate) sha256: String,
}

impl CsvFile {
    /// Creates (or truncates) the file at `path`.
    pub(crate) fn create(path: &Path) -> Result<CsvFile, Error> {
        Ok(CsvFile {
            path: path.to_owned(),
            file: File::create(path).io_context(path)?,
            buffer: vec![0; BUFFER_BYTES].into_boxed_slice(),
            used: 0,
            flushed: 0,
            hasher: Sha256::new(),
            core: csv_core::Writer::new(),
            in_record: false,
        })
    }

    /// Where the next record starts, in bytes from the start of the file.
    pub(crate) fn position(&self) -> u64 {
        self.flushed + self.used as u64
    }

    /// Writes a record.
    pub(crate) fn record<'f>(
        &mut self,
        fields: impl IntoIterator<Item = &'f [u8]>,
    ) -> Result<(), Error> {
        for field in fields {
            self.field(field)?;
        }
        self.end_record()
    }

    /// Writes the next field of the record being written.
    fn field(&mut self, mut field: &[u8]) -> Result<(), Error> {
        if self.in_record {
            self.write_with(|core, out| core.delimiter(out))?;
        }
        self.in_record = true;
        loop {
            let (result, read, written) = self.core.field(field, &mut self.buffer[self.used..]);
            field = &field[read..];
            self.used += written;
            match result {
                WriteResult::InputEmpty => return Ok(()),
                WriteResult::OutputFull => self.flush()?,
            }
        }
    }

    /// Ends the record being written.
    fn end_record(&mut self) -> Result<(), Error> {
        self.write_with(|core, out| core.terminator(out))?;
        self.in_record = false;
        Ok(())
    }

    /// Runs a `csv_core` step that writes without input, making room for it first if needed.
    fn write_with(
        &mut self,
        mut step: impl FnMut(&mut csv_core::Writer, &mut [u8]) -> (WriteResult, usize),
    ) -> Result<(), Error> {
        loop {
            let (result, written) = step(&mut self.core, &mut self.buffer[self.used..]);
            self.used += written;
            match result {
                WriteResult::InputEmpty => return Ok(()),
                WriteResult::OutputFull => self.flush()?,
            }
        }
    }

    /// Writes the buffered bytes to the file.
    fn flush(&mut self) -> Result<(), Error> {
        let bytes = &self.buffer[..self.used];
        self.hasher.update(bytes);
        self.file.write_all(bytes).io_context(&self.path)?;
        self.flushed += self.used as u64;
        self.used = 0;
        Ok(())
    }

    /// Copies the bytes `range` of `from` (whole records, written by a `CsvFile` before) to
    /// the end of this file; an error if `from` is shorter.
    pub(crate) fn copy(
        &mut self,
        from: &mut File,
        from_path: &Path,
        range: Range<u64>,
    ) -> Result<(), Error> {
        self.flush()?;
        from.seek(SeekFrom::Start(range.start))
            .io_context(from_path)?;
        let mut left = range.end.saturating_sub(range.start);
        while left > 0 {
            let want = usize::try_from(left).map_or(BUFFER_BYTES, |left| left.min(BUFFER_BYTES));
            let read = from.read(&mut self.buffer[..want]).io_context(from_path)?;
            if read == 0 {
                return Err(Error::io(
                    from_path,
                    std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file ends before the rows to copy",
                    ),
                ));
            }
            self.used = read;
            self.flush()?;
            left -= read as u64;
        }
        Ok(())
    }

    /// Writes what is buffered and closes the file.
    pub(crate) fn finish(mut self) -> Result<WrittenFile, Error> {
        self.flush()?;
        self.file.flush().io_context(&self.path)?;
        Ok(WrittenFile {
            bytes: self.flushed,
            sha256: format!("{:x}", self.hasher.finalize()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::CsvFile;

    fn written_by_csv(records: &[Vec<&str>]) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for record in records {
            writer.write_record(record).unwrap();
        }
        writer.into_inner().unwrap()
    }

    #[test]
    fn records_are_written_as_the_csv_crate_writes_them() {
        let long = "x".repeat(super::BUFFER_BYTES + 17);
        let records = vec![
            vec!["measure_id", "period", "note"],
            vec!["a", "2024-01", ""],
            vec!["b", "2024", "quote \" and, comma"],
            vec!["c", "line\nbreak", &long],
            vec!["", "", ""],
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut file = CsvFile::create(&path).unwrap();
        let mut starts = Vec::new();
        for record in &records {
            starts.push(file.position());
            file.record(record.iter().map(|field| field.as_bytes()))
                .unwrap();
        }
        let written = file.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes, written_by_csv(&records));
        assert_eq!(written.bytes, bytes.len() as u64);
        let (_, sha256) = crate::build::hash_file(&path).unwrap();
        assert_eq!(written.sha256, sha256);
        // Each position is where its record starts.
        for (start, record) in starts.iter().zip(&records) {
            let alone = written_by_csv(std::slice::from_ref(record));
            let start = *start as usize;
            assert_eq!(&bytes[start..start + alone.len()], &alone[..]);
        }
    }

    #[test]
    fn copied_ranges_join_formatted_records() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.csv");
        let mut file = CsvFile::create(&first).unwrap();
        file.record([b"h".as_slice()]).unwrap();
        let start = file.position();
        for row in ["1", "2", "3"] {
            file.record([row.as_bytes()]).unwrap();
        }
        let end = file.position();
        file.record([b"4".as_slice()]).unwrap();
        file.finish().unwrap();

        let second = dir.path().join("second.csv");
        let mut file = CsvFile::create(&second).unwrap();
        file.record([b"h".as_slice()]).unwrap();
        let mut from = std::fs::File::open(&first).unwrap();
        file.copy(&mut from, &first, start..end).unwrap();
        file.record([b"5".as_slice()]).unwrap();
        let written = file.finish().unwrap();
        assert_eq!(std::fs::read(&second).unwrap(), b"h\n1\n2\n3\n5\n");
        assert_eq!(written.sha256, crate::build::hash_file(&second).unwrap().1);

        let mut file = CsvFile::create(&dir.path().join("third.csv")).unwrap();
        let error = file.copy(&mut from, &first, start..end + 100).unwrap_err();
        assert!(error.to_string().contains("ends before"), "{error}");
    }
}
