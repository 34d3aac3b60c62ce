//! `casebook serve` end to end: the real binary on an ephemeral loopback port,
//! serving a copy of `tests/fixtures/serve/basic/` that the tests edit.
//!
//! Requests go through a raw HTTP/1.1 client on `TcpStream`, so paths reach the
//! server exactly as written (no client-side normalisation of `..` or `%2e`).
//! Nothing sleeps for a fixed time to wait for the server: every wait polls
//! with a deadline, and every loop is bounded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_casebook");
/// Generous: debug builds on a shared two-core machine.
const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/basic")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// A fresh copy of the fixture site.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    dir
}

/// A running `casebook serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
    stdout: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(root: &Path, extra: &[&str]) -> (Child, Receiver<String>, Arc<Mutex<String>>) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .arg("--root")
        .arg(root)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start casebook serve");
    let (tx, stdout) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let stderr = Arc::new(Mutex::new(String::new()));
    let err = child.stderr.take().unwrap();
    let sink = stderr.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let mut all = sink.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
    (child, stdout, stderr)
}

impl Server {
    /// Starts the preview on a free port and waits for the URL it prints.
    fn start(root: &Path) -> Server {
        let (child, stdout, stderr) = spawn(root, &["--port", "0"]);
        let mut server = Server {
            child,
            port: 0,
            stderr,
            stdout,
        };
        let started = Instant::now();
        while server.port == 0 {
            let left = DEADLINE.saturating_sub(started.elapsed());
            match server.stdout.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("serving at http://127.0.0.1:") {
                        server.port = rest
                            .trim_end_matches('/')
                            .parse()
                            .expect("a port in the URL");
                    }
                }
                Err(_) => panic!("no URL printed; stderr:\n{}", server.stderr()),
            }
        }
        server
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> Response {
        request(self.port, "GET", path)
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

fn parse_head(head: &str) -> (u16, HashMap<String, String>) {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers)
}

/// One request on its own connection; the path is sent exactly as given.
fn request(port: u16, method: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let (status, headers) = parse_head(&String::from_utf8_lossy(&raw[..split]));
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// Polls `check` until it returns true or the deadline passes.
fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while started.elapsed() < DEADLINE {
        if check() {
            return;
        }
        std::thread::sleep(POLL);
    }
    panic!("timed out waiting until {what}");
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// An open event stream, read line by line.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        write!(stream, "GET /__casebook/events HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n")
            .unwrap();
        let mut events = Events {
            reader: BufReader::new(stream),
        };
        let head = events.read_until(|l| l.is_empty());
        assert!(
            head.contains("200 OK") && head.contains("text/event-stream"),
            "{head}"
        );
        events.read_until(|l| l == "event: hello");
        events
    }

    /// Reads lines until one satisfies `done`; returns everything read.
    fn read_until(&mut self, done: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        let mut seen = String::new();
        while started.elapsed() < DEADLINE {
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("event stream closed; read:\n{seen}"),
                Ok(_) => {
                    seen.push_str(&line);
                    if done(line.trim_end_matches(['\r', '\n'])) {
                        return seen;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reading events: {e}"),
            }
        }
        panic!("timed out reading events; read:\n{seen}");
    }
}

#[test]
fn serves_pages_with_types_redirects_head_and_the_404_page() {
    let site = site();
    let server = Server::start(site.path());

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert!(home.text().contains("Serve fixture"));
    // The live-reload script is injected into served HTML, before </body>.
    let text = home.text();
    let script = text.find("/__casebook/events").expect("live script");
    assert!(script < text.rfind("</body>").unwrap());

    let page = server.get("/practices/p1/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Recovery keeps in personal contact"));

    let redirect = server.get("/practices/p1");
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("location"), "/practices/p1/");

    let css = server.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert!(!css.text().contains("__casebook"));
    assert_eq!(
        server.get("/catalogue.json").header("content-type"),
        "application/json"
    );
    assert_eq!(
        server.get("/summary/countries.csv").header("content-type"),
        "text/csv; charset=utf-8"
    );

    let head = request(server.port, "HEAD", "/practices/p1/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), page.body.len().to_string());

    let missing = server.get("/practices/p99/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "the site's 404.html"
    );
    assert_eq!(request(server.port, "POST", "/").status, 405);

    let long = format!("/{}", "a".repeat(5000));
    assert_eq!(server.get(&long).status, 414);
}

