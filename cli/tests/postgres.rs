//! Tables read from a real PostgreSQL server: a cluster initialised in a temporary directory
//! (as the unprivileged `postgres` user when the tests run as root), loaded with the sample's
//! service requests and permit applications, and the sample built from it – one table by name,
//! one by a query, with the server's own column types – publishes the same observations as the
//! sample built from its files.
//!
//! It needs Debian's `postgresql` package (`initdb`, `pg_ctl`, `psql`), which `cargo xtask
//! test` installs; it fails, rather than skips, without it.

mod support;

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{copy_tree, free_port, root, stderr};

/// The sample's publication time in these builds: 2026-11-25T00:00:00Z.
const EPOCH: &str = "1795564800";

/// The user the cluster's server runs as when the tests run as root: PostgreSQL refuses root.
const SERVER_USER: &str = "postgres";

/// A PostgreSQL cluster in a temporary directory, stopped when dropped.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_root: bool,
    _dir: tempfile::TempDir,
}

/// The newest installed PostgreSQL's programs (Debian keeps them under
/// `/usr/lib/postgresql/<version>/bin`).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed: `cargo xtask test` installs Debian's postgresql")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let version = path.file_name()?.to_str()?.parse().ok()?;
            path.join("bin/initdb")
                .exists()
                .then(|| (version, path.join("bin")))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no PostgreSQL server under /usr/lib/postgresql")
        .1
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    output
}

