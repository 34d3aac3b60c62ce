//! `casebook build` on the basic fixture: pages, counts, links, safety of output.

use crate::util::{check_links, select, snapshot, text, TestSite};

#[test]
fn builds_every_page_the_spec_lists() {
    let site = TestSite::fixture("basic");
    let run = site.build();
    assert!(
        run.stdout
            .starts_with("built 5 entries (2 articles, 3 practices)"),
        "{}",
        run.stdout
    );
    for page in [
        "index.html",
        "404.html",
        "catalogue.json",
        "style.css",
        "practices/index.html",
        "practices/p1/index.html",
        "practices/p10/index.html",
        "literature/l1/index.html",
        "sectors/index.html",
        "sectors/health/index.html",
        "sectors/health+education/index.html",
        "clusters/commitment/index.html",
        "countries/gb/index.html",
        "countries/gb-eng/index.html",
        "countries/dk/index.html",
        "summary/index.html",
        "summary/sector-combinations/index.html",
        "summary/sector-combinations.csv",
        "summary/countries.csv",
        "summary/clusters.csv",
        "summary/clusters-by-country.csv",
        "summary/clusters-by-country/commitment/dk/index.html",
        "about/index.html",
        ".casebook-output",
    ] {
        assert!(site.path("public").join(page).is_file(), "missing {page}");
    }
    // Single-value combinations are a section of the value page, not a page of their own.
    assert!(!site.path("public/sectors/health+/index.html").exists());
}

#[test]
fn every_internal_link_resolves() {
    let site = TestSite::fixture("basic");
    site.build();
    assert!(check_links(&site.path("public")) > 50);
}

#[test]
fn entry_page_shows_fields_facets_body_and_related_both_ways() {
    let site = TestSite::fixture("basic");
    site.build();
    let page = site.html("public/practices/p1/index.html");
    assert_eq!(text(&select(&page, "h1")[0]), "Helpdesk for pupils");
    let facts: Vec<String> = select(&page, ".fact").iter().map(text).collect();
    assert!(
        facts.contains(
            &"Sectors Health, Education (all with exactly Health & education)".to_string()
        ),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"Countries Denmark".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"Target group Pupils at risk of dropping out".to_string()),
        "{facts:?}"
    );
    // A URL field becomes a link; an id link in the body points to the entry.
    assert_eq!(
        select(&page, "a[href='https://example.org/helpdesk']").len(),
        1
    );
    assert_eq!(
        select(&page, ".body a[href='../../practices/p2/']").len(),
        1
    );
    // P1 names L1 as related; L1's page shows P1 too.
    let related: Vec<String> = select(&page, "[aria-labelledby=related-heading] a")
        .iter()
        .map(text)
        .collect();
    assert_eq!(related, ["An article: two places"]);
    let article = site.html("public/literature/l1/index.html");
    let back: Vec<String> = select(&article, "[aria-labelledby=related-heading] a")
        .iter()
        .map(text)
        .collect();
    assert_eq!(back, ["Helpdesk for pupils"]);
    assert_eq!(select(&article, ".body table").len(), 1);
    // Only the entry marked reconstructed carries the note.
    assert!(select(&page, ".note").is_empty());
    let p2 = site.html("public/practices/p2/index.html");
    assert!(text(&select(&p2, ".note")[0]).contains("Details not published in the review"));
}

#[test]
fn value_pages_roll_up_hierarchies_and_show_exact_combinations() {
    let site = TestSite::fixture("basic");
    site.build();
    // United Kingdom lists entries naming GB and those naming England.
    let gb = site.html("public/countries/gb/index.html");
    let mut ids: Vec<&str> = select(&gb, "[data-entry]")
        .iter()
        .map(|e| e.value().attr("data-entry").unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["L1", "L2", "P10", "P2"]);
    // Health: 3 entries name it; only P2 names health alone.
    let health = site.html("public/sectors/health/index.html");
    let only: Vec<&str> = select(&health, "#only [data-entry]")
        .iter()
        .map(|e| e.value().attr("data-entry").unwrap())
        .collect();
    assert_eq!(only, ["P2"]);
    let combo = site.html("public/sectors/health+education/index.html");
    let mut ids: Vec<&str> = select(&combo, "[data-entry]")
        .iter()
        .map(|e| e.value().attr("data-entry").unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["L1", "P1"]);
}

