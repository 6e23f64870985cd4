//! The interface strings of the site and the widgets, as data: one Fluent file per language.
//!
//! English and Spanish are built in (`locales/ftl/*.ftl` in this crate). A source tree adds a
//! language, or rewords messages of a built-in one, with `SOURCE/locales/<tag>.ftl`; no code
//! changes. [`Locales::add_file`] checks such a file and reports every problem with its place;
//! [`Locales::strings`] gives a language's complete strings (a message its file lacks is
//! English) in the form the release publishes as `data/locales/<tag>.json`
//! ([`InterfaceStrings`]), which the widgets and the static site both read.
//!
//! The files use the part of Fluent that both readers need: text, `{ $variable }` and
//! `{ "literal" }` placeables, and a message that is one selection by a number's plural
//! category. Terms, message references, functions and attributes are reported as errors.

use std::collections::BTreeMap;

use dataset::Diagnostic;
use dataset::document::{InterfaceStrings, Message, PluralMessage};
use fluent_syntax::ast;

/// The language every other falls back to, message by message.
pub const DEFAULT_LANGUAGE: &str = "en";

/// The built-in files: language tag and Fluent text.
const BUILT_IN: &[(&str, &str)] = &[
    ("en", include_str!("../ftl/en.ftl")),
    ("es", include_str!("../ftl/es.ftl")),
];

/// The plural categories of CLDR, the variant keys a selection may use besides numbers.
const PLURAL_CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// A message as read from a file: its template, and the variables it uses.
#[derive(Debug, Clone)]
struct Entry {
    message: Message,
    variables: Vec<String>,
}

/// Every language with interface strings: the built-in ones and those a source tree adds.
#[derive(Debug, Clone)]
pub struct Locales {
    languages: BTreeMap<String, BTreeMap<String, Entry>>,
}

impl Default for Locales {
    fn default() -> Self {
        Locales::builtin()
    }
}

impl Locales {
    /// The built-in languages alone.
    pub fn builtin() -> Locales {
        let mut locales = Locales {
            languages: BTreeMap::new(),
        };
        for (tag, text) in BUILT_IN {
            let (entries, problems) = parse(&format!("{tag}.ftl"), text);
            debug_assert!(problems.is_empty(), "built-in {tag}.ftl: {problems:?}");
            locales.languages.insert((*tag).to_owned(), entries);
        }
        locales
    }

    /// Reads `SOURCE/locales/<tag>.ftl` (`name` is how diagnostics name it): its messages add
    /// the language `tag`, or replace those of a built-in one. Returns every problem; messages
    /// with errors are left out, so the default language's show instead.
    pub fn add_file(&mut self, name: &str, tag: &str, text: &str) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        if let Some((message, help)) = dataset::source::language_tag_problem(tag) {
            diagnostics.push(
                Diagnostic::error(name, 1, 1, format!("the file name: {message}")).with_help(
                    format!("{help}; the file is named for its language, as `vi.ftl`"),
                ),
            );
            return diagnostics;
        }
        let (entries, problems) = parse(name, text);
        diagnostics.extend(problems);
        let default = &self.languages[DEFAULT_LANGUAGE];
        let mut kept = BTreeMap::new();
        for (key, (entry, line)) in entries_with_lines(entries, text) {
            let Some(english) = default.get(&key) else {
                let mut diagnostic =
                    Diagnostic::error(name, line, 1, format!("unknown message `{key}`"));
                diagnostic = match dataset::diagnostic::did_you_mean(
                    &key,
                    default.keys().map(String::as_str),
                ) {
                    Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
                    None => diagnostic.with_help(format!(
                        "the messages are those of the built-in {DEFAULT_LANGUAGE}.ftl"
                    )),
                };
                diagnostics.push(diagnostic);
                continue;
            };
            if let Some(unknown) = entry
                .variables
                .iter()
                .find(|variable| !english.variables.contains(variable))
            {
                let offered = if english.variables.is_empty() {
                    "none".to_owned()
                } else {
                    english
                        .variables
                        .iter()
                        .map(|v| format!("`{{ ${v} }}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                diagnostics.push(
                    Diagnostic::error(
                        name,
                        line,
                        1,
                        format!("message `{key}` uses `{{ ${unknown} }}`, which it is not given"),
                    )
                    .with_help(format!("`{key}` is given: {offered}")),
                );
                continue;
            }
            kept.insert(key, entry);
        }
        let existing = self.languages.get(tag);
        let missing: Vec<&str> = default
            .keys()
            .filter(|key| {
                !kept.contains_key(*key)
                    && !existing.is_some_and(|language| language.contains_key(*key))
            })
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().copied().take(5).collect();
            let more = missing.len() - shown.len();
            diagnostics.push(
                Diagnostic::warning(
                    name,
                    1,
                    1,
                    format!(
                        "{} of {} messages are not translated: {}{}",
                        missing.len(),
                        default.len(),
                        shown.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    ),
                )
                .with_help(format!(
                    "they show in the {DEFAULT_LANGUAGE}.ftl text until translated"
                )),
            );
        }
        self.languages
            .entry(tag.to_owned())
            .or_default()
            .extend(kept);
        // In the order of the file, as an editor shows it.
        diagnostics.sort_by_key(|diagnostic| (diagnostic.line, diagnostic.column));
        diagnostics
    }

