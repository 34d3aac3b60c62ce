//! `casebook serve` against slow or hostile clients: half-open and idle
//! connections are closed after the header timeout and do not starve real
//! requests; an IPv4-mapped loopback bind keeps the Host guard; encoded
//! slashes are refused. Real binary, 127.0.0.1, ephemeral ports, bounded waits.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::serve::Server;
use crate::util::TestSite;

const DEADLINE: Duration = Duration::from_secs(30);

/// A running `casebook serve` with a 500 ms header timeout, killed when dropped.
struct Preview {
    server: Server,
    port: u16,
}

impl Preview {
    /// Starts the preview with `args` and waits for its URL.
    fn start(site: &TestSite, args: &[&str]) -> Preview {
        let server = Server::start_with(
            site.root(),
            args,
            &[("CASEBOOK_TEST_HEADER_TIMEOUT_MS", "500")],
        );
        Preview {
            port: server.port,
            server,
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
    let stderr = preview.server.stderr();
    assert!(
        !stderr.contains("visible on the network"),
        "loopback was called exposed:\n{stderr}"
    );
}
