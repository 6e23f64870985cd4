//! The page builders: each page's model filled from the published documents, rendered, and
//! written in every language.

use askama::Template;
use dataset::document::{Download, Index, MeasureDocument};
use dataset::model::{Bounds, Status, TargetKind, TargetSource};
use dataset::{AppliedTarget, Area, CalendarDate, Frequency, Measure};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::embed::View;
use crate::error::Error;
use crate::feeds::{self, Entry, FeedInfo};
use crate::format::Formatter;
use crate::json_ld::script_json;
use crate::models::{
    AboutPage, Alternate, AreaListing, AreaPage, BreakdownTable, Card, EmbedPage, GoalEmbedPage,
    GoalView, IndexPage, LateListing, MeasureListing, MeasurePage, MeasureTexts, NotFoundPage,
    Page, ProvenanceText, Row, TableListing,
};
use crate::strings::Strings;
use crate::{MeasureFacts, Writer, assets, urls};
use exporter::tables::Table;

/// What a URL query value keeps as it is (RFC 3986's unreserved characters).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes text for a URL query value.
fn query_value(text: &str) -> String {
    utf8_percent_encode(text, QUERY_VALUE).to_string()
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

/// A download's title in `lang`: "Observaciones (CSV)" for `observations.csv`; the published
/// title for files the site has no words for.
fn download_title(strings: Strings<'_>, download: &Download) -> String {
    let Some((table, extension)) = download.path.rsplit_once('.') else {
        return download.title.clone();
    };
    let format = match extension {
        "csv" => "CSV",
        "parquet" => "Parquet",
        _ => return download.title.clone(),
    };
    match strings.text(&format!("table_{table}")).as_str() {
        "" => download.title.clone(),
        name => format!("{name} ({format})"),
    }
}

/// A target in words, from its kind and bounds.
fn target_words(
    format: &Formatter<'_>,
    measure: &Measure,
    kind: TargetKind,
    bounds: Bounds,
) -> String {
    let applied = AppliedTarget {
        kind,
        bounds,
        near: 0.0,
        source: TargetSource::Measure,
    };
    format.target(measure, Some(&applied))
}

impl Writer {
    /// The interface string `key` in `lang`, a language of the dataset.
    fn text(&self, lang: &str, key: &str) -> String {
        Strings::new(&self.strings[lang]).text(key)
    }

    /// The common parts of the page at `path` (below the language's root: a directory such as
    /// `measures/x/`, or `""` for the home page) in `lang`.
    pub(crate) fn page(
        &self,
        lang: &str,
        path: &str,
        title: String,
        description: String,
    ) -> Page<'_> {
        let urls = &self.urls;
        let lang = self
            .info
            .languages
            .iter()
            .find(|l| l.as_str() == lang)
            .map_or("en", String::as_str);
        let root = urls.root_from(lang, path);
        let strings = Strings::new(&self.strings[lang]);
        let format = Formatter::new(&self.strings[lang]);
        let mut alternates: Vec<Alternate> = self
            .info
            .languages
            .iter()
            .map(|other| Alternate {
                lang: other.clone(),
                name: self.text(other, "language_name"),
                href: urls.absolute(other, path),
                local: format!("{root}{}", urls.file(other, path)),
            })
            .collect();
        alternates.push(Alternate {
            lang: "x-default".to_owned(),
            name: String::new(),
            href: urls.absolute_shared(path),
            local: format!("{root}{path}"),
        });
        let feedback = self
            .info
            .feedback_url
            .clone()
            .unwrap_or_else(|| format!("mailto:{}", self.info.contact.email));
        Page {
            lang,
            strings,
            title,
            description,
            canonical: urls.absolute(lang, path),
            canonical_measure: String::new(),
            alternates,
            feed: urls.link(lang, path, lang, &urls::feed("")),
            feed_title: strings.text("site_feed"),
            oembed: None,
            site_name: &self.info.title,
            locale: lang.replace('-', "_"),
            image: None,
            home: urls.link(lang, path, lang, ""),
            about: urls.link(lang, path, lang, urls::ABOUT),
            data: format!("{root}data"),
            stylesheet: format!("{root}{}", assets::STYLESHEET),
            icon: format!("{root}{}", assets::ICON),
            module: format!("{root}{}", assets::WIDGETS_MODULE),
            embed_script: format!("{root}{}", assets::EMBED_PAGE_SCRIPT),
            widgets: self.widgets,
            json_ld: script_json(&self.dataset_json_ld()),
            modified: &self.modified,
            updated: format.updated(&self.modified),
            license: &self.info.license,
            feedback,
            published_by: strings.fill("published_by", &[("publisher", &self.info.publisher)]),
        }
    }

    /// Writes the page at `path` of `lang` and remembers it for the sitemap.
    fn write_page(&mut self, lang: &str, path: &str, html: String) -> Result<(), Error> {
        let file = self.urls.file(lang, path);
        self.write_file(&self.dir.join(format!("{file}index.html")), html)?;
        self.pages.push(file);
        Ok(())
    }

    /// The restatements of `document`'s measure in words: the citywide value's first, then each
    /// group's; a period's value as it was published, and when it was published and replaced.
    fn revision_lines(&self, document: &MeasureDocument, format: &Formatter<'_>) -> Vec<String> {
        let measure = &document.measure;
        let mut revisions: Vec<_> = document.revisions.iter().collect();
        revisions.sort_by_key(|revision| revision.group.is_some());
        revisions
            .into_iter()
            .map(|revision| {
                let mut period = format.period_label(
                    measure.frequency,
                    &revision.period,
                    self.info.fiscal_year_start_month,
                );
                if let Some(group) = &revision.group {
                    period = format!("{period}, {group}");
                }
                format.fill(
                    "revision_line",
                    &[
                        ("period", &period),
                        ("value", &format.value_or_no_data(measure, revision.value)),
                        ("published", &format.updated(&revision.published_at)),
                        ("replaced", &format.updated(&revision.superseded_at)),
                    ],
                )
            })
            .collect()
    }

    /// The citation of `document`'s measure as this release shows it: the publisher, the
    /// title, the latest value and period, the page's address and the publication time (UTC).
    fn citation(&self, document: &MeasureDocument, format: &Formatter<'_>) -> String {
        let lang = format.language();
        let measure = &document.measure;
        let time = self.modified.get(11..16).unwrap_or_default();
        let published = format!("{}, {time} UTC", format.updated(&self.modified));
        let values = |value: &str, period: &str| {
            [
                ("publisher", self.info.publisher.clone()),
                ("title", measure.text(lang).title.to_owned()),
                ("value", value.to_owned()),
                ("period", period.to_owned()),
                ("url", self.urls.absolute(lang, &urls::measure(&measure.id))),
                ("published", published.clone()),
            ]
        };
        let (key, values) = match &document.latest {
            Some(latest) => (
                "cite_text",
                values(
                    &format.observed(measure, latest),
                    &format.period(measure.frequency, latest),
                ),
            ),
            None => ("cite_text_no_value", values("", "")),
        };
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format.fill(key, &pairs)
    }

    /// Writes a measure's page and its feed in `lang`; returns the feed's entries.
    pub(crate) fn measure_page(
        &mut self,
        document: &MeasureDocument,
        texts: &MeasureTexts<'_>,
        announced: Vec<Entry>,
        area: &Area,
        format: &Formatter<'_>,
    ) -> Result<Vec<Entry>, Error> {
        let card = texts.card;
        let lang = format.language();
        let measure = &document.measure;
        let path = urls::measure(&measure.id);
        let text = measure.text(lang);
        let mut page = self.page(
            lang,
            &path,
            format!("{} – {}", text.title, self.info.title),
            card.summary.clone(),
        );
        page.image = Some(self.urls.absolute_shared(&urls::chart(&measure.id)));
        page.oembed = Some(self.urls.absolute(lang, &urls::oembed(&measure.id)));
        page.feed = urls::feed("");
        page.feed_title = format.text("measure_feed");
        page.json_ld = script_json(&self.measure_json_ld(document, lang));
        let root = self.urls.root_from(lang, &path);

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
                period: if o.provisional {
                    format.fill(
                        "provisional_period",
                        &[("period", &format.period(measure.frequency, o))],
                    )
                } else {
                    format.period(measure.frequency, o)
                },
                value: format.observed(measure, o),
                target: o
                    .target
                    .as_ref()
                    .map(|t| target_words(format, measure, t.kind, t.bounds))
                    .unwrap_or_default(),
                status: format.status(o.status),
                note: o.note.clone().unwrap_or_default(),
                analysis: measure
                    .analysis_of(&o.period)
                    .map(|analysis| analysis.text(lang).to_owned()),
                revised: document.revisions_of(&o.period, None).next().map(|first| {
                    format.fill(
                        "revised",
                        &[
                            ("value", &format.value_or_no_data(measure, first.value)),
                            ("date", &format.updated(&first.published_at)),
                        ],
                    )
                }),
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
                    caption: format.fill(
                        "breakdown_caption",
                        &[
                            ("title", text.card_title()),
                            ("dimension", &dimension.to_lowercase()),
                            ("period", &period),
                        ],
                    ),
                    dimension,
                    rows,
                })
            })
            .collect();
        let mut downloads = vec![(
            format.text("measure_json"),
            format!("{root}{}", urls::measure_document(&measure.id)),
        )];
        downloads.extend(document.downloads.iter().map(|d| {
            (
                download_title(format.strings(), d),
                format!("{root}{}", urls::data(&d.path)),
            )
        }));
        downloads.push((
            format.text("chart_svg"),
            format!("{root}{}", urls::chart(&measure.id)),
        ));
        let subject = format.fill("report_subject", &[("title", text.title)]);
        let report = format!(
            "mailto:{}?subject={}",
            self.info.contact.email,
            query_value(&subject)
        );
        let latest_target = document.latest.as_ref().and_then(|l| l.target.as_ref());
        let html = MeasurePage {
            area_title: area.text(lang).0,
            area_href: self.urls.link(lang, &path, lang, &urls::area(&area.id)),
            breakdown: measure.breakdowns.first().map(String::as_str),
            department: &measure.department,
            owner: measure.owner.as_ref(),
            revisions: self.revision_lines(document, format),
            analysis: measure
                .analysis
                .iter()
                .rev()
                .map(|analysis| {
                    let period = format.period_label(
                        measure.frequency,
                        &analysis.period,
                        self.info.fiscal_year_start_month,
                    );
                    (period, analysis.text(lang))
                })
                .collect(),
            frequency: format.text(measure.frequency.as_str()),
            current_target: format.target(measure, latest_target),
            provenance: document
                .provenance
                .as_ref()
                .map(|provenance| ProvenanceText {
                    summary: format.fill(
                        "computed_from",
                        &[
                            ("date", &format.updated(&document.dataset.modified)),
                            ("engine", &provenance.engine),
                        ],
                    ),
                    tables: provenance
                        .tables
                        .iter()
                        .map(|table| {
                            let name = match &table.owner {
                                Some(owner) => format!("{} ({owner})", table.title),
                                None => table.title.clone(),
                            };
                            let files = table
                                .files
                                .iter()
                                .map(|file| (file.path.clone(), file.sha256.clone()))
                                .collect();
                            (name, files)
                        })
                        .collect(),
                    query: provenance.query.clone(),
                }),
            target_history,
            data_caption: if listed == document.observations.len() {
                format.fill("data_caption", &[("title", text.title)])
            } else {
                format.fill(
                    "data_caption_latest",
                    &[
                        ("title", text.title),
                        ("shown", &format.number(listed as f64, 0)),
                        (
                            "total",
                            &format.number(document.observations.len() as f64, 0),
                        ),
                    ],
                )
            },
            rows,
            breakdown_tables,
            downloads,
            embed_card: self.embed_snippet(lang, measure, View::Card),
            embed_chart: self.embed_snippet(lang, measure, View::Chart),
            citation: self.citation(document, format),
            report,
            feed: urls::feed(""),
            freshness: texts.card.freshness.clone(),
            latest_record: document.freshness.as_ref().and_then(|freshness| {
                let time = freshness.latest_record.as_ref()?;
                // The time is written in the dataset's time zone: its date is the local day.
                let day = CalendarDate::parse(time.get(..10)?)?;
                Some((time.clone(), format.long_day(day)))
            }),
            goals: texts
                .goals
                .iter()
                .map(|goal| (goal, self.goal_snippet(lang, goal)))
                .collect(),
            card,
            page,
        }
        .render()?;
        self.write_page(lang, &path, html)?;
        let mut entries = feeds::entries(&self.urls.absolute(lang, ""), document, format);
        entries.extend(announced);
        let feed = feeds::feed(
            &FeedInfo {
                id: self.urls.absolute(lang, &urls::feed(&path)),
                title: format!("{} – {}", text.title, self.info.title),
                page: self.urls.absolute(lang, &path),
                lang,
                updated: &self.modified,
                info: &self.info,
            },
            entries.iter(),
        );
        self.write_file(
            &self.dir.join(self.urls.file(lang, &urls::feed(&path))),
            feed,
        )?;
        Ok(entries)
    }

    /// Writes a measure's embed page in `lang`: its card, or its chart with `?view=chart`.
    pub(crate) fn embed_page(
        &mut self,
        document: &MeasureDocument,
        card: &Card,
        lang: &str,
    ) -> Result<(), Error> {
        let measure = &document.measure;
        let path = urls::embed(&measure.id);
        let mut page = self.page(lang, &path, card.title.clone(), card.summary.clone());
        page.canonical_measure = self.urls.absolute(lang, &urls::measure(&measure.id));
        page.canonical = page.canonical_measure.clone();
        let html = EmbedPage { page, card }.render()?;
        // Embed pages are for frames, not search: kept out of the sitemap.
        let file = self.urls.file(lang, &path);
        self.write_file(&self.dir.join(format!("{file}index.html")), html)
    }

    /// Writes a goal's embed page in `lang`.
    pub(crate) fn goal_embed_page(&mut self, goal: &GoalView, lang: &str) -> Result<(), Error> {
        let path = urls::goal_embed(&goal.id);
        let mut page = self.page(
            lang,
            &path,
            goal.title.clone(),
            goal.progress.clone().unwrap_or_else(|| goal.status.clone()),
        );
        page.canonical_measure = format!(
            "{}#goal-{}",
            self.urls.absolute(lang, &urls::measure(&goal.measure_id)),
            goal.id
        );
        page.canonical = page.canonical_measure.clone();
        let html = GoalEmbedPage { page, goal }.render()?;
        // Like the measures' embed pages, kept out of the sitemap.
        let file = self.urls.file(lang, &path);
        self.write_file(&self.dir.join(format!("{file}index.html")), html)
    }

    /// "N of M on track" for the measures of `area`.
    fn on_track_count(&self, format: &Formatter<'_>, area: &str) -> String {
        let in_area: Vec<&MeasureFacts> = self.measures.iter().filter(|m| m.area == area).collect();
        let on_track = in_area
            .iter()
            .filter(|m| m.status == Status::OnTrack)
            .count();
        format.fill(
            "on_track_count",
            &[
                ("on_track", &on_track.to_string()),
                ("total", &in_area.len().to_string()),
            ],
        )
    }

    /// Writes the home page in the language at `position` of the dataset's languages.
    pub(crate) fn home_page(
        &mut self,
        position: usize,
        index: &Index,
        format: &Formatter<'_>,
    ) -> Result<(), Error> {
        let lang = format.language();
        let areas = index
            .areas
            .iter()
            .map(|area| AreaListing {
                id: area.id.clone(),
                title: area.text(lang).0.to_owned(),
                href: self.urls.link(lang, "", lang, &urls::area(&area.id)),
                count: self.on_track_count(format, &area.id),
                measures: self
                    .measures
                    .iter()
                    .filter(|m| m.area == area.id)
                    .filter_map(|m| m.cards.get(position).map(|card| (m, card)))
                    .map(|(m, card)| MeasureListing {
                        title: card.title.clone(),
                        href: self.urls.link(lang, "", lang, &urls::measure(&m.id)),
                        value: card
                            .latest
                            .as_ref()
                            .map(|l| l.value.clone())
                            .unwrap_or_default(),
                        status: card.status.clone(),
                        status_class: card.status_class,
                        icon: card.icon,
                    })
                    .collect(),
            })
            .collect();
        // Goals in the areas' order, linked from the home page.
        let mut goals: Vec<GoalView> = Vec::new();
        for area in &index.areas {
            for m in self.measures.iter().filter(|m| m.area == area.id) {
                for goal in m.goals.get(position).into_iter().flatten() {
                    let mut goal = goal.clone();
                    goal.href = format!(
                        "{}#goal-{}",
                        self.urls.link(lang, "", lang, &urls::measure(&m.id)),
                        goal.id
                    );
                    goals.push(goal);
                }
            }
        }
        let on_pace = goals
            .iter()
            .filter(|g| matches!(g.status_class, "on_pace" | "achieved"))
            .count();
        let goals_count = format.fill(
            "goals_on_pace",
            &[
                ("on_pace", &format.number(on_pace as f64, 0)),
                ("total", &format.number(goals.len() as f64, 0)),
            ],
        );
        let late: Vec<LateListing> = self
            .measures
            .iter()
            .filter_map(|m| {
                let card = m.cards.get(position)?;
                let freshness = card.freshness.as_ref()?;
                freshness.overdue.then(|| LateListing {
                    title: card.title.clone(),
                    href: self.urls.link(lang, "", lang, &urls::measure(&m.id)),
                    text: freshness.text.clone(),
                })
            })
            .collect();
        let count = late.len() as f64;
        let late_count = format.strings().plural(
            "measures_late",
            count,
            format.plural_category(count),
            &[("amount", &format.number(count, 0))],
        );
        let description = &self.info.description;
        let mut page = self.page(lang, "", self.info.title.clone(), description.clone());
        // The home page lists measures in text only: no widget to load.
        page.widgets = false;
        let html = IndexPage {
            page,
            description,
            areas,
            goals_count,
            goals,
            late_count,
            late,
        }
        .render()?;
        self.write_page(lang, "", html)
    }

    /// Writes an area's page in the language at `position`.
    pub(crate) fn area_page(
        &mut self,
        position: usize,
        area: &Area,
        format: &Formatter<'_>,
    ) -> Result<(), Error> {
        let lang = format.language();
        let path = urls::area(&area.id);
        let (title, description) = area.text(lang);
        let cards = self
            .measures
            .iter()
            .filter(|m| m.area == area.id)
            .filter_map(|m| m.cards.get(position))
            .collect();
        let goals = self
            .measures
            .iter()
            .filter(|m| m.area == area.id)
            .filter_map(|m| m.goals.get(position))
            .flatten()
            .collect();
        let mut page = self.page(
            lang,
            &path,
            format!("{title} – {}", self.info.title),
            description.to_owned(),
        );
        let feed = urls::feed("");
        page.feed.clone_from(&feed);
        page.feed_title = format.text("area_feed");
        let html = AreaPage {
            count: self.on_track_count(format, &area.id),
            page,
            title,
            description,
            cards,
            goals,
            feed,
        }
        .render()?;
        self.write_page(lang, &path, html)
    }

    /// Writes the about page in `lang`: the downloads, the feeds and the tables' columns.
    pub(crate) fn about_page(
        &mut self,
        lang: &str,
        index: &Index,
        tables: &[&Table],
    ) -> Result<(), Error> {
        let mut page = self.page(
            lang,
            urls::ABOUT,
            format!("{} – {}", self.text(lang, "about_data"), self.info.title),
            self.text(lang, "about_intro"),
        );
        let root = self.urls.root_from(lang, urls::ABOUT);
        page.widgets = false;
        let mut downloads: Vec<(String, String)> = index
            .downloads
            .iter()
            .map(|d| {
                (
                    download_title(Strings::new(&self.strings[lang]), d),
                    format!("{root}{}", urls::data(&d.path)),
                )
            })
            .collect();
        for (title, file) in [
            ("index.json", "index.json"),
            ("datapackage.json (Frictionless)", "datapackage.json"),
            ("data.json (DCAT-US)", "data.json"),
            ("dictionary.md", "dictionary.md"),
            ("SHA256SUMS", "SHA256SUMS"),
        ] {
            downloads.push((title.to_owned(), format!("{root}{}", urls::data(file))));
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
            self.text(lang, "site_feed"),
            self.urls.link(lang, urls::ABOUT, lang, &urls::feed("")),
        )];
        for area in &index.areas {
            feeds.push((
                area.text(lang).0.to_owned(),
                self.urls
                    .link(lang, urls::ABOUT, lang, &urls::feed(&urls::area(&area.id))),
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
            has_goals: self
                .measures
                .iter()
                .any(|m| m.goals.iter().any(|g| !g.is_empty())),
        }
        .render()?;
        self.write_page(lang, urls::ABOUT, html)
    }

    /// Writes `404.html` in the default language.
    pub(crate) fn not_found_page(&mut self) -> Result<(), Error> {
        let lang = self.default_language().to_owned();
        let mut page = self.page(
            &lang,
            "",
            self.text(&lang, "not_found"),
            self.text(&lang, "not_found_help"),
        );
        // Served for any missing path, so its links start from the site's own path.
        let root = self.urls.base_path();
        page.home.clone_from(&root);
        page.about = format!("{root}{}", urls::ABOUT);
        page.feed = format!("{root}{}", urls::feed(""));
        page.data = format!("{root}data");
        page.stylesheet = format!("{root}{}", assets::STYLESHEET);
        page.icon = format!("{root}{}", assets::ICON);
        page.module = format!("{root}{}", assets::WIDGETS_MODULE);
        page.embed_script = format!("{root}{}", assets::EMBED_PAGE_SCRIPT);
        page.alternates.clear();
        page.widgets = false;
        let html = NotFoundPage { page }.render()?;
        self.write_file(&self.dir.join("404.html"), html)
    }

    /// Writes the site's feed and each area's, in every language.
    pub(crate) fn feeds(&self, index: &Index) -> Result<(), Error> {
        for (position, lang) in self.info.languages.iter().enumerate() {
            let site = feeds::feed(
                &FeedInfo {
                    id: self.urls.absolute(lang, &urls::feed("")),
                    title: self.info.title.clone(),
                    page: self.urls.absolute(lang, ""),
                    lang,
                    updated: &self.modified,
                    info: &self.info,
                },
                self.entries(position, None),
            );
            self.write_file(&self.dir.join(self.urls.file(lang, &urls::feed(""))), site)?;
            for area in &index.areas {
                let path = urls::area(&area.id);
                let feed = feeds::feed(
                    &FeedInfo {
                        id: self.urls.absolute(lang, &urls::feed(&path)),
                        title: format!("{} – {}", area.text(lang).0, self.info.title),
                        page: self.urls.absolute(lang, &path),
                        lang,
                        updated: &self.modified,
                        info: &self.info,
                    },
                    self.entries(position, Some(&area.id)),
                );
                self.write_file(
                    &self.dir.join(self.urls.file(lang, &urls::feed(&path))),
                    feed,
                )?;
            }
        }
        Ok(())
    }

    /// The feed entries in the language at `position` of the measures (of `area`, or all).
    fn entries<'m>(
        &'m self,
        position: usize,
        area: Option<&'m str>,
    ) -> impl Iterator<Item = &'m Entry> {
        self.feeds
            .get(position)
            .into_iter()
            .flatten()
            .filter(move |(id, _)| area.is_none_or(|area| *id == area))
            .flat_map(|(_, newest)| newest.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            query_value("Data problem: a&b"),
            "Data%20problem%3A%20a%26b"
        );
        assert_eq!(query_value("año ~x"), "a%C3%B1o%20~x");
    }
}
