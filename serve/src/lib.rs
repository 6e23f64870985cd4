//! A local HTTP preview of a published civicmetrics release (`civicmetrics serve`).
//!
//! The server is [axum] over hyper and tokio, with tower-http doing the file serving
//! ([`ServeDir`]), compression and fixed headers; this crate adds only what those lack: the
//! confinement to OUT, `ETag`s, content types for the release's formats and the 404 page.
//!
//! # What it answers
//!
//! - Files under OUT, with `Last-Modified` and a weak `ETag` built from the file's size and
//!   modification time; `If-None-Match` (which takes precedence) and `If-Modified-Since` are
//!   answered with `304 Not Modified`. `Range` requests are served by [`ServeDir`].
//! - A directory's `index.html` for `/dir/`; `/dir` redirects (`307`) to `/dir/`.
//! - Content types for what a release holds: `text/html`, `text/css`, `text/javascript`
//!   (`.js`, `.mjs`), `application/wasm`, `application/json`, `text/csv`, `text/markdown`,
//!   `text/plain` (`.txt`, `SHA256SUMS`), `image/svg+xml`, `application/atom+xml` (files named
//!   `feed.xml`), `application/xml` (other `.xml`) and `application/vnd.apache.parquet`; text
//!   types carry `charset=utf-8`. Other files get the type their extension usually has.
//! - gzip or brotli according to `Accept-Encoding`, except for bodies under 32 bytes, for
//!   ranges and for types that are compressed already (Parquet, raster images, fonts,
//!   archives). Compressed responses carry `Vary: Accept-Encoding`.
//! - `404 Not Found` with `OUT/404.html` when the release has one, else a small built-in page.
//!
//! # Confinement
//!
//! Nothing outside OUT is ever served. A request path is refused with `404` before any file is
//! looked at when a segment is `.` or `..` or decodes to one, when it holds a `/` (as `%2f`), a
//! backslash (`\` or `%5c`) or a NUL, or when the path has an empty segment (`//etc/passwd`).
//! The remaining path is resolved with every symbolic link followed (`canonicalize`) and must
//! stay under the resolved OUT, so a link inside OUT that points outside it answers `404` too,
//! while links between files inside OUT work. Only regular files are served.
//! The check runs just before [`ServeDir`] opens the file: it keeps requests inside OUT, not
//! someone who can rewrite OUT between the two (who has OUT already).
//!
//! # Headers on every response
//!
//! | header | value |
//! |---|---|
//! | `Content-Security-Policy` | `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'` |
//! | `X-Content-Type-Options` | `nosniff` |
//! | `Referrer-Policy` | `strict-origin-when-cross-origin` |
//! | `Cache-Control` | `no-cache` (browsers revalidate every time, so a rebuild shows at once) |
//!
//! Responses under `/data/` also carry `Access-Control-Allow-Origin: *`, so widgets on other
//! origins can read the data. No `X-Frame-Options` is sent: the embed pages must be framable by
//! other sites.
//!
//! # Use
//!
//! [`run`] serves in the foreground until Ctrl-C (what `civicmetrics serve` does); [`Server`]
//! serves on a background thread until stopped (for programs and tests); [`router`] and
//! [`serve`] are the parts, for a program with its own runtime.

use std::fs::Metadata;
use std::future::Future;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::UNIX_EPOCH;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tokio::sync::oneshot;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Why the preview could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory to preview does not exist or is not a directory.
    #[error("{}: not a directory", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The server cannot listen on its address.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The host and port asked for.
        address: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The server failed.
    #[error("serving: {0}")]
    Serve(#[source] std::io::Error),
}

/// The `Content-Security-Policy` sent with every response.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/// The port `civicmetrics serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8080;

/// The host `civicmetrics serve` listens on unless told otherwise: this machine only.
pub const DEFAULT_HOST: &str = "127.0.0.1";

/// The page answered for a missing path when OUT has no `404.html`.
const BUILT_IN_NOT_FOUND: &str = "<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Not found</title>\n<h1>Not found</h1>\n\
<p>Nothing is published at this address. <a href=\"/\">Go to the home page</a>.</p>\n</html>\n";

