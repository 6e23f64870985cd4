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
        ],
    ),
    (
        "civicmetrics-site",
        &["clap", "indicatif", "anyhow", "axum", "tokio", "tower-http"],
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
        &["parquet", "arrow-array", "askama", "tokio", "anyhow"],
    ),
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
    if !problems.is_empty() {
        bail!("crate boundaries crossed:\n  {}", problems.join("\n  "));
    }
    eprintln!("crate boundaries: {} libraries checked", FORBIDDEN.len());
    Ok(())
}
