//! The dataset's calendar: its time zone, which decides the local day of an instant, and its
//! holidays, which business days skip.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone,
};
use chrono_tz::Tz;
use dataset::{CalendarDate, Frequency, Period};

/// A moment as records write it: an instant, or a whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment {
    /// Microseconds since the Unix epoch, UTC.
    Instant(i64),
    /// A calendar day, without a time.
    Day(NaiveDate),
}

/// The time zone and holidays of a dataset.
#[derive(Debug, Clone)]
pub(crate) struct Calendar {
    /// The IANA time zone.
    pub(crate) zone: Tz,
    /// Holidays, sorted.
    holidays: Vec<NaiveDate>,
}

impl Calendar {
    /// The calendar of time zone `zone` with `holidays` (in any order).
    pub(crate) fn new(zone: Tz, holidays: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        let mut holidays: Vec<NaiveDate> = holidays.into_iter().collect();
        holidays.sort_unstable();
        holidays.dedup();
        Calendar { zone, holidays }
    }

    /// The holidays, sorted.
    #[cfg(feature = "distributed")]
    pub(crate) fn holidays(&self) -> &[NaiveDate] {
        &self.holidays
    }

    /// The local day of an instant (microseconds since the epoch).
    pub(crate) fn local_day(&self, micros: i64) -> NaiveDate {
        let utc = DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::UNIX_EPOCH);
        utc.with_timezone(&self.zone).date_naive()
    }

    /// An instant (microseconds since the epoch) as RFC 3339 in the time zone, with fractions of
    /// a second only when it has them: `2026-12-04T18:32:00-08:00`.
    pub(crate) fn rfc3339(&self, micros: i64) -> String {
        let utc = DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::UNIX_EPOCH);
        utc.with_timezone(&self.zone)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
    }

    /// The day a moment falls on, in the time zone.
    pub(crate) fn day(&self, moment: Moment) -> NaiveDate {
        match moment {
            Moment::Instant(micros) => self.local_day(micros),
            Moment::Day(day) => day,
        }
    }

    /// The instant of a moment: a day is its local midnight.
    pub(crate) fn instant(&self, moment: Moment) -> i64 {
        match moment {
            Moment::Instant(micros) => micros,
            Moment::Day(day) => self.local_instant(day.and_time(chrono::NaiveTime::MIN)),
        }
    }

    /// The instant of a local time without an offset. In the hour the clocks go back, a local
    /// time happens twice: the first is taken. In the hour they skip, none happens: the time is
    /// read with the offset before the change, which lands it after the gap, as a clock that
    /// was not yet moved forward would have written it.
    pub(crate) fn local_instant(&self, local: NaiveDateTime) -> i64 {
        match self.zone.from_local_datetime(&local) {
            LocalResult::Single(time) | LocalResult::Ambiguous(time, _) => time.timestamp_micros(),
            LocalResult::None => {
                let before = self
                    .zone
                    .from_local_datetime(&(local - Duration::hours(3)))
                    .earliest()
                    .map_or(0, |t| t.offset().fix().local_minus_utc());
                (local - Duration::seconds(i64::from(before)))
                    .and_utc()
                    .timestamp_micros()
            }
        }
    }

    /// Reads a moment written as text: an RFC 3339 time with an offset (`Z`, `-07:00`) is an
    /// instant; a date and time without one (`2026-03-08 02:30`, `T` or space, seconds and
    /// fractions optional) is local time; a bare `YYYY-MM-DD` is a day. `None` otherwise.
    pub(crate) fn parse(&self, text: &str) -> Option<Moment> {
        let text = text.trim();
        if text.len() == 10 {
            return NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(Moment::Day);
        }
        match parse_common(text.as_bytes()) {
            Some(Common::Local(local)) => Some(Moment::Instant(self.local_instant(local))),
            Some(Common::Offset(wall, east)) => Some(Moment::Instant(
                (wall - Duration::seconds(i64::from(east)))
                    .and_utc()
                    .timestamp_micros(),
            )),
            None => self.parse_any(text),
        }
    }

    /// [`Calendar::parse`] of every form, the slow way: chrono's parsers, one after another.
    fn parse_any(&self, text: &str) -> Option<Moment> {
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Some(Moment::Instant(time.timestamp_micros()));
        }
        // RFC 3339 wants a `T`; records often have a space, and sometimes no seconds.
        for format in [
            "%Y-%m-%d %H:%M:%S%.f%:z",
            "%Y-%m-%d %H:%M:%S%.f%#z",
            "%Y-%m-%dT%H:%M%:z",
            "%Y-%m-%d %H:%M%:z",
        ] {
            if let Ok(time) = DateTime::parse_from_str(text, format) {
                return Some(Moment::Instant(time.timestamp_micros()));
            }
        }
        if let Some(utc) = text.strip_suffix(['Z', 'z'])
            && let Some(local) = parse_naive(utc)
        {
            return Some(Moment::Instant(local.and_utc().timestamp_micros()));
        }
        parse_naive(text).map(|local| Moment::Instant(self.local_instant(local)))
    }

    /// Business days after day `a` up to and including day `b`: numpy's
    /// `busday_count(a + 1, b + 1, holidays=…)`, negative when `b` is before `a`.
    pub(crate) fn business_days(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return -self.business_days_between(b, a);
        }
        self.business_days_between(a, b)
    }

    /// Business days in `(a, b]`, for `a <= b`: whole weeks at five each, then the days left.
    fn business_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        let days = (b - a).num_days();
        let (weeks, rest) = (days / 7, days % 7);
        let mut count = weeks * 5;
        let mut day = a + Duration::days(weeks * 7);
        for _ in 0..rest {
            day = day.succ_opt().unwrap_or(day);
            if day.weekday().num_days_from_monday() < 5 {
                count += 1;
            }
        }
        let (first, last) = (a.succ_opt().unwrap_or(a), b);
        let start = self.holidays.partition_point(|h| *h < first);
        let end = self.holidays.partition_point(|h| *h <= last);
        let weekday_holidays = self.holidays[start..end]
            .iter()
            .filter(|h| h.weekday().num_days_from_monday() < 5)
            .count();
        count - i64::try_from(weekday_holidays).unwrap_or(0)
    }
}

