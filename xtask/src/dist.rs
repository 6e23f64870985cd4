//! `cargo xtask dist`: the widgets' package in `pkg/` – the wasm built for size, its bindings,
//! the loader and its stylesheet minified – and the package's size against its budget.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

use crate::{cargo, ensure_rust_target, node_tools, run, target_dir};

/// The features the wasm-bindgen output uses; `--all-features` would emit imports browsers reject.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-reference-types",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
];

/// Functions that differ only in constants merged, then `-Oz` until it stops shrinking the
/// module, without debug information or the producers section; the low 1 KiB of memory is never
/// used (Rust's data starts at 1 MiB, the stack grows down towards it), which lets loads and
/// stores fold their offsets.
const WASM_OPT_PASSES: &[&str] = &[
    "--strip-debug",
    "--strip-producers",
    "--merge-similar-functions",
    "-Oz",
    "--converge",
    "--low-memory-unused",
];

/// The stylesheet module `pkg/src/styles.js` with the CSS in its one template literal (no
/// comments, strings with runs of spaces or `${}` in it) without layout whitespace: runs of
/// whitespace become one space, dropped next to `{ } ; , > )` and after `: (`, and the last `;`
/// of a block goes.
fn compact_css(module: &str) -> String {
    const TIGHT_AFTER: [char; 7] = ['{', '}', ';', ',', '>', ':', '('];
    let (Some(open), Some(close)) = (module.find('`'), module.rfind('`')) else {
        return module.to_owned();
    };
    let css = module[open + 1..close].trim();
    let mut out = String::with_capacity(module.len());
    out.push_str(&module[..=open]);
    let mut space = false;
    for c in css.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !matches!(c, '{' | '}' | ';' | ',' | '>' | ')') && !out.ends_with(TIGHT_AFTER) {
            out.push(' ');
        }
        space = false;
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        out.push(c);
    }
    out.push_str(&module[close..]);
    out
}

/// The files of the package a page loads, for the size budget.
const PACKAGE_FILES: &[&str] = &[
    "civicmetrics.js",
    "styles.js",
    "widgets.js",
    "widgets_bg.wasm",
];

/// Builds the widgets into `pkg/`: the wasm in the size-tuned `wasm-release` profile, the
/// bindings generated in-process by the wasm-bindgen version in Cargo.lock with the imports
/// renamed ([`shorten_imports`]), `wasm-opt` ([`WASM_OPT_PASSES`]), then every script minified
/// by terser (the loader and styles from
/// their sources in `pkg/src/`). Returns the package's size, gzipped as [`PACKAGE_BUDGET`] says.
pub(crate) fn dist() -> Result<u64> {
    ensure_rust_target("wasm32-unknown-unknown")?;
    run(cargo().args([
        "build",
        "--package",
        "civicmetrics-widgets",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
        "--locked",
    ]))?;
    let input = widgets_wasm()?;
    eprintln!(
        "$ wasm-bindgen {} --target web --out-dir pkg",
        input.display()
    );
    let mut bindings = wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)?
        .typescript(true)
        .out_name("widgets")
        .generate_output()
        .context("wasm-bindgen failed")?;
    let renames = shorten_imports(
        bindings
            .wasm_mut()
            .imports
            .iter_mut()
            .filter(|import| import.module == BINDINGS_MODULE)
            .map(|import| &mut import.name),
    );
    if renames.is_empty() {
        bail!("the wasm imports nothing from {BINDINGS_MODULE}: wasm-bindgen named it otherwise");
    }
    bindings.emit("pkg").context("wasm-bindgen failed")?;
    let script = Path::new("pkg/widgets.js");
    std::fs::write(
        script,
        rename_imports(&std::fs::read_to_string(script)?, &renames)?,
    )?;
    let tools = node_tools()?;
    let wasm = Path::new("pkg/widgets_bg.wasm");
    run(Command::new(tools.join("node_modules/.bin/wasm-opt"))
        .args(WASM_OPT_PASSES)
        .args(WASM_OPT_FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(wasm))?;
    // Every script of the package is minified by terser: the generated bindings in place, the
    // loader and its styles from their sources in pkg/src/.
    // terser leaves template literals alone: the stylesheet's layout whitespace goes first.
    let styles = target_dir()?.join("styles.js");
    std::fs::write(
        &styles,
        compact_css(&std::fs::read_to_string("pkg/src/styles.js")?),
    )?;
    for (source, script) in [
        (Path::new("pkg/widgets.js"), "pkg/widgets.js"),
        (Path::new("pkg/src/civicmetrics.js"), "pkg/civicmetrics.js"),
        (styles.as_path(), "pkg/styles.js"),
    ] {
        run(Command::new(tools.join("node_modules/.bin/terser"))
            .arg(source)
            .args([
                "--module",
                "--compress",
                "--mangle",
                "--comments",
                "/@ts-self-types/",
            ])
            .arg("-o")
            .arg(script))?;
    }
    write_package_locales(Path::new("pkg/locales"))?;
    let mut total = 0;
    println!("{:<20} {:>10} {:>10}", "pkg/", "bytes", "gzip -9 -n");
    for name in PACKAGE_FILES {
        let file = Path::new("pkg").join(name);
        let bytes = std::fs::metadata(&file)
            .with_context(|| format!("pkg/{name} is missing"))?
            .len();
        let gzipped = gzip_size(&file)?;
        total += gzipped;
        println!("{name:<20} {bytes:>10} {gzipped:>10}");
    }
    println!("{:<20} {:>10} {total:>10}", "total", "");
    println!("{:<20} {:>10} {PACKAGE_BUDGET:>10}", "budget", "");
    Ok(total)
}

