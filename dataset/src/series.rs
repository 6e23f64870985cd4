//! A series of observations and its published form: columns (schema 2), read from the rows of
//! schema 1 as well.
//!
//! Schema 1 published each observation as an object that repeated its dates, its target and its
//! status words: a 100,000-point series was 18 MB of JSON. Schema 2 publishes a series as
//! [`Columns`]: parallel arrays of period labels, values and statuses, the targets as steps, and
//! the rare parts (record counts, notes, running periods) only when there are any. The dates are
//! not published: they follow from each label ([`Period::parse_any`]).

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{AppliedTarget, Observation, Status};
use crate::period::Period;

/// Observations in period order: a measure's citywide series, or one group of a breakdown.
///
/// Published as [`Columns`]; read from columns or from the rows of schema 1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series(pub Vec<Observation>);

impl Deref for Series {
    type Target = Vec<Observation>;

    fn deref(&self) -> &Vec<Observation> {
        &self.0
    }
}

impl DerefMut for Series {
    fn deref_mut(&mut self) -> &mut Vec<Observation> {
        &mut self.0
    }
}

impl From<Vec<Observation>> for Series {
    fn from(observations: Vec<Observation>) -> Series {
        Series(observations)
    }
}

impl<'s> IntoIterator for &'s Series {
    type Item = &'s Observation;
    type IntoIter = std::slice::Iter<'s, Observation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'s> IntoIterator for &'s mut Series {
    type Item = &'s mut Observation;
    type IntoIter = std::slice::IterMut<'s, Observation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

impl FromIterator<Observation> for Series {
    fn from_iter<I: IntoIterator<Item = Observation>>(iter: I) -> Series {
        Series(iter.into_iter().collect())
    }
}

/// The published form of a [`Series`] (schema 2): one array per member of an observation, the
/// `n`th element of each being the `n`th observation's, in period order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Columns<'a> {
    /// The period labels, as written in the source (`2026-03`, `2026-Q1`, `FY2026`, …). Each
    /// period's first and last days follow from its label; fiscal labels also need
    /// `fiscal_year_start_month`.
    pub periods: Vec<Cow<'a, str>>,
    /// The values; `null` for a period without data.
    pub values: Vec<Option<f64>>,
    /// How each value compares with its target.
    pub statuses: Vec<Status>,
    /// The targets the values were judged against, as steps: each applies from the observation
    /// at `from` until the next step. Absent when no value had a target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetStep>,
    /// How many records each computed value came from (for a share, the records it is a share
    /// of); absent for values entered by hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_counts: Vec<Option<u64>>,
    /// The positions of the observations whose period was still running when they were
    /// computed: their values will change. Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisional: Vec<u32>,
    /// The departments' notes, such as the reason for missing data, by position. Absent when
    /// there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<PositionedNote>,
    /// The first month (1–12) of the fiscal year that fiscal labels (`FY2026-Q1`) count in;
    /// present only when there are such labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal_year_start_month: Option<u8>,
}

/// A target in force from one observation on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TargetStep {
    /// The position of the first observation judged against it.
    pub from: u32,
    /// The target; `null` from where no target applies.
    pub target: Option<AppliedTarget>,
}

/// A note on one observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PositionedNote {
    /// The observation's position.
    pub at: u32,
    /// The note.
    pub note: String,
}

/// Why [`Columns`] do not make a series.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnsError {
    /// An array's length is not the number of periods.
    #[error("`{column}` has {found} elements for {periods} periods")]
    Length {
        /// The array.
        column: &'static str,
        /// Its length.
        found: usize,
        /// The number of periods.
        periods: usize,
    },
    /// A position is past the last observation, or steps are out of order.
    #[error("`{column}` names position {at}, out of order or past the last of {periods}")]
    Position {
        /// The array.
        column: &'static str,
        /// The position.
        at: u32,
        /// The number of periods.
        periods: usize,
    },
    /// A label is not a period.
    #[error("{0}")]
    Period(#[from] crate::period::PeriodError),
}

