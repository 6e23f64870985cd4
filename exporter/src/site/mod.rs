//! The residents' dashboard: a static site written beside `data/` in every release.
//!
//! Every page is complete HTML – current values, status, target and trend in text – so it works
//! without JavaScript and for search engines; with the widgets package published beside it, the
//! `<civic-metric>` and `<civic-chart>` elements wrapping that HTML upgrade it in place.
//!
//! ```text
//! index.html                  the priority areas, each with "N of M on track" and its measures
//! areas/<id>/index.html       an area's cards;            areas/<id>/feed.xml
//! measures/<id>/index.html    chart, story, tables, downloads, embed code; measures/<id>/feed.xml
//! embed/<id>/index.html       a card (or ?view=chart) for iframes; embed.js resizes them
//! oembed/<id>.json            oEmbed `rich` responses
//! about/index.html            about the data, the data dictionary, the status rule
//! <lang>/…                    the same pages, feeds and oEmbed responses in each further language
//! feed.xml, sitemap.xml, robots.txt, 404.html, assets/, widgets/
//! data/charts/<id>.svg, data/sparklines/<id>.svg   the charts as pictures, drawn by `view`
//! ```
//!
//! Measures stream through [`Site::add_measure`] (their pages are written at once and only a
//! small summary is kept); [`Site::finish`] writes the pages that list them.

mod feeds;
mod format;
mod strings;

use std::fs;
use std::path::{Path, PathBuf};

use askama::Template;
use dataset::document::{Index, MeasureDocument};
use dataset::model::{DatasetInfo, Status, TargetKind};
use dataset::{CalendarDate, Frequency, Measure};
use serde_json::json;
use view::bidi::isolate;

use crate::charts;
use crate::error::{Error, IoContext};
use crate::tables::Table;
use crate::xml;
use feeds::{Entry, FeedInfo};
use format::Formatter;

/// The files of the widgets package a page loads, copied into `widgets/`.
pub const WIDGET_FILES: &[&str] = &[
    "civicmetrics.js",
    "styles.js",
    "widgets.js",
    "widgets_bg.wasm",
];

const SITE_CSS: &str = include_str!("site.css");
const EMBED_JS: &str = include_str!("embed.js");
const EMBED_PAGE_JS: &str = include_str!("embed-page.js");
const FAVICON: &str = include_str!("favicon.svg");

/// Sizes of the frames in the embed snippets, in CSS pixels.
const EMBED_CARD_HEIGHT: u32 = 420;
const EMBED_CHART_HEIGHT: u32 = 560;

/// The templates' escaper (configured in `askama.toml`): every printed value HTML-escaped and,
/// when it holds direction controls, [isolated](view::bidi::isolate), so that a title ending in
/// RIGHT-TO-LEFT OVERRIDE cannot reverse the text after it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IsolatingHtml;

impl askama::filters::Escaper for IsolatingHtml {
    fn write_escaped_str<W: std::fmt::Write>(&self, dest: W, string: &str) -> std::fmt::Result {
        askama::filters::Html.write_escaped_str(dest, &view::bidi::isolate(string))
    }
}

/// How the site is published.
#[derive(Debug, Clone, Default)]
pub struct SiteOptions {
    /// The absolute URL the release is served from, for canonical links, feeds, the sitemap and
    /// embed code; `None` uses the dataset's `homepage`.
    pub base_url: Option<String>,
    /// A built widgets package (`pkg/` after `cargo xtask dist`) to publish under `widgets/`;
    /// without it the pages are plain HTML.
    pub widgets: Option<PathBuf>,
}

/// The texts of a measure's card in one language.
#[derive(Debug, Clone)]
struct Card {
    id: String,
    title: String,
    title_long: String,
    description: String,
    methodology: String,
    source: String,
    status_class: &'static str,
    status: &'static str,
    icon: &'static str,
    latest: Option<LatestText>,
    trend: Option<String>,
    summary: String,
    /// The measure page, relative to the page showing the card.
    href: String,
    /// The measure page's link text.
    more: String,
}

#[derive(Debug, Clone)]
struct LatestText {
    value: String,
    period: String,
    target: String,
}

/// What the listing pages need of a measure, kept after its own pages are written.
struct MeasureFacts {
    id: String,
    area: String,
    status: Status,
    /// One card per language, in the dataset's language order.
    cards: Vec<Card>,
    /// The measure's feed entries in each language, in the same order.
    entries: Vec<Vec<Entry>>,
}

/// A language version of a page, for `hreflang` links and the language menu.
struct Alternate {
    lang: String,
    name: &'static str,
    href: String,
    local: String,
}

