//! An import into a site being previewed shows up like any other edit: the
//! files it creates and rewrites under `content/` are seen by the watcher,
//! the site is rebuilt and open pages get a reload.

use super::{site, wait_until, Events, Server};

#[test]
fn an_import_shows_up_in_the_open_preview() {
    let site = site();
    let server = Server::start(site.root());
    let mut events = Events::open(server.port);
    // Outside the watched folders, so writing the sheet itself changes nothing.
    let sheet = site.path("cases.csv");
    std::fs::write(
        &sheet,
        concat!(
            "id,title,sectors,countries,body\n",
            "P4,Imported case,health,Denmark,IMPORT-MARKER-4\n",
            "P1,Recovery renamed,health,DK,\n",
        ),
    )
    .unwrap();
    let run = site.run(&[
        "import",
        sheet.to_str().unwrap(),
        "--kind",
        "practice",
        "--update",
    ]);
    run.assert_code(0);
    events.read_until(|l| l == "event: reload");
    wait_until("the new entry is served", || {
        server
            .get("/practices/p4/")
            .text()
            .contains("IMPORT-MARKER-4")
    });
    wait_until("the home page lists the new and the renamed entry", || {
        let home = server.get("/").text();
        home.contains("Imported case") && home.contains("Recovery renamed")
    });
    let csv = server.get("/practices/entries.csv").text();
    assert!(
        csv.contains("Imported case") && csv.contains("Recovery renamed"),
        "{csv}"
    );
}
