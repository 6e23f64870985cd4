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
        let (year, month, day) = self.0.to_calendar_date();
        write!(f, "{year:04}-{:02}-{day:02}", u8::from(month))
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
