//! Open-data metadata: the Frictionless data package, the DCAT-US (Project Open Data v1.1)
//! catalog and the human-readable data dictionary.

use std::fmt::Write as _;

use dataset::Frequency;
use dataset::document::{Download, MeasureSummary, PublishedDataset};
use serde_json::{Value, json};

use crate::build::Formats;
use crate::tables::Table;

/// A published file with its size and SHA-256, for the data package.
#[derive(Debug, Clone)]
pub(crate) struct FileFacts {
    pub(crate) bytes: u64,
    pub(crate) sha256: String,
}

fn table_schema(table: &Table) -> Value {
    let fields: Vec<Value> = table
        .columns
        .iter()
        .map(|column| {
            let mut field = json!({
                "name": column.name,
                "type": column.kind.frictionless(),
                "description": column.description,
            });
            let mut constraints = serde_json::Map::new();
            if column.required {
                constraints.insert("required".into(), json!(true));
            }
            if let Some(allowed) = &column.allowed {
                constraints.insert("enum".into(), json!(allowed));
            }
            if !constraints.is_empty() {
                field["constraints"] = Value::Object(constraints);
            }
            if column.kind == crate::tables::ColumnType::Date {
                field["format"] = json!("%Y-%m-%d");
            }
            field
        })
        .collect();
    let foreign_keys: Vec<Value> = table
        .foreign_keys
        .iter()
        .map(|key| {
            json!({
                "fields": key.column,
                "reference": { "resource": key.table, "fields": "id" },
            })
        })
        .collect();
    let mut schema = json!({
        "fields": fields,
        "missingValues": [""],
        "primaryKey": table.primary_key,
    });
    if !foreign_keys.is_empty() {
        schema["foreignKeys"] = json!(foreign_keys);
    }
    schema
}

/// `datapackage.json`: a Frictionless tabular data package describing the CSV tables.
pub(crate) fn data_package(dataset: &PublishedDataset, tables: &[(&Table, FileFacts)]) -> Value {
    let info = &dataset.info;
    let resources: Vec<Value> = tables
        .iter()
        .map(|(table, facts)| {
            json!({
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": format!("{}.csv", table.name),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": facts.bytes,
                "hash": format!("sha256:{}", facts.sha256),
                "dialect": { "delimiter": ",", "doubleQuote": true, "header": true },
                "schema": table_schema(table),
            })
        })
        .collect();
    json!({
        "profile": "tabular-data-package",
        "name": info.id,
        "title": info.title,
        "description": info.description,
        "homepage": info.homepage,
        "created": dataset.modified,
        "keywords": info.keywords,
        "licenses": [{ "path": info.license, "title": "Licence" }],
        "contributors": [
            { "title": info.publisher, "role": "publisher" },
            { "title": info.contact.name, "email": info.contact.email, "role": "maintainer" },
        ],
        "resources": resources,
    })
}

/// How the catalog names and documents a downloadable table file, by its media type: the POD
/// `format` (which CKAN's DCAT harvester takes as the resource's format) and the `describedBy`
/// document, relative to `data/`, with its media type. The CSV files are described by the data
/// package (`datapackage.json`, written with them), whose Table Schemas a machine can read; other
/// files by the data dictionary, which documents every table whatever its format.
fn table_file_type(media_type: &str) -> (&str, &'static str, &'static str) {
    const DICTIONARY: (&str, &str) = ("dictionary.md", "text/markdown");
    let (format, (described_by, described_by_type)) = match media_type {
        "text/csv" => ("CSV", ("datapackage.json", "application/json")),
        "application/vnd.apache.parquet" => ("Parquet", DICTIONARY),
        other => (other, DICTIONARY),
    };
    (format, described_by, described_by_type)
}

/// An ISO 8601 repeating duration for a reporting frequency, as POD's `accrualPeriodicity`.
fn repeating_duration(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Daily => "R/P1D",
        Frequency::Weekly => "R/P1W",
        Frequency::Monthly => "R/P1M",
        Frequency::Quarterly => "R/P3M",
        Frequency::Annual => "R/P1Y",
    }
}

