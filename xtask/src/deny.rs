//! The supply-chain check: `cargo deny` on the dependency tree's licences, banned crates and
//! sources, with the rules in `deny.toml` at the root of the workspace.
//!
//! The advisories check is not run: it needs the RustSec advisory database fetched from the
//! network at every run, which the machines the tests run on do not reach.

use std::process::Command;

use anyhow::Result;

use crate::{cargo_tool, run};

/// The cargo-deny release the rules in `deny.toml` are written for.
const CARGO_DENY_VERSION: &str = "0.20.2";

/// Checks licences, bans and sources against `deny.toml`; fails on any error it reports.
pub(crate) fn check() -> Result<()> {
    let cargo_deny = cargo_tool(
        "cargo-deny",
        "cargo-deny",
        CARGO_DENY_VERSION,
        &["--version"],
        true,
    )?;
    run(Command::new(cargo_deny).args(["deny", "--locked", "check", "licenses", "bans", "sources"]))
}
