//! The preview's HTTP side: serving the built site from memory, live reload
//! over Server-Sent Events, and the error overlay.
//!
//! Every request reads one [`Published`] state, swapped whole by the builder,
//! so a reader never sees half a build. Paths are decoded and checked before
//! any lookup; only files the build produced can ever be served, so nothing
//! else on disk is reachable whatever the path says. HTML responses, and only
//! those served here, get a small script that listens on
//! `/__casebook/events` and, while the last build failed, a fixed panel with
//! the errors; `casebook build` output never contains either.
//!
//! Connections are served by [`serve`]: one that takes longer than
//! [`HEADER_TIMEOUT`] to send a request's headers, or sits idle that long
//! between requests, is closed, so half-open connections cannot pile up and
//! starve the preview. Encoded slashes (`%2f`) in a path are refused.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::render::escape_html;
use axum::Router;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{Stream, StreamExt};

use crate::diagnostic::Diagnostic;

mod conn;

pub use conn::{serve, HEADER_TIMEOUT};

/// The URL of the live-reload event stream.
pub const EVENTS_PATH: &str = "/__casebook/events";

/// Requests whose path and query are longer than this are refused (414).
pub const MAX_URL_LENGTH: usize = 2048;

/// A built site in memory: output path (`practices/p12/index.html`) → bytes.
pub type Files = HashMap<Arc<str>, Bytes>;

/// What the server shows at one moment.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// Increases with every change of what is shown; pages compare it on reconnect.
    pub generation: u64,
    /// The last good build; `None` until a build succeeds.
    pub files: Option<Arc<Files>>,
    /// The errors of the last build, if it failed (the overlay shows them).
    pub errors: Option<Arc<Vec<Diagnostic>>>,
}

/// A message for open pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// Reload pages at these URL paths (`/practices/p12/`), or all pages when `None`.
    Reload {
        /// The generation now shown.
        generation: u64,
        /// Changed pages, or `None` for every page.
        paths: Option<Arc<Vec<String>>>,
    },
    /// Only stylesheets changed: refetch them without reloading.
    Css {
        /// The generation now shown.
        generation: u64,
    },
    /// The server is stopping: end the stream.
    Shutdown,
}

/// State shared by the builder (writer) and the request handlers (readers).
pub struct Shared {
    state: RwLock<Arc<Published>>,
    events: broadcast::Sender<LiveEvent>,
    stopping: AtomicBool,
    local_hosts_only: bool,
}

impl Shared {
    /// Nothing built yet. With `local_hosts_only` (the server listens on loopback),
    /// requests must be addressed to a loopback name, so that a web page cannot
    /// read the preview through DNS rebinding.
    pub fn new(local_hosts_only: bool) -> Shared {
        Shared {
            state: RwLock::new(Arc::new(Published::default())),
            events: broadcast::channel(64).0,
            stopping: AtomicBool::new(false),
            local_hosts_only,
        }
    }

    fn refuses(&self, headers: &HeaderMap) -> bool {
        self.local_hosts_only
            && headers
                .get(header::HOST)
                .is_some_and(|host| !host.to_str().is_ok_and(is_local_host))
    }

    /// What is shown now.
    pub fn current(&self) -> Arc<Published> {
        self.state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Shows a new state; its generation is set to follow the previous one.
    /// Returns the new generation.
    pub fn publish(&self, files: Option<Arc<Files>>, errors: Option<Arc<Vec<Diagnostic>>>) -> u64 {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let generation = state.generation + 1;
        *state = Arc::new(Published {
            generation,
            files,
            errors,
        });
        generation
    }

    /// Tells open pages (no one listening is fine).
    pub fn notify(&self, event: LiveEvent) {
        let _ = self.events.send(event);
    }

    /// Ends the event streams so a graceful shutdown does not wait on them.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.notify(LiveEvent::Shutdown);
    }
}

/// The preview's routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(serve_file)
        .with_state(shared)
}