    /// The languages with a file, built in or added.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.languages.keys().map(String::as_str)
    }

    /// The files `language` takes its strings from, most general first: `es` then `es-MX` for
    /// `es-MX`; `zh-Hant` alone for `zh-Hant-TW` (a script is never dropped, since `zh` is not
    /// written in Traditional characters). Empty when no file serves the language.
    fn chain(&self, language: &str) -> Vec<&str> {
        let Ok(tag) = icu_locale_core::LanguageIdentifier::try_from_str(language) else {
            return Vec::new();
        };
        let mut candidates = vec![tag.to_string()];
        let mut general = tag.clone();
        if general.region.take().is_some() {
            candidates.push(general.to_string());
        }
        if general.script.is_none() {
            candidates.push(general.language.to_string());
        }
        candidates.dedup();
        let mut chain: Vec<&str> = candidates
            .iter()
            .filter_map(|candidate| {
                self.languages
                    .get_key_value(candidate.as_str())
                    .map(|(key, _)| key.as_str())
            })
            .collect();
        chain.reverse();
        chain
    }

    /// Why `language` cannot be published, if no file serves it: the message and a help line.
    pub fn uncovered(&self, language: &str) -> Option<(String, String)> {
        self.chain(language).is_empty().then(|| {
            (
                format!("no interface strings for the language `{language}`"),
                format!(
                    "add locales/{language}.ftl to the source, translated from the built-in \
                     {DEFAULT_LANGUAGE}.ftl; languages with strings: {}",
                    self.languages().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }

    /// `language`'s complete strings: each message from the most specific file that has it,
    /// else English. `None` when no file serves the language.
    pub fn strings(&self, language: &str) -> Option<InterfaceStrings> {
        let chain = self.chain(language);
        if chain.is_empty() {
            return None;
        }
        let mut messages: BTreeMap<String, Message> = BTreeMap::new();
        for tag in std::iter::once(DEFAULT_LANGUAGE).chain(chain) {
            for (key, entry) in &self.languages[tag] {
                messages.insert(key.clone(), entry.message.clone());
            }
        }
        Some(InterfaceStrings {
            schema_version: dataset::SCHEMA_VERSION.to_owned(),
            language: language.to_owned(),
            messages,
        })
    }
}

/// Pairs each message with the line its key is on, for diagnostics (the parser keeps no
/// positions); entries keep their key order.
fn entries_with_lines(
    entries: BTreeMap<String, Entry>,
    text: &str,
) -> BTreeMap<String, (Entry, u32)> {
    entries
        .into_iter()
        .map(|(key, entry)| {
            let line = line_of_key(text, &key);
            (key, (entry, line))
        })
        .collect()
}

/// The 1-based line on which `key = …` starts, or 1.
fn line_of_key(text: &str, key: &str) -> u32 {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |index| u32::try_from(index + 1).unwrap_or(u32::MAX))
}

/// Line and column (1-based, in characters) of byte `offset` in `text`.
fn place(text: &str, offset: usize) -> (u32, u32) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// Parses a Fluent file into messages, with every problem found.
fn parse(name: &str, text: &str) -> (BTreeMap<String, Entry>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let resource = match fluent_syntax::parser::parse(text) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            for error in errors {
                let (line, column) = place(text, error.pos.start);
                diagnostics.push(
                    Diagnostic::error(name, line, column, format!("not Fluent: {}", error.kind))
                        .with_source_line(text.lines().nth(line as usize - 1).unwrap_or_default())
                        .with_help(
                            "write `key = text`; continuation lines are indented, and a \
                             placeable is `{ $name }`",
                        ),
                );
            }
            resource
        }
    };
    let mut entries = BTreeMap::new();
    for entry in &resource.body {
        let problem = match entry {
            ast::Entry::Message(message) => {
                let key = message.id.name;
                match read_message(message) {
                    Ok(entry) => {
                        if entries.insert(key.to_owned(), entry).is_some() {
                            Some((
                                key.to_owned(),
                                format!("message `{key}` is defined twice"),
                                None,
                            ))
                        } else {
                            None
                        }
                    }
                    Err((problem, help)) => Some((key.to_owned(), problem, help)),
                }
            }
            ast::Entry::Term(term) => Some((
                format!("-{}", term.id.name),
                format!("term `-{}`: terms are not supported", term.id.name),
                Some("write the text in each message that uses it".to_owned()),
            )),
            _ => None,
        };
        if let Some((key, message, help)) = problem {
            let line = line_of_key(text, &key);
            let mut diagnostic = Diagnostic::error(name, line, 1, message);
            if let Some(help) = help {
                diagnostic = diagnostic.with_help(help);
            }
            diagnostics.push(diagnostic);
        }
    }
    (entries, diagnostics)
}

