//! What the fuzz targets share: a manifest and a catalog, read once from the repository's
//! source trees.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use dataset::source::{Catalog, Manifest, parse_manifest, parse_measure};

fn tree(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn manifest(tree: &Path) -> Manifest {
    let path = tree.join("dataset.toml");
    let text = std::fs::read_to_string(&path).expect("dataset.toml");
    let (manifest, diagnostics) = parse_manifest("dataset.toml", &text);
    manifest.unwrap_or_else(|| panic!("{} does not parse: {diagnostics:?}", path.display()))
}

/// `examples/seattle/dataset.toml` (the Seattle sample's seven areas), parsed.
pub static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| manifest(&tree("examples/seattle")));

/// The catalog of `tests/fixtures/valid/small`: five measures with every frequency, every target
/// kind, a target history, fiscal quarters and the `council_district` breakdown. Small, so that
/// rows naming unknown measures do not spend the run on "did you mean" suggestions.
pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let small = tree("tests/fixtures/valid/small");
    let manifest = manifest(&small);
    let mut measures = Vec::new();
    let dir = small.join("measures");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/seattle/measures")
        .map(|entry| entry.expect("a measure file").path())
        .collect();
    files.sort();
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let name = format!("measures/{stem}.toml");
        let text = std::fs::read_to_string(&path).expect("a measure file");
        let (measure, diagnostics) = parse_measure(&name, &stem, &text, &manifest);
        let measure = measure.unwrap_or_else(|| panic!("{name} does not parse: {diagnostics:?}"));
        measures.push((name, measure));
    }
    let (catalog, diagnostics) = Catalog::new(manifest, measures, []);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    catalog
});
