//! Atomic publication: a release is built in a staging directory beside OUT and swapped in with
//! one rename, so readers (and a crash, or `kill -9`) see the old release or the new one, never a
//! mix. A lock file beside OUT keeps two builds from publishing into it at once.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use rustix::fs::{FlockOperation, flock};

use crate::error::{Error, IoContext};

/// A release being built. Dropping it without [`Staging::commit`] removes the staging directory
/// and leaves OUT as it was.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// Held for the life of the build; the lock is released when the file is closed.
    _lock: File,
    committed: bool,
}

fn sibling(out: &Path, suffix: &str) -> Result<PathBuf, Error> {
    let name = out.file_name().ok_or_else(|| Error::BadOutput {
        path: out.to_owned(),
        reason: "the output path has no final component".to_owned(),
    })?;
    let mut sibling = std::ffi::OsString::from(".");
    sibling.push(name);
    sibling.push(suffix);
    Ok(out.with_file_name(sibling))
}

impl Staging {
    /// Locks OUT and creates an empty staging directory beside it. Staging directories left by
    /// an interrupted build are removed first.
    pub fn begin(out: &Path) -> Result<Staging, Error> {
        if out.exists() && !out.is_dir() {
            return Err(Error::BadOutput {
                path: out.to_owned(),
                reason: "it exists and is not a directory".to_owned(),
            });
        }
        let parent = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).io_context(&parent)?;
        let lock_path = sibling(out, ".lock")?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .io_context(&lock_path)?;
        if flock(&lock, FlockOperation::NonBlockingLockExclusive).is_err() {
            return Err(Error::Busy {
                out: out.to_owned(),
                lock: lock_path,
            });
        }
        // Under the lock, any staging directory is a leftover of an interrupted build.
        let dir = sibling(out, ".staging")?;
        if dir.exists() {
            fs::remove_dir_all(&dir).io_context(&dir)?;
        }
        fs::create_dir(&dir).io_context(&dir)?;
        Ok(Staging {
            out: out.to_owned(),
            dir,
            _lock: lock,
            committed: false,
        })
    }

    /// The directory to build the release in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes the staged release OUT in one atomic step and removes the previous release.
    pub fn commit(mut self) -> Result<(), Error> {
        sync_tree(&self.dir)?;
        if self.out.exists() {
            // Exchange the two directories atomically, then delete the old release.
            rustix::fs::renameat_with(
                rustix::fs::CWD,
                &self.dir,
                rustix::fs::CWD,
                &self.out,
                rustix::fs::RenameFlags::EXCHANGE,
            )
            .map_err(|errno| Error::io(&self.out, errno.into()))?;
        } else {
            fs::rename(&self.dir, &self.out).io_context(&self.out)?;
        }
        if let Some(parent) = self.out.parent().filter(|p| !p.as_os_str().is_empty()) {
            File::open(parent)
                .and_then(|d| d.sync_all())
                .io_context(parent)?;
        }
        self.committed = true;
        if self.dir.exists() {
            fs::remove_dir_all(&self.dir).io_context(&self.dir)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover staging directory is removed by the next build.
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Flushes the staged release to disk before it is swapped in, so a power loss cannot publish a
/// release with empty files. One `syncfs` writes out every file and directory of the file system
/// the release is on: far faster than syncing tens of thousands of files one by one.
fn sync_tree(dir: &Path) -> Result<(), Error> {
    let handle = File::open(dir).io_context(dir)?;
    rustix::fs::syncfs(&handle).map_err(|errno| Error::io(dir, errno.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_drop_discards() {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("public");

        let staging = Staging::begin(&out).unwrap();
        fs::write(staging.dir().join("a"), "first").unwrap();
        staging.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a")).unwrap(), "first");

        let staging = Staging::begin(&out).unwrap();
        fs::write(staging.dir().join("a"), "second").unwrap();
        drop(staging);
        assert_eq!(fs::read_to_string(out.join("a")).unwrap(), "first");

        let staging = Staging::begin(&out).unwrap();
        fs::write(staging.dir().join("b"), "third").unwrap();
        staging.commit().unwrap();
        assert!(!out.join("a").exists());
        assert_eq!(fs::read_to_string(out.join("b")).unwrap(), "third");
        let leftovers: Vec<_> = fs::read_dir(temp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}"); // public and its lock file
    }

    #[test]
    fn second_build_is_refused_while_the_first_holds_the_lock() {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("public");
        let first = Staging::begin(&out).unwrap();
        assert!(matches!(Staging::begin(&out), Err(Error::Busy { .. })));
        drop(first);
        assert!(Staging::begin(&out).is_ok());
    }
}
