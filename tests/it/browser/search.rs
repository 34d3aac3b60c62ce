//! Search in a browser: over HTTP it searches the full index and combines with
//! the filters; opened from disk it filters and falls back to titles.

use fantoccini::Locator;
use serde_json::Value;

use super::*;

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn search_narrows_the_list_and_combines_with_filters() {
    in_browser(|client, model, home| async move {
        let index: Value = serde_json::from_str(
            &std::fs::read_to_string(shipped_site().join("search-index.json")).unwrap(),
        )
        .unwrap();
        // Entries with a word starting with `term` in title, text or fields.
        let containing = move |term: &str| -> Vec<String> {
            index["entries"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| {
                    ["title", "text", "fields"].iter().any(|k| {
                        e[*k]
                            .as_str()
                            .unwrap_or("")
                            .to_lowercase()
                            .split(|c: char| !c.is_alphanumeric())
                            .any(|w| w.starts_with(term))
                    })
                })
                .map(|e| e["id"].as_str().unwrap().to_string())
                .collect()
        };
        open_home(&client, &home).await;
        let input = client.find(Locator::Id("filter-q")).await.unwrap();
        input.send_keys("telephone").await.unwrap();
        wait_until(&client, "location.search === '?q=telephone'").await;
        let expected = containing("telephone");
        assert!(expected.contains(&"P12".to_string()), "{expected:?}");
        wait_until(
            &client,
            &format!("window.casebookBrowse.shown === {}", expected.len()),
        )
        .await;
        wait_drawn(&client).await;
        assert_eq!(shown(&client).await, expected);

        // Search and a filter together: AND.
        input.clear().await.unwrap();
        input.send_keys("people").await.unwrap();
        wait_until(&client, "location.search === '?q=people'").await;
        let people = containing("people");
        assert!(people.len() > 1, "{people:?}");
        wait_until(
            &client,
            &format!("window.casebookBrowse.shown === {}", people.len()),
        )
        .await;
        wait_drawn(&client).await;
        assert_eq!(shown(&client).await, people);
        click_value(&client, "countries", "DK").await;
        let denmark = model.matching(&Filter::default().with("countries", &["DK"]));
        let both: Vec<String> = people
            .iter()
            .filter(|id| denmark.contains(id))
            .cloned()
            .collect();
        wait_drawn(&client).await;
        assert_eq!(shown(&client).await, both);
        assert_eq!(query(&client).await, "?countries=DK&q=people");

        // A search finding nothing says so.
        input.clear().await.unwrap();
        input.send_keys("zzqqxx").await.unwrap();
        wait_until(&client, "window.casebookBrowse.shown === 0").await;
        wait_until(&client, "!document.querySelector('[data-empty]').hidden").await;
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn opened_from_disk_filters_work_and_search_falls_back_to_titles() {
    in_browser(|client, model, _| async move {
        let home = format!("file://{}/index.html", shipped_site().display());
        open_home(&client, &home).await;
        click_value(&client, "countries", "DK").await;
        let dk = Filter::default().with("countries", &["DK"]);
        assert_view(&client, &model, &dk, "from disk").await;
        click_value(&client, "countries", "DK").await;
        let input = client.find(Locator::Id("filter-q")).await.unwrap();
        input.send_keys("recovery").await.unwrap();
        wait_until(
            &client,
            "document.querySelector('form[data-filters]').dataset.search === 'titles'",
        )
        .await;
        let titled: Vec<String> = model
            .entries
            .iter()
            .filter(|e| e.title.to_lowercase().contains("recovery"))
            .map(|e| e.id.clone())
            .collect();
        assert!(!titled.is_empty());
        wait_until(
            &client,
            &format!("window.casebookBrowse.shown === {}", titled.len()),
        )
        .await;
        wait_drawn(&client).await;
        assert_eq!(shown(&client).await, titled);
        let note = js(
            &client,
            "const n = document.querySelector('[data-search-note]'); return n.hidden ? '' : n.textContent;",
        )
        .await;
        assert!(
            note.as_str().unwrap().contains("Only titles are searched"),
            "{note}"
        );
    });
}
