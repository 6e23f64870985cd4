//! The published JSON documents: `data/index.json` (a dashboard's front page in one fetch),
//! `data/measures/<id>.json` (one card or chart) and `data/locales/<language>.json` (the
//! interface strings of one language). Their JSON Schemas are published beside them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::freshness::Freshness;
use crate::goal::GoalAssessment;
use crate::model::{Area, DatasetInfo, Measure, Observation, Status};
use crate::series::Series;

/// The version of the published schema. Readers read documents of this major version and of
/// the one before ([`is_compatible`]).
///
/// Schema 2 publishes each series of observations as columns ([`Columns`](crate::series::Columns));
/// schema 1 published an array of objects, one per observation, each with its dates and target.
pub const SCHEMA_VERSION: &str = "2.0.0";

/// The last version of schema 1, which builds still publish on request under `data/v1/` for
/// readers that have not moved (`build --legacy-documents`).
pub const LEGACY_SCHEMA_VERSION: &str = "1.4.0";

/// The JSON Schemas of [`LEGACY_SCHEMA_VERSION`], by file name, as they were published: schema 1
/// no longer changes.
pub const LEGACY_SCHEMAS: [(&str, &str); 3] = [
    (
        "index.schema.json",
        include_str!("../schema/1.4.0/index.schema.json"),
    ),
    (
        "measure.schema.json",
        include_str!("../schema/1.4.0/measure.schema.json"),
    ),
    (
        "locale.schema.json",
        include_str!("../schema/1.4.0/locale.schema.json"),
    ),
];

/// A file published beside the JSON, for "Get the data" links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Download {
    /// What the file holds, such as "Observations (CSV)".
    pub title: String,
    /// Path relative to the `data/` directory.
    pub path: String,
    /// IANA media type.
    pub media_type: String,
}

/// Dataset metadata as published: the source metadata plus the publication time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PublishedDataset {
    /// Metadata from `dataset.toml`.
    #[serde(flatten)]
    pub info: DatasetInfo,
    /// When this release was published (RFC 3339, UTC).
    pub modified: String,
}

/// A measure's definition with its latest citywide observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MeasureSummary {
    /// The definition.
    #[serde(flatten)]
    pub measure: Measure,
    /// The latest citywide observation with a value (else the latest one); `null` when the
    /// measure has no observations.
    pub latest: Option<Observation>,
    /// Path of the measure's document, relative to `data/`.
    pub href: String,
    /// Whether the measure's values are up to date at the publication time. Since schema
    /// 1.2.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<Freshness>,
    /// Where each of the measure's goals stands, in the order of `goals`. Since schema 1.2.0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goal_status: Vec<GoalAssessment>,
}

/// `data/index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Index {
    /// [`SCHEMA_VERSION`] of the publisher.
    pub schema_version: String,
    /// Dataset metadata.
    pub dataset: PublishedDataset,
    /// Priority areas, in presentation order.
    pub areas: Vec<Area>,
    /// Every measure, sorted by id.
    pub measures: Vec<MeasureSummary>,
    /// The downloadable tables.
    pub downloads: Vec<Download>,
}

/// One group of a breakdown, such as one council district, with its observations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BreakdownGroup {
    /// The group's label, such as "District 3".
    pub group: String,
    /// Its observations, in period order.
    #[cfg_attr(feature = "schema", schemars(with = "crate::series::Columns<'static>"))]
    pub observations: Series,
}

/// A breakdown dimension of a measure with all its groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BreakdownSeries {
    /// The dimension, such as `council_district`.
    pub dimension: String,
    /// Its groups, sorted by label.
    pub groups: Vec<BreakdownGroup>,
}

/// `data/measures/<id>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MeasureDocument {
    /// [`SCHEMA_VERSION`] of the publisher.
    pub schema_version: String,
    /// Dataset metadata (for attribution, licence and feedback links).
    pub dataset: PublishedDataset,
    /// The measure's definition.
    pub measure: Measure,
    /// The latest citywide observation with a value (else the latest one).
    pub latest: Option<Observation>,
    /// Citywide observations, in period order.
    #[cfg_attr(feature = "schema", schemars(with = "crate::series::Columns<'static>"))]
    pub observations: Series,
    /// Breakdown series, in the order the measure declares them.
    pub breakdowns: Vec<BreakdownSeries>,
    /// The downloadable tables.
    pub downloads: Vec<Download>,
    /// Where a computed measure's values came from; absent for a measure whose values are
    /// entered by hand. Since schema 1.1.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Whether the measure's values are up to date at the publication time. Since schema
    /// 1.2.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freshness: Option<Freshness>,
    /// Where each of the measure's goals stands, in the order of `measure.goals`. Since schema
    /// 1.2.0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goal_status: Vec<GoalAssessment>,
    /// Earlier values of the periods this release publishes that a later release restated,
    /// by breakdown, group, period and publication time. Since schema 1.4.0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<Revision>,
}

