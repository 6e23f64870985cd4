//! A measure file's `[[goals]]` and `published_within`: multi-year goals and when values are due.

use super::automation::Place;
use super::toml_table::{TableReader, parse_document};
use super::{SourceText, at_key, check_id, choice, read_translations};
use crate::diagnostic::Diagnostic;
use crate::goal::{Goal, GoalPoint, GoalText, ProgressRule};
use crate::model::Unit;
use crate::period::{Frequency, Period};

pub(super) const GOAL_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "baseline",
    "target",
    "by",
    "progress",
    "milestones",
    "translations",
];
const BASELINE_KEYS: &[&str] = &["period", "value"];
const MILESTONE_KEYS: &[&str] = &["by", "value"];
const GOAL_TEXT_KEYS: &[&str] = &["title", "description"];

/// The longest `published_within` accepted: ten years.
const MAX_PUBLISHED_WITHIN_DAYS: u32 = 3_650;

/// What a measure's goals are read against: its frequency and unit, and the dataset's
/// languages and fiscal year.
pub(super) struct GoalContext<'m> {
    pub(super) frequency: Option<Frequency>,
    pub(super) unit: Option<Unit>,
    pub(super) languages: &'m [String],
    pub(super) fiscal_year_start_month: u8,
}

/// Reads `published_within = "45 days"` (or weeks): the days after a period's end within which
/// its value is due.
pub(super) fn read_published_within(
    root: &TableReader<'_, '_>,
    d: &mut Vec<Diagnostic>,
) -> Option<u32> {
    let text = root.string("published_within", None, d)?;
    let days = text.split_once(' ').and_then(|(number, unit)| {
        let number: u32 = number.parse().ok()?;
        let per = match unit {
            "day" | "days" => 1,
            "week" | "weeks" => 7,
            _ => return None,
        };
        number.checked_mul(per)
    });
    match days {
        Some(days) if (1..=MAX_PUBLISHED_WITHIN_DAYS).contains(&days) => Some(days),
        _ => {
            d.push(
                at_key(
                    root,
                    "published_within",
                    format!("`{text}` is not a time within which values are due"),
                )
                .with_help(format!(
                    "write a number of days or weeks, such as \"45 days\" or \"2 weeks\", up to {MAX_PUBLISHED_WITHIN_DAYS} days"
                )),
            );
            None
        }
    }
}

/// Reads the measure's `[[goals]]`, checking each against the measure; a goal with a problem
/// is left out, and every problem is reported.
pub(super) fn read_goals(
    root: &TableReader<'_, '_>,
    context: &GoalContext<'_>,
    d: &mut Vec<Diagnostic>,
) -> Vec<Goal> {
    let tables = root.tables("goals", "goal", GOAL_KEYS, d);
    let mut goals: Vec<Goal> = Vec::with_capacity(tables.len());
    for table in &tables {
        let Some(goal) = read_goal(table, context, d) else {
            continue;
        };
        if goals.iter().any(|g| g.id == goal.id) {
            d.push(
                at_key(table, "id", format!("duplicate goal id `{}`", goal.id))
                    .with_help("goal ids must be unique in the dataset"),
            );
            continue;
        }
        goals.push(goal);
    }
    goals
}

/// A period label of the measure's frequency, read from `key` of `table`.
fn read_period(
    table: &TableReader<'_, '_>,
    key: &str,
    example: &str,
    context: &GoalContext<'_>,
    d: &mut Vec<Diagnostic>,
) -> Option<Period> {
    let label = table.string(key, Some(example), d)?;
    let frequency = context.frequency?;
    match Period::parse(&label, frequency, context.fiscal_year_start_month) {
        Ok(period) => Some(period),
        Err(error) => {
            d.push(at_key(table, key, error.to_string()).with_help(format!(
                "a goal's periods are of its measure's frequency: {frequency} periods look like {}",
                frequency.example_labels()
            )));
            None
        }
    }
}

fn point(period: Period, value: f64) -> GoalPoint {
    GoalPoint {
        period: period.label(),
        period_end: period.end(),
        value,
    }
}

