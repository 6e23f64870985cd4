//! The exporter's errors.

use std::path::{Path, PathBuf};

use dataset::Diagnostic;

/// Why a build or validation could not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source has errors; nothing was published. Every problem found is listed, warnings
    /// included.
    #[error("the source has {errors} error(s); nothing was published")]
    Invalid {
        /// Number of errors among `diagnostics`.
        errors: usize,
        /// Every problem found, in file order.
        diagnostics: Vec<Diagnostic>,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Another build holds the lock on the output directory.
    #[error("another build is publishing into {} (lock {} is held); try again when it ends", out.display(), lock.display())]
    Busy {
        /// The output directory.
        out: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// The output path cannot be published to (for example, it is a file).
    #[error("cannot publish into {}: {reason}", path.display())]
    BadOutput {
        /// The output path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The formats asked for include the site but not the JSON its pages load.
    #[error("the site needs the json format, which its pages and embeds load")]
    SiteWithoutJson,
    /// Writing a Parquet file failed.
    #[error("writing Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// Building an Arrow batch failed.
    #[error("building Arrow data: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// Writing a CSV file failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Serialising JSON failed.
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Rendering a page of the site failed.
    #[error("rendering the site: {0}")]
    Template(#[from] askama::Error),
    /// The widgets package to publish with the site is incomplete.
    #[error("{}: the widgets package lacks {file}; build it with `cargo xtask dist`", dir.display())]
    MissingWidgets {
        /// The package directory given.
        dir: PathBuf,
        /// The missing file.
        file: &'static str,
    },
    /// The directory to preview does not exist or is not a directory.
    #[error("{}: not a directory", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The preview server cannot listen on its address.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The host and port asked for.
        address: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The preview server failed.
    #[error("serving: {0}")]
    Serve(#[source] std::io::Error),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Attaches the path to an I/O error.
pub(crate) trait IoContext<T> {
    fn io_context(self, path: &Path) -> Result<T, Error>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn io_context(self, path: &Path) -> Result<T, Error> {
        self.map_err(|source| Error::io(path, source))
    }
}
