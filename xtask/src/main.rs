//! Project automation, run as `cargo xtask <command>`.
//!
//! - `demo`: build the widgets and the exporter, publish the bundled Seattle sample into
//!   `./public` and serve it at <http://127.0.0.1:8080/>.
//! - `dist`: build the widgets' WebAssembly package into `pkg/`.
//! - `test`: every check and test, installing what they need first (a Python virtual environment
//!   with the interoperability clients, the `wasm32-unknown-unknown` and Windows targets,
//!   mingw-w64 and Wine), and every benchmark once at a tiny size.
//! - `bench`: the exporter and the widgets against pyarrow, DuckDB, Chart.js and uPlot; results
//!   in `benchmarks/RESULTS.md`.
//! - `windows`: cross-build the program for Windows and compare what it reports and publishes
//!   under Wine with the Linux build (part of `test`).
//! - `fuzz [--seconds N | --runs N] [--target NAME]`: the fuzz targets for N seconds or N executions
//!   each (the long run; `test` runs them briefly).
//! - `records [--out DIR] [--scale N]`: the sample's seeded operational records, gzip-compressed.

#[cfg(test)]
mod architecture;
mod bench;
mod boundaries;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

mod deny;
mod dist;
mod fuzz;
mod records;
mod windows;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  bench   measure the exporter and widgets against pyarrow, DuckDB, Chart.js and uPlot
  demo    build everything, publish examples/seattle into ./public and serve it on port 8080
  dist    build the widgets package (wasm, bindings, loader) into pkg/
  test    run every check and test, installing what they need
  windows cross-build the program for Windows and compare it under Wine with the Linux build
  fuzz    run every fuzz target for --seconds N (default 600) or --runs N each
          [--target NAME] [--sanitizer address|none]
  records generate the sample's operational records into --out DIR (default
          examples/seattle/raw), --scale N times as many rows (default 1)";

fn main() -> Result<()> {
    let root = project_root();
    std::env::set_current_dir(&root).with_context(|| format!("cannot enter {}", root.display()))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("bench") => bench::main(&args[1..]),
        Some("dist") => dist::dist().map(|_| ()),
        Some("test") => {
            let outcome = test();
            print_timings();
            outcome
        }
        Some("fuzz") => fuzz::main(&args[1..]),
        Some("records") => records::main(&args[1..]),
        Some("windows") => windows::check(),
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
/// How long each command `run` ran took, in order, for the summary `test` ends with: where
/// the time of a continuous-integration run goes.
static TIMINGS: Mutex<Vec<(String, Duration)>> = Mutex::new(Vec::new());

fn run(command: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(command));
    let started = Instant::now();
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", describe(command)))?;
    let took = started.elapsed();
    if let Ok(mut timings) = TIMINGS.lock() {
        timings.push((describe(command), took));
    }
    if !status.success() {
        bail!("{} failed ({status})", describe(command));
    }
    Ok(())
}

/// Prints each command run so far with its time, longest first, and their total.
fn print_timings() {
    let Ok(mut timings) = TIMINGS.lock() else {
        return;
    };
    timings.sort_by_key(|(_, took)| std::cmp::Reverse(*took));
    let total: Duration = timings.iter().map(|(_, took)| *took).sum();
    eprintln!("time taken, longest first ({} s in all):", total.as_secs());
    for (command, took) in timings.iter() {
        let shown: String = command.chars().take(110).collect();
        eprintln!("{:>7.1} s  {shown}", took.as_secs_f64());
    }
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

/// The features every build of the workspace is made with, so that each compiles its
/// dependencies once with the same features: the program with its cluster engine
/// (`distributed`), as it is released.
const FEATURES: [&str; 2] = ["--features", "civicmetrics-cli/distributed"];

/// `cargo SUBCOMMAND` over the whole workspace, locked, with [`FEATURES`].
fn workspace_cargo(subcommand: &str) -> Command {
    let mut command = cargo();
    command
        .args([subcommand, "--workspace", "--locked"])
        .args(FEATURES);
    command
}

/// Cargo's target directory for this workspace, where every build, tool, virtual environment
/// and artefact of xtask goes: `target/` at the root unless `CARGO_TARGET_DIR` or
/// `build.target-dir` says otherwise. Asked of `cargo metadata` once, so that it is the
/// directory the builds xtask starts write into, however it was configured.
fn target_dir() -> Result<&'static Path> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    if let Some(dir) = DIR.get() {
        return Ok(dir);
    }
    let dir = metadata_target_dir(&mut cargo())?;
    Ok(DIR.get_or_init(|| dir))
}

