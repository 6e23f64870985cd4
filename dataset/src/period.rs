//! Reporting periods: parsing the labels department staff write, and the dates they cover.
//!
//! Labels follow the measure's frequency:
//!
//! | frequency | calendar label | fiscal label |
//! |-----------|----------------|--------------|
//! | daily     | `2026-03-05`   |              |
//! | weekly    | `2026-W10` (ISO 8601 week) | |
//! | monthly   | `2026-03`      |              |
//! | quarterly | `2026-Q1`      | `FY2026-Q1`  |
//! | annual    | `2026`         | `FY2026`     |
//!
//! A fiscal year is named for the calendar year in which it ends. With a fiscal year starting in
//! July, `FY2026` runs from 2025-07-01 to 2026-06-30 and `FY2026-Q1` is July to September 2025.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::date::{CalendarDate, digits, first_of_month, month_and_day};

/// How often a measure is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// One value per calendar day.
    Daily,
    /// One value per ISO 8601 week (Monday to Sunday).
    Weekly,
    /// One value per calendar month.
    Monthly,
    /// One value per calendar or fiscal quarter.
    Quarterly,
    /// One value per calendar or fiscal year.
    Annual,
}

impl Frequency {
    /// Every frequency, shortest first.
    pub const ALL: [Frequency; 5] = [
        Frequency::Daily,
        Frequency::Weekly,
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::Annual,
    ];

    /// The name used in source files and published data.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Annual => "annual",
        }
    }

    /// The first day of the period of this frequency that ends on `end`, found from its end alone
    /// (fiscal years and quarters included: a period starts the day after the one before it
    /// ends); `None` past the calendar's range.
    pub fn start_of_period_ending(self, end: CalendarDate) -> Option<CalendarDate> {
        let end = end.days_since_epoch();
        let start = match self.months() {
            // Months, quarters and (fiscal) years all end on a month's last day.
            Some(months) => first_of_month(month_and_day(end).0 + 1 - months),
            None if self == Frequency::Weekly => end - 6,
            None => end,
        };
        CalendarDate::from_days_since_epoch(start)
    }

    /// How many months a period of this frequency spans; `None` for days and weeks.
    fn months(self) -> Option<i32> {
        match self {
            Frequency::Daily | Frequency::Weekly => None,
            Frequency::Monthly => Some(1),
            Frequency::Quarterly => Some(3),
            Frequency::Annual => Some(12),
        }
    }

    /// Example labels, for help messages.
    pub fn example_labels(self) -> &'static str {
        match self {
            Frequency::Daily => "`2026-03-05`",
            Frequency::Weekly => "`2026-W10`",
            Frequency::Monthly => "`2026-03`",
            Frequency::Quarterly => "`2026-Q1` or `FY2026-Q1`",
            Frequency::Annual => "`2026` or `FY2026`",
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a period label was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The label has none of the known shapes.
    #[error("`{label}` is not a period label")]
    Malformed {
        /// The label as written.
        label: String,
    },
    /// The label has a known shape, but a component is out of range (month 13, quarter 5, week 53
    /// of a 52-week year, 30 February …).
    #[error("`{label}` is not a real period: {reason}")]
    OutOfRange {
        /// The label as written.
        label: String,
        /// Which component is out of range.
        reason: &'static str,
    },
    /// The label is valid, but for another frequency than the measure's.
    #[error(
        "`{label}` is {article} {found} period, but the measure is reported {expected}",
        article = if *.found == Frequency::Annual { "an" } else { "a" }
    )]
    WrongFrequency {
        /// The label as written.
        label: String,
        /// The frequency the label denotes.
        found: Frequency,
        /// The measure's frequency.
        expected: Frequency,
    },
}

/// A reporting period: a frequency, the day it starts and how its label is written.
///
/// Periods order by start date, then by frequency, so a measure's periods sort chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    frequency: Frequency,
    start: Date,
    /// The first month of the fiscal year, for fiscal labels (`FY2026-Q1`); `None` for calendar
    /// labels.
    fiscal_start_month: Option<Month>,
}

