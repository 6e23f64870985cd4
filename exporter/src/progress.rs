//! Progress reporting, so the binary can show a bar on a terminal while the library stays quiet.

/// Receives progress of long phases, from any of the threads reading files.
pub trait Progress: Sync {
    /// A phase begins; `total` is in the phase's own unit (bytes, measures).
    fn start(&self, phase: &str, total: u64);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The phase is done.
    fn finish(&self);
    /// What the phase is doing now, in a few words (such as how far a query has come on a
    /// cluster); shown beside the phase where there is room. Nothing by default.
    fn detail(&self, _text: &str) {}
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