/// The `target_directory` that `cargo metadata` (run by `cargo`, with its environment and
/// arguments) reports.
fn metadata_target_dir(cargo: &mut Command) -> Result<PathBuf> {
    cargo
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit());
    let output = cargo
        .output()
        .with_context(|| format!("cannot start {}", describe(cargo)))?;
    if !output.status.success() {
        bail!("{} failed ({})", describe(cargo), output.status);
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")?;
    let dir = metadata["target_directory"]
        .as_str()
        .context("cargo metadata reported no target_directory")?;
    Ok(PathBuf::from(dir))
}

/// A cargo profile xtask builds the `civicmetrics` program in.
#[derive(Clone, Copy)]
enum Profile {
    /// The tests' debug build.
    Dev,
    /// The optimised build the benchmarks time.
    Release,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
        }
    }

    /// The directory under the target directory that cargo builds the profile into.
    fn dir(self) -> &'static str {
        match self {
            Profile::Dev => "debug",
            Profile::Release => "release",
        }
    }
}

/// Builds the `civicmetrics` program in `profile` and returns its path. Every command that runs
/// the program gets it from here or, cross-built, from [`civicmetrics_for`].
fn civicmetrics(profile: Profile) -> Result<PathBuf> {
    civicmetrics_for(profile, None)
}

/// A platform other than the host's that the program is cross-built for.
struct CrossTarget {
    /// The target triple.
    triple: &'static str,
    /// The environment its build needs: the linker and the C compiler for the target.
    env: &'static [(&'static str, &'static str)],
    /// The program's file name there.
    program: &'static str,
}

/// Builds the `civicmetrics` program in `profile` for `cross` (the host when `None`) and returns
/// its path: only this function knows which package builds it and where.
fn civicmetrics_for(profile: Profile, cross: Option<&CrossTarget>) -> Result<PathBuf> {
    let mut build = cargo();
    build.args(["build", "--profile", profile.name(), "--locked"]);
    let mut dir = target_dir()?.to_path_buf();
    let mut program = "civicmetrics";
    match (cross, profile) {
        (Some(cross), _) => {
            build
                .args(["--package", "civicmetrics-cli", "--bin", "civicmetrics"])
                .args(["--target", cross.triple])
                // Every dependency is compiled a second time for the target, and the build is
                // only run on the small trees the comparison needs: unoptimised, it compiles in
                // about half the time.
                .args(["--config", "profile.dev.package.\"*\".opt-level=0"])
                .envs(cross.env.iter().copied());
            dir.push(cross.triple);
            program = cross.program;
        }
        // The program the CLI's tests run, built as `cargo test --workspace` builds it: its
        // features unified over the workspace and its tests. `--package civicmetrics-cli` would
        // unify them over that package alone and build every shared dependency again.
        (None, Profile::Dev) => {
            build.args(["--workspace", "--tests"]).args(FEATURES);
        }
        (None, Profile::Release) => {
            build
                .args(["--package", "civicmetrics-cli", "--bin", "civicmetrics"])
                .args(["--features", "distributed"]);
        }
    }
    run(&mut build)?;
    Ok(dir.join(profile.dir()).join(program))
}

/// Where the demo serves the sample; the release's absolute links (canonical pages, feeds,
/// embed code) point here.
const DEMO_ADDRESS: &str = "127.0.0.1:8080";

/// Publishes the bundled sample with `civicmetrics`, with the widgets package from `pkg/`, into
/// `./public`.
/// The sample's correction that the demo's history shows: the value first published for a
/// period, restated by the sample as it is now (file, the row as first published, as now).
const SAMPLE_CORRECTION: (&str, &str, &str) = (
    "observations/affordable-housing-livability.csv",
    "rental-complaints-inspected-on-time,2026-09,91.4,,,",
    "rental-complaints-inspected-on-time,2026-09,89.2,,,",
);

