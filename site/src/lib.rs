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
//! embed-goal/<id>/index.html  a multi-year goal for iframes
//! oembed/<id>.json            oEmbed `rich` responses; oembed/goals/<id>.json for goals
//! about/index.html            about the data, the data dictionary, the status rule
//! <lang>/…                    the same pages, feeds and oEmbed responses in each further language
//! feed.xml, sitemap.xml, robots.txt, 404.html, assets/, widgets/
//! changes.json                the changes between releases the feeds announce, for the next build
//! data/charts/<id>.svg, data/sparklines/<id>.svg   the charts as pictures, drawn by `view`
//! ```
//!
//! [`Site`] is an [`exporter::Companion`]: measures stream through it as the build publishes
//! them (their pages are written at once; only their cards and the newest feed entries are kept), and
//! its end writes the pages that list them. It reads only the published documents and the
//! table descriptions, like any other client of the release.

mod assets;
mod card;
mod changes;
mod charts;
mod embed;
mod error;
mod feeds;
mod format;
mod goals;
mod json_ld;
mod models;
mod pages;
mod sitemap;
mod strings;
mod urls;
mod xml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dataset::document::{Index, InterfaceStrings, MeasureDocument, PublishedDataset};
use dataset::model::{DatasetInfo, Status};
use dataset::{Area, CalendarDate};
use exporter::tables::Table;
use exporter::{Companion, CompanionError, StagedFiles};

pub use assets::WIDGET_FILES;
pub use error::Error;
use error::IoContext;
use feeds::Newest;
use format::Formatter;
use models::{Card, GoalView};
use urls::Urls;
use view::chart::Palette;

/// How the site is published.
#[derive(Debug, Clone, Default)]
pub struct SiteOptions {
    /// The absolute URL the release is served from, for canonical links, feeds, the sitemap and
    /// embed code; `None` uses the dataset's `homepage`.
    pub base_url: Option<String>,
    /// A built widgets package (`pkg/` after `cargo xtask dist`) to publish under `widgets/`;
    /// without it the pages are plain HTML.
    pub widgets: Option<PathBuf>,
    /// The release being replaced (OUT), whose goals and freshness the feeds compare with to
    /// announce a goal's standing changing or a measure turning late; `None` announces none.
    pub previous: Option<PathBuf>,
}

/// The residents' site, written beside `data/` in every release it is given to.
#[derive(Debug)]
pub struct Site {
    options: SiteOptions,
    writer: Option<Writer>,
}

impl Site {
    /// A site published with `options`.
    pub fn new(options: SiteOptions) -> Site {
        Site {
            options,
            writer: None,
        }
    }

    fn writer(&mut self) -> Result<&mut Writer, Error> {
        self.writer.as_mut().ok_or(Error::NotBegun)
    }
}

impl Companion for Site {
    fn name(&self) -> &str {
        "site"
    }

    fn begin(
        &mut self,
        root: &Path,
        dataset: &PublishedDataset,
        strings: &BTreeMap<String, InterfaceStrings>,
    ) -> Result<(), CompanionError> {
        self.writer = Some(Writer::begin(root, dataset, strings, &self.options)?);
        Ok(())
    }

    fn add_measure(
        &mut self,
        document: &MeasureDocument,
        area: &Area,
    ) -> Result<(), CompanionError> {
        Ok(self.writer()?.add_measure(document, area)?)
    }

    fn finish(&mut self, index: &Index, tables: &[&Table]) -> Result<(), CompanionError> {
        let writer = self.writer.take().ok_or(Error::NotBegun)?;
        Ok(writer.finish(index, tables)?)
    }
}

/// What the listing pages need of a measure, kept after its own pages are written.
#[derive(Debug)]
struct MeasureFacts {
    id: String,
    area: String,
    status: Status,
    /// One card per language, in the dataset's language order.
    cards: Vec<Card>,
    /// The measure's goals in each language, in the same order.
    goals: Vec<Vec<GoalView>>,
}

/// The site being written into a staged release.
#[derive(Debug)]
struct Writer {
    /// The release root.
    dir: PathBuf,
    urls: Urls,
    info: DatasetInfo,
    /// The publication time, RFC 3339.
    modified: String,
    /// The interface strings of every language of the dataset (shared, so that a formatter can
    /// borrow them while the writer writes).
    strings: Arc<BTreeMap<String, InterfaceStrings>>,
    /// How files are staged: new, or linked to the previous release's same file.
    files: StagedFiles,
    /// Whether the widgets package is published beside the pages.
    widgets: bool,
    measures: Vec<MeasureFacts>,
    /// The newest feed entries of each area's measures, by area id, in each language in the
    /// dataset's language order.
    feeds: Vec<BTreeMap<String, Newest>>,
    /// Pages written, relative to the release root, for the sitemap.
    pages: Vec<String>,
    /// The first and last day the measures seen so far cover.
    coverage: Option<(CalendarDate, CalendarDate)>,
    /// The release being replaced, for the changes the feeds announce.
    previous: changes::Previous,
    /// Every change announced, by this release or before, of the measures seen so far.
    changes: Vec<changes::Change>,
}

impl Writer {
    /// Stages a file of the site (linked to the previous release's when it is the same).
    fn write_file(&self, path: &Path, contents: impl AsRef<[u8]>) -> Result<(), Error> {
        self.files.write(path, contents.as_ref()).io_context(path)
    }

