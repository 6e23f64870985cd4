//! The program on Windows, where department analysts run `civicmetrics validate`:
//! `civicmetrics.exe`, cross-built with Debian's mingw-w64 and run under Wine, must report what
//! the Linux build reports – the same standard output, standard error and exit code – for the
//! sample and every invalid source tree, and publish the sample byte for byte as the Linux
//! build does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{
    CrossTarget, Profile, apt_install, civicmetrics, civicmetrics_for, ensure_rust_target, run,
    target_dir,
};

/// 64-bit Windows, linked by Debian's mingw-w64 GCC, which also compiles the C that some
/// dependencies build (zstd). Set here rather than in a cargo configuration, which would hold
/// for every build on the machine.
const WINDOWS: CrossTarget = CrossTarget {
    triple: "x86_64-pc-windows-gnu",
    env: &[
        (
            "CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER",
            "x86_64-w64-mingw32-gcc",
        ),
        ("CC_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-gcc"),
        ("AR_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-ar"),
        // Code compiled for Windows alone is checked nowhere else: its warnings are errors here.
        (
            "CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS",
            "-D warnings",
        ),
        // Nothing debugs this build: without debug information it compiles and links in much
        // less time (build scripts and procedural macros have none by default either).
        ("CARGO_PROFILE_DEV_DEBUG", "0"),
    ],
    program: "civicmetrics.exe",
};

/// The publication time both builds are given, so that their releases can be compared.
const SOURCE_DATE_EPOCH: &str = "1798761600";

/// The source trees both programs validate, as paths from the root: the sample and the valid
/// fixtures, then every tree of the invalid corpus.
const VALID: &[&str] = &[
    "examples/seattle",
    "tests/fixtures/valid/small",
    "tests/fixtures/hostile",
];
const INVALID: &str = "tests/fixtures/invalid";

/// The source both programs publish.
const SAMPLE: &str = "examples/seattle";

/// Cross-builds `civicmetrics.exe` (installing the target, mingw-w64 and Wine when missing) and
/// compares what it reports and publishes under Wine with the Linux build's; fails listing every
/// difference.
pub(crate) fn check() -> Result<()> {
    ensure_tools()?;
    let linux = civicmetrics(Profile::Dev)?;
    let started = Instant::now();
    let exe = civicmetrics_for(Profile::Dev, Some(&WINDOWS))?;
    eprintln!("built {} in {:.1?}", exe.display(), started.elapsed());

    let work = target_dir()?.join("windows");
    let started = Instant::now();
    let wine = Wine::start(&work.join("wineprefix"))?;
    eprintln!("started Wine in {:.1?}", started.elapsed());

    let started = Instant::now();
    let sources = sources()?;
    let mut differences = validate_on_both(&sources, &linux, &wine, &exe)?;
    eprintln!(
        "validated {} source trees on both in {:.1?}",
        sources.len(),
        started.elapsed()
    );

    let started = Instant::now();
    let releases = [work.join("linux"), work.join("windows")];
    for release in &releases {
        if release.exists() {
            std::fs::remove_dir_all(release)
                .with_context(|| format!("cannot remove {}", release.display()))?;
        }
    }
    let sample = std::path::absolute(SAMPLE)?;
    build(Command::new(&linux), false, &sample, &releases[0])?;
    build(wine.command(&exe), true, &sample, &releases[1])?;
    differences.extend(compare_trees(&releases[0], &releases[1])?);
    eprintln!("published {SAMPLE} on both in {:.1?}", started.elapsed());
    drop(wine);

    if !differences.is_empty() {
        bail!(
            "the Windows build differs from the Linux build:\n{}",
            differences.join("\n")
        );
    }
    Ok(())
}

/// How many source trees are validated at once: the runs are mostly Wine starting a process,
/// which uses one core, so two at a time halve the wall time on a two-core machine.
const VALIDATING_AT_ONCE: usize = 2;