#[test]
fn an_edit_is_served_without_a_restart() {
    let site = site();
    let server = Server::start(site.path());
    let file = site.path().join("content/practices/p2.md");
    replace_in(&file, "plan together.", "plan together. EDIT-MARKER-7f3a");
    wait_until("the edit is served", || {
        server
            .get("/practices/p2/")
            .text()
            .contains("EDIT-MARKER-7f3a")
    });
    // A second edit to the same file, after the first was picked up.
    replace_in(&file, "EDIT-MARKER-7f3a", "EDIT-MARKER-second");
    wait_until("the second edit is served", || {
        server
            .get("/practices/p2/")
            .text()
            .contains("EDIT-MARKER-second")
    });
    // A title edit reaches the lists that show the entry.
    replace_in(
        &file,
        "title: Joint schooling",
        "title: Joint schooling renamed",
    );
    wait_until("the home page shows the new title", || {
        server.get("/").text().contains("Joint schooling renamed")
    });
    assert!(server
        .get("/sectors/health+education/")
        .text()
        .contains("Joint schooling renamed"));
}

#[test]
fn open_pages_get_a_reload_event_after_an_edit() {
    let site = site();
    let server = Server::start(site.path());
    let mut events = Events::open(server.port);
    replace_in(
        &site.path().join("content/practices/p3.md"),
        "every service.",
        "every service, now.",
    );
    events.read_until(|l| l == "event: reload");
    let data = events.read_until(|l| l.starts_with("data:"));
    assert!(data.contains("/practices/p3/"), "{data}");
}

#[test]
fn a_stylesheet_change_refreshes_styles_without_a_reload() {
    let site = site();
    let server = Server::start(site.path());
    let mut events = Events::open(server.port);
    std::fs::write(
        site.path().join("static/extra.css"),
        ".fixture { color: navy; }\n",
    )
    .unwrap();
    let seen = events.read_until(|l| l == "event: css" || l == "event: reload");
    assert!(seen.contains("event: css"), "{seen}");
    wait_until("the new stylesheet is served", || {
        server.get("/extra.css").text().contains("navy")
    });
}

#[test]
fn a_broken_entry_keeps_the_last_good_page_with_an_overlay() {
    let site = site();
    let server = Server::start(site.path());
    let file = site.path().join("content/practices/p3.md");
    let good = std::fs::read_to_string(&file).unwrap();
    // An unclosed flow sequence on line 4.
    replace_in(&file, "sectors: [education]", "sectors: [education");
    wait_until("the overlay is shown", || {
        server
            .get("/practices/p3/")
            .text()
            .contains("casebook-overlay")
    });
    let page = server.get("/practices/p3/");
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("One desk for every service."),
        "the last good page stays"
    );
    assert!(
        page.text().contains("content/practices/p3.md:"),
        "the overlay names the file"
    );
    assert!(
        server.get("/").text().contains("casebook-overlay"),
        "every page shows it"
    );
    // (The watcher may catch the file half-written first; the final error follows.)
    wait_until("the error is in stderr", || {
        let stderr = server.stderr();
        stderr.contains("content/practices/p3.md:") && stderr.contains("invalid YAML")
    });

    std::fs::write(
        &file,
        good.replace("every service.", "every service, fixed."),
    )
    .unwrap();
    wait_until("the fix is served", || {
        server
            .get("/practices/p3/")
            .text()
            .contains("every service, fixed.")
    });
    assert!(!server
        .get("/practices/p3/")
        .text()
        .contains("casebook-overlay"));
    assert!(!server.get("/").text().contains("casebook-overlay"));
}

#[test]
fn a_failed_first_build_serves_an_error_page_until_fixed() {
    let site = site();
    let file = site.path().join("content/practices/p1.md");
    replace_in(&file, "sectors: [health]", "sectors: [helth]");
    let server = Server::start(site.path());
    let page = server.get("/practices/p1/");
    assert_eq!(page.status, 500);
    assert!(
        page.text()
            .contains("content/practices/p1.md:4:11: unknown sector &quot;helth&quot;"),
        "{}",
        page.text()
    );
    assert!(server
        .get("/anything/at/all")
        .text()
        .contains("casebook-overlay"));
    assert!(server
        .stderr()
        .contains("content/practices/p1.md:4:11: unknown sector \"helth\""));

    replace_in(&file, "sectors: [helth]", "sectors: [health]");
    wait_until("the site recovers", || {
        server.get("/practices/p1/").status == 200
    });
    assert!(!server
        .get("/practices/p1/")
        .text()
        .contains("casebook-overlay"));
}

