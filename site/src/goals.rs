//! A measure's multi-year goals and freshness in words, built once per language: the goals are
//! shown on the dashboard and on the area, measure and goal embed pages, the freshness on the
//! measure page and, when a measure is overdue, on the dashboard.

use dataset::document::MeasureDocument;
use dataset::{Freshness, FreshnessState, GoalStatus, ProgressRule};

use crate::format::Formatter;
use crate::models::{FreshnessText, GoalView};
use crate::{Writer, urls};

impl Writer {
    /// The goals of `document` in `format`'s language, with links from a page two levels below
    /// that language's root (as cards have).
    pub(crate) fn goal_views(
        &self,
        document: &MeasureDocument,
        format: &Formatter<'_>,
    ) -> Vec<GoalView> {
        let lang = format.language();
        let measure = &document.measure;
        let fiscal = self.info.fiscal_year_start_month;
        let page = urls::measure(&measure.id);
        let period = |label: &str| format.period_label(measure.frequency, label, fiscal);
        measure
            .goals
            .iter()
            .zip(&document.goal_status)
            .map(|(goal, status)| {
                let (title, description) = goal.text(lang);
                let target = format.value(measure, goal.target);
                let share = status.share.map(|share| share.clamp(0.0, 1.0));
                let progress = status.progress.zip(status.share).map(|(progress, share)| {
                    let share = format.share(share);
                    match goal.progress_rule {
                        ProgressRule::Cumulative => format.fill(
                            "goal_progress",
                            &[
                                ("progress", &format.bare_value(measure, progress)),
                                ("target", &target),
                                ("share", &share),
                            ],
                        ),
                        ProgressRule::Latest => format.fill(
                            "goal_progress_latest",
                            &[
                                ("progress", &format.value(measure, progress)),
                                ("target", &target),
                                ("share", &share),
                            ],
                        ),
                    }
                });
                let expected = status.expected.zip(status.latest_period.as_deref()).map(
                    |(expected, latest)| {
                        format.fill(
                            "goal_expected",
                            &[
                                ("period", &period(latest)),
                                ("value", &format.value(measure, expected)),
                            ],
                        )
                    },
                );
                // A projection speaks of a goal still under way.
                let projection = match (status.status, &status.projected_period) {
                    (GoalStatus::OnPace | GoalStatus::BehindPace, Some(projected)) => {
                        Some(format.fill("goal_projection", &[("period", &period(projected))]))
                    }
                    (GoalStatus::OnPace | GoalStatus::BehindPace, None) => {
                        Some(format.text("goal_no_projection"))
                    }
                    _ => None,
                };
                GoalView {
                    id: goal.id.clone(),
                    measure_id: measure.id.clone(),
                    title: title.to_owned(),
                    description: description.map(str::to_owned),
                    measure_title: format
                        .fill("goal_of", &[("measure", measure.text(lang).card_title())]),
                    href: format!(
                        "{}#goal-{}",
                        self.urls.link(lang, &page, lang, &page),
                        goal.id
                    ),
                    status_class: status.status.as_str(),
                    status: format.text(&format!("goal_{}", status.status.as_str())),
                    icon: view::goal_symbol(status.status),
                    percent: share.map(|share| (share * 100.0).round() as u32),
                    progress,
                    baseline: format.fill(
                        "goal_baseline",
                        &[
                            ("value", &format.value(measure, goal.baseline.value)),
                            ("period", &period(&goal.baseline.period)),
                        ],
                    ),
                    deadline: format.fill("goal_deadline", &[("period", &period(&goal.deadline))]),
                    expected,
                    projection,
                    milestones: goal
                        .milestones
                        .iter()
                        .map(|m| (period(&m.period), format.value(measure, m.value)))
                        .collect(),
                }
            })
            .collect()
    }
}

/// A measure's freshness in words: when its next value is due, or since when it is overdue;
/// `None` for a measure without any value.
pub(crate) fn freshness_text(
    freshness: Option<&Freshness>,
    format: &Formatter<'_>,
) -> Option<FreshnessText> {
    let freshness = freshness?;
    let due = format.day(freshness.next_due?);
    let key = match freshness.state {
        FreshnessState::Current => "next_due",
        FreshnessState::Late => "update_late",
        FreshnessState::Stale => "update_stale",
        FreshnessState::NoData => return None,
    };
    Some(FreshnessText {
        class: freshness.state.as_str(),
        overdue: freshness.state.is_overdue(),
        text: format.fill(key, &[("date", &due)]),
    })
}
