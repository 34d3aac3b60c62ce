//! Hardening, round two (issue 11, items 2, 4, 5, 7, 8, 9 and 13): one reading
//! policy for symbolic links and special files, templates that fail instead
//! of crashing, linear work on huge facets and bodies, static files at page
//! paths, over-long paths, YAML that must not lose data, and reserved facet
//! names. Each class is tested with inputs of its own.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Run, TestSite, BIN};

/// Runs `casebook <args> --root <site>`, killing it after `limit`: a hang is
/// a test failure, not a stuck test run.
fn run_with_timeout(site: &TestSite, args: &[&str], limit: Duration) -> Run {
    // Output goes to files, not pipes: a child blocked on a full pipe would
    // look like a hang.
    let logs = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (logs.path().join("out"), logs.path().join("err"));
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--root")
        .arg(site.root())
        .current_dir(site.root())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("casebook {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |path: &Path| String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// Whether `stderr` has a line starting with `prefix` (stderr not shown on
/// failure: it can be megabytes).
fn has_line(run: &Run, prefix: &str) -> bool {
    run.stderr.lines().any(|line| line.starts_with(prefix))
}

const LIMIT: Duration = Duration::from_secs(60);

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

// ---- 2: symbolic links and special files -------------------------------

#[cfg(unix)]
#[test]
fn top_level_folders_linked_out_of_the_site_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("practices")).unwrap();
    std::fs::write(outside.path().join("leak.txt"), "secret").unwrap();
    std::fs::write(
        outside.path().join("practices/p9.md"),
        "---\nid: P9\ntitle: Outside\n---\nx\n",
    )
    .unwrap();
    for (link, target, named) in [
        ("static", Path::new("/etc"), "static"),
        ("static", Path::new("/proc/self"), "static"),
        ("templates", outside.path(), "templates"),
        ("content", outside.path(), "content"),
        (
            "content/practices",
            &outside.path().join("practices"),
            "content/practices",
        ),
    ] {
        let site = TestSite::fixture("basic");
        let path = site.path(link);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        }
        std::os::unix::fs::symlink(target, &path).unwrap();
        for command in ["check", "build"] {
            let run = run_with_timeout(&site, &[command], LIMIT);
            run.assert_code(1);
            run.assert_stderr_has(&format!(
                "{named}: symbolic link to a folder outside the site is not followed"
            ));
        }
        assert!(
            !site.path("public").exists(),
            "{link} -> {target:?} was built"
        );
    }
}