#[test]
fn paths_cannot_leave_the_site() {
    let site = site();
    let server = Server::start(site.path());
    let secret = "kinds:"; // a line of catalogue.yaml, which is never an output file
    for path in [
        "/../catalogue.yaml",
        "/%2e%2e/catalogue.yaml",
        "/%2E%2E/catalogue.yaml",
        "/..%2fcatalogue.yaml",
        "/..%2Fcatalogue.yaml",
        "/%2e%2e%5ccatalogue.yaml",
        "/..%5ccatalogue.yaml",
        "/practices/../../catalogue.yaml",
        "/practices/%2e%2e/%2e%2e/catalogue.yaml",
        "/catalogue.yaml",
        "/content/practices/p1.md",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/..\\catalogue.yaml",
        "/%00",
    ] {
        let response = server.get(path);
        assert!(
            matches!(response.status, 400 | 404),
            "{path}: {}",
            response.status
        );
        assert!(!response.text().contains(secret), "{path} leaked the file");
        assert!(
            !response.text().contains("root:"),
            "{path} leaked /etc/passwd"
        );
    }
    // A request addressed to another host name is refused (DNS rebinding).
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 403"), "{raw}");
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let site = site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(BIN)
        .args(["serve", "--port", &port, "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("port {port}")) && stderr.contains("--port"),
        "{stderr}"
    );
}

#[test]
fn bad_usage_and_missing_sites() {
    let output = Command::new(BIN)
        .args(["serve", "--bind", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["serve", "--port", "0", "--root"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("catalogue.yaml not found"));
}

#[test]
fn build_output_has_no_live_reload() {
    let site = site();
    let out = site.path().join("public");
    let output = Command::new(BIN)
        .args(["build", "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for entry in walk(&out) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains("__casebook") && !text.contains("casebook-live"),
            "{}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir).unwrap() {
        let path = item.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn sigterm_stops_cleanly_and_nothing_is_written() {
    let site = site();
    let mut server = Server::start(site.path());
    let _events = Events::open(server.port); // an open event stream must not hold up the stop
    assert_eq!(server.get("/").status, 200);
    let before = walk(site.path());
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(started.elapsed() < DEADLINE, "still running after SIGTERM");
        std::thread::sleep(POLL);
    };
    assert!(exit.success(), "{exit:?}; stderr:\n{}", server.stderr());
    assert_eq!(walk(site.path()), before, "serve wrote to the site folder");
    assert!(!site.path().join("public").exists());
}

/// 200 connections at once, 20 requests each over keep-alive, on loopback; every
/// response must be a complete 200. Not timed (it takes about a second).
#[test]
fn many_concurrent_connections() {
    let site = site();
    let server = Server::start(site.path());
    let port = server.port;
    let paths = [
        "/",
        "/practices/p1/",
        "/style.css",
        "/catalogue.json",
        "/sectors/health/",
    ];
    let threads: Vec<_> = (0..200)
        .map(|t| {
            std::thread::spawn(move || -> Result<(), String> {
                let mut stream =
                    TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
                stream
                    .set_read_timeout(Some(Duration::from_secs(30)))
                    .unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                for i in 0..20 {
                    let path = paths[(t + i) % paths.len()];
                    write!(
                        stream,
                        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
                    )
                    .map_err(|e| e.to_string())?;
                    let mut head = Vec::new();
                    for _ in 0..64 {
                        let mut line = String::new();
                        reader.read_line(&mut line).map_err(|e| e.to_string())?;
                        let line = line.trim_end().to_string();
                        if line.is_empty() {
                            break;
                        }
                        head.push(line);
                    }
                    let (status, headers) = parse_head(&head.join("\r\n"));
                    if status != 200 {
                        return Err(format!("{path}: status {status}"));
                    }
                    let length: usize = headers["content-length"]
                        .parse()
                        .map_err(|_| "no length".to_string())?;
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
                }
                Ok(())
            })
        })
        .collect();
    let failures: Vec<String> = threads
        .into_iter()
        .filter_map(|t| t.join().unwrap().err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
}
