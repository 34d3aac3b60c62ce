//! Search in a browser: it finds every entry with a word beginning with the
//! query, ranks them (an exact id first, title matches above body matches),
//! marks the matched words, combines with the filters, finds the free pages,
//! downloads only a few chunks of the index, and works opened from disk too.

use std::collections::BTreeSet;

use fantoccini::Locator;
use serde_json::Value;

use super::*;
use crate::util::value_label;

/// The shipped site's `catalogue.json`.
fn catalogue() -> Value {
    serde_json::from_str(&std::fs::read_to_string(shipped_site().join("catalogue.json")).unwrap())
        .unwrap()
}

/// An entry as these tests read it, independently of the search files the
/// page reads: from `catalogue.json` and its Markdown source.
struct Source {
    id: String,
    /// Its id, title, the text of its other fields and its facet values' labels.
    details: Vec<String>,
    /// The front matter as written.
    front: String,
    /// The body, without the targets of its links.
    body: String,
}

fn sources() -> Vec<Source> {
    let catalogue = catalogue();
    let content = shipped_site().parent().unwrap().join("content");
    let dirs: std::collections::HashMap<&str, &str> = catalogue["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["id"].as_str().unwrap(), k["dir"].as_str().unwrap()))
        .collect();
    let facets = catalogue["facets"].as_object().unwrap();
    catalogue["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let id = e["id"].as_str().unwrap();
            let source = content
                .join(dirs[e["kind"].as_str().unwrap()])
                .join(format!("{}.md", id.to_lowercase()));
            let markdown = std::fs::read_to_string(&source).unwrap();
            let mut parts = markdown.splitn(3, "---\n");
            let front = parts.nth(1).unwrap_or_default().to_string();
            let body = without_link_targets(parts.next().unwrap_or_default());
            let mut details = vec![
                id.to_string(),
                e["title"].as_str().unwrap().to_string(),
                field_text(&e["fields"]),
            ];
            for name in facets.keys() {
                for v in e[name.as_str()].as_array().into_iter().flatten() {
                    details.push(value_label(&catalogue, name, v.as_str().unwrap()));
                }
            }
            Source {
                id: id.to_string(),
                details,
                front,
                body,
            }
        })
        .collect()
}

/// The words of `text`, lower case.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Entries with a word starting with `term` in id, title, fields, facet
/// value labels or body.
fn containing(term: &str) -> BTreeSet<String> {
    sources()
        .into_iter()
        .filter(|s| {
            s.details
                .iter()
                .chain([&s.body])
                .any(|t| words(t).iter().any(|w| w.starts_with(term)))
        })
        .map(|s| s.id)
        .collect()
}

/// The strings and numbers in a front-matter value, space-separated.
fn field_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(field_text).collect::<Vec<_>>().join(" "),
        Value::Object(map) => map.values().map(field_text).collect::<Vec<_>>().join(" "),
        Value::Null | Value::Bool(_) => String::new(),
    }
}

/// Markdown without the targets of its links (`[text](target)`), which
/// readers do not see.
fn without_link_targets(markdown: &str) -> String {
    let mut out = String::new();
    let mut rest = markdown;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at]);
        rest = rest[at..].find(')').map_or("", |end| &rest[at + end + 1..]);
    }
    out.push_str(rest);
    out
}

