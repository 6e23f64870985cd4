//! The canonical model: the dataset, its priority areas and measures, and the observations
//! published for each. These types are the published JSON (one serde boundary): the exporter
//! writes them and the widgets read them.

use crate::translations::Translations;

use serde::{Deserialize, Serialize};

use crate::date::CalendarDate;
use crate::goal::Goal;
use crate::period::Frequency;

/// The `breakdown` and `breakdown_group` of citywide rows in the published tables. Keys stay
/// non-null so that (measure, period, breakdown, group) is a primary key every client accepts.
pub const TOTAL: &str = "total";

/// A person or team and how to reach them: who publishes the dataset, or who answers for a
/// measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Contact {
    /// The contact's name, a person or a team.
    pub name: String,
    /// An email address (without `mailto:`).
    pub email: String,
}

/// Dataset-wide metadata from `dataset.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DatasetInfo {
    /// Permanent identifier of the dataset.
    pub id: String,
    /// Title, in the first language of `languages`.
    pub title: String,
    /// What the dataset holds, in plain language.
    pub description: String,
    /// The organisation that publishes it.
    pub publisher: String,
    /// Who answers questions about it.
    pub contact: Contact,
    /// The publisher's page for the dataset.
    pub homepage: String,
    /// URL of the licence the data is published under.
    pub license: String,
    /// Where residents send feedback, if not to the contact's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_url: Option<String>,
    /// The URL at which the published `data/` directory is served, ending in `/`; download
    /// links in catalogues are built from it. Defaults to `homepage` followed by `/data/`.
    pub data_url: String,
    /// Languages of the texts, the default language first (BCP 47 tags such as `en`, `es`).
    pub languages: Vec<String>,
    /// The month (1-12) in which the fiscal year starts; the fiscal year is named for the
    /// calendar year in which it ends.
    pub fiscal_year_start_month: u8,
    /// Keywords for catalogues.
    pub keywords: Vec<String>,
    /// The place the dataset covers, such as "Seattle, Washington", for catalogues' spatial
    /// coverage. Since schema 1.2.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// Texts of an area in another language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AreaText {
    /// The translated title.
    pub title: String,
    /// The translated description.
    pub description: String,
}

/// A priority area grouping measures, such as "Basic city services".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Area {
    /// Permanent identifier.
    pub id: String,
    /// Title in the default language.
    pub title: String,
    /// What the area covers, in plain language.
    pub description: String,
    /// Texts in other languages, by language tag.
    #[serde(default, skip_serializing_if = "Translations::is_empty")]
    pub translations: Translations<AreaText>,
}

impl Area {
    /// The title and description in `language`, falling back to the default language.
    pub fn text(&self, language: &str) -> (&str, &str) {
        match self.translations.get(language) {
            Some(text) => (&text.title, &text.description),
            None => (&self.title, &self.description),
        }
    }
}

/// The unit a measure's values are expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Percent, 0 to 100.
    Percent,
    /// A count of things.
    Count,
    /// An amount of money in the dataset's currency.
    Currency,
    /// A duration in minutes.
    Minutes,
    /// A duration in hours.
    Hours,
    /// A duration in days.
    Days,
    /// A ratio (e.g. 0.85).
    Ratio,
    /// Any other number; `unit_label` names it.
    Number,
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Larger values are better.
    HigherIsBetter,
    /// Smaller values are better.
    LowerIsBetter,
    /// Neither; the measure is context.
    Neutral,
}

/// The kind of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// On track when the value is at least `value`.
    AtLeast,
    /// On track when the value is at most `value`.
    AtMost,
    /// On track when the value is between `min` and `max`, inclusive.
    Range,
    /// The measure has no target.
    None,
}

names!(Unit { Percent => "percent", Count => "count", Currency => "currency", Minutes => "minutes",
    Hours => "hours", Days => "days", Ratio => "ratio", Number => "number" });
names!(Direction { HigherIsBetter => "higher_is_better", LowerIsBetter => "lower_is_better",
    Neutral => "neutral" });
names!(TargetKind { AtLeast => "at_least", AtMost => "at_most", Range => "range", None => "none" });
names!(Status { OnTrack => "on_track", NearTarget => "near_target", OffTrack => "off_track",
    NoTarget => "no_target", NoData => "no_data" });
names!(TargetSource { Row => "row", History => "history", Measure => "measure" });

/// A target threshold: the part of a target that says what "on track" means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// At least this value.
    AtLeast(f64),
    /// At most this value.
    AtMost(f64),
    /// Between `min` and `max`, inclusive.
    Range {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
}

