//! Rows grouped by measure between reading the observation files (in any order) and publishing
//! one measure at a time.
//!
//! Rows stay in memory up to a budget. Past it, every row goes to one of a fixed number of
//! partition files on disk, each holding a contiguous range of measures; publishing then loads
//! one partition at a time. Memory is bounded by the budget, or by the largest partition, not by
//! the size of the dataset.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use dataset::source::{Breakdown, Origin, SourceRow};
use dataset::{CalendarDate, Frequency, Period};

use crate::error::{Error, IoContext};

/// Observation rows held in memory before they spill to disk (about 120 bytes each, plus text).
pub const DEFAULT_MEMORY_ROWS: usize = 500_000;

/// Partition files once spilled; each holds 1/PARTITIONS of the measures.
const PARTITIONS: usize = 64;

/// Checked rows, grouped by measure index.
#[derive(Debug)]
pub(crate) struct RowStore {
    measures: usize,
    memory: Vec<Vec<SourceRow>>,
    held: usize,
    budget: usize,
    spill_in: PathBuf,
    spill: Option<Spill>,
}

#[derive(Debug)]
struct Spill {
    dir: tempfile::TempDir,
    writers: Vec<Option<BufWriter<File>>>,
    /// The partition loaded for taking, with its rows by measure.
    loaded: Option<(usize, Vec<Vec<SourceRow>>)>,
}

impl RowStore {
    /// A store for `measures` measures that spills into a temporary directory inside `spill_in`
    /// once it holds more than `budget` rows.
    pub(crate) fn new(measures: usize, budget: usize, spill_in: &Path) -> Self {
        RowStore {
            measures,
            memory: (0..measures).map(|_| Vec::new()).collect(),
            held: 0,
            budget,
            spill_in: spill_in.to_owned(),
            spill: None,
        }
    }

    fn partition(&self, measure: usize) -> usize {
        measure * PARTITIONS / self.measures.max(1)
    }

    fn partition_path(dir: &Path, partition: usize) -> PathBuf {
        dir.join(format!("partition-{partition:02}"))
    }

    pub(crate) fn push(&mut self, row: SourceRow) -> Result<(), Error> {
        if self.spill.is_none() {
            self.memory[row.measure as usize].push(row);
            self.held += 1;
            if self.held > self.budget {
                self.start_spilling()?;
            }
            return Ok(());
        }
        self.write(&row)
    }

    fn start_spilling(&mut self) -> Result<(), Error> {
        let dir = tempfile::Builder::new()
            .prefix(".civicmetrics-rows-")
            .tempdir_in(&self.spill_in)
            .io_context(&self.spill_in)?;
        let mut writers = Vec::with_capacity(PARTITIONS);
        for partition in 0..PARTITIONS {
            let path = Self::partition_path(dir.path(), partition);
            writers.push(Some(BufWriter::new(File::create(&path).io_context(&path)?)));
        }
        self.spill = Some(Spill {
            dir,
            writers,
            loaded: None,
        });
        let memory = std::mem::take(&mut self.memory);
        for row in memory.into_iter().flatten() {
            self.write(&row)?;
        }
        self.memory = (0..self.measures).map(|_| Vec::new()).collect();
        self.held = 0;
        Ok(())
    }

    fn write(&mut self, row: &SourceRow) -> Result<(), Error> {
        let partition = self.partition(row.measure as usize);
        let Some(spill) = &mut self.spill else {
            return Ok(());
        };
        // The path is only needed to name a failure.
        let path = || Self::partition_path(spill.dir.path(), partition);
        let Some(writer) = spill.writers[partition].as_mut() else {
            return Err(Error::io(
                &path(),
                io::Error::other("rows added after publishing began"),
            ));
        };
        encode(row, writer).map_err(|error| Error::io(&path(), error))
    }

    /// Takes every row of a measure. Measures must be taken in increasing order once the store
    /// has spilled.
    pub(crate) fn take(&mut self, measure: usize) -> Result<Vec<SourceRow>, Error> {
        let partition = self.partition(measure);
        let first_of_partition = (0..self.measures)
            .find(|&m| self.partition(m) == partition)
            .unwrap_or(measure);
        let Some(spill) = &mut self.spill else {
            return Ok(std::mem::take(&mut self.memory[measure]));
        };
        if spill.loaded.as_ref().map(|(p, _)| *p) != Some(partition) {
            let path = Self::partition_path(spill.dir.path(), partition);
            if let Some(mut writer) = spill.writers[partition].take() {
                writer.flush().io_context(&path)?;
            }
            let count = (first_of_partition..self.measures)
                .take_while(|&m| m * PARTITIONS / self.measures.max(1) == partition)
                .count();
            let mut rows: Vec<Vec<SourceRow>> = (0..count).map(|_| Vec::new()).collect();
            // A partition is a small share of the rows: read at once, it decodes from memory.
            let bytes = std::fs::read(&path).io_context(&path)?;
            let mut reader = bytes.as_slice();
            while let Some(row) = decode(&mut reader).io_context(&path)? {
                rows[row.measure as usize - first_of_partition].push(row);
            }
            // The partition is in memory now; its file is no longer needed.
            std::fs::remove_file(&path).io_context(&path)?;
            spill.loaded = Some((partition, rows));
        }
        let rows = match &mut spill.loaded {
            Some((_, rows)) => std::mem::take(&mut rows[measure - first_of_partition]),
            None => Vec::new(),
        };
        Ok(rows)
    }
}

fn write_text(text: &str, writer: &mut impl Write) -> io::Result<()> {
    writer.write_all(
        &u32::try_from(text.len())
            .map_err(io::Error::other)?
            .to_le_bytes(),
    )?;
    writer.write_all(text.as_bytes())
}

