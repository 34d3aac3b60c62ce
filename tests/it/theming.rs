//! Theming without the source: `casebook theme export` gives a site the
//! built-in templates and static files to edit, and `static/custom.css` adds
//! to the theme's styles without a copy of them.

use crate::util::{snapshot, TestSite};

#[test]
fn theme_export_into_a_fresh_site_changes_nothing_in_the_build() {
    let site = TestSite::empty();
    site.run(&["init"]).assert_code(0);
    site.build();
    let before = snapshot(&site.path("public"));
    let run = site.run(&["theme", "export"]);
    run.assert_code(0);
    assert!(run.stdout.starts_with("wrote "), "{}", run.stdout);
    assert!(site.path("templates/base.html").is_file());
    assert!(site.path("static/style.css").is_file());
    site.build();
    let after = snapshot(&site.path("public"));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let changed: Vec<_> = before
        .iter()
        .filter(|(path, bytes)| after.get(*path) != Some(bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(changed.is_empty(), "changed by the export: {changed:?}");
}

#[test]
fn theme_export_never_overwrites_and_lists_what_it_skipped() {
    let site = TestSite::empty();
    site.run(&["init"]).assert_code(0);
    site.write(
        "templates/base.html",
        "{% block content %}{% endblock content %}",
    );
    let run = site.run(&["theme", "export"]);
    run.assert_code(0);
    assert!(run.stdout.contains("skipped 1"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  templates/base.html\n"),
        "{}",
        run.stdout
    );
    assert_eq!(
        site.read("templates/base.html"),
        "{% block content %}{% endblock content %}"
    );
    // Outside a site it says where to run it.
    let empty = TestSite::empty();
    let run = empty.run(&["theme", "export"]);
    run.assert_code(1);
    run.assert_stderr_has("catalogue.yaml: not found");
}

#[test]
fn a_one_rule_custom_css_keeps_the_theme_and_adds_the_rule() {
    let site = TestSite::fixture("basic");
    site.build();
    let theme_css = site.read("public/style.css");
    let page = site.read("public/practices/p1/index.html");
    assert!(!page.contains("custom.css"), "no custom.css, no link");
    site.write("static/custom.css", "h1 { color: rebeccapurple; }\n");
    site.build();
    assert_eq!(
        site.read("public/style.css"),
        theme_css,
        "the theme is kept"
    );
    assert_eq!(
        site.read("public/custom.css"),
        "h1 { color: rebeccapurple; }\n"
    );
    for page in [
        "public/index.html",
        "public/practices/p1/index.html",
        "public/about/index.html",
        "public/404.html",
    ] {
        let html = site.read(page);
        let theme = html.find("style.css\">").expect("theme stylesheet");
        let custom = html
            .find("custom.css\">")
            .unwrap_or_else(|| panic!("{page}"));
        assert!(theme < custom, "{page}: custom.css comes after the theme");
    }
}