/// A moment in one of the shapes records mostly use, read byte by byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Common {
    /// A local time without an offset.
    Local(NaiveDateTime),
    /// A wall time and its offset, in seconds east of UTC.
    Offset(NaiveDateTime, i32),
}

/// Reads the shapes most records use – `2026-03-08 14:30`, `2026-03-08T14:30:00`, either with a
/// fraction of a second and then `Z`, `±HH:MM` or (after a space) `±HH` – without chrono's
/// format machinery, since the engine reads every timestamp of a table for every measure.
/// `None` for any other shape, and for a date or time that does not exist, which
/// [`Calendar::parse_any`] then reads (or refuses) as it always has.
fn parse_common(text: &[u8]) -> Option<Common> {
    fn number(digits: &[u8]) -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    }
    if text.len() < 16 || text[4] != b'-' || text[7] != b'-' || text[13] != b':' {
        return None;
    }
    let separator = text[10];
    if separator != b'T' && separator != b' ' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(&text[0..4])?).ok()?,
        number(&text[5..7])?,
        number(&text[8..10])?,
    )?;
    let (hour, minute) = (number(&text[11..13])?, number(&text[14..16])?);
    let mut rest = &text[16..];
    let (mut second, mut micro) = (0, 0);
    let with_seconds = rest.first() == Some(&b':');
    if with_seconds {
        second = number(rest.get(1..3)?)?;
        rest = &rest[3..];
        if rest.first() == Some(&b'.') {
            let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if !(1..=9).contains(&digits) {
                return None;
            }
            let fraction = number(&rest[1..=digits])?;
            // To microseconds, truncating as chrono does.
            micro = if digits <= 6 {
                fraction * 10u32.pow(6 - digits as u32)
            } else {
                fraction / 10u32.pow(digits as u32 - 6)
            };
            rest = &rest[1 + digits..];
        }
    }
    let wall = date.and_time(chrono::NaiveTime::from_hms_micro_opt(
        hour, minute, second, micro,
    )?);
    let signed = |sign: u8, hours: u32, minutes: u32| {
        let east = i32::try_from(hours * 3600 + minutes * 60).ok()?;
        (hours < 24 && minutes < 60).then_some(if sign == b'-' { -east } else { east })
    };
    match rest {
        [] => Some(Common::Local(wall)),
        [b'Z' | b'z'] => Some(Common::Offset(wall, 0)),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let east = signed(*sign, number(&[*h1, *h2])?, number(&[*m1, *m2])?)?;
            Some(Common::Offset(wall, east))
        }
        // PostgreSQL's `+00`, after seconds and a space.
        [sign @ (b'+' | b'-'), h1, h2] if with_seconds && separator == b' ' => {
            let east = signed(*sign, number(&[*h1, *h2])?, 0)?;
            Some(Common::Offset(wall, east))
        }
        _ => None,
    }
}

