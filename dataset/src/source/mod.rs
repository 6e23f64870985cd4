//! Reading the hand-edited source files: `dataset.toml`, `measures/*.toml` and
//! `observations/*.csv`.
//!
//! Every function here takes text or a reader and returns the value it could build together
//! with every problem it found; none stops at the first problem, and none touches the file system.

mod analysis;
pub mod automation;
mod goals;
mod observations;
mod raw;
mod series;
mod text;
mod toml_table;

use std::collections::{HashMap, HashSet};

use crate::translations::Translations;

pub use goals::goal_id_places;
pub use observations::{Breakdown, ObservationReader, Origin, SourceRow};
pub use raw::RecordStarts;
pub use series::{Series, SeriesRow, check_series, judge_series};
pub use text::{SourceText, decode};
use toml_table::{TableReader, parse_document};

use crate::date::CalendarDate;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{
    Area, AreaText, Bounds, Contact, DatasetInfo, Direction, Measure, MeasureText, Target,
    TargetChange, TargetKind, Threshold, Unit,
};
use crate::period::{Frequency, Period};

const DATASET_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "publisher",
    "contact",
    "homepage",
    "license",
    "feedback_url",
    "data_url",
    "languages",
    "fiscal_year_start_month",
    "keywords",
    "place",
    "areas",
    "time_zone",
    "holidays",
];
const CONTACT_KEYS: &[&str] = &["name", "email"];
const AREA_KEYS: &[&str] = &["id", "title", "description", "translations"];
const AREA_TEXT_KEYS: &[&str] = &["title", "description"];
const MEASURE_KEYS: &[&str] = &[
    "id",
    "title",
    "short_title",
    "description",
    "area",
    "department",
    "unit",
    "unit_label",
    "decimals",
    "frequency",
    "direction",
    "target",
    "methodology",
    "source",
    "breakdowns",
    "translations",
    "compute",
    "published_within",
    "goals",
    "owner",
    "analysis",
];
const MEASURE_TEXT_KEYS: &[&str] = &["title", "short_title", "description", "methodology"];
const TARGET_KEYS: &[&str] = &["kind", "value", "min", "max", "near", "history"];
const TARGET_CHANGE_KEYS: &[&str] = &["from", "value", "min", "max", "near"];

/// Column names an observation CSV may use besides breakdown columns.
pub const OBSERVATION_COLUMNS: &[&str] = &["measure", "period", "value", "target", "note"];

/// Whether `id` is a valid area, measure or dataset identifier: 1 to 64 of `a-z`, `0-9`, `-`.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `name` is a valid breakdown column name: 1 to 64 of `a-z`, `0-9`, `_`.
pub fn is_valid_breakdown_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Why `tag` is not a language tag the site can be published in, with the help line; `None`
/// for a well-formed BCP 47 tag in its canonical form (`zh-Hant`, not `zh-hant`), as the pages'
/// `lang` attributes and the locales' file names use it.
pub fn language_tag_problem(tag: &str) -> Option<(String, String)> {
    let help = "use a BCP 47 tag such as \"en\", \"es\" or \"zh-Hant\"".to_owned();
    match icu_locale_core::LanguageIdentifier::try_from_str(tag) {
        Err(_) => Some((format!("`{tag}` is not a language tag"), help)),
        Ok(parsed) if parsed.language.is_unknown() => {
            Some((format!("`{tag}` names no language"), help))
        }
        Ok(parsed) => {
            let canonical = parsed.to_string();
            (canonical != tag).then(|| {
                (
                    format!("`{tag}` is not written the canonical way"),
                    format!("write it `{canonical}`"),
                )
            })
        }
    }
}

/// Whether `text` is an absolute `http` or `https` URL with a host.
fn is_web_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// The contents of `dataset.toml`: dataset metadata and the priority areas, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Dataset metadata.
    pub info: DatasetInfo,
    /// Priority areas, in the order they are presented.
    pub areas: Vec<Area>,
    /// Where each of `info.languages` is written in `dataset.toml` (a byte offset), for
    /// problems found with a language later, such as missing interface strings; the start of
    /// the file for the default `en` of a file that names none.
    pub language_offsets: Vec<usize>,
    /// The IANA time zone that decides which day, week or month a record falls in (`UTC`
    /// when `dataset.toml` names none), with where it is written.
    pub time_zone: (String, automation::Place),
    /// Days that `business_days()` skips besides weekends, sorted.
    pub holidays: Vec<CalendarDate>,
}

