//! A measure's card in one language: its latest value, period, target, status and trend in
//! words, built once per language and shown on the area, measure and embed pages.

use dataset::document::MeasureDocument;
use dataset::model::Status;

use crate::charts::CHART_SIZES;
use crate::format::Formatter;
use crate::goals::freshness_text;
use crate::models::{Card, ChartSource, GoalLine, LatestText};
use crate::{Writer, urls};

impl Writer {
    /// The card of `document` in `format`'s language, with its links from a page two levels
    /// below that language's root.
    pub(crate) fn card(&self, document: &MeasureDocument, format: &Formatter<'_>) -> Card {
        let lang = format.language();
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
                    ("title", text.title),
                    ("value", &l.value),
                    ("period", &l.period),
                    ("target", &l.target),
                    ("status", &format.status(status)),
                ],
            ),
            None => format!("{}: {}", text.title, format.text("no_data")),
        };
        let page = urls::measure(&measure.id);
        let root = self.urls.root_from(lang, &page);
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
            href: self.urls.link(lang, &page, lang, &page),
            more: text.title.to_owned(),
            root,
            goal_lines: measure
                .goals
                .iter()
                .zip(&document.goal_status)
                .map(|(goal, assessment)| GoalLine {
                    icon: view::goal_symbol(assessment.status),
                    text: format.fill(
                        "goal_line",
                        &[
                            ("title", goal.text(lang).0),
                            (
                                "status",
                                &format.text(&format!("goal_{}", assessment.status.as_str())),
                            ),
                        ],
                    ),
                })
                .collect(),
            freshness: freshness_text(document.freshness.as_ref(), format),
            analysis: measure.analysis.last().map(|analysis| {
                let period = format.period_label(
                    measure.frequency,
                    &analysis.period,
                    self.info.fiscal_year_start_month,
                );
                format.fill(
                    "analysis_line",
                    &[("period", &period), ("text", analysis.text(lang))],
                )
            }),
        }
    }
}

impl Card {
    /// The sparkline picture.
    pub(crate) fn sparkline(&self) -> String {
        format!("{}{}", self.root, urls::sparkline(&self.id))
    }

    /// The chart picture: the widest, in the light palette.
    pub(crate) fn chart(&self) -> String {
        format!("{}{}", self.root, urls::chart(&self.id))
    }

    /// The chart's other pictures, with the media they are shown for, first match first.
    pub(crate) fn chart_sources(&self) -> Vec<ChartSource> {
        chart_sources(&self.id, &self.root)
    }

    /// The observations table, for "get the data".
    pub(crate) fn observations(&self) -> String {
        format!("{}{}", self.root, urls::data("observations.csv"))
    }
}

/// The `<source>`s of a measure's chart picture, `root` being the path to the site's root: for
/// each size of [`CHART_SIZES`] up to its widest viewport, the dark chart on screens in a dark
/// colour scheme, then the light one; the widest light chart is the `<img>` itself.
fn chart_sources(id: &str, root: &str) -> Vec<ChartSource> {
    const DARK: &str = "screen and (prefers-color-scheme: dark)";
    let mut sources = Vec::new();
    for ((width, height), widest) in CHART_SIZES {
        let viewport = widest.map(|widest| format!("(max-width: {widest}px)"));
        let dark = match &viewport {
            Some(viewport) => format!("{DARK} and {viewport}"),
            None => DARK.to_owned(),
        };
        let mut add = |media: String, dark: bool| {
            sources.push(ChartSource {
                media,
                src: format!("{root}{}", urls::chart_variant(id, width, dark)),
                width,
                height,
            });
        };
        add(dark, true);
        if let Some(viewport) = viewport {
            add(viewport, false);
        }
    }
    sources
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_sources_go_from_narrow_to_wide_dark_first() {
        let sources = chart_sources("potholes", "../../");
        let listed: Vec<(&str, &str)> = sources
            .iter()
            .map(|s| (s.media.as_str(), s.src.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                (
                    "screen and (prefers-color-scheme: dark) and (max-width: 459px)",
                    "../../data/charts/potholes.240.dark.svg"
                ),
                ("(max-width: 459px)", "../../data/charts/potholes.240.svg"),
                (
                    "screen and (prefers-color-scheme: dark) and (max-width: 799px)",
                    "../../data/charts/potholes.400.dark.svg"
                ),
                ("(max-width: 799px)", "../../data/charts/potholes.400.svg"),
                (
                    "screen and (prefers-color-scheme: dark)",
                    "../../data/charts/potholes.dark.svg"
                ),
            ]
        );
        assert_eq!((sources[0].width, sources[0].height), (240, 220));
    }
}