impl Threshold {
    /// Builds the threshold of `kind` from a target's numbers; `None` for [`TargetKind::None`]
    /// or when a number the kind needs is missing.
    pub fn from_parts(kind: TargetKind, bounds: Bounds) -> Option<Threshold> {
        match kind {
            TargetKind::AtLeast => bounds.value.map(Threshold::AtLeast),
            TargetKind::AtMost => bounds.value.map(Threshold::AtMost),
            TargetKind::Range => Some(Threshold::Range {
                min: bounds.min?,
                max: bounds.max?,
            }),
            TargetKind::None => None,
        }
    }

    /// The numbers of this threshold.
    pub fn bounds(self) -> Bounds {
        match self {
            Threshold::AtLeast(value) | Threshold::AtMost(value) => Bounds {
                value: Some(value),
                ..Bounds::default()
            },
            Threshold::Range { min, max } => Bounds {
                value: None,
                min: Some(min),
                max: Some(max),
            },
        }
    }

    /// The default band for "near target": 5% of |value|, or 5% of the width of a range.
    pub fn default_near(self) -> f64 {
        match self {
            // Dividing by 20 rounds once, so 5% of 7 is 0.35 rather than 0.35000000000000003.
            Threshold::AtLeast(value) | Threshold::AtMost(value) => value.abs() / 20.0,
            Threshold::Range { min, max } => (max - min) / 20.0,
        }
    }

    /// Judges a value against this threshold with the band `near`.
    pub fn judge(self, value: f64, near: f64) -> Status {
        let (on, close) = match self {
            Threshold::AtLeast(target) => (value >= target, value >= target - near),
            Threshold::AtMost(target) => (value <= target, value <= target + near),
            Threshold::Range { min, max } => (
                min <= value && value <= max,
                min - near <= value && value <= max + near,
            ),
        };
        if on {
            Status::OnTrack
        } else if close {
            Status::NearTarget
        } else {
            Status::OffTrack
        }
    }

    fn kind(self) -> TargetKind {
        match self {
            Threshold::AtLeast(_) => TargetKind::AtLeast,
            Threshold::AtMost(_) => TargetKind::AtMost,
            Threshold::Range { .. } => TargetKind::Range,
        }
    }
}

/// The numbers of a target: `value` for `at_least` and `at_most`, `min` and `max` for a range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Bounds {
    /// The target value (`at_least`, `at_most`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Lower bound (`range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper bound (`range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// A later target that replaces the measure's target from a period onward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TargetChange {
    /// The first period the new target applies to, as labelled in the source.
    pub from: String,
    /// The first day of that period.
    pub from_start: CalendarDate,
    /// The target's numbers.
    #[serde(flatten)]
    pub bounds: Bounds,
    /// The band for "near target" while this target applies.
    pub near: f64,
}

/// A measure's target and how it changed over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Target {
    /// The kind of target; every change keeps this kind.
    pub kind: TargetKind,
    /// The target's numbers.
    #[serde(flatten)]
    pub bounds: Bounds,
    /// The band for "near target", in the measure's unit (absent for `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near: Option<f64>,
    /// Whether `near` was set in the source; if not, each target uses 5% of its value (or of
    /// its range's width).
    #[serde(default)]
    pub near_is_explicit: bool,
    /// Later targets, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<TargetChange>,
}

impl Target {
    /// A measure without a target.
    pub fn none() -> Target {
        Target {
            kind: TargetKind::None,
            bounds: Bounds::default(),
            near: None,
            near_is_explicit: false,
            history: Vec::new(),
        }
    }

    /// The threshold of the measure's own target, before any change.
    pub fn threshold(&self) -> Option<Threshold> {
        Threshold::from_parts(self.kind, self.bounds)
    }

    /// The target in force for a citywide observation of the period starting on `period_start`:
    /// the latest history entry whose `from` period starts on or before it, else the measure's
    /// target.
    pub fn in_force(&self, period_start: CalendarDate) -> Option<AppliedTarget> {
        let change = self
            .history
            .iter()
            .rev()
            .find(|change| change.from_start <= period_start);
        match change {
            Some(change) => {
                let threshold = Threshold::from_parts(self.kind, change.bounds)?;
                Some(AppliedTarget::new(
                    threshold,
                    change.near,
                    TargetSource::History,
                ))
            }
            None => {
                let threshold = self.threshold()?;
                let near = self.near.unwrap_or_else(|| threshold.default_near());
                Some(AppliedTarget::new(threshold, near, TargetSource::Measure))
            }
        }
    }