/// The first month of the fiscal year that `observation`'s fiscal label counts in.
fn fiscal_year_start_month(observation: &Observation) -> Option<u8> {
    (1..=12).find(|&month| {
        Period::parse_any(&observation.period, month)
            .is_ok_and(|period| period.start() == observation.period_start)
    })
}

impl<'a> Columns<'a> {
    /// The columns of `observations`, borrowing their texts.
    pub fn of(observations: &'a [Observation]) -> Columns<'a> {
        let mut targets: Vec<TargetStep> = Vec::new();
        let mut provisional = Vec::new();
        let mut notes = Vec::new();
        for (at, observation) in (0u32..).zip(observations) {
            if targets.last().map(|step| step.target) != Some(observation.target) {
                targets.push(TargetStep {
                    from: at,
                    target: observation.target,
                });
            }
            if observation.provisional {
                provisional.push(at);
            }
            if let Some(note) = &observation.note {
                notes.push(PositionedNote {
                    at,
                    note: note.clone(),
                });
            }
        }
        // No target at all is said by no steps.
        if let [TargetStep { target: None, .. }] = targets[..] {
            targets.clear();
        }
        let record_counts = if observations.iter().any(|o| o.record_count.is_some()) {
            observations.iter().map(|o| o.record_count).collect()
        } else {
            Vec::new()
        };
        Columns {
            periods: observations
                .iter()
                .map(|o| Cow::Borrowed(o.period.as_str()))
                .collect(),
            values: observations.iter().map(|o| o.value).collect(),
            statuses: observations.iter().map(|o| o.status).collect(),
            targets,
            record_counts,
            provisional,
            notes,
            fiscal_year_start_month: observations
                .iter()
                .find(|o| o.period.starts_with("FY"))
                .and_then(fiscal_year_start_month),
        }
    }

    /// The observations these columns hold, with each period's dates from its label.
    pub fn into_observations(mut self) -> Result<Vec<Observation>, ColumnsError> {
        // The columns are dropped here, once, rather than on each way out of the expansion
        // (which takes their texts): that comes to less code in the widgets.
        self.take_observations()
    }

    /// [`Columns::into_observations`], taking the texts out of the columns.
    fn take_observations(&mut self) -> Result<Vec<Observation>, ColumnsError> {
        let periods = self.periods.len();
        let length = |column: &'static str, found: usize| {
            if found == periods {
                Ok(())
            } else {
                Err(ColumnsError::Length {
                    column,
                    found,
                    periods,
                })
            }
        };
        length("values", self.values.len())?;
        length("statuses", self.statuses.len())?;
        if !self.record_counts.is_empty() {
            length("record_counts", self.record_counts.len())?;
        }
        let out_of_range = |column, at| ColumnsError::Position {
            column,
            at,
            periods,
        };
        let mut before = None;
        for step in &self.targets {
            if step.from as usize >= periods || before.is_some_and(|before| step.from <= before) {
                return Err(out_of_range("targets", step.from));
            }
            before = Some(step.from);
        }
        let fiscal_month = self.fiscal_year_start_month.unwrap_or(1);
        // The steps are in order, one at most from each position: the next applies from its own.
        let mut steps = self.targets.iter();
        let mut next_step = steps.next();
        let mut target = None;
        let mut observations = Vec::with_capacity(periods);
        for (at, label) in self.periods.iter_mut().enumerate() {
            if let Some(step) = next_step.filter(|step| step.from as usize == at) {
                target = step.target;
                next_step = steps.next();
            }
            let period = Period::parse_any(label, fiscal_month)?;
            observations.push(Observation {
                period: std::mem::take(label).into_owned(),
                period_start: period.start(),
                period_end: period.end(),
                value: self.values[at],
                status: self.statuses[at],
                target,
                note: None,
                record_count: self.record_counts.get(at).copied().flatten(),
                provisional: false,
            });
        }
        for &at in &self.provisional {
            let observation = observations.get_mut(at as usize);
            observation
                .ok_or_else(|| out_of_range("provisional", at))?
                .provisional = true;
        }
        for PositionedNote { at, note } in &mut self.notes {
            let observation = observations.get_mut(*at as usize);
            observation.ok_or_else(|| out_of_range("notes", *at))?.note =
                Some(std::mem::take(note));
        }
        Ok(observations)
    }
}