/// Validates each of `sources` with the Linux program `linux` and with `exe` under `wine`; the
/// differences, in the order of `sources`.
fn validate_on_both(
    sources: &[String],
    linux: &Path,
    wine: &Wine,
    exe: &Path,
) -> Result<Vec<String>> {
    let next = AtomicUsize::new(0);
    let compare = |source: &str| -> Result<Option<String>> {
        let args = ["validate", source];
        let on_linux = output(Command::new(linux).args(args))?;
        let mut on_windows = output(wine.command(exe).args(args))?;
        // Under Wine, now and then a run's output never reaches its pipes (2 of 504 runs here,
        // a different tree each time, two trees validated at once): the exit code is right and
        // nothing at all was printed. Such a run is made again once, and compared like any other.
        let printed = |run: &Output| !run.stdout.is_empty() || !run.stderr.is_empty();
        if printed(&on_linux) && !printed(&on_windows) {
            eprintln!("validate {source}: nothing printed under Wine; running it again");
            on_windows = output(wine.command(exe).args(args))?;
        }
        Ok(compare_runs(&on_linux, &on_windows)
            .map(|difference| format!("validate {source}: {difference}")))
    };
    let mut found: Vec<(usize, Option<String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..VALIDATING_AT_ONCE)
            .map(|_| {
                scope.spawn(|| -> Result<Vec<(usize, Option<String>)>> {
                    let mut found = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(source) = sources.get(index) else {
                            return Ok(found);
                        };
                        found.push((index, compare(source)?));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a validating thread panicked"))
            .collect::<Result<Vec<_>>>()
            .map(|lists| lists.into_iter().flatten().collect())
    })?;
    found.sort_by_key(|(index, _)| *index);
    Ok(found
        .into_iter()
        .filter_map(|(_, difference)| difference)
        .collect())
}

/// The Windows target, Debian's mingw-w64 and Wine, installed when missing.
fn ensure_tools() -> Result<()> {
    ensure_rust_target(WINDOWS.triple)?;
    let tools = ["x86_64-w64-mingw32-gcc", "wine"];
    let answers = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !tools.iter().all(|tool| answers(tool)) {
        // `wine` is Debian's launcher; `wine64` runs 64-bit programs (no 32-bit part is needed).
        apt_install(&["gcc-mingw-w64-x86-64", "wine", "wine64"])?;
    }
    for tool in tools {
        if !answers(tool) {
            bail!("{tool} does not run after installing it");
        }
    }
    Ok(())
}

/// Every source tree `validate` is compared on, as the paths a user would type from the root.
fn sources() -> Result<Vec<String>> {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(INVALID).with_context(|| format!("cannot list {INVALID}"))? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            cases.push(format!("{INVALID}/{}", entry.file_name().to_string_lossy()));
        }
    }
    if cases.is_empty() {
        bail!("{INVALID} holds no source trees");
    }
    cases.sort();
    Ok(VALID
        .iter()
        .map(|source| source.to_string())
        .chain(cases)
        .collect())
}

/// Runs `command` from the root, with the publication time fixed and no input, and collects
/// what it printed.
fn output(command: &mut Command) -> Result<Output> {
    command
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {}", crate::describe(command)))
}

/// The first difference between two runs' exit codes, standard output and standard error.
fn compare_runs(linux: &Output, windows: &Output) -> Option<String> {
    if linux.status.code() != windows.status.code() {
        return Some(format!(
            "exit code {:?} on Linux, {:?} on Windows; Windows printed:\n{}",
            linux.status.code(),
            windows.status.code(),
            String::from_utf8_lossy(&windows.stderr)
        ));
    }
    [
        ("standard output", &linux.stdout, &windows.stdout),
        ("standard error", &linux.stderr, &windows.stderr),
    ]
    .into_iter()
    .find_map(|(stream, linux, windows)| {
        first_difference(linux, windows).map(|difference| format!("{stream}: {difference}"))
    })
}

/// Where two texts first differ, line by line, with both lines; `None` when they are equal.
fn first_difference(linux: &[u8], windows: &[u8]) -> Option<String> {
    if linux == windows {
        return None;
    }
    let (linux, windows) = (
        String::from_utf8_lossy(linux),
        String::from_utf8_lossy(windows),
    );
    let (linux_lines, windows_lines): (Vec<&str>, Vec<&str>) = (
        linux.split_inclusive('\n').collect(),
        windows.split_inclusive('\n').collect(),
    );
    let line = (0..linux_lines.len().max(windows_lines.len()))
        .find(|&line| linux_lines.get(line) != windows_lines.get(line))
        .unwrap_or_default();
    let shown = |lines: &[&str]| {
        lines
            .get(line)
            .map_or_else(|| "nothing".to_owned(), |text| format!("{text:?}"))
    };
    Some(format!(
        "line {}: {} on Linux, {} on Windows",
        line + 1,
        shown(&linux_lines),
        shown(&windows_lines)
    ))
}

/// Publishes the sample at `source` into `out` with the program `command` runs (the Windows
/// build under Wine when `windows`), and checks that it succeeded.
fn build(mut command: Command, windows: bool, source: &Path, out: &Path) -> Result<()> {
    // Wine's drive Z: is the Unix root in every prefix.
    let argument = |path: &Path| {
        let path = path.display().to_string();
        if windows {
            format!("Z:{}", path.replace('/', "\\"))
        } else {
            path
        }
    };
    let output = output(command.args([
        "build".to_owned(),
        argument(source),
        "--out".to_owned(),
        argument(out),
    ]))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}):\n{}",
            crate::describe(&command),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Every file under `dir`, by its path relative to `dir` with `/` between names.
