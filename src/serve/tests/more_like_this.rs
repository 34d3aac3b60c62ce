//! "More like this" lists kept over edits, computed while idle or at the first edit.

use super::*;

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
