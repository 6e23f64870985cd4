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

    /// The latest citywide observation that has a value, else the latest citywide observation.
    pub fn latest(&self) -> Option<&Observation> {
        self.totals()
            .rev()
            .find(|observation| observation.value.is_some())
            .or_else(|| self.totals().next_back())
    }
}

/// Sorts a measure's rows, reports duplicate (period, breakdown) rows and judges each row.
///
/// `files` names the files that rows' origins index, for messages. A citywide row is judged
/// against its own target, else the target in force for its period; a breakdown row only against
/// its own target.
pub fn judge_series(
    measure: &Measure,
    mut rows: Vec<SourceRow>,
    files: &[String],
) -> (Series, Vec<Diagnostic>) {
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
    rows.sort_unstable_by(|a, b| {
        (label(measure, a), a.period, a.origin).cmp(&(label(measure, b), b.period, b.origin))
    });
    let file_name = |file: u32| files.get(file as usize).map_or("?", String::as_str);

    let mut published = Vec::with_capacity(rows.len());
    let mut previous: Option<&SourceRow> = None;
    for row in &rows {
        if let Some(first) = previous
            && first.breakdown == row.breakdown
            && first.period.start() == row.period.start()
        {
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
            continue;
        }
        previous = Some(row);
        let target = match (row.target, &row.breakdown) {
            (Some(value), _) => measure.target.row_override(value),
            (None, None) => measure.target.in_force(row.period.start()),
            (None, Some(_)) => None,
        };
        published.push(SeriesRow {
            breakdown: row.breakdown.as_ref().map(|b| {
                (
                    measure.breakdowns[usize::from(b.dimension)].clone(),
                    b.group.clone(),
                )
            }),
            observation: Observation {
                period: row.period.label(),
                period_start: row.period.start(),
                period_end: row.period.end(),
                value: row.value,
                status: status(row.value, target.as_ref()),
                target,
                note: row.note.clone(),
            },
        });
    }
    (Series { rows: published }, diagnostics)
}
