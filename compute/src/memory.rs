//! The engine's memory pool under `--memory-limit`.

use std::fmt;
use std::num::NonZeroUsize;

use datafusion::common::{DataFusionError, Result};
use datafusion::execution::memory_pool::{
    FairSpillPool, MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation, TrackConsumersPool,
};

/// A fair share of the limit for each operator that can spill (DataFusion's
/// [`FairSpillPool`]), and at most a fixed share for each that cannot.
///
/// With a first-come pool, one partition's sort can take the whole limit while another,
/// holding nothing it could spill, fails. The fair pool fixes that for operators that can
/// spill, but lets those that cannot take all that is left, and a sort's merge of its spilled
/// runs reads as many runs at once as memory allows: one partition's merge can take the whole
/// limit just as another partition's sort needs memory to start its own, and the measure
/// fails or not by timing. Capped, a merge reads fewer runs at once, and every partition
/// gets its share.
#[derive(Debug)]
pub(crate) struct SharedFairly {
    inner: TrackConsumersPool<FairSpillPool>,
    /// The most an operator that cannot spill may hold.
    cap: usize,
}

impl SharedFairly {
    /// A pool of `limit` bytes for queries run in `partitions` partitions.
    pub(crate) fn new(limit: usize, partitions: usize) -> SharedFairly {
        SharedFairly {
            // The error names the five largest consumers.
            inner: TrackConsumersPool::new(
                FairSpillPool::new(limit),
                NonZeroUsize::new(5).unwrap_or(NonZeroUsize::MIN),
            ),
            cap: limit / (2 * partitions.max(1)),
        }
    }
}

impl fmt::Display for SharedFairly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at most {} bytes each that cannot spill)",
            self.inner, self.cap
        )
    }
}

impl MemoryPool for SharedFairly {
    fn name(&self) -> &str {
        "shared fairly"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        self.inner.register(consumer);
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        self.inner.unregister(consumer);
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.inner.grow(reservation, additional);
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.inner.shrink(reservation, shrink);
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> Result<()> {
        if !reservation.consumer().can_spill() && reservation.size() + additional > self.cap {
            return Err(DataFusionError::ResourcesExhausted(format!(
                "{} may hold at most {} bytes, and holds {} (asked for {additional} more)",
                reservation.consumer().name(),
                self.cap,
                reservation.size()
            )));
        }
        self.inner.try_grow(reservation, additional)
    }

    fn reserved(&self) -> usize {
        self.inner.reserved()
    }

    fn memory_limit(&self) -> MemoryLimit {
        self.inner.memory_limit()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn operators_that_cannot_spill_hold_at_most_their_share() {
        let pool: Arc<dyn MemoryPool> = Arc::new(SharedFairly::new(1000, 2));
        let merge = MemoryConsumer::new("merge").register(&pool);
        let other = MemoryConsumer::new("other merge").register(&pool);
        let sort = MemoryConsumer::new("sort")
            .with_can_spill(true)
            .register(&pool);
        merge.try_grow(250).unwrap();
        // A share is a quarter of the limit for two partitions.
        assert!(merge.try_grow(1).is_err());
        other.try_grow(250).unwrap();
        // What is left is the sort's, as the fair pool gives it.
        sort.try_grow(500).unwrap();
        assert!(sort.try_grow(1).is_err());
        assert_eq!(pool.reserved(), 1000);
    }
}
