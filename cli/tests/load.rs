//! `civicmetrics serve` under load: 50 keep-alive connections for 20 seconds against the
//! published sample, with no errors and flat memory, listening on 127.0.0.1 only by default.

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{Rng, build, tree};

/// Connections open at once, each sending its next request as soon as the last is answered.
const CONNECTIONS: usize = 50;

/// How long the load lasts.
const DURATION: Duration = Duration::from_secs(20);

/// The server's resident memory is measured from here on, once every connection has asked
/// for most files at least once.
const WARM_UP: Duration = Duration::from_secs(4);

/// How much the resident memory may grow after the warm-up: allocator slack, not a leak. At the
/// rates measured here (about 3,000 requests a second in a debug build), a leak of 200 bytes per
/// request would pass it.
const RSS_SLACK_KB: u64 = 8 * 1024;

/// The `civicmetrics serve` program on a free port, without `--host`: the default address.
struct Served {
    child: Child,
    address: SocketAddr,
}

impl Served {
    fn start(out: &Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_civicmetrics"))
            .args(["serve", out.to_str().unwrap(), "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim_end()
            .rsplit_once(" at http://")
            .and_then(|(_, url)| url.strip_suffix('/'))
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("{line:?}"));
        Served { child, address }
    }

    /// The server's resident set size in KiB, from `/proc/<pid>/status`.
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no VmRSS in {status}"))
    }

    /// The local addresses of the server's listening TCP sockets, as `/proc/net/tcp*` writes
    /// them (`0100007F` is 127.0.0.1).
    fn listening_addresses(&self) -> Vec<String> {
        let fds = format!("/proc/{}/fd", self.child.id());
        let sockets: Vec<String> = std::fs::read_dir(fds)
            .unwrap()
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .filter_map(|link| {
                let link = link.to_string_lossy().into_owned();
                Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
            })
            .collect();
        let mut addresses = Vec::new();
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let Ok(table) = std::fs::read_to_string(table) else {
                continue;
            };
            for line in table.lines().skip(1) {
                let fields: Vec<&str> = line.split_whitespace().collect();
                // local_address, st (0A: LISTEN), inode
                if fields.len() > 9 && fields[3] == "0A" && sockets.iter().any(|s| s == fields[9]) {
                    addresses.push(fields[1].to_owned());
                }
            }
        }
        addresses
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    requests: u64,
    bytes: u64,
    not_modified: u64,
    not_found: u64,
    errors: u64,
    first_errors: Vec<String>,
    latencies_us: Vec<u32>,
}

impl Tally {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_errors.len() < 5 {
            self.first_errors.push(what);
        }
    }
}

/// A response: status, headers (lower-case names) and body.
struct Response {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// Reads one HTTP/1.1 response, its body by `Content-Length` or chunked.
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<Response> {
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("no status"))?;
    let mut headers = HashMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| invalid("bad header"))?;
        headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
    }
    let mut body = Vec::new();
    if headers.get("transfer-encoding").map(String::as_str) == Some("chunked") {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim_end(), 16)
                .map_err(|_| invalid("bad chunk size"))?;
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
            if size == 0 {
                break;
            }
        }
    } else if let Some(length) = headers.get("content-length") {
        let length: usize = length.parse().map_err(|_| invalid("bad length"))?;
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// One connection's requests until `deadline`: mostly files of the release (200 and their exact
/// bytes), some revalidations with the `ETag` seen before (304), some missing pages (404).
fn connection(
    address: SocketAddr,
    files: Arc<Vec<(String, Vec<u8>)>>,
    not_found_page: Arc<Vec<u8>>,
    seed: u64,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut rng = Rng::new(seed);
    let mut etags: HashMap<usize, String> = HashMap::new();
    let mut stream: Option<(TcpStream, BufReader<TcpStream>)> = None;
    while Instant::now() < deadline {
        let (writer, reader) = match &mut stream {
            Some(open) => open,
            None => {
                let connected = TcpStream::connect(address).and_then(|stream| {
                    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
                    stream.set_nodelay(true)?;
                    let reader = BufReader::new(stream.try_clone()?);
                    Ok((stream, reader))
                });
                match connected {
                    Ok(open) => stream.insert(open),
                    Err(error) => {
                        tally.error(format!("connect: {error}"));
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                }
            }
        };
        let roll = rng.below(20);
        let file = rng.below(files.len());
        let (path, revalidate) = match roll {
            0 => (format!("/no/such/page-{}", rng.below(1000)), None),
            1..=3 if etags.contains_key(&file) => (files[file].0.clone(), etags.get(&file)),
            _ => (files[file].0.clone(), None),
        };
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n");
        if let Some(etag) = revalidate {
            request.push_str(&format!("If-None-Match: {etag}\r\n"));
        }
        request.push_str("\r\n");
        let started = Instant::now();
        let response = writer
            .write_all(request.as_bytes())
            .and_then(|()| read_response(reader));
        let elapsed = started.elapsed();
        tally.requests += 1;
        tally.latencies_us.push(elapsed.as_micros() as u32);
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                tally.error(format!("{path}: {error}"));
                stream = None;
                continue;
            }
        };
        tally.bytes += response.body.len() as u64;
        let expected: (u16, &[u8]) = if roll == 0 {
            tally.not_found += 1;
            (404, &not_found_page)
        } else if revalidate.is_some() {
            tally.not_modified += 1;
            (304, b"")
        } else {
            (200, &files[file].1)
        };
        if response.status != expected.0 || response.body != expected.1 {
            tally.error(format!(
                "{path}: {} with {} bytes, expected {} with {} bytes",
                response.status,
                response.body.len(),
                expected.0,
                expected.1.len()
            ));
        }
        if response.status == 200
            && let Some(etag) = response.headers.get("etag")
        {
            etags.insert(file, etag.clone());
        }
        if response
            .headers
            .get("connection")
            .is_some_and(|value| value.eq_ignore_ascii_case("close"))
        {
            tally.error(format!("{path}: the server closed a keep-alive connection"));
            stream = None;
        }
    }
    tally
}