/// How long before the sample's publication its first release was published: a week, after the
/// sample's last period, so that the first release has no future periods.
const FIRST_RELEASE_EARLIER: u64 = 7 * 24 * 60 * 60;

/// Publishes the sample into `./public` twice, as a city would a week apart: first with one
/// value as first reported (`SAMPLE_CORRECTION`), a week before now (or before
/// `SOURCE_DATE_EPOCH`), then as it is, so that the release's history holds a restatement the
/// measure page, the widgets' table and the feeds show. `public` starts afresh: its history
/// must not hold a later release than the first. Both releases carry the documents of schema 1
/// too (`--legacy-documents`), which the widgets' tests read beside schema 2's.
fn publish_sample(civicmetrics: &Path) -> Result<()> {
    let now = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(epoch) => epoch
            .parse::<u64>()
            .context("SOURCE_DATE_EPOCH must be a number of seconds")?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs(),
    };
    let first = target_dir()?.join("demo-first-release");
    if first.exists() {
        std::fs::remove_dir_all(&first)?;
    }
    copy_tree(Path::new("examples/seattle"), &first)?;
    let (file, as_first_published, as_now) = SAMPLE_CORRECTION;
    let path = first.join(file);
    let text = std::fs::read_to_string(&path)?;
    anyhow::ensure!(
        text.contains(as_now),
        "{file} no longer has the row {as_now:?} the demo restates"
    );
    std::fs::write(&path, text.replacen(as_now, as_first_published, 1))?;
    if Path::new("public").exists() {
        std::fs::remove_dir_all("public")?;
    }
    for (source, published) in [
        (first.as_path(), now - FIRST_RELEASE_EARLIER),
        (Path::new("examples/seattle"), now),
    ] {
        run(Command::new(civicmetrics)
            .arg("build")
            .arg(source)
            .args([
                "--out",
                "public",
                "--widgets",
                "pkg",
                "--legacy-documents",
                "--base-url",
            ])
            .arg(format!("http://{DEMO_ADDRESS}/"))
            .env("SOURCE_DATE_EPOCH", published.to_string()))?;
    }
    Ok(())
}

/// Copies the tree at `from` into `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().context("a file name")?);
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)
                .with_context(|| format!("cannot copy {}", path.display()))?;
        }
    }
    Ok(())
}

fn demo() -> Result<()> {
    dist::dist()?;
    let civicmetrics = civicmetrics(Profile::Dev)?;
    publish_sample(&civicmetrics)?;
    let mut files = Vec::new();
    list(Path::new("public"), &mut files)?;
    // One line per top-level part of the release: the site has hundreds of pages.
    let mut parts: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
    for (path, bytes) in &files {
        let part = path
            .strip_prefix("public")
            .ok()
            .and_then(|p| p.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let entry = parts.entry(part).or_default();
        entry.0 += 1;
        entry.1 += bytes;
    }
    println!("\nPublished examples/seattle into ./public:");
    for (part, (count, bytes)) in &parts {
        println!("{bytes:>10} bytes {count:>5} file(s)  public/{part}");
    }
    println!(
        "\n{} files, {} bytes. The data is in public/data/ (index.json, dictionary.md, datapackage.json).",
        files.len(),
        files.iter().map(|(_, bytes)| bytes).sum::<u64>()
    );
    let (host, port) = DEMO_ADDRESS
        .split_once(':')
        .unwrap_or((DEMO_ADDRESS, "8080"));
    run(Command::new(civicmetrics).args(["serve", "public", "--host", host, "--port", port]))
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

/// The pinned npm tools (`wasm-opt` from binaryen; the browser-test drivers), installed into
/// `tools` in the target directory from `xtask/tools/package.json` and its lock file.
fn node_tools() -> Result<PathBuf> {
    let tools = target_dir()?.join("tools");
    let manifest = Path::new("xtask/tools/package.json");
    let lock = Path::new("xtask/tools/package-lock.json");
    let stamp = tools.join("installed-package-lock.json");
    let wanted =
        std::fs::read_to_string(lock).context("cannot read xtask/tools/package-lock.json")?;
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        std::fs::create_dir_all(&tools)?;
        std::fs::copy(manifest, tools.join("package.json"))?;
        std::fs::copy(lock, tools.join("package-lock.json"))?;
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&tools))?;
        std::fs::write(&stamp, wanted)?;
    }
    Ok(tools)
}

