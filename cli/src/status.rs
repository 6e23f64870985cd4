//! `civicmetrics status`: what needs the analysts' attention, by department – late and stale
//! measures, values due soon and goals behind pace – as the release would publish it now.

use std::collections::BTreeMap;
use std::path::Path;

use dataset::document::{Index, MeasureSummary};
use dataset::{CalendarDate, FreshnessState, GoalStatus};
use serde_json::{Value, json};

/// Values due within this many days of the publication date are listed as due soon.
pub(crate) const DUE_SOON_DAYS: i32 = 30;

/// What `--fail-on` makes a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    /// Any measure late or stale.
    Late,
    /// Any measure stale.
    Stale,
}

/// One measure whose next value is overdue or due soon.
struct Due<'i> {
    summary: &'i MeasureSummary,
    state: FreshnessState,
    next_period: &'i str,
    next_due: CalendarDate,
}

/// The report of one department.
#[derive(Default)]
struct Department<'i> {
    overdue: Vec<Due<'i>>,
    due_soon: Vec<Due<'i>>,
    behind: Vec<(&'i MeasureSummary, usize)>,
}

/// The report: every department with something to report, by name.
pub(crate) struct Report<'i> {
    today: CalendarDate,
    departments: BTreeMap<&'i str, Department<'i>>,
}

impl<'i> Report<'i> {
    /// The report of a release's index, published on `today`.
    pub(crate) fn new(index: &'i Index, today: CalendarDate) -> Report<'i> {
        let mut departments: BTreeMap<&str, Department<'_>> = BTreeMap::new();
        let soon = today.days_since_epoch() + DUE_SOON_DAYS;
        for summary in &index.measures {
            let department = departments
                .entry(summary.measure.department.as_str())
                .or_default();
            if let Some(freshness) = &summary.freshness
                && let (Some(next_period), Some(next_due)) =
                    (&freshness.next_period, freshness.next_due)
            {
                let due = Due {
                    summary,
                    state: freshness.state,
                    next_period,
                    next_due,
                };
                if freshness.state.is_overdue() {
                    department.overdue.push(due);
                } else if next_due.days_since_epoch() <= soon {
                    department.due_soon.push(due);
                }
            }
            for (position, status) in summary.goal_status.iter().enumerate() {
                if status.status == GoalStatus::BehindPace {
                    department.behind.push((summary, position));
                }
            }
        }
        for department in departments.values_mut() {
            // Stale before late, then the longest overdue first; due soon, soonest first.
            department
                .overdue
                .sort_by_key(|due| (std::cmp::Reverse(due.state), due.next_due));
            department.due_soon.sort_by_key(|due| due.next_due);
        }
        departments
            .retain(|_, d| !(d.overdue.is_empty() && d.due_soon.is_empty() && d.behind.is_empty()));
        Report { today, departments }
    }

    fn count(&self, state: FreshnessState) -> usize {
        self.departments
            .values()
            .flat_map(|d| &d.overdue)
            .filter(|due| due.state == state)
            .count()
    }

    /// Whether the report holds what `fail_on` fails on.
    pub(crate) fn fails(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::Late => {
                self.count(FreshnessState::Late) + self.count(FreshnessState::Stale) > 0
            }
            FailOn::Stale => self.count(FreshnessState::Stale) > 0,
        }
    }

