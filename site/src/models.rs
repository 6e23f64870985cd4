//! The page models: what each askama template in `site/templates/` prints, already in words
//! and with every address resolved.

use askama::Template;

use crate::strings::Strings;

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

/// The texts of a measure's card in one language. Cards are shown on pages two levels below a
/// language's root (an area's page, the measure's page, its embed page), so one card serves
/// them all.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) title_long: String,
    pub(crate) description: String,
    pub(crate) methodology: String,
    pub(crate) source: String,
    pub(crate) status_class: &'static str,
    pub(crate) status: String,
    pub(crate) icon: &'static str,
    pub(crate) latest: Option<LatestText>,
    pub(crate) trend: Option<String>,
    pub(crate) summary: String,
    /// The measure page.
    pub(crate) href: String,
    /// The measure page's link text.
    pub(crate) more: String,
    /// The path from the card's pages to the site's root, which its pictures and the
    /// observations table are under (their addresses are derived when a page is written, so
    /// that the cards kept for the listing pages stay small).
    pub(crate) root: String,
    /// One line per goal of the measure: its title and standing.
    pub(crate) goal_lines: Vec<GoalLine>,
    /// The latest analysis, "October 2026: …", for the card's "About".
    pub(crate) analysis: Option<String>,
    /// When the next value is due, or since when it is overdue.
    pub(crate) freshness: Option<FreshnessText>,
}

/// A goal as a card mentions it: "Goal: … – On pace", with the standing's symbol.
#[derive(Debug, Clone)]
pub(crate) struct GoalLine {
    pub(crate) icon: &'static str,
    pub(crate) text: String,
}

/// A multi-year goal in one language, in words, with a link to it on its measure's page from a
/// page two levels below the language's root.
#[derive(Debug, Clone)]
pub(crate) struct GoalView {
    pub(crate) id: String,
    pub(crate) measure_id: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    /// "A goal of …", naming the measure.
    pub(crate) measure_title: String,
    pub(crate) href: String,
    pub(crate) status_class: &'static str,
    pub(crate) status: String,
    pub(crate) icon: &'static str,
    /// The share of the way from the baseline to the target, 0 to 100, for the progress bar;
    /// `None` without progress.
    pub(crate) percent: Option<u32>,
    pub(crate) progress: Option<String>,
    pub(crate) baseline: String,
    pub(crate) deadline: String,
    pub(crate) expected: Option<String>,
    pub(crate) projection: Option<String>,
    /// Each milestone's period and value, in words.
    pub(crate) milestones: Vec<(String, String)>,
}

/// A measure in one language as its pages show it: its card (with its freshness) and goals.
pub(crate) struct MeasureTexts<'a> {
    pub(crate) card: &'a Card,
    pub(crate) goals: &'a [GoalView],
}

/// When a measure's next value is due, in words, and whether it is overdue.
#[derive(Debug, Clone)]
pub(crate) struct FreshnessText {
    /// `current`, `late` or `stale`, for the style.
    pub(crate) class: &'static str,
    pub(crate) overdue: bool,
    pub(crate) text: String,
}

/// A measure whose next value is overdue, as the dashboard lists it.
pub(crate) struct LateListing {
    pub(crate) title: String,
    pub(crate) href: String,
    pub(crate) text: String,
}

/// One `<source>` of a chart's `<picture>`: the media it is for and its SVG's address and size.
#[derive(Debug, Clone)]
pub(crate) struct ChartSource {
    pub(crate) media: String,
    pub(crate) src: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// The latest value of a card, in words.
#[derive(Debug, Clone)]
pub(crate) struct LatestText {
    pub(crate) value: String,
    pub(crate) period: String,
    pub(crate) target: String,
}

/// A language version of a page, for `hreflang` links and the language menu.
pub(crate) struct Alternate {
    pub(crate) lang: String,
    pub(crate) name: String,
    pub(crate) href: String,
    pub(crate) local: String,
}

/// What every page has: head, header and footer facts.
pub(crate) struct Page<'s> {
    pub(crate) lang: &'s str,
    /// The interface strings of `lang`.
    pub(crate) strings: Strings<'s>,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) canonical: String,
    pub(crate) canonical_measure: String,
    pub(crate) alternates: Vec<Alternate>,
    pub(crate) feed: String,
    pub(crate) feed_title: String,
    pub(crate) oembed: Option<String>,
    pub(crate) site_name: &'s str,
    pub(crate) locale: String,
    pub(crate) image: Option<String>,
    pub(crate) home: String,
    pub(crate) about: String,
    /// The release's data directory, which the widgets load from.
    pub(crate) data: String,
    pub(crate) stylesheet: String,
    pub(crate) icon: String,
    /// The widgets' module, loaded when `widgets` is set.
    pub(crate) module: String,
    /// The embed pages' frame sizer.
    pub(crate) embed_script: String,
    pub(crate) widgets: bool,
    pub(crate) json_ld: String,
    pub(crate) modified: &'s str,
    pub(crate) updated: String,
    pub(crate) license: &'s str,
    pub(crate) feedback: String,
    pub(crate) published_by: String,
}

impl Page<'_> {
    /// A page string in the page's language.
    pub(crate) fn t(&self, key: &str) -> String {
        self.strings.text(key)
    }
}