#[cfg(unix)]
#[test]
fn files_linked_out_of_the_site_and_special_files_are_never_read() {
    let site = TestSite::fixture("basic");
    std::os::unix::fs::symlink("/etc/passwd", site.path("content/practices/passwd.md")).unwrap();
    mkfifo(&site.path("content/practices/fifo.md"));
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::fs::create_dir_all(site.path("templates")).unwrap();
    mkfifo(&site.path("static/pipe.css"));
    mkfifo(&site.path("templates/pipe.html"));
    std::os::unix::fs::symlink("/etc/hostname", site.path("static/host.txt")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", site.path("static/env.txt")).unwrap();
    // A link to a file inside the site is read.
    std::fs::write(site.path("own.css"), "body{}").unwrap();
    std::os::unix::fs::symlink(site.path("own.css"), site.path("static/own.css")).unwrap();
    let run = run_with_timeout(&site, &["build"], LIMIT);
    run.assert_code(0);
    run.assert_stderr_has("content/practices/passwd.md: warning: symbolic link to a file outside the site is not followed");
    for special in [
        "content/practices/fifo.md",
        "static/pipe.css",
        "templates/pipe.html",
    ] {
        run.assert_stderr_has(&format!("{special}: warning: not a regular file"));
    }
    run.assert_stderr_has("static/host.txt: warning: symbolic link to a file outside");
    run.assert_stderr_has("static/env.txt: warning: symbolic link to a file outside");
    for absent in ["public/host.txt", "public/env.txt", "public/pipe.css"] {
        assert!(!site.path(absent).exists(), "{absent}");
    }
    assert_eq!(site.read("public/own.css"), "body{}");
    let run = run_with_timeout(&site, &["check"], LIMIT);
    run.assert_code(0);
    run.assert_stderr_has("content/practices/fifo.md: warning: not a regular file");
}

#[cfg(unix)]
#[test]
fn catalogue_yaml_linked_out_of_the_site_is_refused() {
    let site = TestSite::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    let copy = outside.path().join("catalogue.yaml");
    std::fs::rename(site.path("catalogue.yaml"), &copy).unwrap();
    std::os::unix::fs::symlink(&copy, site.path("catalogue.yaml")).unwrap();
    let run = run_with_timeout(&site, &["check"], LIMIT);
    run.assert_code(1);
    run.assert_stderr_has("catalogue.yaml: cannot read: symbolic link to a file outside the site");
}

// ---- 4: templates that would crash casebook ----------------------------

#[test]
fn templates_that_would_crash_are_errors_naming_the_template() {
    for (file, text, expect) in [
        (
            "templates/macros.html",
            "{% macro tree(n) %}<ul>{{ self::tree(n=n) }}</ul>{% endmacro tree %}\n",
            "templates/macros.html:1:4: template error: macro `tree` calls itself (macros.html::tree → macros.html::tree)",
        ),
        (
            "templates/item.html",
            "{% include \"nav.html\" %}",
            "template error: template includes itself (",
        ),
        (
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}{% for i in range(end=400000000) %}{{ i }}{% endfor %}{% endblock content %}\n",
            "templates/page.html:2:32: template error: Function `range` would make 400000000 numbers; casebook allows at most 100000",
        ),
        (
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}{{ get_env(name=\"HOME\") }}{% endblock content %}\n",
            "get_env() is turned off in casebook",
        ),
    ] {
        let site = TestSite::fixture("basic");
        site.write(file, text);
        if file.ends_with("item.html") {
            site.write("templates/nav.html", "{% include \"item.html\" %}");
        }
        let run = run_with_timeout(&site, &["build"], LIMIT);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        run.assert_stderr_has(expect);
        assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
    }
}

// ---- 5: linear work on big facets and deep bodies ----------------------

#[test]
fn a_facet_with_ten_thousand_values_builds_with_small_value_pages() {
    let site = TestSite::fixture("basic");
    let mut config = site.read("catalogue.yaml");
    let mut topics = String::from("  topics:\n");
    for i in 0..10_000 {
        let description = if i == 5 { ", description: Five" } else { "" };
        topics.push_str(&format!(
            "    - {{ id: t{i}, label: Topic {i}{description} }}\n"
        ));
    }
    config = config.replace("summaries:", &format!("{topics}summaries:"));
    site.write("catalogue.yaml", &config);
    site.write(
        "content/practices/p50.md",
        "---\nid: P50\ntitle: Topical\ntopics: [t1, t9999]\n---\nBody.\n",
    );
    let run = run_with_timeout(&site, &["build"], Duration::from_secs(300));
    run.assert_code(0);
    let sizes: Vec<u64> = (0..10_000)
        .map(|i| {
            let page = site.path(&format!("public/topics/t{i}/index.html"));
            std::fs::metadata(&page).unwrap().len()
        })
        .collect();
    let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
    // Each value page is about one value, not the 10,000 of its facet.
    assert!(*max < 16 * 1024, "a value page is {max} bytes");
    assert!(
        max - min < 4 * 1024,
        "value pages range from {min} to {max} bytes"
    );
    // The facet page is linear in its values: one row each, and the
    // description column once for all.
    let facet = site.read("public/topics/index.html");
    assert_eq!(facet.matches("<tr>").count(), 10_001);
    assert_eq!(facet.matches("<td>Five</td>").count(), 1);
    assert_eq!(facet.matches(">Description</th>").count(), 1);
    assert!(facet.len() < 10_000 * 400, "{} bytes", facet.len());
}

#[test]
fn bodies_nested_too_deep_are_refused_with_file_and_line() {
    let site = TestSite::fixture("basic");
    let deep_html = format!(
        "---\nid: P51\ntitle: Deep\n---\nIntro.\n\n{}x{}\n",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    site.write("content/practices/deep.md", &deep_html);
    let deep_quotes = format!(
        "---\nid: P52\ntitle: Quotes\n---\n{}quoted\n",
        "> ".repeat(5_000)
    );
    site.write("content/practices/quotes.md", &deep_quotes);
    site.write(
        "content/practices/fine.md",
        &format!(
            "---\nid: P53\ntitle: Fine\n---\n{}<p>ok</p>{}\n",
            "<div>".repeat(200),
            "</div>".repeat(200)
        ),
    );
    let run = run_with_timeout(&site, &["check"], LIMIT);
    run.assert_code(1);
    assert!(has_line(
        &run,
        "content/practices/deep.md:7:1: the body nests elements more than 256 deep"
    ));
    assert!(has_line(
        &run,
        "content/practices/quotes.md:5:513: the body nests elements more than 256 deep"
    ));
    assert!(!run.stderr.contains("fine.md"));
    std::fs::remove_file(site.path("content/practices/deep.md")).unwrap();
    std::fs::remove_file(site.path("content/practices/quotes.md")).unwrap();
    let run = run_with_timeout(&site, &["build"], LIMIT);
    run.assert_code(0);
    assert!(site
        .read("public/practices/p53/index.html")
        .contains("<p>ok</p>"));
}

// ---- 9: catalogue.yaml loses nothing silently ---------------------------

#[test]
fn catalogue_yaml_that_would_lose_data_is_an_error_at_its_line() {
    let base = TestSite::fixture("basic").read("catalogue.yaml");
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let cases: Vec<(String, &str, &str)> = vec![
        // A key given twice, at the top and deeper down.
        (
            format!("{base}title: Again\n"),
            "title: Again",
            "key `title` appears twice",
        ),
        (
            base.replace("  clusters:\n", "  sectors: [ { id: x } ]\n  clusters:\n"),
            "sectors: [ { id: x } ]",
            "key `sectors` appears twice",
        ),
        // A merge key, which the parser leaves unapplied.
        (
            base.replace(
                "    label: DMIC clusters\n",
                "    <<: { label: DMIC clusters }\n",
            ),
            "<<:",
            "YAML merge keys (`<<:`) are not supported",
        ),
        // `1:` and `"1":` are one key once read.
        (
            format!("{base}1: one\n\"1\": also one\n"),
            "\"1\": also one",
            "key `1` appears twice (once quoted, once not",
        ),
        // `.nan` has no JSON number.
        (
            format!("{base}ratio: .nan\n"),
            "ratio: .nan",
            "`.nan` is not a number casebook can use",
        ),
    ];
    for (config, needle, message) in cases {
        let site = TestSite::fixture("basic");
        site.write("catalogue.yaml", &config);
        let run = site.run(&["check"]);
        run.assert_code(1);
        let line = line_of(&config, needle);
        run.assert_stderr_has(&format!("catalogue.yaml:{line}:"));
        run.assert_stderr_has(message);
    }
}

// ---- 13: messages about facets -----------------------------------------

#[test]
fn facets_named_after_fields_casebook_reads_are_refused() {
    for name in ["date", "authors"] {
        let site = TestSite::fixture("basic");
        let config = site.read("catalogue.yaml").replace(
            "summaries:",
            &format!("  {name}:\n    - {{ id: a }}\nsummaries:"),
        );
        site.write("catalogue.yaml", &config);
        let run = site.run(&["check"]);
        run.assert_code(1);
        run.assert_stderr_has(&format!(
            "\"{name}\" cannot be a facet name: casebook reads `{name}` itself"
        ));
    }
}

#[test]
fn a_value_that_is_its_own_parent_gets_no_suggestion_of_itself() {
    let site = TestSite::fixture("basic");
    let config = site.read("catalogue.yaml").replace(
        "{ id: DK, label: Denmark }",
        "{ id: DK, label: Denmark, parent: DK }",
    );
    site.write("catalogue.yaml", &config);
    let run = site.run(&["check"]);
    run.assert_code(1);
    run.assert_stderr_has("\"DK\" in `countries` cannot be its own parent");
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
}

// ---- 7: static files at page paths -------------------------------------

#[test]
fn static_files_at_page_paths_always_lose_and_are_named() {
    let site = TestSite::fixture("basic");
    site.write("static/index.html", "STATIC HOME");
    site.write("static/practices/p1/index.html", "STATIC P1");
    site.write("static/practices/p1/extra.txt", "kept");
    let run = site.run(&["check"]);
    run.assert_code(0);
    run.assert_stderr_has(
        "static/index.html: warning: not copied: the page / is written at index.html",
    );
    run.assert_stderr_has("static/practices/p1/index.html: warning: not copied: the page /practices/p1/ from content/practices/p1.md is written at practices/p1/index.html");
    // Deterministic: the page, every time.
    for _ in 0..3 {
        let run = site.run(&["build"]);
        run.assert_code(0);
        assert!(!site.read("public/index.html").contains("STATIC HOME"));
        assert!(!site
            .read("public/practices/p1/index.html")
            .contains("STATIC P1"));
        assert_eq!(site.read("public/practices/p1/extra.txt"), "kept");
    }
}

// ---- 8: paths too long for the file system -----------------------------

#[test]
fn check_refuses_output_paths_too_long_and_names_the_entry() {
    let site = TestSite::fixture("basic");
    let long: Vec<String> = (0..6)
        .map(|i| format!("sector-{i}-{}", "x".repeat(50)))
        .collect();
    let values: String = long
        .iter()
        .map(|id| format!("    - {{ id: {id}, label: S }}\n"))
        .collect();
    let config = site
        .read("catalogue.yaml")
        .replace("  sectors:\n", &format!("  sectors:\n{values}"));
    site.write("catalogue.yaml", &config);
    site.write(
        "content/practices/p60.md",
        &format!(
            "---\nid: P60\ntitle: Everything\nsectors: [{}]\n---\nx\n",
            long.join(", ")
        ),
    );
    let run = site.run(&["check"]);
    run.assert_code(1);
    run.assert_stderr_has("content/practices/p60.md: the output path sectors/");
    run.assert_stderr_has("is too long: a name of ");
    let run = site.run(&["build"]);
    run.assert_code(1);
    assert!(!run.stderr.contains("File name too long"), "{}", run.stderr);
}
