//! Turning one measure's checked rows into its published series: sorted, free of duplicates,
//! and each row judged against its target.

use super::observations::{Breakdown, SourceRow};
use crate::diagnostic::Diagnostic;
use crate::model::{Measure, Observation, TOTAL, status};

/// One published row of a measure's series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    /// `None` for the citywide total; otherwise the breakdown dimension and group.
    pub breakdown: Option<(String, String)>,
    /// The observation with its status and the target it was judged against.
    pub observation: Observation,
}

/// A measure's published rows, sorted by breakdown and group as the tables spell them (citywide
/// rows as `total`), then by period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// The rows, sorted by breakdown, group and period.
    pub rows: Vec<SeriesRow>,
}

impl Series {
    /// The citywide observations, in period order.
    pub fn totals(&self) -> impl DoubleEndedIterator<Item = &Observation> {
        self.rows
            .iter()
            .filter(|row| row.breakdown.is_none())
            .map(|row| &row.observation)
    }

    /// The latest settled citywide observation that has a value, else the latest settled
    /// citywide observation, else the latest one. A provisional value (of a period still
    /// running) is not the measure's latest: cards and "N of M on track" judge settled periods.
    pub fn latest(&self) -> Option<&Observation> {
        let settled = || self.totals().filter(|observation| !observation.provisional);
        settled()
            .rev()
            .find(|observation| observation.value.is_some())
            .or_else(|| settled().next_back())
            .or_else(|| self.totals().next_back())
    }
}

/// Sorts a measure's rows into published order and drops duplicate (period, breakdown) rows,
/// reporting each: the first row given (in file order) is kept.
///
/// `files` names the files that rows' origins index, for messages.
pub fn check_series(
    measure: &Measure,
    mut rows: Vec<SourceRow>,
    files: &[String],
) -> (Vec<SourceRow>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    // Published order: by breakdown name and group as the tables spell them (citywide rows are
    // `total`, `total`), then period; the origin keeps duplicates in file order.
    fn label<'r>(measure: &'r Measure, row: &'r SourceRow) -> (&'r str, &'r str) {
        match &row.breakdown {
            Some(b) => (
                measure.breakdowns[usize::from(b.dimension)].as_str(),
                b.group.as_str(),
            ),
            None => (TOTAL, TOTAL),
        }
    }
    type Key<'r> = ((&'r str, &'r str), crate::period::Period, super::Origin);
    fn key<'r>(measure: &'r Measure, row: &'r SourceRow) -> Key<'r> {
        (label(measure, row), row.period, row.origin)
    }
    // Citywide rows (most rows) share their labels: compare them without the strings.
    let order = |a: &SourceRow, b: &SourceRow| match (&a.breakdown, &b.breakdown) {
        (None, None) => (a.period, a.origin).cmp(&(b.period, b.origin)),
        _ => key(measure, a).cmp(&key(measure, b)),
    };
    // Rows usually arrive in order already; checking that is a single pass.
    if !rows.is_sorted_by(|a, b| order(a, b).is_le()) {
        rows.sort_unstable_by(order);
    }
    let file_name = |file: u32| files.get(file as usize).map_or("?", String::as_str);
    // In place: a row equal in period and breakdown to the one kept before it is dropped.
    rows.dedup_by(|row, first| {
        if first.breakdown != row.breakdown || first.period.start() != row.period.start() {
            return false;
        }
        let group = match &row.breakdown {
            Some(Breakdown { dimension, group }) => {
                format!(
                    " for {} `{group}`",
                    measure.breakdowns[usize::from(*dimension)]
                )
            }
            None => String::new(),
        };
        diagnostics.push(
            Diagnostic::error(
                file_name(row.origin.file),
                row.origin.line,
                1,
                format!(
                    "duplicate row: measure `{}` already has period `{}`{group}",
                    measure.id, row.period
                ),
            )
            .with_help(format!(
                "first given at {}:{}; keep one row per measure, period and breakdown",
                file_name(first.origin.file),
                first.origin.line
            )),
        );
        true
    });
    (rows, diagnostics)
}

/// Judges each of a measure's rows, as [`check_series`] returns them, against its target.
///
/// A citywide row is judged against its own target, else the target in force for its period; a
/// breakdown row only against its own target.
pub fn judge_series(measure: &Measure, rows: Vec<SourceRow>) -> Series {
    let rows = rows
        .into_iter()
        .map(|row| {
            let target = match (row.target, &row.breakdown) {
                (Some(value), _) => measure.target.row_override(value),
                (None, None) => measure.target.in_force(row.period.start()),
                (None, Some(_)) => None,
            };
            SeriesRow {
                breakdown: row.breakdown.map(|b| {
                    (
                        measure.breakdowns[usize::from(b.dimension)].clone(),
                        b.group,
                    )
                }),
                observation: Observation {
                    period: row.period.label(),
                    period_start: row.period.start(),
                    period_end: row.period.end(),
                    value: row.value,
                    status: status(row.value, target.as_ref()),
                    target,
                    note: row.note,
                    record_count: row.record_count,
                    provisional: row.provisional,
                },
            }
        })
        .collect();
    Series { rows }
}
