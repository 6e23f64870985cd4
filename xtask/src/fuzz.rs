//! Fuzzing the source parsers with cargo-fuzz (libFuzzer, AddressSanitizer): the targets in
//! `fuzz/fuzz_targets/` over the seeds in `fuzz/seeds/`.
//!
//! cargo-fuzz needs unstable compiler flags (`-Zsanitizer=address`, coverage instrumentation).
//! The stable toolchain accepts them with `RUSTC_BOOTSTRAP=1`, so no nightly toolchain is
//! needed: the build runs on `stable` whatever toolchain is the default.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::run;

/// The fuzz targets, named as in `fuzz/Cargo.toml`.
pub(crate) const TARGETS: &[&str] = &["measure", "observations", "period"];

/// How long `cargo xtask test` fuzzes each target.
pub(crate) const SHORT_RUN_SECONDS: u32 = 20;

/// The cargo-fuzz release installed into `tools/cargo` in the target directory.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Where cargo-fuzz builds (`fuzz` in the target directory, `target/fuzz` by default) and keeps
/// each target's growing corpus (`fuzz/corpus/<target>`); crashes are written to
/// `fuzz/artifacts/<target>/`.
fn work() -> Result<PathBuf> {
    Ok(crate::target_dir()?.join("fuzz"))
}

/// `cargo-fuzz`, installed into `tools/cargo` in the target directory when missing.
fn cargo_fuzz() -> Result<PathBuf> {
    crate::cargo_tool(
        "cargo-fuzz",
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        &["fuzz", "--version"],
        true,
    )
}

/// A `cargo fuzz` command on the stable toolchain with unstable flags allowed, building into
/// `work`.
fn command(cargo_fuzz: &Path, work: &Path, subcommand: &str, sanitizer: &str) -> Command {
    let mut command = Command::new(cargo_fuzz);
    command
        .args(["fuzz", subcommand, "--fuzz-dir", "fuzz", "--target-dir"])
        .arg(work)
        .args(["--sanitizer", sanitizer])
        .env("RUSTUP_TOOLCHAIN", "stable")
        .env("RUSTC_BOOTSTRAP", "1");
    command
}

/// When a fuzz run stops.
#[derive(Clone, Copy)]
pub(crate) enum Budget {
    /// After this many seconds per target.
    Seconds(u32),
    /// After this many executions per target.
    Runs(u64),
}

impl Budget {
    /// The libFuzzer flag that sets this budget.
    fn flag(self) -> String {
        match self {
            Budget::Seconds(seconds) => format!("-max_total_time={seconds}"),
            Budget::Runs(runs) => format!("-runs={runs}"),
        }
    }
}

/// Builds every target with `sanitizer` (`address`, or `none` for about twice the executions per
/// second), then runs each of `targets` within `budget` from its seeds and the corpus of earlier
/// runs. Fails on the first target that panics, crashes, times out or runs out of memory;
/// libFuzzer prints the input and writes it under `fuzz/artifacts/<target>/` in the target
/// directory.
pub(crate) fn run_all(targets: &[&str], budget: Budget, sanitizer: &str) -> Result<()> {
    let cargo_fuzz = cargo_fuzz()?;
    let work = work()?;
    run(&mut command(&cargo_fuzz, &work, "build", sanitizer))?;
    for target in targets {
        let corpus = work.join("corpus").join(target);
        let artifacts = work.join("artifacts").join(target);
        for dir in [&corpus, &artifacts] {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        // New inputs go to the first directory only: the committed seeds stay as they are.
        run(command(&cargo_fuzz, &work, "run", sanitizer)
            .arg(target)
            .arg(&corpus)
            .arg(Path::new("fuzz/seeds").join(target))
            .arg("--")
            .arg(budget.flag())
            .arg(format!("-artifact_prefix={}/", artifacts.display()))
            .arg("-print_final_stats=1"))?;
    }
    Ok(())
}

/// `cargo xtask fuzz [--seconds N | --runs N] [--target NAME] [--sanitizer address|none]`: each
/// target (or the one named) for N seconds (default 600) or N executions, with AddressSanitizer
/// (default) or without.
pub(crate) fn main(args: &[String]) -> Result<()> {
    const USAGE: &str = "usage: cargo xtask fuzz [--seconds N | --runs N] [--target NAME] \
                         [--sanitizer address|none]";
    let mut budget = Budget::Seconds(600);
    let mut targets = TARGETS;
    let mut sanitizer = "address";
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().context(USAGE)?;
        match flag.as_str() {
            "--seconds" => budget = Budget::Seconds(positive(flag, value)?),
            "--runs" => budget = Budget::Runs(positive(flag, value)?),
            "--target" => {
                let index = TARGETS
                    .iter()
                    .position(|t| t == value)
                    .with_context(|| format!("no fuzz target `{value}`; they are {TARGETS:?}"))?;
                targets = &TARGETS[index..=index];
            }
            "--sanitizer" if ["address", "none"].contains(&value.as_str()) => sanitizer = value,
            _ => bail!(USAGE),
        }
    }
    run_all(targets, budget, sanitizer)
}

/// `value` as a whole number of at least 1, or an error naming `flag`.
fn positive<T: std::str::FromStr + PartialOrd + From<u8>>(flag: &str, value: &str) -> Result<T> {
    match value.parse() {
        Ok(number) if number >= T::from(1) => Ok(number),
        _ => bail!("{flag} takes a whole number of at least 1, not `{value}`"),
    }
}
