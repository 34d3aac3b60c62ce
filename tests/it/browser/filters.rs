//! The home page's filters in a browser: ticking values, shared links, back
//! and forward, and summary counts that open the filtered view, each checked
//! against `catalogue.json`.

use std::collections::BTreeSet;

use fantoccini::Locator;
use serde_json::json;

use super::*;
use crate::filter_model::KIND;

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn filters_denmark_commitment_employment() {
    in_browser(|client, model, home| async move {
        open_home(&client, &home).await;
        let mut filter = Filter::default();
        assert_view(&client, &model, &filter, "nothing ticked").await;
        for (facet, value) in [
            ("countries", "DK"),
            ("clusters", "commitment"),
            ("sectors", "employment"),
        ] {
            click_value(&client, facet, value).await;
            filter = filter.with(facet, &[value]);
            assert_view(&client, &model, &filter, &format!("after ticking {value}")).await;
        }
        let denmark = model.matching(&Filter::default().with("countries", &["DK"]));
        let result = model.matching(&filter);
        assert!(
            !result.is_empty() && result.len() < denmark.len(),
            "{result:?}"
        );
        assert_eq!(
            query(&client).await,
            "?sectors=employment&clusters=commitment&countries=DK"
        );
        js(&client, "window.scrollTo(0, 0); return true;").await;
        screenshot(&client, "home-filtered.png").await;

        // OR within a facet: add Sweden; then the kind filter.
        click_value(&client, "countries", "SE").await;
        filter = filter.with("countries", &["SE"]);
        assert_view(&client, &model, &filter, "Denmark or Sweden").await;
        click_value(&client, KIND, "literature").await;
        filter = filter.with(KIND, &["literature"]);
        assert_view(&client, &model, &filter, "articles only").await;

        // A parent takes in its parts: United Kingdom shows the English entries.
        client.goto(&format!("{home}?countries=GB")).await.unwrap();
        wait_until(
            &client,
            "document.documentElement.dataset.browse === 'ready'",
        )
        .await;
        let uk = Filter::default().with("countries", &["GB"]);
        assert_view(&client, &model, &uk, "United Kingdom").await;
        let england = model.matching(&Filter::default().with("countries", &["GB-ENG"]));
        let shown_now: BTreeSet<String> = model.matching(&uk).into_iter().collect();
        assert!(!england.is_empty() && england.iter().all(|e| shown_now.contains(e)));

        // Clearing (from the link above the list) shows everything again.
        let clear_above = client
            .find(Locator::Css("[data-when-filtered] [data-clear]"))
            .await
            .unwrap();
        assert!(clear_above.is_displayed().await.unwrap());
        clear_above.click().await.unwrap();
        assert_view(&client, &model, &Filter::default(), "cleared from above").await;
        assert!(!clear_above.is_displayed().await.unwrap());
        click_value(&client, "countries", "SE").await;
        click(&client, Locator::Css("form[data-filters] [data-clear]")).await;
        assert_view(&client, &model, &Filter::default(), "cleared").await;
        assert_eq!(query(&client).await, "");
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn shared_links_open_the_filtered_view() {
    in_browser(|client, model, home| async move {
        for query in [
            "?sectors=employment&clusters=commitment&countries=DK",
            "?countries=dk,se&kind=practice",
            "?sectors=health,education&exact=sectors",
            "?sectors=health+education",
            "?sectors=health&exact=sectors&kind=literature",
            "?sectors=health&sectors=education",
        ] {
            open_home(&client, &format!("{home}{query}")).await;
            let filter = Filter::parse(query);
            assert_view(&client, &model, &filter, query).await;
            let exact_ticked = js(
                &client,
                "return document.querySelector('input[name=exact][value=sectors]').checked;",
            )
            .await;
            assert_eq!(
                exact_ticked,
                json!(filter.exact.contains("sectors")),
                "{query}"
            );
        }
        // "Health and education, exactly" is the review's Table 2 row.
        open_home(&client, &format!("{home}?sectors=health+education")).await;
        let exact = model.matching(&Filter::parse("sectors=health,education&exact=sectors"));
        let any = model.matching(&Filter::parse("sectors=health&sectors=education"));
        assert!(exact.len() < any.len());
        wait_drawn(&client).await;
        assert_eq!(
            shown(&client).await,
            exact[..exact.len().min(SHIPPED_PER_PAGE)]
        );
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn back_and_forward_restore_each_view() {
    in_browser(|client, model, home| async move {
        open_home(&client, &home).await;
        let none = Filter::default();
        let dk = none.clone().with("countries", &["DK"]);
        let dk_health = dk.clone().with("sectors", &["health"]);
        click_value(&client, "countries", "DK").await;
        click_value(&client, "sectors", "health").await;
        assert_view(&client, &model, &dk_health, "ticked").await;

        client.back().await.unwrap();
        wait_until(&client, "location.search === '?countries=DK'").await;
        assert_view(&client, &model, &dk, "back once").await;
        client.back().await.unwrap();
        wait_until(&client, "location.search === ''").await;
        assert_view(&client, &model, &none, "back twice").await;
        client.forward().await.unwrap();
        wait_until(&client, "location.search === '?countries=DK'").await;
        assert_view(&client, &model, &dk, "forward").await;
        client.forward().await.unwrap();
        wait_until(
            &client,
            "location.search === '?sectors=health&countries=DK'",
        )
        .await;
        assert_view(&client, &model, &dk_health, "forward again").await;
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn summary_counts_open_the_filtered_home_view() {
    in_browser(|client, model, base| async move {
        for summary in ["sector-combinations", "clusters", "clusters-by-country"] {
            client
                .goto(&format!("{base}summary/{summary}/"))
                .await
                .unwrap();
            wait_until(
                &client,
                "document.readyState === 'complete' && Array.from(document.querySelectorAll('a[data-filter]')).every(a => a.getAttribute('href') === a.getAttribute('data-filter'))",
            )
            .await;
            if summary == "sector-combinations" {
                screenshot(&client, "summary.png").await;
            }
            let links: Vec<(String, String)> = serde_json::from_value(
                js(
                    &client,
                    "return Array.from(document.querySelectorAll('table.summary a[data-filter]')).map(a => [a.href, a.textContent.trim()]);",
                )
                .await,
            )
            .unwrap();
            assert!(!links.is_empty());
            // Follow the first link by clicking it, the rest by address.
            let first = client
                .find(Locator::Css("table.summary a[data-filter]"))
                .await
                .unwrap();
            first.click().await.unwrap();
            for (i, (href, count)) in links.iter().enumerate().take(30) {
                if i > 0 {
                    client.goto(href).await.unwrap();
                }
                wait_drawn(&client).await;
                let url = client.current_url().await.unwrap();
                assert_eq!(url.path(), "/", "{href}");
                let filter = Filter::parse(url.query().unwrap_or(""));
                let matches = js(&client, "return window.casebookBrowse.shown;").await;
                assert_eq!(matches.to_string(), *count, "{summary}: {href}");
                let expected = model.matching(&filter);
                let first = &expected[..expected.len().min(SHIPPED_PER_PAGE)];
                assert_eq!(shown(&client).await, first, "{summary}: {href}");
            }
        }
    });
}
