//! Publishing: citation exports (BibTeX read back with a real parser, CSL-JSON
//! checked against the CSL schema's rules), the Cite block, sitemap.xml, robots.txt,
//! the Atom feed (parsed as XML), canonical and Open Graph tags, Pagefind markup.

use std::collections::BTreeSet;

use biblatex::{Bibliography, ChunksExt, EntryType};
use serde_json::Value;

use crate::util::{check_links, select, snapshot, text, TestSite};

const BASE: &str = "https://example.org/sub/";

/// The citations fixture built with an absolute base URL under a sub-path.
fn published() -> TestSite {
    let site = TestSite::fixture("citations");
    site.run(&["build", "--base-url", BASE]).assert_code(0);
    site
}

fn field(entry: &biblatex::Entry, key: &str) -> String {
    entry
        .get(key)
        .unwrap_or_else(|| panic!("{} has no {key}", entry.key))
        .format_verbatim()
}

#[test]
fn bibtex_parses_with_a_real_parser_and_keeps_every_field() {
    let site = published();
    let bib = Bibliography::parse(&site.read("public/literature.bib")).unwrap();
    let keys: Vec<&str> = bib.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["L01", "L02", "L03"], "only cited kinds, in order");

    let l01 = bib.get("L01").unwrap();
    assert_eq!(l01.entry_type, EntryType::Article);
    let authors: Vec<(String, String)> = l01
        .author()
        .unwrap()
        .into_iter()
        .map(|p| (p.name, p.given_name))
        .collect();
    assert_eq!(
        authors,
        [
            ("Müller".to_string(), "Anna-Lena".to_string()),
            ("O'Brien".into(), "Seán".into()),
            ("Núñez García".into(), "José María".into()),
            ("World Health Organization".into(), String::new()),
        ]
    );
    // Specials come back as the characters written in the front matter.
    assert_eq!(
        field(l01, "title"),
        "Care & cure: 100% {integrated} services_for all"
    );
    assert_eq!(field(l01, "journal"), "Journal of Health & Social_Care");
    assert_eq!(field(l01, "year"), "2014");
    assert_eq!(field(l01, "volume"), "12");
    assert_eq!(field(l01, "pages").replace('–', "--"), "34--56");
    assert_eq!(l01.doi().unwrap(), "10.1234/abc_def.1");
    assert_eq!(l01.url().unwrap(), "https://example.org/a?b=1&c=2%20d");

    // An entry with a title only stays a title only: nothing is invented.
    let l02 = bib.get("L02").unwrap();
    assert_eq!(l02.entry_type, EntryType::Misc);
    let l02_fields: BTreeSet<&str> = l02.fields.keys().map(String::as_str).collect();
    assert_eq!(l02_fields, BTreeSet::from(["title"]));

    let l03 = bib.get("L03").unwrap();
    assert_eq!(field(l03, "title"), "Costs #1: $5 ~ ^ \\ back");
    assert_eq!(l03.author().unwrap()[0].name, "Smith");
}

/// Item types of CSL 1.0.2 (csl-data.json).
const CSL_TYPES: &[&str] = &[
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
];

