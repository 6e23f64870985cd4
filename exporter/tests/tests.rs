//! Integration tests of the `civicmetrics` program, one module per topic.

mod support;

mod cli;
mod crash;
mod hostile;
mod invalid;
mod links;
mod load;
mod publish;
mod serve;
mod snapshots;
