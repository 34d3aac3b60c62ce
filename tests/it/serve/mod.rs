//! `casebook serve` end to end: the real binary on an ephemeral loopback port,
//! serving a copy of `tests/fixtures/serve/basic/` that the tests edit.
//!
//! Requests go through a raw HTTP/1.1 client on `TcpStream`, so paths reach the
//! server exactly as written (no client-side normalisation of `..` or `%2e`).
//! Nothing sleeps for a fixed time to wait for the server: every wait polls
//! with a deadline, and every loop is bounded. This file holds the server
//! process, the client and the event stream; `serving.rs` checks what is
//! served, `rebuild.rs` what an edit changes.

mod import;
mod rebuild;
mod serving;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::{TestSite, BIN};

/// Generous: debug builds on a shared two-core machine.
const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);

/// A fresh copy of the fixture site.
pub(crate) fn site() -> TestSite {
    TestSite::fixture("serve/basic")
}

/// A running `casebook serve`, killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    stderr: Arc<Mutex<String>>,
    stdout: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(
    root: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Child, Receiver<String>, Arc<Mutex<String>>) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .arg("--root")
        .arg(root)
        .args(extra)
        .envs(env.iter().copied())
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
    pub(crate) fn start(root: &Path) -> Server {
        Server::start_with(root, &[], &[])
    }

    /// [`Server::start`] with more arguments and environment variables.
    pub(crate) fn start_with(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut extra = vec!["--port", "0"];
        extra.extend_from_slice(args);
        let (child, stdout, stderr) = spawn(root, &extra, env);
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
                    // `http://127.0.0.1:PORT/`, or `http://[::ffff:127.0.0.1]:PORT/`.
                    if let Some(rest) = line.strip_prefix("serving at http://") {
                        let port = rest.trim_end_matches('/').rsplit(':').next();
                        server.port = port
                            .and_then(|p| p.parse().ok())
                            .expect("a port in the URL");
                    }
                }
                Err(_) => panic!("no URL printed; stderr:\n{}", server.stderr()),
            }
        }
        server
    }

    pub(crate) fn stderr(&self) -> String {
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