/// Checks one CSL-JSON item against the schema's rules for the variables casebook
/// writes: required `id` and `type`, name objects, date objects, string variables.
fn assert_valid_csl_item(item: &Value) {
    let obj = item.as_object().expect("an item is an object");
    assert!(obj["id"].is_string(), "id: {item}");
    let kind = obj["type"].as_str().expect("type is a string");
    assert!(CSL_TYPES.contains(&kind), "unknown CSL type {kind}");
    for (key, value) in obj {
        match key.as_str() {
            "id" | "type" => {}
            "title" | "container-title" | "volume" | "page" | "DOI" | "URL" => {
                assert!(value.is_string(), "{key} must be a string: {item}")
            }
            "author" => {
                for name in value.as_array().expect("author is a list") {
                    let name = name.as_object().expect("a name is an object");
                    let has_family = name.get("family").is_some_and(Value::is_string);
                    let has_literal = name.get("literal").is_some_and(Value::is_string);
                    assert!(has_family || has_literal, "name without family: {item}");
                    for (k, v) in name {
                        assert!(["family", "given", "literal"].contains(&k.as_str()));
                        assert!(v.is_string());
                    }
                }
            }
            "issued" => {
                let date = value.as_object().expect("issued is an object");
                if let Some(parts) = date.get("date-parts") {
                    let parts = parts.as_array().unwrap();
                    assert!(!parts.is_empty() && parts.len() <= 2);
                    for part in parts {
                        let part = part.as_array().unwrap();
                        assert!((1..=3).contains(&part.len()));
                        assert!(part.iter().all(Value::is_i64), "{item}");
                    }
                } else {
                    assert!(date["literal"].is_string(), "{item}");
                }
            }
            other => panic!("unexpected CSL variable {other}"),
        }
    }
}

#[test]
fn csl_json_has_the_required_fields_and_proper_names_and_dates() {
    let site = published();
    let items: Value = serde_json::from_str(&site.read("public/literature.json")).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        assert_valid_csl_item(item);
    }
    let l01 = &items[0];
    assert_eq!(l01["id"], "L01");
    assert_eq!(l01["type"], "article-journal");
    assert_eq!(
        l01["author"][2],
        serde_json::json!({ "family": "Núñez García", "given": "José María" })
    );
    assert_eq!(
        l01["author"][3],
        serde_json::json!({ "literal": "World Health Organization" })
    );
    assert_eq!(l01["issued"], serde_json::json!({ "date-parts": [[2014]] }));
    assert_eq!(l01["container-title"], "Journal of Health & Social_Care");
    assert_eq!(l01["page"], "34-56");
    assert_eq!(
        items[1],
        serde_json::json!({ "id": "L02", "type": "document", "title": "Article L02" })
    );
}

#[test]
fn article_pages_have_a_cite_block_and_practices_do_not() {
    let site = published();
    let page = site.html("public/literature/l01/index.html");
    let reference = text(&select(&page, ".cite .reference")[0]);
    assert_eq!(
        reference,
        "Müller, A.-L., O'Brien, S., Núñez García, J. M., & World Health Organization. (2014). \
         Care & cure: 100% {integrated} services_for all. Journal of Health & Social_Care, 12, 34–56. \
         https://doi.org/10.1234/abc_def.1"
    );
    let bibtex = text(&select(&page, ".cite details pre")[0]);
    assert!(bibtex.starts_with("@article{L01,"), "{bibtex}");
    assert!(bibtex.contains("title = {Care \\& cure"), "{bibtex}");
    // The entry's own BibTeX as a download, without a script or another file.
    let download = select(&page, ".cite a[download]");
    assert_eq!(download[0].value().attr("download"), Some("l01.bib"));
    let href = download[0].value().attr("href").unwrap();
    let encoded = href
        .strip_prefix("data:application/x-bibtex;charset=utf-8,")
        .unwrap();
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .unwrap();
    // (The page's text has its white space collapsed.)
    let words: Vec<&str> = decoded.split_whitespace().collect();
    assert_eq!(words.join(" "), bibtex.trim_end());
    // A title-only entry has no Cite block: "Article L02." would cite nothing.
    let bare = site.html("public/literature/l02/index.html");
    assert!(select(&bare, ".cite").is_empty());
    assert!(select(&site.html("public/practices/p1/index.html"), ".cite").is_empty());
    check_links(&site.path("public"));
}

