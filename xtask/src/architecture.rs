//! ARCHITECTURE.md's code map names every source file of every crate.

use std::path::Path;

/// The crates whose `src/` the code map covers, by directory.
const CRATES: &[&str] = &[
    "dataset", "view", "locales", "compute", "exporter", "site", "serve", "cli", "cluster",
    "widgets", "xtask",
];

/// Files under `dir`, relative to it, of the kinds the code map describes.
fn sources(dir: &Path, prefix: &str, files: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            sources(&path, &format!("{prefix}{name}/"), files);
        } else if ["rs", "js", "css", "svg"]
            .iter()
            .any(|extension| name.ends_with(&format!(".{extension}")))
        {
            files.push(format!("{prefix}{name}"));
        }
    }
}

/// The part of `text` under the heading that starts with `### `crate/``.
fn section<'t>(text: &'t str, krate: &str) -> &'t str {
    let heading = format!("### `{krate}/`");
    let start = text
        .find(&heading)
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no section {heading}"));
    let rest = &text[start + heading.len()..];
    let end = rest
        .find("\n### ")
        .or_else(|| rest.find("\n## "))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn the_code_map_names_every_source_file() {
    let root = crate::project_root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    for krate in CRATES {
        let mut files = Vec::new();
        sources(&root.join(krate).join("src"), "", &mut files);
        assert!(!files.is_empty(), "{krate}/src has no sources");
        let map = section(&text, krate);
        for file in files {
            let name = file.rsplit('/').next().unwrap();
            let named = [
                format!("`{file}`"),
                format!("`src/{file}`"),
                format!("`{name}`"),
            ];
            if !named.iter().any(|form| map.contains(form.as_str())) {
                missing.push(format!("{krate}/src/{file}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name: {missing:?}"
    );
}
