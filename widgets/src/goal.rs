//! `<civic-goal>`: a multi-year goal – its standing, a progress bar, the deadline and where the
//! current pace leads – as the site's `goal.html` shows it, so that a goal upgraded in place
//! keeps its size.

use dataset::ProgressRule;
use dataset::document::Index;
use wasm_bindgen::prelude::*;
use web_sys::{Node, ShadowRoot};

use crate::decode;
use view::strings::integer;

use crate::dom::{
    clear, concat, element, heading_tag, set, svg_element, symbol_text, text_element,
};
use crate::format::Formatter;

/// One goal, driven by the loader's `<civic-goal>` element.
#[wasm_bindgen]
pub struct GoalTracker {
    root: ShadowRoot,
    format: Formatter,
}

#[wasm_bindgen]
impl GoalTracker {
    /// A goal rendering into `root` in language `lang`, with its interface `strings` (the
    /// release's messages with the page's additions).
    #[wasm_bindgen(constructor)]
    pub fn new(root: ShadowRoot, lang: &str, strings: JsValue) -> GoalTracker {
        GoalTracker {
            root,
            format: Formatter::new(crate::i18n::Strings::new(lang, strings)),
        }
    }

    /// Renders the goal `goal` of the index (parsed `index.json`). Its title is a heading of
    /// `heading_level` (1-6), or plain text for 0.
    pub fn render(&self, index: JsValue, goal: &str, heading_level: u8) -> Result<(), JsValue> {
        let index: Index = decode(index)?;
        let found = index.measures.iter().find_map(|summary| {
            let position = summary.measure.goals.iter().position(|g| g.id == goal)?;
            let status = summary.goal_status.iter().find(|s| s.id == goal)?;
            Some((summary, &summary.measure.goals[position], status))
        });
        let Some((summary, definition, status)) = found else {
            return Err(JsValue::from_str(&concat(&[
                "no goal `",
                goal,
                "` in the data",
            ])));
        };
        let format = &self.format;
        let strings = format.strings();
        let language = strings.primary_language().to_owned();
        let measure = &summary.measure;
        let period = |label: &str, end| format.period_ending(measure.frequency, label, end);
        let root: &Node = &self.root;
        clear(root);
        let article = element(
            root,
            "article",
            &concat(&["goal goal-", status.status.as_str()]),
        );
        set(&article, "part", "goal");
        let (title, _) = definition.text(&language);
        let heading = text_element(&article, &heading_tag(heading_level), "title", title);
        set(&heading, "id", "title");
        set(&heading, "part", "title");
        text_element(
            &article,
            "p",
            "of",
            &strings.fill(
                "goal_of",
                &[("measure", measure.text(&language).card_title())],
            ),
        );
        let badge = symbol_text(
            &article,
            "p",
            "status",
            Some(view::goal_symbol(status.status)),
            &format.goal_status(status.status),
        );
        set(&badge, "part", "status");
        let target = format.value(measure, definition.target);
        let progress = status.progress.zip(status.share).map(|(progress, share)| {
            let share_text = format.share(share);
            let (key, progress) = match definition.progress_rule {
                ProgressRule::Cumulative => ("goal_progress", format.bare_value(measure, progress)),
                ProgressRule::Latest => ("goal_progress_latest", format.value(measure, progress)),
            };
            strings.fill(
                key,
                &[
                    ("progress", &progress),
                    ("target", &target),
                    ("share", &share_text),
                ],
            )
        });
        if let Some(share) = status.share {
            // The bar's share of the way, 0 to 100, as the site writes it.
            let percent = integer((share.clamp(0.0, 1.0) * 100.0).round() as i64);
            let bar = element(&article, "div", "bar");
            set(&bar, "role", "progressbar");
            set(&bar, "aria-labelledby", "title");
            set(&bar, "aria-valuemin", "0");
            set(&bar, "aria-valuemax", "100");
            set(&bar, "aria-valuenow", &percent);
            if let Some(progress) = &progress {
                set(&bar, "aria-valuetext", progress);
            }
            let svg = svg_element(&bar, "svg", "");
            set(&svg, "viewBox", "0 0 100 4");
            set(&svg, "preserveAspectRatio", "none");
            set(&svg, "aria-hidden", "true");
            set(&svg, "focusable", "false");
            for (class, width) in [("track", "100"), ("fill", percent.as_str())] {
                let rect = svg_element(&svg, "rect", class);
                set(&rect, "width", width);
                set(&rect, "height", "4");
            }
        }
        if let Some(progress) = &progress {
            let line = text_element(&article, "p", "progress", progress);
            set(&line, "part", "progress");
        }
        text_element(
            &article,
            "p",
            "deadline",
            &strings.fill(
                "goal_deadline",
                &[(
                    "period",
                    &period(&definition.deadline, definition.deadline_end),
                )],
            ),
        );
        // A projection speaks of a goal still under way.
        let projected = status
            .projected_period
            .as_deref()
            .zip(status.projected_period_end);
        let projection = match (status.status, projected) {
            (dataset::GoalStatus::OnPace | dataset::GoalStatus::BehindPace, Some((label, end))) => {
                Some(strings.fill("goal_projection", &[("period", &period(label, end))]))
            }
            (dataset::GoalStatus::OnPace | dataset::GoalStatus::BehindPace, None) => {
                Some(strings.get("goal_no_projection"))
            }
            _ => None,
        };
        if let Some(projection) = projection {
            text_element(&article, "p", "projection", &projection);
        }
        Ok(())
    }
}
