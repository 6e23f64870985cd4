//! Tables read from PostgreSQL (`postgres = { table = "…" }` or `{ query = "…" }`): the rows
//! are copied out of the server as CSV (`COPY … TO STDOUT`) into a snapshot file, streamed, and
//! the engine reads the snapshot like any CSV table, with the column types the server gives.
//!
//! A snapshot, rather than a query at every use, gives a table one state for a whole build: every
//! measure reads the same rows, the snapshot's digest is the table's fingerprint in provenance
//! and in the results cache, and the server is asked once. The connection URL comes from the
//! environment, never from the source tree, and no message repeats its password.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use dataset::source::automation::{ColumnType, PostgresRelation};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio_postgres::types::Type;

/// How long connecting to the server may take, unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A table copied out of PostgreSQL.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// The CSV file, with a header row.
    pub(crate) path: PathBuf,
    /// The SHA-256 digest of its bytes, in hex.
    pub(crate) sha256: String,
    /// Each column's name and its type as the engine reads it.
    pub(crate) columns: Vec<(String, ColumnType)>,
}

/// Why a table could not be read from PostgreSQL.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The environment variable that should hold the connection URL is not set.
    NoUrl,
    /// The variable's value is not a connection URL.
    BadUrl(String),
    /// The server could not be reached, or refused the connection.
    Connect(String),
    /// The server refused the query, or the copy broke off.
    Read(String),
}

/// `name` as a quoted SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The query of a relation: every column of a table (`schema.table` or `table`, each part as
/// written), or the rows of the source's own query.
fn relation_query(relation: &PostgresRelation) -> String {
    match relation {
        PostgresRelation::Table(name) => format!(
            "SELECT * FROM {}",
            name.split('.').map(quoted).collect::<Vec<_>>().join(".")
        ),
        PostgresRelation::Query(query) => format!("SELECT * FROM ({query}\n) AS records"),
    }
}

/// How the engine reads a column of PostgreSQL type `kind`; text for the types it has no
/// column type for (their text form is kept).
fn column_type(kind: &Type) -> ColumnType {
    match *kind {
        Type::BOOL => ColumnType::Boolean,
        Type::INT2 | Type::INT4 | Type::INT8 | Type::OID => ColumnType::Integer,
        Type::FLOAT4 | Type::FLOAT8 | Type::NUMERIC => ColumnType::Number,
        Type::DATE => ColumnType::Date,
        Type::TIMESTAMP | Type::TIMESTAMPTZ => ColumnType::Timestamp,
        _ => ColumnType::Text,
    }
}

/// Copies `relation` out of the server named by the environment variable `url_env` into a
/// snapshot in `dir`.
pub(crate) async fn snapshot(
    url_env: &str,
    relation: &PostgresRelation,
    dir: &Path,
) -> Result<Snapshot, Failure> {
    let url = std::env::var(url_env).map_err(|_| Failure::NoUrl)?;
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|error: tokio_postgres::Error| Failure::BadUrl(error.to_string()))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    config.application_name("civicmetrics");
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|error| Failure::Connect(describe(&error)))?;
    let connection = tokio::spawn(connection);
    let copied = copy(&client, relation, dir).await;
    drop(client);
    // The connection ends once the client is gone; its own error, if any, is the copy's.
    let _ = connection.await;
    copied
}

/// The copy itself, over an open connection.
async fn copy(
    client: &tokio_postgres::Client,
    relation: &PostgresRelation,
    dir: &Path,
) -> Result<Snapshot, Failure> {
    let read = |error: tokio_postgres::Error| Failure::Read(describe(&error));
    // Instants in UTC and dates year first, whatever the server's defaults: the text the
    // engine reads then means one thing.
    client
        .batch_execute(
            "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET extra_float_digits TO 3",
        )
        .await
        .map_err(read)?;
    let query = relation_query(relation);
    let statement = client.prepare(&query).await.map_err(read)?;
    let columns: Vec<(String, ColumnType)> = statement
        .columns()
        .iter()
        .map(|column| (column.name().to_owned(), column_type(column.type_())))
        .collect();
    // Booleans as `true`/`false` rather than PostgreSQL's `t`/`f`.
    let select: Vec<String> = statement
        .columns()
        .iter()
        .map(|column| {
            let name = quoted(column.name());
            if *column.type_() == Type::BOOL {
                format!("{name}::text AS {name}")
            } else {
                name
            }
        })
        .collect();
    let copy = format!(
        "COPY (SELECT {} FROM ({query}\n) AS relation) TO STDOUT WITH (FORMAT csv, HEADER true)",
        select.join(", ")
    );
    let stream = client.copy_out(&copy).await.map_err(read)?;
    let write = |error: std::io::Error| Failure::Read(format!("cannot write the copy: {error}"));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(write)?;
    let mut hasher = Sha256::new();
    futures_util::pin_mut!(stream);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(read)?;
        hasher.update(&chunk);
        file.write_all(&chunk).map_err(write)?;
    }
    file.flush().map_err(write)?;
    let sha256: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let path = dir.join(format!("postgres-{sha256}.csv"));
    file.persist(&path).map_err(|error| write(error.error))?;
    Ok(Snapshot {
        path,
        sha256,
        columns,
    })
}

/// A client error as one line: the server's own message and hint when it sent one.
fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return match db.hint() {
            Some(hint) => format!("{} ({hint})", db.message()),
            None => db.message().to_owned(),
        };
    }
    // The client's message often ends with its cause's already: each is added once.
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_name_is_quoted_part_by_part() {
        assert_eq!(
            relation_query(&PostgresRelation::Table("public.service_requests".into())),
            "SELECT * FROM \"public\".\"service_requests\""
        );
        assert_eq!(
            relation_query(&PostgresRelation::Table("Odd\"Name".into())),
            "SELECT * FROM \"Odd\"\"Name\""
        );
    }

    #[test]
    fn server_types_become_column_types() {
        assert_eq!(column_type(&Type::TIMESTAMPTZ), ColumnType::Timestamp);
        assert_eq!(column_type(&Type::NUMERIC), ColumnType::Number);
        assert_eq!(column_type(&Type::INT8), ColumnType::Integer);
        assert_eq!(column_type(&Type::UUID), ColumnType::Text);
    }
}
