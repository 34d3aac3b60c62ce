//! Hostile input in a real browser: a script injected through the catalogue,
//! an entry's fields or its Markdown body never runs on a built page.

use super::{chromium, dump_dom, one_at_a_time};
use crate::util::TestSite;

/// Opens pages in headless Chromium and reads the DOM after scripts ran: an
/// injected script that ran would have set `data-pwned` on the root element.
#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn no_injected_script_runs_in_a_real_browser() {
    let chromium = chromium();
    let _turn = one_at_a_time();
    let site = TestSite::fixture("basic");
    let payload = "<script>document.documentElement.dataset.pwned=1</script>";
    // Control: the same payload in a plain file does run, so the check below can fail.
    std::fs::write(
        site.path("control.html"),
        format!("<!doctype html><html><body>{payload}</body></html>"),
    )
    .unwrap();
    assert!(dump_dom(&chromium, &site.path("control.html")).contains("data-pwned"));
    let config = site
        .read("catalogue.yaml")
        .replace("label: Denmark", &format!("label: \"Den{payload}mark\""));
    site.write("catalogue.yaml", &config);
    site.write(
        "content/practices/x.md",
        &format!(
            "---\nid: P60\ntitle: '\"><img src=x onerror=\"document.documentElement.dataset.pwned=1\">{payload}'\ncountries: [DK]\nnote: '{payload}'\nhomepage: 'javascript:document.documentElement.dataset.pwned=1'\n---\n{payload}\n\n<img src=x onerror=\"document.documentElement.dataset.pwned=1\">\n\n<svg onload=\"document.documentElement.dataset.pwned=1\"></svg>\n\n[click](javascript:document.documentElement.dataset.pwned=1)\n"
        ),
    );
    site.build();
    for page in [
        "practices/p60/index.html",
        "countries/dk/index.html",
        "index.html",
        "summary/countries/index.html",
    ] {
        let dom = dump_dom(&chromium, &site.path("public").join(page));
        assert!(
            dom.contains("<body"),
            "{page}: chromium gave no DOM:\n{dom}"
        );
        assert!(!dom.contains("data-pwned"), "{page}: injected script ran");
    }
}
