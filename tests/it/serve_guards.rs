//! `casebook serve` against slow or hostile clients: half-open and idle
//! connections are closed after the header timeout and do not starve real
//! requests; an IPv4-mapped loopback bind keeps the Host guard; encoded
//! slashes are refused. Real binary, 127.0.0.1, ephemeral ports, bounded waits.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::util::TestSite;

const DEADLINE: Duration = Duration::from_secs(30);

/// A running `casebook serve`, killed when dropped.
struct Preview {
    child: Child,
    port: u16,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Preview {
    /// Starts the preview with `args` (and a 500 ms header timeout) and waits for its URL.
    fn start(site: &TestSite, args: &[&str]) -> Preview {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .arg("serve")
            .arg("--root")
            .arg(site.root())
            .args(["--port", "0"])
            .args(args)
            .env("CASEBOOK_TEST_HEADER_TIMEOUT_MS", "500")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut all = sink.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        let started = Instant::now();
        let port = loop {
            let line = rx
                .recv_timeout(DEADLINE.saturating_sub(started.elapsed()))
                .expect("serve printed no URL");
            if let Some(rest) = line.strip_prefix("serving at http://") {
                let port = rest.trim_end_matches('/').rsplit(':').next().unwrap();
                break port.parse().unwrap();
            }
        };
        Preview {
            child,
            port,
            stderr,
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        stream
    }

    /// One request on a new connection; the status code.
    fn status(&self, path: &str, host: &str) -> u16 {
        let mut stream = self.connect();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status in {response:?}"))
    }
}

/// Whether the server closed `stream` (end of file or reset) within the deadline.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => continue, // a response, or an error page; keep reading to the end
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false, // the read timed out: still open
        }
    }
}

#[test]
fn half_open_and_idle_connections_are_closed_and_do_not_starve_the_preview() {
    let site = TestSite::fixture("basic");
    let preview = Preview::start(&site, &[]);
    // 150 connections that never send anything, 150 that stop halfway through
    // the headers, and one that is idle after a complete request.
    let mut silent: Vec<TcpStream> = (0..150).map(|_| preview.connect()).collect();
    let mut partial: Vec<TcpStream> = (0..150)
        .map(|_| {
            let mut s = preview.connect();
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    let mut idle = preview.connect();
    write!(idle, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    // Meanwhile real requests are answered.
    let started = Instant::now();
    assert_eq!(preview.status("/", "localhost"), 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    // All of them are closed by the server, well within the deadline.
    let started = Instant::now();
    for stream in silent.iter_mut().chain(partial.iter_mut()) {
        assert!(closed_by_server(stream), "a connection stayed open");
    }
    assert!(
        closed_by_server(&mut idle),
        "an idle keep-alive connection stayed open"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    // And the preview still answers afterwards.
    assert_eq!(preview.status("/", "localhost"), 200);
}

#[test]
fn encoded_slashes_in_paths_are_refused() {
    let site = TestSite::fixture("basic");
    let preview = Preview::start(&site, &[]);
    assert_eq!(preview.status("/practices/p1/", "localhost"), 200);
    for path in ["/practices%2fp1/", "/practices%2Fp1/index.html", "/%2F"] {
        assert_eq!(preview.status(path, "localhost"), 400, "{path}");
    }
}

#[test]
fn an_ipv4_mapped_loopback_bind_keeps_the_host_guard() {
    let site = TestSite::fixture("basic");
    let preview = Preview::start(&site, &["--bind", "::ffff:127.0.0.1"]);
    // Reached over IPv4 at 127.0.0.1: the socket is the mapped address.
    assert_eq!(preview.status("/", "localhost"), 200);
    assert_eq!(preview.status("/", "127.0.0.1"), 200);
    assert_eq!(preview.status("/", "[::ffff:127.0.0.1]"), 200);
    // A rebinding attack's host name is refused, as on 127.0.0.1.
    assert_eq!(preview.status("/", "evil.example"), 403);
    let stderr = preview.stderr.lock().unwrap().clone();
    assert!(
        !stderr.contains("visible on the network"),
        "loopback was called exposed:\n{stderr}"
    );
}
