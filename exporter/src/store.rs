//! Rows grouped by measure between reading the observation files (in any order) and publishing
//! one measure at a time.

use dataset::source::SourceRow;

/// Checked rows, grouped by measure index.
#[derive(Debug)]
pub(crate) struct RowStore {
    by_measure: Vec<Vec<SourceRow>>,
}

impl RowStore {
    pub(crate) fn new(measures: usize) -> Self {
        RowStore {
            by_measure: (0..measures).map(|_| Vec::new()).collect(),
        }
    }

    pub(crate) fn push(&mut self, row: SourceRow) {
        self.by_measure[row.measure as usize].push(row);
    }

    /// Takes every row of a measure, releasing their memory from the store.
    pub(crate) fn take(&mut self, measure: usize) -> Vec<SourceRow> {
        std::mem::take(&mut self.by_measure[measure])
    }
}
