//! The canonical civicmetrics model, shared by the exporter and the widgets.
//!
//! - [`model`]: priority areas, measures, targets, observations and the status rule.
//! - [`goal`]: multi-year goals and the rule that says whether they are on pace.
//! - [`freshness`]: whether a measure's latest value is current, late or stale.
//! - [`period`]: reporting periods and the dates they cover.
//! - [`document`]: the published JSON documents (`index.json`, `measures/<id>.json`).
//! - [`legacy`]: the documents as schema 1 wrote them, for readers that have not moved.
//! - [`series`]: a series of observations and its published form, columns.
//! - [`read`]: reading those documents from already parsed JSON without serde, for readers
//!   whose code size matters.
//! - [`source`] (feature `source`, on by default): parsing and validating the hand-edited
//!   source files, returning the value together with every problem found.
//!
//! This crate does no file or network I/O, and it compiles for `wasm32-unknown-unknown`.

/// `ALL`, `as_str` and `Display` for an enum whose variants have published names.
macro_rules! names {
    ($type:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $type {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$type] = &[$(<$type>::$variant),*];

            /// The name used in source files and published data.
            pub fn as_str(self) -> &'static str {
                match self { $(<$type>::$variant => $name),* }
            }
        }

        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod date;
pub mod diagnostic;
pub mod document;
pub mod freshness;
pub mod goal;
pub mod legacy;
pub mod model;
pub mod period;
pub mod read;
pub mod series;
#[cfg(feature = "source")]
pub mod source;
pub mod translations;

pub use date::CalendarDate;
pub use diagnostic::{Diagnostic, FileDiagnostics, ProblemKind, Severity};
pub use document::{
    Index, MeasureDocument, Provenance, RecordFile, RecordTableRead, SCHEMA_VERSION,
};
pub use freshness::{Freshness, FreshnessState};
pub use goal::{Goal, GoalAssessment, GoalPoint, GoalStatus, ProgressRule};
pub use model::{
    Analysis, AppliedTarget, Area, DatasetInfo, Direction, Measure, Observation, Status, Target,
    TargetKind, Unit, status,
};
pub use period::{Frequency, Period, PeriodError};
pub use series::Series;
pub use translations::Translations;
