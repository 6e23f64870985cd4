//! Finding and reading the source tree: `dataset.toml`, `measures/*.toml` (with their
//! `[compute]` tables), `sources/*.toml` and `observations/*.csv`.

use std::fs;
use std::path::{Path, PathBuf};

use dataset::Diagnostic;
use dataset::source::automation::{
    Computation, Place, RecordTable, parse_computation, parse_record_table,
};
use dataset::source::{
    Catalog, Manifest, SourceText, decode, goal_id_places, parse_manifest, parse_measure,
};
use locales::Locales;

use crate::error::{Error, IoContext};

/// Measure and dataset files are hand-edited text; anything larger is a mistake.
const MAX_TOML_BYTES: u64 = 1024 * 1024;

/// The checked definitions of a source tree and the observation files still to stream.
#[derive(Debug)]
pub(crate) struct Source {
    /// The manifest and measures; `None` when `dataset.toml` is too broken to check against.
    pub(crate) catalog: Option<Catalog>,
    /// Observation CSVs, sorted by name, as (path, name shown in diagnostics).
    pub(crate) observation_files: Vec<(PathBuf, String)>,
    /// The measures computed from records: the measure file's name and its `[compute]`, by
    /// measure id.
    pub(crate) computations: std::collections::BTreeMap<String, (String, Computation)>,
    /// The tables of records, `sources/*.toml`, sorted by name.
    pub(crate) tables: Vec<RecordTable>,
    /// The interface strings: the built-in languages and `locales/*.ftl` of the source.
    pub(crate) locales: Locales,
}

/// `path`, a file or directory under `source`, as diagnostics show it: `source` as the user wrote
/// it, then the names below it joined with `/` on every platform, so that a report reads the
/// same on Windows (where joining paths adds `\`) as on Linux.
fn shown(source: &Path, path: &Path) -> String {
    let whole = path.display().to_string();
    if cfg!(windows) {
        let written = source.display().to_string();
        // A name cannot hold `\` on Windows: each one after `source` is a separator.
        if let Some(below) = whole.strip_prefix(&written) {
            return format!("{written}{}", below.replace('\\', "/"));
        }
    }
    whole
}

/// Where `real` is from the directory `root` (both resolved), with `/` between names, such as
/// `../../shared/x.csv`: the same on every platform, where the absolute paths are not (`/srv/…`
/// on Linux, `\\?\C:\…` on Windows). Absolute when no path leads there (another drive).
fn from_root(root: &Path, real: &Path) -> String {
    let root: Vec<_> = root.components().collect();
    let target: Vec<_> = real.components().collect();
    let common = root.iter().zip(&target).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return real.display().to_string();
    }
    std::iter::repeat_n(std::borrow::Cow::Borrowed(".."), root.len() - common)
        .chain(
            target[common..]
                .iter()
                .map(|part| part.as_os_str().to_string_lossy()),
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The regular files in `dir` (under `source`, which resolves to `root`) with extension
/// `extension`, sorted by name. Other entries are reported as warnings; symbolic links must stay
/// inside `root`.
fn list_files(
    root: &Path,
    source: &Path,
    dir: &Path,
    extension: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let help = format!(
                "create the directory {} with one file per item",
                shown(source, dir)
            );
            diagnostics.push(
                Diagnostic::error(&shown(source, dir), 1, 1, "directory not found").with_help(help),
            );
            return Ok(files);
        }
        Err(error) => return Err(Error::io(dir, error)),
    };
    for entry in entries {
        let path = entry.io_context(dir)?.path();
        let name = shown(source, &path);
        if path.extension().and_then(|e| e.to_str()) != Some(extension) {
            if !path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
            {
                diagnostics.push(
                    Diagnostic::warning(&name, 1, 1, format!("ignored: not a .{extension} file"))
                        .with_help(format!(
                            "only *.{extension} files in {} are read",
                            shown(source, dir)
                        )),
                );
            }
            continue;
        }
        match fs::canonicalize(&path) {
            Err(error) => {
                diagnostics.push(
                    Diagnostic::error(&name, 1, 1, format!("cannot resolve the path: {error}"))
                        .with_help("fix or remove the broken symbolic link"),
                );
                continue;
            }
            Ok(real) if !real.starts_with(root) => {
                diagnostics.push(
                    Diagnostic::error(
                        &name,
                        1,
                        1,
                        format!(
                            "the file is outside the source directory (it leads to {})",
                            from_root(root, &real)
                        ),
                    )
                    .with_help("copy the file into the source directory instead of linking to it"),
                );
                continue;
            }
            Ok(real) if !real.is_file() => {
                diagnostics.push(Diagnostic::warning(
                    &name,
                    1,
                    1,
                    "ignored: not a regular file",
                ));
                continue;
            }
            Ok(_) => files.push(path),
        }
    }
    files.sort();
    Ok(files)
}

