//! Interface strings as the release publishes them (`data/locales/<language>.json`, from the
//! translators' Fluent files): templates with named placeholders, filled in by [`fill`], and
//! plural messages whose variant [`variant_keys`] chooses. The widgets and the static site read the
//! same templates, so they say the same words.

/// Replaces each `{name}` in `template` by the value given for `name` (empty when none is), and
/// `{{` by `{`. Values are inserted once, so a value containing `{name}` is never expanded again,
/// and [isolated](crate::bidi::isolate), so that direction controls in a value cannot reorder
/// the rest of the sentence.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        text.push_str(before);
        if let Some(tail) = after.strip_prefix('{') {
            text.push('{');
            rest = tail;
            continue;
        }
        match after.split_once('}') {
            Some((name, tail)) => {
                let value = values
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map_or("", |(_, value)| value);
                text.push_str(&crate::bidi::isolate(value));
                rest = tail;
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

/// The variant keys a plural message is tried with for `number`, in order: the exact number
/// (for a whole number), then `category`, the number's plural category in the reader's language
/// (`one`, `few` …). The message's `other` template serves when it has neither.
pub fn variant_keys(number: f64, category: &str) -> impl Iterator<Item = String> {
    // Whole numbers below 2^53 are exact as integers; formatting them as integers keeps float
    // formatting (kilobytes of tables) out of the widgets' WebAssembly.
    // Gathered in a vector rather than chained: that comes to less code in the widgets.
    let mut keys = Vec::with_capacity(2);
    if number.fract() == 0.0 && number.abs() < 9_007_199_254_740_992.0 {
        keys.push((number as i64).to_string());
    }
    keys.push(category.to_owned());
    keys.into_iter()
}

/// `value` rounded to `decimals` places, as a number formatted with at most that many shows
/// it: the number a plural message chooses its template by.
pub fn rounded(value: f64, decimals: u8) -> f64 {
    let scale = 10f64.powi(i32::from(decimals));
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_places_named_values_once() {
        assert_eq!(
            fill(
                "Target: {low} to {high}",
                &[("low", "85%"), ("high", "95%")]
            ),
            "Target: 85% to 95%"
        );
        assert_eq!(
            fill("{b} {a}", &[("a", "{b}"), ("b", "x")]),
            "x {b}",
            "a value is not expanded again"
        );
        assert_eq!(fill("{{a}} {missing}.", &[("a", "x")]), "{a}} .");
        assert_eq!(fill("open {", &[]), "open {");
    }

    #[test]
    fn fill_isolates_values_with_direction_controls() {
        assert_eq!(
            fill("{title} is on track", &[("title", "a\u{202e}b")]),
            format!("{} is on track", crate::bidi::isolate("a\u{202e}b"))
        );
    }

    #[test]
    fn the_exact_number_is_tried_before_the_category() {
        let keys = |number, category| variant_keys(number, category).collect::<Vec<_>>();
        assert_eq!(keys(0.0, "other"), ["0", "other"]);
        assert_eq!(keys(-1.0, "one"), ["-1", "one"]);
        assert_eq!(keys(0.5, "other"), ["other"]);
    }

    #[test]
    fn rounding_follows_the_shown_decimals() {
        assert_eq!(rounded(0.96, 1), 1.0);
        assert_eq!(rounded(1.04, 1), 1.0);
        assert_eq!(rounded(1.25, 0), 1.0);
        assert_eq!(rounded(2.346, 2), 2.35);
    }
}
