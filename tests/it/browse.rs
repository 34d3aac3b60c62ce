//! Browsing without a browser: the home page's filter controls, the data the
//! filters and search read, the filtered-view links of summary counts and the
//! "related" and "more like this" lists, all checked on the built shipped site
//! against what `catalogue.json` says (see `filter_model.rs` for the rules).

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::filter_model::{Filter, Model, KIND};
use crate::util::{select, text, value_label, TestSite};

fn built() -> &'static TestSite {
    &TestSite::shipped_built().0
}

fn model() -> Model {
    Model::from_json(&built().read("public/catalogue.json"))
}

fn number(s: &str) -> usize {
    s.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {s:?}"))
}

#[test]
fn home_page_has_a_labelled_checkbox_with_its_count_for_every_value() {
    let site = built();
    let model = model();
    let home = site.html("public/index.html");
    let forms = select(&home, "form[data-filters]");
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].value().attr("method"), Some("get"));

    let mut seen = Vec::new();
    for fieldset in select(&home, "form[data-filters] fieldset[data-facet]") {
        let facet = fieldset.value().attr("data-facet").unwrap();
        let legend = fieldset
            .select(&scraper::Selector::parse("legend").unwrap())
            .next()
            .unwrap_or_else(|| panic!("{facet}: no legend"));
        assert!(!text(&legend).is_empty(), "{facet}: empty legend");
        let boxes = scraper::Selector::parse("input[type=checkbox]").unwrap();
        for input in fieldset.select(&boxes) {
            let id = input.value().attr("id").expect("checkbox id");
            let labels = select(&home, &format!("label[for=\"{id}\"]"));
            assert_eq!(labels.len(), 1, "{facet}: checkbox {id} has no label");
            let name = input.value().attr("name").unwrap();
            let value = input.value().attr("value").unwrap();
            if name == "exact" {
                assert_eq!(value, facet, "the exact-match box names its facet");
                continue;
            }
            assert_eq!(name, facet);
            let count = labels[0]
                .select(&scraper::Selector::parse("[data-count]").unwrap())
                .next()
                .unwrap_or_else(|| panic!("{facet}={value}: no count"));
            assert_eq!(
                number(&text(&count)),
                model.count(&Filter::default(), facet, value),
                "{facet}={value}"
            );
            // Children are marked with their parent and indented.
            let parent = input.value().attr("data-parent");
            if facet != KIND {
                let declared = model.facet(facet).parent.get(value).map(String::as_str);
                assert_eq!(parent, declared, "{facet}={value}: parent");
            }
            let row = scraper::ElementRef::wrap(input.parent().unwrap()).unwrap();
            let class = row.value().attr("class").unwrap_or("");
            assert_eq!(
                class.contains("depth-1"),
                parent.is_some(),
                "{facet}={value}: {class}"
            );
            seen.push((facet.to_string(), value.to_string()));
        }
    }
    assert_eq!(
        seen,
        model.all_values(),
        "one checkbox per kind and per value, in order"
    );
    // Denmark among the countries with 9 entries at the start, for instance.
    assert!(seen.contains(&("countries".into(), "DK".into())));

    let search = select(&home, "form[data-filters] input[type=search][name=q]");
    assert_eq!(search.len(), 1);
    let id = search[0].value().attr("id").unwrap();
    assert_eq!(select(&home, &format!("label[for=\"{id}\"]")).len(), 1);
    // The exact-match control exists where combinations have pages (sectors).
    assert_eq!(
        select(&home, "input[name=exact][value=sectors]").len(),
        1,
        "sectors can be matched exactly"
    );
    let status = select(&home, "[data-status][role=status]");
    assert_eq!(text(&status[0]), "78 entries match, the first 50 shown");
}