type Problem = (String, Option<String>);

fn read_message(message: &ast::Message<&str>) -> Result<Entry, Problem> {
    let key = message.id.name;
    if !message.attributes.is_empty() {
        return Err((
            format!("message `{key}` has attributes, which are not used"),
            Some("remove the `.name = …` lines".to_owned()),
        ));
    }
    let Some(pattern) = &message.value else {
        return Err((format!("message `{key}` has no text"), None));
    };
    let mut variables = Vec::new();
    // A selection must be the whole message, so that each variant is a whole sentence.
    if let [
        ast::PatternElement::Placeable {
            expression: ast::Expression::Select { selector, variants },
        },
    ] = pattern.elements.as_slice()
    {
        let ast::InlineExpression::VariableReference { id } = selector else {
            return Err((
                format!("message `{key}` selects on something other than a variable"),
                Some("select on the number the message is given, as `{ $count -> … }`".to_owned()),
            ));
        };
        variables.push(id.name.to_owned());
        let mut by_key = BTreeMap::new();
        let mut other = None;
        for variant in variants {
            let template = template(key, &variant.value, &mut variables)?;
            let variant_key = match &variant.key {
                ast::VariantKey::Identifier { name } => {
                    if !PLURAL_CATEGORIES.contains(name) {
                        return Err((
                            format!("message `{key}` has the variant `[{name}]`"),
                            Some(format!(
                                "variants are plural categories ({}) or numbers",
                                PLURAL_CATEGORIES.join(", ")
                            )),
                        ));
                    }
                    (*name).to_owned()
                }
                ast::VariantKey::NumberLiteral { value } => (*value).to_owned(),
            };
            if variant.default {
                other = Some(template);
            } else {
                by_key.insert(variant_key, template);
            }
        }
        let other = other.unwrap_or_default();
        return Ok(Entry {
            message: Message::Plural(PluralMessage {
                select: id.name.to_owned(),
                variants: by_key,
                other,
            }),
            variables,
        });
    }
    let text = template(key, pattern, &mut variables)?;
    Ok(Entry {
        message: Message::Text(text),
        variables,
    })
}

/// A pattern as a published template: text with `{` doubled, `{name}` for each variable.
fn template(
    key: &str,
    pattern: &ast::Pattern<&str>,
    variables: &mut Vec<String>,
) -> Result<String, Problem> {
    let mut out = String::new();
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => out.push_str(&value.replace('{', "{{")),
            ast::PatternElement::Placeable { expression } => match expression {
                ast::Expression::Inline(ast::InlineExpression::VariableReference { id }) => {
                    if !variables.iter().any(|v| v == id.name) {
                        variables.push(id.name.to_owned());
                    }
                    out.push('{');
                    out.push_str(id.name);
                    out.push('}');
                }
                ast::Expression::Inline(ast::InlineExpression::StringLiteral { value }) => out
                    .push_str(
                        &fluent_syntax::unicode::unescape_unicode_to_string(value)
                            .replace('{', "{{"),
                    ),
                ast::Expression::Inline(ast::InlineExpression::NumberLiteral { value }) => {
                    out.push_str(value);
                }
                ast::Expression::Select { .. } => {
                    return Err((
                        format!("message `{key}` selects inside its text"),
                        Some(
                            "make the selection the whole message, with a whole sentence in \
                             each variant"
                                .to_owned(),
                        ),
                    ));
                }
                ast::Expression::Inline(_) => {
                    return Err((
                        format!(
                            "message `{key}` uses a reference or function, which is not supported"
                        ),
                        Some("use only text and `{ $name }`".to_owned()),
                    ));
                }
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
