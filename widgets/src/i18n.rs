//! Interface strings. English and Spanish are built in (`view::strings`, shared with the static
//! site); a page adds a language, or changes a string, with `addLanguage(tag, strings)` from the
//! loader, which hands the strings here.

use wasm_bindgen::JsValue;

/// The interface strings of one language, with the page's additions first.
pub(crate) struct Strings {
    language: String,
    added: JsValue,
}

impl Strings {
    /// Strings for the BCP 47 tag `language`; `added` is an object of strings the page
    /// registered for it (or `undefined`).
    pub(crate) fn new(language: &str, added: JsValue) -> Strings {
        Strings {
            language: language.to_owned(),
            added,
        }
    }

    /// The language tag, for `Intl` and `lang` attributes.
    pub(crate) fn language(&self) -> &str {
        &self.language
    }

    /// The primary language subtag (`es` for `es-MX`), for the dataset's translations.
    pub(crate) fn primary_language(&self) -> &str {
        self.language.split('-').next().unwrap_or_default()
    }

    /// The text for `key`: the page's, else the built-in language's, else English.
    pub(crate) fn get(&self, key: &str) -> String {
        if self.added.is_object()
            && let Some(text) = js_sys::Reflect::get(&self.added, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
        {
            return text;
        }
        view::strings::get(&self.language, key).to_owned()
    }

    /// The text for `key` with `{0}`, `{1}` … replaced by `values`.
    pub(crate) fn fill(&self, key: &str, values: &[&str]) -> String {
        view::strings::fill(&self.get(key), values)
    }
}