/// What every page has: head, header and footer facts.
struct Page<'s> {
    lang: &'s str,
    title: String,
    description: String,
    canonical: String,
    canonical_measure: String,
    alternates: Vec<Alternate>,
    feed: String,
    feed_title: &'static str,
    oembed: Option<String>,
    site_name: &'s str,
    locale: String,
    image: Option<String>,
    root: String,
    home: String,
    about: String,
    widgets: bool,
    json_ld: String,
    modified: &'s str,
    updated: String,
    license: &'s str,
    feedback: String,
    published_by: String,
}

impl Page<'_> {
    /// A page string in the page's language.
    fn t(&self, key: &str) -> &'static str {
        strings::get(self.lang, key)
    }
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'s> {
    page: Page<'s>,
    description: &'s str,
    areas: Vec<AreaListing>,
}

struct AreaListing {
    id: String,
    title: String,
    href: String,
    count: String,
    measures: Vec<MeasureListing>,
}

struct MeasureListing {
    title: String,
    href: String,
    value: String,
    status: &'static str,
    status_class: &'static str,
    icon: &'static str,
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage<'s> {
    page: Page<'s>,
    title: &'s str,
    description: &'s str,
    count: String,
    cards: Vec<Card>,
    feed: String,
}

struct BreakdownTable {
    caption: String,
    dimension: String,
    rows: Vec<(String, String, &'static str)>,
}

struct Row {
    period: String,
    value: String,
    target: String,
    status: &'static str,
    note: String,
}

#[derive(Template)]
#[template(path = "measure.html")]
struct MeasurePage<'s> {
    page: Page<'s>,
    card: Card,
    area_title: &'s str,
    area_href: String,
    breakdown: Option<&'s str>,
    department: &'s str,
    frequency: &'static str,
    current_target: String,
    target_history: Vec<(String, String)>,
    data_caption: String,
    rows: Vec<Row>,
    breakdown_tables: Vec<BreakdownTable>,
    downloads: Vec<(String, String)>,
    embed_card: String,
    embed_chart: String,
    report: String,
    feed: String,
}

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedPage<'s> {
    page: Page<'s>,
    card: Card,
}

struct TableListing {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    primary_key: String,
    columns: Vec<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage<'s> {
    page: Page<'s>,
    description: &'s str,
    contact_name: &'s str,
    contact_email: &'s str,
    downloads: Vec<(String, String)>,
    tables: Vec<TableListing>,
    feeds: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage<'s> {
    page: Page<'s>,
}

/// The site being written into a staged release.
pub(crate) struct Site {
    dir: PathBuf,
    base: String,
    info: DatasetInfo,
    modified: String,
    widgets: bool,
    measures: Vec<MeasureFacts>,
    /// Pages written, relative to the site root, for the sitemap.
    pages: Vec<String>,
    /// The first and last day the measures seen so far cover.
    coverage: Option<(CalendarDate, CalendarDate)>,
}

/// The directory of the site in `lang`: `""` for the default language, else `"<lang>/"`.
fn language_prefix(info: &DatasetInfo, lang: &str) -> String {
    if info.languages.first().map(String::as_str) == Some(lang) {
        String::new()
    } else {
        format!("{lang}/")
    }
}

/// The feed entries in the language at `position` of the measures (of `area`, or all).
fn language_entries<'m>(
    measures: &'m [MeasureFacts],
    position: usize,
    area: Option<&'m str>,
) -> impl Iterator<Item = &'m Entry> {
    measures
        .iter()
        .filter(move |m| area.is_none_or(|area| m.area == area))
        .filter_map(move |m| m.entries.get(position))
        .flatten()
}

/// The path from a page at `path` (a directory such as `es/measures/x/`) back to the root.
fn to_root(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The language's own name, for the language menu.
fn language_name(lang: &str) -> &'static str {
    match lang.split('-').next().unwrap_or_default() {
        "en" => "English",
        "es" => "Español",
        "zh" => "中文",
        "vi" => "Tiếng Việt",
        "ko" => "한국어",
        "tl" => "Tagalog",
        "so" => "Soomaali",
        "am" => "አማርኛ",
        "ru" => "Русский",
        "fr" => "Français",
        _ => "",
    }
}

/// JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` escaped so that no
/// text from the data can close the element.
fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Percent-encodes text for a URL query value.
fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How many of the latest periods a measure page lists: a month of days, a year of weeks, three
/// years of months, five of quarters or twenty years. Pages stay small however long the series;
/// the downloads hold every period.
fn table_periods(frequency: Frequency) -> usize {
    match frequency {
        Frequency::Daily => 31,
        Frequency::Weekly => 52,
        Frequency::Monthly => 36,
        Frequency::Quarterly => 20,
        Frequency::Annual => 20,
    }
}

/// `council_district` → `Council district`.
fn dimension_name(dimension: &str) -> String {
    let words = dimension.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn write_file(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).io_context(parent)?;
    }
    fs::write(path, contents).io_context(path)
}

