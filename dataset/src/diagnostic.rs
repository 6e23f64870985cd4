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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{}:{}:{}: {severity}: {}",
            self.file, self.line, self.column, self.message
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
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Characters of a source line shown around the column, so a very long line stays readable.
const EXCERPT_CHARS: usize = 100;

/// The part of `line` to show and the caret's offset in it, for a 1-based `column`.
fn excerpt(line: &str, column: u32) -> (String, usize) {
    let column = (column as usize).saturating_sub(1);
    let skip = column.saturating_sub(EXCERPT_CHARS / 2);
    let shown: String = line
        .chars()
        .skip(skip)
        .take(EXCERPT_CHARS)
        // Tabs would move the caret; control characters could garble the terminal.
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let more = line.chars().count() > skip + EXCERPT_CHARS;
    let mut text = String::new();
    if skip > 0 {
        text.push('…');
    }
    text.push_str(&shown);
    if more {
        text.push('…');
    }
    (text, column - skip + usize::from(skip > 0))
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
    fn suggestions() {
        let keys = ["title", "short_title", "description", "unit"];
        assert_eq!(did_you_mean("titel", keys), Some("title"));
        assert_eq!(did_you_mean("descripton", keys), Some("description"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