/// The built-in languages' interface strings as the release publishes them, into `dir`: what
/// the loader falls back to when the release it shows offers none (an older release, or one it
/// cannot reach, whose error state must still speak). Fetched only then, so outside the budget.
fn write_package_locales(dir: &Path) -> Result<()> {
    let locales = locales::Locales::builtin();
    std::fs::create_dir_all(dir)?;
    for language in locales.languages() {
        let strings = locales
            .strings(language)
            .with_context(|| format!("no strings for the built-in {language}"))?;
        std::fs::write(
            dir.join(format!("{language}.json")),
            serde_json::to_string(&strings)? + "\n",
        )?;
    }
    Ok(())
}

/// The module the wasm imports the bindings' functions from: wasm-bindgen's generated
/// `pkg/widgets.js`, which hands them over in one object keyed by the imports' names.
const BINDINGS_MODULE: &str = "./widgets_bg.js";

/// Gives each of `names` (the wasm's imports from [`BINDINGS_MODULE`]) a short name – `a` … `Z`,
/// `aa` … – and returns the renaming, old name to new. wasm-bindgen names an import after its
/// function and a 16-digit hash (`__wbg_getContext_d93f904b714852ae`), written once in the wasm
/// and once in the bindings and never read by anything else; the hashes do not compress, and
/// came to about a twentieth of the gzipped package.
fn shorten_imports<'a>(names: impl Iterator<Item = &'a mut String>) -> BTreeMap<String, String> {
    let mut renames = BTreeMap::new();
    for name in names {
        let next = renames.len();
        let short = renames
            .entry(name.clone())
            .or_insert_with(|| short_name(next))
            .clone();
        *name = short;
    }
    renames
}

/// The `index`th of `a` … `z`, `A` … `Z`, `aa`, `ab` …: bijective base 52.
fn short_name(mut index: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[index % 52]);
        index /= 52;
        if index == 0 {
            break;
        }
        index -= 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// The bindings' JavaScript `js` with the imports renamed as `renames` says: each old name must
/// occur in it exactly once, as the key of its function in the imports object (`name: …`), or
/// the renaming would break what it does not see, and it fails instead.
fn rename_imports(js: &str, renames: &BTreeMap<String, String>) -> Result<String> {
    let mut js = js.to_owned();
    for (old, new) in renames {
        let places = identifier_places(&js, old);
        let [place] = places.as_slice() else {
            bail!(
                "the wasm-bindgen bindings name the import {old} {} times, not once as a key: \
                 its short name cannot be given",
                places.len()
            );
        };
        let after = js[place + old.len()..].trim_start();
        if !after.starts_with(':') {
            bail!("the wasm-bindgen bindings name the import {old} other than as a key");
        }
        js.replace_range(*place..place + old.len(), new);
    }
    Ok(js)
}

/// Where `name` occurs in `js` as a whole identifier (not inside a longer one).
fn identifier_places(js: &str, name: &str) -> Vec<usize> {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    js.match_indices(name)
        .map(|(place, _)| place)
        .filter(|&place| {
            !js[..place].ends_with(part) && !js[place + name.len()..].starts_with(part)
        })
        .collect()
}

/// The widgets' WebAssembly as cargo builds it, before wasm-bindgen and `wasm-opt`, with its
/// function names (for `twiggy`).
fn widgets_wasm() -> Result<PathBuf> {
    Ok(target_dir()?.join("wasm32-unknown-unknown/wasm-release/widgets.wasm"))
}

/// The most the package a page loads ([`PACKAGE_FILES`]) may weigh: 60 KB, as the sum of the
/// sizes GNU `gzip -9 -n` compresses each file to ([`gzip_size`]). `cargo xtask test` fails above
/// it.
const PACKAGE_BUDGET: u64 = 61_440;

/// Fails when the package's gzipped size is over [`PACKAGE_BUDGET`].
pub(crate) fn check_budget(gzipped: u64) -> Result<()> {
    if gzipped > PACKAGE_BUDGET {
        bail!(
            "the widgets package a page loads is {gzipped} bytes gzipped, over its budget of \
             {PACKAGE_BUDGET} bytes (60 KB); see \"Size\" in pkg/README.md, and run `twiggy top` on \
             {} to see what grew",
            widgets_wasm()?.display()
        );
    }
    eprintln!("widgets package: {gzipped} of {PACKAGE_BUDGET} bytes gzipped");
    Ok(())
}

