//! Integration tests of the `civicmetrics` program, one module per topic.

mod support;

mod cli;
mod hostile;
mod invalid;
mod publish;
mod serve;
mod snapshots;
