//! `casebook check` and the diagnostics every command prints: file, line, column,
//! cause, suggestion; every problem in one run; exit codes.

use crate::util::TestSite;

#[test]
fn clean_site_exits_zero_with_a_one_line_summary() {
    let site = TestSite::fixture("basic");
    let run = site.run(&["check"]);
    run.assert_code(0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout
            .starts_with("checked 5 entries (2 articles, 3 practices) and 1 page: no errors"),
        "{}",
        run.stdout
    );
    assert!(!site.path("public").exists(), "check writes nothing");
}

#[test]
fn near_miss_vocabulary_id_names_file_line_column_and_suggestion() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/practices/p12.md",
        "---\nid: P12\ntitle: Recovery\nclusters: [comitment]\n---\nBody\n",
    );
    let run = site.run(&["check"]);
    run.assert_code(1);
    run.assert_stderr_has("content/practices/p12.md:4:12: unknown cluster \"comitment\" (did you mean \"commitment\"?)");
    // A short excerpt with a caret under the column.
    run.assert_stderr_has(" 4 | clusters: [comitment]\n   |            ^");
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/practices/a.md",
        "---\nid: P20\ntitle: A\nsectors:\n  - helth\n---\n",
    );
    site.write(
        "content/practices/b.md",
        "---\nid: P21\ntitle: B\nrelated: [P99, l1]\n---\n",
    );
    site.write(
        "content/practices/c.md",
        "---\nid: P1\ntitle: Same id as p1.md\n---\n",
    );
    site.write(
        "content/practices/d.md",
        "---\nid: p2\ntitle: Same URL as P2\n---\n",
    );
    site.write(
        "content/practices/e.md",
        "---\nid: 12\ntitle: [a]\nsectors: health\n---\n",
    );
    site.write("content/practices/f.md", "---\nid: P22\ntitle: Unclosed\n");
    site.write("content/practices/g.md", "---\n- just\n- a list\n---\n");
    site.write(
        "content/practices/h.md",
        "---\nid: P23\ntitle: \"unterminated\nsectors: [health]\n---\n",
    );
    site.write("content/practices/i.md", "no front matter here\n");
    site.write(
        "content/practices/j.md",
        "---\nid: P24\ncountry: [DK]\ncountries: [DK]\ntitle: Both keys\n---\n",
    );
    site.write(
        "content/literature/k.md",
        "---\nid: L9/x\ntitle: Slash\n---\n",
    );
    let run = site.run(&["check"]);
    run.assert_code(1);
    let expected = [
        "content/practices/a.md:5:5: unknown sector \"helth\" (did you mean \"health\"?)",
        "content/practices/b.md:4:11: related entry \"P99\" does not exist",
        "content/practices/b.md:4:16: related entry \"l1\" does not exist (did you mean \"L1\"?)",
        "content/practices/p1.md:2:5: duplicate id \"P1\": also used by content/practices/c.md",
        "content/practices/c.md:2:5: duplicate id \"P1\": also used by content/practices/p1.md",
        "content/practices/d.md:2:5: id \"p2\" has the same URL as \"P2\"",
        "content/practices/e.md:2:5: id must be text, found the number 12",
        "content/practices/e.md:3:8: title must be text, found a list",
        "content/practices/e.md:4:10: `sectors` must be a list: write sectors: [health]",
        "content/practices/f.md:1:1: front matter is not closed",
        "content/practices/g.md:2:1: front matter must be a mapping",
        "content/practices/h.md:3:8: the quote \" that opens the value of `title` is never closed",
        "content/practices/i.md:1:1: missing front matter",
        "content/practices/j.md:4:1: `countries` and `country` both set countries",
        "content/literature/k.md:2:5: id \"L9/x\" is not usable in a URL",
    ];
    for line in expected {
        assert!(
            run.stderr.contains(line),
            "missing {line:?} in:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("problems found; nothing was written"));
}

#[test]
fn catalogue_yaml_errors_are_located() {
    let site = TestSite::fixture("basic");
    let config = site
        .read("catalogue.yaml")
        .replace("parent: GB }", "parent: UK }")
        .replace(
            "facet: countries, mode: counts",
            "facet: contries, mode: counts",
        );
    site.write("catalogue.yaml", &config);
    let run = site.run(&["check"]);
    run.assert_code(1);
    run.assert_stderr_has("catalogue.yaml:19:45: unknown parent \"UK\" for \"GB-ENG\"");
    run.assert_stderr_has("unknown parent \"UK\"");
    run.assert_stderr_has("unknown facet \"contries\" (did you mean \"countries\"?)");
}

#[test]
fn missing_catalogue_yaml_says_so() {
    let site = TestSite::empty();
    let run = site.run(&["check"]);
    run.assert_code(1);
    run.assert_stderr_has("catalogue.yaml: not found");
}

#[test]
fn warnings_do_not_fail_the_check() {
    let site = TestSite::fixture("basic");
    site.write("content/practices/w.md", "---\nid: P30\ntitle: W\nsector: [health]\nclustres: [commitment]\n---\nSee [missing](P404).\n");
    let run = site.run(&["check"]);
    run.assert_code(0);
    run.assert_stderr_has("content/practices/w.md:5:1: warning: `clustres` is not a facet");
    run.assert_stderr_has(
        "content/practices/w.md:7:15: warning: link to \"P404\" points to no entry",
    );
    // P30 also leaves out countries, which the other practices all give.
    run.assert_stderr_has(
        "content/practices/w.md: warning: no country given, though 3 of 4 practices have one",
    );
    assert!(run.stdout.contains("3 warnings"), "{}", run.stdout);
}

#[test]
fn bad_usage_exits_two() {
    let site = TestSite::fixture("basic");
    assert_eq!(site.run(&["build", "--no-such-flag"]).code, 2);
    assert_eq!(crate::util::run(&["frobnicate"], site.root()).code, 2);
    assert_eq!(crate::util::run(&[], site.root()).code, 2);
}

#[test]
fn crlf_bom_and_tabs_in_bodies_work() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/practices/crlf.md",
        "\u{feff}---\r\nid: P40\r\ntitle: Windows file\r\nsectors: [health]\r\n---\r\n\tIndented body\r\n",
    );
    site.build();
    let page = site.read("public/practices/p40/index.html");
    assert!(page.contains("Windows file"));
}