#[test]
fn citations_setting_chooses_the_kinds_or_turns_them_off() {
    let site = TestSite::fixture("citations");
    let config = site.read("catalogue.yaml");
    site.write("catalogue.yaml", &format!("{config}citations: practice\n"));
    site.build();
    let bib = Bibliography::parse(&site.read("public/literature.bib")).unwrap();
    let keys: Vec<&str> = bib.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["P1", "P2"]);
    // Title-only practices: in the bibliography, with no Cite block on their pages.
    assert!(select(&site.html("public/practices/p1/index.html"), ".cite").is_empty());

    site.write("catalogue.yaml", &format!("{config}citations: []\n"));
    site.build();
    assert!(!site.path("public/literature.bib").exists());
    assert!(!site.path("public/literature.json").exists());
    assert!(select(&site.html("public/literature/l01/index.html"), ".cite").is_empty());

    site.write(
        "catalogue.yaml",
        &format!("{config}citations: [literatur]\n"),
    );
    let run = site.run(&["check"]);
    run.assert_code(1);
    run.assert_stderr_has(
        "`citations` names unknown kind \"literatur\" (did you mean \"literature\"?)",
    );
}

/// Every page URL of a built site, from its `index.html` files (404 page left out).
fn page_urls(site: &TestSite) -> BTreeSet<String> {
    let out = site.path("public");
    snapshot(&out)
        .keys()
        .filter(|p| p.file_name().is_some_and(|n| n == "index.html"))
        .map(|p| {
            let dir = p.parent().unwrap().to_string_lossy().replace('\\', "/");
            if dir.is_empty() {
                BASE.to_string()
            } else {
                format!("{BASE}{dir}/")
            }
        })
        .collect()
}

