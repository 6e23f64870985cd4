//! Cross-crate and interoperability tests, one module per topic.

mod interop;
mod site;