fn write_number(number: Option<f64>, writer: &mut impl Write) -> io::Result<()> {
    match number {
        Some(number) => {
            writer.write_all(&[1])?;
            writer.write_all(&number.to_le_bytes())
        }
        None => writer.write_all(&[0]),
    }
}

fn frequency_code(frequency: Frequency) -> u8 {
    match frequency {
        Frequency::Daily => 0,
        Frequency::Weekly => 1,
        Frequency::Monthly => 2,
        Frequency::Quarterly => 3,
        Frequency::Annual => 4,
    }
}

/// Writes a row in the store's private binary form.
fn encode(row: &SourceRow, writer: &mut impl Write) -> io::Result<()> {
    writer.write_all(&row.measure.to_le_bytes())?;
    writer.write_all(&[
        frequency_code(row.period.frequency()),
        row.period.fiscal_year_start_month().unwrap_or(0),
    ])?;
    writer.write_all(&row.period.start().days_since_epoch().to_le_bytes())?;
    match &row.breakdown {
        Some(breakdown) => {
            writer.write_all(&[1])?;
            writer.write_all(&breakdown.dimension.to_le_bytes())?;
            write_text(&breakdown.group, writer)?;
        }
        None => writer.write_all(&[0])?,
    }
    write_number(row.value, writer)?;
    write_number(row.target, writer)?;
    match &row.note {
        Some(note) => {
            writer.write_all(&[1])?;
            write_text(note, writer)?;
        }
        None => writer.write_all(&[0])?,
    }
    writer.write_all(&row.origin.file.to_le_bytes())?;
    writer.write_all(&row.origin.line.to_le_bytes())
}

fn read_array<const N: usize>(reader: &mut impl Read) -> io::Result<[u8; N]> {
    let mut bytes = [0; N];
    reader.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn read_text(reader: &mut impl Read) -> io::Result<String> {
    let length = u32::from_le_bytes(read_array(reader)?) as usize;
    let mut bytes = vec![0; length];
    reader.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(io::Error::other)
}

fn read_number(reader: &mut impl Read) -> io::Result<Option<f64>> {
    Ok(match read_array::<1>(reader)?[0] {
        0 => None,
        _ => Some(f64::from_le_bytes(read_array(reader)?)),
    })
}

fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("corrupt spilled row: {what}"),
    )
}

/// Reads the next row written by [`encode`], or `None` at the end.
fn decode(reader: &mut impl Read) -> io::Result<Option<SourceRow>> {
    let mut measure = [0; 4];
    match reader.read_exact(&mut measure) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(error) => return Err(error),
    }
    let [frequency, fiscal] = read_array(reader)?;
    let frequency = *Frequency::ALL
        .get(usize::from(frequency))
        .ok_or_else(|| corrupt("frequency"))?;
    let start = CalendarDate::from_days_since_epoch(i32::from_le_bytes(read_array(reader)?))
        .ok_or_else(|| corrupt("date"))?;
    let period = Period::from_parts(frequency, start, (fiscal != 0).then_some(fiscal))
        .ok_or_else(|| corrupt("period"))?;
    let breakdown = match read_array::<1>(reader)?[0] {
        0 => None,
        _ => Some(Breakdown {
            dimension: u16::from_le_bytes(read_array(reader)?),
            group: read_text(reader)?,
        }),
    };
    let value = read_number(reader)?;
    let target = read_number(reader)?;
    let note = match read_array::<1>(reader)?[0] {
        0 => None,
        _ => Some(read_text(reader)?),
    };
    let origin = Origin {
        file: u32::from_le_bytes(read_array(reader)?),
        line: u32::from_le_bytes(read_array(reader)?),
    };
    Ok(Some(SourceRow {
        measure: u32::from_le_bytes(measure),
        period,
        breakdown,
        value,
        target,
        note,
        origin,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(measures: u32) -> Vec<SourceRow> {
        let labels = [
            "2024-03",
            "2024-Q2",
            "FY2025-Q1",
            "2020-W53",
            "2024-02-29",
            "FY2026",
        ];
        (0..measures * 7)
            .map(|i| {
                let label = labels[i as usize % labels.len()];
                SourceRow {
                    measure: i % measures,
                    period: Period::parse_any(label, 7).unwrap(),
                    breakdown: (i % 3 == 0).then(|| Breakdown {
                        dimension: 1,
                        group: format!("District {i} – é"),
                    }),
                    value: (i % 4 != 0).then_some(f64::from(i) / 3.0),
                    target: (i % 5 == 0).then_some(-1e300),
                    note: (i % 2 == 0).then(|| format!("note \"{i}\", with\nnew line")),
                    origin: Origin {
                        file: i % 2,
                        line: i + 2,
                    },
                }
            })
            .collect()
    }

    fn take_all(budget: usize, measures: u32) -> Vec<Vec<SourceRow>> {
        let temp = tempfile::tempdir().unwrap();
        let mut store = RowStore::new(measures as usize, budget, temp.path());
        for row in rows(measures) {
            store.push(row).unwrap();
        }
        let spilled = store.spill.is_some();
        assert_eq!(spilled, budget < (measures * 7) as usize);
        let taken = (0..measures as usize)
            .map(|m| store.take(m).unwrap())
            .collect();
        drop(store);
        assert_eq!(
            std::fs::read_dir(temp.path()).unwrap().count(),
            0,
            "spill files are removed"
        );
        taken
    }

    #[test]
    fn spilled_rows_come_back_unchanged_and_grouped() {
        for measures in [1, 5, 64, 150] {
            let in_memory = take_all(usize::MAX, measures);
            for budget in [0, 3, 100] {
                assert_eq!(
                    take_all(budget, measures),
                    in_memory,
                    "{measures} measures, budget {budget}"
                );
            }
        }
    }
}