#[derive(Template)]
#[template(path = "index.html")]
pub(crate) struct IndexPage<'s> {
    pub(crate) page: Page<'s>,
    pub(crate) description: &'s str,
    pub(crate) areas: Vec<AreaListing>,
    /// "N of M goals on pace or achieved".
    pub(crate) goals_count: String,
    pub(crate) goals: Vec<GoalView>,
    /// "3 measures are late", with the measures; empty when none is.
    pub(crate) late_count: String,
    pub(crate) late: Vec<LateListing>,
}

pub(crate) struct AreaListing {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) href: String,
    pub(crate) count: String,
    pub(crate) measures: Vec<MeasureListing>,
}

pub(crate) struct MeasureListing {
    pub(crate) title: String,
    pub(crate) href: String,
    pub(crate) value: String,
    pub(crate) status: String,
    pub(crate) status_class: &'static str,
    pub(crate) icon: &'static str,
}

#[derive(Template)]
#[template(path = "area.html")]
pub(crate) struct AreaPage<'s> {
    pub(crate) page: Page<'s>,
    pub(crate) title: &'s str,
    pub(crate) description: &'s str,
    pub(crate) count: String,
    pub(crate) cards: Vec<&'s Card>,
    pub(crate) goals: Vec<&'s GoalView>,
    pub(crate) feed: String,
}

pub(crate) struct BreakdownTable {
    pub(crate) caption: String,
    pub(crate) dimension: String,
    pub(crate) rows: Vec<(String, String, String)>,
}

/// How a computed measure's values were computed, in words: the sentence, the records read
/// (each table's name and files with their digests) and the query.
pub(crate) struct ProvenanceText {
    pub(crate) summary: String,
    pub(crate) tables: Vec<(String, Vec<(String, String)>)>,
    pub(crate) query: String,
}

pub(crate) struct Row {
    pub(crate) period: String,
    pub(crate) value: String,
    pub(crate) target: String,
    pub(crate) status: String,
    pub(crate) note: String,
    /// The department's analysis of the period, when it gave one.
    pub(crate) analysis: Option<String>,
    /// "Revised: first published as …", when a later release restated the period's value.
    pub(crate) revised: Option<String>,
}

#[derive(Template)]
#[template(path = "measure.html")]
pub(crate) struct MeasurePage<'s> {
    pub(crate) page: Page<'s>,
    pub(crate) card: &'s Card,
    pub(crate) area_title: &'s str,
    pub(crate) area_href: String,
    pub(crate) breakdown: Option<&'s str>,
    pub(crate) department: &'s str,
    /// Who answers for the measure, when it names someone.
    pub(crate) owner: Option<&'s dataset::model::Contact>,
    /// The department's analyses, newest first: the period in words and the text.
    pub(crate) analysis: Vec<(String, &'s str)>,
    /// The restatements of the periods shown, in words, newest period first.
    pub(crate) revisions: Vec<String>,
    pub(crate) frequency: String,
    pub(crate) current_target: String,
    pub(crate) provenance: Option<ProvenanceText>,
    pub(crate) target_history: Vec<(String, String)>,
    pub(crate) data_caption: String,
    pub(crate) rows: Vec<Row>,
    pub(crate) breakdown_tables: Vec<BreakdownTable>,
    pub(crate) downloads: Vec<(String, String)>,
    pub(crate) embed_card: String,
    pub(crate) embed_chart: String,
    /// "Cite this": the publisher, the measure, its latest value, the page's address and the
    /// publication time, for a reporter to paste.
    pub(crate) citation: String,
    pub(crate) report: String,
    pub(crate) feed: String,
    pub(crate) freshness: Option<FreshnessText>,
    /// For a computed measure, the latest time among its records (RFC 3339) and its day in
    /// words.
    pub(crate) latest_record: Option<(String, String)>,
    /// The measure's goals, each with its embed snippet.
    pub(crate) goals: Vec<(&'s GoalView, String)>,
}

#[derive(Template)]
#[template(path = "embed.html")]
pub(crate) struct EmbedPage<'s> {
    pub(crate) page: Page<'s>,
    pub(crate) card: &'s Card,
}

/// A goal's embed page: the goal alone, for a news site's frame.
#[derive(Template)]
#[template(path = "goal_embed.html")]
pub(crate) struct GoalEmbedPage<'s> {
    pub(crate) page: Page<'s>,
    pub(crate) goal: &'s GoalView,
}

pub(crate) struct TableListing {
    pub(crate) name: &'static str,
    pub(crate) title: &'static str,
    pub(crate) description: &'static str,
    pub(crate) primary_key: String,
    pub(crate) columns: Vec<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "about.html")]
pub(crate) struct AboutPage<'s> {
    pub(crate) page: Page<'s>,
    pub(crate) description: &'s str,
    pub(crate) contact_name: &'s str,
    pub(crate) contact_email: &'s str,
    pub(crate) downloads: Vec<(String, String)>,
    pub(crate) tables: Vec<TableListing>,
    pub(crate) feeds: Vec<(String, String)>,
    /// Whether any measure has a goal: the goal rule is explained then.
    pub(crate) has_goals: bool,
}

#[derive(Template)]
#[template(path = "not_found.html")]
pub(crate) struct NotFoundPage<'s> {
    pub(crate) page: Page<'s>,
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
}