/// The size `gzip -9 -n` compresses `file` to, run as GNU gzip: the package's size is defined as
/// the sum of these sizes of its files, each compressed on its own. `-n` leaves the file name
/// and time out of the header, so the size is the content's alone. Other deflate encoders –
/// flate2's, Node's zlib – choose other matches and differ from GNU gzip by tens to hundreds of
/// bytes on the package, so none of them stands in for it.
fn gzip_size(file: &Path) -> Result<u64> {
    check_gnu_gzip()?;
    let output = Command::new("gzip")
        .args(["-9", "-n", "-c", "--"])
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot start gzip")?;
    if !output.status.success() {
        bail!("gzip -9 -n {} failed ({})", file.display(), output.status);
    }
    Ok(output.stdout.len() as u64)
}

/// Fails unless `gzip` answers `--version` as GNU gzip does (`gzip 1.12`): pigz and BusyBox's
/// gzip compress differently. Asked once.
fn check_gnu_gzip() -> Result<()> {
    static CHECKED: OnceLock<()> = OnceLock::new();
    if CHECKED.get().is_none() {
        let output = Command::new("gzip")
            .arg("--version")
            .output()
            .context("GNU gzip is needed to measure the package: install gzip")?;
        let version = String::from_utf8_lossy(&output.stdout);
        let first = version.lines().next().unwrap_or_default();
        if !output.status.success() || !first.starts_with("gzip ") {
            bail!("the package is measured with GNU gzip, and `gzip --version` answered `{first}`");
        }
        CHECKED.get_or_init(|| ());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacted_css_keeps_what_whitespace_meant() {
        let css = "export const STYLES = `\n:host {\n  --a: 1px;  color: red;\n}\n@media (prefers-color-scheme: dark) {\n  .a > .b, .c .d { font: 1rem \"Segoe UI\"; }\n}\n`;\n";
        assert_eq!(
            compact_css(css),
            "export const STYLES = `:host{--a:1px;color:red}@media (prefers-color-scheme:dark){.a>.b,.c .d{font:1rem \"Segoe UI\"}}`;\n"
        );
    }

    #[test]
    fn sizes_are_gnu_gzip_sizes() {
        let file = std::env::temp_dir().join(format!("civicmetrics-gzip-{}", std::process::id()));
        let text: String = (0..3000u32)
            .map(|i| format!("{i:x} {}\n", i * i % 1009))
            .collect();
        std::fs::write(&file, &text).unwrap();
        let size = gzip_size(&file).unwrap();
        std::fs::remove_file(&file).unwrap();
        // GNU gzip's size; flate2 at its best compression gives 11,795 bytes.
        assert_eq!(size, 11_785);
    }

    #[test]
    fn short_names_are_letters_in_order() {
        let names: Vec<String> = [0, 1, 25, 26, 51, 52, 53, 103, 104, 2755, 2756]
            .into_iter()
            .map(short_name)
            .collect();
        assert_eq!(
            names,
            ["a", "b", "z", "A", "Z", "aa", "ab", "aZ", "ba", "ZZ", "aaa"]
        );
    }

    #[test]
    fn imports_get_short_names_in_the_wasm_and_the_bindings_alike() {
        let mut names = vec![
            "__wbg_fill_cb36fe21a8d46cd7".to_owned(),
            "__wbg_fillRect_e1f0b9915220348b".to_owned(),
            "__wbg_fill_cb36fe21a8d46cd7".to_owned(),
        ];
        let renames = shorten_imports(names.iter_mut());
        assert_eq!(names, ["a", "b", "a"]);
        let js = "function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n        \
                  __wbg_fill_cb36fe21a8d46cd7: function(arg0) { arg0.fill(); },\n        \
                  __wbg_fillRect_e1f0b9915220348b : function(a, b) { a.fillRect(b); },\n    };\n}\n";
        assert_eq!(
            rename_imports(js, &renames).unwrap(),
            "function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n        \
             a: function(arg0) { arg0.fill(); },\n        \
             b : function(a, b) { a.fillRect(b); },\n    };\n}\n"
        );
    }

    #[test]
    fn an_import_named_anywhere_but_its_key_is_not_renamed() {
        let renames = BTreeMap::from([("__wbg_fill_cb36".to_owned(), "a".to_owned())]);
        let twice = "const i = { __wbg_fill_cb36: f };\ni.__wbg_fill_cb36();\n";
        let error = rename_imports(twice, &renames).unwrap_err().to_string();
        assert!(error.contains("__wbg_fill_cb36 2 times"), "{error}");
        let called = "__wbg_fill_cb36();";
        assert!(rename_imports(called, &renames).is_err());
        let missing = "const i = { __wbg_fill_cb36x: f };";
        let error = rename_imports(missing, &renames).unwrap_err().to_string();
        assert!(error.contains("0 times"), "{error}");
    }

    #[test]
    fn the_package_budget_is_60_kb_inclusive() {
        assert!(check_budget(PACKAGE_BUDGET).is_ok());
        let over = check_budget(PACKAGE_BUDGET + 1).unwrap_err().to_string();
        assert!(
            over.contains("61441 bytes gzipped, over its budget of 61440"),
            "{over}"
        );
    }
}
