//! Atomic publication: a release is built in a staging directory beside OUT and swapped in,
//! so that readers (and a crash, or `kill -9`) see the old release or the new one, never a mix. A
//! lock file beside OUT keeps two builds from publishing into it at once; the build holding it
//! also owns a scratch directory beside OUT, for rows spilled to disk.
//!
//! What each platform gets:
//!
//! - **Linux**: one `renameat2` with `RENAME_EXCHANGE` swaps the staged release and OUT, so OUT
//!   is always there and always whole; `syncfs` flushes the staged release before the swap.
//! - **Other systems** (Windows, macOS, the BSDs): there is no portable exchanging rename, so
//!   the swap is two renames (`swap_by_renames`): OUT aside to `.<OUT>.previous`, then the
//!   staged release to OUT. Between them OUT is missing for a moment; a reader sees no release
//!   then, never a mix. A crash in that moment leaves the previous release aside, and the next
//!   build puts it back when it takes the lock (a crash after the second rename leaves the new
//!   release in OUT, and the next build removes the aside copy). Each staged file is flushed
//!   before the swap, and on Unix each directory too; Windows cannot flush a directory, and NTFS
//!   journals the renames instead. On Windows a directory with a file held open in it (by a
//!   preview server or an editor) may refuse to be renamed: the build then fails, and OUT is as
//!   it was.
//!
//! The lock is [`File::try_lock`] on `.<OUT>.lock` everywhere (`flock` on Linux, `LockFileEx`
//! on Windows): the operating system releases it when the process ends, however it ends.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext};

/// Files written into a staged release: each new, or – when the release being replaced holds
/// the same bytes at the same path – a hard link to that file, which costs neither the writing
/// nor a new inode (a chart or an oEmbed response of a measure that did not change, a
/// stylesheet). The bytes published are the same either way; the two releases share the
/// file's inode until the previous one is removed after the swap, and nothing writes into a
/// file once it is staged: a path staged again gets a new file.
#[derive(Debug, Clone)]
pub struct StagedFiles {
    staging: PathBuf,
    previous: Option<PathBuf>,
}

impl StagedFiles {
    /// Files staged under `staging`, linked to those under `previous` (OUT) where they are the
    /// same.
    pub fn new(staging: &Path, previous: Option<&Path>) -> StagedFiles {
        StagedFiles {
            staging: staging.to_owned(),
            previous: previous.map(Path::to_owned),
        }
    }

    /// Stages `contents` at `path` (under the staging directory), creating its directories.
    pub fn write(&self, path: &Path, contents: &[u8]) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        if let Some(previous) = self.same_in_previous(path, contents)
            && link_anew(&previous, path).is_ok()
        {
            return Ok(());
        }
        let mut file = match File::create_new(path) {
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                fs::remove_file(path)?;
                File::create_new(path)?
            }
            file => file?,
        };
        std::io::Write::write_all(&mut file, contents)
    }

    /// The previous release's file at `path`'s place, when it holds `contents`.
    fn same_in_previous(&self, path: &Path, contents: &[u8]) -> Option<PathBuf> {
        let previous = self
            .previous
            .as_ref()?
            .join(path.strip_prefix(&self.staging).ok()?);
        let metadata = fs::symlink_metadata(&previous).ok()?;
        (metadata.is_file()
            && metadata.len() == contents.len() as u64
            && fs::read(&previous).ok()? == contents)
            .then_some(previous)
    }
}

/// Hard-links `link` to `original`, replacing what `link` was.
fn link_anew(original: &Path, link: &Path) -> std::io::Result<()> {
    match fs::hard_link(original, link) {
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::remove_file(link)?;
            fs::hard_link(original, link)
        }
        linked => linked,
    }
}

/// OUT's lock, held by a build from its start to its end, with the build's scratch directory
/// beside OUT (`.<OUT>.scratch`, for spilled observation rows). Leftovers of an interrupted
/// build – its staging and scratch directories, and a previous release moved aside by a swap it
/// did not finish – are cleared when the lock is taken, since no other build can be using them
/// then. Dropping the lock removes the scratch directory.
#[derive(Debug)]
pub struct OutLock {
    out: PathBuf,
    scratch: PathBuf,
    /// Where a swap by renames moves the previous release (`.<OUT>.previous`).
    aside: PathBuf,
    /// The lock is held while this file is open.
    _file: File,
}

