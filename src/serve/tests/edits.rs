//! Edits of entries: each rebuild stays partial and equals a full build.

use super::*;

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
    assert_body_edit_changed(&builder, &changed, "P12");
    // Those routes were rendered, and nothing else.
    let p12 = entry_index(&builder, "P12");
    let practices = builder.good.as_ref().unwrap().site.catalogue.entries[p12].kind;
    let (chunks, mut others): (Vec<_>, Vec<_>) = rendered
        .iter()
        .partition(|r| matches!(r, Route::SearchEntry | Route::SearchChunk(_)));
    others.sort();
    assert_eq!(
        others,
        [
            &Route::Entry(p12),
            &Route::EntriesCsv(practices),
            &Route::SearchFragment(p12)
        ]
    );
    assert!(!chunks.is_empty(), "{rendered:?}");
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
    assert!(rendered.contains(&Route::Home(1)));
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

/// Panics unless the builder's search index (`search/`) has the files and
/// bytes a full build gives.
fn assert_search_index_as_full_build(builder: &Builder, root: &Path) {
    let search = |files: &crate::serve::http::Files| -> Vec<(String, Vec<u8>)> {
        let mut search: Vec<(String, Vec<u8>)> = files
            .iter()
            .filter(|(path, _)| path.starts_with("search/"))
            .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
            .collect();
        search.sort();
        search
    };
    let incremental = search(&builder.files().unwrap());
    let full = search(&built(root).files().unwrap());
    assert_eq!(
        incremental.iter().map(|f| &f.0).collect::<Vec<_>>(),
        full.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((path, a), (_, b)) in incremental.iter().zip(&full) {
        assert!(
            a == b,
            "{path} differs from a full build:\n--- incremental\n{}\n--- full\n{}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b)
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
    // "More like this" lists made at the first change that needs them, or
    // beforehand while idle.
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
                        assert!(changed.iter().any(|c| c.starts_with("/search/")));
                    }
                }
                other => panic!("{other:?}"),
            }
            assert!(builder.good.as_ref().unwrap().chunked.is_some());
            assert_search_index_as_full_build(&builder, root);
        }
        assert_same_as_full_build(&builder, root);
    }
}

#[test]
fn paged_lists_re_render_only_the_pages_an_edit_shows_on() {
    let site = shipped_site();
    let root = site.path();
    let config = std::fs::read_to_string(root.join("catalogue.yaml")).unwrap();
    std::fs::write(
        root.join("catalogue.yaml"),
        format!("paginate_by: 5\n{config}"),
    )
    .unwrap();
    let mut builder = built(root);
    // A title shows on one page of each list holding the entry.
    edit(
        root,
        "content/practices/p12.md",
        "title: Recovery",
        "title: Recovery, paged",
    );
    let (_, rendered) = apply_partial_routes(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    assert_same_as_full_build(&builder, root);
    let kind_pages: Vec<&Route> = rendered
        .iter()
        .filter(|r| matches!(r, Route::Kind(..)))
        .collect();
    // P12 is the 12th practice: page 3 of 5 a page.
    let practices = 1; // kinds are in catalogue.yaml order: literature, practices
    assert_eq!(kind_pages, [&Route::Kind(practices, 3)], "{rendered:?}");
    // A facet edit moves entries between lists: those lists' pages all follow.
    edit(
        root,
        "content/practices/p12.md",
        "sectors: [health]",
        "sectors: [health, education]",
    );
    apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    assert_same_as_full_build(&builder, root);
}

#[test]
fn entries_csv_from_kept_rows_follows_body_and_field_edits() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    let p1 = "content/practices/p1.md";
    let p12 = "content/practices/p12.md";
    let csv = |builder: &Builder| {
        String::from_utf8(builder.files().unwrap()["practices/entries.csv"].to_vec()).unwrap()
    };
    // Two body edits: the second is made from the rows the first kept.
    for (from, to) in [
        (
            "Recovery is a Danish project",
            "Recovery (one) is a Danish project",
        ),
        ("Recovery (one) is", "Recovery (two) is"),
    ] {
        edit(root, p12, from, to);
        let changed = apply_partial(&mut builder, &entries_changed(&[p12]));
        assert!(
            changed.iter().any(|c| c == "/practices/entries.csv"),
            "{changed:?}"
        );
        assert_same_as_full_build(&builder, root);
    }
    assert!(csv(&builder).contains("Recovery (two) is"));
    // A field no entry had before: a new column, so every row is made again.
    edit(
        root,
        p1,
        "provenance: reconstructed",
        "provenance: reconstructed\nnote: kept rows",
    );
    builder.apply(&entries_changed(&[p1]));
    assert_same_as_full_build(&builder, root);
    assert!(csv(&builder).lines().next().unwrap().contains("note"));
    // And a body edit after it, from the rows made for the new columns.
    edit(root, p12, "Recovery (two) is", "Recovery (three) is");
    apply_partial(&mut builder, &entries_changed(&[p12]));
    assert_same_as_full_build(&builder, root);
}

#[test]
fn an_edit_that_leaves_a_coding_gap_gets_checks_advice() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = Builder::new(
        root,
        LoadOptions {
            keep_front_matter: true,
            ..options()
        },
    );
    assert!(matches!(builder.full("test"), Outcome::Built { .. }));
    let p12 = "content/practices/p12.md";
    edit(root, p12, "leadership: [shared]\n", "");
    match builder.apply(&entries_changed(&[p12])) {
        Outcome::Built {
            summary, warnings, ..
        } => {
            assert!(summary.starts_with("rebuilt"), "{summary}");
            let gap = warnings
                .iter()
                .find(|w| w.message.contains("no leadership given"))
                .unwrap_or_else(|| panic!("{warnings:?}"));
            assert!(gap.path.ends_with("content/practices/p12.md"), "{gap:?}");
            // At the line a `leadership:` would go? Nowhere: the key is gone.
            assert!(gap.line.is_none(), "{gap:?}");
        }
        other => panic!("{other:?}"),
    }
}
