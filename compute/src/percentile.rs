//! Medians and percentiles from sorted streams, in bounded memory.
//!
//! Collecting each group's values in an aggregate (`array_agg`) holds every value of every
//! group at once, and that state cannot spill: tens of millions of records exhaust any
//! memory limit. Instead the engine splits the records by period into its partitions and
//! sorts each partition by period then value (its sort spills to disk); a [`Percentiles`] per
//! partition reads them in that order, one period at a time. No partition waits for another,
//! and no final merge holds memory. A period's values arrive sorted but its size is only
//! known at its end, so they are kept until then, in memory reserved from the engine's pool,
//! or in a temporary file once the pool has no more; then a second pass over them picks each
//! group's ranks.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{DataFusionError, Result};
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryPool, MemoryReservation};
use datafusion::physical_expr::{LexOrdering, Partitioning, PhysicalSortExpr};
use datafusion::physical_plan::expressions::col;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::{ExecutionPlan, execute_stream_partitioned};
use datafusion::prelude::SessionContext;
use dataset::source::automation::PercentileMethod;
use futures_util::StreamExt;

/// How the rows are sorted within each partition, as SQL: the provenance of a percentile.
pub(crate) const ORDER: &str = "ORDER BY period, value";

/// Runs `plan`, whose rows have a `period`, a `group_<i>` per breakdown, a `value` and the
/// record's `instant`, and returns the percentile of every period and group, and the latest
/// instant.
pub(crate) async fn by_period(
    context: &SessionContext,
    plan: Arc<dyn ExecutionPlan>,
    breakdowns: usize,
    percentile: f64,
    method: PercentileMethod,
    spill_dir: &Path,
) -> Result<(Vec<GroupPercentile>, Option<i64>)> {
    let schema = plan.schema();
    let partitions = context.copied_config().target_partitions();
    let by_period = RepartitionExec::try_new(
        plan,
        Partitioning::Hash(vec![col("period", &schema)?], partitions),
    )?;
    let ordering = LexOrdering::new(
        ["period", "value"]
            .into_iter()
            .map(|name| col(name, &schema).map(PhysicalSortExpr::new_default))
            .collect::<Result<Vec<_>>>()?,
    )
    .ok_or_else(|| DataFusionError::Internal("no sort order".to_owned()))?;
    let sorted = SortExec::new(ordering, Arc::new(by_period)).with_preserve_partitioning(true);
    let pool = &context.runtime_env().memory_pool;
    let tasks: Vec<_> = execute_stream_partitioned(Arc::new(sorted), context.task_ctx())?
        .into_iter()
        .map(|mut stream| {
            let mut percentiles = Percentiles::new(percentile, method, breakdowns, pool, spill_dir);
            // A task per partition: each sorts on its own thread.
            tokio::spawn(async move {
                let mut latest = None;
                while let Some(batch) = stream.next().await {
                    let batch = batch?;
                    latest = latest.max(crate::query::latest_instant(
                        std::slice::from_ref(&batch),
                        "instant",
                    ));
                    percentiles.push(&batch)?;
                }
                percentiles.finish().map(|found| (found, latest))
            })
        })
        .collect();
    let (mut found, mut latest) = (Vec::new(), None);
    for task in tasks {
        let (part, part_latest) = task
            .await
            .map_err(|e| DataFusionError::External(Box::new(e)))??;
        found.extend(part);
        latest = latest.max(part_latest);
    }
    Ok((found, latest))
}

/// Where percentile `p` (0 to 100) lies among `n` sorted values: the 0-based positions it is
/// interpolated between and the weight of the upper one.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rank {
    below: u64,
    above: u64,
    weight: f64,
}