#[test]
fn summary_tables_match_their_csv() {
    let site = TestSite::fixture("basic");
    site.build();
    let csv = site.csv("public/summary/sector-combinations.csv");
    assert_eq!(csv[0], ["group", "combination", "literature", "practice"]);
    assert_eq!(csv.last().unwrap(), &["Total", "Total", "2", "3"]);
    // L2 names no sector: a None row keeps the total equal to the number of entries.
    assert!(csv.contains(&vec!["None".into(), "None".into(), "1".into(), "0".into()]));
    let html = site.html("public/summary/sector-combinations/index.html");
    let total_row = select(&html, "tr.total")[0];
    let cells: Vec<String> = total_row
        .select(&scraper::Selector::parse("td").unwrap())
        .map(|c| text(&c))
        .collect();
    assert_eq!(cells, ["2", "3"]);
    // Count cells link to the entries behind them.
    assert!(!select(&html, "td a[href='../../sectors/health+education/']").is_empty());
    assert_eq!(select(&html, "svg[role=img] title").len(), 1);

    let countries = site.csv("public/summary/countries.csv");
    assert_eq!(
        countries,
        [
            ["value", "parent", "literature", "practice"],
            ["United Kingdom", "", "1", "1"],
            ["England", "United Kingdom", "1", "1"],
            ["Denmark", "", "1", "1"],
            ["Total", "", "3", "3"],
        ]
    );
    let presence = site.csv("public/summary/clusters.csv");
    assert_eq!(presence[1], ["Commitment", "1", "50", "2", "67"]);
    let pivot = site.csv("public/summary/clusters-by-country.csv");
    assert_eq!(
        pivot[0],
        ["cluster", "United Kingdom", "England", "Denmark", "Total"]
    );
    assert_eq!(pivot[1], ["Commitment", "1", "1", "1", "3"]);
    assert_eq!(pivot.last().unwrap(), &["Total", "1", "2", "2", "4"]);
}

#[test]
fn catalogue_json_lists_every_entry_with_facets_and_fields() {
    let site = TestSite::fixture("basic");
    site.run(&["build", "--base-url", "https://example.org/cat"])
        .assert_code(0);
    let json: serde_json::Value =
        serde_json::from_str(&site.read("public/catalogue.json")).unwrap();
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    let p1 = entries.iter().find(|e| e["id"] == "P1").unwrap();
    assert_eq!(p1["kind"], "practice");
    assert_eq!(p1["url"], "https://example.org/cat/practices/p1/");
    assert_eq!(p1["sectors"], serde_json::json!(["health", "education"]));
    assert_eq!(p1["countries"], serde_json::json!(["DK"]));
    assert_eq!(
        p1["fields"]["target_group"],
        "Pupils at risk of dropping out"
    );
    assert_eq!(p1["related"], serde_json::json!(["L1"]));
    let p2 = entries.iter().find(|e| e["id"] == "P2").unwrap();
    assert_eq!(
        p2["countries"],
        serde_json::json!(["GB-ENG"]),
        "single `country:` is accepted"
    );
}

#[test]
fn sub_path_base_url_keeps_links_working() {
    let site = TestSite::fixture("basic");
    site.run(&["build", "--base-url", "https://example.org/catalogue/"])
        .assert_code(0);
    check_links(&site.path("public"));
    // The 404 page is served at any depth, so it links from the base path.
    let not_found = site.html("public/404.html");
    assert!(
        select(&not_found, "link[rel=stylesheet]")[0]
            .value()
            .attr("href")
            .unwrap()
            == "/catalogue/style.css"
    );
    assert!(!select(&not_found, "a[href='/catalogue/summary/']").is_empty());
}

#[test]
fn output_is_deterministic() {
    let site = TestSite::shipped();
    site.run(&["build", "--output", "a"]).assert_code(0);
    site.run(&["build", "--output", "b"]).assert_code(0);
    let a = snapshot(&site.path("a"));
    let b = snapshot(&site.path("b"));
    assert!(a.len() > 300);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{} differs between two builds",
            path.display()
        );
    }
}