impl Site {
    /// Starts a site in the staged release `dir`, copying the widgets package when given.
    pub(crate) fn create(
        dir: &Path,
        info: &DatasetInfo,
        modified: &str,
        options: &SiteOptions,
    ) -> Result<Site, Error> {
        let mut base = options
            .base_url
            .clone()
            .unwrap_or_else(|| info.homepage.clone());
        if !base.ends_with('/') {
            base.push('/');
        }
        if let Some(package) = &options.widgets {
            for file in WIDGET_FILES {
                let from = package.join(file);
                if !from.is_file() {
                    return Err(Error::MissingWidgets {
                        dir: package.clone(),
                        file,
                    });
                }
                let to = dir.join("widgets").join(file);
                fs::create_dir_all(dir.join("widgets")).io_context(dir)?;
                fs::copy(&from, &to).io_context(&from)?;
            }
        }
        fs::create_dir_all(dir.join("data/charts")).io_context(dir)?;
        fs::create_dir_all(dir.join("data/sparklines")).io_context(dir)?;
        Ok(Site {
            dir: dir.to_owned(),
            base,
            info: info.clone(),
            modified: modified.to_owned(),
            widgets: options.widgets.is_some(),
            measures: Vec::new(),
            pages: Vec::new(),
            coverage: None,
        })
    }

    fn default_language(&self) -> &str {
        self.info.languages.first().map_or("en", String::as_str)
    }

