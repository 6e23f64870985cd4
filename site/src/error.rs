//! The site's errors.

use std::path::{Path, PathBuf};

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Rendering a page failed.
    #[error("rendering the site: {0}")]
    Template(#[from] askama::Error),
    /// Serialising an oEmbed response failed.
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The widgets package to publish with the site is incomplete.
    #[error("{}: the widgets package lacks {file}; build it with `cargo xtask dist`", dir.display())]
    MissingWidgets {
        /// The package directory given.
        dir: PathBuf,
        /// The missing file.
        file: &'static str,
    },
    /// The release has no interface strings for a language of the dataset.
    #[error("the release has no interface strings for the language `{language}`")]
    NoStrings {
        /// The dataset's language.
        language: String,
    },
    /// A measure or the end of the release reached the site before the release began.
    #[error("the site was given a measure before the release began")]
    NotBegun,
}

/// Attaches the path to an I/O error.
pub(crate) trait IoContext<T> {
    fn io_context(self, path: &Path) -> Result<T, Error>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn io_context(self, path: &Path) -> Result<T, Error> {
        self.map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })
    }
}