/// The text of the definitions file `path`, shown in diagnostics as `name`.
fn read_text_file(
    path: &Path,
    name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<String>, Error> {
    let size = fs::metadata(path).io_context(path)?.len();
    if size > MAX_TOML_BYTES {
        diagnostics.push(Diagnostic::error(
            name,
            1,
            1,
            format!("the file is {size} bytes; definitions are limited to {MAX_TOML_BYTES}"),
        ));
        return Ok(None);
    }
    let bytes = fs::read(path).io_context(path)?;
    match decode(name, &bytes) {
        Ok(text) => Ok(Some(text.to_owned())),
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            Ok(None)
        }
    }
}

/// Reads and checks `dataset.toml` and every measure file, and lists the observation files.
///
/// Problems in the source are added to `diagnostics`; an `Err` means the tree could not be read
/// at all (permissions, I/O).
pub(crate) fn load(source: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<Source, Error> {
    let root = fs::canonicalize(source).io_context(source)?;
    if !root.is_dir() {
        return Err(Error::io(
            source,
            std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "the source must be a directory",
            ),
        ));
    }
    let manifest_path = source.join("dataset.toml");
    let manifest_name = shown(source, &manifest_path);
    let locales = load_locales(&root, source, diagnostics)?;
    let manifest = if manifest_path.is_file() {
        match read_text_file(&manifest_path, &manifest_name, diagnostics)? {
            Some(text) => {
                let (manifest, problems) = parse_manifest(&manifest_name, &text);
                diagnostics.extend(problems);
                if let Some(manifest) = &manifest {
                    check_languages(
                        manifest,
                        &locales,
                        &SourceText::new(&manifest_name, &text),
                        diagnostics,
                    );
                }
                manifest
            }
            None => None,
        }
    } else {
        diagnostics.push(
            Diagnostic::error(&manifest_name, 1, 1, "dataset.toml not found")
                .with_help("every source directory starts with a dataset.toml describing the publisher and the priority areas"),
        );
        None
    };

    let measure_files = list_files(&root, source, &source.join("measures"), "toml", diagnostics)?;
    let tables = load_tables(&root, source, diagnostics)?;
    // A tree whose measures are all computed needs no observation files; whether it has any
    // hand-entered measure is known once the measures are read.
    let observations = source.join("observations");
    let observation_files: Vec<(PathBuf, String)> = if observations.exists() {
        list_files(&root, source, &observations, "csv", diagnostics)?
            .into_iter()
            .map(|path| {
                let name = shown(source, &path);
                (path, name)
            })
            .collect()
    } else {
        Vec::new()
    };

    let Some(manifest) = manifest else {
        return Ok(Source {
            catalog: None,
            observation_files,
            computations: Default::default(),
            tables,
            locales,
        });
    };
    let mut measures = Vec::with_capacity(measure_files.len());
    let mut unusable = Vec::new();
    let mut computations = std::collections::BTreeMap::new();
    // Each goal id with where it was first written: ids are unique in the whole dataset.
    let mut goal_ids: std::collections::HashMap<String, Place> = std::collections::HashMap::new();
    for path in &measure_files {
        let name = shown(source, path);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let measure = read_text_file(path, &name, diagnostics)?.and_then(|text| {
            let (measure, problems) = parse_measure(&name, stem, &text, &manifest);
            diagnostics.extend(problems);
            let mut measure = measure?;
            let places = goal_id_places(&name, &text);
            measure.goals.retain(|goal| {
                let Some((_, place)) = places.iter().find(|(id, _)| *id == goal.id) else {
                    return true;
                };
                match goal_ids.get(&goal.id) {
                    Some(first) => {
                        diagnostics.push(
                            place
                                .error(format!("duplicate goal id `{}`", goal.id))
                                .with_help(format!(
                                    "{}:{} already uses it; goal ids are unique in the dataset",
                                    first.file, first.line
                                )),
                        );
                        false
                    }
                    None => {
                        goal_ids.insert(goal.id.clone(), place.clone());
                        true
                    }
                }
            });
            let (computation, problems) = parse_computation(
                &name,
                &text,
                &measure,
                manifest.info.fiscal_year_start_month,
            );
            diagnostics.extend(problems);
            if let Some(computation) = computation {
                computations.insert(measure.id.clone(), (name.clone(), computation));
            }
            Some(measure)
        });
        match measure {
            Some(measure) => measures.push((name, measure)),
            None => unusable.push(stem.to_owned()),
        }
    }
    if measure_files.is_empty() && source.join("measures").is_dir() {
        diagnostics.push(
            Diagnostic::error(
                &shown(source, &source.join("measures")),
                1,
                1,
                "no measure files",
            )
            .with_help("add one file per measure, measures/<id>.toml"),
        );
    }
    if !observations.exists() && measures.len() > computations.len() {
        diagnostics.push(
            Diagnostic::error(&shown(source, &observations), 1, 1, "directory not found")
                .with_help(format!(
                    "create the directory {} with the observations of the measures not computed from records",
                    shown(source, &observations)
                )),
        );
    }
    let (catalog, problems) = Catalog::new(manifest, measures, unusable);
    diagnostics.extend(problems);
    Ok(Source {
        catalog: Some(catalog),
        observation_files,
        computations,
        tables,
        locales,
    })
}

