//! Each crate's dependencies show its one job: the libraries compile none of the crates that
//! belong to the program (command line, terminal, HTTP server) or to another library's job.

use std::collections::BTreeSet;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Crates a library must not compile, by library: (package, forbidden crates).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "civicmetrics-exporter",
        &[
            "clap",
            "indicatif",
            "anyhow",
            "axum",
            "tokio",
            "tower-http",
            "askama",
            "plotters-svg",
            "atom_syndication",
            "wasm-bindgen",
            "datafusion",
            "sqlparser",
            "ureq",
            "tokio-postgres",
        ],
    ),
    (
        "civicmetrics-compute",
        &[
            "clap",
            "indicatif",
            "anyhow",
            "axum",
            "tower-http",
            "askama",
            "plotters-svg",
            "atom_syndication",
            "wasm-bindgen",
        ],
    ),
    (
        "civicmetrics-cluster",
        // Not `anyhow`: prost's derive macro, under Ballista's plan format, uses it.
        &[
            "clap",
            "indicatif",
            "askama",
            "plotters-svg",
            "atom_syndication",
            "wasm-bindgen",
        ],
    ),
    (
        "civicmetrics-site",
        &[
            "clap",
            "indicatif",
            "anyhow",
            "axum",
            "tokio",
            "tower-http",
            "datafusion",
        ],
    ),
    (
        "civicmetrics-serve",
        &[
            "clap",
            "indicatif",
            "anyhow",
            "askama",
            "parquet",
            "arrow-array",
        ],
    ),
    (
        "civicmetrics-dataset",
        &[
            "parquet",
            "arrow-array",
            "askama",
            "tokio",
            "anyhow",
            "datafusion",
        ],
    ),
];

/// Crates of which the lock file must hold exactly one version.
const ONE_VERSION: &[&str] = &[
    "arrow-array",
    "arrow-schema",
    "parquet",
    "datafusion",
    "ballista-core",
];

/// The names of every crate in `package`'s normal (not dev or build) dependency tree.
fn normal_dependencies(package: &str) -> Result<BTreeSet<String>> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--package",
            package,
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()
        .with_context(|| format!("cargo tree --package {package}"))?;
    if !output.status.success() {
        bail!(
            "cargo tree --package {package}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect())
}

/// Fails when a library's dependency tree holds a crate it must not compile.
pub(crate) fn check() -> Result<()> {
    let mut problems = Vec::new();
    for (package, forbidden) in FORBIDDEN {
        let tree = normal_dependencies(package)?;
        if !tree.contains(*package) {
            bail!("cargo tree --package {package} did not list the package itself");
        }
        for name in *forbidden {
            if tree.contains(*name) {
                problems.push(format!("{package} depends on {name}"));
            }
        }
    }
    // The exporter writes Parquet with the Arrow the engine reads it with, and the cluster runs
    // the engine's plans: one version of each, or every Arrow crate would be compiled twice and
    // their arrays would not mix.
    let lock = std::fs::read_to_string("Cargo.lock").context("cannot read Cargo.lock")?;
    for package in ONE_VERSION {
        if let Err(error) = crate::version_in_lock(&lock, package) {
            problems.push(error.to_string());
        }
    }
    if !problems.is_empty() {
        bail!("crate boundaries crossed:\n  {}", problems.join("\n  "));
    }
    eprintln!(
        "crate boundaries: {} libraries checked; one version each of {}",
        FORBIDDEN.len(),
        ONE_VERSION.join(", ")
    );
    Ok(())
}