#[test]
fn five_mistakes_of_different_stages_in_one_file_are_all_reported_in_one_run() {
    let site = TestSite::fixture("basic");
    site.write(
        "content/practices/p30.md",
        "---\nid: P30\ntitle: Five mistakes\nsectors: [helth]\ncountries: [Denmark]\nrelated: [P12]\ndate: 01/12/2026\n---\nSee [the pilot](P404).\n",
    );
    let run = site.run(&["check"]);
    run.assert_code(1);
    let expected = [
        "content/practices/p30.md:4:11: unknown sector \"helth\" (did you mean \"health\"?)",
        "content/practices/p30.md:5:13: unknown country \"Denmark\": Denmark is the label of DK; front matter uses ids (write countries: [DK])",
        "content/practices/p30.md:6:11: related entry \"P12\" does not exist",
        "content/practices/p30.md:7:7: warning: `date` \"01/12/2026\" is not a date",
        "content/practices/p30.md:9:17: warning: link to \"P404\" points to no entry",
    ];
    for line in expected {
        assert!(
            run.stderr.contains(line),
            "missing {line:?} in:\n{}",
            run.stderr
        );
    }
    // No advice about the facets that had errors.
    assert!(!run.stderr.contains("no country given"), "{}", run.stderr);
    // The live preview reports the same set: its full rebuild is the same load.
}

/// Every `tests/fixtures/yaml/<name>.md` (an entry, added to a good site) or
/// `<name>.yaml` (the site's `catalogue.yaml`) gets the message of
/// `<name>.expect`: line, column, cause and fix, at the start of a line of
/// the output after the file's path. `{today}` stands for today's date.
#[test]
fn every_yaml_mistake_gets_its_plain_message() {
    let corpus = crate::util::repo().join("tests/fixtures/yaml");
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 18, "only {} cases", cases.len());
    let today = casebook::yaml_help::today();
    let mut failures = Vec::new();
    for case in &cases {
        let site = TestSite::fixture("basic");
        let name = case.file_name().unwrap().to_str().unwrap();
        let expect = std::fs::read_to_string(case.with_extension("expect")).unwrap();
        let expect = expect.trim_end().replace("{today}", &today);
        let path = if name.ends_with(".md") {
            format!("content/practices/{name}")
        } else {
            "catalogue.yaml".to_string()
        };
        std::fs::copy(case, site.path(&path)).unwrap();
        let run = site.run(&["check"]);
        let wanted = format!("{path}:{expect}");
        // A warning alone does not fail the check.
        let wanted_code = if expect.contains(" warning: ") { 0 } else { 1 };
        if run.code != wanted_code || !run.stderr.lines().any(|l| l == wanted) {
            failures.push(format!(
                "{name}: exit {}, expected {wanted:?}\n{}",
                run.code, run.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every `tests/fixtures/templates/<name>--<template>` used as the site's
/// `templates/<template>` gives the one error of `<name>.expect`: the file
/// that has the problem, line, column and cause, once however many pages
/// meet it, with one code frame.
#[test]
fn template_errors_name_the_template_once_with_its_position() {
    let corpus = crate::util::repo().join("tests/fixtures/templates");
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_str().is_some_and(|p| p.contains("--")))
        .collect();
    cases.sort();
    assert!(cases.len() >= 4);
    let mut failures = Vec::new();
    for case in &cases {
        let site = TestSite::fixture("basic");
        let name = case.file_name().unwrap().to_str().unwrap();
        let (stem, template) = name.split_once("--").unwrap();
        let expect = std::fs::read_to_string(corpus.join(format!("{stem}.expect"))).unwrap();
        site.write(
            &format!("templates/{template}"),
            &std::fs::read_to_string(case).unwrap(),
        );
        let run = site.run(&["check"]);
        let errors = run.stderr.matches("template error").count();
        let frames = run
            .stderr
            .lines()
            .filter(|l| l.trim_start().starts_with('|') && l.contains('^'))
            .count();
        if run.code != 1
            || !run.stderr.starts_with(expect.trim_end())
            || errors != 1
            || frames > 1
            || run.stderr.contains("-->")
        {
            failures.push(format!("{name}: expected {expect:?}\n{}", run.stderr));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
