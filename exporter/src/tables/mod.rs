//! The published tables – areas, measures, goals, analysis, observations, and the history of
//! every value published (revisions, publications) – described once: column names, types and
//! descriptions feed the Parquet schema, the CSV header, the Frictionless Table Schema and the
//! data dictionary alike.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use dataset::freshness::{Freshness, FreshnessState};
use dataset::goal::{Goal, GoalAssessment, GoalStatus, ProgressRule};
use dataset::model::{Analysis, Area, Measure, Status, TargetKind, TargetSource};

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    String,
    /// A 64-bit integer.
    Integer,
    /// A 64-bit float.
    Number,
    /// A calendar date.
    Date,
    /// `true` or `false`.
    Boolean,
    /// An instant, to the second, in UTC: RFC 3339 (`2026-11-03T17:00:00Z`) in CSV; in Parquet
    /// a timestamp in milliseconds adjusted to UTC, the unit every reader knows (Parquet has
    /// no seconds: Arrow's are written as bare integers).
    Timestamp,
}

impl ColumnType {
    /// The Arrow type in Parquet files.
    pub fn arrow(self) -> DataType {
        match self {
            ColumnType::String => DataType::Utf8,
            ColumnType::Integer => DataType::Int64,
            ColumnType::Number => DataType::Float64,
            ColumnType::Date => DataType::Date32,
            ColumnType::Boolean => DataType::Boolean,
            ColumnType::Timestamp => {
                DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, Some("UTC".into()))
            }
        }
    }

    /// The Frictionless Table Schema type.
    pub fn frictionless(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Date => "date",
            ColumnType::Boolean => "boolean",
            ColumnType::Timestamp => "datetime",
        }
    }
}

/// One column of a published table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Its type.
    pub kind: ColumnType,
    /// Whether every row has a value.
    pub required: bool,
    /// What it holds, in plain language.
    pub description: String,
    /// The values it may take, when they are a fixed set.
    pub allowed: Option<Vec<&'static str>>,
}

/// A foreign key: `column` refers to `table`.`id`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKey {
    /// The referring column.
    pub column: &'static str,
    /// The referenced table.
    pub table: &'static str,
}

/// A published table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem and resource name: `areas`, `measures`, `observations`.
    pub name: &'static str,
    /// Title for catalogues.
    pub title: &'static str,
    /// What one row is.
    pub description: &'static str,
    /// Its columns, in order.
    pub columns: Vec<Column>,
    /// Columns whose values identify a row.
    pub primary_key: Vec<&'static str>,
    /// References to other tables.
    pub foreign_keys: Vec<ForeignKey>,
}

impl Table {
    /// The Arrow schema, with each column's description as field metadata `description`.
    pub fn arrow_schema(&self, metadata: &[(&str, &str)]) -> Arc<Schema> {
        let fields: Vec<Field> = self
            .columns
            .iter()
            .map(|column| {
                Field::new(&column.name, column.kind.arrow(), !column.required).with_metadata(
                    std::collections::HashMap::from([(
                        "description".to_owned(),
                        column.description.clone(),
                    )]),
                )
            })
            .collect();
        let metadata: std::collections::HashMap<String, String> = metadata
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        Arc::new(Schema::new_with_metadata(fields, metadata))
    }