    /// The common parts of the page at `path` (relative to the language's root, a directory such
    /// as `measures/x/`, or `""` for the home page) in `lang`.
    fn page(&self, lang: &str, path: &str, title: String, description: String) -> Page<'_> {
        let prefix = language_prefix(&self.info, lang);
        let root = to_root(&format!("{prefix}{path}"));
        let lang = self
            .info
            .languages
            .iter()
            .find(|l| l.as_str() == lang)
            .map_or("en", String::as_str);
        let format = Formatter::new(lang);
        let mut alternates: Vec<Alternate> = self
            .info
            .languages
            .iter()
            .map(|other| {
                let other_prefix = language_prefix(&self.info, other);
                Alternate {
                    lang: other.clone(),
                    name: language_name(other),
                    href: format!("{}{other_prefix}{path}", self.base),
                    local: format!("{root}{other_prefix}{path}"),
                }
            })
            .collect();
        alternates.push(Alternate {
            lang: "x-default".to_owned(),
            name: "",
            href: format!("{}{path}", self.base),
            local: format!("{root}{path}"),
        });
        let feedback = self
            .info
            .feedback_url
            .clone()
            .unwrap_or_else(|| format!("mailto:{}", self.info.contact.email));
        Page {
            lang,
            title,
            description,
            canonical: format!("{}{prefix}{path}", self.base),
            canonical_measure: String::new(),
            alternates,
            feed: format!("{root}{prefix}feed.xml"),
            feed_title: strings::get(lang, "site_feed"),
            oembed: None,
            site_name: &self.info.title,
            locale: lang.replace('-', "_"),
            image: None,
            home: match format!("{root}{prefix}") {
                home if home.is_empty() => "./".to_owned(),
                home => home,
            },
            about: format!("{root}{prefix}about/"),
            root,
            widgets: self.widgets,
            json_ld: script_json(&self.dataset_json_ld()),
            modified: &self.modified,
            updated: format.updated(&self.modified),
            license: &self.info.license,
            feedback,
            published_by: view::strings::fill(
                strings::get(lang, "published_by"),
                &[&self.info.publisher],
            ),
        }
    }

    fn dataset_json_ld(&self) -> serde_json::Value {
        let info = &self.info;
        let distribution: Vec<_> = ["observations", "measures", "areas"]
            .iter()
            .flat_map(|table| {
                [
                    ("csv", "text/csv"),
                    ("parquet", "application/vnd.apache.parquet"),
                ]
                .map(|(extension, media)| {
                    json!({
                        "@type": "DataDownload",
                        "encodingFormat": media,
                        "contentUrl": format!("{}data/{table}.{extension}", self.base),
                    })
                })
            })
            .collect();
        let mut value = json!({
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": info.title,
            "description": info.description,
            "url": self.base,
            "license": info.license,
            "keywords": info.keywords,
            "inLanguage": info.languages,
            "dateModified": self.modified,
            "isAccessibleForFree": true,
            "creator": { "@type": "Organization", "name": info.publisher,
                         "contactPoint": { "@type": "ContactPoint", "name": info.contact.name,
                                           "email": info.contact.email } },
            "distribution": distribution,
        });
        if let Some((first, last)) = self.coverage {
            value["temporalCoverage"] = json!(format!("{first}/{last}"));
        }
        value
    }

    fn write_page(&mut self, path: &str, html: String) -> Result<(), Error> {
        let file = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_owned()
        };
        write_file(&self.dir.join(&file), html)?;
        if path.ends_with('/') || path.is_empty() {
            self.pages.push(path.to_owned());
        }
        Ok(())
    }

    fn card(
        &self,
        lang: &str,
        document: &MeasureDocument,
        from_path: &str,
        format: &Formatter<'_>,
    ) -> Card {
        let measure = &document.measure;
        let text = measure.text(lang);
        let status = document
            .latest
            .as_ref()
            .map_or(Status::NoData, |l| l.status);
        let latest = document.latest.as_ref().map(|latest| LatestText {
            value: format.observed(measure, latest),
            period: format.period(measure.frequency, latest),
            target: format.target(measure, latest.target.as_ref()),
        });
        let summary = match &latest {
            Some(l) => format.fill(
                "chart_label",
                &[
                    text.title,
                    &l.value,
                    &l.period,
                    &l.target,
                    format.status(status),
                ],
            ),
            None => format!("{}: {}", text.title, format.text("no_data")),
        };
        let prefix = language_prefix(&self.info, lang);
        Card {
            id: measure.id.clone(),
            title: text.card_title().to_owned(),
            title_long: text.title.to_owned(),
            description: text.description.to_owned(),
            methodology: text.methodology.to_owned(),
            source: measure.source.clone(),
            status_class: status.as_str(),
            status: format.status(status),
            icon: view::status_symbol(status),
            latest,
            trend: document
                .latest
                .as_ref()
                .and_then(|_| format.trend(measure, &document.observations)),
            summary,
            href: format!(
                "{}{prefix}measures/{}/",
                to_root(&format!("{prefix}{from_path}")),
                measure.id
            ),
            more: text.title.to_owned(),
        }
    }

    /// Writes a measure's pages, embed pages, oEmbed response and charts, and keeps what the
    /// listing pages need.
    pub(crate) fn add_measure(
        &mut self,
        document: &MeasureDocument,
        area: &dataset::Area,
    ) -> Result<(), Error> {
        let measure = &document.measure;
        let default_language = self.default_language().to_owned();
        let default = Formatter::new(&default_language);
        let title = measure.text(default.language()).title;
        let chart_title = default.fill("chart_alt", &[title]);
        let chart = charts::chart_svg(
            document,
            &|date, yearly| {
                if yearly {
                    date.0.year().to_string()
                } else {
                    default.month(date)
                }
            },
            &|value| default.axis_value(measure, value),
            default.axis_unit(measure).as_deref(),
            &chart_title,
        );
        write_file(
            &self.dir.join(format!("data/charts/{}.svg", measure.id)),
            chart,
        )?;
        write_file(
            &self.dir.join(format!("data/sparklines/{}.svg", measure.id)),
            charts::sparkline_svg(document, title),
        )?;

        if let (Some(first), Some(last)) =
            (document.observations.first(), document.observations.last())
        {
            let (start, end) = (first.period_start, last.period_end);
            self.coverage = Some(match self.coverage {
                Some((from, to)) => (from.min(start), to.max(end)),
                None => (start, end),
            });
        }
        let languages = self.info.languages.clone();
        let mut cards = Vec::with_capacity(languages.len());
        let mut entries = Vec::with_capacity(languages.len());
        for lang in &languages {
            let format = Formatter::new(lang);
            let area_cards_path = format!("areas/{}/", measure.area);
            cards.push(self.card(lang, document, &area_cards_path, &format));
            entries.push(self.measure_page(lang, document, area, &format)?);
            self.embed_page(lang, document, &format)?;
            self.oembed(lang, document)?;
        }
        self.measures.push(MeasureFacts {
            id: measure.id.clone(),
            area: measure.area.clone(),
            status: document
                .latest
                .as_ref()
                .map_or(Status::NoData, |l| l.status),
            cards,
            entries,
        });
        Ok(())
    }

    fn embed_snippet(&self, lang: &str, measure: &Measure, view: &str) -> String {
        let prefix = language_prefix(&self.info, lang);
        let title = xml::escape(&isolate(measure.text(lang).title));
        let (query, height) = match view {
            "chart" => ("?view=chart", EMBED_CHART_HEIGHT),
            _ => ("", EMBED_CARD_HEIGHT),
        };
        format!(
            "<iframe src=\"{base}{prefix}embed/{id}/{query}\" title=\"{title}\" width=\"100%\" height=\"{height}\" loading=\"lazy\" data-civicmetrics-embed></iframe>\n<script async src=\"{base}embed.js\"></script>",
            base = xml::escape(&self.base),
            id = measure.id,
        )
    }

    /// Writes a measure's page and its feed in `lang`; returns the feed's entries.
    fn measure_page(
        &mut self,
        lang: &str,
        document: &MeasureDocument,
        area: &dataset::Area,
        format: &Formatter<'_>,
    ) -> Result<Vec<Entry>, Error> {
        let measure = &document.measure;
        let path = format!("measures/{}/", measure.id);
        let text = measure.text(lang);
        let card = self.card(lang, document, &path, format);
        let mut page = self.page(
            lang,
            &path,
            format!("{} – {}", text.title, self.info.title),
            card.summary.clone(),
        );
        page.image = Some(format!("{}data/charts/{}.svg", self.base, measure.id));
        let prefix = language_prefix(&self.info, lang);
        page.oembed = Some(format!("{}{prefix}oembed/{}.json", self.base, measure.id));
        page.feed = "feed.xml".to_owned();
        page.feed_title = strings::get(lang, "measure_feed");
        page.json_ld = script_json(&self.measure_json_ld(document, lang));
        let root = page.root.clone();

        let history = &measure.target.history;
        let target_history = if history.is_empty() {
            Vec::new()
        } else {
            let mut rows = Vec::with_capacity(history.len() + 1);
            rows.push((
                String::from("–"),
                target_words(format, measure, measure.target.kind, measure.target.bounds),
            ));
            for change in history {
                rows.push((
                    change.from.clone(),
                    target_words(format, measure, measure.target.kind, change.bounds),
                ));
            }
            rows
        };
        let listed = table_periods(measure.frequency).min(document.observations.len());
        let rows = document
            .observations
            .iter()
            .rev()
            .take(listed)
            .map(|o| Row {
                period: format.period(measure.frequency, o),
                value: format.observed(measure, o),
                target: o
                    .target
                    .as_ref()
                    .map(|t| target_words(format, measure, t.kind, t.bounds))
                    .unwrap_or_default(),
                status: format.status(o.status),
                note: o.note.clone().unwrap_or_default(),
            })
            .collect();
        let breakdown_tables = document
            .breakdowns
            .iter()
            .filter_map(|series| {
                let latest_start = series
                    .groups
                    .iter()
                    .filter_map(|g| g.observations.last())
                    .map(|o| o.period_start)
                    .max()?;
                let mut period = String::new();
                let rows = series
                    .groups
                    .iter()
                    .filter_map(|group| {
                        let o = group
                            .observations
                            .iter()
                            .find(|o| o.period_start == latest_start)?;
                        period = format.period(measure.frequency, o);
                        Some((
                            group.group.clone(),
                            format.observed(measure, o),
                            format.status(o.status),
                        ))
                    })
                    .collect();
                let dimension = dimension_name(&series.dimension);
                Some(BreakdownTable {
                    caption: view::strings::fill(
                        strings::get(lang, "breakdown_caption"),
                        &[text.card_title(), &dimension.to_lowercase(), &period],
                    ),
                    dimension,
                    rows,
                })
            })
            .collect();
        let mut downloads = vec![(
            strings::get(lang, "measure_json").to_owned(),
            format!("{root}data/measures/{}.json", measure.id),
        )];
        downloads.extend(
            document
                .downloads
                .iter()
                .map(|d| (download_title(lang, d), format!("{root}data/{}", d.path))),
        );
        downloads.push((
            strings::get(lang, "chart_svg").to_owned(),
            format!("{root}data/charts/{}.svg", measure.id),
        ));
        let subject = view::strings::fill(strings::get(lang, "report_subject"), &[text.title]);
        let report = format!(
            "mailto:{}?subject={}",
            self.info.contact.email,
            query_value(&subject)
        );
        let area_href = format!("{root}{prefix}areas/{}/", area.id);
        let latest_target = document.latest.as_ref().and_then(|l| l.target.as_ref());
        let html = MeasurePage {
            area_title: area.text(lang).0,
            area_href,
            breakdown: measure.breakdowns.first().map(String::as_str),
            department: &measure.department,
            frequency: strings::get(lang, measure.frequency.as_str()),
            current_target: format.target(measure, latest_target),
            target_history,
            data_caption: if listed == document.observations.len() {
                view::strings::fill(strings::get(lang, "data_caption"), &[text.title])
            } else {
                view::strings::fill(
                    strings::get(lang, "data_caption_latest"),
                    &[
                        text.title,
                        &format.number(listed as f64, 0),
                        &format.number(document.observations.len() as f64, 0),
                    ],
                )
            },
            rows,
            breakdown_tables,
            downloads,
            embed_card: self.embed_snippet(lang, measure, "card"),
            embed_chart: self.embed_snippet(lang, measure, "chart"),
            report,
            feed: "feed.xml".to_owned(),
            card,
            page,
        }
        .render()?;
        let full = format!("{prefix}{path}");
        self.write_page(&full, html)?;
        let base = format!("{}{prefix}", self.base);
        let entries = feeds::entries(&base, document, format);
        let feed = feeds::feed(
            &FeedInfo {
                id: format!("{base}{path}feed.xml"),
                title: format!("{} – {}", text.title, self.info.title),
                page: format!("{base}{path}"),
                lang,
                updated: &self.modified,
                info: &self.info,
            },
            entries.iter(),
        );
        write_file(&self.dir.join(format!("{full}feed.xml")), feed)?;
        Ok(entries)
    }

    fn measure_json_ld(&self, document: &MeasureDocument, lang: &str) -> serde_json::Value {
        let measure = &document.measure;
        let text = measure.text(lang);
        let first = document.observations.first().map(|o| o.period_start);
        let last = document.observations.last().map(|o| o.period_end);
        let mut value = json!({
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": text.title,
            "description": text.description,
            "url": format!("{}{}measures/{}/", self.base, language_prefix(&self.info, lang), measure.id),
            "license": self.info.license,
            "inLanguage": lang,
            "dateModified": self.modified,
            "isAccessibleForFree": true,
            "variableMeasured": text.title,
            "measurementTechnique": text.methodology,
            "creator": { "@type": "Organization", "name": self.info.publisher },
            "isPartOf": { "@type": "Dataset", "name": self.info.title, "url": self.base },
            "distribution": [
                { "@type": "DataDownload", "encodingFormat": "application/json",
                  "contentUrl": format!("{}data/measures/{}.json", self.base, measure.id) },
                { "@type": "DataDownload", "encodingFormat": "text/csv",
                  "contentUrl": format!("{}data/observations.csv", self.base) },
                { "@type": "DataDownload", "encodingFormat": "application/vnd.apache.parquet",
                  "contentUrl": format!("{}data/observations.parquet", self.base) },
            ],
        });
        if let (Some(first), Some(last)) = (first, last) {
            value["temporalCoverage"] = json!(format!("{first}/{last}"));
        }
        value
    }

    fn embed_page(
        &mut self,
        lang: &str,
        document: &MeasureDocument,
        format: &Formatter<'_>,
    ) -> Result<(), Error> {
        let measure = &document.measure;
        let path = format!("embed/{}/", measure.id);
        let card = self.card(lang, document, &path, format);
        let prefix = language_prefix(&self.info, lang);
        let mut page = self.page(lang, &path, card.title.clone(), card.summary.clone());
        page.canonical_measure = format!("{}{prefix}measures/{}/", self.base, measure.id);
        page.canonical = page.canonical_measure.clone();
        let html = EmbedPage { page, card }.render()?;
        let file = self.dir.join(format!("{prefix}{path}index.html"));
        write_file(&file, html)
    }

    /// Writes the oEmbed response for a measure's card in `lang`.
    fn oembed(&self, lang: &str, document: &MeasureDocument) -> Result<(), Error> {
        let measure = &document.measure;
        let response = json!({
            "version": "1.0",
            "type": "rich",
            "title": isolate(measure.text(lang).title),
            "provider_name": isolate(&self.info.publisher),
            "provider_url": self.base,
            "author_name": isolate(&measure.department),
            "html": self.embed_snippet(lang, measure, "card"),
            "width": 480,
            "height": EMBED_CARD_HEIGHT,
            "cache_age": 3600,
            "thumbnail_url": format!("{}data/charts/{}.svg", self.base, measure.id),
            "thumbnail_width": 720,
            "thumbnail_height": 320,
        });
        let prefix = language_prefix(&self.info, lang);
        let path = self.dir.join(format!("{prefix}oembed/{}.json", measure.id));
        write_file(&path, serde_json::to_vec_pretty(&response)?)
    }

    /// Writes the home, area, about and 404 pages in every language, the feeds, the sitemap and
    /// the assets.
    pub(crate) fn finish(mut self, index: &Index, tables: &[&Table]) -> Result<(), Error> {
        let languages = self.info.languages.clone();
        for (position, lang) in languages.iter().enumerate() {
            let format = Formatter::new(lang);
            self.home_page(lang, position, index, &format)?;
            for area in &index.areas {
                self.area_page(lang, position, area, &format)?;
            }
            self.about_page(lang, index, tables)?;
        }
        self.feeds(index)?;
        self.not_found_page()?;
        write_file(&self.dir.join("assets/site.css"), SITE_CSS)?;
        write_file(&self.dir.join("assets/embed-page.js"), EMBED_PAGE_JS)?;
        write_file(&self.dir.join("assets/favicon.svg"), FAVICON)?;
        write_file(&self.dir.join("embed.js"), EMBED_JS)?;
        write_file(
            &self.dir.join("robots.txt"),
            format!(
                "User-agent: *\nDisallow: {}embed/\nSitemap: {}sitemap.xml\n",
                base_path(&self.base),
                self.base
            ),
        )?;
        self.sitemap()
    }

    fn on_track_count(&self, format: &Formatter<'_>, area: &str) -> String {
        let in_area: Vec<&MeasureFacts> = self.measures.iter().filter(|m| m.area == area).collect();
        let on_track = in_area
            .iter()
            .filter(|m| m.status == Status::OnTrack)
            .count();
        format.fill(
            "on_track_count",
            &[&on_track.to_string(), &in_area.len().to_string()],
        )
    }

    fn home_page(
        &mut self,
        lang: &str,
        position: usize,
        index: &Index,
        format: &Formatter<'_>,
    ) -> Result<(), Error> {
        let prefix = language_prefix(&self.info, lang);
        let root = to_root(&prefix);
        let areas = index
            .areas
            .iter()
            .map(|area| AreaListing {
                id: area.id.clone(),
                title: area.text(lang).0.to_owned(),
                href: format!("{root}{prefix}areas/{}/", area.id),
                count: self.on_track_count(format, &area.id),
                measures: self
                    .measures
                    .iter()
                    .filter(|m| m.area == area.id)
                    .filter_map(|m| m.cards.get(position).map(|card| (m, card)))
                    .map(|(m, card)| MeasureListing {
                        title: card.title.clone(),
                        href: format!("{root}{prefix}measures/{}/", m.id),
                        value: card
                            .latest
                            .as_ref()
                            .map(|l| l.value.clone())
                            .unwrap_or_default(),
                        status: card.status,
                        status_class: card.status_class,
                        icon: card.icon,
                    })
                    .collect(),
            })
            .collect();
        let description = &self.info.description;
        let mut page = self.page(lang, "", self.info.title.clone(), description.clone());
        // The home page lists measures in text only: no widget to load.
        page.widgets = false;
        let html = IndexPage {
            page,
            description,
            areas,
        }
        .render()?;
        self.write_page(&prefix, html)
    }

    fn area_page(
        &mut self,
        lang: &str,
        position: usize,
        area: &dataset::Area,
        format: &Formatter<'_>,
    ) -> Result<(), Error> {
        let prefix = language_prefix(&self.info, lang);
        let path = format!("areas/{}/", area.id);
        let (title, description) = area.text(lang);
        let cards = self
            .measures
            .iter()
            .filter(|m| m.area == area.id)
            .filter_map(|m| m.cards.get(position).cloned())
            .collect();
        let mut page = self.page(
            lang,
            &path,
            format!("{title} – {}", self.info.title),
            description.to_owned(),
        );
        let feed = format!("{}{prefix}areas/{}/feed.xml", page.root, area.id);
        page.feed.clone_from(&feed);
        page.feed_title = strings::get(lang, "area_feed");
        let html = AreaPage {
            count: self.on_track_count(format, &area.id),
            page,
            title,
            description,
            cards,
            feed,
        }
        .render()?;
        self.write_page(&format!("{prefix}{path}"), html)
    }

    fn about_page(&mut self, lang: &str, index: &Index, tables: &[&Table]) -> Result<(), Error> {
        let prefix = language_prefix(&self.info, lang);
        let mut page = self.page(
            lang,
            "about/",
            format!("{} – {}", strings::get(lang, "about_data"), self.info.title),
            strings::get(lang, "about_intro").to_owned(),
        );
        let root = page.root.clone();
        page.widgets = false;
        let mut downloads: Vec<(String, String)> = index
            .downloads
            .iter()
            .map(|d| (download_title(lang, d), format!("{root}data/{}", d.path)))
            .collect();
        for (title, file) in [
            ("index.json", "index.json"),
            ("datapackage.json (Frictionless)", "datapackage.json"),
            ("data.json (DCAT-US)", "data.json"),
            ("dictionary.md", "dictionary.md"),
            ("SHA256SUMS", "SHA256SUMS"),
        ] {
            downloads.push((title.to_owned(), format!("{root}data/{file}")));
        }
        let tables = tables
            .iter()
            .map(|table| TableListing {
                name: table.name,
                title: table.title,
                description: table.description,
                primary_key: table.primary_key.join(", "),
                columns: table
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.kind.frictionless(), c.description.clone()))
                    .collect(),
            })
            .collect();
        let mut feeds = vec![(
            strings::get(lang, "site_feed").to_owned(),
            format!("{root}{prefix}feed.xml"),
        )];
        for area in &index.areas {
            feeds.push((
                area.text(lang).0.to_owned(),
                format!("{root}{prefix}areas/{}/feed.xml", area.id),
            ));
        }
        let html = AboutPage {
            page,
            description: &self.info.description,
            contact_name: &self.info.contact.name,
            contact_email: &self.info.contact.email,
            downloads,
            tables,
            feeds,
        }
        .render()?;
        self.write_page(&format!("{prefix}about/"), html)
    }

    fn not_found_page(&mut self) -> Result<(), Error> {
        let lang = self.default_language().to_owned();
        let mut page = self.page(
            &lang,
            "",
            strings::get(&lang, "not_found").to_owned(),
            strings::get(&lang, "not_found_help").to_owned(),
        );
        // Served for any missing path, so its links start from the site's own path.
        let root = base_path(&self.base);
        page.home.clone_from(&root);
        page.about = format!("{root}about/");
        page.feed = format!("{root}feed.xml");
        page.root = root;
        page.alternates.clear();
        page.widgets = false;
        let html = NotFoundPage { page }.render()?;
        write_file(&self.dir.join("404.html"), html)
    }

    /// Writes the site's feed and each area's, in every language.
    fn feeds(&self, index: &Index) -> Result<(), Error> {
        for (position, lang) in self.info.languages.iter().enumerate() {
            let prefix = language_prefix(&self.info, lang);
            let base = format!("{}{prefix}", self.base);
            let site = feeds::feed(
                &FeedInfo {
                    id: format!("{base}feed.xml"),
                    title: self.info.title.clone(),
                    page: base.clone(),
                    lang,
                    updated: &self.modified,
                    info: &self.info,
                },
                language_entries(&self.measures, position, None),
            );
            write_file(&self.dir.join(format!("{prefix}feed.xml")), site)?;
            for area in &index.areas {
                let path = format!("areas/{}/", area.id);
                let feed = feeds::feed(
                    &FeedInfo {
                        id: format!("{base}{path}feed.xml"),
                        title: format!("{} – {}", area.text(lang).0, self.info.title),
                        page: format!("{base}{path}"),
                        lang,
                        updated: &self.modified,
                        info: &self.info,
                    },
                    language_entries(&self.measures, position, Some(&area.id)),
                );
                write_file(&self.dir.join(format!("{prefix}{path}feed.xml")), feed)?;
            }
        }
        Ok(())
    }

    fn sitemap(&self) -> Result<(), Error> {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let lastmod = self.modified.get(..10).unwrap_or(&self.modified);
        let mut pages = self.pages.clone();
        pages.sort();
        for page in pages {
            xml.push_str(&format!(
                "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
                xml::escape(&format!("{}{page}", self.base)),
                xml::escape(lastmod)
            ));
        }
        xml.push_str("</urlset>\n");
        write_file(&self.dir.join("sitemap.xml"), xml)
    }
}