impl Period {
    /// Parses a label of the given frequency.
    ///
    /// `fiscal_year_start_month` (1–12) interprets fiscal labels such as `FY2026-Q1`.
    pub fn parse(
        label: &str,
        frequency: Frequency,
        fiscal_year_start_month: u8,
    ) -> Result<Period, PeriodError> {
        let period = Period::parse_any(label, fiscal_year_start_month)?;
        if period.frequency != frequency {
            return Err(PeriodError::WrongFrequency {
                label: label.to_owned(),
                found: period.frequency,
                expected: frequency,
            });
        }
        Ok(period)
    }

    /// Parses a label of any frequency, telling the frequency from its shape.
    pub fn parse_any(label: &str, fiscal_year_start_month: u8) -> Result<Period, PeriodError> {
        let malformed = || PeriodError::Malformed {
            label: label.to_owned(),
        };
        let out_of_range = |reason| PeriodError::OutOfRange {
            label: label.to_owned(),
            reason,
        };
        let fiscal_month = Month::try_from(fiscal_year_start_month)
            .map_err(|_| out_of_range("the fiscal year start month must be 1 to 12"))?;
        // The shape is read by byte positions, and the first day made in one place: the widgets
        // read labels too, and substring searchers, slicing panics and a date built per shape
        // were kilobytes of their package.
        let (fiscal, body) = match label.strip_prefix("FY") {
            Some(rest) => (Some(fiscal_month), rest),
            None => (None, label),
        };
        let year = digits(body.get(..4).unwrap_or_default()).ok_or_else(malformed)? as i32;
        let rest = body.get(4..).unwrap_or_default();
        let number = |from: usize| digits(rest.get(from..).unwrap_or_default());
        // The frequency, the month the period starts in counted from January of `year` (a
        // fiscal year's from its first month), and its first day.
        let (frequency, months, day) = match (rest.as_bytes(), fiscal) {
            ([], _) => (Frequency::Annual, 0, 1),
            ([b'-', b'Q', _], _) => {
                let quarter = number(2).ok_or_else(malformed)?;
                if !(1..=4).contains(&quarter) {
                    return Err(out_of_range("quarters run from Q1 to Q4"));
                }
                (Frequency::Quarterly, 3 * (quarter - 1), 1)
            }
            ([b'-', b'W', _, _], None) => {
                let week = number(2).ok_or_else(malformed)?;
                if !(1..=53).contains(&week) {
                    return Err(out_of_range("ISO weeks run from W01 to W52 or W53"));
                }
                let start = iso_week_start(year, week)
                    .and_then(CalendarDate::from_days_since_epoch)
                    .ok_or_else(|| out_of_range("this year has only 52 ISO weeks"))?;
                return Ok(Period {
                    frequency: Frequency::Weekly,
                    start: start.0,
                    fiscal_start_month: None,
                });
            }
            ([b'-', _, _], None) | ([b'-', _, _, b'-', _, _], None) => {
                let month = digits(rest.get(1..3).unwrap_or_default()).ok_or_else(malformed)?;
                if !(1..=12).contains(&month) {
                    return Err(out_of_range("months run from 01 to 12"));
                }
                match rest.len() {
                    3 => (Frequency::Monthly, month - 1, 1),
                    _ => (
                        Frequency::Daily,
                        month - 1,
                        number(4).ok_or_else(malformed)?,
                    ),
                }
            }
            _ => return Err(malformed()),
        };
        // Fiscal year Y ends in calendar year Y, so it starts in Y - 1 unless it starts in
        // January.
        let first_month = match fiscal {
            Some(Month::January) | None => 0,
            Some(month) => i32::from(u8::from(month)) - 1 - 12,
        };
        // `year` has four digits and `months` two: no overflow.
        let month = year * 12 + first_month + months as i32;
        let start = CalendarDate::from_year_month_day(
            month.div_euclid(12),
            month.rem_euclid(12) as u32 + 1,
            day,
        )
        .ok_or_else(|| {
            out_of_range(if frequency == Frequency::Daily {
                "the day does not exist in that month"
            } else {
                "the year is out of range"
            })
        })?;
        Ok(Period {
            frequency,
            start: start.0,
            fiscal_start_month: fiscal,
        })
    }

