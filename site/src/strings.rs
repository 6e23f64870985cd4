//! The interface strings of one language, as the release publishes them in `data/locales/`
//! (from the Fluent files of `civicmetrics-locales`): the pages say what the widgets say.

use dataset::document::{InterfaceStrings, Message};

/// One language's messages, filled in with `view::strings`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Strings<'s> {
    strings: &'s InterfaceStrings,
}

impl<'s> Strings<'s> {
    /// The messages of `strings`.
    pub(crate) fn new(strings: &'s InterfaceStrings) -> Strings<'s> {
        Strings { strings }
    }

    /// The message `key` with no values to fill in; `""` for a key the strings lack.
    pub(crate) fn text(&self, key: &str) -> String {
        self.fill(key, &[])
    }

    /// The message `key` with `{name}` placeholders filled in from `values`. A plural message
    /// takes its `other` text here; [`Strings::plural`] chooses by number.
    pub(crate) fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        match self.strings.messages.get(key) {
            Some(Message::Text(template)) => view::strings::fill(template, values),
            Some(Message::Plural(plural)) => view::strings::fill(&plural.other, values),
            None => String::new(),
        }
    }

    /// The message `key` for `number`, the number as shown (rounded to its decimals), whose
    /// plural category in this language is `category`: the variant for the exact number, else
    /// for the category, else `other`.
    pub(crate) fn plural(
        &self,
        key: &str,
        number: f64,
        category: &str,
        values: &[(&str, &str)],
    ) -> String {
        let Some(Message::Plural(plural)) = self.strings.messages.get(key) else {
            return self.fill(key, values);
        };
        let template = view::strings::variant_keys(number, category)
            .find_map(|key| plural.variants.get(&key))
            .unwrap_or(&plural.other);
        view::strings::fill(template, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_filled_and_chosen_by_number() {
        let locales = locales::Locales::builtin();
        let english = locales.strings("en").unwrap();
        let strings = Strings::new(&english);
        assert_eq!(
            strings.fill("target_at_least", &[("value", "80%")]),
            "Target: at least 80%"
        );
        assert_eq!(
            strings.plural("points", 1.0, "one", &[("amount", "1")]),
            "1 point"
        );
        assert_eq!(
            strings.plural("points", 2.5, "other", &[("amount", "2.5")]),
            "2.5 points"
        );
        assert_eq!(strings.text("no_such_message"), "");
    }
}
