//! Changes between releases that the feeds announce: a goal's standing changing, a measure
//! turning late and a published value restated. They are found by comparing each measure with the release being replaced in
//! OUT (its `data/index.json`), and kept in the release's `changes.json`, which the next build
//! reads again, so that an announcement stays in the feeds after the release that made it.
//!
//! Announcements go forward in time: only a release published after the one it replaces finds
//! changes, and a release keeps only the announcements made up to its own publication time. So
//! a release published again at the same time over itself is the same release, and one
//! published at an earlier time would be what it would have been then (the exporter refuses
//! such a build over a release with a history of published values, which only goes forward).

use std::path::Path;

use dataset::document::{Index, MeasureDocument, MeasureSummary, is_compatible};
use dataset::{CalendarDate, FreshnessState, GoalStatus};
use serde::{Deserialize, Serialize};

/// The file, at the release root, that keeps the changes announced so far.
pub(crate) const CHANGES_FILE: &str = "changes.json";

/// Changes kept, newest first: enough for every feed's entries.
const CHANGES_KEPT: usize = 500;

/// One announced change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Change {
    /// A goal's standing changed.
    Goal {
        measure: String,
        goal: String,
        status: GoalStatus,
        /// The publication time (RFC 3339) of the release that announced it.
        published: String,
    },
    /// A measure's next value became overdue.
    Late {
        measure: String,
        period: String,
        due: CalendarDate,
        published: String,
    },
    /// A published value was restated (the measure document's revisions replaced at the
    /// release's publication time).
    Restated {
        measure: String,
        period: String,
        /// The breakdown group; absent for the citywide value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        old: Option<f64>,
        new: Option<f64>,
        published: String,
    },
}

impl Change {
    pub(crate) fn measure(&self) -> &str {
        match self {
            Change::Goal { measure, .. }
            | Change::Late { measure, .. }
            | Change::Restated { measure, .. } => measure,
        }
    }

    pub(crate) fn published(&self) -> &str {
        match self {
            Change::Goal { published, .. }
            | Change::Late { published, .. }
            | Change::Restated { published, .. } => published,
        }
    }
}

/// What the release being replaced says: its index and the changes it announced. Empty when
/// there is none, or when it cannot be read or is of another major schema version: the build
/// then announces no change, as for a first release.
#[derive(Debug, Default)]
pub(crate) struct Previous {
    index: Option<Index>,
    changes: Vec<Change>,
}

/// Whether the RFC 3339 time `a` (UTC, to the second, as releases write it) is before `b`.
fn before(a: &str, b: &str) -> bool {
    a < b
}

impl Previous {
    /// Reads the release in `out`, if there is one.
    pub(crate) fn read(out: &Path) -> Previous {
        let index = std::fs::read(out.join("data/index.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Index>(&bytes).ok())
            .filter(|index| is_compatible(&index.schema_version));
        let changes = index
            .as_ref()
            .and_then(|_| std::fs::read(out.join(CHANGES_FILE)).ok())
            .and_then(|bytes| serde_json::from_slice::<Vec<Change>>(&bytes).ok())
            .unwrap_or_default();
        Previous { index, changes }
    }

    fn summary(&self, measure: &str) -> Option<&MeasureSummary> {
        self.index
            .as_ref()?
            .measures
            .iter()
            .find(|summary| summary.measure.id == measure)
    }

    /// The changes of `document`'s measure: those announced before, then those its comparison
    /// with the previous release finds, published at `published`.
    pub(crate) fn changes(&self, document: &MeasureDocument, published: &str) -> Vec<Change> {
        let id = &document.measure.id;
        let mut changes: Vec<Change> = self
            .changes
            .iter()
            .filter(|change| change.measure() == id && !before(published, change.published()))
            .cloned()
            .collect();
        // The history says which values this release restates; a release published again at
        // the same time found them already.
        for restated in restatements(document, published) {
            if !changes.contains(&restated) {
                changes.push(restated);
            }
        }
        let replaced_earlier = self
            .index
            .as_ref()
            .is_some_and(|index| before(&index.dataset.modified, published));
        let Some(replaced) = self.summary(id).filter(|_| replaced_earlier) else {
            return changes;
        };
        for status in &document.goal_status {
            let was = replaced.goal_status.iter().find(|g| g.id == status.id);
            if was.is_some_and(|was| was.status != status.status) {
                changes.push(Change::Goal {
                    measure: id.clone(),
                    goal: status.id.clone(),
                    status: status.status,
                    published: published.to_owned(),
                });
            }
        }
        let was_current = replaced
            .freshness
            .as_ref()
            .is_some_and(|f| f.state == FreshnessState::Current);
        if let Some(freshness) = &document.freshness
            && was_current
            && freshness.state.is_overdue()
            && let (Some(period), Some(due)) = (&freshness.next_period, freshness.next_due)
        {
            changes.push(Change::Late {
                measure: id.clone(),
                period: period.clone(),
                due,
                published: published.to_owned(),
            });
        }
        changes
    }
}

/// The values of `document` that its release, published at `published`, restated.
fn restatements(document: &MeasureDocument, published: &str) -> Vec<Change> {
    document
        .revisions
        .iter()
        .filter(|revision| revision.superseded_at == published)
        .map(|revision| {
            let observations = match &revision.group {
                None => Some(&document.observations),
                Some(group) => document
                    .breakdowns
                    .iter()
                    .filter(|series| Some(&series.dimension) == revision.breakdown.as_ref())
                    .flat_map(|series| &series.groups)
                    .find(|g| g.group == *group)
                    .map(|g| &g.observations),
            };
            let new = observations
                .and_then(|o| o.iter().find(|o| o.period == revision.period))
                .and_then(|o| o.value);
            Change::Restated {
                measure: document.measure.id.clone(),
                period: revision.period.clone(),
                group: revision.group.clone(),
                old: revision.value,
                new,
                published: published.to_owned(),
            }
        })
        .collect()
}

/// `changes.json`: every change kept, newest first, at most [`CHANGES_KEPT`].
pub(crate) fn changes_json(changes: &mut Vec<Change>) -> Result<Vec<u8>, serde_json::Error> {
    changes.sort_by(|a, b| {
        b.published()
            .cmp(a.published())
            .then_with(|| a.measure().cmp(b.measure()))
    });
    changes.truncate(CHANGES_KEPT);
    serde_json::to_vec_pretty(changes)
}
