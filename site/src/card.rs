//! A measure's card in one language: its latest value, period, target, status and trend in
//! words, built once per language and shown on the area, measure and embed pages.

use dataset::document::MeasureDocument;
use dataset::model::Status;

use crate::format::Formatter;
use crate::models::{Card, LatestText};
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
                    text.title,
                    &l.value,
                    &l.period,
                    &l.target,
                    format.status(status),
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
            sparkline: format!("{root}{}", urls::sparkline(&measure.id)),
            chart: format!("{root}{}", urls::chart(&measure.id)),
            observations: format!("{root}{}", urls::data("observations.csv")),
        }
    }
}