/// Parses `dataset.toml`. Returns the manifest when it is complete enough to check measures
/// against, and every problem found.
pub fn parse_manifest(name: &str, text: &str) -> (Option<Manifest>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let source = SourceText::new(name, text);
    let Some(document) = parse_document(&source, text, &mut diagnostics) else {
        return (None, diagnostics);
    };
    let root = TableReader::new(
        &source,
        document.get_ref(),
        0..0,
        "dataset.toml",
        DATASET_KEYS,
    );
    let d = &mut diagnostics;
    root.reject_unknown_keys(d);

    let id = root.string("id", Some("\"city-performance\""), d);
    if let Some(id) = &id {
        check_id(&root, "id", id, d);
    }
    let title = root.string("title", Some("\"City performance\""), d);
    let description = root.string("description", Some("\"…\""), d);
    let publisher = root.string("publisher", Some("\"City of …\""), d);
    let contact = read_contact(
        &root,
        "contact",
        "Performance team",
        "performance@example.org",
        d,
    );
    if root.get("contact").is_none() {
        d.push(
            source
                .error(0, "missing field `contact` in dataset.toml")
                .with_help("add `contact = { name = \"…\", email = \"…\" }`"),
        );
    }
    let homepage = root.string("homepage", Some("\"https://…\""), d);
    let license = root.string(
        "license",
        Some("\"https://creativecommons.org/publicdomain/zero/1.0/\""),
        d,
    );
    let feedback_url = root.string("feedback_url", None, d);
    let data_url = root.string("data_url", None, d);
    for (key, url) in [
        ("homepage", &homepage),
        ("license", &license),
        ("data_url", &data_url),
        ("feedback_url", &feedback_url),
    ] {
        if let Some(url) = url
            && !is_web_url(url)
        {
            d.push(
                at_key(
                    &root,
                    key,
                    format!("`{key}` must be an http(s) URL, found `{url}`"),
                )
                .with_help("start it with https://"),
            );
        }
    }

    let (languages, language_offsets) = match root.strings("languages", d) {
        None => (vec!["en".to_owned()], vec![0]),
        Some(tags) => {
            if tags.is_empty() {
                d.push(at_key(
                    &root,
                    "languages",
                    "`languages` must name at least one language",
                ));
            }
            let written = tags.clone();
            let languages = distinct(&source, tags, "language", d, language_tag_problem);
            let offsets = languages
                .iter()
                .map(|language| {
                    written
                        .iter()
                        .find(|(tag, _)| tag == language)
                        .map_or(0, |(_, offset)| *offset)
                })
                .collect();
            (languages, offsets)
        }
    };
    // Without a valid fiscal year, fiscal periods would get wrong dates: check nothing further.
    let fiscal_year_start_month = match root.get("fiscal_year_start_month") {
        None => Some(1),
        Some(_) => root
            .integer("fiscal_year_start_month", 1..=12, d)
            .map(|month| month as u8),
    };
    let time_zone = root
        .string("time_zone", None, d)
        .unwrap_or_else(|| "UTC".to_owned());
    let time_zone = (
        time_zone,
        automation::Place::new(&source, root.get("time_zone").map_or(0, |v| v.span().start)),
    );
    let mut holidays = Vec::new();
    for (day, offset) in root.strings("holidays", d).unwrap_or_default() {
        match CalendarDate::parse(&day) {
            Some(date) if !holidays.contains(&date) => holidays.push(date),
            Some(_) => d.push(source.error(offset, format!("holiday {day} is listed twice"))),
            None => d.push(
                source
                    .error(offset, format!("`{day}` is not a date"))
                    .with_help("write holidays as YYYY-MM-DD, such as \"2026-01-19\""),
            ),
        }
    }
    holidays.sort();
    let keywords = root
        .strings("keywords", d)
        .unwrap_or_default()
        .into_iter()
        .map(|(keyword, _)| keyword)
        .collect::<Vec<_>>();
    if keywords.is_empty() {
        d.push(
            source
                .error(
                    root.get("keywords").map_or(0, |k| k.span().start),
                    "`keywords` must list at least one keyword",
                )
                .with_help(
                    "add `keywords = [\"performance\", \"city services\"]`; catalogues require one",
                ),
        );
    }

    let place = root.string("place", None, d);

    let area_tables = root.tables("areas", "area", AREA_KEYS, d);
    if area_tables.is_empty() && root.get("areas").is_none() {
        d.push(
            source
                .error(0, "dataset.toml declares no priority areas")
                .with_help("add an `[[areas]]` table with `id`, `title` and `description`"),
        );
    }
    let mut areas: Vec<Area> = Vec::with_capacity(area_tables.len());
    for table in &area_tables {
        table.reject_unknown_keys(d);
        let id = table.string("id", Some("\"basic-services\""), d);
        let title = table.string("title", Some("\"Basic city services\""), d);
        let description = table.string("description", Some("\"…\""), d);
        let translations = read_translations(
            table,
            &languages,
            "area translation",
            AREA_TEXT_KEYS,
            d,
            |text, d| {
                Some(AreaText {
                    title: text.string("title", Some("\"…\""), d)?,
                    description: text.string("description", Some("\"…\""), d)?,
                })
            },
        );
        let Some(id) = id else { continue };
        if !check_id(table, "id", &id, d) {
            continue;
        }
        if areas.iter().any(|area| area.id == id) {
            d.push(
                at_key(table, "id", format!("duplicate area id `{id}`"))
                    .with_help("area ids must be unique"),
            );
            continue;
        }
        if let (Some(title), Some(description)) = (title, description) {
            areas.push(Area {
                id,
                title,
                description,
                translations,
            });
        }
    }

    let info = (|| {
        let homepage = homepage?;
        let data_url = match data_url {
            Some(url) if url.ends_with('/') => url,
            Some(url) => format!("{url}/"),
            None => format!("{}/data/", homepage.trim_end_matches('/')),
        };
        Some(DatasetInfo {
            id: id?,
            title: title?,
            description: description?,
            publisher: publisher?,
            contact: contact?,
            homepage,
            license: license?,
            data_url,
            feedback_url,
            languages,
            fiscal_year_start_month: fiscal_year_start_month?,
            keywords,
            place,
        })
    })();
    let manifest = info.map(|info| Manifest {
        info,
        areas,
        language_offsets,
        time_zone,
        holidays,
    });
    (manifest, diagnostics)
}

