//! Values, periods, dates, targets and trends in words for the static pages, in any language,
//! with ICU4X and its compiled CLDR data. The widgets say the same things in the browser with
//! `Intl` (`widgets/src/format.rs`); every number and date here is formatted with the options the
//! widgets give `Intl`, so that a card upgraded in place prints the same text and keeps its size.
//! `tests/e2e/intl.mjs` compares the two in Chromium, case by case (`format/intl_cases.rs`).

use std::cell::OnceCell;

use super::strings::Strings;
use dataset::document::InterfaceStrings;
use dataset::model::{AppliedTarget, Measure, Observation, Status, TargetKind, Unit};
use dataset::{CalendarDate, Frequency};
use fixed_decimal::{Decimal, FloatPrecision, Sign, SignedRoundingMode, UnsignedRoundingMode};
use icu_calendar::{AnyCalendar, Ref};
use icu_datetime::DateTimeFormatter;
use icu_datetime::fieldsets::enums::CompositeFieldSet;
use icu_datetime::fieldsets::{YM, YMD};
use icu_datetime::input::Date;
use icu_datetime::scaffold::{
    AllAnyCalendarFormattingDataMarkers, AllInputMarkers, DateDataMarkers, DateInputMarkers,
    DateTimeMarkers, GetField, TimeMarkers, ZoneMarkers,
};
use icu_decimal::{CompactDecimalFormatter, DecimalFormatter};
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_experimental::dimension::units::categorized_formatter::CategorizedFormatter;
use icu_experimental::dimension::units::options::Width;
use icu_experimental::measure::category::{CategorizedMeasureUnit, Duration};
use icu_locale_core::{Locale, locale};
use icu_plurals::{PluralCategory, PluralRules};

#[cfg(test)]
mod intl_cases;

/// The language a tag that ICU4X cannot use is formatted in. `Intl` falls back to the browser's
/// own language, which is English in the tests; ICU4X alone would use its root data
/// ("2026 M03"), which no browser prints.
const FALLBACK: Locale = locale!("en");

/// `Intl`'s rounding: half away from zero.
const HALF_EXPAND: SignedRoundingMode =
    SignedRoundingMode::Unsigned(UnsignedRoundingMode::HalfExpand);

/// The formatters of one language, each made the first time it is needed: a page needs a few of
/// them, and a site makes a `Formatter` per language for every measure.
#[derive(Debug, Default)]
struct Formatters {
    decimal: OnceCell<Option<DecimalFormatter>>,
    compact: OnceCell<Option<CompactDecimalFormatter>>,
    percent: OnceCell<Option<PercentFormatter<DecimalFormatter>>>,
    plurals: OnceCell<Option<PluralRules>>,
    /// Minutes, hours and days, in that order, in long words.
    durations: [OnceCell<Option<CategorizedFormatter<Duration>>>; 3],
    /// `dateStyle: "medium"`.
    day: OnceCell<Option<DateTimeFormatter<YMD>>>,
    /// `dateStyle: "long"`.
    long_day: OnceCell<Option<DateTimeFormatter<YMD>>>,
    /// `month: "short", year: "numeric"`.
    month: OnceCell<Option<DateTimeFormatter<YM>>>,
    /// `month: "long", year: "numeric"`.
    long_month: OnceCell<Option<DateTimeFormatter<YM>>>,
}

/// Formats for one language (a BCP 47 tag; any language ICU4X has data for, else English), with
/// its interface strings.
#[derive(Debug)]
pub(crate) struct Formatter<'l> {
    language: &'l str,
    strings: Strings<'l>,
    locale: Locale,
    formatters: Formatters,
}

