//! The incremental rebuild must give exactly what a full build of the same
//! files gives. Each test edits the shipped catalogue in a temporary copy,
//! applies the plan the watcher would make, and compares every file with a
//! fresh full build.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::watch::StaticChange;
use super::*;
use crate::routes::{url_path, Route, SEARCH_INDEX};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// A copy of the shipped catalogue (settings and content; the built-in theme).
fn shipped_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        repo.join("catalogue.yaml"),
        dir.path().join("catalogue.yaml"),
    )
    .unwrap();
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    dir
}

fn options() -> LoadOptions {
    LoadOptions {
        base_url: Some("/".into()),
    }
}

fn built(root: &Path) -> Builder {
    let mut builder = Builder::new(root, options());
    match builder.full("test") {
        Outcome::Built { .. } => builder,
        other => panic!("first build failed: {other:?}"),
    }
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn entries_changed(files: &[&str]) -> RebuildPlan {
    RebuildPlan::Partial {
        entries: files.iter().map(PathBuf::from).collect(),
        statics: None,
    }
}

/// Panics with the first difference between the builder's files and a full build.
fn assert_same_as_full_build(builder: &Builder, root: &Path) {
    let incremental = builder.files().expect("a good build");
    let full = built(root).files().unwrap();
    let a: BTreeSet<&str> = incremental.keys().map(|k| &**k).collect();
    let b: BTreeSet<&str> = full.keys().map(|k| &**k).collect();
    assert_eq!(a, b, "different sets of files");
    for key in a {
        if incremental[key] != full[key] {
            panic!(
                "{key} differs from a full build:\n--- incremental\n{}\n--- full\n{}",
                String::from_utf8_lossy(&incremental[key]),
                String::from_utf8_lossy(&full[key])
            );
        }
    }
}

/// Applies a plan that must stay partial (no reload from disk); returns the
/// changed URL paths and the routes rendered again.
fn apply_partial_routes(builder: &mut Builder, plan: &RebuildPlan) -> (Vec<String>, Vec<Route>) {
    match builder.apply(plan) {
        Outcome::Built {
            changed: Some(changed),
            rendered: Some(rendered),
            summary,
            ..
        } => {
            assert!(summary.starts_with("rebuilt"), "{summary}");
            (changed, rendered)
        }
        other => panic!("expected a partial rebuild, got {other:?}"),
    }
}

/// [`apply_partial_routes`], the changed URL paths only.
fn apply_partial(builder: &mut Builder, plan: &RebuildPlan) -> Vec<String> {
    apply_partial_routes(builder, plan).0
}

/// The index of the entry with `id` in the builder's site.
fn entry_index(builder: &Builder, id: &str) -> usize {
    let good = builder.good.as_ref().expect("a good build");
    let entries = &good.site.catalogue.entries;
    entries
        .iter()
        .position(|e| e.id == id)
        .expect("the entry exists")
}

#[test]
fn body_edit_re_renders_only_its_page() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    edit(
        root,
        "content/practices/p12.md",
        "Recovery is a Danish project",
        "Recovery (edited) is a Danish project",
    );
    let (changed, rendered) = apply_partial_routes(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    // The page, the search index, which holds every body's text, and the
    // kind's entries.csv, which holds every body: those routes were
    // rendered, and nothing else.
    // (Rendered in parallel, so in no particular order.)
    let mut changed = changed;
    changed.sort();
    assert_eq!(
        changed,
        [
            "/practices/entries.csv",
            "/practices/p12/",
            "/search-index.json"
        ]
    );
    let p12 = entry_index(&builder, "P12");
    let practices = builder.good.as_ref().unwrap().site.catalogue.entries[p12].kind;
    assert_eq!(
        rendered,
        [
            Route::EntriesCsv(practices),
            Route::Entry(p12),
            Route::SearchIndex
        ]
    );
    assert_same_as_full_build(&builder, root);
}

#[test]
fn links_to_files_resolve_after_a_body_edit_as_in_a_full_build() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    edit(
        root,
        "content/practices/p12.md",
        "Recovery is a Danish project",
        "Recovery is a Danish project (see [P1](p1.md) and [the guide](../pages/guide.md))",
    );
    apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    let files = builder.files().unwrap();
    let page = String::from_utf8_lossy(&files["practices/p12/index.html"]);
    assert!(
        page.contains("href=\"../../practices/p1/\">P1</a>"),
        "{page}"
    );
    assert!(
        page.contains("href=\"../../guide/\">the guide</a>"),
        "{page}"
    );
    assert_same_as_full_build(&builder, root);
}