    /// The period of `frequency` that contains `date`: a calendar period, or a fiscal one
    /// (quarters and years only) when `fiscal_year_start_month` is given. `None` for a month
    /// outside 1-12 or a date at the edge of the supported range.
    pub fn containing(
        date: CalendarDate,
        frequency: Frequency,
        fiscal_year_start_month: Option<u8>,
    ) -> Option<Period> {
        let date = date.0;
        let fiscal_start_month = match (frequency, fiscal_year_start_month) {
            (Frequency::Quarterly | Frequency::Annual, Some(month)) => {
                Some(Month::try_from(month).ok()?)
            }
            _ => None,
        };
        // Months since the start of the (calendar or fiscal) year.
        let first_month = fiscal_start_month.map_or(1, u8::from);
        let into_year = (u8::from(date.month()) + 12 - first_month) % 12;
        let month_start = date.replace_day(1).ok()?;
        let back = |months: u8| -> Option<Date> {
            let total = i32::from(u8::from(month_start.month())) - 1 - i32::from(months);
            let year = month_start.year() + total.div_euclid(12);
            let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
            Date::from_calendar_date(year, month, 1).ok()
        };
        let start = match frequency {
            Frequency::Daily => date,
            Frequency::Weekly => {
                let (year, week, _) = date.to_iso_week_date();
                CalendarDate::from_days_since_epoch(iso_week_start(year, u32::from(week))?)?.0
            }
            Frequency::Monthly => month_start,
            Frequency::Quarterly => back(into_year % 3)?,
            Frequency::Annual => back(into_year)?,
        };
        Some(Period {
            frequency,
            start,
            fiscal_start_month,
        })
    }

    /// Rebuilds a period from the parts its accessors give ([`Period::frequency`],
    /// [`Period::start`], [`Period::fiscal_year_start_month`]), for storing periods compactly.
    /// `None` for a month outside 1-12. The parts are not checked further: `start` must be the
    /// first day of a period of that frequency.
    pub fn from_parts(
        frequency: Frequency,
        start: CalendarDate,
        fiscal_year_start_month: Option<u8>,
    ) -> Option<Period> {
        let fiscal_start_month = match fiscal_year_start_month {
            Some(month) => Some(Month::try_from(month).ok()?),
            None => None,
        };
        Some(Period {
            frequency,
            start: start.0,
            fiscal_start_month,
        })
    }

    /// The first month of the fiscal year for fiscal labels (`FY2026-Q1`), `None` for calendar
    /// labels.
    pub fn fiscal_year_start_month(&self) -> Option<u8> {
        self.fiscal_start_month.map(u8::from)
    }

    /// The frequency this period belongs to.
    pub fn frequency(&self) -> Frequency {
        self.frequency
    }

    /// The first day of the period.
    pub fn start(&self) -> CalendarDate {
        CalendarDate(self.start)
    }

    /// The last day of the period (inclusive).
    pub fn end(&self) -> CalendarDate {
        let start = self.start().days_since_epoch();
        let next = match self.frequency.months() {
            Some(months) => first_of_month(month_and_day(start).0 + months),
            None if self.frequency == Frequency::Weekly => start + 7,
            None => start + 1,
        };
        // Labels have four-digit years, so the day after a period always exists.
        CalendarDate::from_days_since_epoch(next - 1).unwrap_or(CalendarDate(Date::MAX))
    }

    /// The label in its canonical form, the way it was written (calendar or fiscal).
    pub fn label(&self) -> String {
        let (year, month, day) = self.start.to_calendar_date();
        let Ok(year) = u16::try_from(year) else {
            return self.to_string();
        };
        // Daily and monthly labels, the most numerous, without the formatting machinery.
        match self.frequency {
            Frequency::Daily | Frequency::Monthly if year <= 9999 => {
                let mut label = String::with_capacity(10);
                push_digits(&mut label, year, 4);
                label.push('-');
                push_digits(&mut label, u16::from(u8::from(month)), 2);
                if self.frequency == Frequency::Daily {
                    label.push('-');
                    push_digits(&mut label, u16::from(day), 2);
                }
                label
            }
            _ => self.to_string(),
        }
    }
}