/// A base64 bit set of `browse-data.js` as the entry numbers it holds.
fn bit_set(text: &str) -> BTreeSet<usize> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes: Vec<u8> = Vec::new();
    let digits: Vec<u32> = text
        .trim_end_matches('=')
        .chars()
        .map(|c| ALPHABET.find(c).unwrap() as u32)
        .collect();
    for group in digits.chunks(4) {
        let word = group
            .iter()
            .chain(std::iter::repeat(&0))
            .take(4)
            .fold(0u32, |w, d| w << 6 | d);
        bytes.extend(&word.to_be_bytes()[1..group.len()]);
    }
    let mut set = BTreeSet::new();
    for (b, byte) in bytes.iter().enumerate() {
        for bit in 0..8 {
            if byte >> bit & 1 == 1 {
                set.insert(b * 8 + bit);
            }
        }
    }
    set
}

/// The JSON inside a script of the form `<prefix>JSON<suffix>`.
fn script_json(text: &str, prefix: &str, suffix: &str) -> Value {
    let json = text
        .trim_end()
        .strip_prefix(prefix)
        .and_then(|t| t.strip_suffix(suffix))
        .unwrap_or_else(|| panic!("not {prefix}…{suffix}: {}", &text[..text.len().min(80)]));
    serde_json::from_str(json).unwrap()
}

#[test]
fn the_filter_data_gives_every_entry_its_kind_facet_values_and_result_line() {
    let site = built();
    let model = model();
    let data = script_json(
        &site.read("public/browse-data.js"),
        "window.casebookData=",
        ";",
    );
    assert_eq!(data["entries"], model.entries.len());
    let chunk = data["chunk"].as_u64().unwrap() as usize;
    let mut rows = Vec::new();
    for c in 0..model.entries.len().div_ceil(chunk) {
        let items = script_json(
            &site.read(&format!("public/browse-items/{c}.js")),
            &format!("casebookItems({c},"),
            ");",
        );
        rows.extend(items.as_array().unwrap().clone());
    }
    assert_eq!(rows.len(), model.entries.len());
    let kinds = data["kinds"].as_array().unwrap();
    for (i, (row, entry)) in rows.iter().zip(&model.entries).enumerate() {
        assert_eq!(row[0], entry.id.as_str());
        assert_eq!(row[3], entry.title.as_str());
        let kind = &kinds[row[1].as_u64().unwrap() as usize];
        assert_eq!(kind["id"], entry.kind.as_str(), "{}", entry.id);
        for k in kinds {
            let has = bit_set(k["bits"].as_str().unwrap()).contains(&i);
            assert_eq!(has, k["id"] == entry.kind.as_str(), "{} kind", entry.id);
        }
        for facet in data["facets"].as_array().unwrap() {
            let name = facet["name"].as_str().unwrap();
            let named: Vec<String> = facet["values"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| bit_set(v["bits"].as_str().unwrap()).contains(&i))
                .map(|v| v["id"].as_str().unwrap().to_string())
                .collect();
            let mut want = entry.facets.get(name).cloned().unwrap_or_default();
            let mut got = named;
            want.sort();
            got.sort();
            assert_eq!(got, want, "{} {name}", entry.id);
        }
    }
    // The page itself lists only the first page, with the pager after it.
    let home = site.html("public/index.html");
    let items = select(&home, "li[data-entry]");
    assert_eq!(items.len(), 50);
    for (item, entry) in items.iter().zip(&model.entries) {
        assert_eq!(item.value().attr("data-entry"), Some(entry.id.as_str()));
    }
    assert!(!select(&home, ".pager a[rel=next][href=\"./page/2/\"]").is_empty());
    let second = site.html("public/page/2/index.html");
    assert_eq!(select(&second, "li[data-entry]").len(), 28);
    assert_eq!(select(&second, "form[data-filters]").len(), 0);
}

#[test]
fn without_scripts_the_home_page_offers_facet_links_not_dead_controls() {
    let site = built();
    let home_text = site.read("public/index.html");
    let home = site.html("public/index.html");
    // The filter panel is shown only once scripts have set the `js` class.
    assert!(home_text.contains("document.documentElement.classList.add(\"js\")"));
    assert_eq!(select(&home, ".finder-filters.js-only form").len(), 1);
    let css = site.read("public/style.css");
    assert!(css.contains(".js .no-js-only, .js-only { display: none; }"));
    // What readers without scripts get: links to every value's page.
    for facet in &model().facets {
        for value in &facet.values {
            let href = format!("./{}/{}/", facet.name, value.to_lowercase());
            assert_eq!(
                select(&home, &format!(".browse.no-js-only a[href=\"{href}\"]")).len(),
                1,
                "{href}"
            );
        }
    }
    assert!(site.path("public/browse.js").is_file());
    assert!(site.path("public/search/index.js").is_file());
    assert!(site.path("public/search/0.js").is_file());
    assert!(!site.path("public/vendor/minisearch.min.js").exists());
}