/// A local date and time without an offset: `T` or a space, seconds and fractions optional.
fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .into_iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

/// The dataset's date of a chrono date.
pub(crate) fn calendar_date(day: NaiveDate) -> Option<CalendarDate> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    CalendarDate::from_days_since_epoch(i32::try_from((day - epoch).num_days()).ok()?)
}

/// How a measure's periods are labelled: its frequency, and the fiscal year's first month for
/// fiscal quarters and years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PeriodStyle {
    /// The measure's frequency.
    pub(crate) frequency: Frequency,
    /// The fiscal year's first month, for fiscal labels.
    pub(crate) fiscal_year_start_month: Option<u8>,
}

impl PeriodStyle {
    /// The period containing `day`.
    pub(crate) fn period(self, day: NaiveDate) -> Option<Period> {
        Period::containing(
            calendar_date(day)?,
            self.frequency,
            self.fiscal_year_start_month,
        )
    }

    /// The style's code in the generated SQL: the frequency, then the fiscal month if any.
    pub(crate) fn code(self) -> String {
        match self.fiscal_year_start_month {
            Some(month) => format!("{}:{month}", self.frequency.as_str()),
            None => self.frequency.as_str().to_owned(),
        }
    }

    /// The style a code of [`PeriodStyle::code`] names.
    pub(crate) fn from_code(code: &str) -> Option<PeriodStyle> {
        let (frequency, fiscal) = match code.split_once(':') {
            Some((frequency, month)) => (frequency, Some(month.parse().ok()?)),
            None => (code, None),
        };
        let frequency = Frequency::ALL
            .into_iter()
            .find(|f| f.as_str() == frequency)?;
        Some(PeriodStyle {
            frequency,
            fiscal_year_start_month: fiscal,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn seattle() -> Calendar {
        Calendar::new(
            chrono_tz::America::Los_Angeles,
            [day("2026-01-19"), day("2026-01-01")],
        )
    }

    #[test]
    fn business_days_follow_numpy() {
        let calendar = seattle();
        // Friday to the next Tuesday: Monday and Tuesday.
        assert_eq!(
            calendar.business_days(day("2026-01-09"), day("2026-01-13")),
            2
        );
        // The Monday holiday (Martin Luther King Jr. Day) does not count.
        assert_eq!(
            calendar.business_days(day("2026-01-16"), day("2026-01-20")),
            1
        );
        assert_eq!(
            calendar.business_days(day("2026-01-13"), day("2026-01-13")),
            0
        );
        assert_eq!(
            calendar.business_days(day("2026-01-13"), day("2026-01-09")),
            -2
        );
        // Against a day-by-day count over every pair in two months.
        let start = day("2025-12-20");
        for i in 0..60 {
            for j in i..60 {
                let (a, b) = (start + Duration::days(i), start + Duration::days(j));
                // A business day is a weekday that is not a holiday.
                let counted = (i + 1..=j)
                    .map(|k| start + Duration::days(k))
                    .filter(|d| d.weekday().num_days_from_monday() < 5)
                    .filter(|d| ![day("2026-01-01"), day("2026-01-19")].contains(d))
                    .count() as i64;
                assert_eq!(calendar.business_days(a, b), counted, "{a} to {b}");
            }
        }
    }

    #[test]
    fn text_is_an_instant_with_an_offset_and_local_time_without() {
        let calendar = seattle();
        let instant = |text| match calendar.parse(text) {
            Some(Moment::Instant(micros)) => DateTime::from_timestamp_micros(micros)
                .unwrap()
                .to_rfc3339(),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(instant("2026-01-05T08:00:00Z"), "2026-01-05T08:00:00+00:00");
        assert_eq!(
            instant("2026-01-05 08:00:00-05:00"),
            "2026-01-05T13:00:00+00:00"
        );
        // Local time in Seattle: eight hours behind UTC in winter, seven in summer.
        assert_eq!(instant("2026-01-05 08:00"), "2026-01-05T16:00:00+00:00");
        assert_eq!(
            instant("2026-07-05T08:00:00.5"),
            "2026-07-05T15:00:00.500+00:00"
        );
        // 1:30 happens twice on 1 November 2026: the first, still on daylight time.
        assert_eq!(instant("2026-11-01 01:30"), "2026-11-01T08:30:00+00:00");
        // 2:30 never happens on 8 March 2026: read on standard time, it is 3:30 daylight time.
        assert_eq!(instant("2026-03-08 02:30"), "2026-03-08T10:30:00+00:00");
        assert_eq!(
            calendar.parse("2026-03-08"),
            Some(Moment::Day(day("2026-03-08")))
        );
        assert_eq!(calendar.parse("next Tuesday"), None);
    }

    /// The fast reading of the common shapes gives what chrono's parsers give, for every shape
    /// records write and for dates and times that do not exist.
    #[test]
    fn the_common_shapes_read_as_the_general_parser_reads_them() {
        let calendar = seattle();
        let mut rng = fastrand::Rng::with_seed(0x2026_1205);
        let zulu = |t: NaiveDateTime, f: &str| t.format(f).to_string();
        let mut checked = 0;
        for _ in 0..20_000 {
            let day = NaiveDate::from_ymd_opt(rng.i32(1990..2040), 1, 1).unwrap()
                + Duration::days(rng.i64(0..366));
            let time = day.and_hms_micro_opt(
                rng.u32(0..24),
                rng.u32(0..60),
                rng.u32(0..60),
                rng.u32(0..1_000_000),
            );
            let Some(time) = time else { continue };
            let offset = format!(
                "{}{:02}:{:02}",
                if rng.bool() { '+' } else { '-' },
                rng.u32(0..15),
                [0, 30, 45][rng.usize(0..3)]
            );
            for text in [
                zulu(time, "%Y-%m-%d %H:%M:%S"),
                zulu(time, "%Y-%m-%dT%H:%M:%S"),
                zulu(time, "%Y-%m-%d %H:%M"),
                zulu(time, "%Y-%m-%dT%H:%M"),
                zulu(time, "%Y-%m-%d %H:%M:%S%.3f"),
                zulu(time, "%Y-%m-%dT%H:%M:%S%.6fZ"),
                zulu(time, "%Y-%m-%dT%H:%M:%S%.9f"),
                zulu(time, "%Y-%m-%dT%H:%M:%SZ"),
                zulu(time, "%Y-%m-%d %H:%M:%Sz"),
                format!("{}{offset}", zulu(time, "%Y-%m-%dT%H:%M:%S")),
                format!(
                    "{}.{:02}{offset}",
                    zulu(time, "%Y-%m-%d %H:%M:%S"),
                    time.and_utc().timestamp_subsec_micros() / 10_000
                ),
                format!("{}{offset}", zulu(time, "%Y-%m-%d %H:%M")),
                format!("{}{}", zulu(time, "%Y-%m-%d %H:%M:%S"), &offset[..3]),
            ] {
                assert_eq!(calendar.parse(&text), calendar.parse_any(&text), "{text}");
                checked += 1;
            }
        }
        for text in [
            "2025-02-29 10:00:00",
            "2025-13-01 10:00",
            "2025-01-01 24:00",
            "2025-01-01 23:59:60",
            "2025-01-01 10:00:00.",
            "2025-01-01 10:00:00.1234567891",
            "2025-01-01 10:00:00+25:00",
            "2025-01-01T10:00:00+07",
            "2025-01-01T10:00:00+0700",
            "2025-01-01 10:00:00 +07:00",
            "2025-1-01 10:00",
            "+2025-01-01 10:00",
            "2025-01-01X10:00",
        ] {
            assert_eq!(calendar.parse(text), calendar.parse_any(text), "{text}");
        }
        assert!(checked > 200_000);
    }

    #[test]
    fn an_instant_falls_on_its_local_day() {
        let calendar = seattle();
        let Some(Moment::Instant(micros)) = calendar.parse("2026-04-01T06:59:59Z") else {
            panic!()
        };
        assert_eq!(calendar.local_day(micros), day("2026-03-31"));
        let style = PeriodStyle {
            frequency: Frequency::Quarterly,
            fiscal_year_start_month: None,
        };
        assert_eq!(
            style.period(calendar.local_day(micros)).unwrap().label(),
            "2026-Q1"
        );
        assert_eq!(PeriodStyle::from_code(&style.code()), Some(style));
        let fiscal = PeriodStyle {
            frequency: Frequency::Annual,
            fiscal_year_start_month: Some(7),
        };
        assert_eq!(PeriodStyle::from_code(&fiscal.code()), Some(fiscal));
    }
}
