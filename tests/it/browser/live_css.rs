//! The live preview refreshes an open page's stylesheets in place, however
//! the editor saves the CSS file: by writing a temporary file and renaming it
//! over the old one, by writing it in place, or by `sed -i`.

use std::process::Command;

use super::{block_on, js, one_at_a_time, tools, wait_until, with_browser};
use crate::serve::{site, Server};

/// The colour the page's body outline has now, as the browser computes it.
const OUTLINE: &str = "getComputedStyle(document.body).outlineColor";

#[test]
#[ignore = "needs Chromium and ChromeDriver; run with --ignored browser"]
fn css_saved_by_rename_in_place_or_sed_refreshes_the_open_page_without_a_reload() {
    let tools = tools();
    let _turn = one_at_a_time();
    let site = site();
    site.write(
        "static/custom.css",
        "body { outline-color: rgb(1, 1, 1); }\n",
    );
    let server = Server::start(site.root());
    let url = format!("http://127.0.0.1:{}/", server.port);
    let css = site.path("static/custom.css");
    let static_dir = site.path("static");
    block_on(with_browser(&tools, move |client| async move {
        client.goto(&url).await.unwrap();
        wait_until(&client, &format!("{OUTLINE} === 'rgb(1, 1, 1)'")).await;
        // A reload would lose this.
        js(&client, "window.__casebook_kept = true; return null;").await;

        // Saved by rename, as many editors do.
        let temporary = static_dir.join("custom.css.new");
        std::fs::write(&temporary, "body { outline-color: rgb(2, 2, 2); }\n").unwrap();
        std::fs::rename(&temporary, &css).unwrap();
        wait_until(&client, &format!("{OUTLINE} === 'rgb(2, 2, 2)'")).await;

        // Written in place.
        std::fs::write(&css, "body { outline-color: rgb(3, 3, 3); }\n").unwrap();
        wait_until(&client, &format!("{OUTLINE} === 'rgb(3, 3, 3)'")).await;

        // `sed -i`: a temporary file of another name, renamed over it.
        let sed = Command::new("sed")
            .args(["-i", "s/rgb(3, 3, 3)/rgb(4, 4, 4)/"])
            .arg(&css)
            .status()
            .expect("run sed");
        assert!(sed.success());
        wait_until(&client, &format!("{OUTLINE} === 'rgb(4, 4, 4)'")).await;

        let kept = js(&client, "return window.__casebook_kept === true;").await;
        assert_eq!(kept, serde_json::json!(true), "the page was reloaded");
    }));
    drop(server);
}