/// The arguments a search script file passes to its callback, as JSON.
fn script_args(js: &str, callback: &str) -> Vec<Value> {
    let inner = js
        .strip_prefix(&format!("{callback}("))
        .and_then(|rest| rest.trim_end().strip_suffix(");"))
        .unwrap_or_else(|| panic!("not a {callback} call: {js}"));
    serde_json::from_str::<Vec<Value>>(&format!("[{inner}]")).unwrap()
}

#[test]
fn search_fragments_hold_every_entrys_result_line_and_text() {
    let site = built();
    let model = model();
    let catalogue: Value = serde_json::from_str(&site.read("public/catalogue.json")).unwrap();
    let kinds: Vec<&str> = catalogue["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    for (d, m) in model.entries.iter().enumerate() {
        let args = script_args(
            &site.read(&format!("public/search/f/{d}.js")),
            "casebookSearchFragment",
        );
        assert_eq!(args[0], d);
        let row = args[1].as_array().unwrap();
        assert_eq!(row[0], m.id.as_str());
        assert_eq!(kinds[row[1].as_u64().unwrap() as usize], m.kind);
        assert_eq!(row[2], m.id.to_lowercase());
        assert_eq!(row[3], m.title.as_str());
        let text = args[2].as_str().unwrap();
        assert!(
            !text.contains('<') && !text.contains("**"),
            "{}: {text}",
            m.id
        );
    }
    // P12's text is what its page shows, in order, with the Markdown gone.
    let p12 = model.entries.iter().position(|e| e.id == "P12").unwrap();
    let args = script_args(
        &site.read(&format!("public/search/f/{p12}.js")),
        "casebookSearchFragment",
    );
    let text = args[2].as_str().unwrap();
    assert!(text.contains("emergency telephone line"), "{text}");
    // The free pages follow the entries, with their title and URL.
    let first_page = script_args(
        &site.read(&format!("public/search/f/{}.js", model.entries.len())),
        "casebookSearchFragment",
    );
    let row = first_page[1].as_array().unwrap();
    assert_eq!(row.len(), 2, "{row:?}");
    assert!(row[1].as_str().unwrap().ends_with('/'), "{row:?}");
}

#[test]
fn search_chunks_say_where_a_term_is_and_how_often_in_the_body() {
    let site = built();
    let model = model();
    let meta = script_args(&site.read("public/search/index.js"), "casebookSearchIndex");
    let meta = &meta[0];
    let firsts: Vec<&str> = meta["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        meta["documents"].as_u64().unwrap() as usize,
        model.entries.len() + meta["pages"].as_array().unwrap().len()
    );
    // Postings of `term`: (document, tf class, fields).
    let postings = |term: &str| -> Vec<(u64, u64, u64)> {
        let k = firsts.iter().rposition(|first| *first <= term).unwrap();
        let chunk = script_args(
            &site.read(&format!("public/search/{k}.js")),
            "casebookSearchChunk",
        );
        let mut doc = 0;
        chunk[1][term]
            .as_array()
            .unwrap_or_else(|| panic!("{term} not in chunk {k}"))
            .iter()
            .map(|code| {
                let code = code.as_u64().unwrap();
                doc += code >> 6;
                (doc, (code >> 4) & 3, code & 15)
            })
            .collect()
    };
    let p12 = model.entries.iter().position(|e| e.id == "P12").unwrap() as u64;
    // The id, in the id field (1); a body word, in the body (8).
    assert!(postings("p12")
        .iter()
        .any(|&(d, _, f)| d == p12 && f & 1 == 1));
    let telephone = postings("telephone");
    let (_, tf, fields) = telephone.iter().find(|p| p.0 == p12).unwrap();
    assert_eq!(fields & 8, 8);
    // The body's count of the word, from the source (an independent count).
    let source = site.read("content/practices/p12.md");
    let body = source.splitn(3, "---").nth(2).unwrap().to_lowercase();
    let times = body
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| *w == "telephone")
        .count() as u64;
    assert_eq!(*tf, times.clamp(1, 4) - 1, "{times} times in {body}");
}

