//! Paths, lookups, media types, injection, the overlay and the Host guard.

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
        html.contains("content/practices/p1.md:4:10: unknown sector &quot;&lt;script&gt;&quot;"),
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
