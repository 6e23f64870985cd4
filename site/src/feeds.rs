//! Atom feeds: an entry for each measure's latest update, for each change of its status, and
//! for each change between releases (a goal's standing, a measure turning late), in one feed
//! for the whole site, one per area and one per measure.

use atom_syndication::{Feed, FixedDateTime, Link, Person, Text};
use dataset::document::MeasureDocument;
use dataset::model::{DatasetInfo, Status};
use view::bidi::isolate;

use super::changes::Change;
use super::format::Formatter;

/// Status changes kept per measure, newest first.
const CHANGES_PER_MEASURE: usize = 5;
/// Entries in a feed, newest first.
const ENTRIES_PER_FEED: usize = 200;

/// One feed entry, ready to write.
#[derive(Debug)]
pub(super) struct Entry {
    id: String,
    title: String,
    summary: String,
    link: String,
    /// RFC 3339; entries are dated by the end of the period they report.
    updated: String,
}

/// The newest entries of a feed in the making: entries are added measure by measure, and only
/// those the feed can show are kept, so that the site's memory does not grow with every
/// measure's entries.
#[derive(Debug, Default)]
pub(super) struct Newest {
    entries: Vec<Entry>,
}

impl Newest {
    /// Adds `entries`; once twice as many as a feed shows are held, drops all but the newest.
    pub(super) fn extend(&mut self, entries: impl IntoIterator<Item = Entry>) {
        self.entries.extend(entries);
        if self.entries.len() >= 2 * ENTRIES_PER_FEED {
            newest_first(&mut self.entries);
        }
    }

    /// The entries kept, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

/// Sorts `entries` newest first (by id among entries of the same time, and in the order given
/// among equal ones) and keeps the first [`ENTRIES_PER_FEED`].
fn newest_first<E: std::borrow::Borrow<Entry>>(entries: &mut Vec<E>) {
    entries.sort_by(|a, b| {
        let (a, b) = (a.borrow(), b.borrow());
        b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id))
    });
    entries.truncate(ENTRIES_PER_FEED);
}

/// A feed's own facts.
pub(super) struct FeedInfo<'i> {
    /// Its permanent id, the feed's URL.
    pub(super) id: String,
    /// Its title.
    pub(super) title: String,
    /// The page it follows.
    pub(super) page: String,
    /// The language of its entries.
    pub(super) lang: &'i str,
    /// The publication time (RFC 3339).
    pub(super) updated: &'i str,
    /// The dataset, for author and rights.
    pub(super) info: &'i DatasetInfo,
}

/// The entries of one measure: its latest update and its recent status changes.
pub(super) fn entries(
    base: &str,
    document: &MeasureDocument,
    format: &Formatter<'_>,
) -> Vec<Entry> {
    let measure = &document.measure;
    let title = measure.text(format.language()).card_title().to_owned();
    let page = format!("{base}measures/{}/", measure.id);
    let mut entries = Vec::new();
    if let Some(latest) = &document.latest {
        let value = format.observed(measure, latest);
        let period = format.period(measure.frequency, latest);
        entries.push(Entry {
            id: format!("{page}#update-{}", latest.period),
            title: format.fill(
                "update_entry",
                &[("title", &title), ("value", &value), ("period", &period)],
            ),
            summary: with_analysis(
                match &latest.target {
                    Some(target) => format!(
                        "{}. {}.",
                        format.status(latest.status),
                        format.target(measure, Some(target))
                    ),
                    None => format!("{}.", format.status(latest.status)),
                },
                measure,
                &latest.period,
                format,
            ),
            link: page.clone(),
            updated: format!("{}T00:00:00Z", latest.period_end),
        });
    }
    let judged: Vec<_> = document
        .observations
        .iter()
        .filter(|o| o.status != Status::NoData)
        .collect();
    let changes = judged
        .windows(2)
        .filter(|pair| pair[0].status != pair[1].status)
        .map(|pair| pair[1])
        .rev()
        .take(CHANGES_PER_MEASURE);
    for observation in changes {
        entries.push(Entry {
            id: format!("{page}#status-{}", observation.period),
            title: format.fill(
                "change_entry",
                &[
                    ("title", &title),
                    ("status", &format.status(observation.status).to_lowercase()),
                ],
            ),
            summary: with_analysis(
                format!(
                    "{}: {}. {}.",
                    format.period(measure.frequency, observation),
                    format.observed(measure, observation),
                    format.target(measure, observation.target.as_ref())
                ),
                measure,
                &observation.period,
                format,
            ),
            link: page.clone(),
            updated: format!("{}T00:00:00Z", observation.period_end),
        });
    }
    entries
}

/// `summary` followed by the department's analysis of `period`, when it gave one.
fn with_analysis(
    summary: String,
    measure: &dataset::Measure,
    period: &str,
    format: &Formatter<'_>,
) -> String {
    match measure.analysis_of(period) {
        Some(analysis) => format!("{summary} {}", analysis.text(format.language())),
        None => summary,
    }
}