/// Keeps the first occurrence of each valid item of a list, reporting invalid items (`invalid`
/// gives the message and help) and repeats.
fn distinct(
    source: &SourceText<'_>,
    items: Vec<(String, usize)>,
    what: &str,
    d: &mut Vec<Diagnostic>,
    invalid: impl Fn(&str) -> Option<(String, String)>,
) -> Vec<String> {
    let mut kept: Vec<String> = Vec::with_capacity(items.len());
    for (item, offset) in items {
        if let Some((message, help)) = invalid(&item) {
            d.push(source.error(offset, message).with_help(help));
        } else if kept.contains(&item) {
            d.push(source.error(offset, format!("{what} `{item}` is listed twice")));
        } else {
            kept.push(item);
        }
    }
    kept
}

fn at_key(table: &TableReader<'_, '_>, key: &str, message: impl Into<String>) -> Diagnostic {
    let offset = table
        .get(key)
        .map_or(table.offset(), |value| value.span().start);
    table.source().error(offset, message)
}

fn check_id(table: &TableReader<'_, '_>, key: &str, id: &str, d: &mut Vec<Diagnostic>) -> bool {
    let valid = is_valid_id(id);
    if !valid {
        let suggestion: String = id
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        d.push(
            at_key(table, key, format!("`{id}` is not a valid id")).with_help(format!(
                "ids are 1 to 64 characters of a-z, 0-9 and -, e.g. `{suggestion}`"
            )),
        );
    }
    valid
}

