//! Values, periods, targets, statuses and trends in words, formatted for the reader's language
//! with the browser's `Intl`.

use std::cell::RefCell;

use dataset::model::{AppliedTarget, Measure, Observation, Status, TargetKind, Unit};
use dataset::{CalendarDate, Frequency, GoalStatus};
use js_sys::{Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::i18n::Strings;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    type NumberFormat;
    #[wasm_bindgen(constructor, js_namespace = Intl, js_class = "NumberFormat", catch)]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;
    #[wasm_bindgen(method)]
    fn format(this: &NumberFormat, value: f64) -> String;

    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    type DateTimeFormat;
    #[wasm_bindgen(constructor, js_namespace = Intl, js_class = "DateTimeFormat", catch)]
    fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;
    #[wasm_bindgen(method, js_name = format)]
    fn format_date(this: &DateTimeFormat, date: &js_sys::Date) -> String;
}

/// Options for `Intl`, set on one object as they are chosen (less code than collecting them
/// first), with the key of the formatters made with them, written as they are set.
struct Options {
    object: Object,
    key: String,
}

impl Options {
    /// Options with no fraction digits at least and `maximum` at most.
    fn digits(maximum: u8) -> Options {
        let mut options = Options {
            object: Object::new(),
            key: String::new(),
        };
        options.put("minimumFractionDigits", 0.into(), '0');
        options.put("maximumFractionDigits", maximum.into(), char::from(maximum));
        options
    }

    /// Options with the members `pairs`, whose values are texts.
    fn texts(pairs: &[(&str, &str)]) -> Options {
        let mut options = Options {
            object: Object::new(),
            key: String::new(),
        };
        options.set(pairs);
        options
    }

    /// Sets the members `pairs`, whose values are texts.
    fn set(&mut self, pairs: &[(&str, &str)]) {
        for (name, text) in pairs {
            self.put(name, JsValue::from_str(text), ' ');
            self.key.push_str(text);
        }
    }

    /// Sets the member `name` to `value`, its key written with `mark` after the name: numbers
    /// as the character of that code, so that no number formatting is needed to tell them apart.
    fn put(&mut self, name: &str, value: JsValue, mark: char) {
        let _ = Reflect::set(&self.object, &JsValue::from_str(name), &value);
        self.key.push(' ');
        self.key.push_str(name);
        self.key.push(mark);
    }
}

