//! `civicmetrics serve`: real HTTP requests to the preview server on a temporary release.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serve::{CONTENT_SECURITY_POLICY, ServeOptions, Server};

/// What the file outside OUT holds; no response may contain it.
const SECRET: &str = "outside-secret-3f9a";

/// A release-like tree in a temporary directory, with a secret beside OUT and links to it.
struct Fixture {
    _temp: tempfile::TempDir,
    out: PathBuf,
    secret: PathBuf,
    csv: Vec<u8>,
}

fn fixture() -> Fixture {
    let temp = tempfile::tempdir().unwrap();
    let secret = temp.path().join("secret.txt");
    std::fs::write(&secret, SECRET).unwrap();
    let out = temp.path().join("public");
    let write = |name: &str, bytes: &[u8]| {
        let path = out.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write(
        "index.html",
        b"<!doctype html><title>Home</title><p>home page</p>",
    );
    write(
        "404.html",
        b"<!doctype html><title>Lost</title><p>custom-404-page</p>",
    );
    write("measures/pothole-repair/index.html", b"<p>pothole page</p>");
    write("assets/site.css", b"body { color: black; }");
    write("widgets/civicmetrics.js", b"export const loader = 1;");
    write("widgets/module.mjs", b"export default 2;");
    write(
        "widgets/widgets_bg.wasm",
        b"\0asm\x01\0\0\0 a wasm module of some length, long enough to compress",
    );
    write("feed.xml", b"<?xml version=\"1.0\"?><feed/>");
    write("sitemap.xml", b"<?xml version=\"1.0\"?><urlset/>");
    write(
        "data/charts/pothole-repair.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    write("data/index.json", b"{\"schema_version\": \"1.0.0\"}");
    write("data/dictionary.md", b"# Data dictionary\n");
    let csv: Vec<u8> = std::iter::once("measure_id,period,value\n".to_owned())
        .chain((0..400).map(|i| format!("pothole-repair,2025-{:02},{i}\n", i % 12 + 1)))
        .collect::<String>()
        .into_bytes();
    write("data/observations.csv", &csv);
    write("data/observations.parquet", &[b'P'; 4096]);
    // Links inside OUT to outside it: a file, a file in data/, and a directory.
    std::os::unix::fs::symlink(&secret, out.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink("../../secret.txt", out.join("data/leak.json")).unwrap();
    std::os::unix::fs::symlink(temp.path(), out.join("escape")).unwrap();
    // Links that never resolve: a loop of two, and one to itself.
    std::os::unix::fs::symlink("loop-b", out.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", out.join("loop-b")).unwrap();
    std::os::unix::fs::symlink("self", out.join("data/self")).unwrap();
    // A link that stays inside OUT is served.
    std::os::unix::fs::symlink("data/index.json", out.join("latest.json")).unwrap();
    Fixture {
        _temp: temp,
        out,
        secret,
        csv,
    }
}

fn start(out: &Path) -> Server {
    let mut options = ServeOptions::new(out);
    options.port = 0;
    Server::start(&options).unwrap()
}

/// An HTTP client that reports every status and follows no redirect.
fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

struct Reply {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn get(server: &Server, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = client().get(format!("http://{}{path}", server.address()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = request.call().unwrap();
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.body_mut().read_to_vec().unwrap(),
    }
}

/// Sends `target` as written (no client normalises it) and returns the status and the whole
/// response, headers and body.
fn raw(address: SocketAddr, target: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("{target}: no status in {response:?}"));
    (status, response)
}

#[test]
fn content_types() {
    let fixture = fixture();
    let server = start(&fixture.out);
    for (path, expected) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/assets/site.css", "text/css; charset=utf-8"),
        ("/widgets/civicmetrics.js", "text/javascript; charset=utf-8"),
        ("/widgets/module.mjs", "text/javascript; charset=utf-8"),
        ("/widgets/widgets_bg.wasm", "application/wasm"),
        ("/feed.xml", "application/atom+xml"),
        ("/sitemap.xml", "application/xml"),
        ("/data/charts/pothole-repair.svg", "image/svg+xml"),
        ("/data/index.json", "application/json"),
        ("/data/observations.csv", "text/csv; charset=utf-8"),
        ("/data/dictionary.md", "text/markdown; charset=utf-8"),
        (
            "/data/observations.parquet",
            "application/vnd.apache.parquet",
        ),
    ] {
        let reply = get(&server, path, &[]);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(expected), "{path}");
    }
    assert_eq!(
        get(&server, "/widgets/widgets_bg.wasm", &[]).body,
        std::fs::read(fixture.out.join("widgets/widgets_bg.wasm")).unwrap()
    );
    server.stop().unwrap();
}

#[test]
fn directories_serve_their_index_and_redirect_without_the_slash() {
    let fixture = fixture();
    let server = start(&fixture.out);
    let home = get(&server, "/", &[]);
    assert!(home.text().contains("home page"), "{}", home.text());
    let page = get(&server, "/measures/pothole-repair/", &[]);
    assert_eq!(page.status, 200);
    assert_eq!(page.text(), "<p>pothole page</p>");
    let redirect = get(&server, "/measures/pothole-repair", &[]);
    assert!(
        matches!(redirect.status, 301 | 302 | 307 | 308),
        "{}",
        redirect.status
    );
    assert_eq!(
        redirect.header("location"),
        Some("/measures/pothole-repair/")
    );
    // A directory without index.html is not listed.
    assert_eq!(get(&server, "/data/charts/", &[]).status, 404);
    // A link between two files inside OUT is followed.
    let latest = get(&server, "/latest.json", &[]);
    assert_eq!(latest.status, 200);
    assert_eq!(latest.text(), "{\"schema_version\": \"1.0.0\"}");
}

#[test]
fn missing_paths_get_the_404_page() {
    let fixture = fixture();
    let server = start(&fixture.out);
    for path in ["/no/such/page", "/data/nothing.json", "/index.html/"] {
        let reply = get(&server, path, &[]);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(reply.text().contains("custom-404-page"), "{}", reply.text());
    }
    // Without OUT/404.html, the built-in page.
    std::fs::remove_file(fixture.out.join("404.html")).unwrap();
    let reply = get(&server, "/no/such/page", &[]);
    assert_eq!(reply.status, 404);
    assert!(
        reply.text().contains("<h1>Not found</h1>"),
        "{}",
        reply.text()
    );
    assert!(!reply.text().contains("custom-404-page"));
}

#[test]
fn etag_and_last_modified_answer_304() {
    let fixture = fixture();
    let server = start(&fixture.out);
    let first = get(&server, "/data/index.json", &[]);
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let modified = first
        .header("last-modified")
        .expect("Last-Modified")
        .to_owned();

    let again = get(&server, "/data/index.json", &[("if-none-match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let listed = format!("\"nope\", {etag}");
    let again = get(&server, "/data/index.json", &[("if-none-match", &listed)]);
    assert_eq!(again.status, 304);
    let again = get(
        &server,
        "/data/index.json",
        &[("if-modified-since", &modified)],
    );
    assert_eq!(again.status, 304);
    // If-None-Match decides when both are sent; another ETag means the file changed.
    let changed = get(
        &server,
        "/data/index.json",
        &[
            ("if-none-match", "W/\"0-0\""),
            ("if-modified-since", &modified),
        ],
    );
    assert_eq!(changed.status, 200);
    assert_eq!(changed.text(), "{\"schema_version\": \"1.0.0\"}");

    // Rewriting the file changes the ETag (a new size: timestamps may be coarse).
    std::fs::write(
        fixture.out.join("data/index.json"),
        "{\"schema_version\": \"1.10.0\"}",
    )
    .unwrap();
    let rewritten = get(&server, "/data/index.json", &[("if-none-match", &etag)]);
    assert_eq!(rewritten.status, 200);
    assert_ne!(rewritten.header("etag"), Some(etag.as_str()));
    // Directories' index pages have ETags too.
    let home = get(&server, "/", &[]);
    let home_etag = home.header("etag").expect("an ETag").to_owned();
    assert_eq!(
        get(&server, "/", &[("if-none-match", &home_etag)]).status,
        304
    );
}

#[test]
fn compression_follows_accept_encoding() {
    let fixture = fixture();
    let server = start(&fixture.out);
    let gzip = get(
        &server,
        "/data/observations.csv",
        &[("accept-encoding", "gzip")],
    );
    assert_eq!(gzip.status, 200);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert!(
        gzip.body.len() < fixture.csv.len() / 2,
        "{}",
        gzip.body.len()
    );
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gzip.body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, fixture.csv);
    assert!(
        gzip.header("vary")
            .is_some_and(|vary| vary.to_ascii_lowercase().contains("accept-encoding"))
    );

    let brotli = get(
        &server,
        "/data/observations.csv",
        &[("accept-encoding", "br")],
    );
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert!(brotli.body.len() < fixture.csv.len() / 2);

    let plain = get(&server, "/data/observations.csv", &[]);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, fixture.csv);

    // Parquet is compressed already.
    let parquet = get(
        &server,
        "/data/observations.parquet",
        &[("accept-encoding", "gzip, br")],
    );
    assert_eq!(parquet.header("content-encoding"), None);
    assert_eq!(parquet.body.len(), 4096);
}

#[test]
fn security_headers_on_every_response() {
    let fixture = fixture();
    let server = start(&fixture.out);
    let etag = get(&server, "/index.html", &[])
        .header("etag")
        .unwrap()
        .to_owned();
    let replies = [
        get(&server, "/", &[]),
        get(&server, "/data/index.json", &[]),
        get(&server, "/no/such/page", &[]),
        get(&server, "/measures/pothole-repair", &[]),
        get(&server, "/index.html", &[("if-none-match", &etag)]),
    ];
    assert_eq!(
        replies.iter().map(|reply| reply.status).collect::<Vec<_>>(),
        [200, 200, 404, 307, 304]
    );
    for reply in &replies {
        assert_eq!(
            reply.header("content-security-policy"),
            Some("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'")
        );
        assert_eq!(
            reply.header("content-security-policy"),
            Some(CONTENT_SECURITY_POLICY)
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            reply.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
        assert_eq!(reply.header("x-frame-options"), None);
    }
    // Data is readable from other origins; pages are not marked so.
    assert_eq!(replies[1].header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        get(&server, "/data/nothing.json", &[]).header("access-control-allow-origin"),
        Some("*")
    );
    assert_eq!(replies[0].header("access-control-allow-origin"), None);
}

#[test]
fn nothing_outside_out_is_served() {
    let fixture = fixture();
    let server = start(&fixture.out);
    let absolute = fixture.secret.to_str().unwrap();
    let targets = [
        "/../secret.txt".to_owned(),
        "/%2e%2e/secret.txt".to_owned(),
        "/%2E%2E%2Fsecret.txt".to_owned(),
        "/data/%2e%2e/%2e%2e/secret.txt".to_owned(),
        "//etc/passwd".to_owned(),
        format!("/{absolute}"),
        format!("/%2f{}", &absolute[1..]),
        "/..%2f..%2fetc/passwd".to_owned(),
        "/..%2fsecret.txt".to_owned(),
        "/data/..%5c..%5c".to_owned(),
        "/data/..%5c..%5csecret.txt".to_owned(),
        "/leak.txt".to_owned(),
        "/data/leak.json".to_owned(),
        "/escape/secret.txt".to_owned(),
        // Every other spelling of `..` and of a separator.
        "/data/.%2e/secret.txt".to_owned(),
        "/data/%2e./secret.txt".to_owned(),
        "/data/%2E%2e/%2e%2E/secret.txt".to_owned(),
        "/%2e%2e%2f%2e%2e%2fsecret.txt".to_owned(),
        "/data%2f..%2f..%2fsecret.txt".to_owned(),
        "/data%2F..%2F..%2Fsecret.txt".to_owned(),
        "/data/..%2F..%2Fsecret.txt".to_owned(),
        "/%252e%252e/secret.txt".to_owned(),
        "/%252e%252e%252fsecret.txt".to_owned(),
        "/data/%252e%252e/%252e%252e/secret.txt".to_owned(),
        "/%5c..%5csecret.txt".to_owned(),
        "/%5C..%5Csecret.txt".to_owned(),
        "/..%255csecret.txt".to_owned(),
        // Overlong UTF-8 for `.` and `/`, and the old IIS forms.
        "/%c0%ae%c0%ae/secret.txt".to_owned(),
        "/%c0%ae%c0%ae%c0%afsecret.txt".to_owned(),
        "/%e0%80%ae%e0%80%ae/secret.txt".to_owned(),
        "/..%c0%afsecret.txt".to_owned(),
        "/..%c1%9csecret.txt".to_owned(),
        "/%u002e%u002e/secret.txt".to_owned(),
        // NUL, to cut a path short in C.
        "/leak.txt%00.html".to_owned(),
        "/data/index.json%00/../../secret.txt".to_owned(),
        "/%00/../secret.txt".to_owned(),
        // Dot segments and empty ones.
        "/./../secret.txt".to_owned(),
        "/data/./../../secret.txt".to_owned(),
        "/data/%2e/../../secret.txt".to_owned(),
        "///secret.txt".to_owned(),
        "/.//..//secret.txt".to_owned(),
        format!("//{}", &absolute[1..]),
        format!("/%2f%2f{}", &absolute[1..]),
        // Absolute paths, percent-encoded too.
        "/etc/passwd".to_owned(),
        format!("/{}", absolute.replace('/', "%2f")),
        // Links that never resolve, and links out by every spelling.
        "/loop-a".to_owned(),
        "/loop-b/".to_owned(),
        "/data/self".to_owned(),
        "/%6ceak.txt".to_owned(),
        "/escape/%73ecret.txt".to_owned(),
        "/escape/".to_owned(),
    ];
    for target in &targets {
        let (status, response) = raw(server.address(), target);
        assert_eq!(status, 404, "{target}: {response}");
        assert!(!response.contains(SECRET), "{target}: {response}");
        assert!(!response.contains("root:"), "{target}: {response}");
        assert!(response.contains("custom-404-page"), "{target}: {response}");
    }
    // Request targets that are not paths at all: refused, whoever refuses them.
    for target in [
        "/data/..\\..\\secret.txt".to_owned(),
        "\\..\\secret.txt".to_owned(),
        "../secret.txt".to_owned(),
        "..".to_owned(),
        absolute.to_owned(),
        format!("http://localhost/../{}", "secret.txt"),
        format!("http://localhost/%2e%2e/{}", "secret.txt"),
        format!("http://localhost{absolute}"),
        format!("file://{absolute}"),
    ] {
        let (status, response) = raw(server.address(), &target);
        assert!(
            matches!(status, 400 | 403 | 404),
            "{target}: {status}: {response}"
        );
        assert!(!response.contains(SECRET), "{target}: {response}");
    }
    // The same connection answers files that are inside.
    let (status, response) = raw(server.address(), "/data/index.json");
    assert_eq!(status, 200, "{response}");
}

#[test]
fn the_program_serves_until_interrupted() {
    let fixture = fixture();
    let mut child = Command::new(env!("CARGO_BIN_EXE_civicmetrics"))
        .args(["serve", fixture.out.to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let prefix = format!("Serving {} at http://127.0.0.1:", fixture.out.display());
    let port = line
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix("/\n"))
        .unwrap_or_else(|| panic!("{line:?}"));
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let (status, response) = raw(address, "/measures/pothole-repair/");
    assert_eq!(status, 200);
    assert!(response.contains("pothole page"));
    // Ctrl-C stops it cleanly.
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("civicmetrics serve did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
}

#[test]
fn the_program_refuses_a_missing_directory() {
    let output = crate::support::civicmetrics(&["serve", "no/such/dir", "--port", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        crate::support::stderr(&output).contains("no/such/dir: not a directory"),
        "{}",
        crate::support::stderr(&output)
    );
}

#[test]
fn start_reports_what_it_cannot_serve() {
    let fixture = fixture();
    let server = start(&fixture.out);
    let mut taken = ServeOptions::new(&fixture.out);
    taken.port = server.address().port();
    assert!(matches!(
        Server::start(&taken),
        Err(serve::Error::Listen { .. })
    ));
    for root in [fixture.out.join("index.html"), fixture.out.join("nothing")] {
        assert!(matches!(
            Server::start(&ServeOptions::new(&root)),
            Err(serve::Error::NotADirectory { path }) if path == root
        ));
    }
}