impl<'l> Formatter<'l> {
    /// A formatter for the language of `strings`.
    pub(crate) fn new(strings: &'l InterfaceStrings) -> Formatter<'l> {
        let language = strings.language.as_str();
        Formatter {
            language,
            strings: Strings::new(strings),
            locale: resolve(language),
            formatters: Formatters::default(),
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

    /// A formatter made by `make` for this language – or for English, should this language's
    /// data not make one; `None` only if neither does.
    fn load<T, E>(&self, make: impl Fn(&Locale) -> Result<T, E>) -> Option<T> {
        make(&self.locale).or_else(|_| make(&FALLBACK)).ok()
    }

    /// The formatter in `cell`, [loaded](Formatter::load) by `make` the first time.
    fn get<'a, T, E>(
        &self,
        cell: &'a OnceCell<Option<T>>,
        make: impl Fn(&Locale) -> Result<T, E>,
    ) -> Option<&'a T> {
        cell.get_or_init(|| self.load(make)).as_ref()
    }

    fn decimal_formatter(&self) -> Option<&DecimalFormatter> {
        self.get(&self.formatters.decimal, |locale| {
            DecimalFormatter::try_new(locale.into(), Default::default())
        })
    }

    /// `value` rounded to at most `decimals` places, trailing zeros dropped, with the language's
    /// digits, separators and grouping: `1,234.5`, `1234,5`, `-0` (as `Intl.NumberFormat` with
    /// `maximumFractionDigits`).
    pub(crate) fn number(&self, value: f64, decimals: u8) -> String {
        let number = rounded(decimal(value), decimals);
        self.decimal_formatter()
            .map_or_else(|| number.to_string(), |f| f.format(&number).to_string())
    }

    fn decimals(measure: &Measure) -> u8 {
        measure.decimals.unwrap_or(match measure.unit {
            Unit::Count | Unit::Currency => 0,
            Unit::Ratio => 2,
            _ => 1,
        })
    }

    /// `fraction` as a percentage with at most `decimals` places: `81.5%`, `81,5 %`.
    fn percent(&self, fraction: f64, decimals: u8) -> String {
        let mut number = decimal(fraction);
        number.multiply_pow10(2);
        let number = rounded(number, decimals);
        self.get(&self.formatters.percent, |locale| {
            PercentFormatter::try_new(locale.into(), Default::default())
        })
        .map_or_else(|| format!("{number}%"), |f| f.format(&number).to_string())
    }

    /// The long-worded formatter of a duration unit; `None` for the other units.
    fn duration(&self, unit: Unit) -> Option<&CategorizedFormatter<Duration>> {
        let (index, make): (usize, fn() -> CategorizedMeasureUnit<Duration>) = match unit {
            Unit::Minutes => (0, Duration::minute),
            Unit::Hours => (1, Duration::hour),
            Unit::Days => (2, Duration::day),
            _ => return None,
        };
        self.get(&self.formatters.durations[index], |locale| {
            CategorizedFormatter::try_new_extended(locale.into(), make(), Width::Long.into())
        })
    }

    /// Money in compact notation, `$1.2M`, `1,2 M US$`, as `Intl.NumberFormat` prints it with
    /// `notation: "compact"` and at most `decimals` fraction digits: the amount is scaled to the
    /// language's compact exponent and rounded to `decimals` places there (ICU4X's compact
    /// formatter alone keeps two significant digits, Intl's default, not the measure's places).
    fn currency(&self, code: &str, value: f64, decimals: u8) -> String {
        let amount = decimal(value);
        let compact = self.get(&self.formatters.compact, |locale| {
            CompactDecimalFormatter::try_new_short(locale.into(), Default::default())
        });
        let currency = CurrencyType::try_from_str(code).ok().and_then(|currency| {
            self.load(|locale| {
                CurrencyFormatter::try_new_compact_symbol(
                    locale.into(),
                    currency,
                    Default::default(),
                )
            })
        });
        let (Some(compact), Some(currency)) = (compact, currency) else {
            return format!("{code}\u{a0}{}", self.number(value, decimals));
        };
        let (significand, exponent) = compact_parts(compact, &amount, decimals);
        // The currency formatter places the symbol around its own compact number: format with
        // it a power of ten of the amount's magnitude, sign and compact exponent (its own
        // rounding leaves that alone), and put the number rounded as Intl rounds it in place of
        // that power of ten's digits.
        let mut unit = Decimal::from(1);
        unit.multiply_pow10(significand.nonzero_magnitude_start().max(0));
        let mut units = unit.clone();
        units.multiply_pow10(i16::from(exponent));
        units.sign = significand.sign;
        let template = currency.format_fixed_decimal(&units).to_string();
        let mut absolute = significand;
        absolute.sign = Sign::None;
        let one = compact.format_with_exponent(&unit, exponent);
        let number = compact.format_with_exponent(&absolute, exponent);
        match (one, number) {
            (Ok(one), Ok(number)) if template.contains(&one.to_string()) => {
                template.replacen(&one.to_string(), &number.to_string(), 1)
            }
            _ => currency.format_fixed_decimal(&amount).to_string(),
        }
    }

    /// A value in the measure's unit: `81.5%`, `7.2 minutes`, `$1.2M`, `1,234 homes`.
    pub(crate) fn value(&self, measure: &Measure, value: f64) -> String {
        let decimals = Self::decimals(measure);
        match measure.unit {
            Unit::Percent => self.percent(value / 100.0, decimals),
            Unit::Minutes | Unit::Hours | Unit::Days => {
                let number = rounded(decimal(value), decimals);
                self.duration(measure.unit).map_or_else(
                    || self.number(value, decimals),
                    |f| f.format_fixed_decimal(&number).to_string(),
                )
            }
            Unit::Currency => self.currency(currency_code(measure), value, decimals),
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
    /// carry it or the measure has none. A duration's word is the one CLDR puts after ten ("10
    /// minutes", "10 phút"), without the number.
    pub(crate) fn axis_unit(&self, measure: &Measure) -> Option<String> {
        match measure.unit {
            Unit::Percent | Unit::Currency => None,
            Unit::Minutes | Unit::Hours | Unit::Days => {
                let ten = Decimal::from(10);
                let words = self.duration(measure.unit)?.format_fixed_decimal(&ten);
                let number = self.decimal_formatter()?.format(&ten).to_string();
                Some(words.to_string().replacen(&number, "", 1).trim().to_owned())
            }
            Unit::Count | Unit::Ratio | Unit::Number => measure.unit_label.clone(),
        }
    }

    /// The value of an observation, or "No data".
    pub(crate) fn observed(&self, measure: &Measure, observation: &Observation) -> String {
        self.value_or_no_data(measure, observation.value)
    }

    /// A value, or "No data".
    pub(crate) fn value_or_no_data(&self, measure: &Measure, value: Option<f64>) -> String {
        value.map_or_else(|| self.text("no_data"), |v| self.value(measure, v))
    }

    /// `date` with the formatter in `cell`, made for `field_set` the first time; the ISO date
    /// should none be made (as the widgets print it when `Intl` refuses the language).
    fn date<F>(
        &self,
        date: CalendarDate,
        cell: &OnceCell<Option<DateTimeFormatter<F>>>,
        field_set: F,
    ) -> String
    where
        F: DateTimeMarkers + GetField<CompositeFieldSet> + Copy,
        F::D: DateDataMarkers + DateInputMarkers,
        F::T: TimeMarkers,
        F::Z: ZoneMarkers,
        icu_datetime::provider::Baked: AllAnyCalendarFormattingDataMarkers<F>,
        for<'a> Date<Ref<'a, AnyCalendar>>: AllInputMarkers<F>,
    {
        let (year, month, day) = date.0.to_calendar_date();
        let formatter = self.get(cell, |locale| {
            DateTimeFormatter::try_new(locale.into(), field_set)
        });
        match (formatter, Date::try_new_iso(year, u8::from(month), day)) {
            (Some(formatter), Ok(iso)) => formatter.format(&iso).to_string(),
            _ => date.to_string(),
        }
    }

    /// A day, medium style: `Mar 5, 2026`, `5 mar 2026`.
    pub(crate) fn day(&self, date: CalendarDate) -> String {
        self.date(date, &self.formatters.day, YMD::medium())
    }

    /// A day, long style: `March 5, 2026`, `5 de marzo de 2026`.
    pub(crate) fn long_day(&self, date: CalendarDate) -> String {
        self.date(date, &self.formatters.long_day, YMD::long())
    }

    /// A month and year, short, for chart axes: `Mar 2026`.
    pub(crate) fn month(&self, date: CalendarDate) -> String {
        self.date(date, &self.formatters.month, YM::medium())
    }

    /// A value as [`Formatter::value`] writes it, but without the unit word of a count or
    /// number (`4,120`, where `value` writes `4,120 homes`): for "4,120 of 6,500 homes".
    pub(crate) fn bare_value(&self, measure: &Measure, value: f64) -> String {
        match measure.unit {
            Unit::Count | Unit::Ratio | Unit::Number => self.number(value, Self::decimals(measure)),
            _ => self.value(measure, value),
        }
    }

    /// A share as a percentage with no decimals: `63%`.
    pub(crate) fn share(&self, fraction: f64) -> String {
        self.percent(fraction, 0)
    }

    /// A period label of `frequency` in words, as [`Formatter::period`] words an observation's
    /// period; the label itself when it is not one (`fiscal_year_start_month` reads fiscal
    /// labels).
    pub(crate) fn period_label(
        &self,
        frequency: Frequency,
        label: &str,
        fiscal_year_start_month: u8,
    ) -> String {
        match dataset::Period::parse(label, frequency, fiscal_year_start_month) {
            Ok(period) => self.period_starting(frequency, label, period.start()),
            Err(_) => label.to_owned(),
        }
    }

    /// The period an observation covers, in words: `October 2026`, `Week of Mar 2, 2026`.
    pub(crate) fn period(&self, frequency: Frequency, observation: &Observation) -> String {
        self.period_starting(frequency, &observation.period, observation.period_start)
    }

    /// The period labelled `label` that starts on `start`, in words.
    fn period_starting(&self, frequency: Frequency, label: &str, start: CalendarDate) -> String {
        match frequency {
            Frequency::Daily => self.day(start),
            Frequency::Weekly => self.fill("week_of", &[("date", &self.day(start))]),
            Frequency::Monthly => self.date(start, &self.formatters.long_month, YM::long()),
            Frequency::Quarterly | Frequency::Annual => label.to_owned(),
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

    /// The CLDR plural category of `count` in this language (`one`, `few`, `other` …), as
    /// `Intl.PluralRules` selects it in the widgets: on the count rounded to three places.
    pub(crate) fn plural_category(&self, count: f64) -> &'static str {
        let rules = self.get(&self.formatters.plurals, |locale| {
            PluralRules::try_new_cardinal(locale.into())
        });
        let Some(rules) = rules else {
            return "other";
        };
        match rules.category_for(&rounded(decimal(count), 3)) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
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
            let shown = view::strings::rounded(difference, decimals);
            self.strings.plural(
                "points",
                shown,
                self.plural_category(shown),
                &[("amount", &amount)],
            )
        } else if let Some(ratio) = change.ratio() {
            self.percent(ratio.abs(), 0)
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

/// The language `language` is formatted in: the tag itself when ICU4X has data for its language,
/// else [`FALLBACK`]. A language without data of its own gets ICU4X's root data, recognised by
/// its month names ("2026 M03").
fn resolve(language: &str) -> Locale {
    let Ok(locale) = Locale::try_from_str(language) else {
        return FALLBACK;
    };
    let march = |locale: &Locale| {
        let formatter = DateTimeFormatter::try_new(locale.into(), YM::long()).ok()?;
        Some(
            formatter
                .format(&Date::try_new_iso(2026, 3, 1).ok()?)
                .to_string(),
        )
    };
    if march(&locale) == march(&Locale::UNKNOWN) {
        FALLBACK
    } else {
        locale
    }
}

/// The ISO 4217 code of a money measure: its unit label when that is a code, else `USD`.
fn currency_code(measure: &Measure) -> &str {
    measure
        .unit_label
        .as_deref()
        .filter(|l| l.len() == 3 && l.bytes().all(|b| b.is_ascii_uppercase()))
        .unwrap_or("USD")
}

/// `value` as `Intl` reads a double: its shortest round-trip decimal, so that 1.005 rounds up to
/// 1.01 as in the browser. Values are finite (the dataset refuses others); a non-finite one
/// reads as zero.
fn decimal(value: f64) -> Decimal {
    Decimal::try_from_f64(value, FloatPrecision::RoundTrip).unwrap_or_default()
}

/// `number` rounded half away from zero to at most `decimals` places, without trailing zeros
/// (`minimumFractionDigits: 0`). The sign stays: `Intl` prints −0.04 to no places as `-0`.
fn rounded(mut number: Decimal, decimals: u8) -> Decimal {
    number.round_with_mode(-i16::from(decimals), HALF_EXPAND);
    // Scaling keeps the places a number had (0.815 × 100 is 081.5).
    number.trim_start();
    number.trim_end();
    number
}

/// The significand and compact exponent `Intl` prints `amount` with, in compact notation with at
/// most `decimals` fraction digits: the exponent of the amount's magnitude, or of the rounded
/// significand's when rounding carries into the next one (999,600 is `$1M`, not `$1000K`).
fn compact_parts(
    compact: &CompactDecimalFormatter,
    amount: &Decimal,
    decimals: u8,
) -> (Decimal, u8) {
    let scaled = |exponent: u8| {
        let mut significand = amount.clone();
        significand.multiply_pow10(-i16::from(exponent));
        rounded(significand, decimals)
    };
    let exponent = compact.compact_exponent_for_magnitude(amount.nonzero_magnitude_start());
    let significand = scaled(exponent);
    let carried = compact.compact_exponent_for_magnitude(
        significand.nonzero_magnitude_start() + i16::from(exponent),
    );
    if carried == exponent {
        (significand, exponent)
    } else {
        (scaled(carried), carried)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in strings of `language`, or English's relabelled for a language without
    /// them: the numbers and dates are the language's own either way.
    fn strings(language: &str) -> InterfaceStrings {
        let locales = locales::Locales::builtin();
        locales.strings(language).unwrap_or_else(|| {
            let mut english = locales.strings("en").expect("English strings are built in");
            english.language = language.to_owned();
            english
        })
    }

    #[test]
    fn numbers_follow_the_language() {
        let (english, spanish) = (strings("en"), strings("es"));
        let en = Formatter::new(&english);
        let es = Formatter::new(&spanish);
        assert_eq!(en.number(1234567.891, 1), "1,234,567.9");
        assert_eq!(es.number(1234567.891, 1), "1.234.567,9");
        assert_eq!(es.number(1234.5, 1), "1234,5");
        assert_eq!(en.number(80.0, 1), "80");
        assert_eq!(en.number(-0.04, 1), "-0");
        assert_eq!(en.number(-2.5, 1), "-2.5");
        assert_eq!(en.number(1.005, 2), "1.01");
    }

    #[test]
    fn plural_categories_follow_the_language() {
        let category =
            |language: &str, count| Formatter::new(&strings(language)).plural_category(count);
        assert_eq!(category("en", 1.0), "one");
        assert_eq!(category("en", 1.5), "other");
        assert_eq!(category("en", 0.0), "other");
        assert_eq!(category("es", 1.0), "one");
        assert_eq!(category("ja", 1.0), "other");
        assert_eq!(category("pl", 3.0), "few");
        // A tag without data, or not a tag, is English, as in a browser whose language is.
        assert_eq!(category("not a tag", 1.0), "one");
    }

    fn measure(unit: &str, decimals: Option<u8>) -> Measure {
        serde_json::from_value(serde_json::json!({
            "id": "m", "title": "M", "description": "M.", "area": "a", "department": "D",
            "unit": unit, "decimals": decimals, "frequency": "monthly",
            "direction": "higher_is_better", "target": { "kind": "none" },
            "methodology": "M.", "source": "S",
        }))
        .unwrap()
    }

    #[test]
    fn money_is_compact_with_the_measures_places() {
        let (english, spanish) = (strings("en"), strings("es"));
        let en = Formatter::new(&english);
        let es = Formatter::new(&spanish);
        let whole = measure("currency", None);
        assert_eq!(en.value(&whole, 1_234_567.0), "$1M");
        assert_eq!(en.value(&whole, 999_600.0), "$1M");
        assert_eq!(en.value(&whole, -2_500_000.0), "-$3M");
        assert_eq!(
            en.value(&measure("currency", Some(1)), 12_345_678.0),
            "$12.3M"
        );
        assert_eq!(es.value(&whole, 1_234_567_890.0), "1235\u{a0}M\u{a0}US$");
    }

    #[test]
    fn a_duration_axis_is_captioned_with_its_unit_word() {
        let minutes = measure("minutes", None);
        for (language, word) in [("en", "minutes"), ("es", "minutos"), ("vi", "phút")] {
            assert_eq!(
                Formatter::new(&strings(language))
                    .axis_unit(&minutes)
                    .unwrap(),
                word
            );
        }
        assert_eq!(
            Formatter::new(&strings("en")).value(&minutes, 1.04),
            "1 minute"
        );
    }
}
