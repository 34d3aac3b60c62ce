//! What `casebook serve` answers: content types, redirects, the 404 page,
//! paths that try to leave the site, bad usage, a clean stop and many
//! connections at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use super::{parse_head, request, site, Events, Server, DEADLINE, POLL};
use crate::util::{files, repo, run, TestSite};

#[test]
fn serves_pages_with_types_redirects_head_and_the_404_page() {
    let site = site();
    let server = Server::start(site.root());

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
fn paths_cannot_leave_the_site() {
    let site = site();
    let server = Server::start(site.root());
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
    let output = site.run(&["serve", "--port", &port]);
    assert_eq!(output.code, 1);
    let stderr = &output.stderr;
    assert!(
        stderr.contains(&format!("port {port}")) && stderr.contains("--port"),
        "{stderr}"
    );
}

#[test]
fn bad_usage_and_missing_sites() {
    let output = run(&["serve", "--bind", "nowhere"], &repo());
    assert_eq!(output.code, 2);
    let empty = TestSite::empty();
    let output = empty.run(&["serve", "--port", "0"]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("catalogue.yaml not found"));
}

#[test]
fn build_output_has_no_live_reload() {
    let site = site();
    let out = site.path("public");
    site.build();
    for entry in files(&out) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains("__casebook") && !text.contains("casebook-live"),
            "{}",
            entry.display()
        );
    }
}

#[cfg(unix)]
#[test]
fn sigterm_stops_cleanly_and_nothing_is_written() {
    let site = site();
    let mut server = Server::start(site.root());
    let _events = Events::open(server.port); // an open event stream must not hold up the stop
    assert_eq!(server.get("/").status, 200);
    let before = files(site.root());
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
    assert_eq!(files(site.root()), before, "serve wrote to the site folder");
    assert!(!site.path("public").exists());
}

/// 200 connections at once, 20 requests each over keep-alive, on loopback; every
/// response must be a complete 200. Not timed (it takes about a second).
#[test]
fn many_concurrent_connections() {
    let site = site();
    let server = Server::start(site.root());
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