/// A download's title in `lang`: "Observaciones (CSV)" for `observations.csv`; the published
/// title for files the site has no words for.
fn download_title(lang: &str, download: &dataset::document::Download) -> String {
    let Some((table, extension)) = download.path.rsplit_once('.') else {
        return download.title.clone();
    };
    let format = match extension {
        "csv" => "CSV",
        "parquet" => "Parquet",
        _ => return download.title.clone(),
    };
    match strings::get(lang, &format!("table_{table}")) {
        "" => download.title.clone(),
        name => format!("{name} ({format})"),
    }
}

/// The path part of an absolute URL, ending with `/`: `/performance/` for
/// `https://example.org/performance/`.
fn base_path(base: &str) -> String {
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(slash) => after_scheme[slash..].to_owned(),
        None => "/".to_owned(),
    }
}

/// A target in words, from its kind and bounds.
fn target_words(
    format: &Formatter<'_>,
    measure: &Measure,
    kind: TargetKind,
    bounds: dataset::model::Bounds,
) -> String {
    let applied = dataset::AppliedTarget {
        kind,
        bounds,
        near: 0.0,
        source: dataset::model::TargetSource::Measure,
    };
    format.target(measure, Some(&applied))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_escape_markup_and_isolate_direction_controls() {
        let escaped = |text: &str| {
            askama::filters::escape(text, IsolatingHtml)
                .unwrap()
                .to_string()
        };
        assert_eq!(escaped("Parks & <b>"), "Parks &#38; &#60;b&#62;");
        assert_eq!(
            escaped("\u{202e}<img>\u{2069}"),
            "\u{2068}\u{202e}&#60;img&#62;\u{2069}"
        );
    }

    #[test]
    fn paths_lead_back_to_the_root() {
        assert_eq!(to_root(""), "");
        assert_eq!(to_root("es/"), "../");
        assert_eq!(to_root("es/measures/x/"), "../../../");
        assert_eq!(
            base_path("https://example.org/performance/"),
            "/performance/"
        );
        assert_eq!(base_path("http://127.0.0.1:8080/"), "/");
    }

    #[test]
    fn script_json_cannot_close_its_element() {
        let text = script_json(&json!({ "name": "</script><script>alert(1)</script>" }));
        assert!(!text.contains('<'));
        assert!(text.contains("\\u003c/script"));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            query_value("Data problem: a&b"),
            "Data%20problem%3A%20a%26b"
        );
    }
}
