//! `<civic-metric>`: the metric card.

use dataset::FreshnessState;
use dataset::document::MeasureDocument;
use dataset::model::{Measure, Observation};
use view::chart::{Line, sparkline_window, target_steps};
use wasm_bindgen::prelude::*;
use web_sys::{Node, ShadowRoot};

use crate::dom::{concat, element, heading_tag, join_url, link, set, symbol_text, text_element};
use crate::draw;
use crate::format::Formatter;
use crate::{add_probes, decode_measure};
use view::status_symbol;

/// One metric card, driven by the loader's `<civic-metric>` element.
#[wasm_bindgen]
pub struct MetricCard {
    root: ShadowRoot,
    format: Formatter,
    document: Option<MeasureDocument>,
    /// What [`MetricCard::measure`] read for the next drawing.
    measured: Option<draw::Surface>,
    /// What the sparkline was last drawn at.
    drawn: Option<draw::Surface>,
}

/// The sentence the canvas reads out: measure, latest value, period, target and status.
pub(crate) fn summary(
    format: &Formatter,
    measure: &Measure,
    title: &str,
    latest: Option<&Observation>,
) -> String {
    let strings = format.strings();
    match latest {
        Some(latest) => {
            let value = latest
                .value
                .map_or_else(|| strings.get("no_data"), |v| format.value(measure, v));
            let period = format.period(measure.frequency, latest);
            let target = format.target(measure, latest.target.as_ref());
            let status = format.status(latest.status);
            strings.fill(
                "chart_label",
                &[
                    ("title", title),
                    ("value", &value),
                    ("period", &period),
                    ("target", &target),
                    ("status", &status),
                ],
            )
        }
        None => concat(&[title, ": ", &strings.get("no_data")]),
    }
}

#[wasm_bindgen]
impl MetricCard {
    /// A card rendering into `root` in language `lang`; `strings` are its interface strings:
    /// the release's messages for the language with the page's additions (or `undefined`).
    #[wasm_bindgen(constructor)]
    pub fn new(root: ShadowRoot, lang: &str, strings: JsValue) -> MetricCard {
        MetricCard {
            root,
            format: Formatter::new(crate::i18n::Strings::new(lang, strings)),
            document: None,
            measured: None,
            drawn: None,
        }
    }

