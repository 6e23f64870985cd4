//! Reading the published documents from JSON that something else parsed, without serde.
//!
//! The documents are written with serde (the derives in [`model`](crate::model) and
//! [`document`](crate::document) are the published format). A reader whose size matters – the
//! WebAssembly widgets, which get the documents from the browser's `JSON.parse` – reads them
//! with [`FromJson`] instead: one plain function per type, where serde's generic visitors would
//! compile to several times the code. [`FromJson`] takes the serde mapping as it is – the same
//! names, `null` and absent options as `None`, the same defaults, flattened parts read from
//! their parent object – and the tests check it against serde on every type and on the
//! exporter's reviewed snapshots.

use std::collections::BTreeMap;
use std::fmt;

use crate::date::CalendarDate;
use crate::document::{
    BreakdownGroup, BreakdownSeries, Download, Index, MeasureDocument, MeasureSummary, Provenance,
    PublishedDataset, RecordFile, RecordTableRead,
};
use crate::freshness::{Freshness, FreshnessState};
use crate::goal::{Goal, GoalAssessment, GoalPoint, GoalStatus, GoalText, ProgressRule};
use crate::model::{
    AppliedTarget, Area, AreaText, Bounds, Contact, DatasetInfo, Direction, Measure, MeasureText,
    Observation, Status, Target, TargetChange, TargetKind, TargetSource, Unit,
};
use crate::period::Frequency;

/// A parsed JSON value, as [`FromJson`] sees it.
pub trait Json: Sized {
    /// The member `name` of an object; `None` when there is none (or this is not an object).
    /// Names are the documents' own, from literals: a reader may keep what it makes of each.
    fn member(&self, name: &'static str) -> Option<Self>;
    /// Whether this is `null`.
    fn is_null(&self) -> bool;
    /// The text of a string.
    fn string(&self) -> Option<String>;
    /// The value of a number.
    fn number(&self) -> Option<f64>;
    /// The value of a boolean.
    fn boolean(&self) -> Option<bool>;
    /// The elements of an array.
    fn elements(&self) -> Option<Vec<Self>>;
    /// The names and values of an object's members, in order.
    fn members(&self) -> Option<Vec<(String, Self)>>;
}

/// Why a document could not be read: the member and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

#[cold]
#[inline(never)]
fn invalid(expected: &str) -> ReadError {
    ReadError(format!("invalid type: expected {expected}"))
}

/// A value of the published documents that can be read from parsed JSON.
pub trait FromJson: Sized {
    /// Reads the value from `json`.
    fn read<J: Json>(json: &J) -> Result<Self, ReadError>;
}

// The readers of members stay out of line, one per type read: inlined at every member they
// would multiply the code, which is what this module saves.

/// The member `name`, which must be there.
#[inline(never)]
fn required<J: Json, T: FromJson>(json: &J, name: &'static str) -> Result<T, ReadError> {
    match json.member(name) {
        Some(value) => T::read(&value).map_err(|e| within(name, e)),
        None => Err(missing(name)),
    }
}

/// The member `name`, or the type's default when there is none (an absent option is `None`,
/// as with serde).
#[inline(never)]
fn optional<J: Json, T: FromJson + Default>(json: &J, name: &'static str) -> Result<T, ReadError> {
    match json.member(name) {
        Some(value) => T::read(&value).map_err(|e| within(name, e)),
        None => Ok(T::default()),
    }
}

#[cold]
#[inline(never)]
fn missing(name: &str) -> ReadError {
    ReadError(format!("missing field `{name}`"))
}

#[cold]
#[inline(never)]
fn within(name: &str, error: ReadError) -> ReadError {
    ReadError(format!("`{name}`: {}", error.0))
}

impl FromJson for String {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        json.string().ok_or_else(|| invalid("a string"))
    }
}

impl FromJson for f64 {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        json.number().ok_or_else(|| invalid("a number"))
    }
}

impl FromJson for u8 {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        json.number()
            .filter(|n| n.fract() == 0.0 && (0.0..=255.0).contains(n))
            .map(|n| n as u8)
            .ok_or_else(|| invalid("an integer from 0 to 255"))
    }
}

