//! Multi-year goals – a baseline, a destination and a deadline – and the rule that says, at the
//! publication time, how far along a goal is, whether it is on pace and when it will be reached
//! at the current pace.
//!
//! The rule, as `dictionary.md` and the site's about page state it:
//! - The goal's direction is the sign of `target − baseline.value`.
//! - Each point of its path (the baseline, the milestones, the target) sits at its period's end
//!   date; the expected value at a date is linear interpolation in days along that path (the
//!   baseline value before it, the target after the deadline).
//! - `progress` is the value at the latest period that has data: the measure's value there
//!   (`latest`), or the baseline value plus the sum of the values after the baseline period
//!   (`cumulative`). Only settled values count, and only periods after the baseline period.
//! - The status is the first that applies: `achieved` (progress has reached the target in the
//!   goal's direction), `missed` (the deadline period ended before the publication date),
//!   `on_pace` (progress at or beyond the expected value at the latest period's end, in the
//!   goal's direction), `behind_pace`, and `no_data` when no period after the baseline has a
//!   value.
//! - The projection: an ordinary least-squares line through the progress values of the last
//!   year of periods (the latest period with data and the periods before it: 12 monthly, 4
//!   quarterly, 52 weekly, 365 daily or 3 annual), at least 2 points, x being the period's end
//!   date in days. The projected period is the period of the measure's frequency containing the
//!   date where the line meets the target; there is none when the line runs flat or the wrong
//!   way, or meets the target more than 100 years (36,525 days) after the publication date.

use crate::translations::Translations;

use serde::{Deserialize, Serialize};

use crate::date::CalendarDate;
use crate::model::Observation;
use crate::period::{Frequency, Period};

/// How far beyond the publication date a projection may reach: 100 years, in days.
pub const PROJECTION_HORIZON_DAYS: f64 = 36_525.0;

/// One point of a goal's path: a value at the end of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GoalPoint {
    /// The period label, as written in the source.
    pub period: String,
    /// The last day of the period, where the point sits.
    pub period_end: CalendarDate,
    /// The value, in the measure's unit.
    pub value: f64,
}

/// How a goal's progress is read from its measure's values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgressRule {
    /// The measure's value at the latest period with data.
    #[default]
    Latest,
    /// The baseline value plus the sum of the values after the baseline period (counts and
    /// money only).
    Cumulative,
}

/// Where a goal stands at the publication time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Progress has reached the target.
    Achieved,
    /// The deadline has passed without reaching the target.
    Missed,
    /// Progress is at or beyond where the path says it should be.
    OnPace,
    /// Progress falls short of where the path says it should be.
    BehindPace,
    /// No period after the baseline has a value.
    NoData,
}

names!(GoalStatus { Achieved => "achieved", Missed => "missed", OnPace => "on_pace",
    BehindPace => "behind_pace", NoData => "no_data" });
names!(ProgressRule { Latest => "latest", Cumulative => "cumulative" });

/// Texts of a goal in another language; missing ones fall back to the default language.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GoalText {
    /// Translated title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Translated description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A multi-year goal of a measure, as its file defines it (`[[goals]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Goal {
    /// Permanent identifier, unique in the dataset (`[a-z0-9-]{1,64}`).
    pub id: String,
    /// What the goal is, in plain language.
    pub title: String,
    /// More about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the goal starts.
    pub baseline: GoalPoint,
    /// Interim points, in period order, strictly between the baseline and the deadline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<GoalPoint>,
    /// The value to reach, in the measure's unit.
    pub target: f64,
    /// The deadline: a period label of the measure's frequency.
    pub deadline: String,
    /// The last day of the deadline period, when the goal is due.
    pub deadline_end: CalendarDate,
    /// How progress is read from the measure's values.
    pub progress_rule: ProgressRule,
    /// Texts in other languages, by language tag.
    #[serde(default, skip_serializing_if = "Translations::is_empty")]
    pub translations: Translations<GoalText>,
}

impl Goal {
    /// The title and description in `language`, each falling back to the default language.
    pub fn text(&self, language: &str) -> (&str, Option<&str>) {
        let text = self.translations.get(language);
        (
            text.and_then(|t| t.title.as_deref()).unwrap_or(&self.title),
            text.and_then(|t| t.description.as_deref())
                .or(self.description.as_deref()),
        )
    }

    /// `1.0` when the target is above the baseline, `-1.0` when below (validation rejects a
    /// target equal to the baseline).
    pub fn direction(&self) -> f64 {
        (self.target - self.baseline.value).signum()
    }

