//! Values, periods, dates, targets and trends in words for the static pages, in English or
//! Spanish. The widgets say the same things with the browser's `Intl`; these mirror their output
//! closely enough that a card upgraded in place keeps its size.

use super::strings::Strings;
use dataset::document::InterfaceStrings;
use dataset::model::{AppliedTarget, Measure, Observation, Status, TargetKind, Unit};
use dataset::{CalendarDate, Frequency};

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// Formats for one language, with its interface strings: numbers in English, or Spanish for
/// `es`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Formatter<'l> {
    language: &'l str,
    strings: Strings<'l>,
    spanish: bool,
}

impl<'l> Formatter<'l> {
    /// A formatter for the language of `strings`.
    pub(crate) fn new(strings: &'l InterfaceStrings) -> Formatter<'l> {
        let language = strings.language.as_str();
        let primary = language.split('-').next().unwrap_or_default();
        Formatter {
            language,
            strings: Strings::new(strings),
            spanish: primary.eq_ignore_ascii_case("es"),
        }
    }

    /// The language tag.
    pub(crate) fn language(&self) -> &'l str {
        self.language
    }

    /// The interface strings.
    pub(crate) fn strings(&self) -> Strings<'l> {
        self.strings
    }

    /// An interface string.
    pub(crate) fn text(&self, key: &str) -> String {
        self.strings.text(key)
    }

    /// An interface string with its `{name}` placeholders filled in.
    pub(crate) fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.strings.fill(key, values)
    }

    /// `value` rounded to at most `decimals` places, trailing zeros dropped, with the language's
    /// separators: `1,234.5` or `1234,5` (Spanish groups thousands from five digits on).
    pub(crate) fn number(&self, value: f64, decimals: u8) -> String {
        let text = format!("{:.*}", usize::from(decimals), value.abs());
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, fraction.trim_end_matches('0')),
            None => (text.as_str(), ""),
        };
        let (group, point) = if self.spanish { ('.', ',') } else { (',', '.') };
        let grouped = if self.spanish && whole.len() < 5 {
            whole.to_owned()
        } else {
            group_thousands(whole, group)
        };
        let negative = value < 0.0 && (whole != "0" || !fraction.is_empty());
        let mut out = String::with_capacity(grouped.len() + fraction.len() + 2);
        if negative {
            out.push('-');
        }
        out.push_str(&grouped);
        if !fraction.is_empty() {
            out.push(point);
            out.push_str(fraction);
        }
        out
    }

    fn decimals(measure: &Measure) -> u8 {
        measure.decimals.unwrap_or(match measure.unit {
            Unit::Count | Unit::Currency => 0,
            Unit::Ratio => 2,
            _ => 1,
        })
    }

    /// The singular and plural word of a duration unit in this language; `None` for the others.
    fn duration_words(&self, unit: Unit) -> Option<(&'static str, &'static str)> {
        let (en, es) = match unit {
            Unit::Minutes => (("minute", "minutes"), ("minuto", "minutos")),
            Unit::Hours => (("hour", "hours"), ("hora", "horas")),
            Unit::Days => (("day", "days"), ("día", "días")),
            _ => return None,
        };
        Some(if self.spanish { es } else { en })
    }

    /// Money in compact notation: `$1.2M`, `1,2 M US$`.
    fn currency(&self, measure: &Measure, value: f64, decimals: u8) -> String {
        let code = measure
            .unit_label
            .as_deref()
            .filter(|l| l.len() == 3 && l.bytes().all(|b| b.is_ascii_uppercase()))
            .unwrap_or("USD");
        let magnitude = value.abs();
        let (scaled, suffix_en, suffix_es) = if magnitude >= 1e12 {
            (value / 1e12, "T", "\u{a0}B")
        } else if magnitude >= 1e9 {
            (value / 1e9, "B", "\u{a0}mil\u{a0}M")
        } else if magnitude >= 1e6 {
            (value / 1e6, "M", "\u{a0}M")
        } else if magnitude >= 1e3 {
            (value / 1e3, "K", "\u{a0}mil")
        } else {
            (value, "", "")
        };
        // Compact numbers keep two significant digits below ten, as Intl does.
        let digits = if scaled.abs() < 10.0 && !suffix_en.is_empty() {
            decimals.max(1)
        } else {
            decimals
        };
        let number = self.number(scaled, digits);
        match (self.spanish, code) {
            (false, "USD") => format!("${number}{suffix_en}"),
            (false, code) => format!("{code}\u{a0}{number}{suffix_en}"),
            (true, "USD") => format!("{number}{suffix_es}\u{a0}US$"),
            (true, code) => format!("{number}{suffix_es}\u{a0}{code}"),
        }
    }

    /// A value in the measure's unit: `81.5%`, `7.2 minutes`, `$1.2M`, `1,234 homes`.
    pub(crate) fn value(&self, measure: &Measure, value: f64) -> String {
        let decimals = Self::decimals(measure);
        match measure.unit {
            Unit::Percent if self.spanish => format!("{}\u{a0}%", self.number(value, decimals)),
            Unit::Percent => format!("{}%", self.number(value, decimals)),
            Unit::Minutes | Unit::Hours | Unit::Days => {
                let number = self.number(value, decimals);
                let (one, many) = self.duration_words(measure.unit).unwrap_or_default();
                format!("{number} {}", if number == "1" { one } else { many })
            }
            Unit::Currency => self.currency(measure, value, decimals),
            Unit::Count | Unit::Ratio | Unit::Number => {
                let number = self.number(value, decimals);
                match &measure.unit_label {
                    Some(label) => format!("{number} {}", view::bidi::isolate(label)),
                    None => number,
                }
            }
        }
    }

    /// A value as a chart's y axis marks it: percentages and money with their short signs
    /// (`80%`, `$1.2M`), other units as the number alone, the unit word going once above the
    /// axis ([`Formatter::axis_unit`]) – beside every tick it would not fit.
    pub(crate) fn axis_value(&self, measure: &Measure, value: f64) -> String {
        match measure.unit {
            Unit::Percent | Unit::Currency => self.value(measure, value),
            _ => self.number(value, Self::decimals(measure)),
        }
    }

    /// The unit a chart's y axis is captioned with: `minutes`, `homes`; `None` when the ticks
    /// carry it or the measure has none.
    pub(crate) fn axis_unit(&self, measure: &Measure) -> Option<String> {
        match measure.unit {
            Unit::Percent | Unit::Currency => None,
            Unit::Minutes | Unit::Hours | Unit::Days => self
                .duration_words(measure.unit)
                .map(|(_, many)| many.to_owned()),
            Unit::Count | Unit::Ratio | Unit::Number => measure.unit_label.clone(),
        }
    }

    /// The value of an observation, or "No data".
    pub(crate) fn observed(&self, measure: &Measure, observation: &Observation) -> String {
        observation
            .value
            .map_or_else(|| self.text("no_data"), |v| self.value(measure, v))
    }

    fn month_name(&self, month: time::Month) -> &'static str {
        let index = usize::from(u8::from(month)) - 1;
        if self.spanish {
            MONTHS_ES[index]
        } else {
            MONTHS_EN[index]
        }
    }

    fn short_month(&self, month: time::Month) -> String {
        self.month_name(month).chars().take(3).collect()
    }

    /// A day, medium style: `Mar 5, 2026`, `5 mar 2026`.
    pub(crate) fn day(&self, date: CalendarDate) -> String {
        let (year, month, day) = date.0.to_calendar_date();
        if self.spanish {
            format!("{day} {} {year}", self.short_month(month))
        } else {
            format!("{} {day}, {year}", self.short_month(month))
        }
    }

    /// A day, long style: `March 5, 2026`, `5 de marzo de 2026`.
    pub(crate) fn long_day(&self, date: CalendarDate) -> String {
        let (year, month, day) = date.0.to_calendar_date();
        if self.spanish {
            format!("{day} de {} de {year}", self.month_name(month))
        } else {
            format!("{} {day}, {year}", self.month_name(month))
        }
    }

    /// A month and year, short, for chart axes: `Mar 2026`.
    pub(crate) fn month(&self, date: CalendarDate) -> String {
        let (year, month, _) = date.0.to_calendar_date();
        format!("{} {year}", self.short_month(month))
    }

    /// The period an observation covers, in words: `October 2026`, `Week of Mar 2, 2026`.
    pub(crate) fn period(&self, frequency: Frequency, observation: &Observation) -> String {
        let start = observation.period_start;
        match frequency {
            Frequency::Daily => self.day(start),
            Frequency::Weekly => self.fill("week_of", &[("date", &self.day(start))]),
            Frequency::Monthly => {
                let (year, month, _) = start.0.to_calendar_date();
                if self.spanish {
                    format!("{} de {year}", self.month_name(month))
                } else {
                    format!("{} {year}", self.month_name(month))
                }
            }
            Frequency::Quarterly | Frequency::Annual => observation.period.clone(),
        }
    }

    /// A publication time (RFC 3339) as a date in words.
    pub(crate) fn updated(&self, modified: &str) -> String {
        match modified.get(..10).and_then(CalendarDate::parse) {
            Some(date) => self.long_day(date),
            None => modified.to_owned(),
        }
    }

    /// The target in words: `Target: at least 80%`.
    pub(crate) fn target(&self, measure: &Measure, target: Option<&AppliedTarget>) -> String {
        let value = |v: Option<f64>| v.map(|v| self.value(measure, v)).unwrap_or_default();
        let Some(target) = target else {
            return self.text("target_none");
        };
        let bounds = target.bounds;
        match target.kind {
            TargetKind::AtLeast => self.fill("target_at_least", &[("value", &value(bounds.value))]),
            TargetKind::AtMost => self.fill("target_at_most", &[("value", &value(bounds.value))]),
            TargetKind::Range => self.fill(
                "target_range",
                &[("low", &value(bounds.min)), ("high", &value(bounds.max))],
            ),
            TargetKind::None => self.text("target_none"),
        }
    }

    /// The status in words.
    pub(crate) fn status(&self, status: Status) -> String {
        self.text(status.as_str())
    }

    /// The change from the same period a year earlier, in words.
    pub(crate) fn trend(&self, measure: &Measure, observations: &[Observation]) -> Option<String> {
        let latest = observations.iter().rev().find(|o| o.value.is_some())?;
        let Some(change) = view::trend::year_over_year(measure.frequency, observations, latest)
        else {
            return Some(self.text("trend_none"));
        };
        let amount = if measure.unit == Unit::Percent {
            let decimals = measure.decimals.unwrap_or(1);
            let difference = change.difference.abs();
            let amount = self.number(difference, decimals);
            self.strings.plural(
                "points",
                view::strings::rounded(difference, decimals),
                &[("amount", &amount)],
            )
        } else if let Some(ratio) = change.ratio() {
            let percent = self.number(ratio.abs() * 100.0, 0);
            if self.spanish {
                format!("{percent}\u{a0}%")
            } else {
                format!("{percent}%")
            }
        } else {
            self.value(measure, change.difference.abs())
        };
        Some(if change.is_unchanged() {
            self.text("trend_same")
        } else if change.difference > 0.0 {
            self.fill("trend_up", &[("amount", &amount)])
        } else {
            self.fill("trend_down", &[("amount", &amount)])
        })
    }
}

/// `1234567` → `1,234,567` with `separator`.
fn group_thousands(digits: &str, separator: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        let locales = locales::Locales::builtin();
        let (english, spanish) = (
            locales.strings("en").unwrap(),
            locales.strings("es").unwrap(),
        );
        let en = Formatter::new(&english);
        let es = Formatter::new(&spanish);
        assert_eq!(en.number(1234567.891, 1), "1,234,567.9");
        assert_eq!(es.number(1234567.891, 1), "1.234.567,9");
        assert_eq!(es.number(1234.5, 1), "1234,5");
        assert_eq!(en.number(80.0, 1), "80");
        assert_eq!(en.number(-0.04, 1), "0");
        assert_eq!(en.number(-2.5, 1), "-2.5");
    }
}
