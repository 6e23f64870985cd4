//! The supply-chain check: `cargo deny` on the dependency tree's licences, banned crates and
//! sources, with the rules in `deny.toml` at the root of the workspace.
//!
//! The advisories check is not run: it needs the RustSec advisory database fetched from the
//! network at every run, which the machines the tests run on do not reach.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use crate::{cargo, run};

/// The cargo-deny release the rules in `deny.toml` are written for.
const CARGO_DENY_VERSION: &str = "0.20.2";

/// `cargo-deny` of [`CARGO_DENY_VERSION`], installed into `target/tools/cargo` when missing.
fn cargo_deny() -> Result<PathBuf> {
    let root = Path::new("target/tools/cargo");
    let binary = root.join("bin/cargo-deny");
    let installed = Command::new(&binary)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_DENY_VERSION));
    if !installed {
        run(cargo()
            .args([
                "install",
                "--locked",
                "cargo-deny",
                "--version",
                CARGO_DENY_VERSION,
                "--root",
            ])
            .arg(root))?;
    }
    Ok(std::path::absolute(binary)?)
}

/// Checks licences, bans and sources against `deny.toml`; fails on any error it reports.
pub(crate) fn check() -> Result<()> {
    let cargo_deny = cargo_deny()?;
    run(Command::new(cargo_deny).args(["deny", "--locked", "check", "licenses", "bans", "sources"]))
}
