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
        // Line 0: the file as a whole, such as one that is missing.
        match self.line {
            0 => write!(
                f,
                "{}: {severity}: {}",
                Shown(&self.file),
                Shown(&self.message)
            )?,
            line => write!(
                f,
                "{}:{line}:{}: {severity}: {}",
                Shown(&self.file),
                self.column,
                Shown(&self.message)
            )?,
        }
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

/// How many problems of one kind a file reports in full; the rest are counted in one
/// "… and N more like this".
pub const REPORTED_PER_KIND: u32 = 200;

/// A kind of problem: the template its messages follow, such as "value is not a number".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProblemKind {
    /// What problems of the kind have in common, as the count of those not reported says it.
    pub name: &'static str,
    /// How serious they are.
    pub severity: Severity,
}

impl ProblemKind {
    /// A kind of error.
    pub const fn error(name: &'static str) -> ProblemKind {
        ProblemKind {
            name,
            severity: Severity::Error,
        }
    }

    /// A kind of warning.
    pub const fn warning(name: &'static str) -> ProblemKind {
        ProblemKind {
            name,
            severity: Severity::Warning,
        }
    }
}

/// How many problems of one kind a file had, and where the first one not reported is.
#[derive(Debug, Clone)]
struct Tally {
    kind: ProblemKind,
    reported: u32,
    more: u64,
    first_more: (u32, u32),
}

/// A reported problem, with its kind and, for a problem reported once per key, its key.
#[derive(Debug, Clone)]
struct Entry {
    kind: ProblemKind,
    key: Option<u64>,
    diagnostic: Diagnostic,
}

/// The problems found in one file: the first [`REPORTED_PER_KIND`] of each kind in full, and
/// for each kind with more, their number and where the first of them is.
///
/// A problem past the limit is only counted: its message and source line are never built, so
/// memory stays bounded however many rows are bad. The problems of the parts of a file read one
/// by one join with [`FileDiagnostics::append`] into what reading the whole file gives.
#[derive(Debug, Clone)]
pub struct FileDiagnostics {
    file: String,
    limit: u32,
    entries: Vec<Entry>,
    tallies: Vec<Tally>,
    keys: std::collections::HashSet<(&'static str, u64)>,
}

impl FileDiagnostics {
    /// No problems yet, in the file shown as `file`.
    pub fn new(file: &str) -> FileDiagnostics {
        FileDiagnostics::with_limit(file, REPORTED_PER_KIND)
    }

    /// No problems yet, reporting `limit` of each kind in full.
    pub fn with_limit(file: &str, limit: u32) -> FileDiagnostics {
        FileDiagnostics {
            file: file.to_owned(),
            limit,
            entries: Vec::new(),
            tallies: Vec::new(),
            keys: std::collections::HashSet::new(),
        }
    }

    fn tally(&mut self, kind: ProblemKind) -> &mut Tally {
        let index = match self.tallies.iter().position(|tally| tally.kind == kind) {
            Some(index) => index,
            None => {
                self.tallies.push(Tally {
                    kind,
                    reported: 0,
                    more: 0,
                    first_more: (0, 0),
                });
                self.tallies.len() - 1
            }
        };
        &mut self.tallies[index]
    }

    /// Adds a problem of `kind`: `diagnostic` builds it from its line and column, which `place`
    /// finds. Past the limit for the kind only `place` is called, for the first problem not
    /// reported.
    pub fn add(
        &mut self,
        kind: ProblemKind,
        place: impl FnOnce() -> (u32, u32),
        diagnostic: impl FnOnce(u32, u32) -> Diagnostic,
    ) {
        let limit = self.limit;
        let tally = self.tally(kind);
        if tally.reported < limit {
            tally.reported += 1;
            let (line, column) = place();
            self.entries.push(Entry {
                kind,
                key: None,
                diagnostic: diagnostic(line, column),
            });
        } else {
            if tally.more == 0 {
                tally.first_more = place();
            }
            tally.more += 1;
        }
    }

    /// Adds the problem `diagnostic` builds, unless one of `kind` was added for `key` before.
    /// Problems reported once per key are all reported: the keys bound their number.
    pub fn add_once(
        &mut self,
        kind: ProblemKind,
        key: u64,
        diagnostic: impl FnOnce() -> Option<Diagnostic>,
    ) {
        if self.keys.contains(&(kind.name, key)) {
            return;
        }
        if let Some(diagnostic) = diagnostic() {
            self.keys.insert((kind.name, key));
            self.entries.push(Entry {
                kind,
                key: Some(key),
                diagnostic,
            });
        }
    }

    /// Whether no problem was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.tallies.iter().all(|tally| tally.more == 0)
    }

    /// Joins the problems of the next part of the same file, as if one reader had read both
    /// parts: the limit applies to both together, and a problem reported once per key is
    /// dropped from `later` when this part reported it.
    pub fn append(&mut self, later: FileDiagnostics) {
        for entry in later.entries {
            match entry.key {
                Some(key) => {
                    if self.keys.insert((entry.kind.name, key)) {
                        self.entries.push(entry);
                    }
                }
                None => {
                    let place = (entry.diagnostic.line, entry.diagnostic.column);
                    self.add(entry.kind, || place, |_, _| entry.diagnostic);
                }
            }
        }
        for tally in later.tallies.into_iter().filter(|tally| tally.more > 0) {
            let mine = self.tally(tally.kind);
            if mine.more == 0 {
                mine.first_more = tally.first_more;
            }
            mine.more += tally.more;
        }
    }

    /// The diagnostics in the order found, then for each kind with problems not reported, one
    /// "… and N more like this" at the first of them.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        let (file, limit) = (self.file, self.limit);
        let mut diagnostics: Vec<Diagnostic> = self
            .entries
            .into_iter()
            .map(|entry| entry.diagnostic)
            .collect();
        for tally in self.tallies.into_iter().filter(|tally| tally.more > 0) {
            let (line, column) = tally.first_more;
            diagnostics.push(
                Diagnostic {
                    severity: tally.kind.severity,
                    ..Diagnostic::error(
                        &file,
                        line,
                        column,
                        format!("… and {} more like this: {}", tally.more, tally.kind.name),
                    )
                }
                .with_help(format!(
                    "the first {limit} of each kind in a file are shown in full, and the rest \
                     from here on only counted; fix those shown and check again"
                )),
            );
        }
        diagnostics
    }
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

/// The help line for a name that is not one of `candidates`: "did you mean `x`?" for a likely
/// typo of `x`, else `otherwise()`.
#[cfg(feature = "source")]
pub fn suggestion<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: impl FnOnce() -> String,
) -> String {
    match did_you_mean(word, candidates) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => otherwise(),
    }
}

#[cfg(all(test, feature = "source"))]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_about_a_whole_file_has_no_place() {
        let diagnostic = Diagnostic::warning("public/data/revisions.parquet", 0, 0, "missing")
            .with_help("keep it");
        assert_eq!(
            diagnostic.to_string(),
            "public/data/revisions.parquet: warning: missing\n  help: keep it"
        );
    }

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