#[test]
fn serve_under_load_answers_every_request_with_flat_memory() {
    let (_temp, out) = build("examples/seattle");
    let release = tree(&out);
    let not_found_page = Arc::new(release["404.html"].clone());
    let files: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
        release
            .into_iter()
            .map(|(name, bytes)| (format!("/{name}"), bytes))
            .collect(),
    );
    let served = Served::start(&out);

    // Without --host the preview listens on the loopback address only.
    assert_eq!(served.address.ip().to_string(), "127.0.0.1");
    assert_eq!(
        served.listening_addresses(),
        ["0100007F:".to_owned() + &format!("{:04X}", served.address.port())]
    );

    let started = Instant::now();
    let deadline = started + DURATION;
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|i| {
            let (files, not_found_page) = (Arc::clone(&files), Arc::clone(&not_found_page));
            let address = served.address;
            std::thread::spawn(move || {
                connection(address, files, not_found_page, 0x10ad + i as u64, deadline)
            })
        })
        .collect();
    let mut rss = vec![(Duration::ZERO, served.rss_kb())];
    while Instant::now() + Duration::from_millis(500) < deadline {
        std::thread::sleep(Duration::from_secs(1));
        rss.push((started.elapsed(), served.rss_kb()));
    }
    let tallies: Vec<Tally> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let elapsed = started.elapsed();
    rss.push((elapsed, served.rss_kb()));

    let requests: u64 = tallies.iter().map(|t| t.requests).sum();
    let errors: u64 = tallies.iter().map(|t| t.errors).sum();
    let bytes: u64 = tallies.iter().map(|t| t.bytes).sum();
    let not_modified: u64 = tallies.iter().map(|t| t.not_modified).sum();
    let not_found: u64 = tallies.iter().map(|t| t.not_found).sum();
    let mut latencies: Vec<u32> = tallies
        .iter()
        .flat_map(|t| t.latencies_us.clone())
        .collect();
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let index = ((latencies.len() - 1) as f64 * p).round() as usize;
        Duration::from_micros(u64::from(latencies[index]))
    };
    let warm = rss
        .iter()
        .find(|(at, _)| *at >= WARM_UP)
        .map(|(_, kb)| *kb)
        .unwrap();
    let end = rss.last().unwrap().1;
    let highest_after_warm_up = rss
        .iter()
        .filter(|(at, _)| *at >= WARM_UP)
        .map(|(_, kb)| *kb)
        .max()
        .unwrap();
    let report = format!(
        "serve under load: {CONNECTIONS} keep-alive connections for {elapsed:.1?} to {}: \
         {requests} requests ({} 304, {} 404), {errors} errors, {:.0} requests/s, {:.1} MB/s; \
         latency p50 {:.2?}, p90 {:.2?}, p99 {:.2?}, max {:.2?}; server RSS (KiB) {}",
        served.address,
        not_modified,
        not_found,
        requests as f64 / elapsed.as_secs_f64(),
        bytes as f64 / elapsed.as_secs_f64() / 1e6,
        percentile(0.5),
        percentile(0.9),
        percentile(0.99),
        percentile(1.0),
        rss.iter()
            .map(|(at, kb)| format!("{:.0}s {kb}", at.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprintln!("{report}");
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-load.txt"),
        format!("{report}\n"),
    )
    .unwrap();

    let first_errors: Vec<&String> = tallies
        .iter()
        .flat_map(|t| &t.first_errors)
        .take(10)
        .collect();
    assert_eq!(errors, 0, "{first_errors:#?}");
    assert!(requests > 1000, "{requests} requests");
    assert!(not_modified > 0 && not_found > 0);
    assert!(
        highest_after_warm_up <= warm + RSS_SLACK_KB && end <= warm + RSS_SLACK_KB,
        "the server's memory grew under load: {report}"
    );
}
