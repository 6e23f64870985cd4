//! The civicmetrics exporter: validates a source tree of measure definitions and observation
//! CSVs, and publishes the canonical dataset as Parquet, CSV, JSON and open-data metadata.
//!
//! The command-line program `civicmetrics` is a thin layer over [`run`].

mod build;
mod charts;
mod error;
mod load;
mod metadata;
mod progress;
mod publish;
mod read;
pub mod serve;
mod site;
mod store;
pub mod tables;
mod xml;

pub use build::{
    DEFAULT_PARALLEL_BYTES, DEFAULT_ROW_BUDGET, Formats, Options, Outcome, rfc3339, run,
};
pub use error::Error;
pub use progress::{Progress, Quiet};
pub use publish::{OutLock, Staging};
pub use serve::ServeOptions;
pub use site::{SiteOptions, WIDGET_FILES};
