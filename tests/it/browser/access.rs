//! Access in a browser: without JavaScript, from the keyboard, on a 320 px
//! screen, and under axe-core's WCAG 2.2 AA rules.

use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::json;

use super::*;

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn without_javascript_the_home_page_lists_every_entry_page_by_page_and_links_facet_pages() {
    in_browser_without_scripts(|client, model, base| async move {
        let home = format!("{base}?countries=DK");
        client.goto(&home).await.unwrap();
        let panel = client.find(Locator::Css(".finder-filters")).await.unwrap();
        assert!(
            !panel.is_displayed().await.unwrap(),
            "filters shown without scripts"
        );
        let browse = client.find(Locator::Css(".browse")).await.unwrap();
        assert!(browse.is_displayed().await.unwrap());
        // Every entry is listed, a page at a time, in catalogue order (the
        // query string does nothing without scripts); the pager links pages.
        let all: Vec<String> = model.entries.iter().map(|e| e.id.clone()).collect();
        let mut seen: Vec<String> = Vec::new();
        loop {
            let listed = client
                .find_all(Locator::Css("main li[data-entry]"))
                .await
                .unwrap();
            assert!(listed.len() <= SHIPPED_PER_PAGE);
            assert!(listed[listed.len() - 1].is_displayed().await.unwrap());
            for li in &listed {
                seen.push(li.attr("data-entry").await.unwrap().unwrap());
            }
            match client.find(Locator::Css("main .pager a[rel=next]")).await {
                Ok(next) => next.click().await.unwrap(),
                Err(_) => break,
            }
        }
        assert_eq!(seen, all);
        client.goto(&home).await.unwrap();
        // The facet value pages are a click away, and they work.
        click(&client, Locator::Css(".browse a[href=\"./countries/dk/\"]")).await;
        let dk = model.matching(&Filter::default().with("countries", &["DK"]));
        let on_page = client
            .find_all(Locator::Css("main li[data-entry]"))
            .await
            .unwrap();
        assert_eq!(on_page.len(), dk.len());
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn keyboard_reaches_every_control_with_a_visible_focus_ring() {
    in_browser(|client, model, home| async move {
        open_home(&client, &home).await;
        let tab = char::from(Key::Tab).to_string();
        // The first Tab reaches the skip link, which is shown when focused.
        press(&client, &tab).await;
        assert_eq!(
            js(&client, "return document.activeElement.className;").await,
            json!("skip-link")
        );
        // From the search box, Tab visits every enabled checkbox in order, then the button.
        let expected: Vec<String> = serde_json::from_value(
            js(
                &client,
                "return Array.from(document.querySelectorAll('form[data-filters] input:not([type=search]), form[data-filters] button')).filter(e => !e.disabled).map(e => e.id || e.textContent.trim());",
            )
            .await,
        )
        .unwrap();
        assert!(expected.len() > 40, "{expected:?}");
        click(&client, Locator::Id("filter-q")).await;
        let focus_ring = "(() => { const e = document.activeElement, s = getComputedStyle(e); \
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; \
            const shadow = s.boxShadow !== 'none'; \
            return [e.id || e.textContent.trim(), e.matches(':focus-visible'), outline || shadow]; })()";
        let first: (String, bool, bool) =
            serde_json::from_value(js(&client, &format!("return {focus_ring};")).await).unwrap();
        assert_eq!(
            first,
            ("filter-q".to_string(), true, true),
            "search box focus"
        );
        for want in &expected {
            press(&client, &tab).await;
            let (id, visible, ring): (String, bool, bool) =
                serde_json::from_value(js(&client, &format!("return {focus_ring};")).await)
                    .unwrap();
            assert_eq!(&id, want, "tab order");
            assert!(visible && ring, "{id}: no visible focus indicator");
        }
        // Space ticks a checkbox from the keyboard.
        client
            .find(Locator::Css("input[name=countries][value=DK]"))
            .await
            .unwrap()
            .send_keys(" ")
            .await
            .unwrap();
        let dk = Filter::default().with("countries", &["DK"]);
        assert_view(&client, &model, &dk, "ticked with Space").await;
    });
}

/// One page of every type of the shipped site, by URL.
const PAGE_TYPES: &[&str] = &[
    "",
    "?countries=DK&q=care",
    "page/2/",
    "practices/",
    "practices/p12/",
    "countries/",
    "countries/dk/",
    "sectors/health/",
    "sectors/health+education/",
    "summary/clusters-by-country/commitment/dk/",
    "summary/",
    "summary/sector-combinations/",
    "summary/clusters-by-country/",
    "guide/",
    "about/",
    "404.html",
];

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn no_page_is_wider_than_the_screen_from_320_to_1920_pixels() {
    in_browser(|client, _, base| async move {
        let mut wide = Vec::new();
        for (width, height) in [(320, 800), (390, 844), (1280, 1024), (1920, 1080)] {
            client.set_window_size(width, height).await.unwrap();
            for page in PAGE_TYPES {
                client.goto(&format!("{base}{page}")).await.unwrap();
                wait_until(&client, "document.readyState === 'complete'").await;
                if page.is_empty() || page.starts_with('?') {
                    wait_drawn(&client).await;
                }
                // Wide tables and code scroll inside their own box; the page itself never does.
                let overflow = js(
                    &client,
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                )
                .await;
                if overflow != json!(0) {
                    wide.push(format!("{page:?} at {width} px: {overflow} px too wide"));
                }
            }
        }
        assert!(wide.is_empty(), "{}", wide.join("\n"));
        client.set_window_size(320, 800).await.unwrap();
        client.goto(&format!("{base}?countries=DK")).await.unwrap();
        wait_drawn(&client).await;
        screenshot(&client, "home-320px.png").await;
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn axe_finds_no_wcag_violations() {
    let axe = axe_source();
    in_browser(|client, _, base| async move {
        let mut report = Vec::new();
        for (page, width) in [
            ("", 1280),
            ("?countries=DK&clusters=commitment&sectors=employment", 1280),
            ("practices/p12/", 1280),
            ("countries/dk/", 1280),
            ("sectors/health+education/", 1280),
            ("summary/sector-combinations/", 1280),
            ("summary/clusters-by-country/", 1280),
            ("summary/countries/", 1280),
            ("countries/", 1280),
            ("summary/countries/", 320),
            ("summary/clusters-by-country/", 320),
            ("", 320),
        ] {
            client.set_window_size(width, 1024).await.unwrap();
            client.goto(&format!("{base}{page}")).await.unwrap();
            wait_until(&client, "document.readyState === 'complete'").await;
            if page.is_empty() || page.starts_with('?') {
                wait_until(
                    &client,
                    "document.documentElement.dataset.browse === 'ready'",
                )
                .await;
            }
            client.execute(&axe, vec![]).await.unwrap();
            let violations = client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                        .then(r => done({ passes: r.passes.length, violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary) })) }))
                        .catch(e => done({ passes: 0, violations: [{ id: 'axe-error', help: String(e), nodes: [] }] }));",
                    vec![],
                )
                .await
                .unwrap();
            let passes = violations["passes"].as_u64().unwrap_or(0);
            let violations = violations["violations"].as_array().unwrap();
            eprintln!(
                "axe-core: /{page} at {width} px: {passes} rules passed, {} violations",
                violations.len()
            );
            assert!(passes > 10, "axe-core did not run on /{page}");
            for v in violations {
                report.push(format!("/{page} ({width} px): {v:#}"));
            }
        }
        assert!(
            report.is_empty(),
            "axe-core violations:\n{}",
            report.join("\n")
        );
    });
}
