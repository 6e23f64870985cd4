//! The engine's errors in the source's terms: each becomes a [`Diagnostic`] at the line and
//! column of the source file where the SQL it concerns is written, never a bare engine message.

use datafusion::common::DataFusionError;
use dataset::Diagnostic;
use dataset::source::automation::{Place, Snippet};

/// The engine's message without its category prefix or backtrace, as one line.
pub(crate) fn message(error: &DataFusionError) -> String {
    let root = error.find_root();
    let text = match root {
        DataFusionError::SQL(error, _) => error.to_string(),
        other => other.message().into_owned(),
    };
    let text = text
        .split(DataFusionError::BACK_TRACE_SEP)
        .next()
        .unwrap_or_default();
    let mut text = text.trim();
    for prefix in [
        "sql parser error: ",
        "SQL error: ",
        "ParserError(\"",
        "Error during planning: ",
        "Schema error: ",
        "Execution error: ",
        "Arrow error: ",
        "Internal error: ",
    ] {
        text = text.strip_prefix(prefix).unwrap_or(text);
    }
    let text = text.trim_end_matches("\")");
    // "… at Line: 1, Column: 8" is shown as the diagnostic's place instead.
    let text = match text.rfind(" at Line: ") {
        Some(at) => &text[..at],
        None => text,
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the engine gave up for want of memory: the memory limit was reached even after
/// spilling what could be spilled.
pub(crate) fn is_out_of_memory(error: &DataFusionError) -> bool {
    matches!(error.find_root(), DataFusionError::ResourcesExhausted(_))
}

/// A number of bytes in words: `512 MiB`, `1.5 GiB`, `800 KiB`, `10 bytes`.
pub(crate) fn bytes(count: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if count < 1024 {
        return format!("{count} bytes");
    }
    let mut value = count as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let rounded = (value * 10.0).round() / 10.0;
    format!("{rounded} {}", UNITS[unit])
}

/// Where in the SQL text the engine places the error: 1-based line and column.
fn position(error: &DataFusionError) -> Option<(u64, u64)> {
    if let Some(span) = error.diagnostic().and_then(|d| d.span)
        && span.start.line > 0
    {
        return Some((span.start.line, span.start.column));
    }
    // The parser's errors carry the place in their text only.
    let text = error.find_root().to_string();
    let at = text.rfind("at Line: ")?;
    let rest = &text[at + "at Line: ".len()..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

/// A query around one snippet: `prefix` (one line) before it and more after, so that the
/// engine's positions in the query can be turned into places in the snippet's file.
pub(crate) struct Framed<'s> {
    /// The snippet.
    pub(crate) snippet: &'s Snippet,
    /// The text before the snippet, on its first line.
    pub(crate) prefix_chars: usize,
}

impl Framed<'_> {
    /// The place of a 1-based line and column of the framed query.
    fn place(&self, line: u64, column: u64) -> &Place {
        if line == 1 {
            let column = column.saturating_sub(self.prefix_chars as u64);
            return self.snippet.place_of(1, column.max(1));
        }
        let lines = self.snippet.text.lines().count().max(1) as u64;
        if line <= lines {
            self.snippet.place_of(line, column)
        } else {
            self.snippet
                .place_of_char(self.snippet.text.chars().count())
        }
    }

    /// The diagnostic for an error of the engine in this query: at the place it gives, else at
    /// the first identifier the message quotes that the snippet holds, else at the snippet's
    /// start.
    pub(crate) fn problem(&self, error: &DataFusionError, help: Option<String>) -> Diagnostic {
        let (message, suggestion) = split_suggestion(&message(error));
        let help = help.or(suggestion);
        let place = match position(error) {
            Some((line, column)) => self.place(line, column),
            None => quoted(&message)
                .into_iter()
                .find(|name| {
                    self.snippet
                        .text
                        .to_ascii_lowercase()
                        .contains(&name.to_ascii_lowercase())
                })
                .map_or_else(
                    || self.snippet.start(),
                    |name| self.snippet.place_of_text(name),
                ),
        };
        let diagnostic = place.error(message.clone());
        match help.or_else(|| help_for(&message)) {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }
}

/// The engine's "No field named x. Did you mean 't.y'? Valid fields are …" as the message
/// "No field named x" and the help "did you mean `y`?"; other messages as they are.
fn split_suggestion(message: &str) -> (String, Option<String>) {
    let Some(at) = message.find(". Did you mean '") else {
        let short = message
            .split(". Valid fields are")
            .next()
            .unwrap_or(message);
        return (short.to_owned(), None);
    };
    let rest = &message[at + ". Did you mean '".len()..];
    let suggestion = rest.split('\'').next().unwrap_or_default();
    let suggestion = suggestion.rsplit('.').next().unwrap_or(suggestion);
    (
        message[..at].to_owned(),
        Some(format!("did you mean `{suggestion}`?")),
    )
}

/// The names a message quotes, in '…' or "…" or `…`, without a table qualifier.
fn quoted(message: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for quote in ['\'', '"', '`'] {
        let mut parts = message.split(quote);
        parts.next();
        while let (Some(inside), Some(_)) = (parts.next(), parts.next()) {
            let name = inside.rsplit('.').next().unwrap_or(inside);
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

/// A help line for the engine's common messages.
fn help_for(message: &str) -> Option<String> {
    if message.contains("No field named") || message.contains("not found") {
        Some(
            "check the column's name in the table's files; names are lowercase unless quoted"
                .to_owned(),
        )
    } else if message.starts_with("Expected") {
        Some("check the SQL syntax near here".to_owned())
    } else if message.contains("Invalid function")
        || message.contains("function") && message.contains("not")
    {
        Some("civicmetrics adds business_days, minutes_between, hours_between and days_between to the engine's functions".to_owned())
    } else {
        None
    }
}

/// A problem of the engine with something not written as SQL (reading a table's files): at
/// `at`, saying what was being done.
pub(crate) fn engine_problem(at: &Place, doing: &str, error: DataFusionError) -> Diagnostic {
    at.error(format!("{doing}: {}", message(&error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engines_suggestion_becomes_the_help() {
        assert_eq!(
            split_suggestion(
                "No field named closed_a. Did you mean 'service_requests.closed_at'? Valid fields are service_requests.a, service_requests.b."
            ),
            (
                "No field named closed_a".to_owned(),
                Some("did you mean `closed_at`?".to_owned())
            )
        );
        assert_eq!(
            split_suggestion("No field named zzz. Valid fields are t.a, t.b."),
            ("No field named zzz".to_owned(), None)
        );
    }

    #[test]
    fn sizes_are_written_in_binary_units() {
        assert_eq!(bytes(10), "10 bytes");
        assert_eq!(bytes(800 * 1024), "800 KiB");
        assert_eq!(bytes(512 << 20), "512 MiB");
        assert_eq!(bytes(3 << 29), "1.5 GiB");
    }

    #[test]
    fn quoted_names_lose_their_table() {
        assert_eq!(
            quoted(
                "No field named closed_a. Valid fields are \"service_requests\".\"closed_at\", 'x'."
            ),
            ["x", "service_requests", "closed_at"]
        );
    }
}
