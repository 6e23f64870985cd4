//! The published JSON documents: `data/index.json` (a dashboard's front page in one fetch) and
//! `data/measures/<id>.json` (one card or chart). Their JSON Schemas are published beside them.

use serde::{Deserialize, Serialize};

use crate::model::{Area, DatasetInfo, Measure, Observation};

/// The version of the published schema. Readers reject documents of another major version.
pub const SCHEMA_VERSION: &str = "1.0.0";

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
    pub observations: Vec<Observation>,
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
    pub observations: Vec<Observation>,
    /// Breakdown series, in the order the measure declares them.
    pub breakdowns: Vec<BreakdownSeries>,
    /// The downloadable tables.
    pub downloads: Vec<Download>,
}

/// Whether a reader built for [`SCHEMA_VERSION`] can read a document of `version`: the major
/// versions must match.
pub fn is_compatible(version: &str) -> bool {
    version.split('.').next() == SCHEMA_VERSION.split('.').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compatibility_is_by_major_version() {
        assert!(is_compatible("1.0.0"));
        assert!(is_compatible("1.4.2"));
        assert!(!is_compatible("2.0.0"));
        assert!(!is_compatible(""));
    }
}