impl Rank {
    /// The rank of percentile `p` among `n > 0` values: linear interpolation as DuckDB's
    /// `quantile_cont` and numpy's default take it, or the nearest rank (the smallest value
    /// with at least `p` % of the values at or below it).
    fn new(n: u64, p: f64, method: PercentileMethod) -> Rank {
        match method {
            PercentileMethod::Linear => {
                let rank = (n - 1) as f64 * p / 100.0;
                let below = rank.floor() as u64;
                Rank {
                    below,
                    above: (below + 1).min(n - 1),
                    weight: rank - below as f64,
                }
            }
            PercentileMethod::NearestRank => {
                let rank = ((p / 100.0 * n as f64).ceil() as u64).clamp(1, n) - 1;
                Rank {
                    below: rank,
                    above: rank,
                    weight: 0.0,
                }
            }
        }
    }
}

/// One group's percentile, found as its sorted values go by.
#[derive(Debug, Clone, Copy)]
struct Pick {
    rank: Rank,
    /// How many of the group's values have gone by.
    seen: u64,
    below: f64,
    above: f64,
}

impl Pick {
    fn new(n: u64, p: f64, method: PercentileMethod) -> Option<Pick> {
        (n > 0).then(|| Pick {
            rank: Rank::new(n, p, method),
            seen: 0,
            below: f64::NAN,
            above: f64::NAN,
        })
    }

    fn offer(&mut self, value: f64) {
        if self.seen == self.rank.below {
            self.below = value;
        }
        if self.seen == self.rank.above {
            self.above = value;
        }
        self.seen += 1;
    }

    fn value(&self) -> f64 {
        // Equal neighbours need no interpolation (and infinities would give NaN).
        if self.rank.weight == 0.0 || self.below == self.above {
            self.below
        } else {
            self.below + self.rank.weight * (self.above - self.below)
        }
    }
}

/// One group of one period: how many records it has and its percentile, if it has values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupPercentile {
    /// The period's label.
    pub(crate) period: String,
    /// `None` citywide, else the breakdown's index and the group.
    pub(crate) group: Option<(usize, String)>,
    /// Records of the group in the period, with a value or without.
    pub(crate) record_count: u64,
    /// The percentile of the values that are numbers; `None` when there are none.
    pub(crate) value: Option<f64>,
}

/// The groups of one breakdown seen in a period.
#[derive(Debug, Default)]
struct Breakdown {
    ids: HashMap<String, u32>,
    names: Vec<String>,
    records: Vec<u64>,
    valued: Vec<u64>,
}

impl Breakdown {
    fn id(&mut self, group: &str) -> u32 {
        if let Some(id) = self.ids.get(group) {
            return *id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX - 1);
        self.ids.insert(group.to_owned(), id);
        self.names.push(group.to_owned());
        self.records.push(0);
        self.valued.push(0);
        id
    }
}

/// A record without a group in a breakdown.
const NO_GROUP: u32 = u32::MAX;

/// A period's values in sorted order, each with its group in every breakdown, encoded as
/// 8 bytes of value then 4 per breakdown: in reserved memory, then in a file.
struct Values {
    memory: Vec<u8>,
    reservation: MemoryReservation,
    file: Option<BufWriter<File>>,
    spill_dir: PathBuf,
}

impl Values {
    fn push(&mut self, entry: &[u8]) -> Result<()> {
        if let Some(file) = &mut self.file {
            return file.write_all(entry).map_err(DataFusionError::from);
        }
        if self.memory.len() + entry.len() > self.reservation.size() {
            let more = self.reservation.size().max(64 * 1024);
            if self.reservation.try_grow(more).is_err() {
                let file = tempfile::tempfile_in(&self.spill_dir)?;
                let mut file = BufWriter::new(file);
                file.write_all(&self.memory)?;
                file.write_all(entry)?;
                self.file = Some(file);
                self.memory = Vec::new();
                self.reservation.free();
                return Ok(());
            }
        }
        self.memory.extend_from_slice(entry);
        Ok(())
    }

    /// The values kept, from the first; the file, if any, is gone once read, and the memory
    /// is cleared by the caller once read.
    fn drain(&mut self) -> Result<Box<dyn Read + '_>> {
        match self.file.take() {
            Some(file) => {
                let mut file = file.into_inner().map_err(|e| e.into_error())?;
                file.seek(SeekFrom::Start(0))?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
            }
            None => Ok(Box::new(&self.memory[..])),
        }
    }
}

