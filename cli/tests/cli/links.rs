//! Every link in a published release leads somewhere: each `href` and `src` of every page, feed
//! and oEmbed response that points into the release – relative, root-relative or absolute under
//! its base URL – names a file of the release, in every language.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::support::{civicmetrics, root, stderr};

/// The URL the release is built for.
const BASE: &str = "https://example.org/performance/";
/// Its path, which root-relative links (the 404 page's) start with.
const BASE_PATH: &str = "/performance/";

/// The values of every `name="…"` attribute in `text`, unescaped.
fn attribute_values(text: &str, name: &str) -> Vec<String> {
    let opening = format!(" {name}=\"");
    text.match_indices(&opening)
        .filter_map(|(at, _)| {
            let rest = &text[at + opening.len()..];
            let value = &rest[..rest.find('"')?];
            Some(value.replace("&#38;", "&").replace("&amp;", "&"))
        })
        .collect()
}

/// The file a link from the file at `from` (relative to OUT) names, relative to OUT, or `None`
/// for a link out of the release (another site, `mailto:`, a fragment of the same page).
fn target(from: &Path, link: &str) -> Option<PathBuf> {
    let link = link.split(['#', '?']).next().unwrap_or_default();
    let path = if let Some(inside) = link.strip_prefix(BASE) {
        PathBuf::from(inside)
    } else if let Some(inside) = link.strip_prefix(BASE_PATH) {
        PathBuf::from(inside)
    } else if link.is_empty() || link.contains(':') || link.starts_with("//") {
        return None;
    } else {
        from.parent().unwrap_or(Path::new("")).join(link)
    };
    // Resolve `..` and `.` the way a browser does within the site.
    let mut resolved = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(part) => resolved.push(part),
            _ => {}
        }
    }
    if link.ends_with('/') || resolved.as_os_str().is_empty() {
        resolved.push("index.html");
    }
    Some(resolved)
}

/// Every file under `dir`, relative to `out`.
fn files(out: &Path, dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(out, &path, found);
        } else {
            found.push(path.strip_prefix(out).unwrap().to_owned());
        }
    }
}

#[test]
fn every_link_inside_the_release_names_one_of_its_files() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let source = root().join("examples/seattle");
    let output = civicmetrics(&[
        "build",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--base-url",
        BASE,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let mut all = Vec::new();
    files(&out, &out, &mut all);
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut broken = Vec::new();
    for file in &all {
        let kind = match file.extension().and_then(|e| e.to_str()) {
            Some("html") => "pages",
            Some("xml") => "feeds and sitemap",
            Some("json") if file.iter().any(|part| part == "oembed") => "oEmbed responses",
            _ => continue,
        };
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let mut links: Vec<String> = Vec::new();
        if kind == "oEmbed responses" {
            let response: serde_json::Value = serde_json::from_str(&text).unwrap();
            let html = response["html"].as_str().unwrap();
            links.extend(attribute_values(html, "src"));
            links.push(response["thumbnail_url"].as_str().unwrap().to_owned());
        } else {
            links.extend(attribute_values(&text, "href"));
            links.extend(attribute_values(&text, "src"));
        }
        for link in links {
            let Some(target) = target(file, &link) else {
                continue;
            };
            *checked.entry(kind).or_default() += 1;
            // A widget's `src` names the data directory, which the widget reads index.json from.
            let target = match out.join(&target).is_dir() {
                true => target.join("index.json"),
                false => target,
            };
            if !out.join(&target).is_file() {
                broken.push(format!(
                    "{}: {link} ({} is missing)",
                    file.display(),
                    target.display()
                ));
            }
        }
    }
    eprintln!("links checked: {checked:?}");
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    // Each kind of file was searched and held links into the release.
    assert_eq!(checked.len(), 3, "{checked:?}");
    assert!(checked["pages"] > 4_000, "{checked:?}");
}