#[test]
fn sitemap_is_well_formed_xml_listing_every_page_under_the_base_url() {
    let site = published();
    let xml = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let locs: BTreeSet<String> = root
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    assert_eq!(locs, page_urls(&site), "every page, and nothing else");
    let catalogue: Value = serde_json::from_str(&site.read("public/catalogue.json")).unwrap();
    for entry in catalogue["entries"].as_array().unwrap() {
        let url = entry["url"].as_str().unwrap();
        assert!(url.starts_with(BASE), "{url}");
        assert!(locs.contains(url), "{url} missing from the sitemap");
    }
    // Entries with a date say when they changed.
    let p1 = root
        .children()
        .find(|u| {
            u.children()
                .any(|c| c.has_tag_name("loc") && c.text() == Some(&format!("{BASE}practices/p1/")))
        })
        .unwrap();
    let lastmod = p1.children().find(|c| c.has_tag_name("lastmod")).unwrap();
    assert_eq!(lastmod.text(), Some("2023-12-31"));

    let robots = site.read("public/robots.txt");
    assert!(robots.contains("User-agent: *"), "{robots}");
    assert!(
        robots.contains(&format!("Sitemap: {BASE}sitemap.xml")),
        "{robots}"
    );
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The first child element of `node` named `name` in the Atom namespace.
fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
    node.children()
        .find(|c| c.has_tag_name((ATOM, name)))
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn atom_feed_is_well_formed_and_lists_every_entry_newest_first() {
    let site = published();
    let xml = site.read("public/atom.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let feed = doc.root_element();
    let atom = ATOM;
    assert_eq!(feed.tag_name().namespace(), Some(atom));
    assert_eq!(
        child(feed, "title").text(),
        Some("Citations & feeds <fixture>")
    );
    assert_eq!(child(feed, "id").text(), Some(BASE));
    // The feed's time is the newest entry date (10:00 at +02:00 is 08:00 UTC).
    assert_eq!(child(feed, "updated").text(), Some("2024-05-01T08:00:00Z"));
    let entries: Vec<roxmltree::Node> = feed
        .children()
        .filter(|c| c.has_tag_name((atom, "entry")))
        .collect();
    let ids: Vec<&str> = entries
        .iter()
        .map(|e| child(*e, "id").text().unwrap())
        .collect();
    // Dated entries newest first, then undated ones in catalogue order.
    assert_eq!(
        ids,
        [
            "https://example.org/sub/literature/l03/",
            "https://example.org/sub/literature/l01/",
            "https://example.org/sub/practices/p1/",
            "https://example.org/sub/literature/l02/",
            "https://example.org/sub/practices/p2/",
        ]
    );
    let updated: Vec<&str> = entries
        .iter()
        .map(|e| child(*e, "updated").text().unwrap())
        .collect();
    assert_eq!(
        updated,
        [
            "2024-05-01T08:00:00Z",
            "2024-03-01T00:00:00Z",
            "2023-12-31T00:00:00Z",
            "2024-05-01T08:00:00Z",
            "2024-05-01T08:00:00Z",
        ]
    );
    for entry in &entries {
        let link = child(*entry, "link");
        assert_eq!(link.attribute("href"), child(*entry, "id").text());
    }
    // Titles and bodies survive escaping; body links resolve against xml:base.
    assert_eq!(
        child(entries[2], "title").text(),
        Some("Home <care> & \"more\"")
    );
    let content = child(entries[1], "content");
    assert_eq!(content.attribute("type"), Some("html"));
    assert_eq!(
        content.attribute(("http://www.w3.org/XML/1998/namespace", "base")),
        Some("https://example.org/sub/literature/l01/")
    );
    let body = content.text().unwrap();
    assert!(body.contains("1 &lt; 2 &amp;"), "{body}");
    assert!(body.contains("href=\"../../practices/p1/\""), "{body}");
    let categories: Vec<&str> = entries[1]
        .children()
        .filter(|c| c.has_tag_name((atom, "category")))
        .filter_map(|c| c.attribute("label"))
        .collect();
    assert_eq!(categories, ["Article", "Health & care", "Education"]);
}

#[test]
fn pages_carry_canonical_open_graph_and_pagefind_markup() {
    let site = published();
    let page = site.html("public/practices/p1/index.html");
    let attr = |css: &str, name: &str| -> String {
        select(&page, css)
            .first()
            .unwrap_or_else(|| panic!("no {css}"))
            .value()
            .attr(name)
            .unwrap()
            .to_string()
    };
    assert_eq!(
        attr("link[rel=canonical]", "href"),
        "https://example.org/sub/practices/p1/"
    );
    assert_eq!(
        attr("meta[property='og:url']", "content"),
        "https://example.org/sub/practices/p1/"
    );
    assert_eq!(attr("meta[property='og:type']", "content"), "article");
    assert_eq!(
        attr("meta[property='og:title']", "content"),
        "Home <care> & \"more\""
    );
    assert_eq!(
        attr("meta[property='og:description']", "content"),
        "Practice P1: Home <care> & \"more\""
    );
    assert_eq!(
        attr("link[type='application/atom+xml']", "href"),
        "https://example.org/sub/atom.xml"
    );
    // Pagefind: the entry is the indexed body; facet values and the kind are filters.
    assert_eq!(select(&page, "article[data-pagefind-body]").len(), 1);
    let filters: Vec<(String, String)> = select(&page, "[data-pagefind-filter]")
        .iter()
        .map(|e| {
            (
                e.value().attr("data-pagefind-filter").unwrap().to_string(),
                text(e),
            )
        })
        .collect();
    assert_eq!(
        filters,
        [
            ("kind".to_string(), "Practice".to_string()),
            ("sectors".into(), "Health & care".into())
        ]
    );
    let home = site.html("public/index.html");
    let og_type = select(&home, "meta[property='og:type']");
    assert_eq!(og_type[0].value().attr("content"), Some("website"));
    assert_eq!(
        select(&home, "link[rel=canonical]")[0].value().attr("href"),
        Some(BASE)
    );
    // The 404 page is served at many addresses, so it names no canonical one.
    assert!(select(&site.html("public/404.html"), "link[rel=canonical]").is_empty());
}

#[test]
fn a_path_only_base_url_gives_no_absolute_url_files() {
    let site = TestSite::fixture("citations");
    site.build();
    assert!(!site.path("public/sitemap.xml").exists());
    assert!(!site.path("public/atom.xml").exists());
    let robots = site.read("public/robots.txt");
    assert!(!robots.contains("Sitemap:"), "{robots}");
    let page = site.html("public/practices/p1/index.html");
    assert!(select(&page, "link[rel=canonical]").is_empty());
    assert!(select(&page, "meta[property='og:url']").is_empty());
    assert_eq!(select(&page, "meta[property='og:title']").len(), 1);
    // The citation exports do not need absolute URLs.
    assert!(site.path("public/literature.bib").is_file());
    check_links(&site.path("public"));
}

#[test]
fn a_static_file_replaces_a_generated_one() {
    let site = TestSite::fixture("citations");
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    site.run(&["build", "--base-url", BASE]).assert_code(0);
    assert_eq!(
        site.read("public/robots.txt"),
        "User-agent: *\nDisallow: /\n"
    );
}

#[test]
fn a_site_template_shapes_the_feed_and_the_sitemap() {
    let site = TestSite::fixture("citations");
    site.write(
        "templates/sitemap.xml",
        "<urlset>{% for url in urls %}<url><loc>{{ url.loc | xml }}</loc></url>{% endfor %}</urlset>\n",
    );
    site.write(
        "templates/atom.xml",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{{ site.title | xml }} (own)</title>\
         {% for e in entries %}<entry><title>{{ e.title | xml }}</title><id>{{ e.url | xml }}</id></entry>{% endfor %}</feed>\n",
    );
    site.run(&["build", "--base-url", BASE]).assert_code(0);
    let sitemap = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        locs.contains(&"https://example.org/sub/literature/l01/"),
        "{locs:?}"
    );
    assert!(!sitemap.contains("lastmod"), "the site's template has none");
    let feed = site.read("public/atom.xml");
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
    assert!(title.text().unwrap().ends_with("(own)"), "{feed}");
    let entries = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .count();
    assert_eq!(entries, 3 + count_practices(&site), "{feed}");
}

/// Entries of the practice kind in a built fixture, from its catalogue.json.
fn count_practices(site: &TestSite) -> usize {
    let json: Value = serde_json::from_str(&site.read("public/catalogue.json")).unwrap();
    json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] != "literature")
        .count()
}