#[test]
fn title_edit_updates_every_list_showing_the_entry() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    edit(
        root,
        "content/practices/p12.md",
        "title: Recovery",
        "title: Recovery and more",
    );
    let (changed, rendered) = apply_partial_routes(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    // Lists showing the entry are rendered again; pages that do not show
    // titles are not, and neither are the summaries (no count changed).
    let all = builder.good.as_ref().unwrap().site.routes.len();
    assert!(
        rendered.len() < all / 4,
        "{} of {all} routes",
        rendered.len()
    );
    assert!(rendered.contains(&Route::Home));
    assert!(!rendered.iter().any(|r| matches!(
        r,
        Route::Summary(_)
            | Route::SummaryCsv(_)
            | Route::Facet(_)
            | Route::Page(_)
            | Route::Static(_)
    )));
    for page in [
        "/practices/p12/",
        "/practices/",
        "/",
        "/practices/p32/",
        "/countries/dk/",
        "/catalogue.json",
    ] {
        assert!(
            changed.iter().any(|c| c == page),
            "{page} not in {changed:?}"
        );
    }
    assert_same_as_full_build(&builder, root);
}

#[test]
fn facet_edits_update_values_summaries_and_similar_entries() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    // A country moving inside a hierarchy, clusters changing (pivot cells, "more like this").
    edit(
        root,
        "content/practices/p12.md",
        "countries: [DK]",
        "countries: [GB-SCT]",
    );
    apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    assert_same_as_full_build(&builder, root);
    edit(
        root,
        "content/practices/p12.md",
        "clusters: [person-centeredness, transparent-entrepreneurship]",
        "clusters: [person-centeredness, commitment, delivery-system]",
    );
    builder.apply(&entries_changed(&["content/practices/p12.md"]));
    assert_same_as_full_build(&builder, root);
}

#[test]
fn more_like_this_lists_follow_facet_edits() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    // Make P12 share most values with P1 without changing how it looks in lists
    // (sectors and clusters), so only "more like this" lists can reveal it.
    let p1 = "content/practices/p1.md";
    edit(
        root,
        "content/practices/p12.md",
        "countries: [DK]",
        "countries: [IT]",
    );
    edit(
        root,
        "content/practices/p12.md",
        "methods: [personal-contact, monitoring]",
        "methods: [personal-contact, personalised-plan, case-management, multidisciplinary-team, one-stop-shop, monitoring]",
    );
    edit(
        root,
        "content/practices/p12.md",
        "leadership: [shared]",
        "leadership: [single]",
    );
    let changed = apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    assert!(std::fs::read_to_string(root.join(p1))
        .unwrap()
        .contains("countries: [IT]"));
    assert!(changed.iter().any(|c| c == "/practices/p1/"), "{changed:?}");
    assert_same_as_full_build(&builder, root);
}

#[test]
fn more_like_this_stays_right_over_a_series_of_edits() {
    // The lists are cached after the first edit that needs them and updated after
    // each later one: every step must still match a full build.
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    let steps: [(&str, &str, &str); 6] = [
        (
            "content/practices/p12.md",
            "title: Recovery",
            "title: Recovery renamed",
        ),
        (
            "content/practices/p12.md",
            "leadership: [shared]",
            "leadership: [single]",
        ),
        (
            "content/practices/p1.md",
            "countries: [IT]",
            "countries: [DK]",
        ),
        (
            "content/practices/p12.md",
            "methods: [personal-contact, monitoring]",
            "methods: [case-management]",
        ),
        (
            "content/practices/p1.md",
            "title: Practice P1",
            "title: Practice one",
        ),
        (
            "content/practices/p12.md",
            "related: [P32]",
            "related: [P1]",
        ),
    ];
    for (file, from, to) in steps {
        edit(root, file, from, to);
        builder.apply(&entries_changed(&[file]));
        assert_same_as_full_build(&builder, root);
    }
}