/// Reads a `{ name, email }` table at `key` (`contact`, `owner`), checking the address is one;
/// `name` and `email` are the help's examples.
fn read_contact(
    root: &TableReader<'_, '_>,
    key: &'static str,
    name: &str,
    email: &str,
    d: &mut Vec<Diagnostic>,
) -> Option<Contact> {
    let contact = root.table(key, key, CONTACT_KEYS, d)?;
    contact.reject_unknown_keys(d);
    let name = contact.string("name", Some(&format!("\"{name}\"")), d);
    let address = contact.string("email", Some(&format!("\"{email}\"")), d);
    if let Some(address) = &address
        && (!address.contains('@') || address.starts_with("mailto:"))
    {
        d.push(
            at_key(
                &contact,
                "email",
                format!("`{address}` is not an email address"),
            )
            .with_help(format!("write the address alone, e.g. \"{email}\"")),
        );
    }
    Some(Contact {
        name: name?,
        email: address?,
    })
}

/// Reads `[translations.<lang>]`, checking each language is declared and not the default.
fn read_translations<T>(
    table: &TableReader<'_, '_>,
    languages: &[String],
    what: &'static str,
    allowed: &'static [&'static str],
    d: &mut Vec<Diagnostic>,
    read: impl Fn(&TableReader<'_, '_>, &mut Vec<Diagnostic>) -> Option<T>,
) -> Translations<T> {
    let mut translations = Translations::new();
    let Some(by_language) = table.table("translations", "translations", &[], d) else {
        return translations;
    };
    for (language, text) in by_language.entries(what, allowed, d) {
        text.reject_unknown_keys(d);
        if languages.first() == Some(&language) {
            d.push(
                text.source()
                    .error(
                        text.offset(),
                        format!("`{language}` is the default language; it needs no translation"),
                    )
                    .with_help("put default-language text in the fields themselves"),
            );
            continue;
        }
        if !languages.contains(&language) {
            d.push(
                text.source()
                    .error(
                        text.offset(),
                        format!(
                            "translation into `{language}`, which dataset.toml does not declare"
                        ),
                    )
                    .with_help(format!(
                        "add \"{language}\" to `languages` in dataset.toml, or remove this table"
                    )),
            );
            continue;
        }
        if let Some(value) = read(&text, d) {
            translations.insert(language, value);
        }
    }
    translations
}

fn choice<T: Copy + std::fmt::Display>(
    table: &TableReader<'_, '_>,
    key: &str,
    all: &[T],
    d: &mut Vec<Diagnostic>,
) -> Option<T> {
    let names: Vec<String> = all.iter().map(ToString::to_string).collect();
    let example = format!("\"{}\"", names[0]);
    let text = table.string(key, Some(&example), d)?;
    if let Some(index) = names.iter().position(|name| *name == text) {
        return Some(all[index]);
    }
    let help = match did_you_mean(&text, names.iter().map(String::as_str)) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None => format!("expected one of: {}", names.join(", ")),
    };
    d.push(at_key(table, key, format!("unknown {key} `{text}`")).with_help(help));
    None
}

