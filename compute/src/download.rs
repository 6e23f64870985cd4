//! Tables downloaded over HTTP(S) (`url = "https://…"`): each is fetched whole into a
//! directory of downloads, with a conditional request (`If-None-Match`, `If-Modified-Since`)
//! when an earlier copy is kept, so that an unchanged table is not fetched again.
//!
//! The server may send the file gzip-compressed (it is asked to: `Accept-Encoding: gzip`); it is
//! decoded as it arrives, and what is kept, hashed and read is the file itself.
//!
//! A download is written to a temporary file and kept, under its digest, only once it is
//! complete: a refused connection, an error status, a dropped connection or a body shorter than
//! its `Content-Length` is an error, and the copy kept from before stays as it was. The record
//! of what is kept (`kept.json`: the URL, the server's `ETag` and `Last-Modified`, the digest)
//! is replaced whole, after the body it names is in place, so that it never names a partial
//! body, even when two builds download the same table at once.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long connecting to the server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the server may take to start answering once asked.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a whole body may take: an hour is about 1.5 GB over a slow 3.5 Mbit/s line.
const BODY_TIMEOUT: Duration = Duration::from_secs(3600);

/// A table's file, downloaded.
#[derive(Debug)]
pub(crate) struct Downloaded {
    /// Where its bytes are.
    pub(crate) path: PathBuf,
    /// The SHA-256 digest of its bytes, in hex.
    pub(crate) sha256: String,
}

/// What is kept beside a downloaded body: where it came from, and what the server said
/// identifies it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    sha256: String,
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The HTTP client: its timeouts, and errors for error statuses.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_recv_response(Some(RESPONSE_TIMEOUT))
        .timeout_recv_body(Some(BODY_TIMEOUT))
        .user_agent(concat!("civicmetrics/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Downloads `url` into `dir` (one subdirectory per URL), asking the server whether the copy
/// kept there from before is current. The error says what went wrong, in words.
pub(crate) fn fetch(url: &str, dir: &Path) -> Result<Downloaded, String> {
    let place = dir.join(hex(&Sha256::digest(url.as_bytes())));
    std::fs::create_dir_all(&place)
        .map_err(|error| format!("cannot create {}: {error}", place.display()))?;
    let kept_path = place.join("kept.json");
    let kept: Option<Kept> = std::fs::read(&kept_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(|kept: &Kept| kept.url == url && place.join(&kept.sha256).is_file());

    // Compressed on the way when the server can: a city's CSV export shrinks several times.
    let mut request = agent().get(url).header("Accept-Encoding", "gzip");
    if let Some(kept) = &kept {
        if let Some(etag) = &kept.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = &kept.last_modified {
            request = request.header("If-Modified-Since", modified);
        }
    }
    let mut response = request.call().map_err(|error| describe(&error))?;
    if response.status() == 304 {
        return match kept {
            Some(kept) => {
                // Used now: the cache keeps it another while.
                if let Ok(record) = std::fs::File::options().write(true).open(&kept_path) {
                    let _ = record.set_modified(std::time::SystemTime::now());
                }
                Ok(Downloaded {
                    path: place.join(&kept.sha256),
                    sha256: kept.sha256,
                })
            }
            None => Err(
                "the server answered 304 Not Modified to a request for the whole file".to_owned(),
            ),
        };
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, last_modified) = (header("etag"), header("last-modified"));
    let expected_length: Option<u64> = header("content-length").and_then(|n| n.parse().ok());

    let encoding = header("content-encoding").map(|e| e.trim().to_ascii_lowercase());

    let mut file = tempfile::NamedTempFile::new_in(&place)
        .map_err(|error| format!("cannot write in {}: {error}", place.display()))?;
    let mut raw = Counting {
        inner: response.body_mut().as_reader(),
        count: 0,
    };
    let mut hasher = Sha256::new();
    {
        let mut reader: Box<dyn Read + '_> = match encoding.as_deref() {
            None | Some("identity") => Box::new(&mut raw),
            Some("gzip" | "x-gzip") => Box::new(flate2::read::GzDecoder::new(&mut raw)),
            Some(other) => {
                return Err(format!(
                    "the server sent the file encoded as `{other}`, which was not asked for"
                ));
            }
        };
        let mut buffer = vec![0; 1 << 16];
        let mut decoded: u64 = 0;
        loop {
            let read = reader.read(&mut buffer).map_err(|error| {
                format!("the download broke off after {decoded} bytes: {error}")
            })?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            file.write_all(&buffer[..read])
                .map_err(|error| format!("cannot write the download: {error}"))?;
            decoded += read as u64;
        }
    }
    let received = raw.count;
    if let Some(expected) = expected_length
        && expected != received
    {
        return Err(format!(
            "the download is incomplete: {received} of {expected} bytes arrived"
        ));
    }
    let sha256 = hex(&hasher.finalize());
    let body = place.join(&sha256);
    file.persist(&body)
        .map_err(|error| format!("cannot keep the download: {}", error.error))?;
    let kept = Kept {
        url: url.to_owned(),
        etag,
        last_modified,
        sha256: sha256.clone(),
    };
    // Without this record the next build downloads the table again: no harm beyond time.
    let recorded = serde_json::to_vec(&kept).ok().is_some_and(|bytes| {
        tempfile::NamedTempFile::new_in(&place)
            .and_then(|mut record| {
                record.write_all(&bytes)?;
                record.persist(&kept_path).map_err(|error| error.error)
            })
            .is_ok()
    });
    if recorded {
        remove_other_bodies(&place, &sha256);
    }
    Ok(Downloaded { path: body, sha256 })
}

/// A reader that counts the bytes read through it: the body as sent, before it is decoded.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count += read as u64;
        Ok(read)
    }
}

/// Removes the bodies of earlier downloads in `place`, all but `current`. A body another
/// program still reads may refuse removal (Windows); it is removed by a later build.
fn remove_other_bodies(place: &Path, current: &str) {
    let Ok(entries) = std::fs::read_dir(place) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) && name != current {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// An HTTP client's error in words.
fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::StatusCode(code) => format!("the server answered HTTP {code}"),
        ureq::Error::Timeout(what) => format!("no answer in time ({what})"),
        ureq::Error::Io(error) => format!("the connection failed: {error}"),
        ureq::Error::HostNotFound => "the host name was not found".to_owned(),
        other => other.to_string(),
    }
}
