//! What a change does to the published dataset, in the dashboard's terms: two releases (each
//! read from a published `OUT`, or built in memory from a source tree by the program) compared
//! measure by measure – measures, areas and goals added or removed, definitions field by field,
//! new periods, restated values with their status, the latest period's status, goals' standing
//! and freshness.
//!
//! The comparison works on the published documents (`index.json` and `measures/<id>.json`), so
//! a release and a source tree are compared alike, and a computed measure's restatement shows
//! whether its definition or only its records changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dataset::document::{Index, MeasureDocument};
use dataset::model::{Contact, Observation};
use dataset::{FreshnessState, GoalStatus, Status};
use serde::Serialize;
use serde_json::Value;

mod render;

/// How many rows of one kind a measure shows in the text and Markdown reports before "and N
/// more"; the JSON report has them all.
pub const ROWS_PER_KIND: usize = 5;

/// Why a release could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// A file of the release could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file of the release is not the JSON it should be.
    #[error("{path} is not a published document: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
}

/// One side of a comparison: a release's index and every measure's document, by measure id.
#[derive(Debug, Clone)]
pub struct Release {
    /// `index.json`.
    pub index: Index,
    /// `measures/<id>.json`, by measure id.
    pub documents: BTreeMap<String, MeasureDocument>,
}

impl Release {
    /// The release published in `out` (its `data/index.json` and the documents it lists).
    pub fn read(out: &Path) -> Result<Release, ReviewError> {
        let data = out.join("data");
        let index: Index = read_json(&data.join("index.json"))?;
        let mut documents = BTreeMap::new();
        for summary in &index.measures {
            let id = &summary.measure.id;
            let document = read_json(&data.join("measures").join(format!("{id}.json")))?;
            documents.insert(id.clone(), document);
        }
        Ok(Release { index, documents })
    }

    /// Whether `path` holds a published release rather than a source tree.
    pub fn is_release(path: &Path) -> bool {
        path.join("data").join("index.json").is_file()
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ReviewError> {
    let bytes = std::fs::read(path).map_err(|source| ReviewError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| ReviewError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// What changed between two releases. Empty when nothing published changed.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// The base, as named on the command line.
    pub base: String,
    /// The head, as named on the command line.
    pub head: String,
    /// Priority areas only in the head.
    pub areas_added: Vec<String>,
    /// Priority areas only in the base: their ids are permanent, so this is flagged.
    pub areas_removed: Vec<String>,
    /// Each measure with a change, by department then id.
    pub measures: Vec<MeasureChange>,
}

/// Whether a measure is in both releases or in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Only in the head.
    Added,
    /// Only in the base: its id is permanent, so this is flagged.
    Removed,
    /// In both.
    Kept,
}

/// One measure's changes.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MeasureChange {
    /// The measure's id.
    pub id: String,
    /// Its short title (the head's, or the base's when removed).
    pub title: String,
    /// Its department, which groups the report.
    pub department: String,
    /// Who answers for it, when it names someone.
    pub owner: Option<Contact>,
    /// Whether it was added, removed or kept.
    pub presence: Presence,
    /// Fields of its definition that changed (`target.value`, `methodology`, `compute` …).
    pub definition: Vec<FieldChange>,
    /// Periods only in the head, citywide.
    pub new_periods: Vec<String>,
    /// Periods only in the base, citywide.
    pub removed_periods: Vec<String>,
    /// Values published in both whose value changed, citywide and by group. A period that was
    /// provisional in the base (still running) is expected to change and is not listed.
    pub restated: Vec<Restatement>,
    /// The latest period's status, when it changed.
    pub latest_status: Option<StatusChange>,
    /// Goals added, removed or whose standing changed.
    pub goals: Vec<GoalChange>,
    /// The freshness, when it changed.
    pub freshness: Option<FreshnessChange>,
}

/// A field of a definition, before and after (`null` where absent).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FieldChange {
    /// The field's path, such as `target.value`.
    pub field: String,
    /// Its value in the base.
    pub old: Value,
    /// Its value in the head.
    pub new: Value,
}

/// A published value that changed.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Restatement {
    /// The period.
    pub period: String,
    /// The breakdown and group, or `None` citywide.
    pub group: Option<(String, String)>,
    /// The value in the base.
    pub old_value: Option<f64>,
    /// The value in the head.
    pub new_value: Option<f64>,
    /// The status in the base.
    pub old_status: Status,
    /// The status in the head.
    pub new_status: Status,
}

/// A status before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StatusChange {
    /// The status in the base.
    pub old: Status,
    /// The status in the head.
    pub new: Status,
}

