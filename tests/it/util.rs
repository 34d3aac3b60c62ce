//! Shared helpers, one copy each: fixture sites and the shipped catalogue
//! copied to temporary folders, running the binary, reading the output as
//! parsed HTML and CSV, a static HTTP server for the browser tests, a small
//! fixed pseudo-random stream for generated catalogues, and spreadsheet
//! fixtures for the import tests (`util/sheets.rs`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use scraper::{Html, Selector};

mod sheets;
pub use sheets::{text_row, write_ods, write_xlsx, SheetCell};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_casebook");

/// The repository root, which is also the shipped site.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site in a temporary folder.
pub struct TestSite {
    dir: tempfile::TempDir,
}

impl TestSite {
    /// Copies `tests/fixtures/<name>` into a fresh temporary folder.
    pub fn fixture(name: &str) -> TestSite {
        let site = TestSite::empty();
        copy_dir(&repo().join("tests/fixtures").join(name), site.root());
        site
    }

    /// Copies the shipped catalogue (catalogue.yaml and content/) only.
    pub fn shipped() -> TestSite {
        let site = TestSite::empty();
        std::fs::copy(
            repo().join("catalogue.yaml"),
            site.root().join("catalogue.yaml"),
        )
        .unwrap();
        copy_dir(&repo().join("content"), &site.root().join("content"));
        site
    }

    /// The shipped catalogue copied and built into `public/` once per test
    /// binary, with the build's report; shared, so read it, never change it.
    pub fn shipped_built() -> &'static (TestSite, Run) {
        static SITE: OnceLock<(TestSite, Run)> = OnceLock::new();
        SITE.get_or_init(|| {
            let site = TestSite::shipped();
            let run = site.build();
            (site, run)
        })
    }

    /// An empty temporary folder.
    pub fn empty() -> TestSite {
        TestSite {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    /// Runs `casebook <args> --root <site>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        let root = self.root().to_str().unwrap().to_string();
        all.extend(["--root", &root]);
        run(&all, self.root())
    }

    /// Builds into `public/` and expects success.
    pub fn build(&self) -> Run {
        let run = self.run(&["build"]);
        run.assert_code(0);
        run
    }

    /// Parses a built page.
    pub fn html(&self, relative: &str) -> Html {
        Html::parse_document(&self.read(relative))
    }

    /// Reads a built CSV as rows of cells (header included).
    pub fn csv(&self, relative: &str) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(self.path(relative))
            .unwrap();
        reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
    }

    /// Fails unless stderr contains `text`, showing all of stderr.
    pub fn assert_stderr_has(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "missing {text:?} in stderr:\n{}",
            self.stderr
        );
    }
}

/// Runs the binary with `args` in `cwd`.
pub fn run(args: &[&str], cwd: &Path) -> Run {
    finish(Command::new(BIN).args(args).current_dir(cwd))
}

/// Runs `casebook build --root <root> --output <out>` and expects success.
pub fn build_into(root: &Path, out: &Path) -> Run {
    let run = finish(
        Command::new(BIN)
            .arg("build")
            .arg("--root")
            .arg(root)
            .arg("--output")
            .arg(out),
    );
    run.assert_code(0);
    run
}

fn finish(command: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Writes an entry of a generated catalogue: `content/<dir>/<id, lower case>.md`
/// under `root` (the folder must exist).
pub fn write_entry(root: &Path, dir: &str, id: &str, text: &str) {
    let file = format!("{}.md", id.to_lowercase());
    std::fs::write(root.join("content").join(dir).join(file), text).unwrap();
}

/// Copies the folder `from` to `to`, creating `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for item in walkdir::WalkDir::new(from) {
        let item = item.unwrap();
        let target = to.join(item.path().strip_prefix(from).unwrap());
        if item.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, keyed by relative path.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files(dir)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path.strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect()
}

/// Every file under `dir`, in a fixed order.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|i| i.file_type().is_file())
        .map(|i| i.path().to_path_buf())
        .collect()
}

/// The label of value `id` of `facet` in a `catalogue.json` document.
pub fn value_label(catalogue: &serde_json::Value, facet: &str, id: &str) -> String {
    catalogue["facets"][facet]["values"]
        .as_array()
        .unwrap_or_else(|| panic!("no facet {facet}"))
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no value {facet}:{id}"))["label"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

pub fn text(element: &scraper::ElementRef) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks that every internal link, stylesheet and image in every HTML file under
/// `out` points to a file that exists (and, for `#fragment`s, to an element with
/// that id). Returns the number of links checked.
pub fn check_links(out: &Path) -> usize {
    let mut checked = 0;
    let mut broken = Vec::new();
    let pages: Vec<PathBuf> = files(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    for page in &pages {
        if page.file_name().unwrap() == "404.html" {
            continue; // uses absolute paths from base_url; checked separately
        }
        let html = Html::parse_document(&std::fs::read_to_string(page).unwrap());
        for (css, attr) in [
            ("a[href]", "href"),
            ("link[href]", "href"),
            ("img[src]", "src"),
            ("script[src]", "src"),
        ] {
            for element in select(&html, css) {
                let target = element.value().attr(attr).unwrap();
                if target.contains(':') {
                    continue; // external: http(s), mailto
                }
                checked += 1;
                let (path_part, fragment) = match target.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (target, None),
                };
                let path_part = path_part.split('?').next().unwrap();
                let mut file = if path_part.is_empty() {
                    page.clone()
                } else {
                    normalise(&page.parent().unwrap().join(path_part))
                };
                if path_part.ends_with('/')
                    || path_part == "."
                    || path_part == "./"
                    || file.is_dir()
                {
                    file = file.join("index.html");
                }
                if !file.starts_with(out) || !file.is_file() {
                    broken.push(format!(
                        "{}: {target}",
                        page.strip_prefix(out).unwrap().display()
                    ));
                    continue;
                }
                if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                    let target_html =
                        Html::parse_document(&std::fs::read_to_string(&file).unwrap());
                    if select(&target_html, &format!("[id=\"{fragment}\"]")).is_empty() {
                        broken.push(format!(
                            "{}: {target} (no #{fragment})",
                            page.strip_prefix(out).unwrap().display()
                        ));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    checked
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// SplitMix64: a small, fixed pseudo-random stream for generated catalogues.
pub struct Stream(pub u64);

impl Stream {
    /// The next number of the stream.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Serves the files under `root` over HTTP/1.1 on 127.0.0.1, one request per
/// connection, for pages that need a real origin (the browser tests). The
/// accept loop is bounded and ends when the server is dropped.
pub struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

const MAX_CONNECTIONS: usize = 100_000;

impl StaticServer {
    /// Starts serving `root` on a free loopback port.
    pub fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let root = root.clone();
                    std::thread::spawn(move || serve_file(stream, &root));
                }
            }
        });
        StaticServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// The full URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_file(stream: TcpStream, root: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Read (and ignore) the headers, with a bound.
    let mut header = String::new();
    for _ in 0..100 {
        header.clear();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path);
    let mut file = root.to_path_buf();
    let mut safe = true;
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == ".." || segment.contains('\\') {
            safe = false;
        }
        file.push(segment);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(bytes) if safe => ("200 OK", bytes, content_type(&file)),
        _ => (
            "404 Not Found",
            std::fs::read(root.join("404.html")).unwrap_or_default(),
            "text/html; charset=utf-8",
        ),
    };
    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = out.write_all(&body);
    }
    let _ = out.flush();
    // Drain anything unread so closing does not reset the connection early.
    let _ = out.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = reader.read(&mut [0; 64]);
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&path[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