    /// The target for a row that gives its own target value: the measure's kind with that value,
    /// and the measure's explicit band or 5% of the value. `None` unless the kind is `at_least`
    /// or `at_most`.
    pub fn row_override(&self, value: f64) -> Option<AppliedTarget> {
        let threshold = match self.kind {
            TargetKind::AtLeast => Threshold::AtLeast(value),
            TargetKind::AtMost => Threshold::AtMost(value),
            TargetKind::Range | TargetKind::None => return None,
        };
        let near = match (self.near_is_explicit, self.near) {
            (true, Some(near)) => near,
            _ => threshold.default_near(),
        };
        Some(AppliedTarget::new(threshold, near, TargetSource::Row))
    }
}

/// Where the target an observation was judged against came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// The observation's own `target` cell.
    Row,
    /// An entry of the measure's target history.
    History,
    /// The measure's target.
    Measure,
}

/// The target and band an observation was judged against, published with every observation so
/// that anyone can audit its status.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AppliedTarget {
    /// `at_least`, `at_most` or `range`.
    pub kind: TargetKind,
    /// The target's numbers.
    #[serde(flatten)]
    pub bounds: Bounds,
    /// The band for "near target".
    pub near: f64,
    /// Where this target came from.
    pub source: TargetSource,
}

impl AppliedTarget {
    /// A target of `threshold` with band `near`, from `source`.
    pub fn new(threshold: Threshold, near: f64, source: TargetSource) -> AppliedTarget {
        AppliedTarget {
            kind: threshold.kind(),
            bounds: threshold.bounds(),
            near,
            source,
        }
    }

    /// The threshold part of this target.
    pub fn threshold(&self) -> Option<Threshold> {
        Threshold::from_parts(self.kind, self.bounds)
    }
}

/// How an observation compares with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The value meets the target.
    OnTrack,
    /// The value misses the target by no more than the band `near`.
    NearTarget,
    /// The value misses the target by more than the band.
    OffTrack,
    /// There is no target to judge against.
    NoTarget,
    /// The period has no value.
    NoData,
}

/// The status rule: no value is `no_data`; no target is `no_target`; otherwise the target judges
/// the value with its band.
pub fn status(value: Option<f64>, target: Option<&AppliedTarget>) -> Status {
    match (value, target.and_then(|t| Some((t.threshold()?, t.near)))) {
        (None, _) => Status::NoData,
        (Some(_), None) => Status::NoTarget,
        (Some(value), Some((threshold, near))) => threshold.judge(value, near),
    }
}

/// Texts of a measure in another language; missing ones fall back to the default language.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MeasureText {
    /// Translated title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Translated short title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_title: Option<String>,
    /// Translated description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Translated methodology.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methodology: Option<String>,
}

/// A performance measure: what is tracked, why it matters, how it is measured and its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Measure {
    /// Permanent identifier (`[a-z0-9-]{1,64}`), the source file's stem.
    pub id: String,
    /// Title in the default language.
    pub title: String,
    /// A shorter title for cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_title: Option<String>,
    /// Why it matters, in plain language.
    pub description: String,
    /// The priority area it belongs to.
    pub area: String,
    /// The department responsible.
    pub department: String,
    /// The unit of its values.
    pub unit: Unit,
    /// A label for the unit, such as "tonnes CO2e".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_label: Option<String>,
    /// Decimal places to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// How often it is reported.
    pub frequency: Frequency,
    /// Which way is better.
    pub direction: Direction,
    /// Its target.
    pub target: Target,
    /// How it is measured.
    pub methodology: String,
    /// The system of record the values come from.
    pub source: String,
    /// Breakdown dimensions its observations may carry, such as `council_district`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakdowns: Vec<String>,
    /// Texts in other languages, by language tag.
    #[serde(default, skip_serializing_if = "Translations::is_empty")]
    pub translations: Translations<MeasureText>,
    /// Days after a period's end within which its value is due, as the measure file sets it
    /// (`published_within`); absent for the frequency's default
    /// ([`default_published_within`](crate::freshness::default_published_within)). Since
    /// schema 1.2.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_within_days: Option<u32>,
    /// Multi-year goals of the measure, in the order of its file. Since schema 1.2.0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<Goal>,
    /// Who answers for the measure (`owner = { name, email }`): a person or role, not the
    /// department's general contact. Since schema 1.3.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Contact>,
    /// The department's explanations of periods' values (`[[analysis]]`), in period order.
    /// Since schema 1.3.0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analysis: Vec<Analysis>,
}