/// A goal added, removed, or whose standing changed.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GoalChange {
    /// The goal's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its standing in the base; `None` when added.
    pub old: Option<GoalStatus>,
    /// Its standing in the head; `None` when removed (its id is permanent: flagged).
    pub new: Option<GoalStatus>,
}

/// Freshness before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FreshnessChange {
    /// In the base.
    pub old: FreshnessState,
    /// In the head.
    pub new: FreshnessState,
}

impl Report {
    /// Whether nothing published changed.
    pub fn is_empty(&self) -> bool {
        self.areas_added.is_empty() && self.areas_removed.is_empty() && self.measures.is_empty()
    }

    /// The report as JSON.
    pub fn json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The JSON Schema of [`Report::json`], as published in `review/diff.schema.json`.
    pub fn json_schema() -> Value {
        serde_json::to_value(schemars::schema_for!(Report)).unwrap_or(Value::Null)
    }
}

impl MeasureChange {
    fn is_empty(&self) -> bool {
        self.presence == Presence::Kept
            && self.definition.is_empty()
            && self.new_periods.is_empty()
            && self.removed_periods.is_empty()
            && self.restated.is_empty()
            && self.latest_status.is_none()
            && self.goals.is_empty()
            && self.freshness.is_none()
    }
}

/// The fields of a measure's definition compared, as published.
const DEFINITION_FIELDS: &[&str] = &[
    "title",
    "short_title",
    "description",
    "area",
    "department",
    "owner",
    "unit",
    "unit_label",
    "decimals",
    "frequency",
    "direction",
    "target",
    "methodology",
    "source",
    "breakdowns",
    "published_within_days",
    "translations",
    "analysis",
];

/// Compares `base` with `head`; `base_name` and `head_name` are how the report names them.
pub fn diff(base: &Release, head: &Release, base_name: &str, head_name: &str) -> Report {
    let area_ids = |release: &Release| -> Vec<String> {
        release.index.areas.iter().map(|a| a.id.clone()).collect()
    };
    let (base_areas, head_areas) = (area_ids(base), area_ids(head));
    let mut measures = Vec::new();
    let ids: std::collections::BTreeSet<&String> =
        base.documents.keys().chain(head.documents.keys()).collect();
    for id in ids {
        let change = match (base.documents.get(id), head.documents.get(id)) {
            (Some(old), Some(new)) => compare(old, new),
            (None, Some(new)) => whole(new, Presence::Added),
            (Some(old), None) => whole(old, Presence::Removed),
            (None, None) => continue,
        };
        if !change.is_empty() {
            measures.push(change);
        }
    }
    measures.sort_by(|a, b| (&a.department, &a.id).cmp(&(&b.department, &b.id)));
    Report {
        base: base_name.to_owned(),
        head: head_name.to_owned(),
        areas_added: head_areas
            .iter()
            .filter(|id| !base_areas.contains(id))
            .cloned()
            .collect(),
        areas_removed: base_areas
            .iter()
            .filter(|id| !head_areas.contains(id))
            .cloned()
            .collect(),
        measures,
    }
}

fn header(document: &MeasureDocument, presence: Presence) -> MeasureChange {
    let measure = &document.measure;
    MeasureChange {
        id: measure.id.clone(),
        title: measure
            .short_title
            .clone()
            .unwrap_or_else(|| measure.title.clone()),
        department: measure.department.clone(),
        owner: measure.owner.clone(),
        presence,
        definition: Vec::new(),
        new_periods: Vec::new(),
        removed_periods: Vec::new(),
        restated: Vec::new(),
        latest_status: None,
        goals: Vec::new(),
        freshness: None,
    }
}

/// A measure only in one release: its goals go with it.
fn whole(document: &MeasureDocument, presence: Presence) -> MeasureChange {
    let mut change = header(document, presence);
    for (goal, standing) in document.measure.goals.iter().zip(&document.goal_status) {
        let status = Some(standing.status);
        change.goals.push(GoalChange {
            id: goal.id.clone(),
            title: goal.title.clone(),
            old: if presence == Presence::Removed {
                status
            } else {
                None
            },
            new: if presence == Presence::Added {
                status
            } else {
                None
            },
        });
    }
    change
}