    /// The path's points: the baseline, the milestones and the target, in date order.
    fn path(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let at = |date: CalendarDate| f64::from(date.days_since_epoch());
        std::iter::once((at(self.baseline.period_end), self.baseline.value))
            .chain(
                self.milestones
                    .iter()
                    .map(move |m| (at(m.period_end), m.value)),
            )
            .chain(std::iter::once((at(self.deadline_end), self.target)))
    }

    /// The expected value on `date`: linear interpolation in days along the path, the baseline
    /// value before it and the target after the deadline.
    pub fn expected(&self, date: CalendarDate) -> f64 {
        let x = f64::from(date.days_since_epoch());
        let mut previous: Option<(f64, f64)> = None;
        for (px, py) in self.path() {
            // On a point's own day the path is that point's value exactly: interpolating there
            // would round 3.0 + (0.8 − 3.0) to 0.7999999999999998, and a value on the path would
            // judge behind it.
            if x == px {
                return py;
            }
            if x < px {
                return match previous {
                    None => py,
                    Some((qx, qy)) => qy + (py - qy) * (x - qx) / (px - qx),
                };
            }
            previous = Some((px, py));
        }
        self.target
    }

    /// How far along the goal is at the publication date `today`, given its measure's citywide
    /// observations in period order.
    pub fn assess(
        &self,
        frequency: Frequency,
        fiscal_year_start_month: u8,
        observations: &[Observation],
        today: CalendarDate,
    ) -> GoalAssessment {
        let direction = self.direction();
        // The progress value at the end of every period after the baseline that has data.
        let mut running = self.baseline.value;
        let progress: Vec<(&Observation, f64)> = observations
            .iter()
            .filter(|o| !o.provisional && o.period_start > self.baseline.period_end)
            .filter_map(|o| {
                let value = o.value?;
                Some(match self.progress_rule {
                    ProgressRule::Latest => (o, value),
                    ProgressRule::Cumulative => {
                        running += value;
                        (o, running)
                    }
                })
            })
            .collect();
        let missed = self.deadline_end < today;
        let Some(&(latest, value)) = progress.last() else {
            return GoalAssessment {
                id: self.id.clone(),
                status: if missed {
                    GoalStatus::Missed
                } else {
                    GoalStatus::NoData
                },
                latest_period: None,
                progress: None,
                expected: None,
                share: None,
                projected_period: None,
                projected_period_end: None,
            };
        };
        let expected = self.expected(latest.period_end);
        let status = if (value - self.target) * direction >= 0.0 {
            GoalStatus::Achieved
        } else if missed {
            GoalStatus::Missed
        } else if (value - expected) * direction >= 0.0 {
            GoalStatus::OnPace
        } else {
            GoalStatus::BehindPace
        };
        let fiscal = Period::parse_any(&self.deadline, fiscal_year_start_month)
            .ok()
            .and_then(|p| p.fiscal_year_start_month());
        let window_start = window_start(latest, frequency, fiscal);
        let points: Vec<(f64, f64)> = progress
            .iter()
            .filter(|(o, _)| Some(o.period_start) >= window_start)
            .map(|(o, v)| (f64::from(o.period_end.days_since_epoch()), *v))
            .collect();
        let projected = self
            .projection(&points, today)
            .and_then(|date| Period::containing(date, frequency, fiscal));
        GoalAssessment {
            id: self.id.clone(),
            status,
            latest_period: Some(latest.period.clone()),
            progress: Some(value),
            expected: Some(expected),
            share: Some((value - self.baseline.value) / (self.target - self.baseline.value)),
            projected_period: projected.map(|period| period.label()),
            projected_period_end: projected.map(|period| period.end()),
        }
    }

    /// The date where the least-squares line through `points` meets the target, if it runs
    /// toward it and meets it within the horizon.
    fn projection(&self, points: &[(f64, f64)], today: CalendarDate) -> Option<CalendarDate> {
        if points.len() < 2 {
            return None;
        }
        let n = points.len() as f64;
        let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
        let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
        let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
        let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
        let slope = sxy / sxx;
        if !slope.is_finite() || slope * self.direction() <= 0.0 {
            return None;
        }
        let x = mean_x + (self.target - mean_y) / slope;
        if !x.is_finite() || x > f64::from(today.days_since_epoch()) + PROJECTION_HORIZON_DAYS {
            return None;
        }
        // `as` saturates; the date check below rejects what lies outside the calendar.
        CalendarDate::from_days_since_epoch(x.floor() as i32)
    }
}

