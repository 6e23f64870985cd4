//! The bench's results: one row per target, printed as a table and written to
//! `benchmarks/RESULTS.md` with the machine they were measured on, its load, and the commit they
//! measured – only from a clean tree, since otherwise no commit holds what was measured.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// One target: our figure against an anchor's (a ratio with a bound), or a yes/no check.
pub(crate) enum Row {
    Ratio {
        name: String,
        ours: f64,
        anchor: f64,
        unit: String,
        /// The largest acceptable ratio; infinite for a comparison without a target.
        bound: f64,
    },
    Check {
        name: String,
        value: String,
        met: bool,
    },
}

impl Row {
    pub(crate) fn ratio(name: String, ours: f64, anchor: f64, unit: &str, bound: f64) -> Row {
        Row::Ratio {
            name,
            ours,
            anchor,
            unit: unit.to_owned(),
            bound,
        }
    }

    pub(crate) fn check(name: String, value: String, met: bool) -> Row {
        Row::Check { name, value, met }
    }

    /// The long tasks of a group of pages holding `widgets` widgets: any entry the `longtask`
    /// observer reported is a task over 50 ms, so the target is that there are none. Durations
    /// are shown to a tenth of a millisecond, as measured.
    pub(crate) fn long_tasks(name: &str, widgets: u64, durations_ms: &[f64]) -> Row {
        let plural = |count: usize| if count == 1 { "" } else { "s" };
        let widgets = format!("{widgets} widget{}", plural(widgets as usize));
        let value = match durations_ms.iter().copied().reduce(f64::max) {
            None => format!("none ({widgets})"),
            Some(longest) => format!(
                "{} long task{}, longest {longest:.1} ms ({widgets})",
                durations_ms.len(),
                plural(durations_ms.len())
            ),
        };
        Row::check(
            format!("{name}: no long task"),
            value,
            durations_ms.is_empty(),
        )
    }

    /// A page's Lighthouse runs, judged by the rule of the site's end-to-end test
    /// (`tests/e2e/site.mjs`): met when performance on the best run is at least
    /// [`LIGHTHOUSE_FLOOR`], accessibility on the median run 100, and best practices and SEO on
    /// their medians at least [`LIGHTHOUSE_FLOOR`]. Performance is taken from the best run
    /// because another process's load only ever lowers a run's score
    /// (`tests/e2e/lighthouse.mjs`); the other categories do not depend on load. Of an even
    /// number of runs the median is the upper of the two middle scores, as in the test.
    pub(crate) fn lighthouse(page: &str, runs: &[LighthouseScores]) -> Result<Row> {
        let best = |score: fn(&LighthouseScores) -> u64| runs.iter().map(score).max();
        let median = |score: fn(&LighthouseScores) -> u64| {
            let mut scores: Vec<u64> = runs.iter().map(score).collect();
            scores.sort_unstable();
            scores.get(scores.len() / 2).copied()
        };
        let (Some(performance), Some(accessibility), Some(best_practices), Some(seo)) = (
            best(|run| run.performance),
            median(|run| run.accessibility),
            median(|run| run.best_practices),
            median(|run| run.seo),
        ) else {
            bail!("no Lighthouse run of {page}");
        };
        let plural = if runs.len() == 1 { "" } else { "s" };
        Ok(Row::check(
            format!("Lighthouse {page} ({} run{plural})", runs.len()),
            format!(
                "performance {performance} (best), accessibility {accessibility}, best practices \
                 {best_practices}, SEO {seo}"
            ),
            performance >= LIGHTHOUSE_FLOOR
                && accessibility == 100
                && best_practices >= LIGHTHOUSE_FLOOR
                && seo >= LIGHTHOUSE_FLOOR,
        ))
    }

    fn cells(&self, smoke: bool) -> [String; 5] {
        let verdict = |met: bool| match (smoke, met) {
            (true, _) => "smoke".to_owned(),
            (false, true) => "met".to_owned(),
            (false, false) => "MISSED".to_owned(),
        };
        match self {
            Row::Ratio {
                name,
                ours,
                anchor,
                unit,
                bound,
            } => {
                let ratio = ours / anchor;
                let (target, met) = if bound.is_finite() {
                    (format!("≤ {bound}"), ratio <= *bound)
                } else {
                    ("–".to_owned(), true)
                };
                let verdict = if bound.is_finite() {
                    verdict(met)
                } else {
                    String::new()
                };
                [
                    name.clone(),
                    format!("{} {unit} / {} {unit}", figure(*ours), figure(*anchor)),
                    format!("{ratio:.2}"),
                    target,
                    verdict,
                ]
            }
            Row::Check { name, value, met } => [
                name.clone(),
                value.clone(),
                String::new(),
                String::new(),
                verdict(*met),
            ],
        }
    }
}

