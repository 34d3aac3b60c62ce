//! The home page of a generated 2,000-entry catalogue paged 20 at a time: the
//! page itself carries one page of entries; filters, "Show more" and search
//! work on the data loaded after it, against counts computed independently
//! (`filter_model.rs`); a tick made before the script is ready is kept.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fantoccini::Locator;
use serde_json::json;

use super::*;
use crate::util::build_into;

/// Entries per page in the generated site.
const PER_PAGE: usize = 20;

/// The generated site, built once per test binary: its output folder.
pub(super) fn big_site() -> &'static Path {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &SITE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("site");
            std::fs::create_dir_all(&root).unwrap();
            crate::scale::generate(&root);
            let yaml = root.join("catalogue.yaml");
            let mut text = std::fs::read_to_string(&yaml).unwrap();
            text.push_str(&format!("paginate_by: {PER_PAGE}\n"));
            std::fs::write(&yaml, text).unwrap();
            let out = dir.path().join("public");
            let run = build_into(&root, &out);
            assert_eq!(run.code, 0, "build failed: {}", run.stderr);
            (dir, out)
        })
        .1
}

fn on_big_site<F, Fut>(body: F)
where
    F: FnOnce(Client, Model, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let tools = tools();
    let _turn = one_at_a_time();
    let site = big_site();
    let model = Model::from_json(&std::fs::read_to_string(site.join("catalogue.json")).unwrap());
    let server = StaticServer::start(site);
    let base = server.url("/");
    block_on(with_browser(&tools, move |client| {
        body(client, model, base)
    }));
}

#[test]
fn the_big_home_page_is_small_and_paged() {
    let site = big_site();
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.len() < 40_000, "home page is {} bytes", home.len());
    assert_eq!(home.matches("<li data-entry=").count(), PER_PAGE);
    // 2,000 entries at 20 a page: page/2/ … page/100/, never page/1/.
    assert!(site.join("page/100/index.html").is_file());
    assert!(!site.join("page/101").exists());
    assert!(!site.join("page/1").exists());
    let data = std::fs::metadata(site.join("browse-data.js"))
        .unwrap()
        .len();
    assert!(data < 20_000, "browse-data.js is {data} bytes");
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn big_catalogue_filters_page_and_search() {
    on_big_site(|client, model, home| async move {
        open_home(&client, &home).await;
        let none = Filter::default();
        assert_view_paged(&client, &model, &none, PER_PAGE, "nothing ticked").await;
        let mut filter = none.clone();
        for (facet, value) in [
            ("countries", "GB"),
            ("sectors", "health"),
            ("clusters", "commitment"),
        ] {
            click_value(&client, facet, value).await;
            filter = filter.with(facet, &[value]);
            assert_view_paged(&client, &model, &filter, PER_PAGE, value).await;
        }
        // OR within a facet, then exact combinations.
        click_value(&client, "countries", "DK").await;
        filter = filter.with("countries", &["DK"]);
        assert_view_paged(&client, &model, &filter, PER_PAGE, "GB or DK").await;
        open_home(
            &client,
            &format!("{home}?sectors=health+education&kind=practice"),
        )
        .await;
        let exact = Filter::parse("?sectors=health+education&kind=practice");
        assert_view_paged(
            &client,
            &model,
            &exact,
            PER_PAGE,
            "exactly health and education",
        )
        .await;

        // "Show more" adds the next page of matches; the DOM holds no more.
        let expected = model.matching(&exact);
        assert!(expected.len() > 2 * PER_PAGE, "{}", expected.len());
        click(&client, Locator::Css("[data-more] button")).await;
        wait_drawn(&client).await;
        assert_eq!(shown(&client).await, expected[..2 * PER_PAGE]);
        assert_eq!(
            status(&client).await,
            status_text(expected.len(), 2 * PER_PAGE)
        );
        let items = js(
            &client,
            "return document.querySelectorAll('[data-entry]').length;",
        )
        .await;
        assert_eq!(items, json!(2 * PER_PAGE));

        // Search combines with the filters: every hit is among the matches.
        let input = client.find(Locator::Id("filter-q")).await.unwrap();
        input.send_keys("budget").await.unwrap();
        wait_until(&client, "location.search.indexOf('q=budget') >= 0").await;
        wait_until(
            &client,
            "document.querySelector('form[data-filters]').dataset.search === 'ready'",
        )
        .await;
        wait_until(
            &client,
            &format!("window.casebookBrowse.shown < {}", expected.len()),
        )
        .await;
        wait_drawn(&client).await;
        let hits = shown(&client).await;
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|id| expected.contains(id)), "{hits:?}");
        screenshot(&client, "big-home-filtered-search.png").await;
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn a_tick_made_before_the_script_is_ready_is_kept() {
    let tools = tools();
    let _turn = one_at_a_time();
    // A copy of the site whose home page starts browse.js only when told to.
    let copy = tempfile::tempdir().unwrap();
    crate::util::copy_dir(big_site(), copy.path());
    let index = copy.path().join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    let tag = "<script src=\"./browse.js\" defer></script>";
    assert!(html.contains(tag));
    std::fs::write(&index, html.replace(tag, "")).unwrap();
    let model =
        Model::from_json(&std::fs::read_to_string(big_site().join("catalogue.json")).unwrap());
    let server = StaticServer::start(copy.path());
    let home = server.url("/?countries=SE");
    block_on(with_browser(&tools, move |client| async move {
        client.goto(&home).await.unwrap();
        // The reader ticks Denmark before the script runs, then it starts.
        click_value(&client, "countries", "DK").await;
        js(
            &client,
            "const s = document.createElement('script'); s.src = './browse.js'; document.head.appendChild(s); return true;",
        )
        .await;
        wait_until(
            &client,
            "document.documentElement.dataset.browse === 'ready'",
        )
        .await;
        let dk = Filter::default().with("countries", &["DK"]);
        assert_view_paged(&client, &model, &dk, PER_PAGE, "early tick").await;
        assert_eq!(query(&client).await, "?countries=DK");
    }));
}