/// The tables of records, `sources/*.toml`, if the source has that directory, which is
/// optional.
fn load_tables(
    root: &Path,
    source: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<RecordTable>, Error> {
    let dir = source.join("sources");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut tables = Vec::new();
    for path in list_files(root, source, &dir, "toml", diagnostics)? {
        let name = shown(source, &path);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if let Some(text) = read_text_file(&path, &name, diagnostics)? {
            let (table, problems) = parse_record_table(&name, stem, &text);
            diagnostics.extend(problems);
            tables.extend(table);
        }
    }
    Ok(tables)
}

/// The built-in interface strings with the source's `locales/<tag>.ftl` files, if it has that
/// directory, which is optional.
fn load_locales(
    root: &Path,
    source: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Locales, Error> {
    let mut locales = Locales::builtin();
    let dir = source.join("locales");
    if !dir.is_dir() {
        return Ok(locales);
    }
    for path in list_files(root, source, &dir, "ftl", diagnostics)? {
        let tag = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let name = shown(source, &path);
        if let Some(text) = read_text_file(&path, &name, diagnostics)? {
            diagnostics.extend(locales.add_file(&name, &tag, &text));
        }
    }
    Ok(locales)
}

/// Every language of the dataset must have interface strings to publish its pages in.
fn check_languages(
    manifest: &Manifest,
    locales: &Locales,
    text: &SourceText<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (language, offset) in manifest
        .info
        .languages
        .iter()
        .zip(&manifest.language_offsets)
    {
        if let Some((message, help)) = locales.uncovered(language) {
            diagnostics.push(text.error(*offset, message).with_help(help));
        }
    }
}

/// The definitions a query over the source's tables needs: the manifest (its time zone and
/// holidays) and the tables of records, with every problem found reading the source tree.
#[derive(Debug)]
pub struct Definitions {
    /// The manifest; `None` when `dataset.toml` is too broken to read.
    pub manifest: Option<Manifest>,
    /// The tables of records, `sources/*.toml`.
    pub tables: Vec<RecordTable>,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the definitions of the source tree `source` (without its observations).
pub fn definitions(source: &Path) -> Result<Definitions, Error> {
    let mut diagnostics = Vec::new();
    let loaded = load(source, &mut diagnostics)?;
    Ok(Definitions {
        manifest: loaded.catalog.map(|catalog| catalog.manifest),
        tables: loaded.tables,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_outside_the_source_is_shown_from_the_source() {
        let from = |root: &str, real: &str| from_root(Path::new(root), Path::new(real));
        assert_eq!(
            from("/srv/city/source", "/srv/city/shared/x.csv"),
            "../shared/x.csv"
        );
        assert_eq!(
            from("/srv/city/source", "/etc/passwd"),
            "../../../etc/passwd"
        );
        assert_eq!(from("/srv", "/srv/a/b"), "a/b");
    }
}
