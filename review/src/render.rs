//! The report in words: for a terminal (`text`) and for a pull-request comment (`markdown`).

use std::fmt::Write as _;

use serde_json::Value;

use crate::{MeasureChange, Presence, ROWS_PER_KIND, Report};

/// One line of a measure's changes: its kind, where, before and after.
struct Line {
    kind: &'static str,
    place: String,
    old: String,
    new: String,
}

/// A status name in words: `on_track` → "on track".
fn words(name: &str) -> String {
    name.replace('_', " ")
}

/// A published value, `–` when absent: `80`, `86.3`.
fn value(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

/// A definition field's value, short: strings without quotes, numbers as values are written,
/// absent as `–`.
fn field(value: &Value) -> String {
    match value {
        Value::Null => "–".to_owned(),
        Value::String(text) => text.clone(),
        Value::Number(number) => number
            .as_f64()
            .map_or_else(|| number.to_string(), |n| n.to_string()),
        other => other.to_string(),
    }
}

/// The measure's changes as lines, restatements first, at most [`ROWS_PER_KIND`] of a kind,
/// then a line saying how many more.
fn lines(change: &MeasureChange) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut kind = |kind: &'static str, all: Vec<Line>| {
        let more = all.len().saturating_sub(ROWS_PER_KIND);
        lines.extend(all.into_iter().take(ROWS_PER_KIND));
        if more > 0 {
            lines.push(Line {
                kind,
                place: format!("and {more} more"),
                old: String::new(),
                new: String::new(),
            });
        }
    };
    match change.presence {
        Presence::Added => kind(
            "added",
            vec![Line {
                kind: "added",
                place: "the measure".to_owned(),
                old: String::new(),
                new: "new".to_owned(),
            }],
        ),
        Presence::Removed => kind(
            "removed",
            vec![Line {
                kind: "removed",
                place: "the measure (its id is permanent)".to_owned(),
                old: "published".to_owned(),
                new: "gone".to_owned(),
            }],
        ),
        Presence::Kept => {}
    }
    kind(
        "restated",
        change
            .restated
            .iter()
            .map(|r| Line {
                kind: "restated",
                place: match &r.group {
                    Some((dimension, group)) => format!("{} {dimension}={group}", r.period),
                    None => r.period.clone(),
                },
                old: format!("{} ({})", value(r.old_value), words(r.old_status.as_str())),
                new: format!("{} ({})", value(r.new_value), words(r.new_status.as_str())),
            })
            .collect(),
    );
    kind(
        "definition",
        change
            .definition
            .iter()
            .map(|f| Line {
                kind: "definition",
                place: f.field.clone(),
                old: field(&f.old),
                new: field(&f.new),
            })
            .collect(),
    );
    if let Some(status) = change.latest_status {
        kind(
            "status",
            vec![Line {
                kind: "status",
                place: "latest period".to_owned(),
                old: words(status.old.as_str()),
                new: words(status.new.as_str()),
            }],
        );
    }
    kind(
        "goal",
        change
            .goals
            .iter()
            .map(|g| Line {
                kind: "goal",
                place: if g.new.is_none() {
                    format!("{} (removed; its id is permanent)", g.id)
                } else {
                    g.id.clone()
                },
                old: g.old.map_or_else(|| "–".to_owned(), |s| words(s.as_str())),
                new: g.new.map_or_else(|| "–".to_owned(), |s| words(s.as_str())),
            })
            .collect(),
    );
    if let Some(freshness) = change.freshness {
        kind(
            "freshness",
            vec![Line {
                kind: "freshness",
                place: String::new(),
                old: words(freshness.old.as_str()),
                new: words(freshness.new.as_str()),
            }],
        );
    }
    let periods = |kind: &'static str, periods: &[String]| -> Vec<Line> {
        if periods.is_empty() {
            return Vec::new();
        }
        let shown: Vec<&str> = periods
            .iter()
            .take(ROWS_PER_KIND)
            .map(String::as_str)
            .collect();
        let more = periods.len().saturating_sub(ROWS_PER_KIND);
        let mut place = shown.join(", ");
        if more > 0 {
            let _ = write!(place, " and {more} more");
        }
        vec![Line {
            kind,
            place,
            old: String::new(),
            new: String::new(),
        }]
    };
    kind("new periods", periods("new periods", &change.new_periods));
    kind(
        "removed periods",
        periods("removed periods", &change.removed_periods),
    );
    lines
}