impl FromJson for u64 {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        // JSON numbers are doubles: every count up to 2^53 is exact.
        json.number()
            .filter(|n| n.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(n))
            .map(|n| n as u64)
            .ok_or_else(|| invalid("a whole number from 0 to 2^53"))
    }
}

impl FromJson for u32 {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        json.number()
            .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
            .map(|n| n as u32)
            .ok_or_else(|| invalid("a whole number from 0 to 2^32 - 1"))
    }
}

impl FromJson for bool {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        json.boolean().ok_or_else(|| invalid("a boolean"))
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        if json.is_null() {
            Ok(None)
        } else {
            T::read(json).map(Some)
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        let elements = json.elements().ok_or_else(|| invalid("an array"))?;
        let mut values = Vec::with_capacity(elements.len());
        for element in &elements {
            values.push(T::read(element)?);
        }
        Ok(values)
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        let mut map = BTreeMap::new();
        for (name, value) in json.members().ok_or_else(|| invalid("an object"))? {
            let value = T::read(&value)?;
            map.insert(name, value);
        }
        Ok(map)
    }
}

impl FromJson for CalendarDate {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        let text = String::read(json)?;
        CalendarDate::parse(&text)
            .ok_or_else(|| ReadError(format!("`{text}` is not a YYYY-MM-DD date")))
    }
}

/// Enums are written as their names ([`Unit::as_str`] and the like).
macro_rules! read_names {
    ($($type:ty),*) => {$(
        impl FromJson for $type {
            fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
                let name = String::read(json)?;
                <$type>::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == name)
                    .ok_or_else(|| ReadError(format!("unknown variant `{name}`")))
            }
        }
    )*};
}

read_names!(
    Unit,
    Direction,
    TargetKind,
    Status,
    TargetSource,
    Frequency,
    GoalStatus,
    ProgressRule,
    FreshnessState
);

/// Reads the members of one object, keeping the first problem. Every member is read before
/// the value is built or the problem returned, so that a type's reader has one way out instead
/// of one per member (each dropping what came before), which is most of the code otherwise.
struct Members<'j, J> {
    json: &'j J,
    problem: Option<ReadError>,
}

impl<'j, J: Json> Members<'j, J> {
    fn new(json: &'j J) -> Members<'j, J> {
        Members {
            json,
            problem: None,
        }
    }

    fn keep<T>(&mut self, read: Result<T, ReadError>) -> Option<T> {
        match read {
            Ok(value) => Some(value),
            Err(problem) => {
                self.problem.get_or_insert(problem);
                None
            }
        }
    }

    /// The member `name`, which must be there.
    fn required<T: FromJson>(&mut self, name: &'static str) -> Option<T> {
        let read = required(self.json, name);
        self.keep(read)
    }

    /// The member `name`, or the type's default when there is none.
    fn optional<T: FromJson + Default>(&mut self, name: &'static str) -> Option<T> {
        let read = optional(self.json, name);
        self.keep(read)
    }

    /// A part flattened into this object.
    fn flat<T>(&mut self, read: fn(&J) -> Result<T, ReadError>) -> Option<T> {
        let read = read(self.json);
        self.keep(read)
    }

    fn problem(self) -> ReadError {
        self.problem
            .unwrap_or_else(|| ReadError("unreadable".to_owned()))
    }
}

/// Reads a struct from the members named as its fields: `field: required`, `field: optional`,
/// or `field: flat(reader)` for a part flattened into the same object.
macro_rules! members {
    ($json:expr => $type:ident { $($field:ident: $how:ident $(($read:path))?),* $(,)? }) => {{
        let mut members = Members::new($json);
        match ($(members!(@member members $how $field $($read)?),)*) {
            ($(Some($field),)*) => Ok($type { $($field),* }),
            _ => Err(members.problem()),
        }
    }};
    (@member $members:ident flat $field:ident $read:path) => {
        $members.flat($read)
    };
    (@member $members:ident $how:ident $field:ident) => {
        $members.$how(stringify!($field))
    };
}

/// The members of [`Bounds`], flattened into their parent.
fn bounds<J: Json>(json: &J) -> Result<Bounds, ReadError> {
    members!(json => Bounds { value: optional, min: optional, max: optional })
}

impl FromJson for Contact {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Contact { name: required, email: required })
    }
}