/// A value once published for a period and replaced by a different one: a restatement. A
/// running period's values, which change as records arrive, are not listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Revision {
    /// The period's label.
    pub period: String,
    /// The breakdown dimension; absent for the citywide value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<String>,
    /// The group within the breakdown; absent for the citywide value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The value as it was published; `null` when it was published without data.
    pub value: Option<f64>,
    /// Its status then.
    pub status: Status,
    /// When it was first published (RFC 3339, UTC).
    pub published_at: String,
    /// When a later release replaced it (RFC 3339, UTC).
    pub superseded_at: String,
}

impl MeasureDocument {
    /// The restatements of one period of the citywide series (`group` `None`) or of a group,
    /// oldest first.
    pub fn revisions_of<'d>(
        &'d self,
        period: &'d str,
        group: Option<&'d str>,
    ) -> impl Iterator<Item = &'d Revision> + 'd {
        self.revisions
            .iter()
            .filter(move |r| r.period == period && r.group.as_deref() == group)
    }
}

/// How a computed measure's values were computed, as of the release's `modified` time: the
/// records read and the query run, so that anyone can run it again on the same records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Provenance {
    /// The tables of records read, in the order of their names.
    pub tables: Vec<RecordTableRead>,
    /// The SQL the engine ran: the measure's own `sql`, or the query generated from its
    /// `[compute]` table.
    pub query: String,
    /// The query engine and its version, such as "Apache DataFusion 55.2.0".
    pub engine: String,
}

/// One table of records a computed measure read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordTableRead {
    /// The table's name in queries, such as `service_requests`.
    pub name: String,
    /// Its title, such as "Customer service requests".
    pub title: String,
    /// Who keeps the records, when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Each file read, in the order of their paths.
    pub files: Vec<RecordFile>,
}

/// A file of records, identified by its contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordFile {
    /// The path relative to the source directory, with `/` between names.
    pub path: String,
    /// The SHA-256 digest of the file's bytes, in lower-case hex.
    pub sha256: String,
}

/// `data/locales/<language>.json`: every interface string of one language, complete (a string
/// the language's file lacks is the default language's), for the widgets and the site.
///
/// Texts are templates: `{name}` stands for a value the reader supplies (a target, a date), and
/// `{{` for a literal `{`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InterfaceStrings {
    /// [`SCHEMA_VERSION`] of the publisher.
    pub schema_version: String,
    /// The BCP 47 tag of the language, such as `es` or `zh-Hant`.
    pub language: String,
    /// Every message, by key (`on_track`, `target_at_least`, …).
    pub messages: BTreeMap<String, Message>,
}

/// One interface string: a template, or templates chosen by a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Message {
    /// A template.
    Text(String),
    /// Templates chosen by the plural category of a number.
    Plural(PluralMessage),
}

/// A message whose text depends on a number, such as "1 point" and "2 points".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PluralMessage {
    /// The value whose number chooses the template (`count`).
    pub select: String,
    /// Templates by exact number (`"0"`) or CLDR plural category (`one`, `few` …); an exact
    /// number is tried first.
    pub variants: BTreeMap<String, String>,
    /// The template for every other number.
    pub other: String,
}

/// Whether a reader built for [`SCHEMA_VERSION`] can read a document of `version`: one of
/// major version 2 or 1.
pub fn is_compatible(version: &str) -> bool {
    // `split_once`, which the readers use too, rather than `split`: one searcher fewer in the
    // widgets.
    fn major(version: &str) -> &str {
        version.split_once('.').map_or(version, |(major, _)| major)
    }
    let found = major(version);
    found == major(SCHEMA_VERSION) || found == major(LEGACY_SCHEMA_VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compatibility_is_by_major_version() {
        assert!(is_compatible("1.0.0"));
        assert!(is_compatible("1.4.2"));
        assert!(is_compatible("2.0.0"));
        assert!(is_compatible("2.3.1"));
        assert!(!is_compatible("3.0.0"));
        assert!(!is_compatible("12.0.0"));
        assert!(!is_compatible(""));
    }
}