#[test]
fn failed_build_leaves_previous_output_byte_for_byte() {
    let site = TestSite::fixture("basic");
    site.build();
    let before = snapshot(&site.path("public"));
    site.write(
        "content/practices/p1.md",
        "---\nid: P1\ntitle: Broken\nclusters: [comitment]\n---\n",
    );
    let run = site.run(&["build"]);
    run.assert_code(1);
    assert!(run.stderr.contains("nothing was written"));
    assert_eq!(snapshot(&site.path("public")), before);
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("casebook-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn rebuild_replaces_previous_output() {
    let site = TestSite::fixture("basic");
    site.build();
    std::fs::remove_file(site.path("content/practices/p10.md")).unwrap();
    site.build();
    assert!(!site.path("public/practices/p10").exists());
    assert!(site.path("public/practices/p1/index.html").exists());
}

#[test]
fn refuses_outputs_that_could_lose_work() {
    let site = TestSite::fixture("basic");
    for output in [".", "content", "content/x", "/"] {
        let run = site.run(&["build", "--output", output]);
        run.assert_code(1);
        assert!(
            run.stderr.contains("refusing to write the site here"),
            "{output}: {}",
            run.stderr
        );
    }
    site.write("notes/todo.txt", "keep me");
    let run = site.run(&["build", "--output", "notes"]);
    run.assert_code(1);
    run.assert_stderr_has("not written by casebook");
    assert_eq!(site.read("notes/todo.txt"), "keep me");
}

#[test]
fn a_site_with_only_config_and_content_uses_the_builtin_theme_and_overrides_win() {
    let site = TestSite::fixture("basic");
    site.build();
    let builtin_css = site.read("public/style.css");
    assert!(builtin_css.contains("casebook built-in theme"));
    // Override one template and one static file; the rest stays built in.
    site.write("templates/page.html", "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ page.title }}</h1>{% endblock content %}");
    site.write("static/style.css", "body { color: black }");
    site.write(
        "static/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.build();
    assert_eq!(
        select(&site.html("public/about/index.html"), "h1.custom").len(),
        1
    );
    assert_eq!(site.read("public/style.css"), "body { color: black }");
    assert!(site.path("public/img/logo.svg").is_file());
    assert!(!select(&site.html("public/practices/p1/index.html"), ".facts").is_empty());
}

#[test]
fn no_external_requests_in_the_builtin_theme() {
    let site = TestSite::fixture("basic");
    site.build();
    for page in [
        "public/index.html",
        "public/practices/p1/index.html",
        "public/summary/countries/index.html",
    ] {
        let html = site.html(page);
        for (css, attr) in [
            ("link[href]", "href"),
            ("script[src]", "src"),
            ("img[src]", "src"),
        ] {
            for e in select(&html, css) {
                let url = e.value().attr(attr).unwrap();
                assert!(!url.contains("//"), "{page} loads {url}");
            }
        }
    }
}

#[test]
fn template_errors_name_the_template_and_line() {
    let site = TestSite::fixture("basic");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title \n{% endblock content %}",
    );
    let run = site.run(&["build"]);
    run.assert_code(1);
    run.assert_stderr_has("templates/page.html:");
    let run = site.run(&["check"]);
    run.assert_code(1);
    site.write("templates/page.html", "{% extends \"base.html\" %}{% block content %}{{ page.nope.deeper }}{% endblock content %}");
    let run = site.run(&["build"]);
    run.assert_code(1);
    run.assert_stderr_has("templates/page.html");
    run.assert_stderr_has("about/");
}

#[test]
fn a_site_item_template_shapes_every_list_and_its_errors_are_reported() {
    let site = TestSite::fixture("basic");
    site.write(
        "templates/item.html",
        "<li class=\"mine {{ style }}\"><a href=\"{{ root }}{{ e.url }}\">{{ e.id }}</a></li>",
    );
    site.build();
    // Rendered once per entry and style, but the root is each page's own.
    let home = site.html("public/index.html");
    let on_home = select(&home, "li.mine.home a");
    assert!(!on_home.is_empty());
    assert!(on_home
        .iter()
        .any(|a| a.value().attr("href") == Some("./practices/p1/")));
    let value = site.html("public/countries/dk/index.html");
    let on_value = select(&value, "li.mine.list a");
    assert!(!on_value.is_empty());
    assert!(on_value
        .iter()
        .all(|a| a.value().attr("href").unwrap().starts_with("../../")));
    let kind = site.html("public/practices/index.html");
    assert!(select(&kind, "li.mine.list a").iter().all(|a| a
        .value()
        .attr("href")
        .unwrap()
        .starts_with("../practices/")));
    // Links from every list still resolve.
    check_links(&site.path("public"));

    // A facet value's link on entry pages comes from value-link.html, once per value.
    site.write(
        "templates/value-link.html",
        "<a class=\"mine-value\" href=\"{{ root }}{{ value.url }}\">{{ facet.name }}={{ value.id }}</a>",
    );
    site.build();
    let entry = site.html("public/practices/p1/index.html");
    let links = select(&entry, "a.mine-value");
    assert!(links.iter().any(|a| text(a) == "countries=DK"));
    assert!(links
        .iter()
        .all(|a| a.value().attr("href").unwrap().starts_with("../../")));
    check_links(&site.path("public"));

    // The header comes from nav.html, once per section, with each page's root.
    site.write(
        "templates/nav.html",
        "<nav class=\"mine-nav\" data-section=\"{{ section }}\"><a href=\"{{ root }}\">Home</a></nav>",
    );
    site.build();
    for (page, section, root) in [
        ("public/index.html", "", "./"),
        ("public/practices/p1/index.html", "practices/", "../../"),
        ("public/practices/index.html", "practices/", "../"),
        ("public/countries/dk/index.html", "countries/", "../../"),
        ("public/about/index.html", "about/", "../"),
    ] {
        let html = site.html(page);
        let nav = select(&html, "nav.mine-nav");
        assert_eq!(nav.len(), 1, "{page}");
        assert_eq!(nav[0].value().attr("data-section"), Some(section), "{page}");
        let home = select(&html, "nav.mine-nav a");
        assert_eq!(home[0].value().attr("href"), Some(root), "{page}");
    }
    std::fs::remove_file(site.path("templates/nav.html")).unwrap();

    site.write("templates/item.html", "<li>{{ e.nope.deeper }}</li>");
    let run = site.run(&["build"]);
    run.assert_code(1);
    run.assert_stderr_has("templates/item.html");
    run.assert_stderr_has("list item of");
}