impl FromJson for DatasetInfo {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => DatasetInfo {
            id: required,
            title: required,
            description: required,
            publisher: required,
            contact: required,
            homepage: required,
            license: required,
            feedback_url: optional,
            data_url: required,
            languages: required,
            fiscal_year_start_month: required,
            keywords: required,
            place: optional,
        })
    }
}

impl FromJson for AreaText {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => AreaText { title: required, description: required })
    }
}

impl FromJson for Area {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Area {
            id: required,
            title: required,
            description: required,
            translations: optional,
        })
    }
}

impl FromJson for TargetChange {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => TargetChange {
            from: required,
            from_start: required,
            bounds: flat(bounds),
            near: required,
        })
    }
}

impl FromJson for Target {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Target {
            kind: required,
            bounds: flat(bounds),
            near: optional,
            near_is_explicit: optional,
            history: optional,
        })
    }
}

impl FromJson for AppliedTarget {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => AppliedTarget {
            kind: required,
            bounds: flat(bounds),
            near: required,
            source: required,
        })
    }
}

impl FromJson for MeasureText {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => MeasureText {
            title: optional,
            short_title: optional,
            description: optional,
            methodology: optional,
        })
    }
}

impl FromJson for Measure {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Measure {
            id: required,
            title: required,
            short_title: optional,
            description: required,
            area: required,
            department: required,
            unit: required,
            unit_label: optional,
            decimals: optional,
            frequency: required,
            direction: required,
            target: required,
            methodology: required,
            source: required,
            breakdowns: optional,
            translations: optional,
            published_within_days: optional,
            goals: optional,
        })
    }
}

impl FromJson for GoalPoint {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => GoalPoint { period: required, period_end: required, value: required })
    }
}

impl FromJson for GoalText {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => GoalText { title: optional, description: optional })
    }
}

impl FromJson for Goal {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Goal {
            id: required,
            title: required,
            description: optional,
            baseline: required,
            milestones: optional,
            target: required,
            deadline: required,
            deadline_end: required,
            progress_rule: required,
            translations: optional,
        })
    }
}

impl FromJson for GoalAssessment {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => GoalAssessment {
            id: required,
            status: required,
            latest_period: optional,
            progress: optional,
            expected: optional,
            share: optional,
            projected_period: optional,
        })
    }
}

impl FromJson for Freshness {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Freshness {
            state: required,
            published_within_days: required,
            latest_period: optional,
            next_period: optional,
            next_due: optional,
            latest_record: optional,
        })
    }
}

impl FromJson for Observation {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Observation {
            period: required,
            period_start: required,
            period_end: required,
            value: optional,
            status: required,
            target: optional,
            note: optional,
            record_count: optional,
            provisional: optional,
        })
    }
}

impl FromJson for Download {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Download { title: required, path: required, media_type: required })
    }
}

impl FromJson for PublishedDataset {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => PublishedDataset { info: flat(DatasetInfo::read), modified: required })
    }
}

impl FromJson for MeasureSummary {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => MeasureSummary {
            measure: flat(Measure::read),
            latest: optional,
            href: required,
            freshness: optional,
            goal_status: optional,
        })
    }
}

impl FromJson for Index {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Index {
            schema_version: required,
            dataset: required,
            areas: required,
            measures: required,
            downloads: required,
        })
    }
}

impl FromJson for BreakdownGroup {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => BreakdownGroup { group: required, observations: required })
    }
}

impl FromJson for BreakdownSeries {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => BreakdownSeries { dimension: required, groups: required })
    }
}

impl FromJson for MeasureDocument {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => MeasureDocument {
            schema_version: required,
            dataset: required,
            measure: required,
            latest: optional,
            observations: required,
            breakdowns: required,
            downloads: required,
            provenance: optional,
            freshness: optional,
            goal_status: optional,
        })
    }
}

impl FromJson for Provenance {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => Provenance { tables: required, query: required, engine: required })
    }
}