/// A virtual environment at `venv` with the packages of `requirements` (a pip requirements file),
/// created and brought up to date when the file changes. The path is not resolved: a virtual
/// environment is recognised by the path its python is run by.
fn python_environment(venv: &Path, requirements: &Path) -> Result<PathBuf> {
    let python = venv.join("bin/python");
    let stamp = venv.join("installed-requirements.txt");
    let wanted = std::fs::read_to_string(requirements)
        .with_context(|| format!("cannot read {}", requirements.display()))?;
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
            "Python 3 is needed for the tests and benchmarks; install python3 with venv and pip",
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

/// The Rust standard library for `target` (a target triple), added with rustup when missing.
fn ensure_rust_target(target: &str) -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .with_context(|| format!("rustup is needed to add the {target} target"))?;
    if !String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|line| line.trim() == target)
    {
        run(Command::new("rustup").args(["target", "add", target]))?;
    }
    Ok(())
}

/// The test targets plain `cargo test` leaves out (`test = false`), by name: the SIGKILL and
/// full-disk trials, the preview server under load, the PostgreSQL tables and the multi-process
/// cluster (`civicmetrics-cli`), and the release read
/// by the Python clients (`civicmetrics-tests`).
const SLOW_TESTS: &[&str] = &[
    "crash",
    "load",
    "postgres",
    "cluster",
    "interop",
    "site_interop",
];

/// `cargo SUBCOMMAND` for the [`SLOW_TESTS`], selected by name across the whole workspace: with
/// `--package` instead, cargo would unify features over that package alone and build every
/// shared dependency a second time.
fn slow_tests(subcommand: &str) -> Command {
    let mut command = workspace_cargo(subcommand);
    for target in SLOW_TESTS {
        command.args(["--test", target]);
    }
    command
}

/// How many times the sample's records the cluster test computes: about a million rows.
const CLUSTER_RECORDS_SCALE: u32 = 5;

fn test() -> Result<()> {
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(workspace_cargo("clippy").args(["--all-targets", "--", "-D", "warnings"]))?;
    // `--all-targets` leaves out the `test = false` targets: the slow ones, named here.
    run(slow_tests("clippy").args(["--", "-D", "warnings"]))?;
    deny::check()?;
    boundaries::check()?;
    run(workspace_cargo("doc")
        .arg("--no-deps")
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    // The interoperability clients: pyarrow, DuckDB, polars, frictionless, jsonschema, feedparser.
    let python = python_environment(
        &target_dir()?.join("interop-venv"),
        Path::new("tests/interop/requirements.txt"),
    )?;
    // Plain `cargo test` of every crate, then the slow targets it leaves out, by name: the
    // SIGKILL and full-disk trials, the preview server under load, the sample read from a
    // PostgreSQL server, and the release read by the Python clients. Each fails, rather than skips, when what it needs is missing.
    run(workspace_cargo("test").env("INSTA_UPDATE", "no"))?;
    ensure_postgresql()?;
    // The cluster's records: the sample's at five times its size, about a million rows.
    let cluster_records = target_dir()?.join("cluster-records");
    records::main(&[
        "--out".to_owned(),
        cluster_records.to_string_lossy().into_owned(),
        "--scale".to_owned(),
        CLUSTER_RECORDS_SCALE.to_string(),
    ])?;
    run(slow_tests("test")
        .env("CIVICMETRICS_PYTHON", &python)
        .env("CIVICMETRICS_CLUSTER_RECORDS", &cluster_records))?;
    fuzz::run_all(
        fuzz::TARGETS,
        fuzz::Budget::Seconds(fuzz::SHORT_RUN_SECONDS),
        "address",
    )?;
    // The program as department analysts run it, on Windows (cross-built, under Wine).
    windows::check()?;
    browser_tests()?;
    // Every benchmark once, at a tiny size: they run, nothing is timed.
    run(workspace_cargo("test").arg("--benches"))?;
    bench::main(&["--smoke".to_owned()])?;
    eprintln!("all checks and tests passed");
    Ok(())
}

/// The version of a package in the workspace's Cargo.lock.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("cannot read Cargo.lock")?;
    version_in_lock(&lock, package)
}