fn compare(old: &MeasureDocument, new: &MeasureDocument) -> MeasureChange {
    let mut change = header(new, Presence::Kept);
    let (old_definition, new_definition) = (
        serde_json::to_value(&old.measure).unwrap_or(Value::Null),
        serde_json::to_value(&new.measure).unwrap_or(Value::Null),
    );
    for field in DEFINITION_FIELDS {
        changed_fields(
            field,
            old_definition.get(field).unwrap_or(&Value::Null),
            new_definition.get(field).unwrap_or(&Value::Null),
            &mut change.definition,
        );
    }
    // Each goal kept, field by field (`goal.<id>.target` …).
    for goal in &new.measure.goals {
        if let Some(before) = old.measure.goals.iter().find(|g| g.id == goal.id) {
            changed_fields(
                &format!("goal.{}", goal.id),
                &serde_json::to_value(before).unwrap_or(Value::Null),
                &serde_json::to_value(goal).unwrap_or(Value::Null),
                &mut change.definition,
            );
        }
    }
    // A computed measure's definition is its query.
    let query = |document: &MeasureDocument| {
        document
            .provenance
            .as_ref()
            .map_or(Value::Null, |p| Value::String(p.query.clone()))
    };
    changed_fields("compute", &query(old), &query(new), &mut change.definition);

    let periods = |observations: &[Observation]| -> Vec<String> {
        observations.iter().map(|o| o.period.clone()).collect()
    };
    let (old_periods, new_periods) = (periods(&old.observations), periods(&new.observations));
    change.new_periods = new_periods
        .iter()
        .filter(|p| !old_periods.contains(p))
        .cloned()
        .collect();
    change.removed_periods = old_periods
        .iter()
        .filter(|p| !new_periods.contains(p))
        .cloned()
        .collect();
    restated(
        &old.observations,
        &new.observations,
        None,
        &mut change.restated,
    );
    for series in &new.breakdowns {
        for group in &series.groups {
            let before = old
                .breakdowns
                .iter()
                .filter(|s| s.dimension == series.dimension)
                .flat_map(|s| &s.groups)
                .find(|g| g.group == group.group);
            if let Some(before) = before {
                let key = Some((series.dimension.clone(), group.group.clone()));
                restated(
                    &before.observations,
                    &group.observations,
                    key,
                    &mut change.restated,
                );
            }
        }
    }

    let status = |document: &MeasureDocument| document.latest.as_ref().map(|l| l.status);
    if let (Some(before), Some(after)) = (status(old), status(new))
        && before != after
    {
        change.latest_status = Some(StatusChange {
            old: before,
            new: after,
        });
    }

    let standing = |document: &MeasureDocument| -> Vec<(String, String, GoalStatus)> {
        document
            .measure
            .goals
            .iter()
            .zip(&document.goal_status)
            .map(|(goal, status)| (goal.id.clone(), goal.title.clone(), status.status))
            .collect()
    };
    let (old_goals, new_goals) = (standing(old), standing(new));
    for (id, title, after) in &new_goals {
        let before = old_goals.iter().find(|g| g.0 == *id).map(|g| g.2);
        if before != Some(*after) {
            change.goals.push(GoalChange {
                id: id.clone(),
                title: title.clone(),
                old: before,
                new: Some(*after),
            });
        }
    }
    for (id, title, before) in &old_goals {
        if !new_goals.iter().any(|g| g.0 == *id) {
            change.goals.push(GoalChange {
                id: id.clone(),
                title: title.clone(),
                old: Some(*before),
                new: None,
            });
        }
    }

    let freshness = |document: &MeasureDocument| document.freshness.as_ref().map(|f| f.state);
    if let (Some(before), Some(after)) = (freshness(old), freshness(new))
        && before != after
    {
        change.freshness = Some(FreshnessChange {
            old: before,
            new: after,
        });
    }
    change
}

/// The values of `new` published differently in `old`, period by period; a period provisional
/// in `old` was still running and is expected to change.
fn restated(
    old: &[Observation],
    new: &[Observation],
    group: Option<(String, String)>,
    into: &mut Vec<Restatement>,
) {
    for after in new {
        let Some(before) = old.iter().find(|o| o.period == after.period) else {
            continue;
        };
        if before.provisional || before.value == after.value {
            continue;
        }
        into.push(Restatement {
            period: after.period.clone(),
            group: group.clone(),
            old_value: before.value,
            new_value: after.value,
            old_status: before.status,
            new_status: after.status,
        });
    }
}

/// The leaves of `old` and `new` that differ, named by their path from `field`: objects are
/// walked key by key, anything else compared whole.
fn changed_fields(field: &str, old: &Value, new: &Value, into: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    if let (Value::Object(old), Value::Object(new)) = (old, new) {
        let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for key in keys {
            changed_fields(
                &format!("{field}.{key}"),
                old.get(key).unwrap_or(&Value::Null),
                new.get(key).unwrap_or(&Value::Null),
                into,
            );
        }
        return;
    }
    into.push(FieldChange {
        field: field.to_owned(),
        old: old.clone(),
        new: new.clone(),
    });
}

#[cfg(test)]
mod tests;