/// Parses one measure file, `measures/<stem>.toml`, against the manifest.
pub fn parse_measure(
    name: &str,
    stem: &str,
    text: &str,
    manifest: &Manifest,
) -> (Option<Measure>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let source = SourceText::new(name, text);
    let Some(document) = parse_document(&source, text, &mut diagnostics) else {
        return (None, diagnostics);
    };
    let root = TableReader::new(&source, document.get_ref(), 0..0, "measure", MEASURE_KEYS);
    let d = &mut diagnostics;
    root.reject_unknown_keys(d);

    let id = root.string("id", Some(&format!("\"{stem}\"")), d);
    let id = id.filter(|id| {
        if !check_id(&root, "id", id, d) {
            return false;
        }
        if id != stem {
            d.push(
                at_key(
                    &root,
                    "id",
                    format!("measure id `{id}` does not match its file name `{stem}.toml`"),
                )
                .with_help(format!(
                    "ids are permanent: rename the file to `{id}.toml`, or set `id = \"{stem}\"`"
                )),
            );
            return false;
        }
        true
    });
    let title = root.string("title", Some("\"…\""), d);
    let short_title = root.string("short_title", None, d);
    let description = root.string("description", Some("\"Why it matters …\""), d);
    let area = root
        .string("area", Some("\"basic-services\""), d)
        .filter(|area| {
            let known = manifest.areas.iter().any(|a| a.id == *area);
            if !known {
                let help = match did_you_mean(area, manifest.areas.iter().map(|a| a.id.as_str())) {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => "areas are declared as [[areas]] in dataset.toml".to_owned(),
                };
                d.push(at_key(&root, "area", format!("unknown area `{area}`")).with_help(help));
            }
            known
        });
    let department = root.string("department", Some("\"Department of Transportation\""), d);
    let unit = choice(&root, "unit", Unit::ALL, d);
    let unit_label = root.string("unit_label", None, d);
    let decimals = root.integer("decimals", 0..=6, d).map(|n| n as u8);
    let frequency = choice(&root, "frequency", &Frequency::ALL, d);
    let direction = choice(&root, "direction", Direction::ALL, d);
    let methodology = root.string("methodology", Some("\"How it is measured …\""), d);
    let system = root.string("source", Some("\"Customer Service Request system\""), d);
    let names = root.strings("breakdowns", d).unwrap_or_default();
    let breakdowns = distinct(&source, names, "breakdown", d, |name| {
        (!is_valid_breakdown_name(name)
            || OBSERVATION_COLUMNS.contains(&name)
            || name == crate::model::TOTAL)
            .then(|| {
                (
                    format!("`{name}` cannot be a breakdown column"),
                    "use a column name of a-z, 0-9 and _, other than measure, period, value, target, note and total".to_owned(),
                )
            })
    });
    let target = match root.table("target", "target", TARGET_KEYS, d) {
        Some(table) => read_target(&table, frequency, manifest.info.fiscal_year_start_month, d),
        None => {
            if root.get("target").is_none() {
                d.push(
                    source
                        .error(0, "missing field `target` in measure")
                        .with_help("add a [target] table, e.g. `kind = \"at_least\"` and `value = 80`, or `kind = \"none\"`"),
                );
            }
            None
        }
    };
    let translations = read_translations(
        &root,
        &manifest.info.languages,
        "measure translation",
        MEASURE_TEXT_KEYS,
        d,
        |text, d| {
            Some(MeasureText {
                title: text.string("title", None, d),
                short_title: text.string("short_title", None, d),
                description: text.string("description", None, d),
                methodology: text.string("methodology", None, d),
            })
        },
    );

    let published_within_days = goals::read_published_within(&root, d);
    let owner = read_contact(
        &root,
        "owner",
        "Pavement program manager",
        "pavement@example.org",
        d,
    );
    let analysis = analysis::read_analysis(
        &root,
        frequency,
        &manifest.info.languages,
        manifest.info.fiscal_year_start_month,
        d,
    );
    let goals = goals::read_goals(
        &root,
        &goals::GoalContext {
            frequency,
            unit,
            languages: &manifest.info.languages,
            fiscal_year_start_month: manifest.info.fiscal_year_start_month,
        },
        d,
    );

    let measure = (|| {
        Some(Measure {
            id: id?,
            title: title?,
            short_title,
            description: description?,
            area: area?,
            department: department?,
            unit: unit?,
            unit_label,
            decimals,
            frequency: frequency?,
            direction: direction?,
            target: target?,
            methodology: methodology?,
            source: system?,
            breakdowns,
            translations,
            published_within_days,
            goals,
            owner,
            analysis,
        })
    })();
    (measure, diagnostics)
}

