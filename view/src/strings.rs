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
        keys.push(integer(number as i64));
    }
    keys.push(category.to_owned());
    keys.into_iter()
}

/// `number` in decimal digits, as `number.to_string()` writes it.
pub fn integer(number: i64) -> String {
    let mut text = String::new();
    push_integer(&mut text, number, 1);
    text
}

/// Pushes `number` onto `text` in decimal digits, at least `digits` of them (zeros before:
/// `7` at 3 digits is `007`), after a minus sign for a negative number. Written by hand rather
/// than with `to_string` or `format!`, whose machinery is kilobytes of the widgets' WebAssembly.
pub fn push_integer(text: &mut String, number: i64, digits: usize) {
    if number < 0 {
        text.push('-');
    }
    let mut rest = number.unsigned_abs();
    // Filled from the end: u64's 20 digits at most.
    let mut buffer = [b'0'; 20];
    let mut start = buffer.len();
    while start > 0 && (rest > 0 || start == buffer.len()) {
        start -= 1;
        buffer[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    for _ in buffer.len() - start..digits {
        text.push('0');
    }
    for &digit in &buffer[start..] {
        text.push(char::from(digit));
    }
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
    fn integers_written_as_to_string_writes_them() {
        let mut numbers = vec![
            i64::MIN,
            i64::MIN + 1,
            i64::MAX,
            0,
            -1,
            1,
            9,
            10,
            -10,
            99,
            100,
        ];
        let mut power = 1i64;
        for _ in 0..18 {
            power *= 10;
            numbers.extend([power - 1, power, power + 1, -power + 1, -power, -power - 1]);
        }
        for number in numbers {
            assert_eq!(integer(number), number.to_string());
        }
    }

    #[test]
    fn integers_padded_as_format_pads_them() {
        for number in [0, 5, 42, 999, 1000, 123_456] {
            for digits in 0..8 {
                let mut text = "x".to_owned();
                push_integer(&mut text, number, digits);
                assert_eq!(text, format!("x{number:0digits$}"));
            }
        }
        let mut text = String::new();
        push_integer(&mut text, -7, 3);
        assert_eq!(text, "-007");
    }

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
