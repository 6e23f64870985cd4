//! Tables downloaded over HTTP (`url = …` in `sources/<table>.toml`), from a local server: a
//! CSV and a Parquet download compute what the same records compute from a file, a second build
//! asks with `If-None-Match` and re-uses the kept copy on 304, a table sent gzip-compressed is
//! decoded, and an error status, a dropped connection or a truncated body each fail clearly with
//! OUT untouched.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arrow_array::{ArrayRef, RecordBatch, StringArray};

use crate::support::{civicmetrics, copy_tree, root, stderr, tree};

/// The fixture's records.
fn records() -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures/valid/computed/raw/requests.csv")).unwrap()
}

/// The same records as Parquet, every column text.
fn records_parquet() -> Vec<u8> {
    let csv = records();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let columns: Vec<(String, ArrayRef)> = header
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let values: StringArray = rows.iter().map(|row| Some(&row[index])).collect();
            (name.clone(), std::sync::Arc::new(values) as ArrayRef)
        })
        .collect();
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut bytes = Vec::new();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(&mut bytes, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    bytes
}

/// Each request the server answered: its path and its `If-None-Match`.
type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A local HTTP server for the tests' downloads; it logs each request's path and
/// `If-None-Match`.
struct Server {
    address: String,
    log: Log,
}

/// The validator the server gives its files.
const ETAG: &str = "\"records-v1\"";

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let logged = log.clone();
        let (csv, parquet) = (records(), records_parquet());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let _ = answer(stream, &logged, &csv, &parquet);
            }
        });
        Server { address, log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.address)
    }

    fn requests(&self) -> Vec<(String, Option<String>)> {
        self.log.lock().unwrap().clone()
    }
}

/// Reads one request from `stream` and answers it by its path.
fn answer(mut stream: TcpStream, log: &Log, csv: &[u8], parquet: &[u8]) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut if_none_match = None;
    let mut accepts_gzip = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_owned());
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("accept-encoding")
        {
            accepts_gzip = value.split(',').any(|coding| coding.trim() == "gzip");
        }
    }
    log.lock()
        .unwrap()
        .push((path.clone(), if_none_match.clone()));
    let whole = |stream: &mut TcpStream, body: &[u8]| -> std::io::Result<()> {
        if if_none_match.as_deref() == Some(ETAG) {
            return stream.write_all(b"HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n");
        }
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {ETAG}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        stream.write_all(body)
    };
    match path.as_str() {
        "/requests.csv" => whole(&mut stream, csv),
        "/requests.parquet" => whole(&mut stream, parquet),
        // Compressed on the way, for a client that asks for it; refused to one that does not.
        "/compressed.csv" if accepts_gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(csv)?;
            let body = encoder.finish()?;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)
        }
        "/dropped.csv" => Ok(()),
        "/truncated.csv" => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                csv.len()
            )?;
            stream.write_all(&csv[..csv.len() / 2])
        }
        _ => stream.write_all(
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ),
    }
}

/// The computed fixture in `dir`, its table read from `url` (with `extra` lines added to the
/// table's file).
fn source_reading(dir: &Path, url: &str, extra: &str) -> PathBuf {
    let source = dir.join("source");
    copy_tree(&root().join("tests/fixtures/valid/computed"), &source);
    std::fs::remove_dir_all(source.join("raw")).unwrap();
    let table = source.join("sources/service_requests.toml");
    let text = std::fs::read_to_string(&table).unwrap();
    let text = text.replace(
        "path = \"raw/requests*.csv\"",
        &format!("url = \"{url}\"{extra}"),
    );
    std::fs::write(&table, text).unwrap();
    source
}

