//! Calendar dates as published: ISO 8601 `YYYY-MM-DD` in JSON and CSV, days since 1970-01-01 in
//! Parquet.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// A calendar date, serialised as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate(pub Date);

/// The Julian day number of 1970-01-01, the epoch of Arrow's `Date32`.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

impl CalendarDate {
    /// The date as it is displayed, `YYYY-MM-DD`, in ASCII, when its year has four digits (0 to
    /// 9999, the years of every period label and published date); `None` for other years.
    ///
    /// Written digit by digit, without the formatting machinery: dates are written in every row
    /// of the tables and documents, and the widgets, which compare dates with texts, carry none
    /// for dates.
    pub fn iso_ascii(self) -> Option<[u8; 10]> {
        let year = u32::try_from(self.0.year())
            .ok()
            .filter(|&year| year <= 9999)?;
        let (month, day) = (u32::from(u8::from(self.0.month())), u32::from(self.0.day()));
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
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = Month::try_from(u8::try_from(digits(5..7)?).ok()?).ok()?;
        let day = u8::try_from(digits(8..10)?).ok()?;
        Date::from_calendar_date(year, month, day)
            .ok()
            .map(CalendarDate)
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