fn read_goal(
    table: &TableReader<'_, '_>,
    context: &GoalContext<'_>,
    d: &mut Vec<Diagnostic>,
) -> Option<Goal> {
    table.reject_unknown_keys(d);
    let id = table
        .string("id", Some("\"affordable-homes-2030\""), d)
        .filter(|id| check_id(table, "id", id, d));
    let title = table.string("title", Some("\"Fund 6,500 affordable homes by 2030\""), d);
    let description = table.string("description", None, d);
    let baseline = table
        .table("baseline", "goal baseline", BASELINE_KEYS, d)
        .and_then(|baseline| {
            baseline.reject_unknown_keys(d);
            let period = read_period(&baseline, "period", "\"2023\"", context, d);
            let value = baseline.required_number("value", "0", d);
            Some((period?, value?))
        });
    if table.get("baseline").is_none() {
        d.push(
            table
                .source()
                .error(table.offset(), "missing field `baseline` in goal")
                .with_help("add `baseline = { period = \"2023\", value = 0 }`"),
        );
    }
    let target = table.required_number("target", "6500", d);
    let deadline = read_period(table, "by", "\"2030\"", context, d);
    let progress_rule = match table.get("progress") {
        None => Some(ProgressRule::Latest),
        Some(_) => choice(table, "progress", ProgressRule::ALL, d),
    };
    if progress_rule == Some(ProgressRule::Cumulative)
        && let Some(unit) = context.unit
        && !matches!(unit, Unit::Count | Unit::Currency)
    {
        d.push(
            at_key(
                table,
                "progress",
                format!("`cumulative` progress adds up values, which a measure in {unit} cannot"),
            )
            .with_help("use `progress = \"latest\"`, or a measure whose unit is count or currency"),
        );
    }
    let mut valid = progress_rule.is_some();
    if let (Some((_, value)), Some(target)) = (baseline, target)
        && value == target
    {
        valid = false;
        d.push(
            at_key(
                table,
                "target",
                format!("the target {target} is the baseline value: the goal has no direction"),
            )
            .with_help("a goal's target differs from its baseline value"),
        );
    }
    if let (Some((baseline, _)), Some(deadline)) = (baseline, deadline)
        && deadline <= baseline
    {
        valid = false;
        d.push(
            at_key(
                table,
                "by",
                format!(
                    "the deadline `{}` is not after the baseline period `{}`",
                    deadline.label(),
                    baseline.label()
                ),
            )
            .with_help("a goal runs from its baseline period to a later deadline"),
        );
    }
    let mut milestones = Vec::new();
    let mut previous: Option<Period> = None;
    for milestone in table.tables("milestones", "goal milestone", MILESTONE_KEYS, d) {
        milestone.reject_unknown_keys(d);
        let period = read_period(&milestone, "by", "\"2026\"", context, d);
        let value = milestone.required_number("value", "2800", d);
        let (Some(period), Some(value)) = (period, value) else {
            valid = false;
            continue;
        };
        // Against a deadline that is not after the baseline (reported above), every milestone
        // would be outside the span: say nothing more.
        let span_valid = match (baseline, deadline) {
            (Some((baseline, _)), Some(deadline)) => deadline > baseline,
            _ => true,
        };
        let outside = baseline.is_some_and(|(b, _)| period <= b)
            || deadline.is_some_and(|deadline| period >= deadline);
        if outside && span_valid {
            valid = false;
            d.push(
                at_key(
                    &milestone,
                    "by",
                    format!(
                        "milestone `{}` is outside the goal's span{}",
                        period.label(),
                        match (baseline, deadline) {
                            (Some((b, _)), Some(deadline)) =>
                                format!(" (after {} and before {})", b.label(), deadline.label()),
                            _ => String::new(),
                        }
                    ),
                )
                .with_help("a milestone falls after the baseline period and before the deadline"),
            );
        } else if let Some(previous) = previous
            && period <= previous
        {
            valid = false;
            d.push(
                at_key(
                    &milestone,
                    "by",
                    format!(
                        "milestones are out of order: `{}` does not come after `{}`",
                        period.label(),
                        previous.label()
                    ),
                )
                .with_help("list [[goals.milestones]] oldest first, one per period"),
            );
        }
        previous = Some(period);
        milestones.push(point(period, value));
    }
    let translations = read_translations(
        table,
        context.languages,
        "goal translation",
        GOAL_TEXT_KEYS,
        d,
        |text, d| {
            Some(GoalText {
                title: text.string("title", None, d),
                description: text.string("description", None, d),
            })
        },
    );
    let (baseline, baseline_value) = baseline?;
    let deadline = deadline?;
    if !valid {
        return None;
    }
    Some(Goal {
        id: id?,
        title: title?,
        description,
        baseline: point(baseline, baseline_value),
        milestones,
        target: target?,
        deadline: deadline.label(),
        deadline_end: deadline.end(),
        progress_rule: progress_rule?,
        translations,
    })
}

/// Where each goal id of a measure file is written, for problems found across files (a goal
/// id used by two measures). Goals without a string id are left out; the measure's own reading
/// reports them.
pub fn goal_id_places(name: &str, text: &str) -> Vec<(String, Place)> {
    let source = SourceText::new(name, text);
    let mut ignored = Vec::new();
    let Some(document) = parse_document(&source, text, &mut ignored) else {
        return Vec::new();
    };
    let root = TableReader::new(&source, document.get_ref(), 0..0, "measure", &[]);
    root.tables("goals", "goal", GOAL_KEYS, &mut ignored)
        .iter()
        .filter_map(|goal| {
            let id = goal.string("id", None, &mut ignored)?;
            let offset = goal.get("id")?.span().start;
            Some((id, Place::new(&source, offset)))
        })
        .collect()
}
