//! The tables of records, `sources/<name>.toml`, registered with the engine under their names.
//!
//! A table's files are listed here, not by the engine, so that a path matching nothing is
//! reported at its line, every file is fingerprinted for provenance, and the files are read in
//! the order of their names on every run. Timestamps are read as text and turned into instants
//! by the dataset's calendar, since the engine would read a local time as UTC.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::ipc::writer::FileWriter;
use datafusion::common::DataFusionError;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::datasource::file_format::options::ArrowReadOptions;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{Expr, col};
use datafusion::physical_plan::execute_stream_partitioned;
use datafusion::prelude::{
    CsvReadOptions, DataFrame, JsonReadOptions, ParquetReadOptions, SessionContext,
};
use dataset::Diagnostic;
use dataset::source::automation::{
    ColumnType, Compression, Location, Place, PostgresRelation, RecordFormat, RecordTable,
};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::cache::Cache;
use crate::error::engine_problem;
use crate::functions::INSTANT;

/// Where a table's records came from, for provenance and the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFingerprint {
    /// The table's name.
    pub table: String,
    /// Each file read, relative to the source directory with `/`, and its SHA-256 digest.
    pub files: Vec<(String, String)>,
}

/// The files `pattern` (relative to `root`, `/`-separated, with `*`, `?`, `[…]` and `**`)
/// matches, sorted, with their names relative to `root`.
fn matching_files(root: &Path, pattern: &str) -> Result<Vec<(PathBuf, String)>, String> {
    let escaped_root = glob::Pattern::escape(&root.to_string_lossy());
    let full = format!("{escaped_root}/{pattern}");
    let paths = glob::glob(&full)
        .map_err(|error| format!("`{pattern}` is not a valid pattern: {}", error.msg))?;
    let mut files = Vec::new();
    for path in paths {
        let path = path.map_err(|error| {
            format!("cannot read {}: {}", error.path().display(), error.error())
        })?;
        if !path.is_file() {
            continue;
        }
        let relative = path
            .strip_prefix(root)
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_else(|_| path.display().to_string());
        files.push((path, relative));
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(files)
}

/// The last part of a path or URL, without a query or fragment: what tells its compression.
fn file_name(name: &str) -> &str {
    let name = name.split(['?', '#']).next().unwrap_or(name);
    name.rsplit('/').next().unwrap_or(name)
}

/// The SHA-256 digest of a file, in hex.
fn digest(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut file = std::fs::File::open(path)?;
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The engine's type for a declared column type; timestamps are read as text first.
fn read_type(kind: ColumnType) -> DataType {
    match kind {
        ColumnType::Text | ColumnType::Timestamp => DataType::Utf8,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Number => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
    }
}

/// Registers `table` (its files under `root`) with `context`; returns its fingerprint, or the
/// problems that keep it from being read.
pub(crate) async fn register(
    context: &SessionContext,
    root: &Path,
    table: &RecordTable,
    cache: Option<&Cache>,
    downloads: &Path,
    scratch: &Path,
) -> Result<TableFingerprint, Vec<Diagnostic>> {
    let at = &table.location_place;
    // Each file: where its bytes are, its name (a path relative to the source directory, or
    // the URL) and, for a download, its digest, taken while it arrived.
    let mut server_types = Vec::new();
    let files: Vec<(PathBuf, String, Option<String>)> = match &table.location {
        Location::Files(pattern) => {
            let files = matching_files(root, pattern).map_err(|message| {
                vec![at.error(message).with_help(
                    "patterns use `*`, `?`, `**` (whole directories) and `[abc]`; write `[[]` for a `[` in a name",
                )]
            })?;
            if files.is_empty() {
                return Err(vec![
                    at.error(format!("`{pattern}` matches no files"))
                        .with_help(format!(
                            "the path is relative to the source directory; check the names in {}",
                            pattern.rsplit_once('/').map_or(".", |(dir, _)| dir)
                        )),
                ]);
            }
            files
                .into_iter()
                .map(|(path, name)| (path, name, None))
                .collect()
        }
        Location::Url(url) => {
            let downloaded = crate::download::fetch(url, downloads).map_err(|reason| {
                vec![
                    at.error(format!("cannot download `{url}`: {reason}"))
                        .with_help("check the address and that the server is up, or download the file and give its `path`"),
                ]
            })?;
            vec![(downloaded.path, url.clone(), Some(downloaded.sha256))]
        }
        Location::Postgres { relation, url_env } => {
            let snapshot = crate::postgres::snapshot(url_env, relation, scratch)
                .await
                .map_err(|failure| vec![postgres_problem(at, relation, url_env, failure)])?;
            server_types = snapshot.columns;
            let name = match relation {
                PostgresRelation::Table(name) => format!("postgres:{name}"),
                PostgresRelation::Query(_) => format!("postgres:{}", table.name),
            };
            vec![(snapshot.path, name, Some(snapshot.sha256))]
        }
    };
    // A snapshot of a PostgreSQL table is CSV.
    let format = match (&table.location, table.format) {
        (Location::Postgres { .. }, _) => RecordFormat::Csv,
        (_, Some(format)) => format,
        (_, None) => return Err(vec![at.error("the table has no format")]),
    };
    // The types the source declares, else the server's.
    let declared = |name: &str| {
        table.columns.get(name).map(|(kind, _)| *kind).or_else(|| {
            server_types
                .iter()
                .find(|(column, _)| column == name)
                .map(|(_, kind)| *kind)
        })
    };
    let compressions: Vec<Option<Compression>> = files
        .iter()
        .map(|(_, name, _)| Compression::from_name(file_name(name)))
        .collect();
    if let Some(other) = compressions.iter().find(|c| **c != compressions[0]) {
        let describe = |c: &Option<Compression>| {
            c.map_or("uncompressed".to_owned(), |c| {
                format!("compressed ({})", c.extension())
            })
        };
        return Err(vec![
            at.error(format!(
                "the files of the table are not all compressed alike: some are {}, some {}",
                describe(&compressions[0]),
                describe(other)
            ))
            .with_help("compress every file of a table the same way, or narrow the pattern"),
        ]);
    }
    if format == RecordFormat::Parquet && compressions[0].is_some() {
        return Err(vec![at.error("Parquet files are compressed inside: they are read as they are written, without .gz, .zst or .bz2").with_help("give the .parquet files themselves")]);
    }
    let compression = match compressions[0] {
        None => FileCompressionType::UNCOMPRESSED,
        Some(Compression::Gzip) => FileCompressionType::GZIP,
        Some(Compression::Zstd) => FileCompressionType::ZSTD,
        Some(Compression::Bzip2) => FileCompressionType::BZIP2,
    };
    let mut fingerprints = Vec::with_capacity(files.len());
    for (path, name, known) in &files {
        let sha256 = match (known, cache) {
            (Some(known), _) => Ok(known.clone()),
            (None, Some(cache)) => cache.digest(path, digest),
            (None, None) => digest(path),
        }
        .map_err(|error| vec![at.error(format!("cannot read {name}: {error}"))])?;
        fingerprints.push((name.clone(), sha256));
    }
    let paths: Vec<String> = files
        .iter()
        .map(|(path, _, _)| path.to_string_lossy().into_owned())
        .collect();
    let problem = |error| {
        vec![engine_problem(
            at,
            &format!("reading table `{}`", table.name),
            error,
        )]
    };

    let read = |schema: Option<Schema>| {
        let paths = paths.clone();
        async move {
            match format {
                RecordFormat::Csv => {
                    let mut options = CsvReadOptions::new()
                        .has_header(true)
                        .file_extension("")
                        .file_compression_type(compression)
                        .newlines_in_values(true);
                    if let Some(schema) = &schema {
                        options = options.schema(schema);
                        return context.read_csv(paths, options).await;
                    }
                    context.read_csv(paths, options).await
                }
                RecordFormat::Json => {
                    let mut options = JsonReadOptions::default()
                        .file_extension("")
                        .file_compression_type(compression);
                    if let Some(schema) = &schema {
                        options = options.schema(schema);
                        return context.read_json(paths, options).await;
                    }
                    context.read_json(paths, options).await
                }
                RecordFormat::Parquet => {
                    context
                        .read_parquet(paths, ParquetReadOptions::default().file_extension(""))
                        .await
                }
            }
        }
    };
    let inferred: DataFrame = read(None).await.map_err(problem)?;
    let inferred_schema = inferred.schema().as_arrow().clone();

    let mut problems = Vec::new();
    for (name, (_, place)) in &table.columns {
        if inferred_schema.field_with_name(name).is_err() {
            let names = inferred_schema.fields().iter().map(|f| f.name().as_str());
            let help = dataset::diagnostic::suggestion(name, names, || {
                format!(
                    "the files' columns are: {}",
                    inferred_schema
                        .fields()
                        .iter()
                        .map(|f| f.name().as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
            problems.push(
                place
                    .error(format!("the table has no column `{name}`"))
                    .with_help(help),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    // Declared types, and timestamps as text, for files that carry no types of their own.
    let mut timestamps = Vec::new();
    let frame = if format == RecordFormat::Parquet {
        for field in inferred_schema.fields() {
            let declared = declared(field.name());
            if declared == Some(ColumnType::Timestamp)
                || matches!(field.data_type(), DataType::Timestamp(_, None))
            {
                timestamps.push(field.name().clone());
            }
        }
        inferred
    } else {
        let fields: Vec<Field> = inferred_schema
            .fields()
            .iter()
            .map(|field| {
                let declared = declared(field.name());
                let data_type = match declared {
                    Some(kind) => read_type(kind),
                    None if matches!(field.data_type(), DataType::Timestamp(..)) => DataType::Utf8,
                    None => field.data_type().clone(),
                };
                if declared == Some(ColumnType::Timestamp)
                    || (declared.is_none() && matches!(field.data_type(), DataType::Timestamp(..)))
                {
                    timestamps.push(field.name().clone());
                }
                Field::new(field.name(), data_type, true)
            })
            .collect();
        read(Some(Schema::new(fields))).await.map_err(problem)?
    };
    let instant = context.udf(INSTANT).map_err(problem)?;
    let columns: Vec<Expr> = inferred_schema
        .fields()
        .iter()
        .map(|field| {
            let column = col(datafusion::common::Column::new_unqualified(field.name()));
            if timestamps.contains(field.name()) {
                instant.call(vec![column]).alias(field.name())
            } else {
                column
            }
        })
        .collect();
    let frame = frame.select(columns).map_err(problem)?;
    context
        .register_table(table.name.as_str(), frame.into_view())
        .map_err(problem)?;
    Ok(TableFingerprint {
        table: table.name.clone(),
        files: fingerprints,
    })
}

/// Whether a table's records are text to be parsed (CSV, newline-delimited JSON, a copy of a
/// PostgreSQL table), rather than columns (Parquet).
pub(crate) fn is_text(table: &RecordTable) -> bool {
    matches!(table.location, Location::Postgres { .. })
        || table.format != Some(RecordFormat::Parquet)
}

/// How much a file of a columnar copy holds at most (but one batch).
const COPY_FILE_BYTES: usize = 32 << 20;

/// Replaces the registered table `name` by a columnar copy of its rows (Arrow IPC files in
/// `dir`, of at most [`COPY_FILE_BYTES`] each), with its timestamps already read: a text table
/// is then parsed once, however many measures read it.
pub(crate) async fn columnar_copy(
    context: &SessionContext,
    name: &str,
    dir: &Path,
) -> Result<(), DataFusionError> {
    let plan = context.table(name).await?.create_physical_plan().await?;
    let schema = plan.schema();
    std::fs::create_dir_all(dir)?;
    let tasks: Vec<_> = execute_stream_partitioned(plan, context.task_ctx())?
        .into_iter()
        .enumerate()
        .map(|(partition, mut stream)| {
            let dir = dir.to_owned();
            let schema = Arc::clone(&schema);
            // A task per partition: each parses on its own thread.
            tokio::spawn(async move {
                let create = |part: usize| -> Result<_, DataFusionError> {
                    let path = dir.join(format!("{partition:04}-{part:06}.arrow"));
                    Ok(FileWriter::try_new(
                        BufWriter::new(File::create(path)?),
                        &schema,
                    )?)
                };
                let (mut part, mut written) = (0, 0);
                let mut writer = create(part)?;
                while let Some(batch) = stream.next().await {
                    let batch = batch?;
                    // Files of a bounded size: the engine reads a part of a file it splits
                    // between partitions into memory whole.
                    if written > 0 && written + batch.get_array_memory_size() > COPY_FILE_BYTES {
                        writer.finish()?;
                        part += 1;
                        written = 0;
                        writer = create(part)?;
                    }
                    written += batch.get_array_memory_size();
                    writer.write(&batch)?;
                }
                writer.finish()?;
                Ok::<(), DataFusionError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await
            .map_err(|error| DataFusionError::External(Box::new(error)))??;
    }
    let files = context.deregister_table(name)?;
    let registered = context
        .register_arrow(
            name,
            dir.to_string_lossy(),
            ArrowReadOptions {
                file_extension: ".arrow",
                ..ArrowReadOptions::default()
            },
        )
        .await;
    if let (Err(_), Some(files)) = (&registered, files) {
        context.register_table(name, files)?;
    }
    registered
}

/// A PostgreSQL table that could not be read, at the source's `postgres` line.
fn postgres_problem(
    at: &Place,
    relation: &PostgresRelation,
    url_env: &str,
    failure: crate::postgres::Failure,
) -> Diagnostic {
    use crate::postgres::Failure;
    match failure {
        Failure::NoUrl => at
            .error(format!(
                "the environment variable `{url_env}`, which names the PostgreSQL server, is not set"
            ))
            .with_help(format!(
                "set `{url_env}` to the connection URL, such as postgres://reader@warehouse.example.org/city: it is read from the environment so that no password is kept in the source tree"
            )),
        Failure::BadUrl(reason) => at
            .error(format!(
                "`{url_env}` is not a PostgreSQL connection URL: {reason}"
            ))
            .with_help("write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE"),
        Failure::Connect(reason) => at
            .error(format!(
                "cannot connect to the PostgreSQL server named by `{url_env}`: {reason}"
            ))
            .with_help(format!(
                "check that the server is up and accepts connections from this machine, and the user and password in `{url_env}`"
            )),
        Failure::Read(reason) => {
            let what = match relation {
                PostgresRelation::Table(name) => format!("table `{name}`"),
                PostgresRelation::Query(_) => "the query".to_owned(),
            };
            at.error(format!("cannot read {what} from PostgreSQL: {reason}"))
                .with_help("try the same table or query with psql, as the same user")
        }
    }
}
