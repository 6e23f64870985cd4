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
    /// The disk, a quota or the file size limit ran out while the release was being written;
    /// nothing was published and OUT is as it was.
    #[error(
        "out of space writing the release for {}: {source}; the disk is full or a file size \
         limit was reached. Nothing was published: {} is as it was",
        out.display(),
        out.display()
    )]
    NoSpace {
        /// The output directory.
        out: PathBuf,
        /// The write that failed.
        #[source]
        source: Box<Error>,
    },
    /// The output path cannot be published to (for example, it is a file).
    #[error("cannot publish into {}: {reason}", path.display())]
    BadOutput {
        /// The output path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The history of published values kept with the release cannot be read; nothing was
    /// published.
    #[error(
        "cannot read the history of published values {}: {reason}. Nothing was published; \
         restore the file from a backup (a release's data/revisions.parquet), or move it away \
         to start a new history",
        path.display()
    )]
    History {
        /// The history file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The build's publication time is before the last one in the history: the history only
    /// goes forward.
    #[error(
        "{} holds a release published at {last}, after this build's publication time \
         {published}; the history of published values only goes forward. Nothing was published",
        path.display()
    )]
    HistoryBackwards {
        /// The history file.
        path: PathBuf,
        /// The last publication in it.
        last: String,
        /// This build's publication time.
        published: String,
    },
    /// The history starts after the time asked for.
    #[error("the history {} starts with a release published at {first}, after {at}", path.display())]
    BeforeHistory {
        /// The history file.
        path: PathBuf,
        /// Its first publication time.
        first: String,
        /// The time asked for.
        at: String,
    },
    /// The history does not keep the definitions of a release to publish again: it was
    /// published by a version that kept only its values.
    #[error(
        "the history {} keeps the values of the release published at {published_at} but not its \
         definitions (it was published by an earlier version), so it cannot be published again; \
         its observations can (asof without --out)",
        path.display()
    )]
    NoDefinitions {
        /// The history file.
        path: PathBuf,
        /// The release's publication time.
        published_at: String,
    },
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
    /// A companion (such as the residents' site) could not write its part of the release.
    #[error("{0}")]
    Companion(#[source] crate::CompanionError),
}

impl Error {
    /// Whether this is a write that failed for want of room: a full disk (`ENOSPC`), a quota
    /// (`EDQUOT`) or the file size limit (`EFBIG`), however the writer wrapped it.
    pub fn is_out_of_space(&self) -> bool {
        fn full(kind: std::io::ErrorKind) -> bool {
            use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
            matches!(kind, StorageFull | QuotaExceeded | FileTooLarge)
        }
        match self {
            Error::Io { source, .. } => full(source.kind()),
            Error::Csv(error) => matches!(error.kind(), csv::ErrorKind::Io(io) if full(io.kind())),
            Error::Parquet(parquet::errors::ParquetError::External(inner)) => inner
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| full(io.kind())),
            Error::Arrow(arrow_schema::ArrowError::IoError(_, io)) => full(io.kind()),
            Error::Json(error) => error.io_error_kind().is_some_and(full),
            // A companion's own error type wraps the failed write somewhere in its chain.
            Error::Companion(error) => {
                std::iter::successors(Some(error.as_ref() as &dyn std::error::Error), |e| {
                    e.source()
                })
                .any(|e| {
                    e.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| full(io.kind()))
                })
            }
            Error::NoSpace { .. } => true,
            _ => false,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_space_is_recognised_however_it_is_wrapped() {
        let enospc = || std::io::Error::from_raw_os_error(28);
        let efbig = || std::io::Error::from_raw_os_error(27);
        let full = [
            Error::io(Path::new("x"), enospc()),
            Error::io(Path::new("x"), efbig()),
            Error::io(Path::new("x"), std::io::Error::from_raw_os_error(122)),
            Error::Csv(csv::Error::from(efbig())),
            Error::Parquet(parquet::errors::ParquetError::from(enospc())),
            Error::Arrow(arrow_schema::ArrowError::IoError("x".to_owned(), efbig())),
            Error::Json(serde_json::Error::io(enospc())),
            Error::Companion(Box::new(Error::io(Path::new("x"), enospc()))),
        ];
        for error in &full {
            assert!(error.is_out_of_space(), "{error:?}");
        }
        let other = [
            Error::io(Path::new("x"), std::io::Error::from_raw_os_error(13)),
            Error::Csv(csv::Error::from(std::io::Error::other("x"))),
            Error::Parquet(parquet::errors::ParquetError::General("x".to_owned())),
            Error::Companion("a template failed".into()),
        ];
        for error in &other {
            assert!(!error.is_out_of_space(), "{error:?}");
        }
    }
}
