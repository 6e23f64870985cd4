//! Calendar dates as published: ISO 8601 `YYYY-MM-DD` in JSON and CSV, days since 1970-01-01 in
//! Parquet.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

/// A calendar date, serialised as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate(pub Date);

/// The Julian day number of 1970-01-01, the epoch of Arrow's `Date32`.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

// Dates from labels and labels from dates are worked out on day numbers (days since
// 1970-01-01) with the proleptic Gregorian calendar's arithmetic, counting years from March so
// that the leap day ends them: the widgets read every period's dates from its label, and
// `time`'s calendar functions were kilobytes of their package.

/// Days from 0000-03-01 to 1970-01-01.
const MARCH_0000_TO_EPOCH: i32 = 719_468;

/// Days in 400 Gregorian years, after which the calendar repeats.
const DAYS_IN_400_YEARS: i32 = 146_097;

/// The day number of the first day of the month `months` after January of year 0 (before it
/// when negative): year `y`'s month `m` (1–12) is `12 * y + m - 1`.
pub(crate) fn first_of_month(months: i32) -> i32 {
    let from_march = months - 2;
    let (year, month) = (from_march.div_euclid(12), from_march.rem_euclid(12));
    let year_of_era = year.rem_euclid(400);
    year.div_euclid(400) * DAYS_IN_400_YEARS + year_of_era * 365 + year_of_era / 4
        - year_of_era / 100
        + (153 * month + 2) / 5
        - MARCH_0000_TO_EPOCH
}

/// The number written as `text`: one to four ASCII digits, as every number in a date or a
/// period label is. By hand: the widgets read dates and labels, and `u32`'s parser was more
/// code than this.
pub(crate) fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 {
        return None;
    }
    text.bytes().try_fold(0, |number, byte| {
        byte.is_ascii_digit()
            .then(|| number * 10 + u32::from(byte - b'0'))
    })
}

/// The month of the day number `days`, counted as [`first_of_month`] counts them, and the day
/// of that month (1–31).
pub(crate) fn month_and_day(days: i32) -> (i32, i32) {
    let days = days + MARCH_0000_TO_EPOCH;
    let day_of_era = days.rem_euclid(DAYS_IN_400_YEARS);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524
        - day_of_era / (DAYS_IN_400_YEARS - 1))
        / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months from March.
    let month = (5 * day_of_year + 2) / 153;
    let year = days.div_euclid(DAYS_IN_400_YEARS) * 400 + year_of_era;
    (
        12 * year + month + 2,
        day_of_year - (153 * month + 2) / 5 + 1,
    )
}

