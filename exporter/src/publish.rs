//! Atomic publication: a release is built in a staging directory beside OUT and swapped in with
//! one rename, so readers (and a crash, or `kill -9`) see the old release or the new one, never a
//! mix. A lock file beside OUT keeps two builds from publishing into it at once; the build holding
//! it also owns a scratch directory beside OUT, for rows spilled to disk.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use rustix::fs::{FlockOperation, flock};

use crate::error::{Error, IoContext};

/// OUT's lock, held by a build from its start to its end, with the build's scratch directory
/// beside OUT (`.<OUT>.scratch`, for spilled observation rows). Leftovers of an interrupted
/// build – its staging and scratch directories – are removed when the lock is taken, since no
/// other build can be using them then. Dropping the lock removes the scratch directory.
#[derive(Debug)]
pub struct OutLock {
    out: PathBuf,
    scratch: PathBuf,
    /// The lock is held while this file is open.
    _file: File,
}

impl OutLock {
    /// Takes the lock on OUT (refused with [`Error::Busy`] while another build holds it),
    /// removes what an interrupted build left beside OUT and creates an empty scratch directory.
    pub fn acquire(out: &Path) -> Result<OutLock, Error> {
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
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .io_context(&lock_path)?;
        if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
            return Err(Error::Busy {
                out: out.to_owned(),
                lock: lock_path,
            });
        }
        // Under the lock, any staging or scratch directory is a leftover of an interrupted build.
        let scratch = sibling(out, ".scratch")?;
        for leftover in [sibling(out, ".staging")?, scratch.clone()] {
            if leftover.exists() {
                fs::remove_dir_all(&leftover).io_context(&leftover)?;
            }
        }
        fs::create_dir(&scratch).io_context(&scratch)?;
        Ok(OutLock {
            out: out.to_owned(),
            scratch,
            _file: file,
        })
    }

    /// The directory for the build's temporary files, on OUT's file system (which must have room
    /// for the release anyway).
    pub fn scratch(&self) -> &Path {
        &self.scratch
    }
}

impl Drop for OutLock {
    fn drop(&mut self) {
        // Best effort: a leftover scratch directory is removed by the next build.
        let _ = fs::remove_dir_all(&self.scratch);
    }
}

/// A release being built under OUT's lock. Dropping it without [`Staging::commit`] removes the
/// staging directory and leaves OUT as it was.
#[derive(Debug)]
pub struct Staging<'l> {
    lock: &'l OutLock,
    dir: PathBuf,
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

impl<'l> Staging<'l> {
    /// Creates an empty staging directory beside the locked OUT.
    pub fn begin(lock: &'l OutLock) -> Result<Staging<'l>, Error> {
        let dir = sibling(&lock.out, ".staging")?;
        if dir.exists() {
            fs::remove_dir_all(&dir).io_context(&dir)?;
        }
        fs::create_dir(&dir).io_context(&dir)?;
        Ok(Staging {
            lock,
            dir,
            committed: false,
        })
    }

    /// The directory to build the release in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes the staged release OUT in one atomic step and removes the previous release.
    pub fn commit(mut self) -> Result<(), Error> {
        let out = &self.lock.out;
        sync_tree(&self.dir)?;
        if out.exists() {
            // Exchange the two directories atomically, then delete the old release.
            rustix::fs::renameat_with(
                rustix::fs::CWD,
                &self.dir,
                rustix::fs::CWD,
                out,
                rustix::fs::RenameFlags::EXCHANGE,
            )
            .map_err(|errno| Error::io(out, errno.into()))?;
        } else {
            fs::rename(&self.dir, out).io_context(out)?;
        }
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
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

impl Drop for Staging<'_> {
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

        let names = || {
            let mut names: Vec<String> = fs::read_dir(temp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let stage = |file: &str, text: &str, commit: bool| {
            let lock = OutLock::acquire(&out).unwrap();
            let staging = Staging::begin(&lock).unwrap();
            fs::write(staging.dir().join(file), text).unwrap();
            assert!(lock.scratch().is_dir());
            if commit {
                staging.commit().unwrap();
            }
        };

        stage("a", "first", true);
        assert_eq!(fs::read_to_string(out.join("a")).unwrap(), "first");
        stage("a", "second", false);
        assert_eq!(fs::read_to_string(out.join("a")).unwrap(), "first");
        stage("b", "third", true);
        assert!(!out.join("a").exists());
        assert_eq!(fs::read_to_string(out.join("b")).unwrap(), "third");
        assert_eq!(names(), [".public.lock", "public"]);
    }

    #[test]
    fn leftovers_of_an_interrupted_build_are_removed_under_the_lock() {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("public");
        for leftover in [".public.staging", ".public.scratch/.civicmetrics-rows-x"] {
            fs::create_dir_all(temp.path().join(leftover)).unwrap();
        }
        let lock = OutLock::acquire(&out).unwrap();
        assert!(!temp.path().join(".public.staging").exists());
        assert_eq!(fs::read_dir(lock.scratch()).unwrap().count(), 0);
    }

    #[test]
    fn second_build_is_refused_while_the_first_holds_the_lock() {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("public");
        let first = OutLock::acquire(&out).unwrap();
        assert!(matches!(OutLock::acquire(&out), Err(Error::Busy { .. })));
        drop(first);
        assert!(OutLock::acquire(&out).is_ok());
    }
}
