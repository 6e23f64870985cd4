//! [`Translations`]: an area's, a measure's or a goal's texts in other languages, by language
//! tag.
//!
//! A dataset speaks a handful of languages, so the texts are kept in a vector sorted by tag
//! rather than a tree: lookups are a binary search over a few entries, and the WebAssembly
//! widgets, which read these maps for every document, carry no B-tree code for them. Published
//! JSON is a JSON object with its members in tag order, as a `BTreeMap` would write it.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Texts in other languages, by language tag, in tag order; one text per tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Translations<T>(Vec<(String, T)>);

impl<T> Translations<T> {
    /// No translations.
    pub fn new() -> Translations<T> {
        Translations(Vec::new())
    }

    /// The text in `language`, if there is one.
    pub fn get(&self, language: &str) -> Option<&T> {
        let index = self.position(language).ok()?;
        self.0.get(index).map(|(_, text)| text)
    }

    /// Files `text` under `language`, returning the text it replaces.
    pub fn insert(&mut self, language: String, text: T) -> Option<T> {
        match self.position(&language) {
            Ok(index) => Some(std::mem::replace(&mut self.0[index].1, text)),
            Err(index) => {
                self.0.insert(index, (language, text));
                None
            }
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many languages there are texts in.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Each language and its text, in tag order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0
            .iter()
            .map(|(language, text)| (language.as_str(), text))
    }

    fn position(&self, language: &str) -> Result<usize, usize> {
        self.0
            .binary_search_by(|(tag, _)| tag.as_str().cmp(language))
    }
}

impl<T> Default for Translations<T> {
    fn default() -> Translations<T> {
        Translations::new()
    }
}

impl<T> FromIterator<(String, T)> for Translations<T> {
    /// Later texts for the same tag replace earlier ones, as in a map.
    fn from_iter<I: IntoIterator<Item = (String, T)>>(texts: I) -> Translations<T> {
        let mut translations = Translations::new();
        for (language, text) in texts {
            translations.insert(language, text);
        }
        translations
    }
}

impl<T: Serialize> Serialize for Translations<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(language, text)| (language, text)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Translations<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Translations<T>, D::Error> {
        let map = BTreeMap::<String, T>::deserialize(deserializer)?;
        Ok(Translations(map.into_iter().collect()))
    }
}

#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Translations<T> {
    fn inline_schema() -> bool {
        <BTreeMap<String, T>>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <BTreeMap<String, T>>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <BTreeMap<String, T>>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <BTreeMap<String, T>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_stay_in_tag_order_one_per_tag() {
        let mut translations: Translations<&str> = [("vi", "Mục tiêu"), ("es", "Meta")]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t))
            .collect();
        assert_eq!(translations.insert("de".to_owned(), "Ziel"), None);
        assert_eq!(
            translations.insert("es".to_owned(), "Objetivo"),
            Some("Meta")
        );
        let tags: Vec<&str> = translations.iter().map(|(tag, _)| tag).collect();
        assert_eq!(tags, ["de", "es", "vi"]);
        assert_eq!(translations.get("es"), Some(&"Objetivo"));
        assert_eq!(translations.get("fr"), None);
        assert_eq!(translations.len(), 3);
        assert!(Translations::<()>::new().is_empty());
    }

    #[test]
    fn published_as_a_map_in_tag_order() {
        let translations: Translations<u8> = serde_json::from_str(r#"{"vi": 1, "es": 2}"#).unwrap();
        assert_eq!(translations.get("es"), Some(&2));
        assert_eq!(
            serde_json::to_string(&translations).unwrap(),
            r#"{"es":2,"vi":1}"#
        );
    }
}