/// The entries announcing `changes` of `document`'s measure (see [`crate::changes`]), dated by
/// the release that found them.
pub(super) fn change_entries(
    base: &str,
    document: &MeasureDocument,
    changes: &[Change],
    fiscal_year_start_month: u8,
    format: &Formatter<'_>,
) -> Vec<Entry> {
    let measure = &document.measure;
    let lang = format.language();
    let title = measure.text(lang).card_title().to_owned();
    let page = format!("{base}measures/{}/", measure.id);
    changes
        .iter()
        .filter_map(|change| match change {
            Change::Goal {
                goal,
                status,
                published,
                ..
            } => {
                let definition = measure.goals.iter().find(|g| g.id == *goal)?;
                let standing = format.text(&format!("goal_{}", status.as_str()));
                Some(Entry {
                    id: format!("{page}#goal-{goal}-{}-{published}", status.as_str()),
                    title: format.fill(
                        "goal_entry",
                        &[
                            ("title", definition.text(lang).0),
                            ("status", &standing.to_lowercase()),
                        ],
                    ),
                    summary: format.fill("goal_of", &[("measure", &title)]),
                    link: format!("{page}#goal-{goal}"),
                    updated: published.clone(),
                })
            }
            Change::Late {
                period,
                due,
                published,
                ..
            } => Some(Entry {
                id: format!("{page}#late-{period}"),
                title: format.fill(
                    "late_entry",
                    &[
                        ("title", &title),
                        (
                            "period",
                            &format.period_label(
                                measure.frequency,
                                period,
                                fiscal_year_start_month,
                            ),
                        ),
                        ("date", &format.day(*due)),
                    ],
                ),
                summary: format.fill("update_late", &[("date", &format.day(*due))]),
                link: page.clone(),
                updated: published.clone(),
            }),
            Change::Restated {
                period,
                group,
                old,
                new,
                published,
                ..
            } => {
                let mut period_words =
                    format.period_label(measure.frequency, period, fiscal_year_start_month);
                if let Some(group) = group {
                    period_words = format!("{period_words}, {group}");
                }
                let restated = format.fill(
                    "restated",
                    &[
                        ("title", &title),
                        ("period", &period_words),
                        ("old", &format.value_or_no_data(measure, *old)),
                        ("new", &format.value_or_no_data(measure, *new)),
                    ],
                );
                let group = group.as_deref().unwrap_or_default();
                Some(Entry {
                    id: format!(
                        "{page}#restated-{period}-{}-{published}",
                        group.replace(' ', "%20")
                    ),
                    title: restated.clone(),
                    summary: restated,
                    link: format!("{page}#revisions"),
                    updated: published.clone(),
                })
            }
        })
        .collect()
}

fn time(text: &str) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(text).unwrap_or_default()
}

/// Plain text for a feed reader, [isolated](isolate) when it holds direction controls.
fn plain(text: &str) -> Text {
    Text::plain(isolate(text).into_owned())
}

fn link(href: &str, rel: &str, mime_type: Option<&str>) -> Link {
    Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: mime_type.map(str::to_owned),
        ..Link::default()
    }
}

/// An Atom feed of `entries`, newest first, at most [`ENTRIES_PER_FEED`].
pub(super) fn feed<'e>(info: &FeedInfo<'_>, entries: impl Iterator<Item = &'e Entry>) -> String {
    let mut entries: Vec<&Entry> = entries.collect();
    newest_first(&mut entries);
    let author = Person {
        name: isolate(&info.info.publisher).into_owned(),
        email: Some(info.info.contact.email.clone()),
        ..Person::default()
    };
    let feed = Feed {
        title: plain(&info.title),
        id: info.id.clone(),
        updated: time(info.updated),
        authors: vec![author],
        links: vec![
            link(&info.id, "self", Some("application/atom+xml")),
            link(&info.page, "alternate", Some("text/html")),
        ],
        rights: Some(plain(&info.info.license)),
        subtitle: Some(plain(&info.info.description)),
        lang: Some(info.lang.to_owned()),
        entries: entries
            .into_iter()
            .map(|entry| atom_syndication::Entry {
                title: plain(&entry.title),
                id: entry.id.clone(),
                updated: time(&entry.updated),
                summary: Some(plain(&entry.summary)),
                links: vec![link(&entry.link, "alternate", Some("text/html"))],
                ..atom_syndication::Entry::default()
            })
            .collect(),
        ..Feed::default()
    };
    feed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entry `id` of many, their times repeated and out of order.
    fn entry(id: usize) -> Entry {
        let day = (id * 37) % 300;
        Entry {
            id: format!("e{id:04}"),
            title: String::new(),
            summary: String::new(),
            link: String::new(),
            updated: format!("2026-{:02}-{:02}T00:00:00Z", day / 28 + 1, day % 28 + 1),
        }
    }

    #[test]
    fn newest_keeps_what_the_feed_shows_of_all_entries() {
        let count = 5 * ENTRIES_PER_FEED + 17;
        let mut newest = Newest::default();
        for start in (0..count).step_by(3) {
            newest.extend((start..count.min(start + 3)).map(entry));
            assert!(newest.iter().count() < 2 * ENTRIES_PER_FEED);
        }
        let all: Vec<Entry> = (0..count).map(entry).collect();
        let mut expected: Vec<&Entry> = all.iter().collect();
        newest_first(&mut expected);
        let mut kept: Vec<&Entry> = newest.iter().collect();
        newest_first(&mut kept);
        let ids = |entries: &[&Entry]| entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(kept.len(), ENTRIES_PER_FEED);
        assert_eq!(ids(&kept), ids(&expected));
    }
}
