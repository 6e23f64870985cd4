//! Interface strings. None are built in: the loader fetches the language's strings from the
//! release (`data/locales/<tag>.json`, written from the translators' Fluent files) and hands
//! their messages here, with any the page added with `addLanguage(tag, strings)` on top.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = PluralRules)]
    type PluralRules;
    #[wasm_bindgen(constructor, js_namespace = Intl, js_class = "PluralRules", catch)]
    fn new(locale: &str) -> Result<PluralRules, JsValue>;
    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, value: f64) -> String;
}

/// The interface strings of one language.
pub(crate) struct Strings {
    language: String,
    messages: JsValue,
}

fn field(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

impl Strings {
    /// Strings for the BCP 47 tag `language`; `messages` is an object of messages by key (or
    /// `undefined`): each a template, or a plural message `{select, variants, other}`.
    pub(crate) fn new(language: &str, messages: JsValue) -> Strings {
        Strings {
            language: language.to_owned(),
            messages,
        }
    }

    /// The language tag, for `Intl` and `lang` attributes.
    pub(crate) fn language(&self) -> &str {
        &self.language
    }

    /// The primary language subtag (`es` for `es-MX`), for the dataset's translations.
    pub(crate) fn primary_language(&self) -> &str {
        let language = self.language.as_str();
        language
            .split_once('-')
            .map_or(language, |(primary, _)| primary)
    }

    /// The template of `key` (a plural message's `other`); `""` when there is none.
    fn template(&self, key: &str) -> String {
        let message = field(&self.messages, key);
        message
            .as_string()
            .or_else(|| field(&message, "other").as_string())
            .unwrap_or_default()
    }

    /// The text for `key`.
    pub(crate) fn get(&self, key: &str) -> String {
        self.fill(key, &[])
    }

    /// The text for `key` with its `{name}` placeholders filled in from `values`.
    pub(crate) fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        view::strings::fill(&self.template(key), values)
    }

    /// The text for `key` chosen by `number` (as shown, rounded), by its plural category in this
    /// language, as the site chooses it with ICU4X.
    pub(crate) fn plural(&self, key: &str, number: f64, values: &[(&str, &str)]) -> String {
        let message = field(&self.messages, key);
        let Some(other) = field(&message, "other").as_string() else {
            return self.fill(key, values);
        };
        let category = PluralRules::new(&self.language)
            .or_else(|_| PluralRules::new("en"))
            .map_or_else(|_| "other".to_owned(), |rules| rules.select(number));
        let variants = field(&message, "variants");
        let mut chosen = other;
        for key in view::strings::variant_keys(number, &category) {
            if let Some(template) = field(&variants, &key).as_string() {
                chosen = template;
                break;
            }
        }
        view::strings::fill(&chosen, values)
    }
}