#[test]
fn summary_counts_point_to_the_filtered_view_that_shows_them() {
    let site = built();
    let model = model();
    let mut checked = HashMap::new();
    for summary in std::fs::read_dir(site.path("public/summary")).unwrap() {
        let dir = summary.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let page = site.html(&format!("public/summary/{name}/index.html"));
        let mut links = 0;
        for link in select(&page, "table.summary a[data-filter]") {
            let target = link.value().attr("data-filter").unwrap();
            let query = target
                .strip_prefix("../../?")
                .unwrap_or_else(|| panic!("{name}: {target} is not the home page"));
            let filter = Filter::parse(query);
            assert_eq!(
                model.matching(&filter).len(),
                number(&text(&link)),
                "{name}: {target}"
            );
            links += 1;
        }
        // Counts of a value with parts (United Kingdom) count the value alone,
        // which no filter expresses: those keep only their list page.
        for row in select(&page, "table.summary tbody tr") {
            let unfiltered = row
                .select(&scraper::Selector::parse("td.numeric a:not([data-filter])").unwrap())
                .count();
            if unfiltered > 0 && !name.starts_with("clusters-by-") {
                let header = row
                    .select(&scraper::Selector::parse("th").unwrap())
                    .map(|th| text(&th))
                    .collect::<Vec<_>>()
                    .join(" ");
                assert_eq!(
                    header, "United Kingdom",
                    "{name}: a count without a filtered view"
                );
            }
        }
        let cells = select(&page, "table.summary td.numeric a").len();
        checked.insert(name, (links, cells));
    }
    // Table 2: every combination count and the totals; presence: every value.
    let (links, cells) = checked["sector-combinations"];
    assert_eq!(links, cells, "every count of Table 2 has a filtered view");
    assert!(links >= 20, "{links}");
    let (links, cells) = checked["clusters"];
    assert_eq!((links, cells), (9, 9));
    let (links, cells) = checked["countries"];
    assert!(links > 20 && cells - links <= 2, "{links} {cells}");
    let (links, _) = checked["clusters-by-sector-combination"];
    assert!(links > 30);
}

#[test]
fn summary_pages_load_the_script_that_points_counts_at_filtered_views() {
    let site = built();
    let page = site.html("public/summary/sector-combinations/index.html");
    assert_eq!(
        select(&page, "script[src=\"../../browse.js\"][defer]").len(),
        1
    );
    let chart = select(&page, "figure.chart svg[role=img]");
    assert_eq!(chart.len(), 1);
    let title = select(&page, "figure.chart svg > title");
    let desc = select(&page, "figure.chart svg > desc");
    assert_eq!(text(&title[0]), "Sectors integrated with social services");
    assert!(text(&desc[0]).contains("Health & education: Articles"));
}