/// The period being read.
struct Current {
    label: String,
    records: u64,
    /// Records with a value that is a number: the values kept.
    valued: u64,
    breakdowns: Vec<Breakdown>,
}

/// Percentiles of rows sorted by `period` then `value`, with a `group_<i>` column per
/// breakdown: citywide and for every group of every breakdown, of every period whose rows
/// all come to it.
struct Percentiles {
    percentile: f64,
    method: PercentileMethod,
    breakdowns: usize,
    current: Option<Current>,
    values: Values,
    entry: Vec<u8>,
    finished: Vec<GroupPercentile>,
}

impl Percentiles {
    /// Ready for the rows of a query with `breakdowns` group columns; values are kept in
    /// memory reserved from `pool`, then in files in `spill_dir`.
    fn new(
        percentile: f64,
        method: PercentileMethod,
        breakdowns: usize,
        pool: &Arc<dyn MemoryPool>,
        spill_dir: &Path,
    ) -> Percentiles {
        Percentiles {
            percentile,
            method,
            breakdowns,
            current: None,
            values: Values {
                memory: Vec::new(),
                reservation: MemoryConsumer::new("percentile values")
                    .with_can_spill(true)
                    .register(pool),
                file: None,
                spill_dir: spill_dir.to_owned(),
            },
            entry: Vec::with_capacity(8 + 4 * breakdowns),
            finished: Vec::new(),
        }
    }

    /// Reads one batch of the sorted rows.
    fn push(&mut self, batch: &RecordBatch) -> Result<()> {
        let text = |name: &str| -> Result<StringArray> {
            let column = batch.column_by_name(name).ok_or_else(|| {
                DataFusionError::Internal(format!("the sorted values have no column `{name}`"))
            })?;
            Ok(cast(column, &DataType::Utf8)?.as_string::<i32>().clone())
        };
        let periods = text("period")?;
        let groups = (0..self.breakdowns)
            .map(|index| text(&format!("group_{index}")))
            .collect::<Result<Vec<_>>>()?;
        let values = batch.column_by_name("value").ok_or_else(|| {
            DataFusionError::Internal("the sorted values have no column `value`".to_owned())
        })?;
        let values = cast(values, &DataType::Float64)?;
        let values = values.as_primitive::<Float64Type>();
        for row in 0..batch.num_rows() {
            if periods.is_null(row) {
                // Records without a period fall in none.
                continue;
            }
            let label = periods.value(row);
            if self.current.as_ref().is_none_or(|c| c.label != label) {
                self.finish_period()?;
                self.current = Some(Current {
                    label: label.to_owned(),
                    records: 0,
                    valued: 0,
                    breakdowns: (0..self.breakdowns).map(|_| Breakdown::default()).collect(),
                });
            }
            let Some(current) = self.current.as_mut() else {
                continue;
            };
            current.records += 1;
            let value = (!values.is_null(row))
                .then(|| values.value(row))
                .filter(|v| !v.is_nan());
            self.entry.clear();
            self.entry
                .extend_from_slice(&value.unwrap_or_default().to_le_bytes());
            for (breakdown, groups) in current.breakdowns.iter_mut().zip(&groups) {
                let id = if groups.is_null(row) {
                    NO_GROUP
                } else {
                    let id = breakdown.id(groups.value(row));
                    breakdown.records[id as usize] += 1;
                    if value.is_some() {
                        breakdown.valued[id as usize] += 1;
                    }
                    id
                };
                self.entry.extend_from_slice(&id.to_le_bytes());
            }
            if value.is_some() {
                current.valued += 1;
                self.values.push(&self.entry)?;
            }
        }
        Ok(())
    }