/// A Cargo.lock file, as far as xtask reads it.
#[derive(serde::Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

/// One `[[package]]` entry of a Cargo.lock file.
#[derive(serde::Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
}

/// The version of `package` in the Cargo.lock text `lock`; an error when it holds none or
/// several, since then no one version is the one the workspace builds with.
fn version_in_lock(lock: &str, package: &str) -> Result<String> {
    let lock: Lock = toml::from_str(lock).context("Cargo.lock is not a lock file")?;
    let versions: Vec<String> = lock
        .package
        .into_iter()
        .filter(|entry| entry.name == package)
        .map(|entry| entry.version)
        .collect();
    match versions.as_slice() {
        [version] => Ok(version.clone()),
        [] => bail!("{package} is not in Cargo.lock"),
        several => bail!(
            "Cargo.lock holds {} versions of {package}: {}",
            several.len(),
            several.join(", ")
        ),
    }
}

/// Debian's PostgreSQL server, for the tables read from PostgreSQL, installed when missing.
fn ensure_postgresql() -> Result<()> {
    let installed = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .flatten()
            .any(|version| version.path().join("bin/initdb").exists())
    });
    if installed {
        return Ok(());
    }
    apt_install(&["postgresql"])
}

/// Debian's Chromium and ChromeDriver, installed when missing.
fn ensure_chromium() -> Result<()> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])
}

/// Installs Debian's `packages` (as root, without input), after refreshing the package lists.
fn apt_install(packages: &[&str]) -> Result<()> {
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The program `binary` of the crate `package` at `version`, installed with `cargo install`
/// into `tools/cargo` in the target directory when it is missing or answers `version_args` with
/// another version; `locked` installs with the crate's own lock file.
///
/// The tools are compiled unoptimised and without debug information: a cold run compiles each
/// of them, and cargo-deny, for one, compiles in 80 s that way against 341 s optimised, while
/// its check of this workspace takes 7 s instead of 1.5 s.
pub(crate) fn cargo_tool(
    package: &str,
    binary: &str,
    version: &str,
    version_args: &[&str],
    locked: bool,
) -> Result<PathBuf> {
    let root = target_dir()?.join("tools/cargo");
    let path = root.join("bin").join(binary);
    let installed = Command::new(&path)
        .args(version_args)
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(version));
    if !installed {
        let mut install = cargo();
        install
            .args(["install", "--debug"])
            .env("CARGO_PROFILE_DEV_DEBUG", "0");
        if locked {
            install.arg("--locked");
        }
        run(install
            .args([package, "--version", version, "--root"])
            .arg(&root))?;
    }
    Ok(path)
}

/// `wasm-bindgen-test-runner` of exactly the wasm-bindgen version in Cargo.lock, installed into
/// `tools/cargo` in the target directory when missing.
fn test_runner() -> Result<PathBuf> {
    let version = locked_version("wasm-bindgen")?;
    // Not --locked: the CLI's own lock file pins crates this registry may no longer serve.
    cargo_tool(
        "wasm-bindgen-cli",
        "wasm-bindgen-test-runner",
        &version,
        &["--version"],
        false,
    )
}

