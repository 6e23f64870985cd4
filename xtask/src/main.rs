//! Project automation, run as `cargo xtask <command>`.
//!
//! - `demo`: publish the bundled Seattle sample into `./public` and list what was written.
//! - `test`: every check and test, installing what they need first (a Python virtual environment
//!   with the interoperability clients, the `wasm32-unknown-unknown` target).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo    publish examples/seattle into ./public and list what was written
  test    run every check and test, installing what they need";

fn main() -> Result<()> {
    let root = project_root();
    std::env::set_current_dir(&root).with_context(|| format!("cannot enter {}", root.display()))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("test") => test(),
        Some("help" | "--help" | "-h") => {
            eprintln!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command, echoing it, and fails when it fails.
fn run(command: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", describe(command)))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(command));
    }
    Ok(())
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

fn demo() -> Result<()> {
    run(cargo().args([
        "build",
        "--package",
        "civicmetrics-exporter",
        "--bin",
        "civicmetrics",
    ]))?;
    let binary = Path::new("target/debug/civicmetrics");
    run(Command::new(binary).args(["build", "examples/seattle", "--out", "public"]))?;
    let mut files = Vec::new();
    list(Path::new("public"), &mut files)?;
    println!("\nPublished examples/seattle into ./public:");
    for (path, bytes) in &files {
        println!("{bytes:>10}  {}", path.display());
    }
    println!(
        "\n{} files, {} bytes. Start with public/data/index.json, public/data/dictionary.md and public/data/datapackage.json.",
        files.len(),
        files.iter().map(|(_, bytes)| bytes).sum::<u64>()
    );
    Ok(())
}

fn list(dir: &Path, files: &mut Vec<(PathBuf, u64)>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            list(&path, files)?;
        } else {
            files.push((path, entry.metadata()?.len()));
        }
    }
    Ok(())
}

/// The virtual environment with the interoperability clients (pyarrow, DuckDB, polars,
/// frictionless, jsonschema), created and brought up to date from `tests/interop/requirements.txt`.
/// The path is not resolved: a virtual environment is recognised by the path its python is run by.
fn python_environment() -> Result<PathBuf> {
    let venv = Path::new("target/interop-venv");
    let python = venv.join("bin/python");
    let requirements = Path::new("tests/interop/requirements.txt");
    let stamp = venv.join("installed-requirements.txt");
    let wanted = std::fs::read_to_string(requirements)
        .context("cannot read tests/interop/requirements.txt")?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        return Ok(std::path::absolute(&python)?);
    }
    let system_python = ["python3", "python"]
        .into_iter()
        .find(|candidate| {
            Command::new(candidate)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .context(
            "Python 3 is needed for the interoperability tests; install python3 with venv and pip",
        )?;
    run(Command::new(system_python).args(["-m", "venv"]).arg(venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(requirements))?;
    std::fs::write(&stamp, wanted)?;
    Ok(std::path::absolute(&python)?)
}

fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32-unknown-unknown target")?;
    if !String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

fn test() -> Result<()> {
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo()
        .args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    // The shared model must stay usable from WebAssembly.
    ensure_wasm_target()?;
    run(cargo().args([
        "check",
        "--package",
        "civicmetrics-dataset",
        "--target",
        "wasm32-unknown-unknown",
        "--locked",
    ]))?;
    let python = python_environment()?;
    run(cargo()
        .args(["test", "--workspace", "--locked"])
        .env("CIVICMETRICS_PYTHON", &python)
        .env("INSTA_UPDATE", "no"))?;
    eprintln!("all checks and tests passed");
    Ok(())
}