/// The lowest Lighthouse score met for performance, best practices and SEO (accessibility must be
/// 100); the site's end-to-end test holds the pages to the same.
const LIGHTHOUSE_FLOOR: u64 = 95;

/// One Lighthouse run on a page: each category's score out of 100.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LighthouseScores {
    pub(crate) performance: u64,
    pub(crate) accessibility: u64,
    pub(crate) best_practices: u64,
    pub(crate) seo: u64,
}

impl LighthouseScores {
    /// A run as `benchmarks/widgets/bench.mjs` writes it, by Lighthouse's category keys:
    /// `{"performance", "accessibility", "best-practices", "seo"}`.
    fn from_json(run: &serde_json::Value) -> Result<LighthouseScores> {
        let score = |key: &str| {
            run[key]
                .as_u64()
                .filter(|score| *score <= 100)
                .with_context(|| format!("no {key} score out of 100 in {run}"))
        };
        Ok(LighthouseScores {
            performance: score("performance")?,
            accessibility: score("accessibility")?,
            best_practices: score("best-practices")?,
            seo: score("seo")?,
        })
    }
}

/// Three significant digits, without exponent.
fn figure(value: f64) -> String {
    match value.abs() {
        v if v >= 100.0 => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        v if v >= 1.0 => format!("{value:.2}"),
        _ => format!("{value:.3}"),
    }
}

/// Every row of a run.
pub(crate) struct Report {
    command: String,
    smoke: bool,
    rows: Vec<Row>,
    widget_notes: Vec<String>,
}

