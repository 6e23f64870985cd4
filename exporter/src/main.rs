//! `civicmetrics`: validate and publish a city's performance measures.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use exporter::{Error, Options, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;

/// Validate a city's performance measures and publish them as open data.
#[derive(Debug, Parser)]
#[command(name = "civicmetrics", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a source tree and report every problem (exit 0 valid, 1 invalid, 2 usage error).
    Validate {
        /// The source directory (dataset.toml, measures/, observations/).
        source: PathBuf,
    },
    /// Validate, then publish the dataset into OUT atomically.
    Build {
        /// The source directory (dataset.toml, measures/, observations/).
        source: PathBuf,
        /// The output directory; it is replaced as a whole by the new release.
        #[arg(long)]
        out: PathBuf,
    },
}

/// A progress bar on a terminal; nothing when stderr is piped.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, phase: &str, total: u64) {
        self.0.set_message(phase.to_owned());
        self.0.reset();
        self.0.set_length(total);
        // Drawn from the first phase on; indicatif draws nothing when stderr is not a terminal.
        self.0.set_draw_target(ProgressDrawTarget::stderr());
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// The publication time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
fn publication_time() -> anyhow::Result<OffsetDateTime> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => {
            let seconds: i64 = epoch
                .trim()
                .parse()
                .context("SOURCE_DATE_EPOCH must be a number of seconds")?;
            OffsetDateTime::from_unix_timestamp(seconds)
                .context("SOURCE_DATE_EPOCH is out of range")
        }
        Err(_) => Ok(OffsetDateTime::now_utc()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (source, out) = match cli.command {
        Command::Validate { source } => (source, None),
        Command::Build { source, out } => (source, Some(out)),
    };
    let published = match publication_time() {
        Ok(time) => time,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    if !source.is_dir() {
        eprintln!("error: {}: not a directory", source.display());
        return ExitCode::from(2);
    }
    let bar = ProgressBar::hidden();
    bar.set_style(
        ProgressStyle::with_template("{msg:24} {wide_bar} {percent:>3}% {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let options = Options::new(source, out.clone(), published);
    let started = std::time::Instant::now();
    let result = exporter::run(&options, &Bar(bar));
    let mut stderr = std::io::stderr().lock();
    match result {
        Ok(outcome) => {
            for diagnostic in &outcome.diagnostics {
                let _ = writeln!(stderr, "{diagnostic}");
            }
            let summary = format!(
                "{} measures, {} observations, {} warning(s)",
                outcome.measures,
                outcome.observations,
                outcome.diagnostics.len()
            );
            match out {
                Some(out) => {
                    let bytes: u64 = outcome.files.iter().map(|(_, size)| size).sum();
                    let _ = writeln!(
                        stderr,
                        "published {summary}: {} files, {bytes} bytes in {} ({:.2?})",
                        outcome.files.len(),
                        out.display(),
                        started.elapsed()
                    );
                }
                None => {
                    let _ = writeln!(stderr, "valid: {summary}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(Error::Invalid {
            errors,
            diagnostics,
        }) => {
            for diagnostic in &diagnostics {
                let _ = writeln!(stderr, "{diagnostic}");
            }
            let warnings = diagnostics.len() - errors;
            let _ = writeln!(
                stderr,
                "invalid: {errors} error(s), {warnings} warning(s); nothing was published"
            );
            ExitCode::from(1)
        }
        Err(error @ Error::BadOutput { .. }) => {
            let _ = writeln!(stderr, "error: {error}");
            ExitCode::from(2)
        }
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            ExitCode::from(1)
        }
    }
}