#[test]
fn publishing_files_are_byte_identical_across_builds() {
    let site = TestSite::fixture("citations");
    for out in ["a", "b"] {
        site.run(&["build", "--output", out, "--base-url", BASE])
            .assert_code(0);
    }
    for file in [
        "sitemap.xml",
        "atom.xml",
        "robots.txt",
        "literature.bib",
        "literature.json",
    ] {
        assert_eq!(
            site.read(&format!("a/{file}")),
            site.read(&format!("b/{file}")),
            "{file}"
        );
    }
}

#[test]
fn shipped_citations_invent_nothing_and_the_feed_lists_all_78_entries() {
    let site = TestSite::shipped();
    site.run(&["build", "--base-url", "https://example.org/catalogue/"])
        .assert_code(0);
    let bib = Bibliography::parse(&site.read("public/literature.bib")).unwrap();
    assert_eq!(bib.len(), 34);
    for entry in bib.iter() {
        assert_eq!(entry.entry_type, EntryType::Misc, "{}", entry.key);
        assert_eq!(entry.fields.len(), 1, "{} has only a title", entry.key);
        assert_eq!(field(entry, "title"), format!("Article {}", entry.key));
    }
    let items: Value = serde_json::from_str(&site.read("public/literature.json")).unwrap();
    for item in items.as_array().unwrap() {
        assert_valid_csl_item(item);
        assert_eq!(item.as_object().unwrap().len(), 3, "{item}");
    }
    let feed = site.read("public/atom.xml");
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let entries = doc
        .root_element()
        .children()
        .filter(|c| c.has_tag_name("entry"))
        .count();
    assert_eq!(entries, 78);
    // No shipped entry has a date: the feed uses the fixed 1970-01-01, never the build time.
    assert!(feed.contains("<updated>1970-01-01T00:00:00Z</updated>"));
    roxmltree::Document::parse(&site.read("public/sitemap.xml")).unwrap();
}
