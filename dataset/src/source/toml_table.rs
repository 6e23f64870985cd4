//! Typed reading of TOML tables that keeps going after a problem, so one run reports them all.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::text::SourceText;
use crate::diagnostic::{Diagnostic, did_you_mean};

/// A TOML table being read field by field; problems go to `diagnostics`, and reading goes on.
pub(crate) struct TableReader<'s, 'i> {
    source: &'s SourceText<'s>,
    table: &'s DeTable<'i>,
    /// Where the table starts, for "missing field" errors.
    at: usize,
    /// What the table is, for messages: "measure", "target", "area" …
    what: &'static str,
    /// Every key the table may hold, for unknown-key errors and suggestions.
    allowed: &'static [&'static str],
}

impl<'s, 'i> TableReader<'s, 'i> {
    pub(crate) fn new(
        source: &'s SourceText<'s>,
        table: &'s DeTable<'i>,
        span: Range<usize>,
        what: &'static str,
        allowed: &'static [&'static str],
    ) -> Self {
        TableReader {
            source,
            table,
            at: span.start,
            what,
            allowed,
        }
    }

    pub(crate) fn source(&self) -> &'s SourceText<'s> {
        self.source
    }

    /// The value of `key` and where it is.
    pub(crate) fn get(&self, key: &str) -> Option<&'s Spanned<DeValue<'i>>> {
        self.table
            .iter()
            .find(|(name, _)| name.get_ref() == key)
            .map(|(_, value)| value)
    }

    /// Where the table starts.
    pub(crate) fn offset(&self) -> usize {
        self.at
    }

    fn missing(&self, key: &str, example: &str, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.push(
            self.source
                .error(self.at, format!("missing field `{key}` in {}", self.what))
                .with_help(format!("add `{key} = {example}`")),
        );
    }

    fn wrong_type(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        expected: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let error = self.source.error(
            value.span().start,
            format!(
                "`{key}` must be {expected}, found {}",
                value.get_ref().type_str()
            ),
        );
        let help = match (expected, value.get_ref()) {
            ("a number" | "an integer", DeValue::String(text))
                if text.trim().parse::<f64>().is_ok() =>
            {
                Some(format!("remove the quotes: `{key} = {}`", text.trim()))
            }
            ("a string", DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_)) => {
                Some("put the text in double quotes".to_owned())
            }
            _ => None,
        };
        diagnostics.push(match help {
            Some(help) => error.with_help(help),
            None => error,
        });
    }

    /// A string field; `example` shows the expected form when it is required but missing.
    pub(crate) fn string(
        &self,
        key: &str,
        required: Option<&str>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let Some(value) = self.get(key) else {
            if let Some(example) = required {
                self.missing(key, example, diagnostics);
            }
            return None;
        };
        match value.get_ref() {
            DeValue::String(text) if text.trim().is_empty() && required.is_some() => {
                diagnostics.push(
                    self.source
                        .error(value.span().start, format!("`{key}` must not be empty")),
                );
                None
            }
            DeValue::String(text) => Some(text.to_string()),
            _ => {
                self.wrong_type(key, value, "a string", diagnostics);
                None
            }
        }
    }

    /// An array of strings; each element's location is returned for further checks.
    pub(crate) fn strings(
        &self,
        key: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Vec<(String, usize)>> {
        let value = self.get(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, value, "an array of strings", diagnostics);
            return None;
        };
        let mut strings = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(text) => strings.push((text.to_string(), item.span().start)),
                _ => self.wrong_type(key, item, "an array of strings", diagnostics),
            }
        }
        Some(strings)
    }

    /// A finite number, integer or float.
    pub(crate) fn number(&self, key: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<f64> {
        let value = self.get(key)?;
        let number = match value.get_ref() {
            DeValue::Integer(integer) => {
                i64::from_str_radix(&integer.as_str().replace('_', ""), integer.radix())
                    .ok()
                    .map(|n| n as f64)
            }
            DeValue::Float(float) => float.as_str().replace('_', "").parse::<f64>().ok(),
            _ => {
                self.wrong_type(key, value, "a number", diagnostics);
                return None;
            }
        };
        match number {
            Some(number) if number.is_finite() => Some(number),
            _ => {
                diagnostics.push(self.source.error(
                    value.span().start,
                    format!("`{key}` must be a finite number"),
                ));
                None
            }
        }
    }

    /// A finite number that must be there: missing, it is reported with `example` as the help.
    pub(crate) fn required_number(
        &self,
        key: &str,
        example: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<f64> {
        if self.get(key).is_none() {
            self.missing(key, example, diagnostics);
        }
        self.number(key, diagnostics)
    }

    /// An integer within `range`.
    pub(crate) fn integer(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<i64> {
        let value = self.get(key)?;
        let DeValue::Integer(integer) = value.get_ref() else {
            self.wrong_type(key, value, "an integer", diagnostics);
            return None;
        };
        let number = i64::from_str_radix(&integer.as_str().replace('_', ""), integer.radix()).ok();
        match number {
            Some(number) if range.contains(&number) => Some(number),
            _ => {
                diagnostics.push(
                    self.source
                        .error(
                            value.span().start,
                            format!(
                                "`{key}` must be between {} and {}, found {}",
                                range.start(),
                                range.end(),
                                integer.as_str()
                            ),
                        )
                        .with_help(format!(
                            "write a whole number from {} to {}",
                            range.start(),
                            range.end()
                        )),
                );
                None
            }
        }
    }

    /// A sub-table (`[key]` or `key = { … }`).
    pub(crate) fn table(
        &self,
        key: &str,
        what: &'static str,
        allowed: &'static [&'static str],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<TableReader<'s, 'i>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some(TableReader::new(
                self.source,
                table,
                value.span(),
                what,
                allowed,
            )),
            _ => {
                self.wrong_type(key, value, "a table", diagnostics);
                None
            }
        }
    }

    /// An array of tables (`[[key]]`).
    pub(crate) fn tables(
        &self,
        key: &str,
        what: &'static str,
        allowed: &'static [&'static str],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<TableReader<'s, 'i>> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, value, "an array of tables", diagnostics);
            return Vec::new();
        };
        let mut tables = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(table) => tables.push(TableReader::new(
                    self.source,
                    table,
                    item.span(),
                    what,
                    allowed,
                )),
                _ => self.wrong_type(key, item, "an array of tables", diagnostics),
            }
        }
        tables
    }

    /// The entries of a table whose keys are free (such as language tags), each as a table.
    pub(crate) fn entries(
        &self,
        what: &'static str,
        allowed: &'static [&'static str],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<(String, TableReader<'s, 'i>)> {
        let mut entries = Vec::new();
        for (key, value) in self.table.iter() {
            match value.get_ref() {
                DeValue::Table(table) => entries.push((
                    key.get_ref().to_string(),
                    TableReader::new(self.source, table, value.span(), what, allowed),
                )),
                _ => self.wrong_type(key.get_ref(), value, "a table", diagnostics),
            }
        }
        entries
    }

    /// Reports every key that is not allowed, suggesting the closest allowed one.
    pub(crate) fn reject_unknown_keys(&self, diagnostics: &mut Vec<Diagnostic>) {
        for (key, _) in self.table.iter() {
            let name = key.get_ref();
            if self.allowed.contains(&name.as_ref()) {
                continue;
            }
            let error = self.source.error(
                key.span().start,
                format!("unknown field `{name}` in {}", self.what),
            );
            let help = match did_you_mean(name, self.allowed.iter().copied()) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("expected one of: {}", self.allowed.join(", ")),
            };
            diagnostics.push(error.with_help(help));
        }
    }
}

/// Parses a TOML document, reporting every syntax error it can recover from.
pub(crate) fn parse_document<'i>(
    source: &SourceText<'_>,
    text: &'i str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Spanned<DeTable<'i>>> {
    let (document, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Some(document);
    }
    for error in errors {
        let offset = error.span().map_or(0, |span| span.start);
        diagnostics.push(
            source
                .error(
                    offset,
                    format!("invalid TOML: {}", error.message().trim_end()),
                )
                .with_help("see https://toml.io for the syntax; strings need \"double quotes\""),
        );
    }
    None
}
