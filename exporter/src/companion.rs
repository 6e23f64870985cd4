//! Parts of a release written beside `data/` from the published documents, such as the
//! residents' site.

use std::collections::BTreeMap;
use std::path::Path;

use dataset::Area;
use dataset::document::{Index, InterfaceStrings, MeasureDocument, PublishedDataset};

use crate::tables::Table;

/// Why a companion could not write its part; [`crate::Error::Companion`] carries it.
pub type CompanionError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Files a release holds beside `data/`, written from the published documents while a build
/// streams them through (the residents' site of `civicmetrics-site` is one).
///
/// A companion sees only what any client of the release could read – the documents, the
/// interface strings and the table descriptions – and writes into the staged release, so its files are swapped into OUT
/// with the data, or not at all. The build calls [`begin`](Companion::begin) once, then
/// [`add_measure`](Companion::add_measure) for every measure in catalog order, then
/// [`finish`](Companion::finish); it calls none of them when the source is invalid. The
/// documents are written on a thread of their own while the build goes on with the next
/// measure's tables, so `add_measure` runs on another thread than `begin` and `finish`: a
/// companion is `Send`.
pub trait Companion: Send {
    /// A short name for what it writes, such as `site`: the history keeps the names of a
    /// release's companions, so that the release is published again with the same ones.
    fn name(&self) -> &str;

    /// The release is being staged in `root` (the future OUT); `dataset` is what every
    /// document of this release carries, and `strings` the interface strings of every
    /// language it speaks, by language tag (those of `data/locales/`), each dataset language
    /// among them.
    fn begin(
        &mut self,
        root: &Path,
        dataset: &PublishedDataset,
        strings: &BTreeMap<String, InterfaceStrings>,
    ) -> Result<(), CompanionError>;

    /// A measure's published document, with its priority area.
    fn add_measure(
        &mut self,
        document: &MeasureDocument,
        area: &Area,
    ) -> Result<(), CompanionError>;

    /// Every measure was added: `index` is the release's index and `tables` describe its tables.
    fn finish(&mut self, index: &Index, tables: &[&Table]) -> Result<(), CompanionError>;
}