#[test]
fn an_entry_leaving_more_like_this_lists_is_replaced() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    let file = "content/practices/p28.md";
    // A first edit makes the lists cached; P28 still shares values with others.
    edit(
        root,
        file,
        "title: Practice P28",
        "title: Practice P28 renamed",
    );
    builder.apply(&entries_changed(&[file]));
    let similar_on_p4 = |builder: &Builder| -> String {
        let page = builder.files().unwrap()["practices/p4/index.html"].clone();
        let text = String::from_utf8_lossy(&page).into_owned();
        text.split("id=\"similar-heading\"")
            .nth(1)
            .unwrap_or_default()
            .to_string()
    };
    assert!(similar_on_p4(&builder).contains("p28/"), "P28 is like P4");
    // Now it shares (almost) nothing: it leaves the lists and others take its place.
    edit(root, file, "methods: [personal-contact, personalised-plan, multidisciplinary-team, one-stop-shop, monitoring]", "methods: []");
    edit(root, file, "leadership: [shared]", "leadership: []");
    edit(root, file, "funding: [joint]", "funding: []");
    apply_partial(&mut builder, &entries_changed(&[file]));
    assert!(!similar_on_p4(&builder).contains("p28/"));
    assert_same_as_full_build(&builder, root);
}

#[test]
fn lists_computed_while_idle_serve_later_edits() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    let mut steps = 0;
    while builder.has_idle_work() {
        builder.idle_step();
        steps += 1;
        assert!(steps < 1000);
    }
    edit(
        root,
        "content/practices/p28.md",
        "leadership: [shared]",
        "leadership: [single]",
    );
    apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p28.md"]),
    );
    assert_same_as_full_build(&builder, root);
    assert!(!builder.has_idle_work(), "the lists were kept up to date");
}

#[test]
fn combination_changes_stay_correct() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    // May create or empty a sector combination: then every page is re-rendered from memory.
    edit(
        root,
        "content/practices/p12.md",
        "sectors: [health]",
        "sectors: [education, other]",
    );
    assert!(matches!(
        builder.apply(&entries_changed(&["content/practices/p12.md"])),
        Outcome::Built { .. }
    ));
    assert_same_as_full_build(&builder, root);
}

#[test]
fn related_edits_update_both_ends() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    edit(
        root,
        "content/practices/p12.md",
        "related: [P32]",
        "related: [P32, P1]",
    );
    let changed = apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    assert!(changed.iter().any(|c| c == "/practices/p1/"), "{changed:?}");
    assert_same_as_full_build(&builder, root);
    edit(
        root,
        "content/practices/p12.md",
        "related: [P32, P1]",
        "related: []",
    );
    let changed = apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    assert!(changed.iter().any(|c| c == "/practices/p1/"), "{changed:?}");
    assert_same_as_full_build(&builder, root);
}

#[test]
fn several_entries_in_one_batch() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    edit(
        root,
        "content/practices/p12.md",
        "title: Recovery",
        "title: Recovery two",
    );
    edit(
        root,
        "content/practices/p1.md",
        "clusters: [person-centeredness]",
        "clusters: [commitment]",
    );
    builder.apply(&entries_changed(&[
        "content/practices/p12.md",
        "content/practices/p1.md",
    ]));
    assert_same_as_full_build(&builder, root);
}

#[test]
fn unusual_changes_fall_back_to_a_full_rebuild() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    // A changed id: other entries' links and related lists may now point elsewhere.
    edit(root, "content/practices/p44.md", "id: P44", "id: P45");
    match builder.apply(&entries_changed(&["content/practices/p44.md"])) {
        Outcome::Built {
            changed: None,
            summary,
            ..
        } => assert!(summary.contains("id changed"), "{summary}"),
        other => panic!("{other:?}"),
    }
    assert_same_as_full_build(&builder, root);
    // A new file the catalogue does not know yet.
    std::fs::write(
        root.join("content/practices/p99.md"),
        "---\nid: P99\ntitle: New\n---\nNew.\n",
    )
    .unwrap();
    match builder.apply(&entries_changed(&["content/practices/p99.md"])) {
        Outcome::Built {
            changed: None,
            summary,
            ..
        } => assert!(summary.contains("added"), "{summary}"),
        other => panic!("{other:?}"),
    }
    assert!(builder
        .files()
        .unwrap()
        .contains_key("practices/p99/index.html"));
    // A removed file.
    std::fs::remove_file(root.join("content/practices/p99.md")).unwrap();
    assert!(matches!(
        builder.apply(&entries_changed(&["content/practices/p99.md"])),
        Outcome::Built { changed: None, .. }
    ));
    assert!(!builder
        .files()
        .unwrap()
        .contains_key("practices/p99/index.html"));
    assert_same_as_full_build(&builder, root);
}