impl FromJson for RecordTableRead {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => RecordTableRead {
            name: required,
            title: required,
            owner: optional,
            files: required,
        })
    }
}

impl FromJson for RecordFile {
    fn read<J: Json>(json: &J) -> Result<Self, ReadError> {
        members!(json => RecordFile { path: required, sha256: required })
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::*;
    use crate::document::SCHEMA_VERSION;
    use crate::model::Threshold;

    impl Json for Value {
        fn member(&self, name: &'static str) -> Option<Value> {
            self.as_object()?.get(name).cloned()
        }

        fn is_null(&self) -> bool {
            Value::is_null(self)
        }

        fn string(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }

        fn number(&self) -> Option<f64> {
            self.as_f64()
        }

        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }

        fn elements(&self) -> Option<Vec<Value>> {
            self.as_array().cloned()
        }

        fn members(&self) -> Option<Vec<(String, Value)>> {
            Some(
                self.as_object()?
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
    }

    /// Reads `json` both ways and checks that [`FromJson`] gives what serde gives.
    fn same<T: FromJson + DeserializeOwned + PartialEq + fmt::Debug>(json: &Value) -> T {
        let by_serde: T = serde_json::from_value(json.clone()).expect("serde reads it");
        let read = T::read(json).expect("FromJson reads it");
        assert_eq!(read, by_serde);
        read
    }

    /// Writes `value` with serde and checks that [`FromJson`] reads it back.
    fn round_trip<T: FromJson + Serialize + DeserializeOwned + PartialEq + fmt::Debug>(value: &T) {
        let json = serde_json::to_value(value).expect("JSON");
        assert_eq!(&same::<T>(&json), value);
    }

    fn date(text: &str) -> CalendarDate {
        CalendarDate::parse(text).expect("a date")
    }

    fn observation(period: &str, value: Option<f64>, target: Option<AppliedTarget>) -> Observation {
        Observation {
            period: period.to_owned(),
            period_start: date(&format!("{period}-01")),
            period_end: date(&format!("{period}-28")),
            value,
            status: if value.is_some() {
                Status::OnTrack
            } else {
                Status::NoData
            },
            target,
            note: value.is_none().then(|| "Not reported".to_owned()),
            record_count: value.map(|_| 9_007_199_254_740_992),
            provisional: period == "2025-03",
        }
    }

    fn measure(id: &str, target: Target) -> Measure {
        Measure {
            id: id.to_owned(),
            title: format!("{id} title"),
            short_title: Some("Short".to_owned()),
            description: "Why".to_owned(),
            area: "services".to_owned(),
            department: "Transportation".to_owned(),
            unit: Unit::Number,
            unit_label: Some("tonnes".to_owned()),
            decimals: Some(2),
            frequency: Frequency::Monthly,
            direction: Direction::LowerIsBetter,
            target,
            methodology: "How".to_owned(),
            source: "Where".to_owned(),
            breakdowns: vec!["council_district".to_owned()],
            translations: BTreeMap::from([(
                "es".to_owned(),
                MeasureText {
                    title: Some(format!("{id} título")),
                    methodology: Some("Cómo".to_owned()),
                    ..MeasureText::default()
                },
            )]),
            published_within_days: Some(45),
            goals: vec![Goal {
                id: format!("{id}-goal"),
                title: "Halve it".to_owned(),
                description: Some("By 2030".to_owned()),
                baseline: GoalPoint {
                    period: "2024-12".to_owned(),
                    period_end: date("2024-12-31"),
                    value: 10.0,
                },
                milestones: vec![GoalPoint {
                    period: "2027-12".to_owned(),
                    period_end: date("2027-12-31"),
                    value: 7.5,
                }],
                target: 5.0,
                deadline: "2030-12".to_owned(),
                deadline_end: date("2030-12-31"),
                progress_rule: ProgressRule::Latest,
                translations: BTreeMap::from([(
                    "es".to_owned(),
                    GoalText {
                        title: Some("Reducirlo a la mitad".to_owned()),
                        description: None,
                    },
                )]),
            }],
        }
    }

    fn freshness() -> Freshness {
        Freshness {
            state: FreshnessState::Late,
            published_within_days: 30,
            latest_period: Some("2025-01".to_owned()),
            next_period: Some("2025-02".to_owned()),
            next_due: Some(date("2025-03-30")),
            latest_record: Some("2025-02-27T23:59:00-08:00".to_owned()),
        }
    }

    fn goal_status(id: &str) -> GoalAssessment {
        GoalAssessment {
            id: format!("{id}-goal"),
            status: GoalStatus::BehindPace,
            latest_period: Some("2025-01".to_owned()),
            progress: Some(9.5),
            expected: Some(9.9),
            share: Some(0.1),
            projected_period: Some("2033-04".to_owned()),
        }
    }

    fn dataset() -> PublishedDataset {
        PublishedDataset {
            info: DatasetInfo {
                id: "city".to_owned(),
                title: "City".to_owned(),
                description: "Measures".to_owned(),
                publisher: "The city".to_owned(),
                contact: Contact {
                    name: "Team".to_owned(),
                    email: "team@example.org".to_owned(),
                },
                homepage: "https://example.org/".to_owned(),
                license: "https://example.org/licence".to_owned(),
                feedback_url: Some("https://example.org/feedback".to_owned()),
                data_url: "https://example.org/data/".to_owned(),
                languages: vec!["en".to_owned(), "es".to_owned()],
                fiscal_year_start_month: 7,
                keywords: vec!["performance".to_owned()],
                place: Some("Example City, Washington".to_owned()),
            },
            modified: "2026-04-01T00:00:00Z".to_owned(),
        }
    }

    #[test]
    fn names_are_serde_names() {
        fn check<T: Serialize + Copy>(all: &[T], name: fn(T) -> &'static str) {
            for value in all {
                assert_eq!(serde_json::to_value(value).unwrap(), name(*value));
            }
        }
        check(Unit::ALL, Unit::as_str);
        check(Direction::ALL, Direction::as_str);
        check(TargetKind::ALL, TargetKind::as_str);
        check(Status::ALL, Status::as_str);
        check(TargetSource::ALL, TargetSource::as_str);
        check(&Frequency::ALL, Frequency::as_str);
        check(GoalStatus::ALL, GoalStatus::as_str);
        check(ProgressRule::ALL, ProgressRule::as_str);
        check(FreshnessState::ALL, FreshnessState::as_str);
    }

    #[test]
    fn documents_read_as_serde_reads_them() {
        let at_least = AppliedTarget::new(Threshold::AtLeast(80.0), 4.0, TargetSource::Measure);
        let range = AppliedTarget::new(
            Threshold::Range {
                min: 85.0,
                max: 95.0,
            },
            0.5,
            TargetSource::History,
        );
        let history = Target {
            kind: TargetKind::AtLeast,
            bounds: Threshold::AtLeast(80.0).bounds(),
            near: Some(4.0),
            near_is_explicit: true,
            history: vec![TargetChange {
                from: "2025-07".to_owned(),
                from_start: date("2025-07-01"),
                bounds: Threshold::AtLeast(85.0).bounds(),
                near: 4.25,
            }],
        };
        let observations = vec![
            observation("2025-01", Some(81.5), Some(at_least)),
            observation("2025-02", None, Some(range)),
            observation("2025-03", Some(3.0), None),
        ];
        let document = MeasureDocument {
            schema_version: SCHEMA_VERSION.to_owned(),
            dataset: dataset(),
            measure: measure("potholes", history.clone()),
            latest: observations.first().cloned(),
            observations: observations.clone(),
            breakdowns: vec![BreakdownSeries {
                dimension: "council_district".to_owned(),
                groups: vec![BreakdownGroup {
                    group: "District 1".to_owned(),
                    observations: observations.clone(),
                }],
            }],
            downloads: vec![Download {
                title: "Observations (CSV)".to_owned(),
                path: "observations.csv".to_owned(),
                media_type: "text/csv".to_owned(),
            }],
            provenance: Some(Provenance {
                tables: vec![RecordTableRead {
                    name: "service_requests".to_owned(),
                    title: "Customer service requests".to_owned(),
                    owner: Some("Customer Service Bureau".to_owned()),
                    files: vec![RecordFile {
                        path: "raw/requests.csv".to_owned(),
                        sha256: "0f".repeat(32),
                    }],
                }],
                query: "SELECT count(*) FROM service_requests".to_owned(),
                engine: "Apache DataFusion 55.2.0".to_owned(),
            }),
            freshness: Some(freshness()),
            goal_status: vec![goal_status("potholes")],
        };
        round_trip(&document);
        let mut bare = document.clone();
        bare.provenance = None;
        bare.latest = None;
        bare.dataset.info.feedback_url = None;
        bare.measure = measure("bare", Target::none());
        bare.measure.short_title = None;
        bare.measure.decimals = None;
        bare.measure.breakdowns.clear();
        bare.measure.translations.clear();
        bare.measure.published_within_days = None;
        bare.measure.goals.clear();
        bare.freshness = None;
        bare.goal_status.clear();
        round_trip(&bare);

        let index = Index {
            schema_version: SCHEMA_VERSION.to_owned(),
            dataset: dataset(),
            areas: vec![Area {
                id: "services".to_owned(),
                title: "Services".to_owned(),
                description: "All of them".to_owned(),
                translations: BTreeMap::from([(
                    "es".to_owned(),
                    AreaText {
                        title: "Servicios".to_owned(),
                        description: "Todos".to_owned(),
                    },
                )]),
            }],
            measures: vec![
                MeasureSummary {
                    measure: measure("a", history),
                    latest: observations.first().cloned(),
                    href: "measures/a.json".to_owned(),
                    freshness: Some(freshness()),
                    goal_status: vec![goal_status("a")],
                },
                MeasureSummary {
                    measure: measure("b", Target::none()),
                    latest: None,
                    href: "measures/b.json".to_owned(),
                    freshness: None,
                    goal_status: Vec::new(),
                },
            ],
            downloads: Vec::new(),
        };
        round_trip(&index);
    }

    /// The exporter's reviewed snapshots of the published JSON.
    fn snapshot(text: &str) -> Value {
        let json = text.splitn(3, "---\n").nth(2).expect("a snapshot body");
        serde_json::from_str(json).expect("JSON")
    }

    #[test]
    fn published_documents_read_as_serde_reads_them() {
        same::<Index>(&snapshot(include_str!(
            "../../cli/tests/cli/snapshots/cli__snapshots__index.snap"
        )));
        for text in [
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__measure-library-visits.snap"
            ),
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__measure-permits-reviewed-on-time.snap"
            ),
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__measure-police-response-time.snap"
            ),
            include_str!("../../cli/tests/cli/snapshots/cli__snapshots__measure-potholes.snap"),
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__measure-shelter-occupancy.snap"
            ),
            include_str!(
                "../../cli/tests/cli/snapshots/cli__snapshots__computed-measure-potholes.snap"
            ),
        ] {
            same::<MeasureDocument>(&snapshot(text));
        }
    }

    #[test]
    fn problems_name_the_member() {
        let mut json = serde_json::to_value(Observation {
            period: "2025-01".to_owned(),
            period_start: date("2025-01-01"),
            period_end: date("2025-01-31"),
            value: Some(1.0),
            status: Status::OnTrack,
            target: None,
            note: None,
            record_count: None,
            provisional: false,
        })
        .unwrap();
        json["period_start"] = "2025-13-01".into();
        assert_eq!(
            Observation::read(&json).unwrap_err().to_string(),
            "`period_start`: `2025-13-01` is not a YYYY-MM-DD date"
        );
        json["period_start"] = "2025-01-01".into();
        json["status"] = "fine".into();
        assert_eq!(
            Observation::read(&json).unwrap_err().to_string(),
            "`status`: unknown variant `fine`"
        );
        json.as_object_mut().unwrap().remove("period");
        assert_eq!(
            Observation::read(&json).unwrap_err().to_string(),
            "missing field `period`"
        );
        json["period"] = 3.into();
        assert_eq!(
            Observation::read(&json).unwrap_err().to_string(),
            "`period`: invalid type: expected a string"
        );
    }
}
