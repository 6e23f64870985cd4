//! A table read from PostgreSQL (`postgres = { … }` in `sources/<table>.toml`) whose server
//! cannot be reached, or whose connection is not given, is an error at the `postgres` line with
//! OUT untouched. The reading itself, from a real server, is the `postgres` test target's.

use std::path::Path;
use std::process::Output;

use crate::support::{EPOCH, copy_tree, root, stderr, tree};

/// `civicmetrics build` of the computed fixture in `dir`, its table read from PostgreSQL, with
/// the connection URL `url` (none when `None`); OUT holds an earlier release.
fn build_from_postgres(dir: &Path, url: Option<&str>) -> (Output, std::path::PathBuf) {
    let source = dir.join("source");
    copy_tree(&root().join("tests/fixtures/valid/computed"), &source);
    let table = source.join("sources/service_requests.toml");
    let text = std::fs::read_to_string(&table).unwrap().replace(
        "path = \"raw/requests*.csv\"",
        "postgres = { table = \"public.service_requests\", url_env = \"CITY_WAREHOUSE_URL\" }",
    );
    std::fs::write(&table, text).unwrap();
    let out = dir.join("public");
    std::fs::create_dir_all(out.join("data")).unwrap();
    std::fs::write(out.join("data/index.json"), "previous release\n").unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_civicmetrics"));
    command
        .args([
            "build",
            source.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("CITY_WAREHOUSE_URL");
    if let Some(url) = url {
        command.env("CITY_WAREHOUSE_URL", url);
    }
    (command.output().unwrap(), out)
}

#[test]
fn a_refused_postgresql_connection_is_an_error_at_the_postgres_line() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let temp = tempfile::tempdir().unwrap();
    let (failed, out) = build_from_postgres(
        temp.path(),
        Some(&format!(
            "postgres://reader:secret-password@127.0.0.1:{port}/city"
        )),
    );
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let message = stderr(&failed);
    assert!(
        message.contains(
            "service_requests.toml:3:12: error: cannot connect to the PostgreSQL server named by `CITY_WAREHOUSE_URL`: "
        ),
        "{message}"
    );
    assert!(
        message.contains("help: check that the server is up"),
        "{message}"
    );
    assert!(!message.contains("secret-password"), "{message}");
    assert!(message.contains("nothing was published"), "{message}");
    let published = tree(&out);
    assert_eq!(
        published.keys().collect::<Vec<_>>(),
        ["data/index.json"],
        "OUT is untouched"
    );
    assert_eq!(published["data/index.json"], b"previous release\n");
}

#[test]
fn a_postgresql_table_without_its_connection_url_says_which_variable_to_set() {
    let temp = tempfile::tempdir().unwrap();
    let (failed, _) = build_from_postgres(temp.path(), None);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let message = stderr(&failed);
    assert!(
        message.contains(
            "service_requests.toml:3:12: error: the environment variable `CITY_WAREHOUSE_URL`, which names the PostgreSQL server, is not set"
        ),
        "{message}"
    );
    assert!(
        message.contains("no password is kept in the source tree"),
        "{message}"
    );
}
