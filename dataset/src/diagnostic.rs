//! Problems found in source files, with where they are and how to fix them.

use std::fmt;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The source is valid, but something looks wrong (e.g. a period in the future).
    Warning,
    /// The source is invalid and cannot be published.
    Error,
}

/// A problem at a place in a source file.
///
/// Displayed as `path:line:column: error: message`, followed by `  help: …` when a fix is
/// likely. Line and column start at 1; a problem with a whole file or directory is placed at 1:1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as given to the parser (usually relative to the source directory).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when a fix is likely.
    pub help: Option<String>,
    /// The text of the line, shown under the message with a caret at the column.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error at `file:line:column`.
    pub fn error(file: &str, line: u32, column: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    /// A warning at `file:line:column`.
    pub fn warning(file: &str, line: u32, column: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, line, column, message)
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds the text of the line the problem is on, to show it under the message.
    pub fn with_source_line(mut self, line: &str) -> Diagnostic {
        self.source_line = Some(line.trim_end_matches(['\r', '\n']).to_owned());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// Text from the files (the path, messages quoting cells, the source line) is shown with
    /// control and bidirectional formatting characters escaped: see [`is_escaped_when_shown`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{}:{}:{}: {severity}: {}",
            Shown(&self.file),
            self.line,
            self.column,
            Shown(&self.message)
        )?;
        if let Some(line) = &self.source_line {
            let (excerpt, caret) = excerpt(line, self.column);
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            write!(
                f,
                "\n{pad} |\n{number} | {excerpt}\n{pad} | {}^",
                " ".repeat(caret)
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", Shown(help))?;
        }
        Ok(())
    }
}

/// Whether a character is shown escaped (`\u{202e}`) where diagnostics are printed: a control
/// character other than tab (C0, DEL and C1), which could move the cursor or garble the
/// terminal, or a Unicode bidirectional control (the `Bidi_Control` property: the marks
/// U+061C, U+200E and U+200F, the embeddings and overrides U+202A to U+202E and the isolates
/// U+2066 to U+2069), which could make a line read otherwise than it holds.
pub fn is_escaped_when_shown(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Text as diagnostics show it.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(is_escaped_when_shown) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(f, "{}", c.escape_unicode())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// Characters of a source line shown around the column, so a very long line stays readable.
const EXCERPT_CHARS: usize = 100;

/// The part of `line` to show and the caret's offset in it (in characters shown), for a 1-based
/// `column` counted in characters of `line`.
fn excerpt(line: &str, column: u32) -> (String, usize) {
    let column = (column as usize).saturating_sub(1);
    let skip = column.saturating_sub(EXCERPT_CHARS / 2);
    let mut text = String::new();
    let mut shown = 0;
    if skip > 0 {
        text.push('…');
        shown += 1;
    }
    let mut caret = None;
    let mut chars = line.chars().skip(skip);
    let mut taken = 0;
    for c in chars.by_ref().take(EXCERPT_CHARS) {
        if skip + taken == column {
            caret = Some(shown);
        }
        taken += 1;
        if c == '\t' {
            // A tab would move the caret.
            text.push(' ');
            shown += 1;
        } else if is_escaped_when_shown(c) {
            let escaped = c.escape_unicode();
            shown += escaped.len();
            text.extend(escaped);
        } else {
            text.push(c);
            shown += 1;
        }
    }
    let caret = caret.unwrap_or(shown + column.saturating_sub(skip + taken));
    if chars.next().is_some() {
        text.push('…');
    }
    (text, caret)
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
#[cfg(feature = "source")]
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(all(test, feature = "source"))]
mod tests {
    use super::*;

    #[test]
    fn display_with_help() {
        let diagnostic = Diagnostic::error("measures/a.toml", 3, 1, "unknown field `titel`")
            .with_help("did you mean `title`?");
        assert_eq!(
            diagnostic.to_string(),
            "measures/a.toml:3:1: error: unknown field `titel`\n  help: did you mean `title`?"
        );
    }

    #[test]
    fn display_with_source_line() {
        let diagnostic = Diagnostic::error("obs.csv", 12, 16, "value `12%` is not a number")
            .with_source_line("pothole-repair,12%,,\r\n")
            .with_help("write 12");
        assert_eq!(
            diagnostic.to_string(),
            "obs.csv:12:16: error: value `12%` is not a number\n   |\n12 | pothole-repair,12%,,\n   |                ^\n  help: write 12"
        );
        let long = "x".repeat(500);
        let shown = Diagnostic::error("a", 1, 300, "m")
            .with_source_line(&long)
            .to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert!(
            lines[2].starts_with("1 | …x") && lines[2].ends_with("x…"),
            "{shown}"
        );
        assert_eq!(lines[3].find('^'), lines[2].find('…').map(|i| i + 51));
    }

    #[test]
    fn direction_and_control_characters_are_shown_escaped() {
        // The cell reads "evil" backwards on a terminal, and would reverse the rest of the line.
        let line = "pot\u{202E}holes,2024-01,\u{2067}x\u{200F}\u{1b}[2J,\t12%";
        let diagnostic = Diagnostic::error(
            "obs\u{202E}vsc.csv",
            3,
            28,
            "value `\u{2067}x\u{200F}\u{1b}[2J` is not a number\u{85}",
        )
        .with_source_line(line)
        .with_help("not `\u{202E}`");
        let shown = diagnostic.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(
            lines[0],
            "obs\\u{202e}vsc.csv:3:28: error: value `\\u{2067}x\\u{200f}\\u{1b}[2J` is not a number\\u{85}"
        );
        assert_eq!(
            lines[2],
            "3 | pot\\u{202e}holes,2024-01,\\u{2067}x\\u{200f}\\u{1b}[2J, 12%"
        );
        assert_eq!(lines[4], "  help: not `\\u{202e}`");
        assert!(!shown.contains(is_escaped_when_shown_but_newline));
        // The caret is under column 28, the `1` of `12%`, however long the escapes before it.
        let caret = lines[3].find('^').unwrap();
        assert_eq!(&lines[2][caret..caret + 3], "12%");
        // Past the end of a line with escapes, too.
        let shown = Diagnostic::error("a", 1, 4, "m")
            .with_source_line("\u{202E}x")
            .to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[3].find('^'), Some(lines[2].len() + 1));
        // Tabs are kept in messages, and shown as a space in the source line.
        assert!(
            Diagnostic::error("a", 1, 1, "a\tb")
                .to_string()
                .ends_with("a\tb")
        );
        for c in [
            '\u{061C}', '\u{200E}', '\u{202A}', '\u{2069}', '\0', '\u{7f}', '\u{9f}',
        ] {
            assert!(is_escaped_when_shown(c), "{c:?}");
        }
        for c in ['\t', 'a', 'é', 'ش', '…'] {
            assert!(!is_escaped_when_shown(c), "{c:?}");
        }
    }

    /// What must not reach the terminal: every escaped character but the line breaks of the
    /// layout itself.
    fn is_escaped_when_shown_but_newline(c: char) -> bool {
        c != '\n' && is_escaped_when_shown(c)
    }

    #[test]
    fn suggestions() {
        let keys = ["title", "short_title", "description", "unit"];
        assert_eq!(did_you_mean("titel", keys), Some("title"));
        assert_eq!(did_you_mean("descripton", keys), Some("description"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
