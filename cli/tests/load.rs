//! `civicmetrics serve` under load: 50 keep-alive connections for 20 seconds against the
//! published sample, with no errors and flat memory, listening on 127.0.0.1 only by default.

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{build, tree};

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

/// One connection's requests until `deadline`: mostly files of the release (200 and their exact
/// bytes), some revalidations with the `ETag` seen before (304), some missing pages (404).
///
/// Each connection is a `ureq` agent keeping at most one idle connection, so its requests go
/// one after another over one keep-alive connection, as a browser tab's would.
fn connection(
    address: SocketAddr,
    files: Arc<Vec<(String, Vec<u8>)>>,
    not_found_page: Arc<Vec<u8>>,
    seed: u64,
    deadline: Instant,
) -> Tally {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .max_idle_connections(1)
        .max_idle_connections_per_host(1)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut tally = Tally::default();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut etags: HashMap<usize, String> = HashMap::new();
    while Instant::now() < deadline {
        let roll = rng.usize(..20);
        let file = rng.usize(..files.len());
        let (path, revalidate) = match roll {
            0 => (format!("/no/such/page-{}", rng.usize(..1000)), None),
            1..=3 if etags.contains_key(&file) => (files[file].0.clone(), etags.get(&file)),
            _ => (files[file].0.clone(), None),
        };
        let mut request = agent.get(format!("http://{address}{path}"));
        if let Some(etag) = revalidate {
            request = request.header("If-None-Match", etag);
        }
        let started = Instant::now();
        let response = request.call().and_then(|mut response| {
            let body = response
                .body_mut()
                .with_config()
                .limit(u64::MAX)
                .read_to_vec()?;
            Ok((response, body))
        });
        let elapsed = started.elapsed();
        tally.requests += 1;
        tally.latencies_us.push(elapsed.as_micros() as u32);
        let (response, body) = match response {
            Ok(answer) => answer,
            Err(error) => {
                tally.error(format!("{path}: {error}"));
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        tally.bytes += body.len() as u64;
        let expected: (u16, &[u8]) = if roll == 0 {
            tally.not_found += 1;
            (404, &not_found_page)
        } else if revalidate.is_some() {
            tally.not_modified += 1;
            (304, b"")
        } else {
            (200, &files[file].1)
        };
        let status = response.status().as_u16();
        if status != expected.0 || body != expected.1 {
            tally.error(format!(
                "{path}: {status} with {} bytes, expected {} with {} bytes",
                body.len(),
                expected.0,
                expected.1.len()
            ));
        }
        if status == 200
            && let Some(etag) = header("etag")
        {
            etags.insert(file, etag.to_owned());
        }
        if header("connection").is_some_and(|value| value.eq_ignore_ascii_case("close")) {
            tally.error(format!("{path}: the server closed a keep-alive connection"));
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