/// "3 measures changed: 2 values restated, 1 definition field, …", or "No published data
/// changed.".
fn summary(report: &Report) -> String {
    if report.is_empty() {
        return "No published data changed.".to_owned();
    }
    let count = |n: usize, one: &str, many: &str| match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    };
    let sum = |f: fn(&MeasureChange) -> usize| report.measures.iter().map(f).sum::<usize>();
    let parts: Vec<String> = [
        count(
            sum(|m| m.restated.len()),
            "value restated",
            "values restated",
        ),
        count(
            sum(|m| usize::from(m.presence == Presence::Added)),
            "measure added",
            "measures added",
        ),
        count(
            sum(|m| usize::from(m.presence == Presence::Removed)),
            "measure removed",
            "measures removed",
        ),
        count(
            sum(|m| m.definition.len()),
            "definition field changed",
            "definition fields changed",
        ),
        count(sum(|m| m.new_periods.len()), "new period", "new periods"),
        count(
            sum(|m| m.removed_periods.len()),
            "period removed",
            "periods removed",
        ),
        count(
            sum(|m| usize::from(m.latest_status.is_some())),
            "latest status changed",
            "latest statuses changed",
        ),
        count(sum(|m| m.goals.len()), "goal changed", "goals changed"),
        count(
            sum(|m| usize::from(m.freshness.is_some())),
            "freshness changed",
            "freshness changes",
        ),
        count(report.areas_added.len(), "area added", "areas added"),
        count(report.areas_removed.len(), "area removed", "areas removed"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let measures = match report.measures.len() {
        1 => "1 measure".to_owned(),
        n => format!("{n} measures"),
    };
    format!("{measures} changed: {}.", parts.join(", "))
}

/// The departments of the report, each with its measures, in report order.
fn by_department(report: &Report) -> Vec<(&str, Vec<&MeasureChange>)> {
    let mut departments: Vec<(&str, Vec<&MeasureChange>)> = Vec::new();
    for change in &report.measures {
        match departments.last_mut() {
            Some((department, changes)) if *department == change.department => {
                changes.push(change);
            }
            _ => departments.push((&change.department, vec![change])),
        }
    }
    departments
}

impl Report {
    /// The report for a terminal.
    pub fn text(&self) -> String {
        let mut out = format!("{} → {}\n{}\n", self.base, self.head, summary(self));
        for id in &self.areas_removed {
            let _ = writeln!(out, "area {id} removed (its id is permanent)");
        }
        for id in &self.areas_added {
            let _ = writeln!(out, "area {id} added");
        }
        for (department, changes) in by_department(self) {
            let _ = writeln!(out, "\n{department}");
            for change in changes {
                let _ = write!(out, "  {} ({})", change.title, change.id);
                if let Some(owner) = &change.owner {
                    let _ = write!(out, " – {} <{}>", owner.name, owner.email);
                }
                out.push('\n');
                for line in lines(change) {
                    let arrow = if line.old.is_empty() && line.new.is_empty() {
                        String::new()
                    } else {
                        format!(": {} → {}", line.old, line.new)
                    };
                    let place = if line.place.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", line.place)
                    };
                    let _ = writeln!(out, "    {}{place}{arrow}", line.kind);
                }
            }
        }
        out
    }

    /// The report as CommonMark, for a pull-request comment: the summary, then a table per
    /// department, restatements first.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "**civicmetrics diff** `{}` → `{}`: {}\n",
            code(&self.base),
            code(&self.head),
            summary(self)
        );
        for id in &self.areas_removed {
            let _ = writeln!(out, "\n- Area `{}` removed (its id is permanent)", code(id));
        }
        for id in &self.areas_added {
            let _ = writeln!(out, "\n- Area `{}` added", code(id));
        }
        for (department, changes) in by_department(self) {
            let _ = writeln!(out, "\n### {}\n", escape(department));
            out.push_str("| Measure | Change | Where | Before | After |\n");
            out.push_str("|---|---|---|---|---|\n");
            for change in changes {
                let mut measure = format!("{} (`{}`)", escape(&change.title), code(&change.id));
                if let Some(owner) = &change.owner {
                    let _ = write!(measure, "<br>{}", escape(&owner.name));
                }
                for line in lines(change) {
                    let _ = writeln!(
                        out,
                        "| {measure} | {} | {} | {} | {} |",
                        line.kind,
                        escape(&line.place),
                        escape(&line.old),
                        escape(&line.new)
                    );
                    // The measure is named on its first row only.
                    measure.clear();
                }
            }
        }
        out
    }
}

/// Text as literal Markdown inline content in a table cell: the characters that could start
/// markup (emphasis, code, links, HTML, entities, the cell's end) escaped, line breaks made
/// spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span: backticks and line breaks cannot be, nor can `|` in a table.
fn code(text: &str) -> String {
    text.replace(['`', '\n', '\r', '|'], " ")
}