/// `data.json`: a DCAT-US catalog (Project Open Data metadata schema v1.1) with one dataset,
/// with what catalogue harvesters such as CKAN's (ckanext-dcat) read:
///
/// - every distribution has a `format` beside its `mediaType`, and a `describedBy` (with
///   `describedByType`): the data package for the CSV files, the data dictionary for the Parquet
///   files, the JSON Schema for `index.json`;
/// - `index.json`, when JSON is published, is a distribution of its own: the entry point of the
///   JSON documents, whose measures link to their documents under `measures/`;
/// - `accrualPeriodicity` is the frequency of the most frequently reported of `measures` (a
///   dataset with daily and monthly measures gains new values every day), absent without
///   measures;
/// - `issued` is the publication time of this release, the same instant as `modified`. Each
///   release issues the whole dataset anew and no earlier publication date is recorded anywhere
///   the exporter reads, so this is when the current version was issued, not when the dataset
///   first appeared;
/// - `spatial` is the place the dataset names (`place` in `dataset.toml`), when it names one.
pub(crate) fn dcat_catalog(
    dataset: &PublishedDataset,
    downloads: &[Download],
    measures: &[MeasureSummary],
    formats: Formats,
    temporal: Option<String>,
) -> Value {
    let info = &dataset.info;
    let base_url = &info.data_url;
    let mut distributions: Vec<Value> = downloads
        .iter()
        .map(|download| {
            let (format, described_by, described_by_type) = table_file_type(&download.media_type);
            json!({
                "@type": "dcat:Distribution",
                "title": download.title,
                "downloadURL": format!("{base_url}{}", download.path),
                "mediaType": download.media_type,
                "format": format,
                "describedBy": format!("{base_url}{described_by}"),
                "describedByType": described_by_type,
            })
        })
        .collect();
    if formats.json {
        distributions.push(json!({
            "@type": "dcat:Distribution",
            "title": "Measures and latest values (JSON)",
            "description": "The dataset, its priority areas and every measure with its latest \
                            citywide value: the document the dashboard's web pages start from. \
                            Each measure's `href` names its document under `measures/`, with all \
                            its observations.",
            "downloadURL": format!("{base_url}index.json"),
            "mediaType": "application/json",
            "format": "JSON",
            "describedBy": format!("{base_url}schema/index.schema.json"),
            "describedByType": "application/schema+json",
        }));
    }
    let mut entry = json!({
        "@type": "dcat:Dataset",
        "title": info.title,
        "description": info.description,
        "keyword": info.keywords,
        "issued": dataset.modified,
        "modified": dataset.modified,
        "publisher": { "@type": "org:Organization", "name": info.publisher },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": info.contact.name,
            "hasEmail": format!("mailto:{}", info.contact.email),
        },
        "identifier": format!("{base_url}index.json"),
        "accessLevel": "public",
        "license": info.license,
        "landingPage": info.homepage,
        "language": info.languages,
        "describedBy": format!("{base_url}dictionary.md"),
        "describedByType": "text/markdown",
        "distribution": distributions,
    });
    let most_frequent = Frequency::ALL.into_iter().find(|frequency| {
        measures
            .iter()
            .any(|summary| summary.measure.frequency == *frequency)
    });
    if let Some(frequency) = most_frequent {
        entry["accrualPeriodicity"] = json!(repeating_duration(frequency));
    }
    if let Some(place) = &info.place {
        entry["spatial"] = json!(place);
    }
    if let Some(temporal) = temporal {
        entry["temporal"] = json!(temporal);
    }
    json!({
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": [entry],
    })
}