/// Where and what to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    /// The published release directory (OUT).
    pub root: PathBuf,
    /// The host name or IP address to listen on ([`DEFAULT_HOST`] by default).
    pub host: String,
    /// The TCP port to listen on ([`DEFAULT_PORT`] by default; 0 picks a free one).
    pub port: u16,
}

impl ServeOptions {
    /// Options serving `root` on [`DEFAULT_HOST`]:[`DEFAULT_PORT`].
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
        }
    }
}

/// What the middleware share: OUT, resolved.
#[derive(Debug)]
struct ServedRoot {
    /// The canonical path of OUT.
    root: PathBuf,
}

/// The file a request resolved to, handed from [`confine`] to [`validators`].
#[derive(Debug, Clone)]
struct ServedFile {
    /// The path as requested (with `index.html` for a directory), for the content type.
    requested: PathBuf,
    /// The file's metadata, symbolic links followed, for the `ETag`.
    metadata: Arc<Metadata>,
}

/// What a request path names.
enum Target {
    /// A regular file under OUT.
    File(ServedFile),
    /// A directory under OUT asked for without the final slash: [`ServeDir`] redirects.
    Directory,
    /// Nothing servable: missing, outside OUT, or not a regular file.
    Missing,
}

/// The service answering for `root`: every response described in the [module docs](self).
///
/// # Errors
///
/// [`Error::NotADirectory`] when `root` is not an existing directory.
pub fn router(root: &Path) -> Result<Router, Error> {
    let not_a_directory = || Error::NotADirectory {
        path: root.to_owned(),
    };
    let canonical = root.canonicalize().map_err(|_| not_a_directory())?;
    if !canonical.is_dir() {
        return Err(not_a_directory());
    }
    let served = Arc::new(ServedRoot {
        root: canonical.clone(),
    });
    let files = ServeDir::new(&canonical)
        .append_index_html_on_directories(true)
        .not_found_service(not_found_handler.with_state(Arc::clone(&served)));
    // The default predicate skips bodies under 32 bytes, raster images, gRPC and event streams.
    let compress = DefaultPredicate::new()
        .and(NotForContentType::const_new(
            "application/vnd.apache.parquet",
        ))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/gzip"))
        .and(NotForContentType::const_new("font/woff"));
    Ok(Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(validators))
        .layer(middleware::from_fn_with_state(served, confine))
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .br(true)
                // Brotli's default (11) takes seconds on a large CSV; 5 is fast and close.
                .quality(CompressionLevel::Precise(5))
                .compress_when(compress),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        )))
}

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish.
///
/// # Errors
///
/// [`Error::Serve`] when the server fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(Error::Serve)
}

/// Serves `options.root` in the foreground until Ctrl-C: the first stops accepting connections
/// and lets open requests finish, a second stops at once. `on_listening` is called with the
/// bound address once the server accepts connections.
///
/// # Errors
///
/// [`Error::NotADirectory`] when OUT is not a directory, [`Error::Listen`] when the address
/// cannot be bound, [`Error::Serve`] when the server fails.
pub fn run(options: &ServeOptions, on_listening: impl FnOnce(SocketAddr)) -> Result<(), Error> {
    let router = router(&options.root)?;
    let (listener, address) = bind(options)?;
    let runtime = runtime()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(Error::Serve)?;
        on_listening(address);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = serve(listener, router, async move {
            let _ = stopped.await;
        });
        let signals = async move {
            if tokio::signal::ctrl_c().await.is_err() {
                // No handler could be installed: run until the process is killed.
                std::future::pending::<()>().await;
            }
            let _ = stop.send(());
            let _ = tokio::signal::ctrl_c().await;
        };
        tokio::select! {
            result = server => result,
            () = signals => Ok(()),
        }
    })
}

/// A server running on a background thread; [`Server::stop`] (or dropping it) stops it.
#[derive(Debug)]
pub struct Server {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), Error>>>,
}

