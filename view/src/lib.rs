//! What the civicmetrics widgets and the exporter's static site show alike, independent of
//! where it is shown.
//!
//! - [`strings`]: the built-in interface strings (English, Spanish) and template filling.
//! - [`bidi`]: text from the data isolated so that its direction controls cannot reorder what
//!   follows it.
//! - [`trend`]: the change from the same period a year earlier.
//! - [`status_symbol`], [`goal_symbol`]: the symbol shown with a status or a goal's standing,
//!   so it is never told by colour alone.
//! - [`chart`]: sparklines and full charts drawn with plotters on any
//!   [`DrawingBackend`](plotters::prelude::DrawingBackend): the widgets draw on a canvas, the
//!   exporter writes SVG.
//!
//! This crate depends on neither browser crates (`web-sys`, `wasm-bindgen`) nor `arrow` or
//! `parquet`; it compiles for `wasm32-unknown-unknown` and natively.

pub mod bidi;
pub mod chart;
pub mod strings;
pub mod trend;

use dataset::{GoalStatus, Status};

/// The symbol shown beside a status's words (never colour alone).
pub fn status_symbol(status: Status) -> &'static str {
    match status {
        Status::OnTrack => "✓",
        Status::NearTarget => "!",
        Status::OffTrack => "✕",
        Status::NoTarget => "–",
        Status::NoData => "?",
    }
}

/// The symbol shown beside a goal's standing in words (never colour alone).
pub fn goal_symbol(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Achieved => "✓",
        GoalStatus::OnPace => "↗",
        GoalStatus::BehindPace => "!",
        GoalStatus::Missed => "✕",
        GoalStatus::NoData => "?",
    }
}