/// Appends `value` as `width` decimal digits, zero-padded (`value` < 10^`width`).
fn push_digits(text: &mut String, value: u16, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u16.pow(place)) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.start.to_calendar_date();
        match (self.frequency, self.fiscal_start_month) {
            (Frequency::Daily, _) => write!(f, "{year:04}-{:02}-{day:02}", u8::from(month)),
            (Frequency::Weekly, _) => {
                let (iso_year, week, _) = self.start.to_iso_week_date();
                write!(f, "{iso_year:04}-W{week:02}")
            }
            (Frequency::Monthly, _) => write!(f, "{year:04}-{:02}", u8::from(month)),
            (Frequency::Quarterly, None) => {
                write!(f, "{year:04}-Q{}", (u8::from(month) - 1) / 3 + 1)
            }
            (Frequency::Annual, None) => write!(f, "{year:04}"),
            (frequency, Some(fiscal_month)) => {
                let months_in = (12 + u8::from(month) - u8::from(fiscal_month)) % 12;
                let fiscal_year = if fiscal_month == Month::January {
                    year
                } else if u8::from(month) >= u8::from(fiscal_month) {
                    year + 1
                } else {
                    year
                };
                if frequency == Frequency::Quarterly {
                    write!(f, "FY{fiscal_year:04}-Q{}", months_in / 3 + 1)
                } else {
                    write!(f, "FY{fiscal_year:04}")
                }
            }
        }
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.start, self.frequency).cmp(&(other.start, other.frequency))
    }
}

