//! The small things a new author notices (issue 15): words and numbers that
//! agree, tables that line up, no empty columns, no source paths or empty
//! citations on public pages, examples that exist.

use crate::util::{select, text, TestSite};

#[test]
fn one_entry_of_a_kind_is_named_in_the_singular() {
    let site = TestSite::empty();
    site.run(&["init"]).assert_code(0);
    site.build();
    let home = site.read("public/index.html");
    assert!(home.contains(">1 article</a>, <a"), "home page");
    assert!(site
        .read("public/literature/index.html")
        .contains("<p>1 article in the catalogue.</p>"));
}

#[test]
fn summary_tables_align_headers_with_their_numbers_and_say_how_parents_count() {
    let site = TestSite::fixture("basic");
    site.build();
    let page = site.html("public/summary/countries/index.html");
    let heads: Vec<bool> = select(&page, "table.summary thead th")
        .iter()
        .map(|th| th.value().attr("class") == Some("numeric"))
        .collect();
    assert_eq!(
        heads,
        [false, true, true],
        "value column left, counts right"
    );
    let note = text(&select(&page, "p.note")[0]);
    assert!(
        note.contains("United Kingdom counts the entries naming United Kingdom as a whole")
            && note.contains("such as England"),
        "{note}"
    );
    // Combinations: the combination column holds words, not numbers.
    let page = site.html("public/summary/sector-combinations/index.html");
    let heads: Vec<bool> = select(&page, "table.summary thead th")
        .iter()
        .map(|th| th.value().attr("class") == Some("numeric"))
        .collect();
    assert_eq!(heads, [false, false, true, true]);
}

#[test]
fn facet_pages_leave_out_an_empty_description_column() {
    let site = TestSite::fixture("basic");
    site.build();
    let countries = site.html("public/countries/index.html");
    assert_eq!(
        select(&countries, "thead th").len(),
        2,
        "no value has a description"
    );
    let clusters = site.html("public/clusters/index.html");
    assert_eq!(select(&clusters, "thead th").len(), 3, "commitment has one");
}

#[test]
fn list_items_show_the_facets_list_facets_names() {
    let site = TestSite::fixture("basic");
    site.build();
    let item = |site: &TestSite| {
        let page = site.html("public/practices/index.html");
        select(&page, "li[data-entry=P1] .meta")
            .first()
            .map(text)
            .unwrap_or_default()
    };
    // By default the first two facets: sectors, then clusters.
    assert_eq!(item(&site), "Health, Education · Commitment");
    let config = site.read("catalogue.yaml");
    site.write(
        "catalogue.yaml",
        &format!("{config}list_facets: [countries, sectors]\n"),
    );
    site.build();
    assert_eq!(item(&site), "Denmark · Health, Education");
    // A name that is not a facet is pointed out by check.
    site.write(
        "catalogue.yaml",
        &format!("{config}list_facets: [contries]\n"),
    );
    let run = site.run(&["check"]);
    run.assert_stderr_has(
        "warning: `list_facets` names \"contries\", which is not a facet (did you mean \"countries\"?)",
    );
}

#[test]
fn entry_pages_name_their_source_file_only_when_asked() {
    let site = TestSite::fixture("basic");
    site.build();
    assert!(!site
        .read("public/practices/p1/index.html")
        .contains("Source file"));
    let config = site.read("catalogue.yaml");
    site.write("catalogue.yaml", &format!("{config}show_source: true\n"));
    site.build();
    assert!(site
        .read("public/practices/p1/index.html")
        .contains("Source file: <code>content/practices/p1.md</code>"));
}

#[test]
fn a_new_entry_suggests_links_to_an_entry_that_exists() {
    let site = TestSite::empty();
    site.run(&["init"]).assert_code(0);
    let run = site.run(&["new", "practice", "Home care"]);
    run.assert_code(0);
    let path = run.stdout.trim().to_string();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("`[see this one](P1)`"), "{written}");
    assert!(written.contains("e.g. [P1]"), "{written}");
    assert!(!written.contains("P12"), "{written}");
}
