//! The engine as the exporter's [`Automation`]: every measure defined by `[compute]` is
//! computed from the source's tables of records when a build or a validation reaches it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use dataset::source::Manifest;
use dataset::source::automation::RecordTable;
use dataset::source::{Breakdown, Origin, SourceRow};
use exporter::{Answer, Automation, Progress, Request};
use time::OffsetDateTime;

use crate::{Computed, Engine, Settings};

/// How the engine runs.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// The most memory the engine may hold before it spills to disk.
    pub memory_limit: Option<usize>,
    /// Partitions per query; 0 for one per core.
    pub target_partitions: usize,
    /// The results cache's directory; `None` computes every measure.
    pub cache: Option<PathBuf>,
    /// Where the queries run.
    pub execution: crate::Execution,
}

impl EngineOptions {
    /// The engine over `tables`, with the manifest's calendar.
    pub fn start(
        &self,
        source: &Path,
        manifest: &Manifest,
        tables: &[RecordTable],
        published: OffsetDateTime,
    ) -> (Option<Engine>, Vec<dataset::Diagnostic>) {
        Engine::new(
            Settings {
                source: source.to_owned(),
                time_zone: manifest.time_zone.clone(),
                holidays: manifest.holidays.clone(),
                fiscal_year_start_month: manifest.info.fiscal_year_start_month,
                published,
                target_partitions: self.target_partitions,
                memory_limit: self.memory_limit,
                cache: self.cache.clone(),
                execution: self.execution.clone(),
            },
            tables,
        )
    }
}

/// A computed measure as [`Computer`] keeps it: its id, its breakdowns' names and what was
/// computed.
pub type KeptMeasure = (String, Vec<String>, Computed);

/// Computes the measures of a build; keeps what it computed, for a program to print.
#[derive(Debug, Default)]
pub struct Computer {
    /// How the engine runs.
    pub engine: EngineOptions,
    /// The measures to compute, by id; every one when empty.
    pub only: Vec<String>,
    /// What was computed, in catalog order.
    pub computed: Mutex<Vec<KeptMeasure>>,
    /// How many measures were read from the results cache rather than computed.
    pub reused: AtomicUsize,
}

impl Automation for Computer {
    fn compute(&self, request: &Request<'_>, progress: &dyn Progress) -> Answer {
        let mut answer = Answer::default();
        let (engine, problems) = self.engine.start(
            request.source,
            request.manifest,
            request.tables,
            request.published,
        );
        answer.diagnostics = problems;
        let Some(engine) = engine else {
            return answer;
        };
        engine.expect(
            request
                .measures
                .iter()
                .filter(|item| self.only.is_empty() || self.only.contains(&item.measure.id))
                .map(|item| item.computation),
        );
        progress.start("Computing measures", request.measures.len() as u64);
        for (position, item) in request.measures.iter().enumerate() {
            let id = &item.measure.id;
            if !self.only.is_empty() && !self.only.contains(id) {
                progress.advance(1);
                continue;
            }
            let detail = |text: &str| progress.detail(&format!("{id}: {text}"));
            match engine.compute_reporting(item.measure, item.computation, &detail) {
                Ok(computed) => {
                    let origin = Origin {
                        file: position as u32,
                        line: item.computation.place.line,
                    };
                    answer
                        .rows
                        .extend(computed.rows.iter().map(|row| SourceRow {
                            measure: item.index,
                            period: row.period,
                            breakdown: row.breakdown.as_ref().map(|(dimension, group)| Breakdown {
                                dimension: *dimension as u16,
                                group: group.clone(),
                            }),
                            value: row.value,
                            target: None,
                            note: row.note.clone(),
                            record_count: row.record_count,
                            provisional: row.provisional,
                            origin,
                        }));
                    answer.provenance.insert(
                        item.index,
                        published_provenance(&computed.provenance, request.tables),
                    );
                    if let Some(latest) = &computed.latest_record {
                        answer.latest_records.insert(item.index, latest.clone());
                    }
                    if let Ok(mut kept) = self.computed.lock() {
                        kept.push((id.clone(), item.measure.breakdowns.clone(), computed));
                    }
                }
                Err(mut problems) => answer.diagnostics.append(&mut problems),
            }
            progress.advance(1);
        }
        self.reused.fetch_add(engine.reused(), Ordering::Relaxed);
        engine.sweep_cache();
        progress.finish();
        answer
    }
}

/// Provenance as a measure's document publishes it: each table with its title and owner.
fn published_provenance(
    provenance: &crate::Provenance,
    tables: &[RecordTable],
) -> dataset::Provenance {
    dataset::Provenance {
        tables: provenance
            .tables
            .iter()
            .map(|fingerprint| {
                let declared = tables.iter().find(|table| table.name == fingerprint.table);
                dataset::RecordTableRead {
                    name: fingerprint.table.clone(),
                    title: declared.map_or_else(|| fingerprint.table.clone(), |t| t.title.clone()),
                    owner: declared.and_then(|table| table.owner.clone()),
                    files: fingerprint
                        .files
                        .iter()
                        .map(|(path, sha256)| dataset::RecordFile {
                            path: path.clone(),
                            sha256: sha256.clone(),
                        })
                        .collect(),
                }
            })
            .collect(),
        query: provenance.sql.clone(),
        engine: provenance.engine.clone(),
    }
}
