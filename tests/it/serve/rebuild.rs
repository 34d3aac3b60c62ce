//! What an edit under a running `casebook serve` changes: the page, the lists
//! that show the entry, the reload events, and the overlay when a file breaks.

use super::{replace_in, site, wait_until, Events, Server};

#[test]
fn an_edit_is_served_without_a_restart() {
    let site = site();
    let server = Server::start(site.root());
    let file = site.path("content/practices/p2.md");
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
    let server = Server::start(site.root());
    let mut events = Events::open(server.port);
    replace_in(
        &site.path("content/practices/p3.md"),
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
    let server = Server::start(site.root());
    let mut events = Events::open(server.port);
    std::fs::write(site.path("static/extra.css"), ".fixture { color: navy; }\n").unwrap();
    let seen = events.read_until(|l| l == "event: css" || l == "event: reload");
    assert!(seen.contains("event: css"), "{seen}");
    wait_until("the new stylesheet is served", || {
        server.get("/extra.css").text().contains("navy")
    });
}

#[test]
fn a_broken_entry_keeps_the_last_good_page_with_an_overlay() {
    let site = site();
    let server = Server::start(site.root());
    let file = site.path("content/practices/p3.md");
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
        stderr.contains("content/practices/p3.md:") && stderr.contains("is never closed")
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
    let file = site.path("content/practices/p1.md");
    replace_in(&file, "sectors: [health]", "sectors: [helth]");
    let server = Server::start(site.root());
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