async fn search_for(client: &Client, words: &str) {
    let input = client.find(Locator::Id("filter-q")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(words).await.unwrap();
    wait_until(
        client,
        &format!(
            "new URLSearchParams(location.search).get('q') === {}",
            serde_json::to_string(words).unwrap()
        ),
    )
    .await;
}

/// Waits until the search for the box's text is drawn with `n` matches.
async fn wait_matches(client: &Client, n: usize) {
    wait_until(client, &format!("window.casebookBrowse.shown === {n}")).await;
    wait_drawn(client).await;
}

/// Ranked results drawn at a time (`RANKED_STEP` in `browse.js`).
const RANKED_STEP: usize = 10;

/// Clicks "Show more" until every match is listed (at most 20 times).
async fn show_all(client: &Client) {
    for _ in 0..20 {
        let more = js(
            client,
            "const m = document.querySelector('[data-more]'); return !!m && !m.hidden;",
        )
        .await;
        if more != serde_json::json!(true) {
            return;
        }
        let listed = js(client, "return window.casebookBrowse.listed;").await;
        click(client, Locator::Css("[data-more] button")).await;
        wait_until(
            client,
            &format!("window.casebookBrowse.listed > {listed} && !window.casebookBrowse.pending"),
        )
        .await;
        wait_drawn(client).await;
    }
    panic!("still more to show after 20 clicks");
}

fn set(ids: Vec<String>) -> BTreeSet<String> {
    ids.into_iter().collect()
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn search_narrows_the_list_and_combines_with_filters() {
    in_browser(|client, model, home| async move {
        open_home(&client, &home).await;
        search_for(&client, "telephone").await;
        let expected = containing("telephone");
        assert!(expected.contains("P12"), "{expected:?}");
        wait_matches(&client, expected.len()).await;
        show_all(&client).await;
        assert_eq!(set(shown(&client).await), expected);
        // The matched words are marked.
        let marks = js(
            &client,
            "return Array.from(document.querySelectorAll('[data-entry] mark')).map(m => m.textContent.toLowerCase());",
        )
        .await;
        let marks: Vec<String> = serde_json::from_value(marks).unwrap();
        assert!(
            marks.iter().all(|m| m.starts_with("telephone")),
            "{marks:?}"
        );
        // P12's line has an excerpt of its body around the word, marked.
        let excerpt = js(
            &client,
            "const p = document.querySelector('[data-entry=\"P12\"] .excerpt'); return p ? p.innerHTML : '';",
        )
        .await;
        let excerpt = excerpt.as_str().unwrap();
        assert!(
            excerpt.to_lowercase().contains("<mark>telephone</mark>"),
            "{excerpt}"
        );

        // Prefixes match while typing: "peop" finds "people".
        search_for(&client, "peop").await;
        let people = containing("peop");
        assert!(people.len() > 1, "{people:?}");
        wait_matches(&client, people.len()).await;
        let first_page: BTreeSet<String> = set(shown(&client).await);
        assert!(first_page.is_subset(&people));
        assert_eq!(first_page.len(), people.len().min(RANKED_STEP));

        // Search and a filter together: AND.
        click_value(&client, "countries", "DK").await;
        let denmark: BTreeSet<String> =
            set(model.matching(&Filter::default().with("countries", &["DK"])));
        let both: BTreeSet<String> = people.intersection(&denmark).cloned().collect();
        wait_matches(&client, both.len()).await;
        show_all(&client).await;
        assert_eq!(set(shown(&client).await), both);
        assert_eq!(query(&client).await, "?countries=DK&q=peop");

        // A search finding nothing says so.
        search_for(&client, "zzqqxx").await;
        wait_until(&client, "window.casebookBrowse.shown === 0").await;
        wait_until(&client, "!document.querySelector('[data-empty]').hidden").await;
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn search_ranks_an_exact_id_first_and_titles_above_bodies() {
    in_browser(|client, model, home| async move {
        open_home(&client, &home).await;
        // An exact id first (the old search put L02's fuzzy relatives around it).
        for id in ["P12", "L02", "p3"] {
            search_for(&client, id).await;
            wait_drawn(&client).await;
            wait_until(&client, "document.querySelector('[data-entry]') !== null").await;
            let first = shown(&client).await.into_iter().next().unwrap();
            assert_eq!(first, id.to_uppercase(), "searching {id}");
        }
        // A word in some titles and some bodies: every title hit ranks above
        // every entry that has it elsewhere only.
        let title_words = |e: &crate::filter_model::Entry| -> Vec<String> {
            e.title
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= 5)
                .map(String::from)
                .collect()
        };
        let (word, titled, all) = model
            .entries
            .iter()
            .flat_map(title_words)
            .find_map(|word| {
                let titled: BTreeSet<String> = model
                    .entries
                    .iter()
                    .filter(|e| title_words(e).iter().any(|w| w.starts_with(&word)))
                    .map(|e| e.id.clone())
                    .collect();
                let all = containing(&word);
                (all.len() > titled.len() + 1 && all.len() < SHIPPED_PER_PAGE)
                    .then_some((word, titled, all))
            })
            .expect("a word in some titles and more bodies");
        let word = word.as_str();
        search_for(&client, word).await;
        wait_matches(&client, all.len()).await;
        show_all(&client).await;
        let ranked = shown(&client).await;
        let last_titled = ranked.iter().rposition(|id| titled.contains(id)).unwrap();
        let first_other = ranked.iter().position(|id| !titled.contains(id)).unwrap();
        assert!(last_titled < first_other, "{ranked:?}, titles: {titled:?}");
        // Free pages are found too.
        search_for(&client, "guide").await;
        wait_until(
            &client,
            "document.querySelector('[data-page-hit] a[href=\"./guide/\"]') !== null",
        )
        .await;
        // Only the chunks a query needs were loaded, not the whole index.
        let loaded = js(
            &client,
            "return performance.getEntriesByType('resource').filter(r => /\\/search\\/\\d+\\.js$/.test(r.name)).length;",
        )
        .await;
        let chunks = std::fs::read_dir(shipped_site().join("search"))
            .unwrap()
            .filter(|f| {
                let name = f.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.ends_with(".js") && name != "index.js"
            })
            .count();
        assert!(
            loaded.as_u64().unwrap() < chunks as u64,
            "{loaded} of {chunks} chunks"
        );
    });
}

/// Each entry's id, the words of its front matter and of every facet value
/// label (a word naming any value is unfit below), and the words of its body.
fn source_words() -> Vec<(String, Vec<String>, Vec<String>)> {
    let labels = catalogue()["facets"].to_string();
    sources()
        .into_iter()
        .map(|s| {
            let front = words(&format!("{} {labels}", s.front));
            (s.id, front, words(&s.body))
        })
        .collect()
}

/// For `word`, each entry's count of it in its body, if it is only ever in
/// bodies and no longer word starts with it; `None` if the word is unfit.
fn body_only_counts(
    sources: &[(String, Vec<String>, Vec<String>)],
    word: &str,
) -> Option<Vec<(String, usize)>> {
    let mut counts = Vec::new();
    for (id, front, body) in sources {
        if id.to_lowercase().starts_with(word) || front.iter().any(|w| w.starts_with(word)) {
            return None;
        }
        if body.iter().any(|w| w.starts_with(word) && w != word) {
            return None;
        }
        let n = body.iter().filter(|w| *w == word).count();
        if n > 0 {
            counts.push((id.clone(), n));
        }
    }
    Some(counts)
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn search_ranks_bodies_that_repeat_a_word_above_those_that_say_it_once() {
    // A word found only in bodies, said more often in some than in others,
    // in no more entries than a page of results.
    let sources = source_words();
    let mut candidates: Vec<&String> = sources
        .iter()
        .flat_map(|s| &s.2)
        .filter(|w| w.len() >= 5)
        .collect();
    candidates.sort();
    candidates.dedup();
    let (word, counts) = candidates
        .into_iter()
        .find_map(|w| {
            let counts = body_only_counts(&sources, w)?;
            let many = counts.iter().filter(|c| c.1 > 1).count();
            (many > 0 && counts.len() - many >= 2 && counts.len() < SHIPPED_PER_PAGE)
                .then(|| (w.clone(), counts))
        })
        .expect("a word some bodies repeat");
    in_browser(move |client, _, home| async move {
        open_home(&client, &home).await;
        search_for(&client, &word).await;
        wait_matches(&client, counts.len()).await;
        show_all(&client).await;
        let ranked = shown(&client).await;
        let times = |id: &String| counts.iter().find(|c| &c.0 == id).unwrap().1.min(4);
        let in_order: Vec<usize> = ranked.iter().map(times).collect();
        assert!(
            in_order.windows(2).all(|w| w[0] >= w[1]),
            "{word}: counts in ranked order {in_order:?} ({ranked:?})"
        );
    });
}

#[test]
#[ignore = "needs chromium: cargo test --test it -- --ignored browser"]
fn opened_from_disk_filters_and_search_work() {
    in_browser(|client, model, _| async move {
        let home = format!("file://{}/index.html", shipped_site().display());
        open_home(&client, &home).await;
        click_value(&client, "countries", "DK").await;
        let dk = Filter::default().with("countries", &["DK"]);
        assert_view(&client, &model, &dk, "from disk").await;
        click_value(&client, "countries", "DK").await;
        let input = client.find(Locator::Id("filter-q")).await.unwrap();
        input.send_keys("recovery").await.unwrap();
        let expected = containing("recovery");
        assert!(!expected.is_empty());
        wait_until(
            &client,
            "document.querySelector('form[data-filters]').dataset.search === 'ready'",
        )
        .await;
        wait_matches(&client, expected.len()).await;
        show_all(&client).await;
        assert_eq!(set(shown(&client).await), expected);
    });
}