#[test]
fn errors_keep_the_last_good_files_until_fixed() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    let good = builder.files().unwrap();
    edit(
        root,
        "content/practices/p12.md",
        "sectors: [health]",
        "sectors: [helth]",
    );
    match builder.apply(&entries_changed(&["content/practices/p12.md"])) {
        Outcome::Failed(errors) => {
            let shown: Vec<String> = errors.iter().map(Diagnostic::headline).collect();
            assert!(
                shown
                    .iter()
                    .any(|h| h
                        .starts_with("content/practices/p12.md:5:11: unknown sector \"helth\"")),
                "{shown:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        Arc::ptr_eq(&good, &builder.files().unwrap()),
        "the last good files stay"
    );
    // While broken, even an unrelated edit rebuilds everything (the model may be stale).
    edit(
        root,
        "content/practices/p1.md",
        "title: Practice P1",
        "title: Practice P1 edited",
    );
    assert!(matches!(
        builder.apply(&entries_changed(&["content/practices/p1.md"])),
        Outcome::Failed(_)
    ));
    edit(
        root,
        "content/practices/p12.md",
        "sectors: [helth]",
        "sectors: [health]",
    );
    assert!(matches!(
        builder.apply(&entries_changed(&["content/practices/p12.md"])),
        Outcome::Built { changed: None, .. }
    ));
    assert_same_as_full_build(&builder, root);
}

#[test]
fn stylesheets_are_recopied_alone() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    std::fs::create_dir(root.join("static")).unwrap();
    std::fs::write(root.join("static/extra.css"), "body { color: red }\n").unwrap();
    let css = RebuildPlan::Partial {
        entries: BTreeSet::new(),
        statics: Some(StaticChange::CssOnly),
    };
    match builder.apply(&css) {
        Outcome::Built {
            changed: Some(changed),
            css_only: true,
            ..
        } => assert_eq!(changed, ["/extra.css"]),
        other => panic!("{other:?}"),
    }
    assert_same_as_full_build(&builder, root);
    std::fs::remove_file(root.join("static/extra.css")).unwrap();
    builder.apply(&css);
    assert!(!builder.files().unwrap().contains_key("extra.css"));
    assert_same_as_full_build(&builder, root);
}

#[test]
fn own_templates_make_value_changes_re_render_everything() {
    let site = shipped_site();
    let root = site.path();
    std::fs::create_dir(root.join("templates")).unwrap();
    // A footer printing a value count on every page.
    std::fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}Health: {{ site.facets[0].values[0].count }}{% endblock content %}",
    )
    .unwrap();
    let mut builder = built(root);
    edit(
        root,
        "content/practices/p12.md",
        "sectors: [health]",
        "sectors: [health, other]",
    );
    builder.apply(&entries_changed(&["content/practices/p12.md"]));
    assert_same_as_full_build(&builder, root);
    // A body edit stays partial.
    edit(
        root,
        "content/practices/p12.md",
        "Recovery is a Danish project",
        "Recovery is a Danish scheme",
    );
    let mut changed = apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    changed.sort();
    assert_eq!(
        changed,
        [
            "/practices/entries.csv",
            "/practices/p12/",
            "/search-index.json"
        ]
    );
}