impl Report {
    pub(crate) fn new(command: String, smoke: bool) -> Report {
        Report {
            command,
            smoke,
            rows: Vec::new(),
            widget_notes: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Adds the widgets' rows from `benchmarks/widgets/bench.mjs --json`: `results` with
    /// `name`, `ours`, `anchor`, `unit` and `target` (a bound on ours / anchor, or null),
    /// `long_tasks` with `name`, `widgets` and `durations_ms` (judged by [`Row::long_tasks`]),
    /// `lighthouse` with `name`, `path` and `runs` (judged by [`Row::lighthouse`]), and `notes`.
    /// Output without `lighthouse`, from before the script ran Lighthouse, is an error: it would
    /// leave the Targets table without those rows.
    pub(crate) fn widgets(&mut self, json: &str) -> Result<()> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        for result in value["results"].as_array().context("no results")? {
            self.rows.push(Row::ratio(
                result["name"].as_str().context("no name")?.to_owned(),
                result["ours"].as_f64().context("no figure of ours")?,
                result["anchor"].as_f64().context("no anchor figure")?,
                result["unit"].as_str().unwrap_or(""),
                result["target"].as_f64().unwrap_or(f64::INFINITY),
            ));
        }
        for group in value["long_tasks"].as_array().context("no long tasks")? {
            let name = group["name"].as_str().context("no name")?;
            let durations = group["durations_ms"]
                .as_array()
                .with_context(|| format!("no long-task durations for {name}"))?
                .iter()
                .map(|duration| {
                    duration
                        .as_f64()
                        .with_context(|| format!("a long task of {name} has no duration"))
                })
                .collect::<Result<Vec<f64>>>()?;
            let widgets = group["widgets"]
                .as_u64()
                .with_context(|| format!("no widget count for {name}"))?;
            self.rows.push(Row::long_tasks(name, widgets, &durations));
        }
        let pages = value["lighthouse"].as_array().context(
            "no Lighthouse scores: the output of a benchmarks/widgets/bench.mjs that did not run \
             Lighthouse",
        )?;
        for page in pages {
            let name = page["name"]
                .as_str()
                .context("a Lighthouse page has no name")?;
            let path = page["path"]
                .as_str()
                .with_context(|| format!("no path for the Lighthouse page {name}"))?;
            let runs = page["runs"]
                .as_array()
                .with_context(|| format!("no Lighthouse runs of {name}"))?
                .iter()
                .map(|run| {
                    LighthouseScores::from_json(run)
                        .with_context(|| format!("a Lighthouse run of {name}"))
                })
                .collect::<Result<Vec<_>>>()?;
            self.rows
                .push(Row::lighthouse(&format!("{name} {path}"), &runs)?);
        }
        for note in value["notes"].as_array().into_iter().flatten() {
            self.widget_notes
                .push(note.as_str().unwrap_or_default().to_owned());
        }
        Ok(())
    }

    /// The table for the terminal.
    pub(crate) fn summary(&self) -> String {
        let rows: Vec<[String; 5]> = self.rows.iter().map(|r| r.cells(self.smoke)).collect();
        let header = ["target", "ours / anchor (medians)", "ratio", "bound", ""];
        let mut widths = header.map(|h| h.chars().count());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut text = String::new();
        for row in std::iter::once(header.map(str::to_owned)).chain(rows) {
            for (cell, width) in row.iter().zip(widths) {
                let _ = write!(text, "{cell:<width$}  ");
            }
            text = text.trim_end().to_owned();
            text.push('\n');
        }
        text
    }

    /// `benchmarks/RESULTS.md` for a run of `provenance` on `machine`; headed "not for
    /// publication" unless the run measured one commit on a clean tree.
    pub(crate) fn markdown(&self, machine: &str, tables: &str, provenance: &Provenance) -> String {
        let mut text = String::new();
        if provenance.clean() {
            text.push_str("# Benchmark results\n\n");
        } else {
            let _ = writeln!(
                text,
                "# Benchmark results: not for publication\n\n\
                 The tree had uncommitted changes, so no commit holds what was measured:\n"
            );
            for change in &provenance.changes {
                let _ = writeln!(text, "    {change}");
            }
            text.push('\n');
        }
        text.push_str(
            "Written by `cargo xtask bench`; do not edit by hand. Each program ran in turn with its\n\
             anchors, alternating, on the same machine in the same run; figures are medians, memory\n\
             is the peak resident set (`getrusage`) of the program and its children.\n\n",
        );
        let _ = writeln!(text, "Command: `{}`\n", self.command);
        if provenance.clean() {
            let _ = writeln!(
                text,
                "Commit: `{}`, on a clean tree (`git status --porcelain` printed nothing when the \
                 run began and when it ended).\n",
                provenance.commit
            );
        } else {
            let _ = writeln!(
                text,
                "Commit: `{}`, with the changes above.\n",
                provenance.commit
            );
        }
        let _ = writeln!(text, "## Machine\n\n{machine}");
        let _ = writeln!(text, "## Targets\n");
        text.push_str(
            "| target | ours / anchor (medians) | ratio | bound | |\n|---|---|---:|---|---|\n",
        );
        for row in &self.rows {
            let cells = row.cells(false);
            let _ = writeln!(text, "| {} |", cells.join(" | "));
        }
        let _ = writeln!(text, "\n{tables}");
        if !self.widget_notes.is_empty() {
            let _ = writeln!(text, "## Widgets: inputs and method\n");
            for note in &self.widget_notes {
                let _ = writeln!(text, "- {note}");
            }
        }
        text
    }
}

/// What a run measured: the commit checked out and the tree's uncommitted changes, one line of
/// `git status --porcelain` each (untracked files included; ignored ones, such as `target/`, not).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Provenance {
    pub(crate) commit: String,
    pub(crate) changes: Vec<String>,
}

impl Provenance {
    /// The work tree's commit and changes now.
    pub(crate) fn of_work_tree() -> Result<Provenance> {
        Ok(Provenance {
            commit: git(&["rev-parse", "HEAD"])?.trim().to_owned(),
            changes: git(&["status", "--porcelain"])?
                .lines()
                .map(str::to_owned)
                .collect(),
        })
    }

    /// A run that began at `self` and ended at `end`: it measured one clean commit only when the
    /// tree was clean at both ends, at the same commit.
    pub(crate) fn through(mut self, end: Provenance) -> Provenance {
        if end.commit != self.commit {
            self.changes
                .push(format!("HEAD moved to {} during the run", end.commit));
        }
        for change in end.changes {
            if !self.changes.contains(&change) {
                self.changes.push(change);
            }
        }
        self
    }

    /// Whether the results are publishable: one commit, no uncommitted change.
    pub(crate) fn clean(&self) -> bool {
        self.changes.is_empty()
    }
}

fn git(args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .args(args)
        .output()
        .context("git is needed to record the commit the benchmarks measured")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// The load average over 1, 5 and 15 minutes (`/proc/loadavg`).
pub(crate) fn load_average() -> Result<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").context("cannot read /proc/loadavg")?;
    let mut fields = text.split_whitespace().map(str::parse::<f64>);
    match (fields.next(), fields.next(), fields.next()) {
        (Some(Ok(one)), Some(Ok(five)), Some(Ok(fifteen))) => Ok([one, five, fifteen]),
        _ => bail!("unexpected /proc/loadavg: `{}`", text.trim()),
    }
}