/// `civicmetrics build SOURCE --out OUT`.
fn build(source: &Path, out: &Path) -> std::process::Output {
    civicmetrics(&[
        "build",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

/// The fixture built from its file: what every download must publish.
fn from_file() -> (tempfile::TempDir, PathBuf) {
    crate::support::build("tests/fixtures/valid/computed")
}

/// Builds `source` into `out`, asserting that it succeeds and publishes the observations the
/// fixture built from its file (`file_out`) does; returns the table's file as the potholes
/// measure's provenance names it.
fn assert_builds_as_the_file(source: &Path, out: &Path, file_out: &Path) -> serde_json::Value {
    let built = build(source, out);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(
        std::fs::read(out.join("data/observations.csv")).unwrap()
            == std::fs::read(file_out.join("data/observations.csv")).unwrap(),
        "the same values as from the file"
    );
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("data/measures/potholes.json")).unwrap())
            .unwrap();
    document["provenance"]["tables"][0]["files"][0].clone()
}

/// The SHA-256 digest of the fixture's records, in hex.
fn records_digest() -> String {
    format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(records()))
}

#[test]
fn a_downloaded_table_computes_as_the_file_does_and_is_fetched_again_only_when_changed() {
    let server = Server::start();
    let (_file_dir, file_out) = from_file();
    let temp = tempfile::tempdir().unwrap();
    let url = server.url("requests.csv");
    let source = source_reading(temp.path(), &url, "");
    let out = temp.path().join("public");
    let file = assert_builds_as_the_file(&source, &out, &file_out);
    assert_eq!(file["path"], url.as_str());
    assert_eq!(file["sha256"].as_str().unwrap(), records_digest());

    let published = tree(&out);
    let second = build(&source, &out);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(
        tree(&out),
        published,
        "the kept copy gives the same release"
    );
    assert_eq!(
        server.requests(),
        [
            ("/requests.csv".to_owned(), None),
            ("/requests.csv".to_owned(), Some(ETAG.to_owned())),
        ],
        "the second build asks whether its copy is current, and is answered 304"
    );
}

#[test]
fn a_downloaded_parquet_table_computes_as_the_csv_file_does() {
    let server = Server::start();
    let (_file_dir, file_out) = from_file();
    let temp = tempfile::tempdir().unwrap();
    let source = source_reading(temp.path(), &server.url("requests.parquet"), "");
    // The Parquet file's times are text: declared as timestamps, they are read as the CSV's are.
    let table = source.join("sources/service_requests.toml");
    let text = std::fs::read_to_string(&table).unwrap().replace(
        "request_id = \"text\"",
        "request_id = \"text\"\ncreated_at = \"timestamp\"\nclosed_at = \"timestamp\"",
    );
    std::fs::write(&table, text).unwrap();
    assert_builds_as_the_file(&source, &temp.path().join("public"), &file_out);
}

#[test]
fn a_table_sent_gzip_compressed_is_decoded_and_kept_as_the_file_itself() {
    let server = Server::start();
    let (_file_dir, file_out) = from_file();
    let temp = tempfile::tempdir().unwrap();
    let source = source_reading(temp.path(), &server.url("compressed.csv"), "");
    let file = assert_builds_as_the_file(&source, &temp.path().join("public"), &file_out);
    assert_eq!(
        file["sha256"].as_str().unwrap(),
        records_digest(),
        "the digest is the file's, not the compressed bytes'"
    );
}

#[test]
fn a_failed_download_is_a_clear_error_and_out_stays_as_it_was() {
    let server = Server::start();
    let (_file_dir, file_out) = from_file();
    for (path, reason) in [
        ("unavailable.csv", "the server answered HTTP 503"),
        ("dropped.csv", "the connection failed"),
        ("truncated.csv", "the download"),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("public");
        copy_tree(&file_out, &out);
        let before = tree(&out);
        let source = source_reading(temp.path(), &server.url(path), "");
        let failed = build(&source, &out);
        assert_eq!(failed.status.code(), Some(1), "{path}: {}", stderr(&failed));
        let message = stderr(&failed);
        assert!(
            message.contains(&format!(
                "service_requests.toml:3:7: error: cannot download `{}`: {reason}",
                server.url(path)
            )),
            "{path}: {message}"
        );
        assert!(message.contains("nothing was published"), "{message}");
        assert_eq!(tree(&out), before, "{path}: OUT is untouched");
    }
}