thread_local! {
    /// The `Intl` formatters made so far, by kind, language and options: making one takes about
    /// a hundred times as long as formatting with it, and a page of cards formats with the same
    /// few.
    static MADE: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// The formatter `make` makes for `language` (else English) with `options`, made once per page;
/// `kind` tells formatters of different types apart.
fn made(
    kind: &str,
    language: &str,
    options: &Options,
    make: fn(&str, &Object) -> Result<JsValue, JsValue>,
) -> Option<JsValue> {
    let mut key = kind.to_owned();
    key.push_str(language);
    key.push_str(&options.key);
    // `try_with` and `try_borrow_mut` rather than `with` and `borrow_mut`, whose failure
    // messages take more code than this; without the cache, the formatter is made again.
    let found = MADE.try_with(|made| {
        let made = made.try_borrow().ok()?;
        let (_, formatter) = made.iter().find(|(at, _)| *at == key)?;
        Some(formatter.clone())
    });
    if let Ok(Some(formatter)) = found {
        return Some(formatter);
    }
    let formatter = make(language, &options.object)
        .or_else(|_| make("en", &options.object))
        .ok()?;
    let _ = MADE.try_with(|made| {
        if let Ok(mut made) = made.try_borrow_mut() {
            made.push((key, formatter.clone()));
        }
    });
    Some(formatter)
}

/// `date` as `YYYY-MM-DD`, for where the browser formats no dates; empty for a year of other than
/// four digits.
fn iso_text(date: CalendarDate) -> String {
    match date.iso_ascii() {
        Some(ascii) => ascii.iter().map(|&byte| char::from(byte)).collect(),
        None => String::new(),
    }
}

/// Formats values, periods and dates for one language.
pub(crate) struct Formatter {
    strings: Strings,
}

impl Formatter {
    /// A formatter for the language of `strings`.
    pub(crate) fn new(strings: Strings) -> Formatter {
        Formatter { strings }
    }

    /// The interface strings.
    pub(crate) fn strings(&self) -> &Strings {
        &self.strings
    }

    /// `value` formatted with the `Intl.NumberFormat` `options` make, in this language (or in
    /// English, when the browser does not know it); empty when neither can.
    fn number(&self, value: f64, options: &Options) -> String {
        made(
            "n",
            self.strings.language(),
            options,
            |language, options| NumberFormat::new(language, options).map(Into::into),
        )
        .map_or_else(String::new, |format| {
            format.unchecked_into::<NumberFormat>().format(value)
        })
    }

    /// A value in the measure's unit: `81.5%`, `7.2 minutes`, `$1.2M`, `1,234 homes`.
    pub(crate) fn value(&self, measure: &Measure, value: f64) -> String {
        let mut text = self.bare_value(measure, value);
        // Pushed rather than `format!`ted: less code at the call.
        if let (Unit::Count | Unit::Number | Unit::Ratio, Some(label)) =
            (&measure.unit, &measure.unit_label)
        {
            text.push(' ');
            text.push_str(&view::bidi::isolate(label));
        }
        text
    }

    /// A value as [`Formatter::value`] writes it, without the unit word of a count or number
    /// (`4,120` where `value` writes `4,120 homes`): for "4,120 of 6,500 homes".
    pub(crate) fn bare_value(&self, measure: &Measure, value: f64) -> String {
        self.unit_value(measure, value, "long")
    }

    /// A y tick's value, short enough for the axis's column: durations with their short unit
    /// (`3.5 min`), counts without their unit word (the chart's label and table say it).
    pub(crate) fn axis_value(&self, measure: &Measure, value: f64) -> String {
        self.unit_value(measure, value, "short")
    }

    /// A value as [`Formatter::bare_value`] writes it, a duration's unit at `display` (`long`,
    /// `short`).
    fn unit_value(&self, measure: &Measure, value: f64, display: &str) -> String {
        let mut options = Options::digits(measure.decimals.unwrap_or(match measure.unit {
            Unit::Count | Unit::Currency => 0,
            Unit::Ratio => 2,
            _ => 1,
        }));
        let mut unit = |name: &str| {
            options.set(&[("style", "unit"), ("unit", name), ("unitDisplay", display)]);
        };
        let value = match measure.unit {
            Unit::Percent => {
                options.set(&[("style", "percent")]);
                value / 100.0
            }
            Unit::Minutes => {
                unit("minute");
                value
            }
            Unit::Hours => {
                unit("hour");
                value
            }
            Unit::Days => {
                unit("day");
                value
            }
            Unit::Currency => {
                let code = measure
                    .unit_label
                    .as_deref()
                    .filter(|l| l.len() == 3 && l.bytes().all(|b| b.is_ascii_uppercase()))
                    .unwrap_or("USD");
                options.set(&[
                    ("style", "currency"),
                    ("currency", code),
                    ("notation", "compact"),
                ]);
                value
            }
            Unit::Count | Unit::Ratio | Unit::Number => value,
        };
        self.number(value, &options)
    }

    /// A plain number with up to `decimals` places, for differences.
    fn plain(&self, value: f64, decimals: u8) -> String {
        self.number(value, &Options::digits(decimals))
    }

    fn date(&self, date: CalendarDate, pairs: &[(&str, &str)]) -> String {
        let mut options = Options::texts(pairs);
        options.set(&[("timeZone", "UTC")]);
        // Midnight UTC of the day, in milliseconds since 1970-01-01 (no date text to format).
        let milliseconds = f64::from(date.days_since_epoch()) * 86_400_000.0;
        let js_date = js_sys::Date::new(&JsValue::from(milliseconds));
        made(
            "d",
            self.strings.language(),
            &options,
            |language, options| DateTimeFormat::new(language, options).map(Into::into),
        )
        .map_or_else(
            || iso_text(date),
            |format| {
                format
                    .unchecked_into::<DateTimeFormat>()
                    .format_date(&js_date)
            },
        )
    }

    /// A day, medium style: "Mar 5, 2026".
    pub(crate) fn day(&self, date: CalendarDate) -> String {
        self.date(date, &[("dateStyle", "medium")])
    }

    /// The period an observation covers, in words: "October 2026", "Week of Mar 2, 2026".
    pub(crate) fn period(&self, frequency: Frequency, observation: &Observation) -> String {
        self.period_starting(frequency, &observation.period, observation.period_start)
    }

    /// The period of `frequency` labelled `label` that ends on `end`, in words, as
    /// [`Formatter::period`] words an observation's. Its start is found from its end, without
    /// parsing the label (which would bring the label parser into the package).
    pub(crate) fn period_ending(
        &self,
        frequency: Frequency,
        label: &str,
        end: CalendarDate,
    ) -> String {
        match frequency.start_of_period_ending(end) {
            Some(start) => self.period_starting(frequency, label, start),
            None => label.to_owned(),
        }
    }

    /// The period labelled `label` that starts on `start`, in words.
    fn period_starting(&self, frequency: Frequency, label: &str, start: CalendarDate) -> String {
        match frequency {
            Frequency::Daily => self.day(start),
            Frequency::Weekly => self.strings.fill("week_of", &[("date", &self.day(start))]),
            Frequency::Monthly => self.date(start, &[("month", "long"), ("year", "numeric")]),
            Frequency::Quarterly | Frequency::Annual => label.to_owned(),
        }
    }

    /// A share as a percentage without decimals: `63%`.
    pub(crate) fn share(&self, fraction: f64) -> String {
        let mut options = Options::digits(0);
        options.set(&[("style", "percent")]);
        self.number(fraction, &options)
    }

    /// A month and year, short: "Mar 2026".
    pub(crate) fn month(&self, date: CalendarDate) -> String {
        self.date(date, &[("month", "short"), ("year", "numeric")])
    }

    /// A publication time (RFC 3339) as a date in words.
    pub(crate) fn updated(&self, modified: &str) -> String {
        match modified.get(..10).and_then(CalendarDate::parse) {
            Some(date) => self.date(date, &[("dateStyle", "long")]),
            None => modified.to_owned(),
        }
    }

    /// The target in words: "Target: at least 80%".
    pub(crate) fn target(&self, measure: &Measure, target: Option<&AppliedTarget>) -> String {
        let value = |v: Option<f64>| v.map(|v| self.value(measure, v)).unwrap_or_default();
        match target {
            None => self.strings.get("target_none"),
            Some(target) => {
                let bounds = target.bounds;
                match target.kind {
                    TargetKind::AtLeast => self
                        .strings
                        .fill("target_at_least", &[("value", &value(bounds.value))]),
                    TargetKind::AtMost => self
                        .strings
                        .fill("target_at_most", &[("value", &value(bounds.value))]),
                    TargetKind::Range => self.strings.fill(
                        "target_range",
                        &[("low", &value(bounds.min)), ("high", &value(bounds.max))],
                    ),
                    TargetKind::None => self.strings.get("target_none"),
                }
            }
        }
    }

    /// The status in words.
    pub(crate) fn status(&self, status: Status) -> String {
        self.strings.get(status.as_str())
    }

    /// A goal's standing in words: "On pace".
    pub(crate) fn goal_status(&self, status: GoalStatus) -> String {
        self.strings.get(&("goal_".to_owned() + status.as_str()))
    }

    /// The change from the same period a year earlier, in words: "Up 3 points from a year
    /// earlier" for percentages, "Down 12% from a year earlier" otherwise.
    pub(crate) fn trend(
        &self,
        measure: &Measure,
        observations: &[Observation],
        latest: &Observation,
    ) -> String {
        let Some(change) = view::trend::year_over_year(measure.frequency, observations, latest)
        else {
            return self.strings.get("trend_none");
        };
        let amount = if measure.unit == Unit::Percent {
            let decimals = measure.decimals.unwrap_or(1);
            let difference = change.difference.abs();
            self.strings.plural(
                "points",
                view::strings::rounded(difference, decimals),
                &[("amount", &self.plain(difference, decimals))],
            )
        } else if let Some(ratio) = change.ratio() {
            self.share(ratio.abs())
        } else {
            self.value(measure, change.difference.abs())
        };
        if change.is_unchanged() {
            self.strings.get("trend_same")
        } else if change.difference > 0.0 {
            self.strings.fill("trend_up", &[("amount", &amount)])
        } else {
            self.strings.fill("trend_down", &[("amount", &amount)])
        }
    }
}