/// The load averages when a run began and when it ended, beside the number of cores: the first
/// tells what else had the machine, the second includes the run's own last programs.
fn load_line(cores: usize, start: [f64; 3], end: [f64; 3]) -> String {
    let shown = |load: [f64; 3]| format!("{:.2}, {:.2}, {:.2}", load[0], load[1], load[2]);
    format!(
        "- Load average (1, 5 and 15 minutes) on the {cores} cores: {} when the run began, {} \
         when it ended\n",
        shown(start),
        shown(end)
    )
}

fn first_line(program: impl AsRef<OsStr>, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .filter(|line| !line.is_empty())
        .unwrap_or_else(|| "not found".to_owned())
}

/// The version `package_json` (an npm manifest such as `xtask/tools/package.json`) pins `name`
/// at, among its dependencies or development dependencies.
fn pinned(package_json: &str, name: &str) -> Result<Option<String>> {
    let manifest: serde_json::Value =
        serde_json::from_str(package_json).context("package.json is not JSON")?;
    Ok(["dependencies", "devDependencies"]
        .iter()
        .find_map(|list| manifest[list][name].as_str())
        .map(str::to_owned))
}

fn proc_field(file: &str, field: &str) -> Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
    Ok(text
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        .unwrap_or_default())
}

/// The machine, its load average when the run began (`load_start`) and ended (`load_end`), the
/// toolchain and the anchors' versions, as a Markdown list; `python` is the anchors' interpreter.
pub(crate) fn machine(load_start: [f64; 3], load_end: [f64; 3], python: &Path) -> Result<String> {
    let cpu = proc_field("/proc/cpuinfo", "model name")?;
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory_kib: f64 = proc_field("/proc/meminfo", "MemTotal")?
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap_or(0.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let anchors = std::fs::read_to_string("benchmarks/requirements.txt")?
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let tools = std::fs::read_to_string("xtask/tools/package.json")
        .context("cannot read xtask/tools/package.json")?;
    let pin = |name: &str| -> Result<String> {
        Ok(pinned(&tools, name)?.unwrap_or_else(|| "not pinned".to_owned()))
    };
    Ok(format!(
        "- CPU: {cpu}, {cores} cores available\n\
         - Memory: {:.1} GiB\n\
         {}\
         - Linux {}\n\
         - {}\n\
         - Anchors (PyPI): {anchors}; Python {}\n\
         - Browser: {}; chart.js {}, uplot {} (npm)\n\
         - Date: {}\n",
        memory_kib / 1024.0 / 1024.0,
        load_line(cores, load_start, load_end),
        kernel.trim(),
        first_line("rustc", &["--version"]),
        first_line(python, &["--version"]).trim_start_matches("Python "),
        first_line("chromium", &["--version"]),
        pin("chart.js")?,
        pin("uplot")?,
        first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_versions_come_from_the_dependency_lists() {
        let manifest = r#"{
  "name": "tools",
  "description": "\"uplot\": \"9.9.9\" is not a pin",
  "dependencies": { "uplot": "1.6.32" },
  "devDependencies": {
    "chart.js": "4.6.1"
  }
}"#;
        assert_eq!(
            pinned(manifest, "chart.js").unwrap().as_deref(),
            Some("4.6.1")
        );
        assert_eq!(
            pinned(manifest, "uplot").unwrap().as_deref(),
            Some("1.6.32")
        );
        assert_eq!(pinned(manifest, "terser").unwrap(), None);
        assert!(pinned("{ \"devDependencies\": ", "uplot").is_err());
    }

    /// The verdict and the value a row shows in RESULTS.md.
    fn verdict_and_value(row: &Row) -> (String, String) {
        let cells = row.cells(false);
        (cells[4].clone(), cells[1].clone())
    }

    #[test]
    fn any_long_task_misses_the_target_however_short() {
        let (verdict, value) = verdict_and_value(&Row::long_tasks("area pages", 48, &[50.4]));
        assert_eq!(verdict, "MISSED");
        assert_eq!(value, "1 long task, longest 50.4 ms (48 widgets)");
        let (verdict, value) =
            verdict_and_value(&Row::long_tasks("cards", 60, &[51.25, 120.04, 50.01]));
        assert_eq!(verdict, "MISSED");
        assert_eq!(value, "3 long tasks, longest 120.0 ms (60 widgets)");
        let (verdict, value) = verdict_and_value(&Row::long_tasks("measure page", 1, &[83.0]));
        assert_eq!(verdict, "MISSED");
        assert_eq!(value, "1 long task, longest 83.0 ms (1 widget)");
        let (verdict, value) = verdict_and_value(&Row::long_tasks("dashboard", 0, &[]));
        assert_eq!(verdict, "met");
        assert_eq!(value, "none (0 widgets)");
    }

    #[test]
    fn the_widgets_long_tasks_are_judged_from_the_bench_output() {
        let json = r#"{
            "results": [],
            "long_tasks": [
                { "name": "release area pages (7)", "widgets": 48, "durations_ms": [50.4] },
                { "name": "60-card page", "widgets": 60, "durations_ms": [] }
            ],
            "lighthouse": [],
            "notes": ["a note"]
        }"#;
        let mut report = Report::new("cargo xtask bench".to_owned(), false);
        report.widgets(json).unwrap();
        let summary = report.summary();
        let area = summary.lines().find(|l| l.contains("area pages")).unwrap();
        assert!(
            area.contains("release area pages (7): no long task"),
            "{area}"
        );
        assert!(area.contains("longest 50.4 ms"), "{area}");
        assert!(area.ends_with("MISSED"), "{area}");
        let cards = summary.lines().find(|l| l.contains("60-card")).unwrap();
        assert!(cards.ends_with("met"), "{cards}");
        let missing = r#"{ "results": [], "long_tasks": [{ "name": "x", "widgets": 1 }] }"#;
        assert!(report.widgets(missing).is_err());
    }

    fn scores(
        performance: u64,
        accessibility: u64,
        best_practices: u64,
        seo: u64,
    ) -> LighthouseScores {
        LighthouseScores {
            performance,
            accessibility,
            best_practices,
            seo,
        }
    }

    #[test]
    fn lighthouse_is_met_on_the_best_performance_and_the_median_of_the_rest() {
        let runs = [
            scores(81, 100, 100, 92),
            scores(96, 98, 95, 100),
            scores(90, 100, 96, 100),
        ];
        let row = Row::lighthouse("dashboard /", &runs).unwrap();
        assert_eq!(row.cells(false)[0], "Lighthouse dashboard / (3 runs)");
        let (verdict, value) = verdict_and_value(&row);
        assert_eq!(verdict, "met");
        assert_eq!(
            value,
            "performance 96 (best), accessibility 100, best practices 96, SEO 100"
        );
        // Of two runs, the upper of the middle scores, as the end-to-end test takes it.
        let row = Row::lighthouse(
            "area /areas/a/",
            &[scores(95, 99, 95, 95), scores(90, 100, 100, 100)],
        );
        assert_eq!(verdict_and_value(&row.unwrap()).0, "met");
        let single =
            Row::lighthouse("measure /measures/m/", &[scores(100, 100, 100, 100)]).unwrap();
        assert_eq!(
            single.cells(false)[0],
            "Lighthouse measure /measures/m/ (1 run)"
        );
        assert!(Row::lighthouse("dashboard /", &[]).is_err());
    }

    #[test]
    fn lighthouse_misses_when_any_category_falls_short() {
        let missed = |runs: &[LighthouseScores]| {
            verdict_and_value(&Row::lighthouse("area /areas/a/", runs).unwrap())
        };
        // Performance below the floor on every run.
        let (verdict, value) = missed(&[scores(94, 100, 100, 100), scores(90, 100, 100, 100)]);
        assert_eq!(verdict, "MISSED");
        assert!(value.starts_with("performance 94 (best)"), "{value}");
        // Accessibility must be 100 on the median run; one perfect run is not enough.
        let (verdict, value) = missed(&[
            scores(100, 100, 100, 100),
            scores(100, 99, 100, 100),
            scores(100, 99, 100, 100),
        ]);
        assert_eq!(verdict, "MISSED");
        assert!(value.contains("accessibility 99"), "{value}");
        let (verdict, _) = missed(&[scores(100, 100, 94, 100)]);
        assert_eq!(verdict, "MISSED");
        let (verdict, _) = missed(&[scores(100, 100, 100, 94)]);
        assert_eq!(verdict, "MISSED");
    }

    #[test]
    fn lighthouse_rows_come_from_the_bench_output_which_must_have_them() {
        // As a smoke run of benchmarks/widgets/bench.mjs wrote it.
        let json = r#"{
            "results": [],
            "long_tasks": [],
            "lighthouse": [
                { "name": "dashboard", "path": "/", "runs": [
                    { "performance": 100, "accessibility": 100, "best-practices": 100, "seo": 100 }
                ] },
                { "name": "area", "path": "/areas/basic-city-services/", "runs": [
                    { "performance": 87, "accessibility": 100, "best-practices": 100, "seo": 100 }
                ] }
            ],
            "notes": []
        }"#;
        let mut report = Report::new("cargo xtask bench".to_owned(), false);
        report.widgets(json).unwrap();
        let summary = report.summary();
        let dashboard = summary.lines().find(|l| l.contains("dashboard")).unwrap();
        assert!(
            dashboard.starts_with("Lighthouse dashboard / (1 run)"),
            "{dashboard}"
        );
        assert!(
            dashboard
                .contains("performance 100 (best), accessibility 100, best practices 100, SEO 100"),
            "{dashboard}"
        );
        assert!(dashboard.ends_with("met"), "{dashboard}");
        let area = summary.lines().find(|l| l.contains("/areas/")).unwrap();
        assert!(area.ends_with("MISSED"), "{area}");

        let older = r#"{ "results": [], "long_tasks": [], "notes": [] }"#;
        let error = format!("{:#}", report.widgets(older).unwrap_err());
        assert!(error.contains("no Lighthouse scores"), "{error}");
        let without_seo = r#"{ "results": [], "long_tasks": [], "lighthouse": [
            { "name": "dashboard", "path": "/", "runs": [
                { "performance": 100, "accessibility": 100, "best-practices": 100 }
            ] }
        ] }"#;
        let error = format!("{:#}", report.widgets(without_seo).unwrap_err());
        assert!(error.contains("no seo score"), "{error}");
        let no_runs = r#"{ "results": [], "long_tasks": [], "lighthouse": [
            { "name": "dashboard", "path": "/", "runs": [] }
        ] }"#;
        assert!(report.widgets(no_runs).is_err());
    }

    fn provenance(commit: &str, changes: &[&str]) -> Provenance {
        Provenance {
            commit: commit.to_owned(),
            changes: changes.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn only_a_run_clean_from_start_to_end_at_one_commit_is_clean() {
        let clean = provenance("abc", &[]);
        assert!(clean.clone().through(clean.clone()).clean());
        let edited = provenance("abc", &[" M xtask/src/main.rs"]);
        assert_eq!(clean.clone().through(edited.clone()), edited);
        assert_eq!(edited.clone().through(clean.clone()), edited);
        let moved = clean.through(provenance("def", &[]));
        assert_eq!(moved.changes, ["HEAD moved to def during the run"]);
        assert!(!moved.clean());
    }

    #[test]
    fn results_name_their_commit_and_are_not_for_publication_from_a_dirty_tree() {
        let mut report = Report::new("cargo xtask bench".to_owned(), false);
        report.row(Row::check("a check".to_owned(), "fine".to_owned(), true));
        let clean = report.markdown("- machine\n", "| growth |\n", &provenance("abc123", &[]));
        assert!(clean.starts_with("# Benchmark results\n\n"), "{clean}");
        assert!(
            clean.contains("Commit: `abc123`, on a clean tree (`git status --porcelain` printed"),
            "{clean}"
        );
        assert!(!clean.contains("not for publication"), "{clean}");
        let dirty = report.markdown(
            "- machine\n",
            "| growth |\n",
            &provenance("abc123", &[" M xtask/src/main.rs", "?? notes.txt"]),
        );
        let heading = concat!(
            "# Benchmark results: not for publication\n\n",
            "The tree had uncommitted changes, so no commit holds what was measured:\n\n",
            "     M xtask/src/main.rs\n",
            "    ?? notes.txt\n\n",
        );
        assert!(dirty.starts_with(heading), "{dirty}");
        assert!(
            dirty.contains("Commit: `abc123`, with the changes above."),
            "{dirty}"
        );
    }

    #[test]
    fn the_load_average_is_stated_at_both_ends_of_the_run() {
        assert_eq!(
            load_line(2, [1.23, 2.0, 2.61], [3.5, 2.9, 2.7]),
            "- Load average (1, 5 and 15 minutes) on the 2 cores: 1.23, 2.00, 2.61 when the run \
             began, 3.50, 2.90, 2.70 when it ended\n"
        );
    }
}