/// How goals and freshness are judged, as `dataset::goal` and `dataset::freshness` implement
/// it; the about page of the site says the same in its own words.
const GOALS_AND_FRESHNESS: &str = "## How goals are judged\n\n\
    A multi-year goal (the `goals` table) has a baseline (a period and a value), a target and a \
    deadline period, and may have milestones. At the publication date:\n\n\
    - The goal's direction is the sign of `target − baseline_value`.\n\
    - Each point of its path – the baseline, the milestones, the target – sits at its period's \
    last day. The expected value on a date is linear interpolation in days along that path (the \
    baseline value before it, the target after the deadline).\n\
    - `progress` is the value at the latest period after the baseline period that has a settled \
    value: the measure's value there (`progress_rule` `latest`), or the baseline value plus the sum \
    of the values after the baseline period (`cumulative`, for counts and money).\n\
    - The status is the first that applies: `achieved` (progress has reached the target in the \
    goal's direction); `missed` (the deadline period ended before the publication date); \
    `on_pace` (progress is at or beyond the expected value at the latest period's last day, in \
    the goal's direction); `behind_pace`; `no_data` (no value after the baseline period).\n\
    - The projection: an ordinary least-squares line through the progress values of the last \
    year of periods (the latest period with data and the 11 months, 3 quarters, 51 weeks, 364 \
    days or 2 years before it), with at least 2 points, x being each period's last day in days. \
    `projected_period` is the period of the measure's frequency that contains the day where the \
    line meets the target; it is empty when the line runs flat or away from the target, or meets \
    it more than 100 years (36,525 days) after the publication date.\n\
    - `share` is `(progress − baseline_value) / (target − baseline_value)`: 0 at the baseline, \
    1 at the target.\n\n\
    ## How freshness is judged\n\n\
    Each period's value is due `published_within_days` after the period's last day (the \
    measure's `published_within`, else 2 days for daily measures, 7 weekly, 30 monthly, 60 \
    quarterly and 180 annual). At the publication date (UTC), with the latest period that has a \
    citywide value: the measure is `current` while the next period's value is not yet due (on \
    the due date itself it is still current), `late` once it is due and missing, `stale` once \
    the value of the period after that is due as well, and `no_data` without any value. \
    `next_due` is the next period's due date.\n\n";

/// `dictionary.md`: every table and column explained, and how status is computed.
pub(crate) fn data_dictionary(dataset: &PublishedDataset, tables: &[&Table]) -> String {
    let info = &dataset.info;
    let mut text = String::new();
    let _ = writeln!(text, "# Data dictionary: {}\n", info.title);
    let _ = writeln!(text, "{}\n", info.description);
    let _ = writeln!(
        text,
        "Published by {} on {}. Licence: <{}>. Questions: {} <{}>.\n",
        info.publisher, dataset.modified, info.license, info.contact.name, info.contact.email
    );
    text.push_str(
        "The same tables are published as Parquet (`<table>.parquet`) and CSV (`<table>.csv`, UTF-8, \
         RFC 4180, empty cell = no value). In the CSVs, a text cell that starts with `=`, `+`, `-`, \
         `@`, a tab or a carriage return is written with a leading `'` so that spreadsheets do not \
         run it as a formula (OWASP's advice on CSV injection); Parquet and JSON hold the text as \
         written. `index.json` and `measures/<id>.json` hold the same data \
         for web pages; their JSON Schemas are in `schema/`. `SHA256SUMS` lists every file's checksum \
         (`sha256sum -c SHA256SUMS`).\n\n",
    );
    text.push_str(
        "## How status is computed\n\n\
         Each observation is judged against the target in force for its period: a target given on \
         the row itself, else the latest target change whose first period is not after the \
         observation's, else the measure's target. With value `v`, target `T` and band `near` \
         (5% of |T|, or 5% of the width of a range, unless the measure sets it):\n\n\
         - `at_least T`: `on_track` if v ≥ T; `near_target` if v ≥ T − near; else `off_track`.\n\
         - `at_most T`: `on_track` if v ≤ T; `near_target` if v ≤ T + near; else `off_track`.\n\
         - `range [a, b]`: `on_track` if a ≤ v ≤ b; `near_target` if a − near ≤ v ≤ b + near; else `off_track`.\n\
         - no target: `no_target`; no value: `no_data`.\n\
         - A breakdown row (such as one council district) is judged only against a target given on \
         that row; otherwise its status is `no_target`.\n\n\
         Every observation carries the target and band it was judged against (`target_*` columns).\n\n",
    );
    text.push_str(GOALS_AND_FRESHNESS);
    for table in tables {
        let _ = writeln!(
            text,
            "## `{}`: {}\n\n{}\n",
            table.name, table.title, table.description
        );
        let _ = writeln!(
            text,
            "Primary key: {}.\n",
            table
                .primary_key
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        text.push_str("| column | type | required | description |\n|---|---|---|---|\n");
        for column in &table.columns {
            let mut description = column.description.replace('|', "\\|");
            if let Some(allowed) = &column.allowed {
                let _ = write!(
                    description,
                    " One of: {}.",
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let _ = writeln!(
                text,
                "| `{}` | {} | {} | {} |",
                column.name,
                column.kind.frictionless(),
                if column.required { "yes" } else { "no" },
                description
            );
        }
        text.push('\n');
    }
    text
}
