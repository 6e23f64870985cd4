//! A measure file's `[[analysis]]`: the department's explanation of a period's value.

use super::toml_table::TableReader;
use super::{at_key, read_translations};
use crate::diagnostic::Diagnostic;
use crate::model::Analysis;
use crate::period::{Frequency, Period};

const ANALYSIS_KEYS: &[&str] = &["period", "text", "translations"];
const ANALYSIS_TEXT_KEYS: &[&str] = &["text"];

/// Reads the measure's `[[analysis]]`, each a period of its `frequency` (none when the
/// frequency is unknown, already reported) and a text, one per period; returned in period order.
/// Every problem is reported, and an entry with one is left out.
pub(super) fn read_analysis(
    root: &TableReader<'_, '_>,
    frequency: Option<Frequency>,
    languages: &[String],
    fiscal_year_start_month: u8,
    d: &mut Vec<Diagnostic>,
) -> Vec<Analysis> {
    let mut read: Vec<(Period, Analysis)> = Vec::new();
    for table in root.tables("analysis", "analysis", ANALYSIS_KEYS, d) {
        table.reject_unknown_keys(d);
        let label = table.string("period", Some("\"2026-10\""), d);
        let text = table.string("text", Some("\"Why the value moved …\""), d);
        if let Some(text) = &text
            && text.trim().is_empty()
        {
            d.push(
                at_key(&table, "text", "the analysis is empty")
                    .with_help("say what explains the period's value, or remove the entry"),
            );
            continue;
        }
        let translations = read_translations(
            &table,
            languages,
            "analysis translation",
            ANALYSIS_TEXT_KEYS,
            d,
            |text, d| text.string("text", Some("\"…\""), d),
        );
        let (Some(label), Some(frequency)) = (label, frequency) else {
            continue;
        };
        let period = match Period::parse(&label, frequency, fiscal_year_start_month) {
            Ok(period) => period,
            Err(error) => {
                d.push(at_key(&table, "period", error.to_string()).with_help(format!(
                    "an analysis explains a period of its measure's frequency: {frequency} periods look like {}",
                    frequency.example_labels()
                )));
                continue;
            }
        };
        if read.iter().any(|(other, _)| *other == period) {
            d.push(
                at_key(
                    &table,
                    "period",
                    format!("a second analysis of `{}`", period.label()),
                )
                .with_help("give each period one [[analysis]] entry"),
            );
            continue;
        }
        let Some(text) = text else { continue };
        read.push((
            period,
            Analysis {
                period: period.label(),
                period_end: period.end(),
                text,
                translations,
            },
        ));
    }
    read.sort_by_key(|(period, _)| *period);
    read.into_iter().map(|(_, analysis)| analysis).collect()
}