    /// Picks the ranks of the period read so far.
    fn finish_period(&mut self) -> Result<()> {
        let Some(current) = self.current.take() else {
            return Ok(());
        };
        let (p, method) = (self.percentile, self.method);
        let mut citywide = Pick::new(current.valued, p, method);
        let mut picks: Vec<Vec<Option<Pick>>> = current
            .breakdowns
            .iter()
            .map(|b| b.valued.iter().map(|n| Pick::new(*n, p, method)).collect())
            .collect();
        let mut reader = self.values.drain()?;
        let mut entry = vec![0u8; 8 + 4 * self.breakdowns];
        for _ in 0..current.valued {
            reader.read_exact(&mut entry)?;
            let (value, ids) = entry.split_at(8);
            let value = f64::from_le_bytes(value.try_into().unwrap_or_default());
            if let Some(pick) = &mut citywide {
                pick.offer(value);
            }
            for (groups, id) in picks.iter_mut().zip(ids.chunks_exact(4)) {
                let id = u32::from_le_bytes(id.try_into().unwrap_or_default());
                if let Some(Some(pick)) = groups.get_mut(id as usize) {
                    pick.offer(value);
                }
            }
        }
        drop(reader);
        // Emptied for the next period; the reservation is kept.
        self.values.memory.clear();
        self.finished.push(GroupPercentile {
            period: current.label.clone(),
            group: None,
            record_count: current.records,
            value: citywide.map(|pick| pick.value()),
        });
        for (index, (breakdown, picks)) in current.breakdowns.into_iter().zip(picks).enumerate() {
            for ((name, records), pick) in breakdown
                .names
                .into_iter()
                .zip(breakdown.records)
                .zip(picks)
            {
                self.finished.push(GroupPercentile {
                    period: current.label.clone(),
                    group: Some((index, name)),
                    record_count: records,
                    value: pick.map(|pick| pick.value()),
                });
            }
        }
        Ok(())
    }

