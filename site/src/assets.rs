//! The files every site holds whatever the data: the stylesheet, scripts and icon, and the
//! widgets package when one is published with the release.

use std::fs;
use std::path::Path;

use crate::error::{Error, IoContext};
use exporter::StagedFiles;

/// The files of the widgets package a page loads, and its built-in strings, copied into
/// `widgets/`.
pub const WIDGET_FILES: &[&str] = &[
    "civicmetrics.js",
    "styles.js",
    "widgets.js",
    "widgets_bg.wasm",
    // The built-in languages' strings, for a release the loader cannot get strings from.
    "locales/en.json",
    "locales/es.json",
];

/// The site's own files: (path in the release, contents).
const ASSETS: &[(&str, &str)] = &[
    ("assets/site.css", include_str!("site.css")),
    ("assets/embed-page.js", include_str!("embed-page.js")),
    ("assets/favicon.svg", include_str!("favicon.svg")),
    // Where news sites load it from, next to the embed pages' own origin.
    ("embed.js", include_str!("embed.js")),
];

/// Where the assets are, relative to the release root.
pub(crate) const STYLESHEET: &str = "assets/site.css";
pub(crate) const ICON: &str = "assets/favicon.svg";
pub(crate) const EMBED_PAGE_SCRIPT: &str = "assets/embed-page.js";
pub(crate) const WIDGETS_MODULE: &str = "widgets/civicmetrics.js";

/// Copies the built widgets package in `package` into the release `root`'s `widgets/`.
pub(crate) fn copy_widgets(package: &Path, root: &Path, files: &StagedFiles) -> Result<(), Error> {
    let widgets = root.join("widgets");
    fs::create_dir_all(&widgets).io_context(&widgets)?;
    for file in WIDGET_FILES {
        let from = package.join(file);
        if !from.is_file() {
            return Err(Error::MissingWidgets {
                dir: package.to_owned(),
                file,
            });
        }
        let to = widgets.join(file);
        let contents = fs::read(&from).io_context(&from)?;
        files.write(&to, &contents).io_context(&to)?;
    }
    Ok(())
}

/// Writes the site's own files into the release `root`.
pub(crate) fn write_assets(root: &Path, files: &StagedFiles) -> Result<(), Error> {
    for (path, contents) in ASSETS {
        let path = root.join(path);
        files.write(&path, contents.as_ref()).io_context(&path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_a_page_links_to_is_written() {
        for linked in [STYLESHEET, ICON, EMBED_PAGE_SCRIPT] {
            assert!(ASSETS.iter().any(|(path, _)| *path == linked), "{linked}");
        }
        assert!(WIDGET_FILES.contains(&WIDGETS_MODULE.trim_start_matches("widgets/")));
    }
}
