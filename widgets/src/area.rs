//! `<civic-area>`: a priority area with "N of M measures on track" and a card per measure.

use dataset::Status;
use dataset::document::Index;
use wasm_bindgen::prelude::*;
use web_sys::{Node, ShadowRoot};

use crate::decode;
use view::strings::integer;

use crate::dom::{clear, concat, element, set, text_element};
use crate::format::Formatter;

/// One area summary, driven by the loader's `<civic-area>` element.
#[wasm_bindgen]
pub struct AreaSummary {
    root: ShadowRoot,
    format: Formatter,
}

#[wasm_bindgen]
impl AreaSummary {
    /// An area summary rendering into `root` in language `lang`, with its interface `strings`
    /// (the release's messages with the page's additions).
    #[wasm_bindgen(constructor)]
    pub fn new(root: ShadowRoot, lang: &str, strings: JsValue) -> AreaSummary {
        AreaSummary {
            root,
            format: Formatter::new(crate::i18n::Strings::new(lang, strings)),
        }
    }

    /// Renders area `area` of the index (parsed `index.json`) published under `base`: its title,
    /// how many measures are on track, and a `<civic-metric>` per measure.
    pub fn render(&self, index: JsValue, area: &str, base: &str) -> Result<(), JsValue> {
        let index: Index = decode(index)?;
        let Some(found) = index.areas.iter().find(|a| a.id == area) else {
            return Err(JsValue::from_str(&concat(&[
                "no area `",
                area,
                "` in the data",
            ])));
        };
        let strings = self.format.strings();
        let language = strings.primary_language().to_owned();
        let text = found.translations.get(&language);
        let root: &Node = &self.root;
        clear(root);
        let section = element(root, "section", "area");
        set(&section, "part", "area");
        text_element(
            &section,
            "h2",
            "title",
            text.map_or(&found.title, |t| &t.title),
        );
        text_element(
            &section,
            "p",
            "description",
            text.map_or(&found.description, |t| &t.description),
        );
        // A loop rather than an iterator collected: it comes to less code.
        let mut measures = Vec::new();
        for summary in &index.measures {
            if summary.measure.area == area {
                measures.push(summary);
            }
        }
        let on_track = measures
            .iter()
            .filter(|m| {
                // A provisional value (of a period still running) is not counted on track.
                m.latest
                    .as_ref()
                    .is_some_and(|l| l.status == Status::OnTrack && !l.provisional)
            })
            .count();
        let count = text_element(
            &section,
            "p",
            "count",
            &strings.fill(
                "on_track_count",
                &[
                    ("on_track", &integer(on_track as i64)),
                    ("total", &integer(measures.len() as i64)),
                ],
            ),
        );
        set(&count, "part", "count");
        let cards = element(&section, "div", "cards");
        set(&cards, "part", "cards");
        for summary in measures {
            let card = element(&cards, "civic-metric", "");
            set(&card, "src", base);
            set(&card, "measure", &summary.measure.id);
            set(&card, "lang", strings.language());
            // A named group: a name alone is not allowed on an element without a role.
            let title = summary.measure.text(&language).title;
            set(&card, "role", "group");
            set(&card, "aria-label", title);
        }
        Ok(())
    }
}
