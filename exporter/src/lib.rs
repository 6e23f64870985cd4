//! The civicmetrics exporter: validates a source tree of measure definitions and observation
//! CSVs, and publishes the canonical dataset as Parquet, CSV, JSON and open-data metadata.
//!
//! [`run`] is the pipeline. It knows nothing of terminals, HTTP or HTML: the residents' site is
//! a [`Companion`] of its own crate, and the `civicmetrics` program is a thin layer over both.

mod automation;
mod build;
pub mod cache;
mod companion;
mod documents;
mod error;
mod history;
mod load;
mod metadata;
mod progress;
mod publish;
mod read;
mod store;
pub mod tables;
mod vintage;

pub use automation::{Answer, Automation, ComputedMeasure, Request};
pub use build::{
    CacheUse, DEFAULT_MEMORY_ROWS, DEFAULT_PARALLEL_BYTES, Formats, LEGACY_DIR, Options, Outcome,
    rfc3339, run,
};
pub use companion::{Companion, CompanionError};
pub use error::Error;
pub use history::{HistoryCounts, Publication, Vintage, asof};
pub use load::{Definitions, definitions};
pub use progress::{Progress, Quiet};
pub use publish::{OutLock, StagedFiles, Staging, cache_beside};
pub use vintage::republish;
