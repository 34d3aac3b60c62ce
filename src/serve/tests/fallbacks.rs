//! Changes that need a full rebuild, errors, static files, own templates.

use super::*;
use crate::routes::url_path;
use crate::serve::watch::StaticChange;

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
    let changed = apply_partial(
        &mut builder,
        &entries_changed(&["content/practices/p12.md"]),
    );
    assert_body_edit_changed(&builder, &changed, "P12");
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

#[cfg(unix)]
#[test]
fn an_entry_replaced_by_a_link_out_or_a_fifo_is_not_read() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    let file = "content/practices/p44.md";
    for replace in ["link", "fifo"] {
        std::fs::remove_file(root.join(file)).unwrap();
        if replace == "link" {
            std::os::unix::fs::symlink("/etc/passwd", root.join(file)).unwrap();
        } else {
            let status = std::process::Command::new("mkfifo")
                .arg(root.join(file))
                .status()
                .unwrap();
            assert!(status.success());
        }
        // Falls back to a full rebuild, which skips the file with a warning;
        // a FIFO is never opened for reading, so this does not block.
        match builder.apply(&entries_changed(&[file])) {
            Outcome::Built {
                changed: None,
                warnings,
                files,
                ..
            } => {
                assert!(
                    warnings.iter().any(|w| w.to_string().contains("p44.md")),
                    "{replace}: {warnings:?}"
                );
                assert!(!files.contains_key("practices/p44/index.html"), "{replace}");
            }
            other => panic!("{replace}: {other:?}"),
        }
    }
}

#[test]
fn templates_that_would_crash_fail_and_the_last_good_site_stays() {
    let site = shipped_site();
    let root = site.path();
    let mut builder = built(root);
    std::fs::create_dir(root.join("templates")).unwrap();
    for (text, expect) in [
        (
            "{% extends \"base.html\" %}\n{% macro t(n) %}{{ self::t(n=n) }}{% endmacro t %}\n{% block content %}{{ self::t(n=1) }}{% endblock content %}\n",
            "templates/page.html:2:",
        ),
        (
            "{% extends \"base.html\" %}\n{% block content %}{{ range(end=400000000) | length }}{% endblock content %}\n",
            "page.html",
        ),
    ] {
        std::fs::write(root.join("templates/page.html"), text).unwrap();
        match builder.apply(&RebuildPlan::Full("templates changed")) {
            Outcome::Failed(errors) => {
                let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                assert!(shown.iter().any(|h| h.contains(expect)), "{shown:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(builder.files().is_some(), "the last good files stay");
    }
}
