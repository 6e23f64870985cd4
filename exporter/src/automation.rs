//! Measures computed from records: the hook through which a build gets their observations.
//!
//! The exporter reads the definitions (`sources/*.toml`, `[compute]`) like every other source
//! file, but does not run them: that takes a query engine, which is the business of another
//! crate (`civicmetrics-compute`). The `civicmetrics` program passes one in as an
//! [`Automation`]; a build without one reports every computed measure as an error.

use std::collections::BTreeMap;
use std::path::Path;

use dataset::source::automation::{Computation, RecordTable};
use dataset::source::{Manifest, SourceRow};
use dataset::{Diagnostic, Measure, Provenance};
use time::OffsetDateTime;

use crate::progress::Progress;

/// One computed measure, as the build hands it over.
#[derive(Debug)]
pub struct ComputedMeasure<'a> {
    /// The measure's index in the catalog: the `measure` of the rows returned.
    pub index: u32,
    /// The measure.
    pub measure: &'a Measure,
    /// Its `[compute]` table.
    pub computation: &'a Computation,
}

/// What an automation is asked to compute.
#[derive(Debug)]
pub struct Request<'a> {
    /// The source directory.
    pub source: &'a Path,
    /// The dataset's manifest: its time zone, holidays and fiscal year.
    pub manifest: &'a Manifest,
    /// The tables of records, `sources/*.toml`.
    pub tables: &'a [RecordTable],
    /// The computed measures, in catalog order.
    pub measures: Vec<ComputedMeasure<'a>>,
    /// The publication time: the period containing it is still running.
    pub published: OffsetDateTime,
}

/// A computed measure's observations, as rows of the source, and the problems found.
#[derive(Debug, Default)]
pub struct Answer {
    /// Rows of every computed measure; each row's `origin.line` is where its measure's
    /// `[compute]` is, and `origin.file` the measure's position in the request's list.
    pub rows: Vec<SourceRow>,
    /// Every problem found, at its place in the source files.
    pub diagnostics: Vec<Diagnostic>,
    /// Where each computed measure's values came from, by the measure's index in the
    /// catalog; published in its document.
    pub provenance: BTreeMap<u32, Provenance>,
    /// The latest time among the records each computed measure was computed from (RFC 3339),
    /// by the measure's index; published with its freshness. Absent for a measure whose own
    /// query says no time (`sql`).
    pub latest_records: BTreeMap<u32, String>,
}

/// Computes the observations of measures defined by `[compute]`.
pub trait Automation: std::fmt::Debug + Send + Sync {
    /// Computes every measure of the request, reporting progress by measure.
    fn compute(&self, request: &Request<'_>, progress: &dyn Progress) -> Answer;
}
