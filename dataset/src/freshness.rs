//! Whether a measure's latest value is current: each period's value is due a set number of days
//! after the period ends (`published_within`), and a measure whose next value is overdue is
//! `late`, then `stale` once the value after that is due as well.
//!
//! The rule, as `dictionary.md` and the site's about page state it, at the publication date
//! (UTC):
//! - the latest period is the latest citywide period with a value (a provisional value of a
//!   running period counts: it is being kept up to date);
//! - the next period's value is due `published_within` days after the next period ends;
//! - `current` while the publication date is on or before that due date; `late` after it;
//!   `stale` once the due date of the period after the next one has passed too;
//! - `no_data` when no period has a value.

use serde::{Deserialize, Serialize};

use crate::date::CalendarDate;
use crate::model::Observation;
use crate::period::{Frequency, Period};

/// Whether a measure's values are up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FreshnessState {
    /// The next value is not yet due.
    Current,
    /// The next value is due and missing.
    Late,
    /// The value after the next one is due as well.
    Stale,
    /// The measure has no value at all.
    NoData,
}

names!(FreshnessState { Current => "current", Late => "late", Stale => "stale",
    NoData => "no_data" });

impl FreshnessState {
    /// Whether the measure's next value is overdue.
    pub fn is_overdue(self) -> bool {
        matches!(self, FreshnessState::Late | FreshnessState::Stale)
    }
}

/// The days after a period's end within which its value is due, when the measure file does not
/// say (`published_within`).
pub fn default_published_within(frequency: Frequency) -> u32 {
    match frequency {
        Frequency::Daily => 2,
        Frequency::Weekly => 7,
        Frequency::Monthly => 30,
        Frequency::Quarterly => 60,
        Frequency::Annual => 180,
    }
}

/// A measure's freshness at the publication time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Freshness {
    /// Whether the values are up to date.
    pub state: FreshnessState,
    /// Days after a period's end within which its value is due.
    pub published_within_days: u32,
    /// The latest period with a value; `null` without one.
    pub latest_period: Option<String>,
    /// The period whose value comes next; `null` without a latest period.
    pub next_period: Option<String>,
    /// When the next period's value is (or was) due; `null` without a latest period.
    pub next_due: Option<CalendarDate>,
    /// For a measure computed from records, the latest time among the records it was computed
    /// from (RFC 3339, in the dataset's time zone); absent otherwise, and for a measure whose
    /// own `sql` query says no time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_record: Option<String>,
}

impl Freshness {
    /// The freshness of a measure with these citywide observations (in period order) on the
    /// publication date `today`. `fiscal_year_start_month` reads fiscal labels.
    pub fn assess(
        frequency: Frequency,
        published_within_days: u32,
        fiscal_year_start_month: u8,
        observations: &[Observation],
        today: CalendarDate,
    ) -> Freshness {
        let latest = observations.iter().rev().find(|o| o.value.is_some());
        let no_data = Freshness {
            state: FreshnessState::NoData,
            published_within_days,
            latest_period: None,
            next_period: None,
            next_due: None,
            latest_record: None,
        };
        let Some(latest) = latest else {
            return no_data;
        };
        let fiscal = Period::parse_any(&latest.period, fiscal_year_start_month)
            .ok()
            .and_then(|p| p.fiscal_year_start_month());
        let after = |end: CalendarDate| -> Option<Period> {
            Period::containing(CalendarDate(end.0.next_day()?), frequency, fiscal)
        };
        let due = |period: &Period| -> Option<CalendarDate> {
            let days = i32::try_from(published_within_days).ok()?;
            CalendarDate::from_days_since_epoch(period.end().days_since_epoch().checked_add(days)?)
        };
        let Some((next, next_due)) = after(latest.period_end).and_then(|p| Some((p, due(&p)?)))
        else {
            return Freshness {
                latest_period: Some(latest.period.clone()),
                state: FreshnessState::Current,
                ..no_data
            };
        };
        let following_due = after(next.end()).and_then(|p| due(&p));
        let state = if today <= next_due {
            FreshnessState::Current
        } else if following_due.is_none_or(|following| today <= following) {
            FreshnessState::Late
        } else {
            FreshnessState::Stale
        };
        Freshness {
            state,
            published_within_days,
            latest_period: Some(latest.period.clone()),
            next_period: Some(next.label()),
            next_due: Some(next_due),
            latest_record: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn date(text: &str) -> CalendarDate {
        CalendarDate::parse(text).unwrap()
    }

    fn month(label: &str, value: Option<f64>) -> Observation {
        let period = Period::parse(label, Frequency::Monthly, 1).unwrap();
        Observation {
            period: label.to_owned(),
            period_start: period.start(),
            period_end: period.end(),
            value,
            status: Status::NoTarget,
            target: None,
            note: None,
            record_count: None,
            provisional: false,
        }
    }

    #[test]
    fn a_monthly_measure_turns_late_then_stale() {
        let series = [month("2026-09", Some(1.0)), month("2026-10", None)];
        let at = |today| Freshness::assess(Frequency::Monthly, 30, 1, &series, date(today));
        // October's value is due 30 days after 31 October: 30 November.
        let current = at("2026-11-30");
        assert_eq!(current.state, FreshnessState::Current);
        assert_eq!(current.latest_period.as_deref(), Some("2026-09"));
        assert_eq!(current.next_period.as_deref(), Some("2026-10"));
        assert_eq!(current.next_due, Some(date("2026-11-30")));
        assert_eq!(at("2026-12-01").state, FreshnessState::Late);
        // November's is due on 30 December.
        assert_eq!(at("2026-12-30").state, FreshnessState::Late);
        let stale = at("2026-12-31");
        assert_eq!(stale.state, FreshnessState::Stale);
        assert_eq!(stale.next_due, Some(date("2026-11-30")));
    }

    #[test]
    fn no_value_is_no_data() {
        let series = [month("2026-10", None)];
        let freshness = Freshness::assess(Frequency::Monthly, 30, 1, &series, date("2026-12-01"));
        assert_eq!(freshness.state, FreshnessState::NoData);
        assert_eq!(freshness.next_due, None);
    }

    #[test]
    fn fiscal_labels_step_to_fiscal_periods() {
        let period = Period::parse("FY2026", Frequency::Annual, 7).unwrap();
        let observation = Observation {
            period: "FY2026".to_owned(),
            period_start: period.start(),
            period_end: period.end(),
            ..month("2026-01", Some(3.0))
        };
        let freshness = Freshness::assess(
            Frequency::Annual,
            180,
            7,
            &[observation],
            date("2026-12-05"),
        );
        assert_eq!(freshness.next_period.as_deref(), Some("FY2027"));
        // FY2027 ends on 30 June 2027.
        assert_eq!(freshness.next_due, Some(date("2027-12-27")));
        assert_eq!(freshness.state, FreshnessState::Current);
    }
}