async fn events(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if shared.refuses(&headers) {
        return plain(StatusCode::FORBIDDEN, NOT_LOCAL, false);
    }
    if shared.stopping.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping").into_response();
    }
    // Subscribe before reading the generation so no change falls in between.
    let receiver = shared.events.subscribe();
    let hello = Event::default()
        .event("hello")
        .data(shared.current().generation.to_string());
    let stream = tokio_stream::once(Ok(hello)).chain(live_events(receiver));
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn live_events(
    receiver: broadcast::Receiver<LiveEvent>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    BroadcastStream::new(receiver)
        .take_while(|event| !matches!(event, Ok(LiveEvent::Shutdown)))
        .map(|event| {
            Ok(match event {
                Ok(LiveEvent::Reload { generation, paths }) => {
                    let data = match paths {
                        Some(paths) => {
                            serde_json::to_string(&*paths).unwrap_or_else(|_| "\"*\"".into())
                        }
                        None => "\"*\"".into(),
                    };
                    Event::default()
                        .event("reload")
                        .id(generation.to_string())
                        .data(data)
                }
                Ok(LiveEvent::Css { generation }) => Event::default()
                    .event("css")
                    .id(generation.to_string())
                    .data("css"),
                // A page that missed events cannot know what changed: reload it.
                Ok(LiveEvent::Shutdown) | Err(_) => Event::default().event("reload").data("\"*\""),
            })
        })
}

const NOT_LOCAL: &str =
    "this preview only answers requests for localhost or a loopback address (see casebook serve --bind)\n";

/// Whether a `Host` header names this machine: `localhost`, `*.localhost` or a
/// loopback address, with or without a port.
pub fn is_local_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(is_loopback)
}

/// Whether an address is this machine's loopback, IPv4-mapped IPv6 included
/// (`::ffff:127.0.0.1`, which the standard library's `is_loopback` says is not).
pub fn is_loopback(ip: std::net::IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// Why a request path was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed, or trying to leave the site (`..`, backslashes, NUL): 400.
    BadPath,
    /// Longer than [`MAX_URL_LENGTH`]: 414.
    TooLong,
}

/// Turns a raw request path (still percent-encoded) into a lookup key relative
/// to the site (`practices/p12/`, `style.css`, `` for the home page).
pub fn request_key(raw_path: &str) -> Result<String, Refusal> {
    if raw_path.len() > MAX_URL_LENGTH {
        return Err(Refusal::TooLong);
    }
    // An encoded slash would make one path segment look like two after decoding.
    if raw_path
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'2' && w[2].eq_ignore_ascii_case(&b'f'))
    {
        return Err(Refusal::BadPath);
    }
    let decoded = percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| Refusal::BadPath)?;
    let Some(key) = decoded.strip_prefix('/') else {
        return Err(Refusal::BadPath);
    };
    if key.contains('\\') || key.chars().any(char::is_control) || key.contains(':') {
        return Err(Refusal::BadPath);
    }
    if key
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err(Refusal::BadPath);
    }
    Ok(key.to_string())
}

/// What a key names in a built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A file: its output path.
    File(String),
    /// A folder asked for without its trailing slash: redirect to this key + `/`.
    AddSlash,
    /// Nothing.
    Missing,
}

/// Finds what `key` names: a file, a folder's `index.html`, or a folder to redirect to.
pub fn lookup(files: &Files, key: &str) -> Lookup {
    if key.is_empty() || key.ends_with('/') {
        let index = format!("{key}index.html");
        return if files.contains_key(index.as_str()) {
            Lookup::File(index)
        } else {
            Lookup::Missing
        };
    }
    if files.contains_key(key) {
        Lookup::File(key.to_string())
    } else if files.contains_key(format!("{key}/index.html").as_str()) {
        Lookup::AddSlash
    } else {
        Lookup::Missing
    }
}

/// The media type of an output file, from its extension (`mime_guess`'s
/// table), with `charset=utf-8` on the text types a site is made of.
pub fn mime_for(path: &str) -> &'static str {
    // Not `Path::extension`: the error pages ask about ".html".
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match mime_guess::from_ext(extension).first_raw() {
        // Without a charset, a browser may read CSV or plain text as Windows-1252.
        Some("text/html") => "text/html; charset=utf-8",
        Some("text/css") => "text/css; charset=utf-8",
        Some("text/javascript") => "text/javascript; charset=utf-8",
        Some("text/csv") => "text/csv; charset=utf-8",
        Some("text/plain") => "text/plain; charset=utf-8",
        Some("text/markdown") => "text/markdown; charset=utf-8",
        Some("text/xml") => "text/xml; charset=utf-8",
        Some(other) => other,
        None => "application/octet-stream",
    }
}