/// The day number (days since 1970-01-01) of the Monday that starts ISO week `week` (1–53) of
/// `year`; `None` when the year has no such week. Week 1 is the week with the year's first
/// Thursday, so the one with 4 January, and a week belongs to the year its Thursday is in (by
/// arithmetic on days: the widgets read labels too, and `time`'s ISO week functions were two
/// kilobytes of them).
fn iso_week_start(year: i32, week: u32) -> Option<i32> {
    let january_4 = first_of_month(year * 12) + 3;
    // 1970-01-01 was a Thursday.
    let monday = (january_4 + 3).rem_euclid(7);
    let start = january_4 - monday + 7 * (week as i32 - 1);
    // Week 1's Thursday is in January: only the last week may be the next year's.
    (start + 3 < first_of_month(year * 12 + 12)).then_some(start)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn dates(label: &str, fiscal_month: u8) -> (String, String, Frequency) {
        let period = Period::parse_any(label, fiscal_month).expect(label);
        (
            period.start().to_string(),
            period.end().to_string(),
            period.frequency(),
        )
    }

    #[test]
    fn calendar_labels() {
        use Frequency::*;
        let d = |a: &str, b: &str, f| (a.to_owned(), b.to_owned(), f);
        assert_eq!(dates("2026-03-05", 1), d("2026-03-05", "2026-03-05", Daily));
        assert_eq!(dates("2024-02-29", 1), d("2024-02-29", "2024-02-29", Daily));
        assert_eq!(dates("2026-W10", 1), d("2026-03-02", "2026-03-08", Weekly));
        assert_eq!(dates("2020-W53", 1), d("2020-12-28", "2021-01-03", Weekly));
        assert_eq!(dates("2019-W01", 1), d("2018-12-31", "2019-01-06", Weekly));
        assert_eq!(dates("2024-02", 1), d("2024-02-01", "2024-02-29", Monthly));
        assert_eq!(dates("2026-12", 1), d("2026-12-01", "2026-12-31", Monthly));
        assert_eq!(
            dates("2026-Q4", 1),
            d("2026-10-01", "2026-12-31", Quarterly)
        );
        assert_eq!(dates("2026", 1), d("2026-01-01", "2026-12-31", Annual));
    }

    #[test]
    fn fiscal_labels() {
        use Frequency::*;
        let d = |a: &str, b: &str, f| (a.to_owned(), b.to_owned(), f);
        assert_eq!(dates("FY2026", 7), d("2025-07-01", "2026-06-30", Annual));
        assert_eq!(
            dates("FY2026-Q1", 7),
            d("2025-07-01", "2025-09-30", Quarterly)
        );
        assert_eq!(
            dates("FY2026-Q3", 7),
            d("2026-01-01", "2026-03-31", Quarterly)
        );
        assert_eq!(
            dates("FY2026-Q4", 10),
            d("2026-07-01", "2026-09-30", Quarterly)
        );
        assert_eq!(dates("FY2026", 1), d("2026-01-01", "2026-12-31", Annual));
        assert_eq!(
            dates("FY2026-Q2", 1),
            d("2026-04-01", "2026-06-30", Quarterly)
        );
    }

    #[test]
    fn rejects_impossible_periods() {
        for label in [
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-Q0",
            "2019-W53",
            "2026-W00",
            "2026-02-30",
            "FY2026-Q5",
        ] {
            assert!(
                matches!(
                    Period::parse_any(label, 1),
                    Err(PeriodError::OutOfRange { .. })
                ),
                "{label}"
            );
        }
        for label in [
            "",
            "26",
            "2026-3",
            "2026/03",
            "2026-q1",
            "2026-W1",
            "fy2026",
            "FY26",
            "2026-03-5",
            "+202",
            " 2026",
            "2026-03-05T00",
        ] {
            assert!(
                matches!(
                    Period::parse_any(label, 1),
                    Err(PeriodError::Malformed { .. })
                ),
                "{label}"
            );
        }
        assert!(matches!(
            Period::parse_any("FY2026", 13),
            Err(PeriodError::OutOfRange { .. })
        ));
    }

    #[test]
    fn wrong_frequency_names_both() {
        let error = Period::parse("2026-Q1", Frequency::Monthly, 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`2026-Q1` is a quarterly period, but the measure is reported monthly"
        );
    }

    fn any_label() -> impl Strategy<Value = (String, u8)> {
        let year = 1900i32..2200;
        prop_oneof![
            (year.clone(), 1u8..=12, 1u8..=31)
                .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            (year.clone(), 1u8..=53).prop_map(|(y, w)| format!("{y:04}-W{w:02}")),
            (year.clone(), 1u8..=12).prop_map(|(y, m)| format!("{y:04}-{m:02}")),
            (year.clone(), 1u8..=4).prop_map(|(y, q)| format!("{y:04}-Q{q}")),
            year.clone().prop_map(|y| format!("{y:04}")),
            (year.clone(), 1u8..=4).prop_map(|(y, q)| format!("FY{y:04}-Q{q}")),
            year.prop_map(|y| format!("FY{y:04}")),
        ]
        .prop_flat_map(|label| (Just(label), 1u8..=12))
    }

    proptest! {
        #[test]
        fn valid_labels_round_trip((label, fiscal_month) in any_label()) {
            if let Ok(period) = Period::parse_any(&label, fiscal_month) {
                prop_assert_eq!(period.label(), label);
                prop_assert_eq!(period.label(), period.to_string());
            }
        }

        #[test]
        fn periods_tile_time((label, fiscal_month) in any_label()) {
            // Consecutive periods of one frequency neither overlap nor leave gaps.
            if let Ok(period) = Period::parse_any(&label, fiscal_month) {
                let end = period.end().0;
                prop_assert!(end >= period.start().0);
                let next_start = end.next_day().unwrap();
                let next = Period { start: next_start, ..period };
                prop_assert_eq!(Period::parse_any(&next.label(), fiscal_month), Ok(next));
            }
        }

        #[test]
        fn parts_rebuild_the_period((label, fiscal_month) in any_label()) {
            if let Ok(period) = Period::parse_any(&label, fiscal_month) {
                let rebuilt = Period::from_parts(period.frequency(), period.start(), period.fiscal_year_start_month());
                prop_assert_eq!(rebuilt, Some(period));
            }
        }

        #[test]
        fn a_period_starts_where_its_end_says((label, fiscal_month) in any_label()) {
            if let Ok(period) = Period::parse_any(&label, fiscal_month) {
                let start = period.frequency().start_of_period_ending(period.end());
                prop_assert_eq!(start, Some(period.start()));
            }
        }

        #[test]
        fn never_panics(label in "\\PC{0,12}", fiscal_month in 0u8..20) {
            let _ = Period::parse_any(&label, fiscal_month);
        }

        #[test]
        fn order_is_chronological(a in any_label(), b in any_label()) {
            if let (Ok(pa), Ok(pb)) = (Period::parse_any(&a.0, a.1), Period::parse_any(&b.0, b.1))
                && pa.frequency() == pb.frequency()
            {
                prop_assert_eq!(pa.cmp(&pb), pa.start().cmp(&pb.start()));
            }
        }
    }

    #[test]
    fn iso_weeks_are_times_in_every_four_digit_year() {
        for year in 0..=9999 {
            for week in 1..=53u8 {
                let label = format!("{year:04}-W{week:02}");
                let monday = Date::from_iso_week_date(year, week, time::Weekday::Monday).ok();
                let period = Period::parse_any(&label, 1).ok();
                assert_eq!(period.map(|p| p.start().0), monday, "{label}");
                if let Some(period) = period {
                    // The last week of 9999 ends past the calendar's range, at its last day.
                    let sunday = Date::from_iso_week_date(year, week, time::Weekday::Sunday);
                    assert_eq!(period.end().0, sunday.unwrap_or(Date::MAX), "{label}");
                }
            }
        }
    }

    #[test]
    fn months_quarters_and_years_are_times_in_every_four_digit_year() {
        for year in 0..=9999 {
            for month in 1..=12u8 {
                let first = Date::from_calendar_date(year, Month::try_from(month).unwrap(), 1);
                let period = Period::parse_any(&format!("{year:04}-{month:02}"), 1).unwrap();
                assert_eq!(Ok(period.start().0), first);
                let last = time::util::days_in_month(Month::try_from(month).unwrap(), year);
                assert_eq!(period.end().0, first.unwrap().replace_day(last).unwrap());
            }
            let period = Period::parse_any(&format!("FY{year:04}"), 7).unwrap();
            assert_eq!(
                (period.start().to_string(), period.end().to_string()),
                (format!("{:04}-07-01", year - 1), format!("{year:04}-06-30"))
            );
        }
    }

    #[test]
    fn periods_containing_a_date() {
        let day = |text| CalendarDate::parse(text).unwrap();
        let label = |date, frequency, fiscal| {
            Period::containing(day(date), frequency, fiscal)
                .unwrap()
                .label()
        };
        assert_eq!(label("2026-03-31", Frequency::Daily, None), "2026-03-31");
        assert_eq!(label("2026-03-31", Frequency::Monthly, None), "2026-03");
        assert_eq!(label("2026-03-31", Frequency::Quarterly, None), "2026-Q1");
        assert_eq!(label("2026-04-01", Frequency::Quarterly, None), "2026-Q2");
        assert_eq!(label("2026-12-31", Frequency::Annual, None), "2026");
        // ISO week 53 of 2026 runs from Monday 28 December to Sunday 3 January 2027.
        assert_eq!(label("2027-01-03", Frequency::Weekly, None), "2026-W53");
        assert_eq!(label("2027-01-04", Frequency::Weekly, None), "2027-W01");
        // A fiscal year starting in July is named for the year it ends in.
        assert_eq!(label("2026-06-30", Frequency::Annual, Some(7)), "FY2026");
        assert_eq!(label("2026-07-01", Frequency::Annual, Some(7)), "FY2027");
        assert_eq!(
            label("2026-07-01", Frequency::Quarterly, Some(7)),
            "FY2027-Q1"
        );
        assert_eq!(
            label("2026-06-30", Frequency::Quarterly, Some(7)),
            "FY2026-Q4"
        );
        assert_eq!(
            label("2026-02-15", Frequency::Quarterly, Some(10)),
            "FY2026-Q2"
        );
        // Fiscal labels apply to quarters and years alone.
        assert_eq!(label("2026-02-15", Frequency::Monthly, Some(7)), "2026-02");
    }
}
