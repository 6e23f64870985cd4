//! A table read from PostgreSQL (`postgres = { … }` in `sources/<table>.toml`) whose server
//! cannot be reached, or whose connection is not given, is an error at the `postgres` line with
//! OUT untouched. The reading itself, from a real server, is the `postgres` test target's.

use crate::support::{EPOCH, copy_tree, existing_out, free_port, root, stderr, tree};

/// `civicmetrics build` of the computed fixture, its table read from PostgreSQL with the
/// connection URL `url` (none when `None`), into an OUT holding an earlier release. Asserts
/// that it fails with exit 1 and leaves OUT as it was; returns its standard error.
fn failed_build(url: Option<&str>) -> String {
    let (temp, out) = existing_out();
    let before = tree(&out);
    let source = temp.path().join("source");
    copy_tree(&root().join("tests/fixtures/valid/computed"), &source);
    let table = source.join("sources/service_requests.toml");
    let text = std::fs::read_to_string(&table).unwrap().replace(
        "path = \"raw/requests*.csv\"",
        "postgres = { table = \"public.service_requests\", url_env = \"CITY_WAREHOUSE_URL\" }",
    );
    std::fs::write(&table, text).unwrap();
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
    let failed = command.output().unwrap();
    let message = stderr(&failed);
    assert_eq!(failed.status.code(), Some(1), "{message}");
    assert!(message.contains("nothing was published"), "{message}");
    assert_eq!(tree(&out), before, "OUT is untouched");
    message
}

#[test]
fn a_refused_postgresql_connection_is_an_error_at_the_postgres_line() {
    let url = format!(
        "postgres://reader:secret-password@127.0.0.1:{}/city",
        free_port()
    );
    let message = failed_build(Some(&url));
    for expected in [
        "service_requests.toml:3:12: error: cannot connect to the PostgreSQL server named by `CITY_WAREHOUSE_URL`: ",
        "help: check that the server is up",
    ] {
        assert!(message.contains(expected), "{message}");
    }
    assert!(!message.contains("secret-password"), "{message}");
    assert_eq!(
        message.matches("os error").count(),
        1,
        "the cause once: {message}"
    );
}

#[test]
fn a_postgresql_table_without_its_connection_url_says_which_variable_to_set() {
    let message = failed_build(None);
    for expected in [
        "service_requests.toml:3:12: error: the environment variable `CITY_WAREHOUSE_URL`, which names the PostgreSQL server, is not set",
        "no password is kept in the source tree",
    ] {
        assert!(message.contains(expected), "{message}");
    }
}
