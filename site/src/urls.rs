//! Every address the site writes: where each page and file lives in the release, its absolute
//! URL, and the relative link from one page to another.
//!
//! Pages live under a language's root: the release root for the dataset's first language,
//! `<lang>/` for the others. A page is named by its path below that root (`measures/x/`, a
//! directory, or `""` for the home page); language-neutral files (`data/…`, `assets/…`,
//! `widgets/…`, `embed.js`) live at the release root. Links between pages are relative, so a
//! release works from any path; canonical links, feeds, the sitemap and embed code are absolute.

use dataset::model::DatasetInfo;

/// The site's address scheme for one release.
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    /// The absolute URL of the release root, ending with `/`.
    base: String,
    /// The language whose pages are at the release root.
    default_language: String,
}

impl Urls {
    /// The scheme of a release served from `base_url`, or from the dataset's homepage.
    pub(crate) fn new(info: &DatasetInfo, base_url: Option<&str>) -> Urls {
        let mut base = base_url.unwrap_or(&info.homepage).to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        Urls {
            base,
            default_language: info.languages.first().cloned().unwrap_or_default(),
        }
    }

    /// The absolute URL of the release root, ending with `/`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The path part of the release root's URL, ending with `/`: `/performance/` for
    /// `https://example.org/performance/`; what the 404 page, served at any depth, links from.
    pub(crate) fn base_path(&self) -> String {
        let after_scheme = self
            .base
            .split_once("://")
            .map_or(self.base.as_str(), |(_, rest)| rest);
        match after_scheme.find('/') {
            Some(slash) => after_scheme[slash..].to_owned(),
            None => "/".to_owned(),
        }
    }

    /// The directory of `lang`'s pages below the release root: `""` or `"<lang>/"`.
    pub(crate) fn prefix(&self, lang: &str) -> String {
        if lang == self.default_language {
            String::new()
        } else {
            format!("{lang}/")
        }
    }

    /// Where `path` of `lang`'s pages is, relative to the release root.
    pub(crate) fn file(&self, lang: &str, path: &str) -> String {
        format!("{}{path}", self.prefix(lang))
    }

    /// The absolute URL of `path` in `lang`.
    pub(crate) fn absolute(&self, lang: &str, path: &str) -> String {
        format!("{}{}", self.base, self.file(lang, path))
    }

    /// The absolute URL of a language-neutral file (`data/…`, `embed.js`).
    pub(crate) fn absolute_shared(&self, file: &str) -> String {
        format!("{}{file}", self.base)
    }

    /// The relative path from the page at `path` in `lang` back to the release root.
    pub(crate) fn root_from(&self, lang: &str, path: &str) -> String {
        "../".repeat(self.file(lang, path).matches('/').count())
    }

    /// The relative link from the page at `from` in `lang` to the page `to` in `to_lang`.
    pub(crate) fn link(&self, lang: &str, from: &str, to_lang: &str, to: &str) -> String {
        match format!("{}{}", self.root_from(lang, from), self.file(to_lang, to)) {
            // The home page of the default language linking to itself.
            link if link.is_empty() => "./".to_owned(),
            link => link,
        }
    }
}

/// A measure's page.
pub(crate) fn measure(id: &str) -> String {
    format!("measures/{id}/")
}

/// A priority area's page.
pub(crate) fn area(id: &str) -> String {
    format!("areas/{id}/")
}

/// A measure's embed page (a card, or the chart with `?view=chart`).
pub(crate) fn embed(id: &str) -> String {
    format!("embed/{id}/")
}

/// A goal's embed page (ids of goals and measures are apart: goals are not under `embed/`).
pub(crate) fn goal_embed(id: &str) -> String {
    format!("embed-goal/{id}/")
}

/// A goal's oEmbed response.
pub(crate) fn goal_oembed(id: &str) -> String {
    format!("oembed/goals/{id}.json")
}

/// The about page.
pub(crate) const ABOUT: &str = "about/";

/// The feed beside a page (`""` for the site's feed).
pub(crate) fn feed(page: &str) -> String {
    format!("{page}feed.xml")
}

/// A measure's oEmbed response.
pub(crate) fn oembed(id: &str) -> String {
    format!("oembed/{id}.json")
}

/// A measure's SVG chart (language-neutral): the widest, in the light palette.
pub(crate) fn chart(id: &str) -> String {
    format!("data/charts/{id}.svg")
}

/// A measure's SVG chart `width` units wide, in the dark palette or the light one:
/// `<id>.svg` for the widest light chart, else `<id>[.<width>][.dark].svg` (ids hold no dot).
pub(crate) fn chart_variant(id: &str, width: u32, dark: bool) -> String {
    let width = if width == crate::charts::CHART_SIZE.0 {
        String::new()
    } else {
        format!(".{width}")
    };
    let scheme = if dark { ".dark" } else { "" };
    format!("data/charts/{id}{width}{scheme}.svg")
}

/// A measure's SVG sparkline (language-neutral).
pub(crate) fn sparkline(id: &str) -> String {
    format!("data/sparklines/{id}.svg")
}

/// A measure's published document (language-neutral).
pub(crate) fn measure_document(id: &str) -> String {
    format!("data/measures/{id}.json")
}

/// A file of the release's data (language-neutral).
pub(crate) fn data(file: &str) -> String {
    format!("data/{file}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(base: &str) -> Urls {
        Urls {
            base: base.to_owned(),
            default_language: "en".to_owned(),
        }
    }

    #[test]
    fn pages_lead_back_to_the_root() {
        let urls = scheme("https://example.org/performance/");
        assert_eq!(urls.root_from("en", ""), "");
        assert_eq!(urls.root_from("es", ""), "../");
        assert_eq!(urls.root_from("es", "measures/x/"), "../../../");
        assert_eq!(urls.link("en", "", "en", ""), "./");
        assert_eq!(
            urls.link("es", "areas/a/", "es", "measures/x/"),
            "../../../es/measures/x/"
        );
        assert_eq!(
            urls.link("en", "measures/x/", "es", "measures/x/"),
            "../../es/measures/x/"
        );
        assert_eq!(urls.base_path(), "/performance/");
        assert_eq!(scheme("http://127.0.0.1:8080/").base_path(), "/");
    }

    #[test]
    fn cards_link_alike_from_every_page_that_shows_them() {
        // A card is built once per language and shown on area, measure and embed pages.
        let urls = scheme("https://example.org/");
        for lang in ["en", "es"] {
            let links: Vec<String> = [area("a"), measure("x"), embed("x")]
                .iter()
                .map(|from| urls.link(lang, from, lang, &measure("x")))
                .collect();
            assert!(links.iter().all(|link| *link == links[0]), "{links:?}");
        }
    }
}
