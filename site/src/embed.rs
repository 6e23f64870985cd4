//! Embedding a measure on another site: the `<iframe>` snippet with `embed.js`, and the oEmbed
//! response that gives it to oEmbed consumers.

use dataset::Measure;

use crate::models::GoalView;
use serde_json::json;
use view::bidi::isolate;

use crate::error::Error;
use crate::{Writer, urls, xml};

/// Sizes of the frames in the embed snippets, in CSS pixels.
pub(crate) const EMBED_CARD_HEIGHT: u32 = 420;
pub(crate) const EMBED_CHART_HEIGHT: u32 = 560;
pub(crate) const EMBED_GOAL_HEIGHT: u32 = 300;

/// What an embed snippet shows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum View {
    Card,
    Chart,
}

impl Writer {
    /// The HTML a news site pastes to embed a measure's card or chart in `lang`.
    pub(crate) fn embed_snippet(&self, lang: &str, measure: &Measure, view: View) -> String {
        let title = xml::escape(&isolate(measure.text(lang).title));
        let (query, height) = match view {
            View::Chart => ("?view=chart", EMBED_CHART_HEIGHT),
            View::Card => ("", EMBED_CARD_HEIGHT),
        };
        self.frame(
            &format!(
                "{}{query}",
                self.urls.absolute(lang, &urls::embed(&measure.id))
            ),
            &title,
            height,
        )
    }

    /// The HTML a news site pastes to embed a goal in `lang`.
    pub(crate) fn goal_snippet(&self, lang: &str, goal: &GoalView) -> String {
        self.frame(
            &self.urls.absolute(lang, &urls::goal_embed(&goal.id)),
            &xml::escape(&isolate(&goal.title)),
            EMBED_GOAL_HEIGHT,
        )
    }

    /// The frame of an embed snippet showing `src`, with the script that sizes it; `title`
    /// already escaped.
    fn frame(&self, src: &str, title: &str, height: u32) -> String {
        format!(
            "<iframe src=\"{src}\" title=\"{title}\" width=\"100%\" height=\"{height}\" loading=\"lazy\" data-civicmetrics-embed></iframe>\n<script async src=\"{script}\"></script>",
            src = xml::escape(src),
            script = xml::escape(&self.urls.absolute_shared("embed.js")),
        )
    }

    /// Writes the oEmbed response for a measure's card in `lang`.
    pub(crate) fn oembed(&self, lang: &str, measure: &Measure) -> Result<(), Error> {
        let html = self.embed_snippet(lang, measure, View::Card);
        let response =
            self.rich_response(measure, measure.text(lang).title, html, EMBED_CARD_HEIGHT);
        let path = self
            .dir
            .join(self.urls.file(lang, &urls::oembed(&measure.id)));
        self.write_file(&path, serde_json::to_vec_pretty(&response)?)
    }

    /// Writes the oEmbed response for a goal of `measure` in `lang`.
    pub(crate) fn goal_oembed(
        &self,
        lang: &str,
        measure: &Measure,
        goal: &GoalView,
    ) -> Result<(), Error> {
        let html = self.goal_snippet(lang, goal);
        let response = self.rich_response(measure, &goal.title, html, EMBED_GOAL_HEIGHT);
        let path = self
            .dir
            .join(self.urls.file(lang, &urls::goal_oembed(&goal.id)));
        self.write_file(&path, serde_json::to_vec_pretty(&response)?)
    }

    /// An oEmbed 1.0 `rich` response framing `html`, by `measure`'s department, with the
    /// measure's chart as its thumbnail.
    fn rich_response(
        &self,
        measure: &Measure,
        title: &str,
        html: String,
        height: u32,
    ) -> serde_json::Value {
        json!({
            "version": "1.0",
            "type": "rich",
            "title": isolate(title),
            "provider_name": isolate(&self.info.publisher),
            "provider_url": self.urls.base(),
            "author_name": isolate(&measure.department),
            "html": html,
            "width": 480,
            "height": height,
            "cache_age": 3600,
            "thumbnail_url": self.urls.absolute_shared(&urls::chart(&measure.id)),
            "thumbnail_width": 720,
            "thumbnail_height": 320,
        })
    }
}