impl CalendarDate {
    /// The date as it is displayed, `YYYY-MM-DD`, in ASCII, when its year has four digits (0 to
    /// 9999, the years of every period label and published date); `None` for other years.
    ///
    /// Written digit by digit, without the formatting machinery: dates are written in every row
    /// of the tables and documents, and the widgets, which compare dates with texts, carry none
    /// for dates.
    pub fn iso_ascii(self) -> Option<[u8; 10]> {
        let (year, month, day) = self.year_month_day();
        let year = u32::try_from(year).ok().filter(|&year| year <= 9999)?;
        let digit = |n: u32| b'0' + (n % 10) as u8;
        Some([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }

    /// The date `days` after 1970-01-01 (Arrow's `Date32`), if it is representable.
    pub fn from_days_since_epoch(days: i32) -> Option<CalendarDate> {
        Date::from_julian_day(days.checked_add(UNIX_EPOCH_JULIAN_DAY)?)
            .ok()
            .map(CalendarDate)
    }

    /// Days since 1970-01-01, the value of an Arrow `Date32`.
    pub fn days_since_epoch(self) -> i32 {
        self.0.to_julian_day() - UNIX_EPOCH_JULIAN_DAY
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<CalendarDate> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| digits(text.get(range).unwrap_or_default());
        CalendarDate::from_year_month_day(number(0..4)? as i32, number(5..7)?, number(8..10)?)
    }

    /// The date `year`-`month`-`day`, if the month (1–12) has that day and the date is
    /// representable (years -9999 to 9999).
    pub fn from_year_month_day(year: i32, month: u32, day: u32) -> Option<CalendarDate> {
        if !(-9999..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day)
        {
            return None;
        }
        let months = year * 12 + month as i32 - 1;
        let date = first_of_month(months) + day as i32 - 1;
        if date >= first_of_month(months + 1) {
            return None;
        }
        CalendarDate::from_days_since_epoch(date)
    }

    /// The date's year, month (1–12) and day (1–31).
    pub fn year_month_day(self) -> (i32, u32, u32) {
        let (months, day) = month_and_day(self.days_since_epoch());
        (
            months.div_euclid(12),
            months.rem_euclid(12) as u32 + 1,
            day as u32,
        )
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iso_ascii() {
            Some(text) => f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?),
            None => {
                let (year, month, day) = self.0.to_calendar_date();
                write!(f, "{year:04}-{:02}-{day:02}", u8::from(month))
            }
        }
    }
}

impl Serialize for CalendarDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        CalendarDate::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a YYYY-MM-DD date")))
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for CalendarDate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CalendarDate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "A calendar date, YYYY-MM-DD."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_as_iso_8601_in_every_year() {
        // From 9 BC to AD 10000: the years of four digits and both sides of them.
        for days in (-720_000..3_000_000).step_by(997) {
            let Some(date) = CalendarDate::from_days_since_epoch(days) else {
                continue;
            };
            let (year, month, day) = date.0.to_calendar_date();
            let expected = format!("{year:04}-{:02}-{day:02}", u8::from(month));
            assert_eq!(date.to_string(), expected);
            let four_digits = (0..=9999).contains(&year).then_some(expected.as_bytes());
            assert_eq!(
                date.iso_ascii().as_ref().map(|ascii| &ascii[..]),
                four_digits
            );
        }
        assert_eq!(
            CalendarDate::from_days_since_epoch(2_932_896)
                .unwrap()
                .to_string(),
            "9999-12-31"
        );
    }

    #[test]
    fn day_numbers_agree_with_the_calendar() {
        // Every day `time` represents, -9999-01-01 to 9999-12-31.
        let (first, last) = (-4_371_587, 2_932_896);
        assert_eq!(CalendarDate::from_days_since_epoch(first - 1), None);
        assert_eq!(CalendarDate::from_days_since_epoch(last + 1), None);
        for days in first..=last {
            let date = CalendarDate::from_days_since_epoch(days).unwrap();
            let (year, month, day) = date.0.to_calendar_date();
            let (month, day) = (u32::from(u8::from(month)), u32::from(day));
            assert_eq!(date.year_month_day(), (year, month, day), "{date}");
            assert_eq!(
                CalendarDate::from_year_month_day(year, month, day),
                Some(date)
            );
            if day == 1 {
                assert_eq!(first_of_month(year * 12 + month as i32 - 1), days, "{date}");
            }
        }
        for (year, month, day) in [
            (2026, 2, 29),
            (1900, 2, 29),
            (2026, 4, 31),
            (2026, 1, 0),
            (2026, 1, 32),
            (2026, 0, 1),
            (2026, 13, 1),
            (-10_000, 12, 31),
            (10_000, 1, 1),
            (i32::MAX, 1, 1),
        ] {
            assert_eq!(
                CalendarDate::from_year_month_day(year, month, day),
                None,
                "{year}-{month}-{day}"
            );
        }
        assert!(CalendarDate::from_year_month_day(2000, 2, 29).is_some());
    }

    #[test]
    fn digits_are_one_to_four() {
        assert_eq!(digits("0"), Some(0));
        assert_eq!(digits("0042"), Some(42));
        assert_eq!(digits("9999"), Some(9999));
        for text in ["", "12345", "1a", "+1", " 1", "１"] {
            assert_eq!(digits(text), None, "{text}");
        }
    }

    #[test]
    fn epoch_days() {
        let epoch = CalendarDate::parse("1970-01-01").unwrap();
        assert_eq!(epoch.days_since_epoch(), 0);
        let date = CalendarDate::parse("2026-03-05").unwrap();
        assert_eq!(date.days_since_epoch(), 20_517);
        assert_eq!(CalendarDate::from_days_since_epoch(20_517), Some(date));
        assert_eq!(date.to_string(), "2026-03-05");
        assert_eq!(CalendarDate::parse("2026-02-30"), None);
        assert_eq!(CalendarDate::parse("2026-3-05"), None);
    }
}
