//! The measure documents and what companions write from them, on a thread of their own.
//!
//! Publishing a measure has two halves that need nothing from each other once its document is
//! made: its rows go into the tables and the history, and its document goes to
//! `data/measures/` and to every companion (the site's pages, charts and embeds). The build keeps
//! the first half on its own thread and hands the second to a [`DocumentThread`], so that the
//! two overlap on a machine with more than one core. The thread writes the documents in the
//! order they are handed over, which is the catalog's, so the release is the same file for file
//! as one written on a single thread.

use std::path::PathBuf;
use std::sync::mpsc::{self, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

use dataset::Area;
use dataset::document::MeasureDocument;
use dataset::legacy::LegacyMeasureDocument;

use crate::build::{Formats, LEGACY_DIR, write_json};
use crate::companion::Companion;
use crate::error::Error;

/// Documents handed over and not yet taken by the thread: enough that neither side waits on
/// the other for a measure that takes a little longer, few enough that a handful of the largest
/// measures' documents is all they add to memory.
const DOCUMENTS_IN_FLIGHT: usize = 2;

/// Writes each measure's document as JSON and passes it to the companions.
pub(crate) struct DocumentWriter<'c, 'd> {
    data: PathBuf,
    formats: Formats,
    companions: &'c mut [&'d mut dyn Companion],
}

/// A measure's document, with its priority area and its path under `data/`.
pub(crate) struct DocumentJob {
    pub(crate) document: MeasureDocument,
    pub(crate) area: Area,
    pub(crate) href: String,
}

impl<'c, 'd> DocumentWriter<'c, 'd> {
    /// Writes documents into `data` in `formats`, and passes them to `companions`, which have
    /// begun.
    pub(crate) fn new(
        data: PathBuf,
        formats: Formats,
        companions: &'c mut [&'d mut dyn Companion],
    ) -> Self {
        DocumentWriter {
            data,
            formats,
            companions,
        }
    }

    /// The companions, to finish once every document is written.
    pub(crate) fn companions(&mut self) -> &mut [&'d mut dyn Companion] {
        self.companions
    }

    fn write(&mut self, job: &DocumentJob) -> Result<(), Error> {
        if self.formats.json {
            write_json(&self.data.join(&job.href), &job.document, false)?;
        }
        if self.formats.legacy_json() {
            let path = self.data.join(LEGACY_DIR).join(&job.href);
            write_json(&path, &LegacyMeasureDocument::from(&job.document), false)?;
        }
        for companion in self.companions.iter_mut() {
            companion
                .add_measure(&job.document, &job.area)
                .map_err(Error::Companion)?;
        }
        Ok(())
    }
}

/// A [`DocumentWriter`] at work on a thread of `scope`. Dropped, it waits for the thread to
/// stop, so that nothing writes into the staged release once whoever holds it has given up on it.
pub(crate) struct DocumentThread<'c, 'd, 's> {
    /// `None` only once the thread is told that no more documents come.
    jobs: Option<SyncSender<DocumentJob>>,
    /// `None` only once the thread was waited for.
    worker: Option<ScopedJoinHandle<'s, Result<DocumentWriter<'c, 'd>, Error>>>,
}

impl<'c: 's, 'd: 's, 's> DocumentThread<'c, 'd, 's> {
    /// Starts `writer` on a thread of `scope`. It stops at the first error, which the next
    /// [`send`](Self::send) or [`finish`](Self::finish) returns.
    pub(crate) fn spawn(scope: &'s Scope<'s, '_>, mut writer: DocumentWriter<'c, 'd>) -> Self {
        let (jobs, received) = mpsc::sync_channel::<DocumentJob>(DOCUMENTS_IN_FLIGHT);
        let worker = scope.spawn(move || {
            for job in received {
                writer.write(&job)?;
            }
            Ok(writer)
        });
        DocumentThread {
            jobs: Some(jobs),
            worker: Some(worker),
        }
    }

    /// Hands a document over, after those handed over before it; or returns the error the
    /// thread stopped at, which ends its use: nothing is handed over after that.
    pub(crate) fn send(&mut self, job: DocumentJob) -> Result<(), Error> {
        if self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok())
        {
            return Ok(());
        }
        // The thread no longer takes documents: it stopped at an error.
        self.jobs = None;
        match self.join() {
            Err(error) => Err(error),
            Ok(_) => unreachable!("the document thread ends early only at an error"),
        }
    }

    /// Waits for every document handed over to be written, and gives the writer back.
    pub(crate) fn finish(mut self) -> Result<DocumentWriter<'c, 'd>, Error> {
        self.jobs = None;
        self.join()
    }

    /// Waits for the thread, which must have been told that no more documents come.
    fn join(&mut self) -> Result<DocumentWriter<'c, 'd>, Error> {
        self.worker
            .take()
            .expect("the thread is waited for once: nothing is handed over after its error")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

impl Drop for DocumentThread<'_, '_, '_> {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(worker) = self.worker.take() {
            // Only the waiting matters here: the build already failed, or is failing, for its own
            // reason; the thread's error, or its panic, would only repeat or follow from it.
            let _ = worker.join();
        }
    }
}
