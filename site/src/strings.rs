//! The interface strings of one language, as the release publishes them in `data/locales/`
//! (from the Fluent files of `civicmetrics-locales`): the pages say what the widgets say.

use dataset::document::{InterfaceStrings, Message};
use icu_plurals::{
    PluralCategory, PluralOperands, PluralRuleType, PluralRules, PluralRulesOptions,
};

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

    /// The language tag.
    pub(crate) fn language(&self) -> &'s str {
        &self.strings.language
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

    /// The message `key` for `number`, the number as shown (rounded to its decimals): the
    /// variant for its plural category in this language, as `Intl.PluralRules` chooses it in
    /// the widgets.
    pub(crate) fn plural(&self, key: &str, number: f64, values: &[(&str, &str)]) -> String {
        let Some(Message::Plural(plural)) = self.strings.messages.get(key) else {
            return self.fill(key, values);
        };
        let category = plural_category(self.language(), number);
        let template = view::strings::variant_keys(number, category)
            .find_map(|key| plural.variants.get(&key))
            .unwrap_or(&plural.other);
        view::strings::fill(template, values)
    }
}

/// The CLDR plural category of `number` in `language` (`other` where the language or the
/// number cannot be read).
fn plural_category(language: &str, number: f64) -> &'static str {
    let Ok(tag) = icu_locale_core::Locale::try_from_str(language) else {
        return "other";
    };
    let Ok(rules) = PluralRules::try_new(
        (&tag).into(),
        PluralRulesOptions::default().with_type(PluralRuleType::Cardinal),
    ) else {
        return "other";
    };
    // Display gives the shortest form that reads back as the number: `1`, `1.5`, `0.25`.
    let Ok(decimal) = fixed_decimal::Decimal::try_from_str(&number.abs().to_string()) else {
        return "other";
    };
    match rules.category_for(PluralOperands::from(&decimal)) {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_categories_follow_the_language() {
        assert_eq!(plural_category("en", 1.0), "one");
        assert_eq!(plural_category("en", 1.5), "other");
        assert_eq!(plural_category("en", 0.0), "other");
        assert_eq!(plural_category("es", 1.0), "one");
        assert_eq!(plural_category("ja", 1.0), "other");
        assert_eq!(plural_category("pl", 3.0), "few");
        assert_eq!(plural_category("not a tag", 1.0), "other");
    }

    #[test]
    fn messages_are_filled_and_chosen_by_number() {
        let locales = locales::Locales::builtin();
        let english = locales.strings("en").unwrap();
        let strings = Strings::new(&english);
        assert_eq!(
            strings.fill("target_at_least", &[("value", "80%")]),
            "Target: at least 80%"
        );
        assert_eq!(strings.plural("points", 1.0, &[("amount", "1")]), "1 point");
        assert_eq!(
            strings.plural("points", 2.5, &[("amount", "2.5")]),
            "2.5 points"
        );
        assert_eq!(strings.text("no_such_message"), "");
    }
}