/// The start of the year of periods that ends with `latest`'s period: the start of the period
/// `periods_per_year − 1` periods before it.
fn window_start(
    latest: &Observation,
    frequency: Frequency,
    fiscal: Option<u8>,
) -> Option<CalendarDate> {
    let periods = match frequency {
        Frequency::Daily => 365,
        Frequency::Weekly => 52,
        Frequency::Monthly => 12,
        Frequency::Quarterly => 4,
        Frequency::Annual => 3,
    };
    let mut start = latest.period_start;
    for _ in 1..periods {
        let day_before = CalendarDate(start.0.previous_day()?);
        start = Period::containing(day_before, frequency, fiscal)?.start();
    }
    Some(start)
}

/// A goal's standing at the publication time, published beside its measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GoalAssessment {
    /// The goal's id.
    pub id: String,
    /// Where it stands.
    pub status: GoalStatus,
    /// The latest period after the baseline with a settled value; `null` without one.
    pub latest_period: Option<String>,
    /// The progress value at that period, in the measure's unit.
    pub progress: Option<f64>,
    /// Where the path says the progress should be at the end of that period.
    pub expected: Option<f64>,
    /// The share of the way from the baseline to the target: 0 at the baseline, 1 at the target
    /// (below 0 when progress went the wrong way, above 1 past the target).
    pub share: Option<f64>,
    /// The period in which the goal is reached at the current pace; `null` when the trend runs
    /// flat or the wrong way, has fewer than 2 points, or reaches the target more than 100 years
    /// out.
    pub projected_period: Option<String>,
    /// The last day of `projected_period`, so that a reader can word the period without
    /// parsing its label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected_period_end: Option<CalendarDate>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn date(text: &str) -> CalendarDate {
        CalendarDate::parse(text).unwrap()
    }

    fn point(period: &str, end: &str, value: f64) -> GoalPoint {
        GoalPoint {
            period: period.to_owned(),
            period_end: date(end),
            value,
        }
    }

    fn homes() -> Goal {
        Goal {
            id: "homes".to_owned(),
            title: "Fund 6,500 homes".to_owned(),
            description: None,
            baseline: point("2023", "2023-12-31", 0.0),
            milestones: vec![point("2026", "2026-12-31", 2800.0)],
            target: 6500.0,
            deadline: "2030".to_owned(),
            deadline_end: date("2030-12-31"),
            progress_rule: ProgressRule::Cumulative,
            translations: Translations::new(),
        }
    }

    fn annual(values: &[(i32, Option<f64>)]) -> Vec<Observation> {
        values
            .iter()
            .map(|&(year, value)| Observation {
                period: year.to_string(),
                period_start: date(&format!("{year}-01-01")),
                period_end: date(&format!("{year}-12-31")),
                value,
                status: Status::NoTarget,
                target: None,
                note: None,
                record_count: None,
                provisional: false,
            })
            .collect()
    }

    #[test]
    fn expected_values_follow_the_path_through_milestones() {
        let goal = homes();
        assert_eq!(goal.expected(date("2020-06-01")), 0.0);
        assert_eq!(goal.expected(date("2023-12-31")), 0.0);
        assert_eq!(goal.expected(date("2026-12-31")), 2800.0);
        let days = f64::from(
            date("2026-12-31").days_since_epoch() - date("2023-12-31").days_since_epoch(),
        );
        let into = f64::from(
            date("2025-12-31").days_since_epoch() - date("2023-12-31").days_since_epoch(),
        );
        assert_eq!(goal.expected(date("2025-12-31")), 2800.0 * into / days);
        assert_eq!(goal.expected(date("2031-01-01")), 6500.0);
        // A milestone's own day is its value, not an interpolation that rounds away from it.
        let falling = Goal {
            baseline: point("2025-09", "2025-09-30", 3.0),
            milestones: vec![point("2026-09", "2026-09-30", 0.8)],
            target: 0.2,
            deadline: "2027-09".to_owned(),
            deadline_end: date("2027-09-30"),
            ..homes()
        };
        assert_eq!(falling.expected(date("2026-09-30")), 0.8);
    }

    #[test]
    fn cumulative_progress_counts_periods_after_the_baseline_only() {
        let goal = homes();
        let observations = annual(&[
            (2023, Some(500.0)),
            (2024, Some(900.0)),
            (2025, Some(1000.0)),
        ]);
        let assessment = goal.assess(Frequency::Annual, 1, &observations, date("2026-03-01"));
        assert_eq!(assessment.latest_period.as_deref(), Some("2025"));
        assert_eq!(assessment.progress, Some(1900.0));
        assert_eq!(assessment.share, Some(1900.0 / 6500.0));
        // 2025-12-31 is 731 of 1,096 days along the way to 2,800.
        assert_eq!(assessment.expected, Some(2800.0 * 731.0 / 1096.0));
        // 1,900 is past the path's 1,867.5.
        assert_eq!(assessment.status, GoalStatus::OnPace);
        // The line through (2024, 900) and (2025, 1900) rises 1,000 a year: 6,500 late in 2030.
        assert_eq!(assessment.projected_period.as_deref(), Some("2030"));
    }

    #[test]
    fn the_rule_tries_achieved_then_missed_then_pace() {
        let mut goal = homes();
        goal.progress_rule = ProgressRule::Latest;
        let after_deadline = date("2031-06-01");
        let reached = annual(&[(2030, Some(6500.0))]);
        let assess = |goal: &Goal, observations: &[Observation], today| {
            goal.assess(Frequency::Annual, 1, observations, today)
                .status
        };
        assert_eq!(
            assess(&goal, &reached, after_deadline),
            GoalStatus::Achieved
        );
        let short = annual(&[(2030, Some(6499.0))]);
        assert_eq!(assess(&goal, &short, after_deadline), GoalStatus::Missed);
        assert_eq!(assess(&goal, &[], after_deadline), GoalStatus::Missed);
        assert_eq!(assess(&goal, &[], date("2026-01-01")), GoalStatus::NoData);
        // Exactly on the path is on pace.
        let on_path = annual(&[(2026, Some(2800.0))]);
        assert_eq!(
            assess(&goal, &on_path, date("2027-01-01")),
            GoalStatus::OnPace
        );
        // A deadline ending today is not yet missed: short of the target, it is behind pace.
        assert_eq!(
            assess(&goal, &short, date("2030-12-31")),
            GoalStatus::BehindPace
        );
    }

    #[test]
    fn a_decreasing_goal_judges_in_its_direction() {
        let goal = Goal {
            baseline: point("2019", "2019-12-31", 200.0),
            milestones: Vec::new(),
            target: 0.0,
            progress_rule: ProgressRule::Latest,
            ..homes()
        };
        let falling = annual(&[(2024, Some(150.0)), (2025, Some(100.0)), (2026, Some(50.0))]);
        let assessment = goal.assess(Frequency::Annual, 1, &falling, date("2027-02-01"));
        assert_eq!(assessment.status, GoalStatus::OnPace);
        assert_eq!(assessment.share, Some(0.75));
        assert_eq!(assessment.projected_period.as_deref(), Some("2027"));
        let rising = annual(&[(2025, Some(100.0)), (2026, Some(120.0))]);
        let assessment = goal.assess(Frequency::Annual, 1, &rising, date("2027-02-01"));
        assert_eq!(assessment.status, GoalStatus::BehindPace);
        assert_eq!(assessment.projected_period, None);
    }

    #[test]
    fn no_projection_when_flat_alone_or_beyond_a_century() {
        let goal = Goal {
            progress_rule: ProgressRule::Latest,
            ..homes()
        };
        let today = date("2027-01-15");
        let flat = annual(&[(2025, Some(100.0)), (2026, Some(100.0))]);
        assert_eq!(
            goal.assess(Frequency::Annual, 1, &flat, today)
                .projected_period,
            None
        );
        let alone = annual(&[(2026, Some(100.0))]);
        assert_eq!(
            goal.assess(Frequency::Annual, 1, &alone, today)
                .projected_period,
            None
        );
        // 1 home a year from 100 needs 6,400 years.
        let slow = annual(&[(2025, Some(100.0)), (2026, Some(101.0))]);
        assert_eq!(
            goal.assess(Frequency::Annual, 1, &slow, today)
                .projected_period,
            None
        );
        // 65 a year needs a little less than a century.
        let century = annual(&[(2025, Some(100.0)), (2026, Some(165.0))]);
        assert!(
            goal.assess(Frequency::Annual, 1, &century, today)
                .projected_period
                .is_some()
        );
    }

    #[test]
    fn the_projection_uses_the_last_year_of_periods() {
        let goal = Goal {
            progress_rule: ProgressRule::Latest,
            ..homes()
        };
        // Three annual periods: 2024's collapse is outside the window of 2025-2027.
        let values = annual(&[
            (2024, Some(6000.0)),
            (2025, Some(1000.0)),
            (2026, Some(2000.0)),
            (2027, Some(3000.0)),
        ]);
        let assessment = goal.assess(Frequency::Annual, 1, &values, date("2028-01-10"));
        // 1,000 a year from 3,000 at the end of 2027 reaches 6,500 in mid-2031.
        assert_eq!(assessment.projected_period.as_deref(), Some("2031"));
    }
}
