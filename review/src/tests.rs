//! The comparison on the small fixture's published documents (from the exporter's snapshots),
//! each kind of change made by hand to a copy.

use dataset::model::TargetKind;

use super::*;

fn snapshot<T: serde::de::DeserializeOwned>(text: &str) -> T {
    let json = text.splitn(3, "---\n").nth(2).expect("a snapshot body");
    serde_json::from_str(json).expect("the snapshot is a published document")
}

/// The small fixture's release, with its potholes measure's document.
fn release() -> Release {
    let index: Index = snapshot(include_str!(
        "../../cli/tests/cli/snapshots/cli__snapshots__index.snap"
    ));
    let potholes: MeasureDocument = snapshot(include_str!(
        "../../cli/tests/cli/snapshots/cli__snapshots__measure-potholes.snap"
    ));
    Release {
        index,
        documents: BTreeMap::from([(potholes.measure.id.clone(), potholes)]),
    }
}

fn potholes(release: &mut Release) -> &mut MeasureDocument {
    release
        .documents
        .get_mut("potholes")
        .expect("the potholes measure")
}

#[test]
fn the_same_release_changes_nothing() {
    let report = diff(&release(), &release(), "main", "head");
    assert!(report.is_empty());
    assert!(report.text().contains("No published data changed."));
    assert_eq!(report.json()["measures"], serde_json::json!([]));
}

#[test]
fn each_kind_of_change_is_reported() {
    let base = release();
    let mut head = release();
    let document = potholes(&mut head);
    // A restated value (citywide, with its status) and one in a breakdown group.
    let restated = &mut document.observations[3];
    let (period, old_value) = (restated.period.clone(), restated.value);
    restated.value = Some(12.5);
    restated.status = Status::OffTrack;
    let group = &mut document.breakdowns[0].groups[0];
    group.observations[0].value = Some(1.0);
    // A new period, a changed target, a goal's standing and the freshness.
    let mut new_period = document.observations.last().cloned().unwrap();
    new_period.period = "2026-01".to_owned();
    document.observations.push(new_period);
    document.measure.target.kind = TargetKind::AtMost;
    document.goal_status[0].status = GoalStatus::BehindPace;
    if let Some(freshness) = &mut document.freshness {
        freshness.state = FreshnessState::Late;
    }

    let report = diff(&base, &head, "main", "head");
    assert_eq!(report.measures.len(), 1);
    let change = &report.measures[0];
    assert_eq!(change.presence, Presence::Kept);
    assert_eq!(change.new_periods, ["2026-01"]);
    assert_eq!(change.restated.len(), 2);
    assert_eq!(change.restated[0].period, period);
    assert_eq!(change.restated[0].old_value, old_value);
    assert_eq!(change.restated[0].new_value, Some(12.5));
    assert_eq!(change.restated[0].new_status, Status::OffTrack);
    assert!(change.restated[1].group.is_some());
    assert_eq!(
        change.definition,
        [FieldChange {
            field: "target.kind".to_owned(),
            old: Value::from("at_least"),
            new: Value::from("at_most"),
        }]
    );
    assert_eq!(change.goals.len(), 1);
    assert_eq!(change.goals[0].new, Some(GoalStatus::BehindPace));
    assert_eq!(change.freshness.map(|f| f.new), Some(FreshnessState::Late));

    let text = report.text();
    assert!(text.contains(&format!("restated {period}: ")), "{text}");
    assert!(
        text.contains("definition target.kind: at_least → at_most"),
        "{text}"
    );
    assert!(text.contains("freshness: current → late"), "{text}");
    let markdown = report.markdown();
    assert!(
        markdown.starts_with(
            "**civicmetrics diff** `main` → `head`: 1 measure changed: 2 values restated"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("| restated |"), "{markdown}");
}

#[test]
fn ids_that_disappear_are_flagged() {
    let base = release();
    let mut head = release();
    head.documents.clear();
    head.index.areas.remove(0);
    let report = diff(&base, &head, "main", "head");
    assert_eq!(report.measures[0].presence, Presence::Removed);
    assert_eq!(report.measures[0].goals[0].new, None);
    assert_eq!(report.areas_removed.len(), 1);
    let text = report.text();
    assert!(text.contains("(its id is permanent)"), "{text}");
    // And the other way round: added.
    let report = diff(&head, &base, "head", "main");
    assert_eq!(report.measures[0].presence, Presence::Added);
    assert_eq!(report.areas_added.len(), 1);
}

#[test]
fn a_running_period_is_expected_to_change() {
    let mut base = release();
    let mut head = release();
    potholes(&mut base)
        .observations
        .last_mut()
        .unwrap()
        .provisional = true;
    potholes(&mut head).observations.last_mut().unwrap().value = Some(99.0);
    let report = diff(&base, &head, "main", "head");
    assert!(
        report.measures.iter().all(|m| m.restated.is_empty()),
        "{report:?}"
    );
}

#[test]
fn long_lists_end_with_how_many_more() {
    let base = release();
    let mut head = release();
    for observation in &mut potholes(&mut head).observations {
        observation.value = observation.value.map(|v| v + 1.0);
    }
    let restated = potholes(&mut head).observations.len();
    let report = diff(&base, &head, "main", "head");
    let text = report.text();
    assert!(
        text.contains(&format!("restated and {} more", restated - ROWS_PER_KIND)),
        "{text}"
    );
    assert_eq!(report.measures[0].restated.len(), restated);
}

#[test]
fn markdown_cells_hold_text_literally() {
    assert_eq!(render_escape("a | b *c* <x>"), "a \\| b \\*c\\* \\<x\\>");
}

fn render_escape(text: &str) -> String {
    crate::render::escape(text)
}

/// The schema published beside the crate is the one the report is made to; run with
/// `CIVICMETRICS_WRITE_SCHEMA=1` to write it again after changing the report.
#[test]
fn the_published_schema_is_the_reports() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("diff.schema.json");
    let schema = format!(
        "{}\n",
        serde_json::to_string_pretty(&Report::json_schema()).unwrap()
    );
    if std::env::var_os("CIVICMETRICS_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &schema).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == schema,
        "{} is not the report's schema: run the test with CIVICMETRICS_WRITE_SCHEMA=1",
        path.display()
    );
}
