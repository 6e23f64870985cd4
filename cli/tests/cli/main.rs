//! Integration tests of the `civicmetrics` program that plain `cargo test` runs, one module per
//! topic. The slow ones (`crash`, `load`) are test targets of their own, run by `cargo xtask test`.

#[path = "../support/mod.rs"]
mod support;

mod cache;
mod changes;
mod diff;
mod download;
mod history;
mod hostile;
mod incremental;
mod invalid;
mod languages;
mod links;
mod postgres;
mod publish;
mod serve;
mod snapshots;
mod status;
mod usage;