/// Reads the value, or min and max, a target of `kind` needs, rejecting the fields it must not have.
fn read_threshold(
    table: &TableReader<'_, '_>,
    kind: TargetKind,
    d: &mut Vec<Diagnostic>,
) -> (Bounds, bool) {
    let bounds = Bounds {
        value: table.number("value", d),
        min: table.number("min", d),
        max: table.number("max", d),
    };
    let (min, max) = (bounds.min, bounds.max);
    let mut valid = true;
    let mut forbid = |key: &str, d: &mut Vec<Diagnostic>| {
        if table.get(key).is_some() {
            valid = false;
            let help = match kind {
                TargetKind::Range => "a range target has `min` and `max`".to_owned(),
                TargetKind::None => "a target of kind \"none\" has no values".to_owned(),
                _ => format!("an {kind} target has a single `value`"),
            };
            d.push(
                at_key(
                    table,
                    key,
                    format!("`{key}` does not apply to a target of kind `{kind}`"),
                )
                .with_help(help),
            );
        }
    };
    match kind {
        TargetKind::AtLeast | TargetKind::AtMost => {
            forbid("min", d);
            forbid("max", d);
            if table.get("value").is_none() {
                valid = false;
                d.push(
                    table
                        .source()
                        .error(
                            table.offset(),
                            format!("missing field `value` in {kind} target"),
                        )
                        .with_help("add `value = 80`"),
                );
            }
        }
        TargetKind::Range => {
            forbid("value", d);
            for key in ["min", "max"] {
                if table.get(key).is_none() {
                    valid = false;
                    d.push(
                        table
                            .source()
                            .error(
                                table.offset(),
                                format!("missing field `{key}` in range target"),
                            )
                            .with_help("a range target needs `min` and `max`"),
                    );
                }
            }
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                valid = false;
                d.push(
                    at_key(
                        table,
                        "min",
                        format!("range target has min {min} > max {max}"),
                    )
                    .with_help("swap `min` and `max`"),
                );
            }
        }
        TargetKind::None => {
            for key in ["value", "min", "max", "near"] {
                forbid(key, d);
            }
        }
    }
    (bounds, valid)
}

fn read_near(table: &TableReader<'_, '_>, d: &mut Vec<Diagnostic>) -> Option<f64> {
    let near = table.number("near", d)?;
    if near < 0.0 {
        d.push(at_key(
            table,
            "near",
            format!("`near` must not be negative, found {near}"),
        ));
        return None;
    }
    Some(near)
}

fn read_target(
    table: &TableReader<'_, '_>,
    frequency: Option<Frequency>,
    fiscal_year_start_month: u8,
    d: &mut Vec<Diagnostic>,
) -> Option<Target> {
    table.reject_unknown_keys(d);
    let kind = choice(table, "kind", TargetKind::ALL, d)?;
    let (bounds, valid) = read_threshold(table, kind, d);
    let explicit_near = if kind == TargetKind::None {
        None
    } else {
        read_near(table, d)
    };
    let threshold = Threshold::from_parts(kind, bounds);
    let near = threshold.map(|t| explicit_near.unwrap_or_else(|| t.default_near()));

    let mut history: Vec<TargetChange> = Vec::new();
    let mut history_valid = true;
    let changes = table.tables("history", "target history entry", TARGET_CHANGE_KEYS, d);
    if kind == TargetKind::None && !changes.is_empty() {
        d.push(
            at_key(
                table,
                "history",
                "a target of kind \"none\" cannot change over time",
            )
            .with_help("give the target a kind, or remove [[target.history]]"),
        );
        return None;
    }
    let mut previous: Option<Period> = None;
    for change in &changes {
        change.reject_unknown_keys(d);
        let from = change.string("from", Some("\"2024-01\""), d);
        let (change_bounds, valid) = read_threshold(change, kind, d);
        let change_near = read_near(change, d);
        history_valid &= valid;
        let (Some(from), Some(frequency)) = (from, frequency) else {
            history_valid = false;
            continue;
        };
        let period = match Period::parse(&from, frequency, fiscal_year_start_month) {
            Ok(period) => period,
            Err(error) => {
                history_valid = false;
                d.push(at_key(change, "from", error.to_string()).with_help(format!(
                    "{frequency} periods look like {}",
                    frequency.example_labels()
                )));
                continue;
            }
        };
        if let Some(previous) = previous
            && period <= previous
        {
            history_valid = false;
            d.push(
                at_key(
                    change,
                    "from",
                    format!(
                        "target history is out of order: `{from}` does not come after `{previous}`"
                    ),
                )
                .with_help("list [[target.history]] entries oldest first, one per period"),
            );
        }
        previous = Some(period);
        let Some(threshold) = Threshold::from_parts(kind, change_bounds) else {
            continue;
        };
        history.push(TargetChange {
            from,
            from_start: period.start(),
            bounds: change_bounds,
            near: change_near
                .or(explicit_near)
                .unwrap_or_else(|| threshold.default_near()),
        });
    }
    (valid && history_valid).then_some(Target {
        kind,
        bounds,
        near,
        near_is_explicit: explicit_near.is_some(),
        history,
    })
}