impl Server {
    /// Binds the address and starts serving `options.root` on a new thread. The server accepts
    /// connections when this returns.
    ///
    /// # Errors
    ///
    /// [`Error::NotADirectory`] when OUT is not a directory, [`Error::Listen`] when the address
    /// cannot be bound, [`Error::Serve`] when the runtime cannot start.
    pub fn start(options: &ServeOptions) -> Result<Server, Error> {
        let router = router(&options.root)?;
        let (listener, address) = bind(options)?;
        let runtime = runtime()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("civicmetrics-serve".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).map_err(Error::Serve)?;
                    serve(listener, router, async move {
                        let _ = stopped.await;
                    })
                    .await
                })
            })
            .map_err(Error::Serve)?;
        Ok(Server {
            address,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address the server listens on (with the port chosen when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting connections, lets open requests finish and waits for the thread.
    ///
    /// # Errors
    ///
    /// [`Error::Serve`] when the server had failed.
    pub fn stop(mut self) -> Result<(), Error> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Serve(std::io::Error::other(
                "the server thread panicked",
            ))),
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

/// A single-threaded runtime: a preview serves one person.
fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Serve)
}

/// Binds the listening socket (non-blocking, for tokio).
fn bind(options: &ServeOptions) -> Result<(StdListener, SocketAddr), Error> {
    let listen_error = |source| Error::Listen {
        address: format!("{}:{}", options.host, options.port),
        source,
    };
    let listener =
        StdListener::bind((options.host.as_str(), options.port)).map_err(listen_error)?;
    listener.set_nonblocking(true).map_err(listen_error)?;
    let address = listener.local_addr().map_err(listen_error)?;
    Ok((listener, address))
}

/// Middleware: refuses any path that could name something outside OUT, resolves the rest
/// with symbolic links followed, answers `404` for what is missing or outside, and adds CORS
/// under `/data/`.
async fn confine(
    State(served): State<Arc<ServedRoot>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = match segments(&path) {
        None => not_found(&served).await,
        Some((relative, directory)) => {
            let root = served.root.clone();
            let target = tokio::task::spawn_blocking(move || resolve(&root, &relative, directory))
                .await
                .unwrap_or(Target::Missing);
            match target {
                Target::Missing => not_found(&served).await,
                Target::Directory => next.run(request).await,
                Target::File(file) => {
                    request.extensions_mut().insert(file);
                    next.run(request).await
                }
            }
        }
    };
    if path == "/data" || path.starts_with("/data/") {
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

/// Middleware: `ETag` and `If-None-Match`, and the content type, for a file [`confine`]
/// resolved.
async fn validators(mut request: Request, next: Next) -> Response {
    let Some(file) = request.extensions().get::<ServedFile>().cloned() else {
        return next.run(request).await;
    };
    let etag = etag(&file.metadata);
    if let Some(etag) = &etag
        && request.headers().contains_key(header::IF_NONE_MATCH)
    {
        let conditional = matches!(*request.method(), Method::GET | Method::HEAD);
        if conditional
            && if_none_match_matches(request.headers().get_all(header::IF_NONE_MATCH), etag)
        {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response.headers_mut().insert(header::ETAG, etag.clone());
            return response;
        }
        // If-None-Match decides alone (RFC 9110, 13.2.2); ServeDir only knows If-Modified-Since.
        request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    }
    let mut response = next.run(request).await;
    let status = response.status();
    if matches!(
        status,
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    ) && let Some(etag) = etag
    {
        response.headers_mut().insert(header::ETAG, etag);
    }
    if matches!(status, StatusCode::OK | StatusCode::PARTIAL_CONTENT)
        && let Some(content_type) = content_type(&file.requested)
    {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
}

/// The request path as file-name segments, and whether it names a directory (ends with `/`);
/// `None` for any path that could leave OUT or that a file system reads in more than one way.
fn segments(path: &str) -> Option<(PathBuf, bool)> {
    let rest = path.strip_prefix('/')?;
    let directory = rest.is_empty() || rest.ends_with('/');
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut relative = PathBuf::new();
    if rest.is_empty() {
        return Some((relative, directory));
    }
    for raw in rest.split('/') {
        let segment = percent_decode_str(raw).decode_utf8().ok()?;
        if segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.contains(['/', '\\', '\0'])
        {
            return None;
        }
        relative.push(&*segment);
    }
    Some((relative, directory))
}

/// What `relative` names under `root` (canonical), every symbolic link followed.
fn resolve(root: &Path, relative: &Path, directory: bool) -> Target {
    let requested = root.join(relative);
    let Some((real, metadata)) = inside(root, &requested) else {
        return Target::Missing;
    };
    if metadata.is_dir() {
        if !directory {
            return Target::Directory;
        }
        let requested = requested.join("index.html");
        return match inside(root, &real.join("index.html")) {
            Some((_, metadata)) if metadata.is_file() => Target::File(ServedFile {
                requested,
                metadata: Arc::new(metadata),
            }),
            _ => Target::Missing,
        };
    }
    if directory || !metadata.is_file() {
        return Target::Missing;
    }
    Target::File(ServedFile {
        requested,
        metadata: Arc::new(metadata),
    })
}

/// The canonical path and metadata of `path` when it exists and resolves under `root`.
fn inside(root: &Path, path: &Path) -> Option<(PathBuf, Metadata)> {
    let real = path.canonicalize().ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let metadata = std::fs::metadata(&real).ok()?;
    Some((real, metadata))
}

/// A weak `ETag` from the file's size and modification time.
fn etag(metadata: &Metadata) -> Option<HeaderValue> {
    let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    HeaderValue::from_str(&format!(
        "W/\"{:x}-{:x}\"",
        metadata.len(),
        modified.as_nanos()
    ))
    .ok()
}

/// Whether `If-None-Match` lists `etag` (or `*`), by weak comparison: then the answer is 304.
fn if_none_match_matches<'a>(
    values: impl IntoIterator<Item = &'a HeaderValue>,
    etag: &HeaderValue,
) -> bool {
    fn opaque(tag: &str) -> &str {
        tag.trim().trim_start_matches("W/")
    }
    let Ok(ours) = etag.to_str() else {
        return false;
    };
    values
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(ours))
}

/// The content type for a file of the release, by name; `None` leaves [`ServeDir`]'s guess.
fn content_type(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?;
    match name {
        "feed.xml" => return Some("application/atom+xml"),
        "SHA256SUMS" => return Some("text/plain; charset=utf-8"),
        _ => {}
    }
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "csv" => "text/csv; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "xml" => "application/xml",
        "parquet" => "application/vnd.apache.parquet",
        _ => return None,
    })
}