    /// The report for a terminal.
    pub(crate) fn text(&self) -> String {
        let due_soon: usize = self.departments.values().map(|d| d.due_soon.len()).sum();
        let behind: usize = self.departments.values().map(|d| d.behind.len()).sum();
        let mut text = format!(
            "Status on {}: {} late, {} stale, {due_soon} due in the next {DUE_SOON_DAYS} days, {behind} goal(s) behind pace\n",
            self.today,
            self.count(FreshnessState::Late),
            self.count(FreshnessState::Stale),
        );
        for (name, department) in &self.departments {
            text.push_str(&format!("\n{name}\n"));
            for due in &department.overdue {
                text.push_str(&format!(
                    "  {:<7}{}: {} was due {}{}\n",
                    due.state.as_str(),
                    due.summary.measure.id,
                    due.next_period,
                    due.next_due,
                    latest(due.summary),
                ));
            }
            for due in &department.due_soon {
                text.push_str(&format!(
                    "  due    {}: {} is due {}\n",
                    due.summary.measure.id, due.next_period, due.next_due
                ));
            }
            for (summary, position) in &department.behind {
                let (goal, status) = (
                    &summary.measure.goals[*position],
                    &summary.goal_status[*position],
                );
                let pace = match (status.progress, status.expected, &status.latest_period) {
                    (Some(progress), Some(expected), Some(period)) => format!(
                        "{} at {period}, where the path expects {}",
                        number(progress),
                        number(expected)
                    ),
                    _ => String::new(),
                };
                let projection = match &status.projected_period {
                    Some(period) => format!("; at this pace reached in {period}"),
                    None => "; not on course at this pace".to_owned(),
                };
                text.push_str(&format!(
                    "  behind {} ({}): {pace}{projection}, target {} by {}\n",
                    goal.id,
                    summary.measure.id,
                    number(goal.target),
                    goal.deadline
                ));
            }
        }
        text
    }

    /// The report as JSON, for other tools.
    pub(crate) fn json(&self) -> Value {
        let due = |due: &Due<'_>| {
            json!({
                "measure": due.summary.measure.id,
                "title": due.summary.measure.title,
                "freshness": due.state.as_str(),
                "latest_period": due.summary.freshness.as_ref().and_then(|f| f.latest_period.clone()),
                "next_period": due.next_period,
                "next_due": due.next_due.to_string(),
            })
        };
        let departments: Vec<Value> = self
            .departments
            .iter()
            .map(|(name, department)| {
                let behind: Vec<Value> = department
                    .behind
                    .iter()
                    .map(|(summary, position)| {
                        let goal = &summary.measure.goals[*position];
                        let mut value = serde_json::to_value(&summary.goal_status[*position])
                            .unwrap_or(Value::Null);
                        value["measure"] = json!(summary.measure.id);
                        value["title"] = json!(goal.title);
                        value["target"] = json!(goal.target);
                        value["deadline"] = json!(goal.deadline);
                        value
                    })
                    .collect();
                json!({
                    "department": name,
                    "overdue": department.overdue.iter().map(due).collect::<Vec<_>>(),
                    "due_soon": department.due_soon.iter().map(due).collect::<Vec<_>>(),
                    "goals_behind_pace": behind,
                })
            })
            .collect();
        json!({
            "date": self.today.to_string(),
            "late": self.count(FreshnessState::Late),
            "stale": self.count(FreshnessState::Stale),
            "departments": departments,
        })
    }
}

/// The latest period a measure has a value for, in words after an overdue line.
fn latest(summary: &MeasureSummary) -> String {
    match summary
        .freshness
        .as_ref()
        .and_then(|f| f.latest_period.as_deref())
    {
        Some(period) => format!(" (latest value: {period})"),
        None => String::new(),
    }
}

/// A number with at most two decimals, without trailing zeros.
fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A companion that keeps the index of the release being built, from which the report is
/// made: the report judges what a build would publish now. With `documents`, it keeps every
/// measure's document too (for `diff`).
#[derive(Default)]
pub(crate) struct Collect {
    /// The index, once the build finished.
    pub(crate) index: Option<Index>,
    /// The measures' documents by id, when kept.
    pub(crate) documents: Option<BTreeMap<String, dataset::MeasureDocument>>,
}

impl exporter::Companion for Collect {
    fn name(&self) -> &str {
        "status"
    }

    fn begin(
        &mut self,
        _: &Path,
        _: &dataset::document::PublishedDataset,
        _: &BTreeMap<String, dataset::document::InterfaceStrings>,
    ) -> Result<(), exporter::CompanionError> {
        Ok(())
    }

    fn add_measure(
        &mut self,
        document: &dataset::MeasureDocument,
        _: &dataset::Area,
    ) -> Result<(), exporter::CompanionError> {
        if let Some(documents) = &mut self.documents {
            documents.insert(document.measure.id.clone(), document.clone());
        }
        Ok(())
    }

    fn finish(
        &mut self,
        index: &Index,
        _: &[&exporter::tables::Table],
    ) -> Result<(), exporter::CompanionError> {
        self.index = Some(index.clone());
        Ok(())
    }
}