/// Inserts `snippet` before the last `</body>` (any case), or at the end.
pub fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let needle = b"</body>";
    let at = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The live-reload script for a page served at `generation`.
pub fn live_script(generation: u64) -> String {
    // Reload when told this page changed, or when reconnecting to a server that
    // has moved on (a rebuild finished while the page was loading, or a restart).
    format!(
        r#"<script id="casebook-live">(function () {{
  var generation = "{generation}";
  if (!window.EventSource) return;
  var here = location.pathname.replace(/index\.html$/, "");
  var source = new EventSource("{EVENTS_PATH}");
  function seen(e) {{ if (e.lastEventId) generation = e.lastEventId; }}
  source.addEventListener("hello", function (e) {{ if (e.data !== generation) location.reload(); }});
  source.addEventListener("reload", function (e) {{
    seen(e);
    var paths = JSON.parse(e.data);
    if (paths === "*" || paths.indexOf(here) >= 0 || paths.indexOf(decodeURI(here)) >= 0) location.reload();
  }});
  source.addEventListener("css", function (e) {{
    seen(e);
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {{
      var url = new URL(link.href, location.href);
      url.searchParams.set("casebook-reload", Date.now());
      link.href = url.href;
    }});
  }});
}})();</script>
"#
    )
}

/// Diagnostics shown in the overlay at most; the terminal has them all.
const OVERLAY_LIMIT: usize = 30;

/// The error panel: a fixed box listing the problems, escaped.
pub fn overlay_html(errors: &[Diagnostic], have_site: bool) -> String {
    let count = errors.iter().filter(|d| d.is_error()).count();
    let mut body = String::new();
    for d in errors.iter().take(OVERLAY_LIMIT) {
        body.push_str(&escape_html(&d.to_string()));
    }
    if errors.len() > OVERLAY_LIMIT {
        body.push_str(&format!(
            "… and {} more (see the terminal)\n",
            errors.len() - OVERLAY_LIMIT
        ));
    }
    let status = if have_site {
        "This page is from the last good build."
    } else {
        "There is no good build to show yet."
    };
    format!(
        r#"<div id="casebook-overlay" role="alert" style="all:initial;position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:60vh;overflow:auto;z-index:2147483647;box-sizing:border-box;background:#fff4f4;color:#1b1b1b;border:2px solid #b00020;border-radius:6px;padding:1rem 1.25rem;box-shadow:0 6px 28px rgba(0,0,0,.35);font:15px/1.45 system-ui,sans-serif">
<button type="button" onclick="this.parentNode.remove()" aria-label="Hide" style="float:right;font:inherit;border:1px solid #b00020;background:#fff;border-radius:4px;cursor:pointer">Hide</button>
<strong style="color:#b00020">casebook: the build failed with {count} error{plural}.</strong> {status} Fix the files below; this page reloads by itself.
<pre style="white-space:pre-wrap;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;margin:.75rem 0 0">{body}</pre>
</div>
"#,
        plural = if count == 1 { "" } else { "s" },
    )
}

/// The page shown at every path while there has never been a good build.
pub fn error_page(errors: &[Diagnostic], generation: u64) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Build failed · casebook</title>\n</head>\n<body>\n<h1>The site could not be built</h1>\n{}{}</body>\n</html>\n",
        overlay_html(errors, false),
        live_script(generation)
    )
}

const LOCATION: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'%');

fn response(status: StatusCode, content_type: &str, bytes: Bytes, head: bool) -> Response {
    let length = bytes.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    // The preview changes all the time: never serve it from a cache without asking.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn plain(status: StatusCode, text: &'static str, head: bool) -> Response {
    response(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(text.as_bytes()),
        head,
    )
}

/// Adds the live script, and the overlay while the last build failed, to an HTML page.
fn decorate(html: &[u8], state: &Published) -> Bytes {
    let mut snippet = String::new();
    if let Some(errors) = &state.errors {
        snippet.push_str(&overlay_html(errors, true));
    }
    snippet.push_str(&live_script(state.generation));
    Bytes::from(inject(html, &snippet))
}