/// "Related entries" are the entries named in `related:` both ways; "More like
/// this" the five sharing the most facet values (at least two), not counting
/// values a quarter of the catalogue shares, ties in catalogue order.
#[test]
fn related_and_more_like_this_are_right_on_every_entry_page() {
    let site = built();
    let doc: Value = serde_json::from_str(&site.read("public/catalogue.json")).unwrap();
    let entries = doc["entries"].as_array().unwrap();
    let facet_names: Vec<&String> = doc["facets"].as_object().unwrap().keys().collect();
    let position: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e["id"].as_str().unwrap(), i))
        .collect();
    let values = |e: &Value| -> BTreeSet<(String, String)> {
        facet_names
            .iter()
            .flat_map(|f| {
                e[f.as_str()]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| (f.to_string(), v.as_str().unwrap().to_string()))
            })
            .collect()
    };
    let mut users: HashMap<(String, String), usize> = HashMap::new();
    for e in entries {
        for v in values(e) {
            *users.entry(v).or_default() += 1;
        }
    }
    let limit = (entries.len() / 4).max(50);
    for (i, e) in entries.iter().enumerate() {
        let id = e["id"].as_str().unwrap();
        let mut related: Vec<usize> = e["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| position[r.as_str().unwrap()])
            .collect();
        for (j, other) in entries.iter().enumerate() {
            if other["related"].as_array().unwrap().iter().any(|r| r == id) {
                related.push(j);
            }
        }
        related.sort_unstable();
        related.dedup();
        let mine = values(e);
        let mut scored: Vec<(usize, usize)> = entries
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i && !related.contains(j))
            .map(|(j, other)| {
                let shared = values(other)
                    .intersection(&mine)
                    .filter(|v| users[*v] <= limit)
                    .count();
                (j, shared)
            })
            .filter(|&(_, s)| s >= 2)
            .collect();
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let similar: Vec<usize> = scored.into_iter().take(5).map(|(j, _)| j).collect();

        let url = e["url"].as_str().unwrap().trim_start_matches('/');
        let page = site.html(&format!("public/{url}index.html"));
        let listed = |heading: &str| -> Vec<String> {
            select(
                &page,
                &format!("section[aria-labelledby={heading}] .entry-list a"),
            )
            .iter()
            .map(|a| text(a))
            .collect()
        };
        let titles = |list: &[usize]| -> Vec<String> {
            list.iter()
                .map(|&j| entries[j]["title"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(listed("related-heading"), titles(&related), "{id}: related");
        assert_eq!(listed("similar-heading"), titles(&similar), "{id}: similar");
    }
}

/// The pivots' totals: a row's total is the entries naming the row value and
/// any column value, a column's the entries naming the column (or, for
/// combinations, having exactly it) and any row value, each entry once.
#[test]
fn pivot_totals_count_each_entry_once() {
    let site = built();
    let model = model();
    let doc: Value = serde_json::from_str(&site.read("public/catalogue.json")).unwrap();
    let label = |facet: &str, id: &str| value_label(&doc, facet, id);
    for (summary, rows, columns) in [
        ("clusters-by-country", "clusters", "countries"),
        ("clusters-by-sector-combination", "clusters", "sectors"),
    ] {
        let csv = site.csv(&format!("public/summary/{summary}.csv"));
        let has = |e: &crate::filter_model::Entry, facet: &str| !e.facets[facet].is_empty();
        let total_row = csv.last().unwrap();
        assert_eq!(total_row[0], "Total");
        let both = model
            .entries
            .iter()
            .filter(|e| has(e, rows) && has(e, columns))
            .count();
        assert_eq!(
            number(total_row.last().unwrap()),
            both,
            "{summary}: grand total"
        );
        for id in &model.facet(rows).values {
            let row = csv
                .iter()
                .find(|r| r[0] == label(rows, id))
                .unwrap_or_else(|| panic!("{summary}: no row {id}"));
            let expected = model
                .entries
                .iter()
                .filter(|e| e.facets[rows].contains(id) && has(e, columns))
                .count();
            assert_eq!(number(row.last().unwrap()), expected, "{summary}: row {id}");
        }
        // Column totals: the header names each column by its label(s).
        for (i, heading) in csv[0].iter().enumerate().skip(1) {
            if heading == "Total" {
                continue;
            }
            let expected = model
                .entries
                .iter()
                .filter(|e| has(e, rows))
                .filter(|e| {
                    let labels: Vec<String> = e.facets[columns]
                        .iter()
                        .map(|v| label(columns, v))
                        .collect();
                    if summary.ends_with("combination") {
                        combination_label(&labels) == *heading
                    } else {
                        labels.contains(heading)
                    }
                })
                .count();
            assert_eq!(
                number(&total_row[i]),
                expected,
                "{summary}: column {heading}"
            );
        }
    }
}

/// "Health & education & employment": later labels lowercased, as the site writes them.
fn combination_label(labels: &[String]) -> String {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { l.clone() } else { l.to_lowercase() })
        .collect::<Vec<_>>()
        .join(" & ")
}