    /// The percentiles of every period and group read.
    fn finish(mut self) -> Result<Vec<GroupPercentile>> {
        self.finish_period()?;
        Ok(self.finished)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Float64Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::execution::memory_pool::{GreedyMemoryPool, UnboundedMemoryPool};

    use super::*;

    fn percentile(sorted: &[f64], p: f64, method: PercentileMethod) -> f64 {
        let rank = Rank::new(sorted.len() as u64, p, method);
        let mut pick = Pick::new(sorted.len() as u64, p, method).unwrap();
        for value in sorted {
            pick.offer(*value);
        }
        assert_eq!(pick.rank, rank);
        pick.value()
    }

    #[test]
    fn percentiles_follow_numpy_and_the_nearest_rank() {
        let values = [15.0, 20.0, 35.0, 40.0, 50.0];
        let linear = |p| percentile(&values, p, PercentileMethod::Linear);
        // numpy.percentile([15, 20, 35, 40, 50], 40) == 29.0
        assert_eq!(linear(40.0), 29.0);
        assert_eq!(linear(50.0), 35.0);
        assert_eq!(linear(100.0), 50.0);
        assert_eq!(percentile(&[7.0], 90.0, PercentileMethod::Linear), 7.0);
        // The nearest-rank 30th percentile of the same five values is 20, the 40th is 20, the
        // 50th 35 and the 100th 50 (Wikipedia's worked example).
        let nearest = |p| percentile(&values, p, PercentileMethod::NearestRank);
        assert_eq!(nearest(30.0), 20.0);
        assert_eq!(nearest(40.0), 20.0);
        assert_eq!(nearest(50.0), 35.0);
        assert_eq!(nearest(100.0), 50.0);
        assert_eq!(nearest(0.0), 15.0);
        // Between two equal infinities there is nothing to interpolate.
        let infinite = [1.0, f64::INFINITY, f64::INFINITY];
        assert_eq!(
            percentile(&infinite, 75.0, PercentileMethod::Linear),
            f64::INFINITY
        );
    }

    /// Rows as the engine's sort gives them: by period, then value with nulls last.
    fn sorted_rows(count: usize, seed: u64) -> Vec<(String, Option<String>, Option<f64>)> {
        let mut random = fastrand::Rng::with_seed(seed);
        let mut rows: Vec<_> = (0..count)
            .map(|_| {
                let period = format!("2026-{:02}", random.u8(1..=4));
                let group = (random.u8(0..10) > 0).then(|| format!("D{}", random.u8(1..=7)));
                let value = match random.u8(0..20) {
                    0 => None,
                    1 => Some(f64::NAN),
                    // Ties, to be picked by rank like any value.
                    2..=5 => Some(f64::from(random.u8(0..3))),
                    _ => Some(random.f64() * 1000.0),
                };
                (period, group, value)
            })
            .collect();
        let key = |v: Option<f64>| v.unwrap_or(f64::NAN);
        rows.sort_by(|a, b| a.0.cmp(&b.0).then(key(a.2).total_cmp(&key(b.2))));
        rows
    }

    fn batch(rows: &[(String, Option<String>, Option<f64>)]) -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("period", DataType::Utf8, false),
            Field::new("group_0", DataType::Utf8, true),
            Field::new("value", DataType::Float64, true),
        ]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.0))),
                Arc::new(StringArray::from_iter(rows.iter().map(|r| r.1.as_deref()))),
                Arc::new(Float64Array::from_iter(rows.iter().map(|r| r.2))),
            ],
        )
        .unwrap()
    }

    /// Each group's percentile the plain way: its values collected and sorted.
    fn expected(
        rows: &[(String, Option<String>, Option<f64>)],
        p: f64,
        method: PercentileMethod,
    ) -> Vec<GroupPercentile> {
        let mut groups: std::collections::BTreeMap<_, (u64, Vec<f64>)> = Default::default();
        for (period, group, value) in rows {
            let keys = [Some(None), group.clone().map(|g| Some((0, g)))];
            for key in keys.into_iter().flatten() {
                let entry = groups.entry((period.clone(), key)).or_default();
                entry.0 += 1;
                entry.1.extend(value.filter(|v| !v.is_nan()));
            }
        }
        groups
            .into_iter()
            .map(|((period, group), (record_count, mut values))| {
                values.sort_by(f64::total_cmp);
                GroupPercentile {
                    period,
                    group,
                    record_count,
                    value: (!values.is_empty()).then(|| percentile(&values, p, method)),
                }
            })
            .collect()
    }

    fn computed(
        rows: &[(String, Option<String>, Option<f64>)],
        p: f64,
        method: PercentileMethod,
        pool: Arc<dyn MemoryPool>,
    ) -> Vec<GroupPercentile> {
        let dir = tempfile::tempdir().unwrap();
        let mut percentiles = Percentiles::new(p, method, 1, &pool, dir.path());
        // Batches of uneven sizes, so periods span batches.
        for chunk in rows.chunks(997) {
            percentiles.push(&batch(chunk)).unwrap();
        }
        let mut found = percentiles.finish().unwrap();
        found.sort_by(|a, b| (&a.period, &a.group).cmp(&(&b.period, &b.group)));
        assert_eq!(pool.reserved(), 0, "the reservation is given back");
        found
    }

    #[test]
    fn sorted_rows_give_every_groups_percentile_in_memory_or_spilled() {
        let rows = sorted_rows(40_000, 7);
        for (p, method) in [
            (50.0, PercentileMethod::Linear),
            (90.0, PercentileMethod::Linear),
            (33.3, PercentileMethod::NearestRank),
        ] {
            let want = expected(&rows, p, method);
            assert_eq!(want.len(), 4 * 8);
            let unbounded = computed(&rows, p, method, Arc::new(UnboundedMemoryPool::default()));
            assert_eq!(unbounded, want);
            // Too small a pool for any of a period's values, or for all of them (about
            // 10,000 of 12 bytes): they go to a file from the start, or part way.
            for limit in [1024, 96 * 1024] {
                let small = computed(&rows, p, method, Arc::new(GreedyMemoryPool::new(limit)));
                assert_eq!(small, want, "within {limit} bytes");
            }
        }
    }
}
