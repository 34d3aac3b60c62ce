//! Paged lists (SPEC §6): `paginate_by` entries a page, page 1 at the list's
//! own URL, page n at `<list>page/<n>/`, rel prev/next, a numbered pager,
//! never a `page/1/`.

use std::collections::BTreeSet;

use crate::util::{check_links, select, TestSite};

/// The shipped catalogue with `paginate_by` set, built.
fn paged(per: usize) -> TestSite {
    let site = TestSite::shipped();
    let config = site.read("catalogue.yaml");
    site.write("catalogue.yaml", &format!("paginate_by: {per}\n{config}"));
    site.build().assert_code(0);
    site
}

/// The entry ids of a built page's main list (not its "only" section).
fn listed(site: &TestSite, page: &str) -> Vec<String> {
    let html = site.html(page);
    select(
        &html,
        "main > section.group [data-entry], main > ul.entry-list [data-entry]",
    )
    .iter()
    .map(|e| e.value().attr("data-entry").unwrap().to_string())
    .collect()
}

#[test]
fn kind_pages_split_the_list_and_link_each_other() {
    let site = paged(10);
    // 44 practices: 5 pages of 10, 10, 10, 10, 4.
    let mut seen = Vec::new();
    for n in 1..=5 {
        let page = if n == 1 {
            "public/practices/index.html".to_string()
        } else {
            format!("public/practices/page/{n}/index.html")
        };
        let ids = listed(&site, &page);
        assert_eq!(ids.len(), if n == 5 { 4 } else { 10 }, "{page}");
        seen.extend(ids);
        let html = site.html(&page);
        let prev = select(&html, "head link[rel=prev]");
        let next = select(&html, "head link[rel=next]");
        assert_eq!(prev.len(), usize::from(n > 1), "{page}");
        assert_eq!(next.len(), usize::from(n < 5), "{page}");
        if n == 2 {
            assert_eq!(prev[0].value().attr("href"), Some("../../../practices/"));
            let next = next[0].value().attr("href");
            assert_eq!(next, Some("../../../practices/page/3/"));
        }
        let current = select(&html, ".pager [aria-current=page]");
        assert_eq!(current.len(), 1, "{page}");
        assert_eq!(current[0].text().collect::<String>(), n.to_string());
    }
    assert!(!site.path("public/practices/page/1").exists(), "no page/1/");
    assert!(!site.path("public/practices/page/6").exists());
    // Every practice once, in catalogue order.
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (44, 44));
    assert_eq!(seen.first().map(String::as_str), Some("P1"));
    assert_eq!(seen.last().map(String::as_str), Some("P44"));
    assert!(check_links(&site.path("public")) > 0, "links were checked");
}

#[test]
fn value_combination_and_pivot_cell_pages_are_paged_too() {
    let site = paged(5);
    // Every page of a value's list is reachable and lists at most five entries;
    // together they list what the unpaged page lists.
    let whole = {
        let site = paged(0);
        listed(&site, "public/sectors/health/index.html")
    };
    assert!(whole.len() > 10, "the test needs a long list");
    let mut seen = listed(&site, "public/sectors/health/index.html");
    // The first page also shows at most a page of the "only health" list,
    // and links to the home page for the rest.
    let first = site.html("public/sectors/health/index.html");
    assert_eq!(select(&first, "#only [data-entry]").len(), 5);
    let more = select(&first, "#only a[href*='exact=sectors']");
    assert_eq!(more.len(), 1, "a link to all of them");
    let mut n = 2;
    while site
        .path(&format!("public/sectors/health/page/{n}/index.html"))
        .exists()
    {
        let ids = listed(&site, &format!("public/sectors/health/page/{n}/index.html"));
        assert!(ids.len() <= 5 && !ids.is_empty());
        seen.extend(ids);
        n += 1;
    }
    assert_eq!(seen, whole);
    // Some combination and some pivot cell have a second page.
    let out = site.path("public");
    let second_pages: Vec<String> = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().strip_prefix(&out).unwrap().display().to_string())
        .filter(|p| p.ends_with("page/2/index.html"))
        .collect();
    assert!(
        second_pages
            .iter()
            .any(|p| p.starts_with("sectors/") && p.contains('+')),
        "{second_pages:?}"
    );
    assert!(
        second_pages.iter().any(|p| p.starts_with("summary/")),
        "{second_pages:?}"
    );
    assert!(check_links(&out) > 0, "links were checked");
}

#[test]
fn paging_off_lists_everything_on_one_page() {
    let site = paged(0);
    assert_eq!(listed(&site, "public/practices/index.html").len(), 44);
    let html = site.html("public/practices/index.html");
    assert!(select(&html, ".pager").is_empty());
    assert!(select(&html, "link[rel=next]").is_empty());
}