/// [`ServeDir`]'s not-found service: a file that vanished between the check and the read.
async fn not_found_handler(State(served): State<Arc<ServedRoot>>) -> Response {
    not_found(&served).await
}

/// `404 Not Found` with OUT's `404.html`, or the built-in page when OUT has none.
async fn not_found(served: &ServedRoot) -> Response {
    let root = served.root.clone();
    let page = tokio::task::spawn_blocking(move || {
        let (real, metadata) = inside(&root, &root.join("404.html"))?;
        if !metadata.is_file() {
            return None;
        }
        std::fs::read(real).ok()
    })
    .await
    .ok()
    .flatten();
    let body = page.map_or_else(|| Body::from(BUILT_IN_NOT_FOUND), Body::from);
    let html = HeaderValue::from_static("text/html; charset=utf-8");
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, html)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_refuse_every_way_out() {
        for path in [
            "/..",
            "/../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/a/%2e/b",
            "//etc/passwd",
            "/a//b",
            "/..%2f..%2fetc/passwd",
            "/data/..%5c..%5c",
            "/data/a\\b",
            "/a%00b",
            "/%ff",
            "*",
        ] {
            assert!(segments(path).is_none(), "{path}");
        }
        assert_eq!(segments("/"), Some((PathBuf::new(), true)));
        assert_eq!(
            segments("/measures/x"),
            Some((PathBuf::from("measures/x"), false))
        );
        assert_eq!(
            segments("/measures/a%20b/"),
            Some((PathBuf::from("measures/a b"), true))
        );
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let ours = HeaderValue::from_static("W/\"1-2\"");
        let list = [HeaderValue::from_static("\"0-0\", \"1-2\"")];
        assert!(if_none_match_matches(&list, &ours));
        assert!(if_none_match_matches(
            &[HeaderValue::from_static("*")],
            &ours
        ));
        assert!(!if_none_match_matches(
            &[HeaderValue::from_static("W/\"1-3\"")],
            &ours
        ));
    }

    #[test]
    fn content_types_of_a_release() {
        for (name, expected) in [
            ("feed.xml", Some("application/atom+xml")),
            ("sitemap.xml", Some("application/xml")),
            ("widgets_bg.wasm", Some("application/wasm")),
            ("x.parquet", Some("application/vnd.apache.parquet")),
            ("x.MJS", Some("text/javascript; charset=utf-8")),
            ("photo.png", None),
        ] {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }
}