impl OutLock {
    /// Takes the lock on OUT (refused with [`Error::Busy`] while another build holds it),
    /// clears what an interrupted build left beside OUT and creates an empty scratch directory.
    pub fn acquire(out: &Path) -> Result<OutLock, Error> {
        if out.exists() && !out.is_dir() {
            return Err(Error::BadOutput {
                path: out.to_owned(),
                reason: "it exists and is not a directory".to_owned(),
            });
        }
        let parent = parent_dir(out);
        fs::create_dir_all(&parent).io_context(&parent)?;
        let lock_path = sibling(out, ".lock")?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .io_context(&lock_path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Error::Busy {
                    out: out.to_owned(),
                    lock: lock_path,
                });
            }
            Err(TryLockError::Error(error)) => return Err(Error::io(&lock_path, error)),
        }
        // Under the lock, anything beside OUT is a leftover of an interrupted build.
        let aside = sibling(out, ".previous")?;
        finish_interrupted_swap(out, &aside)?;
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
            aside,
            _file: file,
        })
    }

    /// The directory for the build's temporary files, on OUT's file system (which must have room
    /// for the release anyway).
    pub fn scratch(&self) -> &Path {
        &self.scratch
    }

    /// The output directory the lock is on.
    pub fn out(&self) -> &Path {
        &self.out
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

/// Where a build into `out` keeps its results cache by default: `.<OUT>.cache` beside OUT, on
/// its file system, and kept from one build to the next.
pub fn cache_beside(out: &Path) -> Result<PathBuf, Error> {
    sibling(out, ".cache")
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

    /// Makes the staged release OUT – in one atomic step on Linux, by two renames elsewhere (see
    /// the module's documentation) – and removes the previous release.
    pub fn commit(mut self) -> Result<(), Error> {
        let out = &self.lock.out;
        sync_tree(&self.dir)?;
        let previous = if out.exists() {
            Some(swap(&self.dir, out, &self.lock.aside)?)
        } else {
            fs::rename(&self.dir, out).io_context(out)?;
            None
        };
        // The rename must reach the disk before the previous release is deleted.
        sync_dir(&parent_dir(out))?;
        self.committed = true;
        if let Some(previous) = previous {
            fs::remove_dir_all(&previous).io_context(&previous)?;
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

/// The directory OUT is in, where its siblings live.
fn parent_dir(out: &Path) -> PathBuf {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Swaps the staged release `staging` and the release `out` in one atomic step; returns where
/// the previous release now is (`staging`), to be removed.
#[cfg(target_os = "linux")]
fn swap(staging: &Path, out: &Path, _aside: &Path) -> Result<PathBuf, Error> {
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        staging,
        rustix::fs::CWD,
        out,
        rustix::fs::RenameFlags::EXCHANGE,
    )
    .map_err(|errno| Error::io(out, errno.into()))?;
    Ok(staging.to_owned())
}

/// Where no rename exchanges two directories, the swap is two renames.
#[cfg(not(target_os = "linux"))]
fn swap(staging: &Path, out: &Path, aside: &Path) -> Result<PathBuf, Error> {
    swap_by_renames(staging, out, aside)
}

/// Replaces the release `out` with `staging` by moving `out` to `aside`, then `staging` to
/// `out`; returns `aside`, where the previous release now is, to be removed. Between the two
/// renames `out` is missing: a crash there is repaired by [`finish_interrupted_swap`] when the
/// next build takes the lock. When the second rename fails, the previous release is put back.
///
/// Compiled on Linux for its tests only, where [`swap`] exchanges the two in one step.
#[cfg(any(not(target_os = "linux"), test))]
fn swap_by_renames(staging: &Path, out: &Path, aside: &Path) -> Result<PathBuf, Error> {
    fs::rename(out, aside).io_context(out)?;
    if let Err(error) = fs::rename(staging, out) {
        // Best effort: if OUT cannot be put back either, the next build restores it.
        let _ = fs::rename(aside, out);
        return Err(Error::io(out, error));
    }
    Ok(aside.to_owned())
}

/// Completes, under OUT's lock, a swap by renames that a crash interrupted: when the previous
/// release is still at `aside`, it goes back to OUT if OUT is missing (the crash came between
/// the two renames) and is removed otherwise (it came after them).
fn finish_interrupted_swap(out: &Path, aside: &Path) -> Result<(), Error> {
    if !aside.exists() {
        return Ok(());
    }
    if out.exists() {
        fs::remove_dir_all(aside).io_context(aside)
    } else {
        fs::rename(aside, out).io_context(out)?;
        sync_dir(&parent_dir(out))
    }
}

/// Flushes the staged release to disk before it is swapped in, so a power loss cannot publish a
/// release with empty files. One `syncfs` writes out every file and directory of the file system
/// the release is on: far faster than syncing tens of thousands of files one by one.
#[cfg(target_os = "linux")]
fn sync_tree(dir: &Path) -> Result<(), Error> {
    let handle = File::open(dir).io_context(dir)?;
    rustix::fs::syncfs(&handle).map_err(|errno| Error::io(dir, errno.into()))
}

/// Flushes the staged release to disk before it is swapped in, file by file, where there is no
/// `syncfs`: every file, then (on Unix) its directory, depth first.
#[cfg(not(target_os = "linux"))]
fn sync_tree(dir: &Path) -> Result<(), Error> {
    sync_each(dir)
}

/// Flushes every file under `dir` and, on Unix, every directory, each after its entries.
///
/// Compiled on Linux for its tests only, where [`sync_tree`] flushes the file system at once.
#[cfg(any(not(target_os = "linux"), test))]
fn sync_each(dir: &Path) -> Result<(), Error> {
    for entry in fs::read_dir(dir).io_context(dir)? {
        let entry = entry.io_context(dir)?;
        let path = entry.path();
        if entry.file_type().io_context(&path)?.is_dir() {
            sync_each(&path)?;
        } else {
            // Windows flushes only a file opened for writing; Unix flushes any open file, and
            // opening for reading works whatever the file's permissions.
            File::options()
                .read(true)
                .write(cfg!(windows))
                .open(&path)
                .and_then(|file| file.sync_all())
                .io_context(&path)?;
        }
    }
    sync_dir(dir)
}

/// Flushes a directory's entries – names created, renamed or removed in it – to disk.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir).and_then(|d| d.sync_all()).io_context(dir)
}

/// Windows cannot flush a directory opened the way the standard library opens files; NTFS
/// journals changes to directories, so that a rename is never half done after a crash.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), Error> {
    Ok(())
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

    /// A directory `name` beside OUT holding one file, `release`, with `text`.
    fn release(temp: &Path, name: &str, text: &str) -> PathBuf {
        let dir = temp.join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("release"), text).unwrap();
        dir
    }

    fn read_release(dir: &Path) -> String {
        fs::read_to_string(dir.join("release")).unwrap()
    }

    #[test]
    fn a_swap_by_renames_replaces_out_and_keeps_the_previous_release_aside() {
        let temp = tempfile::tempdir().unwrap();
        let out = release(temp.path(), "public", "old");
        let staging = release(temp.path(), ".public.staging", "new");
        let aside = temp.path().join(".public.previous");
        assert_eq!(swap_by_renames(&staging, &out, &aside).unwrap(), aside);
        assert_eq!(read_release(&out), "new");
        assert_eq!(read_release(&aside), "old");
        assert!(!staging.exists());
    }

    #[test]
    fn a_failed_swap_by_renames_puts_the_previous_release_back() {
        let temp = tempfile::tempdir().unwrap();
        let out = release(temp.path(), "public", "old");
        let missing = temp.path().join(".public.staging");
        let aside = temp.path().join(".public.previous");
        assert!(swap_by_renames(&missing, &out, &aside).is_err());
        assert_eq!(read_release(&out), "old");
        assert!(!aside.exists());
    }

    #[test]
    fn a_crash_between_the_two_renames_is_undone_by_the_next_build() {
        let temp = tempfile::tempdir().unwrap();
        let out = release(temp.path(), "public", "old");
        release(temp.path(), ".public.staging", "new");
        // The first rename of a swap by renames, and no second: OUT is missing.
        fs::rename(&out, temp.path().join(".public.previous")).unwrap();
        let lock = OutLock::acquire(&out).unwrap();
        assert_eq!(read_release(&out), "old");
        for leftover in [".public.previous", ".public.staging"] {
            assert!(!temp.path().join(leftover).exists(), "{leftover}");
        }
        drop(lock);
    }

    #[test]
    fn a_crash_after_the_two_renames_keeps_the_new_release() {
        let temp = tempfile::tempdir().unwrap();
        let out = release(temp.path(), "public", "old");
        let staging = release(temp.path(), ".public.staging", "new");
        let aside = temp.path().join(".public.previous");
        swap_by_renames(&staging, &out, &aside).unwrap();
        // Killed before the previous release was removed.
        let lock = OutLock::acquire(&out).unwrap();
        assert_eq!(read_release(&out), "new");
        assert!(!aside.exists());
        drop(lock);
    }

    #[cfg(unix)]
    #[test]
    fn syncing_file_by_file_reaches_every_file_and_directory() {
        let temp = tempfile::tempdir().unwrap();
        let tree = release(temp.path(), "release/data/measures", "x");
        fs::create_dir(temp.path().join("release/empty")).unwrap();
        sync_each(&temp.path().join("release")).unwrap();
        // A file it cannot open fails the sync rather than being skipped.
        fs::remove_file(tree.join("release")).unwrap();
        std::os::unix::fs::symlink("missing", tree.join("dangling")).unwrap();
        assert!(sync_each(&temp.path().join("release")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_the_previous_release_holds_is_linked_and_never_written_into() {
        use std::os::unix::fs::MetadataExt;
        let temp = tempfile::tempdir().unwrap();
        let (out, staging) = (temp.path().join("public"), temp.path().join("staging"));
        fs::create_dir_all(out.join("charts")).unwrap();
        fs::write(out.join("charts/a.svg"), "same").unwrap();
        fs::write(out.join("charts/b.svg"), "old").unwrap();
        let files = StagedFiles::new(&staging, Some(&out));
        let inode = |path: &Path| fs::metadata(path).unwrap().ino();

        files.write(&staging.join("charts/a.svg"), b"same").unwrap();
        files.write(&staging.join("charts/b.svg"), b"new").unwrap();
        files
            .write(&staging.join("charts/c.svg"), b"only here")
            .unwrap();
        assert_eq!(
            inode(&staging.join("charts/a.svg")),
            inode(&out.join("charts/a.svg"))
        );
        assert_ne!(
            inode(&staging.join("charts/b.svg")),
            inode(&out.join("charts/b.svg"))
        );
        assert_eq!(fs::read(staging.join("charts/b.svg")).unwrap(), b"new");
        assert_eq!(
            fs::read(staging.join("charts/c.svg")).unwrap(),
            b"only here"
        );

        // Staged again with other bytes, a linked path gets a file of its own: the previous
        // release is untouched.
        files
            .write(&staging.join("charts/a.svg"), b"changed")
            .unwrap();
        assert_eq!(fs::read(staging.join("charts/a.svg")).unwrap(), b"changed");
        assert_eq!(fs::read(out.join("charts/a.svg")).unwrap(), b"same");
        // Staged again with the same bytes, it is linked again.
        files.write(&staging.join("charts/a.svg"), b"same").unwrap();
        assert_eq!(
            inode(&staging.join("charts/a.svg")),
            inode(&out.join("charts/a.svg"))
        );

        // Without a previous release, every file is new.
        let alone = StagedFiles::new(&temp.path().join("other"), None);
        alone
            .write(&temp.path().join("other/charts/a.svg"), b"same")
            .unwrap();
        assert_ne!(
            inode(&temp.path().join("other/charts/a.svg")),
            inode(&out.join("charts/a.svg"))
        );
    }
}