/// The widgets in headless Chromium: wasm-bindgen-test unit tests, the site's numbers and dates
/// against the widgets' `Intl`, the end-to-end tests of the example pages on the published
/// sample, then the residents' site served by `civicmetrics serve`
/// (navigation, no-JavaScript, embeds, axe-core and Lighthouse), then the hostile-text fixture's
/// release (nothing injected runs, the layout stays bounded).
fn browser_tests() -> Result<()> {
    ensure_chromium()?;
    ensure_rust_target("wasm32-unknown-unknown")?;
    let runner = test_runner()?;
    run(cargo()
        .args([
            "test",
            "--package",
            "civicmetrics-widgets",
            "--target",
            "wasm32-unknown-unknown",
            "--locked",
        ])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &runner)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver"))?;
    dist::check_budget(dist::dist()?)?;
    let civicmetrics = civicmetrics(Profile::Dev)?;
    publish_sample(&civicmetrics)?;
    let tools = node_tools()?;
    // Screenshots, page weights and scores.
    let artifacts = target_dir()?.join("e2e");
    // The site's numbers and dates against Chromium's `Intl`, case by case: the site's test
    // writes its texts, the script formats the same cases as the widgets do. A file left from an
    // earlier run is removed first, so that the comparison never reads stale texts.
    std::fs::create_dir_all(&artifacts)?;
    let intl_cases = artifacts.join("intl-cases.json");
    if intl_cases.exists() {
        std::fs::remove_file(&intl_cases)?;
    }
    // Selected by name across the workspace, built as `cargo test --workspace` built it.
    run(workspace_cargo("test")
        .args(["--lib", "format::intl_cases::"])
        .env("CIVICMETRICS_INTL_CASES", &intl_cases))?;
    run(Command::new("node")
        .arg("tests/e2e/intl.mjs")
        .arg(&tools)
        .arg(&intl_cases))?;
    run(Command::new("node")
        .arg("tests/e2e/widgets.mjs")
        .arg(".")
        .arg(&tools)
        .arg(&artifacts))?;
    for script in [
        "tests/e2e/site.mjs",
        "tests/e2e/phone.mjs",
        "tests/e2e/hostile.mjs",
    ] {
        run(Command::new("node")
            .arg(script)
            .arg(".")
            .arg(&tools)
            .arg(&artifacts)
            .arg(&civicmetrics))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo metadata` run at the root as xtask runs it, without an inherited target directory.
    fn metadata_cargo() -> Command {
        let mut command = cargo();
        command
            .current_dir(project_root())
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET_DIR");
        command
    }

    #[test]
    fn the_target_directory_follows_cargo_target_dir() {
        let dir = std::env::temp_dir().join("civicmetrics-xtask-target-from-env");
        let found = metadata_target_dir(metadata_cargo().env("CARGO_TARGET_DIR", &dir)).unwrap();
        assert_eq!(found, dir);
    }

    #[test]
    fn the_target_directory_follows_build_target_dir() {
        let dir = std::env::temp_dir().join("civicmetrics-xtask-target-from-config");
        let setting = format!("build.target-dir={:?}", dir.to_str().unwrap());
        let found = metadata_target_dir(metadata_cargo().args(["--config", &setting])).unwrap();
        assert_eq!(found, dir);
    }

    #[test]
    fn a_locked_version_is_read_from_its_package_entry() {
        let lock = r#"
version = 4

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"
dependencies = ["wasm-bindgen-macro-support"]

[[package]]
name = "wasm-bindgen"
source = "registry+https://github.com/rust-lang/crates.io-index"
version = "0.2.130"
checksum = "0000"
"#;
        assert_eq!(version_in_lock(lock, "wasm-bindgen").unwrap(), "0.2.130");
        assert_eq!(
            version_in_lock(lock, "wasm-bindgen-macro").unwrap(),
            "0.2.130"
        );
        let missing = version_in_lock(lock, "wasm").unwrap_err().to_string();
        assert_eq!(missing, "wasm is not in Cargo.lock");
    }

    #[test]
    fn a_package_locked_at_two_versions_has_no_one_version() {
        let lock = "[[package]]\nname = \"wasmparser\"\nversion = \"0.230.0\"\n\n\
                    [[package]]\nname = \"wasmparser\"\nversion = \"0.245.1\"\n";
        let error = version_in_lock(lock, "wasmparser").unwrap_err().to_string();
        assert_eq!(
            error,
            "Cargo.lock holds 2 versions of wasmparser: 0.230.0, 0.245.1"
        );
        assert!(version_in_lock("[[package]\n", "wasmparser").is_err());
    }
}