fn files(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    fn walk(dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            let entry = entry?;
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type()?.is_dir() {
                walk(&entry.path(), &format!("{name}/"), files)?;
            } else {
                let bytes = std::fs::read(entry.path())
                    .with_context(|| format!("cannot read {}", entry.path().display()))?;
                files.insert(name, bytes);
            }
        }
        Ok(())
    }
    let mut files = BTreeMap::new();
    walk(dir, "", &mut files)?;
    if files.is_empty() {
        bail!("{} holds no files", dir.display());
    }
    Ok(files)
}

/// Every file that is in one release and not the other, or differs between them, by name.
fn compare_trees(linux: &Path, windows: &Path) -> Result<Vec<String>> {
    let (linux, windows) = (files(linux)?, files(windows)?);
    let mut differences = Vec::new();
    for (name, bytes) in &linux {
        match windows.get(name) {
            None => differences.push(format!("{name}: published on Linux only")),
            Some(other) if other != bytes => {
                differences.push(format!(
                    "{name}: differs ({} bytes on Linux, {} on Windows)",
                    bytes.len(),
                    other.len()
                ));
            }
            Some(_) => {}
        }
    }
    for name in windows.keys().filter(|name| !linux.contains_key(*name)) {
        differences.push(format!("{name}: published on Windows only"));
    }
    Ok(differences)
}

/// A Wine prefix of its own in the target directory, shut down (its `wineserver` ended) when
/// dropped.
struct Wine {
    prefix: PathBuf,
}

impl Wine {
    /// Creates or updates the prefix at `prefix`, so that the runs compared are not the first,
    /// and gives it a `bcryptprimitives.dll` when Wine has none (Wine 8, Debian 12's): the
    /// standard library imports `ProcessPrng` from it, which Windows has since Windows 10, and a
    /// program that cannot load it does not start (exit code 53). The stand-in,
    /// `xtask/windows/bcryptprimitives.c`, asks Wine's `bcrypt.dll` for the same random numbers.
    fn start(prefix: &Path) -> Result<Wine> {
        std::fs::create_dir_all(prefix)?;
        let wine = Wine {
            prefix: prefix.to_owned(),
        };
        // The prefix's wineserver stays up until `drop` ends it (`-p`, persistent): by default it
        // exits three seconds after its last program, and a program started just as it exits
        // fails with "wine client error:0: recvmsg: Connection reset by peer", which a loaded
        // machine made one of the compared runs print.
        run(Command::new("wineserver")
            .arg("-p")
            .env("WINEPREFIX", &wine.prefix))?;
        run(wine.command(Path::new("wineboot")).arg("--init"))?;
        let dll = prefix.join("drive_c/windows/system32/bcryptprimitives.dll");
        if !dll.exists() {
            run(Command::new("x86_64-w64-mingw32-gcc")
                .args(["-shared", "-O2", "-o"])
                .arg(&dll)
                .arg("xtask/windows/bcryptprimitives.c")
                .arg("-lbcrypt"))?;
        }
        Ok(wine)
    }

    /// Runs `program` under Wine, without a display, debug output, or the Mono and Gecko
    /// installers (which would ask to download them), from the root.
    fn command(&self, program: &Path) -> Command {
        // Debian's launcher, which runs `wine64` for a 64-bit program.
        let mut command = Command::new("wine");
        command
            .arg(program)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        command
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        // The prefix's wineserver lingers after its last program; end it rather than leave it
        // running after the tests.
        let _ = Command::new("wineserver")
            .arg("--kill")
            .env("WINEPREFIX", &self.prefix)
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_line_is_reported_with_both_sides() {
        assert_eq!(first_difference(b"a\nb\n", b"a\nb\n"), None);
        assert_eq!(
            first_difference(b"a\nb/c\n", b"a\nb\\c\n").unwrap(),
            r#"line 2: "b/c\n" on Linux, "b\\c\n" on Windows"#
        );
        assert_eq!(
            first_difference(b"a\n", b"a\nb\n").unwrap(),
            r#"line 2: nothing on Linux, "b\n" on Windows"#
        );
        assert_eq!(
            first_difference(b"a\n", b"a\r\n").unwrap(),
            r#"line 1: "a\n" on Linux, "a\r\n" on Windows"#
        );
    }
}