async fn serve_file(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let head = method == Method::HEAD;
    if shared.refuses(&headers) {
        return plain(StatusCode::FORBIDDEN, NOT_LOCAL, head);
    }
    if method != Method::GET && !head {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n",
            false,
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if uri.path_and_query().map_or(0, |pq| pq.as_str().len()) > MAX_URL_LENGTH {
        return plain(StatusCode::URI_TOO_LONG, "address too long\n", head);
    }
    let key = match request_key(uri.path()) {
        Ok(key) => key,
        Err(Refusal::TooLong) => {
            return plain(StatusCode::URI_TOO_LONG, "address too long\n", head)
        }
        Err(Refusal::BadPath) => return plain(StatusCode::BAD_REQUEST, "bad request path\n", head),
    };
    let state = shared.current();
    let Some(files) = &state.files else {
        let errors = state.errors.as_deref().map_or(&[][..], |e| &e[..]);
        let page = error_page(errors, state.generation);
        return response(
            StatusCode::INTERNAL_SERVER_ERROR,
            mime_for(".html"),
            Bytes::from(page),
            head,
        );
    };
    match lookup(files, &key) {
        Lookup::File(path) => {
            let bytes = files[path.as_str()].clone();
            let mime = mime_for(&path);
            let bytes = if mime.starts_with("text/html") {
                decorate(&bytes, &state)
            } else {
                bytes
            };
            response(StatusCode::OK, mime, bytes, head)
        }
        Lookup::AddSlash => {
            // A temporary redirect: a permanent one would be cached by the browser
            // and outlive the preview (another site may be served on this port later).
            let mut location = format!("/{}/", utf8_percent_encode(&key, LOCATION));
            if let Some(query) = uri.query() {
                location.push('?');
                location.push_str(query);
            }
            let mut r = plain(StatusCode::FOUND, "moved\n", head);
            if let Ok(value) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, value);
            }
            r
        }
        Lookup::Missing => match files.get("404.html") {
            Some(page) => response(
                StatusCode::NOT_FOUND,
                mime_for(".html"),
                decorate(page, &state),
                head,
            ),
            None => plain(StatusCode::NOT_FOUND, "not found\n", head),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_decoded_and_checked() {
        assert_eq!(request_key("/"), Ok(String::new()));
        assert_eq!(request_key("/practices/p12/"), Ok("practices/p12/".into()));
        assert_eq!(
            request_key("/sectors/health+education/"),
            Ok("sectors/health+education/".into())
        );
        assert_eq!(request_key("/caf%C3%A9/"), Ok("café/".into()));
        for bad in [
            "/../catalogue.yaml",
            "/%2e%2e/catalogue.yaml",
            "/%2E%2E/catalogue.yaml",
            "/..%2fcatalogue.yaml",
            "/..%2Fcatalogue.yaml",
            "/%2e%2e%5ccatalogue.yaml",
            "/..\\catalogue.yaml",
            "/practices/../../etc/passwd",
            "/./index.html",
            "/a%00b",
            "/%ff",
            "relative",
            "/C:/Windows",
            "/practices%2fp1/",
            "/practices%2Fp1/index.html",
            "/%2f",
        ] {
            assert_eq!(request_key(bad), Err(Refusal::BadPath), "{bad}");
        }
        assert_eq!(
            request_key(&format!("/{}", "a".repeat(MAX_URL_LENGTH))),
            Err(Refusal::TooLong)
        );
    }

    fn files(names: &[&str]) -> Files {
        names
            .iter()
            .map(|n| (Arc::from(*n), Bytes::from_static(b"x")))
            .collect()
    }

    #[test]
    fn folders_serve_their_index_and_redirect_without_slash() {
        let site = files(&[
            "index.html",
            "practices/p12/index.html",
            "style.css",
            "summary/a.csv",
        ]);
        assert_eq!(lookup(&site, ""), Lookup::File("index.html".into()));
        assert_eq!(
            lookup(&site, "practices/p12/"),
            Lookup::File("practices/p12/index.html".into())
        );
        assert_eq!(lookup(&site, "practices/p12"), Lookup::AddSlash);
        assert_eq!(
            lookup(&site, "practices/p12/index.html"),
            Lookup::File("practices/p12/index.html".into())
        );
        assert_eq!(lookup(&site, "style.css"), Lookup::File("style.css".into()));
        assert_eq!(lookup(&site, "style.css/"), Lookup::Missing);
        assert_eq!(lookup(&site, "practices/"), Lookup::Missing);
        assert_eq!(lookup(&site, "/practices/p12/"), Lookup::Missing);
    }

    #[test]
    fn media_types() {
        assert_eq!(mime_for("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(mime_for("style.css"), "text/css; charset=utf-8");
        assert_eq!(mime_for("catalogue.json"), "application/json");
        assert_eq!(mime_for("summary/x.csv"), "text/csv; charset=utf-8");
        assert_eq!(mime_for("logo.SVG"), "image/svg+xml");
        assert_eq!(mime_for("noextension"), "application/octet-stream");
        // What a build writes besides.
        assert_eq!(mime_for(".html"), "text/html; charset=utf-8");
        assert_eq!(mime_for("browse.js"), "text/javascript; charset=utf-8");
        assert_eq!(mime_for("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(mime_for("sitemap.xml"), "text/xml; charset=utf-8");
        assert_eq!(mime_for("literature.bib"), "application/octet-stream");
        assert_eq!(mime_for("vendor/font.woff2"), "font/woff2");
        assert_eq!(mime_for("a.dir/noextension"), "application/octet-stream");
    }

    #[test]
    fn injection_goes_before_the_last_body_end() {
        assert_eq!(
            inject(b"<p>x</p></BODY></html>", "<s>"),
            b"<p>x</p><s></BODY></html>"
        );
        assert_eq!(
            inject(b"<pre>&lt;/body&gt;</pre></body></body>", "<s>"),
            b"<pre>&lt;/body&gt;</pre></body><s></body>"
        );
        assert_eq!(inject(b"<p>no end", "<s>"), b"<p>no end<s>");
    }

    #[test]
    fn overlay_escapes_messages_and_names_the_place() {
        let d = Diagnostic::error("content/practices/p1.md", "unknown sector \"<script>\"").at(
            Some(crate::diagnostic::Position { line: 4, col: 10 }),
            Some("a\nb\nc\nsectors: [<script>]\n"),
        );
        let html = overlay_html(&[d], true);
        assert!(
            html.contains(
                "content/practices/p1.md:4:10: unknown sector &quot;&lt;script&gt;&quot;"
            ),
            "{html}"
        );
        assert!(!html.contains("[<script>]"), "{html}");
        assert!(html.contains("1 error."), "{html}");
        assert!(html.contains("last good build"), "{html}");
    }

    #[test]
    fn only_local_host_names_on_loopback() {
        for ok in [
            "localhost",
            "localhost:1111",
            "127.0.0.1:8080",
            "127.1.2.3",
            "[::1]:1111",
            "[::ffff:127.0.0.1]:1111",
            "app.localhost",
            "LOCALHOST.",
        ] {
            assert!(is_local_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "10.0.0.1:1111",
            "[fe80::1]:80",
            "[::ffff:10.0.0.1]:80",
            "localhost.evil.example",
            "",
        ] {
            assert!(!is_local_host(bad), "{bad}");
        }
    }

    #[test]
    fn mapped_loopback_is_loopback() {
        for ip in ["127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:127.9.9.9"] {
            assert!(is_loopback(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["0.0.0.0", "::", "::ffff:10.0.0.1", "192.168.1.1"] {
            assert!(!is_loopback(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn state_swaps_whole() {
        let shared = Shared::new(true);
        assert!(shared.current().files.is_none());
        let g1 = shared.publish(Some(Arc::new(files(&["index.html"]))), None);
        let before = shared.current();
        let g2 = shared.publish(
            before.files.clone(),
            Some(Arc::new(vec![Diagnostic::error("x", "y")])),
        );
        assert!(g2 > g1);
        // Readers see the new state whole; one holding the old state keeps it whole.
        let after = shared.current();
        assert_eq!(after.generation, g2);
        assert!(after.errors.is_some());
        assert!(before.errors.is_none());
        assert_eq!(before.generation, g1);
        assert!(Arc::ptr_eq(
            before.files.as_ref().unwrap(),
            after.files.as_ref().unwrap()
        ));
    }
}