/// A department's explanation of one period's value, in plain language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Analysis {
    /// The period explained: a label of the measure's frequency.
    pub period: String,
    /// The period's last day.
    pub period_end: CalendarDate,
    /// The explanation in the default language.
    pub text: String,
    /// The explanation in other languages, by language tag.
    #[serde(default, skip_serializing_if = "Translations::is_empty")]
    pub translations: Translations<String>,
}

impl Analysis {
    /// The explanation in `language`, falling back to the default language.
    pub fn text(&self, language: &str) -> &str {
        self.translations.get(language).unwrap_or(&self.text)
    }
}

/// A measure's texts in one language, each falling back to the default language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalizedText<'m> {
    /// The title.
    pub title: &'m str,
    /// The short title for cards, when there is one.
    pub short_title: Option<&'m str>,
    /// Why it matters.
    pub description: &'m str,
    /// How it is measured.
    pub methodology: &'m str,
}

impl LocalizedText<'_> {
    /// The short title, else the title: what a card shows.
    pub fn card_title(&self) -> &str {
        self.short_title.unwrap_or(self.title)
    }
}

impl Measure {
    /// The explanation of `period`, if the department gave one.
    pub fn analysis_of(&self, period: &str) -> Option<&Analysis> {
        self.analysis
            .iter()
            .find(|analysis| analysis.period == period)
    }

    /// Days after a period's end within which its value is due: the measure file's
    /// `published_within`, else the frequency's default.
    pub fn published_within(&self) -> u32 {
        self.published_within_days
            .unwrap_or_else(|| crate::freshness::default_published_within(self.frequency))
    }

    /// The measure's texts in `language`, each falling back to the default language.
    pub fn text(&self, language: &str) -> LocalizedText<'_> {
        let text = self.translations.get(language);
        LocalizedText {
            title: text.and_then(|t| t.title.as_deref()).unwrap_or(&self.title),
            // A translated title is better than the default language's short title: a resident
            // reading Spanish sees Spanish (translated short title, translated title, then the
            // default language's short title, then its title).
            short_title: match text {
                Some(MeasureText {
                    short_title: Some(short),
                    ..
                }) => Some(short),
                Some(MeasureText {
                    title: Some(title), ..
                }) => Some(title),
                _ => self.short_title.as_deref(),
            },
            description: text
                .and_then(|t| t.description.as_deref())
                .unwrap_or(&self.description),
            methodology: text
                .and_then(|t| t.methodology.as_deref())
                .unwrap_or(&self.methodology),
        }
    }
}

