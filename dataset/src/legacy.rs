//! The documents of schema 1 ([`LEGACY_SCHEMA_VERSION`]), written for readers that have not
//! moved to schema 2: the same documents, with each series as an array of observations.
//!
//! Schema 1 is frozen: these types say what it was, and do not follow later additions to the
//! documents. They only write; the documents' own types read both schemas.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::document::{
    Download, Index, InterfaceStrings, LEGACY_SCHEMA_VERSION, MeasureDocument, MeasureSummary,
    Message, Provenance, PublishedDataset, Revision,
};
use crate::freshness::Freshness;
use crate::goal::GoalAssessment;
use crate::model::{Area, Measure, Observation};

/// `data/v1/index.json`: the index, which schema 2 did not change, with schema 1's version.
#[derive(Debug, Serialize)]
pub struct LegacyIndex<'a> {
    schema_version: &'static str,
    dataset: &'a PublishedDataset,
    areas: &'a [Area],
    measures: &'a [MeasureSummary],
    downloads: &'a [Download],
}

impl<'a> From<&'a Index> for LegacyIndex<'a> {
    fn from(index: &'a Index) -> LegacyIndex<'a> {
        LegacyIndex {
            schema_version: LEGACY_SCHEMA_VERSION,
            dataset: &index.dataset,
            areas: &index.areas,
            measures: &index.measures,
            downloads: &index.downloads,
        }
    }
}

/// `data/v1/locales/<language>.json`, with schema 1's version.
#[derive(Debug, Serialize)]
pub struct LegacyStrings<'a> {
    schema_version: &'static str,
    language: &'a str,
    messages: &'a BTreeMap<String, Message>,
}

impl<'a> From<&'a InterfaceStrings> for LegacyStrings<'a> {
    fn from(strings: &'a InterfaceStrings) -> LegacyStrings<'a> {
        LegacyStrings {
            schema_version: LEGACY_SCHEMA_VERSION,
            language: &strings.language,
            messages: &strings.messages,
        }
    }
}

/// `data/v1/measures/<id>.json`: every observation an object with its dates and target.
#[derive(Debug, Serialize)]
pub struct LegacyMeasureDocument<'a> {
    schema_version: &'static str,
    dataset: &'a PublishedDataset,
    measure: &'a Measure,
    latest: Option<&'a Observation>,
    observations: &'a [Observation],
    breakdowns: Vec<LegacyBreakdown<'a>>,
    downloads: &'a [Download],
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<&'a Provenance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    freshness: Option<&'a Freshness>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    goal_status: &'a [GoalAssessment],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    revisions: &'a [Revision],
}

#[derive(Debug, Serialize)]
struct LegacyBreakdown<'a> {
    dimension: &'a str,
    groups: Vec<LegacyGroup<'a>>,
}

#[derive(Debug, Serialize)]
struct LegacyGroup<'a> {
    group: &'a str,
    observations: &'a [Observation],
}

impl<'a> From<&'a MeasureDocument> for LegacyMeasureDocument<'a> {
    fn from(document: &'a MeasureDocument) -> LegacyMeasureDocument<'a> {
        LegacyMeasureDocument {
            schema_version: LEGACY_SCHEMA_VERSION,
            dataset: &document.dataset,
            measure: &document.measure,
            latest: document.latest.as_ref(),
            observations: &document.observations,
            breakdowns: document
                .breakdowns
                .iter()
                .map(|breakdown| LegacyBreakdown {
                    dimension: &breakdown.dimension,
                    groups: breakdown
                        .groups
                        .iter()
                        .map(|group| LegacyGroup {
                            group: &group.group,
                            observations: &group.observations,
                        })
                        .collect(),
                })
                .collect(),
            downloads: &document.downloads,
            provenance: document.provenance.as_ref(),
            freshness: document.freshness.as_ref(),
            goal_status: &document.goal_status,
            revisions: &document.revisions,
        }
    }
}