impl Cluster {
    fn start() -> Cluster {
        let bin = postgres_bin();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let uid = run(Command::new("id").arg("-u")).stdout;
        let as_root = String::from_utf8_lossy(&uid).trim() == "0";
        if as_root {
            run(Command::new("chown")
                .args(["-R", SERVER_USER])
                .arg(dir.path()));
        }
        let port = free_port();
        let cluster = Cluster {
            bin,
            data,
            port,
            as_root,
            _dir: dir,
        };
        run(cluster
            .server_command("initdb")
            .args([
                "--username=civic",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(&cluster.data));
        let log = cluster.data.parent().unwrap().join("server.log");
        run(cluster
            .server_command("pg_ctl")
            .arg("-D")
            .arg(&cluster.data)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-o"])
            .arg(format!(
                "-p {port} -c listen_addresses=127.0.0.1 -k {}",
                cluster.data.parent().unwrap().display()
            ))
            .arg("start"));
        cluster
    }

    /// One of the server's programs, as the user the server runs as.
    fn server_command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_root {
            let mut command = Command::new("runuser");
            command.args(["-u", SERVER_USER, "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn url(&self) -> String {
        format!("postgres://civic@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs `sql` with psql; `input` is given on its standard input (for `COPY … FROM STDIN`).
    fn psql(&self, sql: &str, input: Option<&[u8]>) {
        let mut child = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(self.url())
            .args(["-c", sql])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("psql runs");
        let mut stdin = child.stdin.take().unwrap();
        if let Some(input) = input {
            stdin.write_all(input).unwrap();
        }
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "psql {sql}:\n{}", stderr(&output));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .server_command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// A gzipped file of the sample's records, unpacked.
fn gunzip(path: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(root().join(path)).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

/// The sample's permit applications (newline-delimited JSON) as CSV rows for `COPY`, in the
/// order of `columns`.
fn permits_csv(columns: &[&str]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(columns).unwrap();
    let ndjson = gunzip("examples/seattle/raw/permit-applications.ndjson.gz");
    for line in ndjson.as_slice().lines() {
        let record: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let row: Vec<String> = columns
            .iter()
            .map(|c| record[*c].as_str().map(str::to_owned).unwrap_or_default())
            .collect();
        writer.write_record(&row).unwrap();
    }
    writer.into_inner().unwrap()
}

/// `civicmetrics build SOURCE --out OUT` at [`EPOCH`], with `env` added.
fn build(source: &Path, out: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_civicmetrics"))
        .args(["build", "--no-cache"])
        .arg(source)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .envs(env.iter().copied())
        .output()
        .expect("the civicmetrics binary runs")
}

/// Replaces `from` with `to` in the source tree's file `name`, which must hold it.
fn edit(source: &Path, name: &str, from: &str, to: &str) {
    let path = source.join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{name} holds no {from}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn the_sample_read_from_postgresql_publishes_what_its_files_do() {
    let cluster = Cluster::start();
    // The request system's export as it is: times as text, some local and some UTC.
    cluster.psql(
        "CREATE TABLE service_requests (request_id text PRIMARY KEY, request_type text, \
         department text, created_at text, closed_at text, status text, method_received text, \
         council_district text, neighborhood text, latitude double precision, \
         longitude double precision)",
        None,
    );
    cluster.psql(
        "COPY service_requests FROM STDIN WITH (FORMAT csv, HEADER true)",
        Some(&gunzip("examples/seattle/raw/service-requests.csv.gz")),
    );
    // The permit system's table, typed: its dates are the server's `date`.
    let permit_columns = [
        "permit_number",
        "permit_class",
        "permit_type",
        "review_track",
        "applied_date",
        "issued_date",
        "status",
    ];
    cluster.psql(
        "CREATE SCHEMA permits; CREATE TABLE permits.applications (permit_number text, \
         permit_class text, permit_type text, review_track text, applied_date date, \
         issued_date date, status text)",
        None,
    );
    cluster.psql(
        &format!(
            "COPY permits.applications ({}) FROM STDIN WITH (FORMAT csv, HEADER true, NULL '')",
            permit_columns.join(", ")
        ),
        Some(&permits_csv(&permit_columns)),
    );

    let temp = tempfile::tempdir().unwrap();
    let (files_out, postgres_out) = (temp.path().join("files"), temp.path().join("postgres"));
    let from_files = build(&root().join("examples/seattle"), &files_out, &[]);
    assert_eq!(from_files.status.code(), Some(0), "{}", stderr(&from_files));

    let source = temp.path().join("source");
    copy_tree(&root().join("examples/seattle"), &source);
    edit(
        &source,
        "sources/service_requests.toml",
        "path = \"raw/service-requests.csv.gz\"",
        "postgres = { table = \"public.service_requests\" }",
    );
    edit(
        &source,
        "sources/permit_applications.toml",
        "path = \"raw/permit-applications.ndjson.gz\"",
        &format!(
            "postgres = {{ query = \"SELECT {} FROM permits.applications\", url_env = \"PERMITS_DATABASE_URL\" }}",
            permit_columns.join(", ")
        ),
    );
    // The server says which columns are dates.
    edit(
        &source,
        "sources/permit_applications.toml",
        "applied_date = \"date\"\nissued_date = \"date\"",
        "",
    );
    let url = cluster.url();
    let from_postgres = build(
        &source,
        &postgres_out,
        &[
            ("CIVICMETRICS_POSTGRES_URL", &url),
            ("PERMITS_DATABASE_URL", &url),
        ],
    );
    assert_eq!(
        from_postgres.status.code(),
        Some(0),
        "{}",
        stderr(&from_postgres)
    );
    for table in ["observations.csv", "observations.parquet"] {
        assert!(
            std::fs::read(files_out.join("data").join(table)).unwrap()
                == std::fs::read(postgres_out.join("data").join(table)).unwrap(),
            "{table} differs between the files and PostgreSQL"
        );
    }
    let document: serde_json::Value = serde_json::from_slice(
        &std::fs::read(postgres_out.join("data/measures/potholes-repaired-on-time.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        document["provenance"]["tables"][0]["files"][0]["path"],
        "postgres:public.service_requests"
    );
}

#[test]
fn a_missing_table_is_an_error_at_the_postgres_line() {
    let cluster = Cluster::start();
    let temp = tempfile::tempdir().unwrap();
    let source = temp.path().join("source");
    copy_tree(&root().join("tests/fixtures/valid/computed"), &source);
    edit(
        &source,
        "sources/service_requests.toml",
        "path = \"raw/requests*.csv\"",
        "postgres = { table = \"public.no_such_table\" }",
    );
    let out = temp.path().join("public");
    let url = cluster.url();
    let failed = build(&source, &out, &[("CIVICMETRICS_POSTGRES_URL", &url)]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let message = stderr(&failed);
    assert!(
        message.contains(
            "service_requests.toml:3:12: error: cannot read table `public.no_such_table` from PostgreSQL: relation \"public.no_such_table\" does not exist"
        ),
        "{message}"
    );
    assert!(!out.exists(), "nothing is published");
}