/// One published value of a measure for one period (and, in a breakdown, one group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Observation {
    /// The period label, as written in the source.
    pub period: String,
    /// First day of the period.
    pub period_start: CalendarDate,
    /// Last day of the period (inclusive).
    pub period_end: CalendarDate,
    /// The value; `null` when the period has no data.
    pub value: Option<f64>,
    /// How the value compares with `target`.
    pub status: Status,
    /// The target and band the value was judged against; `null` when there is none.
    pub target: Option<AppliedTarget>,
    /// A note from the department, such as the reason for missing data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How many records a computed value came from (for a share, the records it is a share
    /// of); absent for a value entered by hand. Since schema 1.1.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_count: Option<u64>,
    /// The period was still running when the value was computed: it will change. Absent when
    /// false. Since schema 1.1.0.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_translated_title_beats_the_default_languages_short_title_on_cards() {
        let measure = |translations: serde_json::Value| -> Measure {
            serde_json::from_value(serde_json::json!({
                "id": "potholes", "title": "Potholes repaired within 3 business days",
                "short_title": "Potholes fixed on time", "description": "Why.",
                "area": "services", "department": "Transportation", "unit": "percent",
                "frequency": "monthly", "direction": "higher_is_better",
                "target": { "kind": "at_least", "value": 80.0 },
                "methodology": "How.", "source": "Work orders",
                "translations": translations,
            }))
            .unwrap()
        };
        let title_only = measure(serde_json::json!({ "es": { "title": "Baches reparados" } }));
        assert_eq!(title_only.text("es").card_title(), "Baches reparados");
        let both = measure(serde_json::json!({
            "es": { "title": "Baches reparados en 3 días", "short_title": "Baches a tiempo" }
        }));
        assert_eq!(both.text("es").card_title(), "Baches a tiempo");
        let description_only = measure(serde_json::json!({ "es": { "description": "Por qué." } }));
        assert_eq!(
            description_only.text("es").card_title(),
            "Potholes fixed on time"
        );
        assert_eq!(title_only.text("vi").card_title(), "Potholes fixed on time");
        assert_eq!(title_only.text("en").card_title(), "Potholes fixed on time");
    }

    fn target(threshold: Threshold, near: f64) -> AppliedTarget {
        AppliedTarget::new(threshold, near, TargetSource::Measure)
    }

    #[test]
    fn status_rule_at_the_edges() {
        use Status::*;
        let at_least = target(Threshold::AtLeast(80.0), 4.0);
        let cases = [
            (80.0, OnTrack),
            (79.9, NearTarget),
            (76.0, NearTarget),
            (75.9, OffTrack),
        ];
        for (value, expected) in cases {
            assert_eq!(status(Some(value), Some(&at_least)), expected, "{value}");
        }
        let at_most = target(Threshold::AtMost(7.0), 0.35);
        let cases = [
            (7.0, OnTrack),
            (7.2, NearTarget),
            (7.35, NearTarget),
            (7.4, OffTrack),
        ];
        for (value, expected) in cases {
            assert_eq!(status(Some(value), Some(&at_most)), expected, "{value}");
        }
        let range = target(
            Threshold::Range {
                min: 85.0,
                max: 95.0,
            },
            0.5,
        );
        let cases = [
            (84.4, OffTrack),
            (84.5, NearTarget),
            (85.0, OnTrack),
            (95.0, OnTrack),
            (95.5, NearTarget),
            (95.6, OffTrack),
        ];
        for (value, expected) in cases {
            assert_eq!(status(Some(value), Some(&range)), expected, "{value}");
        }
        assert_eq!(status(None, Some(&at_least)), NoData);
        assert_eq!(status(Some(1.0), None), NoTarget);
    }

    #[test]
    fn default_band_is_five_percent() {
        assert_eq!(Threshold::AtLeast(80.0).default_near(), 4.0);
        assert_eq!(Threshold::AtMost(-20.0).default_near(), 1.0);
        assert_eq!(
            Threshold::Range {
                min: 85.0,
                max: 95.0
            }
            .default_near(),
            0.5
        );
    }

    fn history_target() -> Target {
        let change = |from: &str, value| TargetChange {
            from: from[..7].to_owned(),
            from_start: CalendarDate::parse(from).unwrap(),
            bounds: Threshold::AtLeast(value).bounds(),
            near: value / 20.0,
        };
        Target {
            kind: TargetKind::AtLeast,
            bounds: Threshold::AtLeast(100.0).bounds(),
            near: Some(5.0),
            near_is_explicit: false,
            history: vec![change("2022-01-01", 200.0), change("2024-07-01", 300.0)],
        }
    }

    #[test]
    fn history_picks_latest_change_in_force() {
        let target = history_target();
        let at = |date| target.in_force(CalendarDate::parse(date).unwrap()).unwrap();
        assert_eq!(at("2021-12-01").bounds.value, Some(100.0));
        assert_eq!(at("2021-12-01").source, TargetSource::Measure);
        assert_eq!(at("2022-01-01").bounds.value, Some(200.0));
        assert_eq!(at("2024-06-01").bounds.value, Some(200.0));
        assert_eq!(at("2024-07-01").bounds.value, Some(300.0));
        assert_eq!(at("2024-07-01").near, 15.0);
        assert_eq!(at("2024-07-01").source, TargetSource::History);
    }

    #[test]
    fn row_override_uses_measure_kind() {
        let target = history_target();
        let row = target.row_override(50.0).unwrap();
        assert_eq!(
            (row.kind, row.bounds.value, row.near),
            (TargetKind::AtLeast, Some(50.0), 2.5)
        );
        assert_eq!(Target::none().row_override(50.0), None);
    }

    proptest! {
        /// The three statuses partition the number line in the order the direction implies.
        #[test]
        fn status_is_monotonic(t in -1e6f64..1e6, near in 0f64..1e3, a in -2e6f64..2e6, b in -2e6f64..2e6) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let at_least = target(Threshold::AtLeast(t), near);
            prop_assert!(status(Some(low), Some(&at_least)) >= status(Some(high), Some(&at_least)));
            let at_most = target(Threshold::AtMost(t), near);
            prop_assert!(status(Some(low), Some(&at_most)) <= status(Some(high), Some(&at_most)));
        }
    }
}