    /// Column names, for CSV headers.
    pub fn header(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

fn column(name: &str, kind: ColumnType, required: bool, description: &str) -> Column {
    Column {
        name: name.to_owned(),
        kind,
        required,
        description: description.to_owned(),
        allowed: None,
    }
}

fn choice(name: &str, required: bool, description: &str, allowed: Vec<&'static str>) -> Column {
    Column {
        allowed: Some(allowed),
        ..column(name, ColumnType::String, required, description)
    }
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| name(*v)).collect()
}

/// Columns holding a text in each language other than the default: `title_es` …
fn translated(fields: &[(&str, &str)], languages: &[String]) -> Vec<Column> {
    languages
        .iter()
        .skip(1)
        .flat_map(|language| {
            fields.iter().map(move |(field, description)| {
                column(
                    &format!("{field}_{language}"),
                    ColumnType::String,
                    false,
                    &format!(
                        "{description}, in language `{language}` (empty when not translated)."
                    ),
                )
            })
        })
        .collect()
}

/// The `areas` table.
pub fn areas(languages: &[String]) -> Table {
    use ColumnType::*;
    let mut columns = vec![
        column(
            "id",
            String,
            true,
            "Permanent identifier of the priority area.",
        ),
        column(
            "position",
            Integer,
            true,
            "Order in which the area is presented, from 1.",
        ),
        column("title", String, true, "Title of the area."),
        column(
            "description",
            String,
            true,
            "What the area covers, in plain language.",
        ),
    ];
    columns.extend(translated(
        &[
            ("title", "Title of the area"),
            ("description", "Description of the area"),
        ],
        languages,
    ));
    Table {
        name: "areas",
        title: "Priority areas",
        description: "One row per priority area of the dashboard.",
        columns,
        primary_key: vec!["id"],
        foreign_keys: vec![],
    }
}

/// The `measures` table.
pub fn measures(languages: &[String]) -> Table {
    use ColumnType::*;
    let mut columns = vec![
        column("id", String, true, "Permanent identifier of the measure."),
        column(
            "area_id",
            String,
            true,
            "The priority area the measure belongs to (areas.id).",
        ),
        column("title", String, true, "Title of the measure."),
        column("short_title", String, false, "Shorter title used on cards."),
        column(
            "description",
            String,
            true,
            "Why the measure matters, in plain language.",
        ),
        column("department", String, true, "The department responsible."),
        column(
            "owner_name",
            String,
            false,
            "Who answers for the measure (a person or role, not the department's general contact); empty when the measure names no owner.",
        ),
        column(
            "owner_email",
            String,
            false,
            "The owner's email address; empty when the measure names no owner.",
        ),
        choice(
            "unit",
            true,
            "Unit of the values.",
            names(dataset::model::Unit::ALL, dataset::model::Unit::as_str),
        ),
        column(
            "unit_label",
            String,
            false,
            "Label of the unit, such as \"tonnes CO2e\".",
        ),
        column("decimals", Integer, false, "Decimal places to show."),
        choice(
            "frequency",
            true,
            "How often the measure is reported.",
            names(&dataset::Frequency::ALL, dataset::Frequency::as_str),
        ),
        choice(
            "direction",
            true,
            "Which way is better.",
            names(dataset::Direction::ALL, dataset::Direction::as_str),
        ),
        choice(
            "target_kind",
            true,
            "Kind of target: at_least, at_most, range or none.",
            names(TargetKind::ALL, TargetKind::as_str),
        ),
        column(
            "target_value",
            Number,
            false,
            "Target value (at_least, at_most), before any change in target_history.",
        ),
        column(
            "target_min",
            Number,
            false,
            "Lower bound of a range target, before any change.",
        ),
        column(
            "target_max",
            Number,
            false,
            "Upper bound of a range target, before any change.",
        ),
        column(
            "target_near",
            Number,
            false,
            "Band within which a missed target counts as near_target, in the measure's unit.",
        ),
        column(
            "target_history",
            String,
            false,
            "Later targets as JSON, oldest first: [{\"from\": period label, \"from_start\": date, \"value\" or \"min\" and \"max\", \"near\"}].",
        ),
        column(
            "breakdowns",
            String,
            false,
            "Breakdown dimensions, separated by \";\" (e.g. council_district).",
        ),
        column("methodology", String, true, "How the measure is computed."),
        column(
            "source",
            String,
            true,
            "System of record the values come from.",
        ),
        column(
            "published_within_days",
            Integer,
            true,
            "Days after a period ends within which its value is due (the measure's published_within, else 2 daily, 7 weekly, 30 monthly, 60 quarterly, 180 annual).",
        ),
        choice(
            "freshness",
            true,
            "Whether the values are up to date at the publication time: current while the next value is not yet due, late once it is due and missing, stale once the value after it is due as well, no_data without any value.",
            names(FreshnessState::ALL, FreshnessState::as_str),
        ),
        column(
            "latest_period",
            String,
            false,
            "The latest period with a citywide value; empty without one.",
        ),
        column(
            "next_period",
            String,
            false,
            "The period whose value comes next.",
        ),
        column(
            "next_due",
            Date,
            false,
            "When the next period's value is (or was) due: the period's last day plus published_within_days.",
        ),
        column(
            "latest_record",
            String,
            false,
            "For a measure computed from records, the latest time among the records it was computed from (RFC 3339, in the dataset's time zone); empty otherwise.",
        ),
    ];
    columns.extend(translated(
        &[
            ("title", "Title"),
            ("short_title", "Short title"),
            ("description", "Description"),
            ("methodology", "Methodology"),
        ],
        languages,
    ));
    Table {
        name: "measures",
        title: "Measures",
        description: "One row per performance measure: what is tracked, why, how, and its target.",
        columns,
        primary_key: vec!["id"],
        foreign_keys: vec![ForeignKey {
            column: "area_id",
            table: "areas",
        }],
    }
}

/// The `goals` table.
pub fn goals(languages: &[String]) -> Table {
    use ColumnType::*;
    let mut columns = vec![
        column("id", String, true, "Permanent identifier of the goal."),
        column(
            "measure_id",
            String,
            true,
            "The measure whose values track the goal (measures.id).",
        ),
        column(
            "title",
            String,
            true,
            "What the goal is, in plain language.",
        ),
        column("description", String, false, "More about the goal."),
        column(
            "baseline_period",
            String,
            true,
            "The period the goal starts from.",
        ),
        column(
            "baseline_period_end",
            Date,
            true,
            "Last day of the baseline period, where the goal's path starts.",
        ),
        column(
            "baseline_value",
            Number,
            true,
            "The value the goal starts from, in the measure's unit.",
        ),
        column(
            "milestones",
            String,
            false,
            "Interim points of the path as JSON, oldest first: [{\"period\": label, \"period_end\": date, \"value\": number}]; empty for a straight path.",
        ),
        column(
            "target",
            Number,
            true,
            "The value to reach, in the measure's unit.",
        ),
        column(
            "deadline",
            String,
            true,
            "The period by whose end the target is due.",
        ),
        column(
            "deadline_end",
            Date,
            true,
            "Last day of the deadline period.",
        ),
        choice(
            "progress_rule",
            true,
            "How progress is read: latest (the value at the latest period with data) or cumulative (the baseline value plus the sum of the values after the baseline period).",
            names(ProgressRule::ALL, ProgressRule::as_str),
        ),
        column(
            "latest_period",
            String,
            false,
            "The latest period after the baseline with a value; empty without one.",
        ),
        column(
            "progress",
            Number,
            false,
            "Progress at the latest period, in the measure's unit.",
        ),
        column(
            "expected",
            Number,
            false,
            "Where the path (baseline, milestones, target, interpolated in days) puts progress at the end of the latest period.",
        ),
        column(
            "share",
            Number,
            false,
            "Share of the way from the baseline to the target: (progress − baseline_value) / (target − baseline_value).",
        ),
        choice(
            "status",
            true,
            "Where the goal stands at the publication time; see the dictionary's section on goals.",
            names(GoalStatus::ALL, GoalStatus::as_str),
        ),
        column(
            "projected_period",
            String,
            false,
            "The period in which the target is reached at the pace of the last year of periods; empty when that trend runs flat or the wrong way, or reaches it more than 100 years out.",
        ),
    ];
    columns.extend(translated(
        &[
            ("title", "Title of the goal"),
            ("description", "Description of the goal"),
        ],
        languages,
    ));
    Table {
        name: "goals",
        title: "Multi-year goals",
        description: "One row per multi-year goal: its baseline, target and deadline, and where it stands at the publication time.",
        columns,
        primary_key: vec!["id"],
        foreign_keys: vec![ForeignKey {
            column: "measure_id",
            table: "measures",
        }],
    }
}

/// The `analysis` table.
pub fn analysis(languages: &[String]) -> Table {
    use ColumnType::*;
    let mut columns = vec![
        column(
            "measure_id",
            String,
            true,
            "The measure whose value is explained (measures.id).",
        ),
        column("period", String, true, "The period explained."),
        column("period_end", Date, true, "Last day of the period."),
        column(
            "text",
            String,
            true,
            "The department's explanation of the period's value, in plain language.",
        ),
    ];
    columns.extend(translated(&[("text", "The explanation")], languages));
    Table {
        name: "analysis",
        title: "Analysis by period",
        description: "One row per period a department explained: what lies behind the measure's value for that period.",
        columns,
        primary_key: vec!["measure_id", "period"],
        foreign_keys: vec![ForeignKey {
            column: "measure_id",
            table: "measures",
        }],
    }
}

/// The cells of an analysis row, as text, in column order.
pub fn analysis_cells(
    measure: &Measure,
    analysis: &Analysis,
    languages: &[String],
) -> Vec<Option<String>> {
    let mut cells = vec![
        Some(measure.id.clone()),
        Some(analysis.period.clone()),
        Some(analysis.period_end.to_string()),
        Some(analysis.text.clone()),
    ];
    for language in languages.iter().skip(1) {
        cells.push(analysis.translations.get(language).cloned());
    }
    cells
}

/// The `observations` table.
pub fn observations() -> Table {
    use ColumnType::*;
    let columns = vec![
        column(
            "measure_id",
            String,
            true,
            "The measure observed (measures.id).",
        ),
        column(
            "period",
            String,
            true,
            "Reporting period label, e.g. 2026-03, 2026-Q1, FY2026, 2026-W10.",
        ),
        column("period_start", Date, true, "First day of the period."),
        column(
            "period_end",
            Date,
            true,
            "Last day of the period (inclusive).",
        ),
        column(
            "breakdown",
            String,
            true,
            "Breakdown dimension, such as council_district; \"total\" for the citywide value.",
        ),
        column(
            "breakdown_group",
            String,
            true,
            "Group within the breakdown, such as \"District 3\"; \"total\" for the citywide value.",
        ),
        column(
            "value",
            Number,
            false,
            "The observed value, in the measure's unit; empty when there is no data.",
        ),
        choice(
            "status",
            true,
            "How the value compares with the target.",
            names(Status::ALL, Status::as_str),
        ),
        choice(
            "target_kind",
            false,
            "Kind of the target the value was judged against; empty when none.",
            vec!["at_least", "at_most", "range"],
        ),
        column(
            "target_value",
            Number,
            false,
            "Target value the value was judged against (at_least, at_most).",
        ),
        column(
            "target_min",
            Number,
            false,
            "Lower bound of the range target the value was judged against.",
        ),
        column(
            "target_max",
            Number,
            false,
            "Upper bound of the range target the value was judged against.",
        ),
        column(
            "target_near",
            Number,
            false,
            "Band within which a missed target counts as near_target.",
        ),
        choice(
            "target_source",
            false,
            "Where the target came from: row (this observation), history (a target change) or measure.",
            names(TargetSource::ALL, TargetSource::as_str),
        ),
        column(
            "note",
            String,
            false,
            "Note from the department, such as why data is missing.",
        ),
        column(
            "record_count",
            Integer,
            false,
            "How many records a computed value came from (for a share, the records it is a share of); empty for a value entered by hand.",
        ),
        column(
            "provisional",
            Boolean,
            true,
            "true when the period was still running when the value was computed, so the value will change; false otherwise.",
        ),
    ];
    Table {
        name: "observations",
        title: "Observations",
        description: "One row per measure, period and breakdown group, with its status and the target it was judged against.",
        columns,
        primary_key: vec!["measure_id", "period", "breakdown", "breakdown_group"],
        foreign_keys: vec![ForeignKey {
            column: "measure_id",
            table: "measures",
        }],
    }
}

/// The `revisions` table: every value ever published, one row per version of an observation.
/// Its first columns are the observations table's, in the same order.
pub fn revisions() -> Table {
    use ColumnType::*;
    let mut columns = observations().columns;
    columns.push(column(
        "published_at",
        Timestamp,
        true,
        "When this version of the row was first published (the release's publication time, UTC).",
    ));
    columns.push(column(
        "superseded_at",
        Timestamp,
        false,
        "When a release first published another version of the row, or no longer published it; empty while this version is current.",
    ));
    Table {
        name: "revisions",
        title: "Revisions",
        description: "Every observation row as it was ever published: a row is added when a release publishes a new or changed value, status, target or note, and superseded when a later release restates or removes it. The observations of the release published at time T are the rows with published_at ≤ T and superseded_at empty or after T.",
        columns,
        primary_key: vec![
            "measure_id",
            "period",
            "breakdown",
            "breakdown_group",
            "published_at",
        ],
        foreign_keys: vec![],
    }
}

/// The `publications` table: every release of the dataset, with the digests of its observations
/// files, so that one reconstructed from the revisions can be checked.
pub fn publications() -> Table {
    use ColumnType::*;
    let columns = vec![
        column(
            "published_at",
            Timestamp,
            true,
            "The release's publication time (UTC).",
        ),
        column(
            "schema_version",
            String,
            true,
            "Version of the published schema the release followed.",
        ),
        column("dataset_id", String, true, "The dataset's identifier then."),
        column("title", String, true, "The dataset's title then."),
        column("license", String, true, "The dataset's licence then."),
        column(
            "observation_rows",
            Integer,
            true,
            "Rows of the release's observations table.",
        ),
        column(
            "observations_parquet_sha256",
            String,
            false,
            "SHA-256 of the release's observations.parquet; empty when Parquet was not published.",
        ),
        column(
            "observations_csv_sha256",
            String,
            false,
            "SHA-256 of the release's observations.csv; empty when CSV was not published.",
        ),
    ];
    Table {
        name: "publications",
        title: "Publications",
        description: "One row per release published into this history, oldest first.",
        columns,
        primary_key: vec!["published_at"],
        foreign_keys: vec![],
    }
}

pub use dataset::model::TOTAL;

/// The cells of an area row, as text (empty for null), in column order.
pub fn area_cells(area: &Area, position: usize, languages: &[String]) -> Vec<Option<String>> {
    let mut cells = vec![
        Some(area.id.clone()),
        Some(position.to_string()),
        Some(area.title.clone()),
        Some(area.description.clone()),
    ];
    for language in languages.iter().skip(1) {
        let text = area.translations.get(language);
        cells.push(text.map(|t| t.title.clone()));
        cells.push(text.map(|t| t.description.clone()));
    }
    cells
}

/// The cells of a measure row, as text, in column order; `freshness` is the measure's at the
/// publication time.
pub fn measure_cells(
    measure: &Measure,
    freshness: &Freshness,
    languages: &[String],
) -> Vec<Option<String>> {
    let target = &measure.target;
    let number = |n: Option<f64>| n.map(|n| n.to_string());
    // The history as published in the JSON documents, so both formats agree.
    let history = (!target.history.is_empty())
        .then(|| serde_json::to_string(&target.history).unwrap_or_default());
    let mut cells = vec![
        Some(measure.id.clone()),
        Some(measure.area.clone()),
        Some(measure.title.clone()),
        measure.short_title.clone(),
        Some(measure.description.clone()),
        Some(measure.department.clone()),
        measure.owner.as_ref().map(|owner| owner.name.clone()),
        measure.owner.as_ref().map(|owner| owner.email.clone()),
        Some(measure.unit.to_string()),
        measure.unit_label.clone(),
        measure.decimals.map(|d| d.to_string()),
        Some(measure.frequency.to_string()),
        Some(measure.direction.to_string()),
        Some(target.kind.to_string()),
        number(target.bounds.value),
        number(target.bounds.min),
        number(target.bounds.max),
        number(target.near),
        history,
        (!measure.breakdowns.is_empty()).then(|| measure.breakdowns.join(";")),
        Some(measure.methodology.clone()),
        Some(measure.source.clone()),
        Some(freshness.published_within_days.to_string()),
        Some(freshness.state.to_string()),
        freshness.latest_period.clone(),
        freshness.next_period.clone(),
        freshness.next_due.map(|date| date.to_string()),
        freshness.latest_record.clone(),
    ];
    for language in languages.iter().skip(1) {
        let text = measure.translations.get(language);
        cells.push(text.and_then(|t| t.title.clone()));
        cells.push(text.and_then(|t| t.short_title.clone()));
        cells.push(text.and_then(|t| t.description.clone()));
        cells.push(text.and_then(|t| t.methodology.clone()));
    }
    cells
}

/// The cells of a goal row, as text, in column order.
pub fn goal_cells(
    measure: &Measure,
    goal: &Goal,
    assessment: &GoalAssessment,
    languages: &[String],
) -> Vec<Option<String>> {
    let number = |n: Option<f64>| n.map(|n| n.to_string());
    // The milestones as published in the JSON documents, so both formats agree.
    let milestones = (!goal.milestones.is_empty())
        .then(|| serde_json::to_string(&goal.milestones).unwrap_or_default());
    let mut cells = vec![
        Some(goal.id.clone()),
        Some(measure.id.clone()),
        Some(goal.title.clone()),
        goal.description.clone(),
        Some(goal.baseline.period.clone()),
        Some(goal.baseline.period_end.to_string()),
        number(Some(goal.baseline.value)),
        milestones,
        number(Some(goal.target)),
        Some(goal.deadline.clone()),
        Some(goal.deadline_end.to_string()),
        Some(goal.progress_rule.to_string()),
        assessment.latest_period.clone(),
        number(assessment.progress),
        number(assessment.expected),
        number(assessment.share),
        Some(assessment.status.to_string()),
        assessment.projected_period.clone(),
    ];
    for language in languages.iter().skip(1) {
        let text = goal.translations.get(language);
        cells.push(text.and_then(|t| t.title.clone()));
        cells.push(text.and_then(|t| t.description.clone()));
    }
    cells
}

mod csv_file;
mod write;
pub(crate) use csv_file::WrittenFile;
pub(crate) use write::{
    FileMetadata, ObservationWriter, RevisionTimes, file_metadata, write_text_table,
};
pub use write::{timestamp_seconds, timestamp_text};