impl Serialize for Series {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Columns::of(&self.0).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Series {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Series, D::Error> {
        struct Either;

        impl<'de> Visitor<'de> for Either {
            type Value = Series;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a series of observations: columns, or an array of observations")
            }

            /// Schema 1: an array of observations.
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Series, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Series)
            }

            /// Schema 2: columns.
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Series, A::Error> {
                Columns::deserialize(de::value::MapAccessDeserializer::new(map))?
                    .into_observations()
                    .map(Series)
                    .map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_any(Either)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::model::{TargetSource, Threshold};

    fn observation(label: &str, fiscal_month: u8, value: Option<f64>) -> Observation {
        let period = Period::parse_any(label, fiscal_month).expect("a period");
        Observation {
            period: label.to_owned(),
            period_start: period.start(),
            period_end: period.end(),
            value,
            status: if value.is_some() {
                Status::NoTarget
            } else {
                Status::NoData
            },
            target: None,
            note: None,
            record_count: None,
            provisional: false,
        }
    }

    fn at_least(value: f64, source: TargetSource) -> Option<AppliedTarget> {
        Some(AppliedTarget::new(Threshold::AtLeast(value), 2.0, source))
    }

    #[test]
    fn a_series_is_published_as_columns_with_its_targets_as_steps() {
        let mut series: Series = ["2025-11", "2025-12", "2026-01", "2026-02"]
            .iter()
            .zip([Some(81.5), None, Some(79.0), Some(90.25)])
            .map(|(label, value)| observation(label, 1, value))
            .collect();
        series[0].target = at_least(80.0, TargetSource::Measure);
        series[0].status = Status::OnTrack;
        series[1].target = at_least(80.0, TargetSource::Measure);
        series[1].note = Some("Not reported".to_owned());
        series[2].target = at_least(85.0, TargetSource::History);
        series[2].status = Status::OffTrack;
        series[3].provisional = true;
        series[3].record_count = Some(412);
        let published = serde_json::to_value(&series).expect("JSON");
        assert_eq!(
            published,
            json!({
                "periods": ["2025-11", "2025-12", "2026-01", "2026-02"],
                "values": [81.5, null, 79.0, 90.25],
                "statuses": ["on_track", "no_data", "off_track", "no_target"],
                "targets": [
                    { "from": 0, "target": { "kind": "at_least", "value": 80.0, "near": 2.0, "source": "measure" } },
                    { "from": 2, "target": { "kind": "at_least", "value": 85.0, "near": 2.0, "source": "history" } },
                    { "from": 3, "target": null }
                ],
                "record_counts": [null, null, null, 412],
                "provisional": [3],
                "notes": [{ "at": 1, "note": "Not reported" }]
            })
        );
        let read: Series = serde_json::from_value(published).expect("read back");
        assert_eq!(read, series);
    }

    #[test]
    fn the_dates_follow_from_the_labels_fiscal_ones_with_their_year() {
        let series: Series = ["FY2026-Q1", "FY2026-Q2", "FY2026"]
            .iter()
            .map(|label| observation(label, 7, Some(1.0)))
            .chain(["2026-W01", "2026-03-05", "2026-Q4", "2026"].map(|l| observation(l, 7, None)))
            .collect();
        let published = serde_json::to_value(&series).expect("JSON");
        assert_eq!(published["fiscal_year_start_month"], json!(7));
        assert_eq!(published.get("targets"), None, "no target, no steps");
        let read: Series = serde_json::from_value(published).expect("read back");
        assert_eq!(read[0].period_start.to_string(), "2025-07-01");
        assert_eq!(read[2].period_end.to_string(), "2026-06-30");
        assert_eq!(read[3].period_start.to_string(), "2025-12-29");
        assert_eq!(read, series);
        let calendar: Series = vec![observation("2026-Q1", 1, None)].into();
        let published = serde_json::to_value(&calendar).expect("JSON");
        assert_eq!(published.get("fiscal_year_start_month"), None);
    }

    #[test]
    fn the_rows_of_schema_1_are_read_too() {
        let rows = json!([{
            "period": "2026-01", "period_start": "2026-01-01", "period_end": "2026-01-31",
            "value": 4.5, "status": "no_target", "target": null, "record_count": 3
        }]);
        let read: Series = serde_json::from_value(rows).expect("schema 1");
        let mut expected = observation("2026-01", 1, Some(4.5));
        expected.record_count = Some(3);
        assert_eq!(read.0, vec![expected]);
    }

    #[test]
    fn columns_that_do_not_line_up_are_refused() {
        let refused = |columns: serde_json::Value| {
            serde_json::from_value::<Series>(columns)
                .expect_err("refused")
                .to_string()
        };
        assert_eq!(
            refused(json!({ "periods": ["2026-01"], "values": [], "statuses": ["no_data"] })),
            "`values` has 0 elements for 1 periods"
        );
        assert_eq!(
            refused(json!({
                "periods": ["2026-01", "2026-02"], "values": [1.0, 2.0],
                "statuses": ["no_target", "no_target"],
                "targets": [{ "from": 1, "target": null }, { "from": 1, "target": null }]
            })),
            "`targets` names position 1, out of order or past the last of 2"
        );
        assert_eq!(
            refused(
                json!({ "periods": ["2026-01"], "values": [1.0], "statuses": ["no_target"], "provisional": [1] })
            ),
            "`provisional` names position 1, out of order or past the last of 1"
        );
        assert!(
            refused(json!({ "periods": ["2026-13"], "values": [1.0], "statuses": ["no_target"] }))
                .starts_with("`2026-13` is not a real period: ")
        );
    }

    proptest! {
        /// Any series of consecutive months comes back from its columns as it was.
        #[test]
        fn columns_keep_every_observation(
            first_month in 0u32..600,
            points in proptest::collection::vec(
                (
                    // Quarters: exact in binary, so the text's float parser is not what is tested.
                    proptest::option::of((-4_000_000i64..4_000_000).prop_map(|n| n as f64 / 4.0)),
                    0u8..4,
                    proptest::option::of(0u64..1_000_000),
                    any::<bool>(),
                    proptest::option::of("[a-z ]{0,12}"),
                ),
                0..40,
            ),
        ) {
            let targets = [
                None,
                at_least(50.0, TargetSource::Measure),
                at_least(60.0, TargetSource::History),
                Some(AppliedTarget::new(Threshold::Range { min: 1.0, max: 2.0 }, 0.5, TargetSource::Row)),
            ];
            let series: Series = points
                .into_iter()
                .enumerate()
                .map(|(i, (value, target, record_count, provisional, note))| {
                    let month = first_month + i as u32;
                    let label = format!("{}-{:02}", 1990 + month / 12, month % 12 + 1);
                    let target = targets[usize::from(target)];
                    Observation {
                        status: crate::model::status(value, target.as_ref()),
                        target,
                        record_count,
                        provisional,
                        note,
                        ..observation(&label, 1, value)
                    }
                })
                .collect();
            let text = serde_json::to_string(&series).expect("JSON");
            let read: Series = serde_json::from_str(&text).expect("read back");
            prop_assert_eq!(read, series);
        }
    }
}
