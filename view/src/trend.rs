//! The change from the same period a year earlier, which cards and pages put in words.

use dataset::model::Observation;
use dataset::{CalendarDate, Frequency};

/// A value compared with the value of the same period a year earlier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearOverYear {
    /// The value a year earlier.
    pub earlier: f64,
    /// The latest value minus the earlier one.
    pub difference: f64,
}

impl YearOverYear {
    /// The relative change (`0.12` for 12% up), or `None` when the earlier value is zero.
    pub fn ratio(&self) -> Option<f64> {
        (self.earlier != 0.0).then(|| self.difference / self.earlier)
    }

    /// Whether the value did not change.
    pub fn is_unchanged(&self) -> bool {
        self.difference.abs() < f64::EPSILON * self.earlier.abs().max(1.0)
    }
}

/// Compares `latest` with the observation of the same period a year earlier in `observations`;
/// `None` when either has no value. Weekly periods match within three days, as ISO weeks drift.
pub fn year_over_year(
    frequency: Frequency,
    observations: &[Observation],
    latest: &Observation,
) -> Option<YearOverYear> {
    let value = latest.value?;
    let target = shift_year(latest.period_start, -1)?;
    let earlier = observations
        .iter()
        .find(|o| {
            o.period_start == target
                || (frequency == Frequency::Weekly
                    && (o.period_start.days_since_epoch() - target.days_since_epoch()).abs() <= 3)
        })?
        .value?;
    Some(YearOverYear {
        earlier,
        difference: value - earlier,
    })
}

/// The same calendar day `years` later (28 February for 29 February in a common year).
fn shift_year(date: CalendarDate, years: i32) -> Option<CalendarDate> {
    let (year, month, day) = date.year_month_day();
    let year = year.checked_add(years)?;
    // Only 29 February is missing from some years.
    CalendarDate::from_year_month_day(year, month, day)
        .or_else(|| CalendarDate::from_year_month_day(year, month, day - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dataset::Status;

    fn observation(period: &str, start: &str, value: Option<f64>) -> Observation {
        let date = CalendarDate::parse(start).expect("a date");
        Observation {
            period: period.to_owned(),
            period_start: date,
            period_end: date,
            value,
            status: Status::NoTarget,
            target: None,
            note: None,
            record_count: None,
            provisional: false,
        }
    }

    #[test]
    fn compares_with_the_same_period_a_year_earlier() {
        let series = [
            observation("2025-03", "2025-03-01", Some(80.0)),
            observation("2025-04", "2025-04-01", Some(70.0)),
            observation("2026-03", "2026-03-01", Some(83.0)),
        ];
        let change = year_over_year(Frequency::Monthly, &series, &series[2]).expect("a change");
        assert_eq!(change.earlier, 80.0);
        assert!((change.difference - 3.0).abs() < 1e-9);
        assert!((change.ratio().expect("a ratio") - 0.0375).abs() < 1e-9);
        assert!(!change.is_unchanged());
    }

    #[test]
    fn no_earlier_value_means_no_comparison() {
        let series = [
            observation("2025-03", "2025-03-01", None),
            observation("2026-03", "2026-03-01", Some(83.0)),
        ];
        assert_eq!(
            year_over_year(Frequency::Monthly, &series, &series[1]),
            None
        );
    }

    #[test]
    fn weeks_match_within_three_days() {
        let series = [
            observation("2025-W10", "2025-03-03", Some(10.0)),
            observation("2026-W10", "2026-03-02", Some(10.0)),
        ];
        let change = year_over_year(Frequency::Weekly, &series, &series[1]).expect("a change");
        assert!(change.is_unchanged());
    }

    #[test]
    fn leap_days_shift_to_february_28() {
        let date = CalendarDate::parse("2024-02-29").expect("a date");
        assert_eq!(shift_year(date, 1), CalendarDate::parse("2025-02-28"));
    }
}