/// The validated manifest and measures, with lookups the observation reader needs.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Dataset metadata and areas.
    pub manifest: Manifest,
    /// Measures, sorted by id.
    pub measures: Vec<Measure>,
    by_id: HashMap<String, usize>,
    /// Ids of measure files that failed to parse; their rows are skipped without further errors.
    unusable: HashSet<String>,
}

impl Catalog {
    /// Builds the catalog; measures are sorted by id. Each measure comes with the file it was
    /// read from, for duplicate-id errors. `unusable` names measure files (by stem) that failed
    /// to parse: rows of those measures are skipped instead of being reported as unknown.
    pub fn new(
        manifest: Manifest,
        measures: Vec<(String, Measure)>,
        unusable: impl IntoIterator<Item = String>,
    ) -> (Catalog, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut measures = measures;
        measures.sort_by(|a, b| a.1.id.cmp(&b.1.id).then_with(|| a.0.cmp(&b.0)));
        let mut kept: Vec<Measure> = Vec::with_capacity(measures.len());
        let mut first_file: Option<&str> = None;
        for (file, measure) in &measures {
            if kept.last().is_some_and(|last| last.id == measure.id) {
                diagnostics.push(
                    Diagnostic::error(file, 1, 1, format!("duplicate measure id `{}`", measure.id))
                        .with_help(format!(
                            "`{}` already defines it",
                            first_file.unwrap_or_default()
                        )),
                );
                continue;
            }
            first_file = Some(file);
            kept.push(measure.clone());
        }
        let by_id = kept
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        (
            Catalog {
                manifest,
                measures: kept,
                by_id,
                unusable: unusable.into_iter().collect(),
            },
            diagnostics,
        )
    }

    /// The index of a measure in [`Catalog::measures`].
    pub fn measure_index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Whether any measure file failed to parse. Columns only such a file may declare are then
    /// not reported as undeclared.
    pub fn has_unusable(&self) -> bool {
        !self.unusable.is_empty()
    }

    /// Whether `id` names a measure file that failed to parse.
    pub fn is_unusable(&self, id: &str) -> bool {
        self.unusable.contains(id)
    }

    /// Every breakdown column any measure declares.
    pub fn breakdown_columns(&self) -> Vec<&str> {
        let mut columns: Vec<&str> = self
            .measures
            .iter()
            .flat_map(|m| m.breakdowns.iter().map(String::as_str))
            .collect();
        columns.sort_unstable();
        columns.dedup();
        columns
    }

    /// The measures of an area, in id order.
    pub fn measures_of<'a>(&'a self, area: &'a str) -> impl Iterator<Item = &'a Measure> + 'a {
        self.measures.iter().filter(move |m| m.area == area)
    }

    /// The month (1-12) in which the fiscal year starts.
    pub fn fiscal_year_start_month(&self) -> u8 {
        self.manifest.info.fiscal_year_start_month
    }
}

/// Warns about a period that starts after the publication date.
pub(crate) fn future_period_warning(
    file: &str,
    line: u32,
    measure: &str,
    period: &Period,
    today: CalendarDate,
) -> Option<Diagnostic> {
    (period.start() > today).then(|| {
        Diagnostic::warning(
            file,
            line,
            1,
            format!("period `{period}` of `{measure}` starts after the publication date {today}"),
        )
        .with_help(
            "check the period; later future periods of this measure in this file are not listed",
        )
    })
}

#[cfg(test)]
mod tests;
