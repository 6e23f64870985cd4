//! Source text: decoding bytes as UTF-8 and turning byte offsets into lines and columns.

use crate::diagnostic::Diagnostic;

/// A decoded source file with its name, for locating problems.
#[derive(Debug)]
pub struct SourceText<'a> {
    /// The name shown in diagnostics.
    pub name: &'a str,
    /// The text, without a byte order mark.
    pub text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceText<'a> {
    /// Wraps already-decoded text.
    pub fn new(name: &'a str, text: &'a str) -> SourceText<'a> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        SourceText {
            name,
            text,
            line_starts,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn location(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line];
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (to_u32(line + 1), to_u32(column + 1))
    }

    /// An error at a byte offset.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.location(offset);
        let diagnostic = Diagnostic::error(self.name, line, column, message);
        match self.line_text(line) {
            Some(text) => diagnostic.with_source_line(text),
            None => diagnostic,
        }
    }

    /// The text of a 1-based line, without its line end.
    fn line_text(&self, line: u32) -> Option<&str> {
        let start = *self.line_starts.get(line.checked_sub(1)? as usize)?;
        let end = self
            .line_starts
            .get(line as usize)
            .map_or(self.text.len(), |next| next - 1);
        self.text.get(start..end.max(start))
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decodes a source file: UTF-8, with or without a byte order mark.
///
/// On invalid UTF-8 the error points at the first bad byte.
pub fn decode<'b>(name: &str, bytes: &'b [u8]) -> Result<&'b str, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1);
        // The valid prefix decodes, so counting its characters is exact.
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        Diagnostic::error(
            name,
            to_u32(line),
            to_u32(column),
            format!(
                "the file is not valid UTF-8 (byte 0x{:02X})",
                bytes[error.valid_up_to()]
            ),
        )
        .with_help(if name.ends_with(".csv") {
            "save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\")"
        } else {
            "save the file as UTF-8 in your editor"
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_characters() {
        let source = SourceText::new("a.toml", "a = 1\ntitle = \"é x\"\n");
        assert_eq!(source.location(0), (1, 1));
        assert_eq!(source.location(6), (2, 1));
        assert_eq!(source.location(17), (2, 11));
        assert_eq!(source.location(1000), (3, 1));
    }

    #[test]
    fn decode_strips_bom_and_locates_bad_bytes() {
        assert_eq!(decode("a.csv", b"\xEF\xBB\xBFmeasure").unwrap(), "measure");
        let error = decode("a.csv", b"measure\nab\xFFc").unwrap_err();
        assert_eq!((error.line, error.column), (2, 3));
    }
}