    /// Renders the measure document (parsed JSON) published under the data URL `base`. The title
    /// is a heading of `heading_level` (1-6), or plain text for 0, to fit the page's outline.
    /// The sparkline is drawn by [`MetricCard::redraw`], once the page has laid the card out.
    pub fn render(
        &mut self,
        document: JsValue,
        base: &str,
        heading_level: u8,
    ) -> Result<(), JsValue> {
        let document = decode_measure(document)?;
        let root: &Node = &self.root;
        crate::dom::clear(root);
        add_probes(root, false);
        let measure = &document.measure;
        let strings = self.format.strings();
        let language = strings.primary_language().to_owned();
        let text = measure.text(&language);
        let (title, methodology) = (text.title, text.methodology);
        let status = document
            .latest
            .as_ref()
            .map_or(dataset::Status::NoData, |l| l.status);
        let card = element(root, "article", &concat(&["card status-", status.as_str()]));
        set(&card, "part", "card");
        let heading = text_element(
            &card,
            &heading_tag(heading_level),
            "title",
            text.card_title(),
        );
        set(&heading, "part", "title");
        if let Some(latest) = &document.latest {
            let value = latest
                .value
                .map_or_else(|| strings.get("no_data"), |v| self.format.value(measure, v));
            let value = text_element(&card, "p", "value", &value);
            set(&value, "part", "value");
            text_element(
                &card,
                "p",
                "period",
                &self.format.period(measure.frequency, latest),
            );
            text_element(
                &card,
                "p",
                "target",
                &self.format.target(measure, latest.target.as_ref()),
            );
        }
        let badge = symbol_text(
            &card,
            "p",
            "status",
            Some(status_symbol(status)),
            &self.format.status(status),
        );
        set(&badge, "part", "status");

        let canvas = element(&card, "canvas", "sparkline");
        set(&canvas, "role", "img");
        set(
            &canvas,
            "aria-label",
            &summary(&self.format, measure, title, document.latest.as_ref()),
        );
        if let Some(latest) = &document.latest {
            text_element(
                &card,
                "p",
                "trend",
                &self.format.trend(measure, &document.observations, latest),
            );
        }
        for (goal, assessment) in measure.goals.iter().zip(&document.goal_status) {
            let status = self.format.goal_status(assessment.status);
            symbol_text(
                &card,
                "p",
                "goal-line",
                Some(view::goal_symbol(assessment.status)),
                &strings.fill(
                    "goal_line",
                    &[("title", goal.text(&language).0), ("status", &status)],
                ),
            );
        }
        let updated = element(&card, "p", "updated");
        updated.append_with_str_1(&concat(&[&strings.get("last_updated"), " "]))?;
        let time = text_element(
            &updated,
            "time",
            "",
            &self.format.updated(&document.dataset.modified),
        );
        set(&time, "datetime", &document.dataset.modified);
        if let Some(freshness) = &document.freshness
            && let Some(due) = freshness.next_due
        {
            let state = freshness.state;
            let key = match state {
                FreshnessState::Late => "update_late",
                FreshnessState::Stale => "update_stale",
                _ => "next_due",
            };
            symbol_text(
                &card,
                "p",
                &concat(&["freshness freshness-", state.as_str()]),
                state.is_overdue().then_some("!"),
                &strings.fill(key, &[("date", &self.format.day(due))]),
            );
        }

        let about = element(&card, "details", "about");
        text_element(&about, "summary", "", &strings.get("about"));
        if let Some(analysis) = measure.analysis.last() {
            let period =
                self.format
                    .period_ending(measure.frequency, &analysis.period, analysis.period_end);
            text_element(
                &about,
                "p",
                "analysis",
                &strings.fill(
                    "analysis_line",
                    &[("period", &period), ("text", analysis.text(&language))],
                ),
            );
        }
        text_element(&about, "p", "", methodology);
        text_element(
            &about,
            "p",
            "source",
            &concat(&[&strings.get("source"), ": ", &measure.source]),
        );

        let links = element(&card, "p", "links");
        let csv = document
            .downloads
            .iter()
            .find(|d| d.media_type == "text/csv")
            .map(|d| join_url(base, &d.path));
        link(
            &links,
            &csv.unwrap_or_else(|| base.to_owned()),
            &strings.get("get_data"),
            "data-link",
        );
        let info = &document.dataset.info;
        let feedback = info
            .feedback_url
            .clone()
            .unwrap_or_else(|| concat(&["mailto:", &info.contact.email]));
        link(&links, &feedback, &strings.get("feedback"), "feedback-link");

        self.document = Some(document);
        self.drawn = None;
        Ok(())
    }

    /// Reads the sparkline's size, pixel ratio and theme for the next [`MetricCard::redraw`],
    /// without changing the page.
    pub fn measure(&mut self) {
        self.measured = draw::canvas_in(&self.root, "canvas.sparkline")
            .and_then(|canvas| draw::surface(&self.root, &canvas, false));
    }

    /// Redraws the sparkline for the current size, pixel ratio and theme (as measured, if
    /// [`MetricCard::measure`] was called since the last drawing); a sparkline already drawn
    /// at them stays.
    pub fn redraw(&mut self) {
        let measured = self.measured.take();
        let (Some(document), Some(canvas)) = (
            &self.document,
            draw::canvas_in(&self.root, "canvas.sparkline"),
        ) else {
            return;
        };
        let Some(surface) = measured.or_else(|| draw::surface(&self.root, &canvas, false)) else {
            return;
        };
        if self.drawn.as_ref() == Some(&surface) {
            return;
        }
        let recent = sparkline_window(&document.observations);
        let line = Line::new(recent, surface.palette.line);
        draw::sparkline(&canvas, &surface, &line, &target_steps(recent));
        self.drawn = Some(surface);
    }
}