    /// Starts a site in the staged release `dir`, copying the widgets package when given.
    fn begin(
        dir: &Path,
        dataset: &PublishedDataset,
        strings: &BTreeMap<String, InterfaceStrings>,
        options: &SiteOptions,
    ) -> Result<Writer, Error> {
        if let Some(language) = dataset
            .info
            .languages
            .iter()
            .find(|language| !strings.contains_key(*language))
        {
            return Err(Error::NoStrings {
                language: language.clone(),
            });
        }
        let files = StagedFiles::new(dir, options.previous.as_deref());
        if let Some(package) = &options.widgets {
            assets::copy_widgets(package, dir, &files)?;
        }
        Ok(Writer {
            dir: dir.to_owned(),
            files,
            urls: Urls::new(&dataset.info, options.base_url.as_deref()),
            info: dataset.info.clone(),
            modified: dataset.modified.clone(),
            strings: Arc::new(strings.clone()),
            widgets: options.widgets.is_some(),
            measures: Vec::new(),
            feeds: dataset
                .info
                .languages
                .iter()
                .map(|_| BTreeMap::new())
                .collect(),
            pages: Vec::new(),
            coverage: None,
            previous: options
                .previous
                .as_deref()
                .map(changes::Previous::read)
                .unwrap_or_default(),
            changes: Vec::new(),
        })
    }

    fn default_language(&self) -> &str {
        self.info.languages.first().map_or("en", String::as_str)
    }

    /// Every interface string of the release, shared, so that a formatter can borrow them while
    /// the writer writes; each language of the dataset has its own, as [`Writer::begin`] made
    /// sure.
    fn strings(&self) -> Arc<BTreeMap<String, InterfaceStrings>> {
        Arc::clone(&self.strings)
    }

    /// Writes a measure's pages, embed pages, feeds, oEmbed responses and charts in every
    /// language, and keeps what the listing pages need.
    fn add_measure(&mut self, document: &MeasureDocument, area: &Area) -> Result<(), Error> {
        let measure = &document.measure;
        let strings = self.strings();
        let default = Formatter::new(&strings[self.default_language()]);
        let title = measure.text(default.language()).title;
        let chart_title = default.fill("chart_alt", &[("title", title)]);
        let x_label = |date: CalendarDate, yearly: bool| {
            if yearly {
                date.0.year().to_string()
            } else {
                default.month(date)
            }
        };
        let y_label = |value: f64| default.axis_value(measure, value);
        let unit = default.axis_unit(measure);
        for (size, _) in charts::CHART_SIZES {
            for (palette, dark) in [(Palette::LIGHT, false), (Palette::DARK, true)] {
                let chart = charts::chart_svg(
                    document,
                    size,
                    palette,
                    &x_label,
                    &y_label,
                    unit.as_deref(),
                    &chart_title,
                );
                let path = urls::chart_variant(&measure.id, size.0, dark);
                self.write_file(&self.dir.join(path), chart)?;
            }
        }
        self.write_file(
            &self.dir.join(urls::sparkline(&measure.id)),
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
        let changes = self.previous.changes(document, &self.modified);
        let languages = self.info.languages.clone();
        let mut cards = Vec::with_capacity(languages.len());
        let mut goals = Vec::with_capacity(languages.len());
        for (position, lang) in languages.iter().enumerate() {
            let format = Formatter::new(&strings[lang]);
            let card = self.card(document, &format);
            let goal_views = self.goal_views(document, &format);
            let announced = feeds::change_entries(
                &self.urls.absolute(lang, ""),
                document,
                &changes,
                self.info.fiscal_year_start_month,
                &format,
            );
            let texts = models::MeasureTexts {
                card: &card,
                goals: &goal_views,
            };
            let entries = self.measure_page(document, &texts, announced, area, &format)?;
            self.feeds[position]
                .entry(measure.area.clone())
                .or_default()
                .extend(entries);
            self.embed_page(document, &card, lang)?;
            self.oembed(lang, measure)?;
            for goal in &goal_views {
                self.goal_embed_page(goal, lang)?;
                self.goal_oembed(lang, measure, goal)?;
            }
            cards.push(card);
            goals.push(goal_views);
        }
        self.measures.push(MeasureFacts {
            id: measure.id.clone(),
            area: measure.area.clone(),
            // A provisional value (of a period still running) is not counted on track.
            status: document
                .latest
                .as_ref()
                .filter(|latest| !latest.provisional)
                .map_or(Status::NoData, |l| l.status),
            cards,
            goals,
        });
        self.changes.extend(changes);
        Ok(())
    }

    /// Writes the home, area, about and 404 pages in every language, the feeds, the sitemap and
    /// the assets.
    fn finish(mut self, index: &Index, tables: &[&Table]) -> Result<(), Error> {
        let languages = self.info.languages.clone();
        let strings = self.strings();
        for (position, lang) in languages.iter().enumerate() {
            let format = Formatter::new(&strings[lang]);
            self.home_page(position, index, &format)?;
            for area in &index.areas {
                self.area_page(position, area, &format)?;
            }
            self.about_page(lang, index, tables)?;
        }
        self.feeds(index)?;
        let changes = changes::changes_json(&mut self.changes)?;
        self.write_file(&self.dir.join(changes::CHANGES_FILE), changes)?;
        self.not_found_page()?;
        assets::write_assets(&self.dir, &self.files)?;
        self.robots()?;
        self.sitemap()
    }
}