#[test]
fn bind_addresses_and_urls() {
    assert_eq!(parse_bind("localhost"), Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    assert_eq!(parse_bind("::1"), Ok("::1".parse().unwrap()));
    assert!(parse_bind("example.org").is_err());
    assert!(exposure_warning("127.0.0.1".parse().unwrap()).is_none());
    assert!(exposure_warning("::1".parse().unwrap()).is_none());
    let warning = exposure_warning("0.0.0.0".parse().unwrap()).unwrap();
    assert!(warning.contains("visible on the network"), "{warning}");
    assert_eq!(
        browse_url("0.0.0.0:1111".parse().unwrap()),
        "http://127.0.0.1:1111/"
    );
    assert_eq!(
        browse_url("[::1]:8080".parse().unwrap()),
        "http://[::1]:8080/"
    );
    assert_eq!(url_path("practices/p12/index.html"), "/practices/p12/");
    assert_eq!(url_path("index.html"), "/");
    assert_eq!(url_path("summary/a.csv"), "/summary/a.csv");
}

#[test]
fn template_errors_are_reported_and_recovered_from() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    std::fs::create_dir(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/page.html"),
        "{% extends \"base.html\" %}\n{% block content %}{{ page.title }\n",
    )
    .unwrap();
    match builder.apply(&RebuildPlan::Full("templates changed")) {
        Outcome::Failed(errors) => {
            let shown: Vec<String> = errors.iter().map(Diagnostic::headline).collect();
            assert!(
                shown
                    .iter()
                    .any(|h| h.starts_with("templates/page.html:2:")),
                "{shown:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(builder.files().is_some(), "the last good files stay");
    std::fs::write(root.join("templates/page.html"), "{% extends \"base.html\" %}\n{% block content %}<h1 class=\"own\">{{ page.title }}</h1>{% endblock content %}\n").unwrap();
    assert!(matches!(
        builder.apply(&RebuildPlan::Full("templates changed")),
        Outcome::Built { .. }
    ));
    assert_same_as_full_build(&builder, root);
}

/// Panics unless the builder's `search-index.json` has the bytes a full build gives.
fn assert_search_index_as_full_build(builder: &Builder, root: &Path) {
    let incremental = builder.files().unwrap()[SEARCH_INDEX].clone();
    let full = built(root).files().unwrap()[SEARCH_INDEX].clone();
    if incremental != full {
        let (a, b) = (
            String::from_utf8_lossy(&incremental),
            String::from_utf8_lossy(&full),
        );
        let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let from = at.saturating_sub(200);
        panic!(
            "search-index.json differs from a full build at byte {at}:\n--- incremental\n{}\n--- full\n{}",
            a.get(from..(at + 200).min(a.len())).unwrap_or_default(),
            b.get(from..(at + 200).min(b.len())).unwrap_or_default()
        );
    }
}

#[test]
fn search_index_follows_body_title_and_facet_edits() {
    let p1 = "content/practices/p1.md";
    let p12 = "content/practices/p12.md";
    // Each step: edits (file, from, to) that reach the builder as one batch.
    type Edit = (&'static str, &'static str, &'static str);
    let steps: [&[Edit]; 6] = [
        // Body of one entry, then of two.
        &[(p12, "Recovery is a Danish", "Recovery (one) is a Danish")],
        &[
            (p12, "Recovery (one) is", "Recovery (two) is"),
            (p1, "The review does not", "The review (edited) does not"),
        ],
        // Title of one, then of two.
        &[(p12, "title: Recovery", "title: Recovery renamed")],
        &[
            (p12, "title: Recovery renamed", "title: Recovery again"),
            (p1, "title: Practice P1", "title: Practice \"one\""),
        ],
        // Facets of one, then of two.
        &[(p12, "countries: [DK]", "countries: [GB-SCT]")],
        &[
            (p12, "leadership: [shared]", "leadership: [single]"),
            (
                p1,
                "clusters: [person-centeredness]",
                "clusters: [commitment]",
            ),
        ],
    ];
    // Records made at the first change that needs them, or beforehand while idle.
    for idle in [false, true] {
        let site = shipped_site();
        let root = site.path();
        let mut builder = built(root);
        if idle {
            while builder.has_idle_work() {
                builder.idle_step();
            }
        }
        for edits in steps {
            for (file, from, to) in edits {
                edit(root, file, from, to);
            }
            let files: Vec<&str> = edits.iter().map(|(file, ..)| *file).collect();
            match builder.apply(&entries_changed(&files)) {
                Outcome::Built {
                    changed, summary, ..
                } => {
                    assert!(summary.starts_with("rebuilt"), "{summary}");
                    if let Some(changed) = changed {
                        assert!(changed.iter().any(|c| c == "/search-index.json"));
                    }
                }
                other => panic!("{other:?}"),
            }
            let good = builder.good.as_ref().unwrap();
            assert!(
                good.search.is_complete(&good.site.catalogue),
                "written from the records"
            );
            assert_search_index_as_full_build(&builder, root);
        }
        assert_same_as_full_build(&builder, root);
    }
}
